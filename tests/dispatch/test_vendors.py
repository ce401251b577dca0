"""Each vendor's success, permanent and retryable replies, as the coordinator
sees them on the notice: status, attempts, HTTP status, vendor code and
message, the reply log, the next attempt, and the dead-letter alert."""
from datetime import timedelta

from integrations.channels.dingtalk import DingTalkChannel
from integrations.channels.email_webhook import EmailWebhookChannel
from integrations.channels.feishu import FeishuChannel
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from integrations.dispatch import dispatch, read_log
from models.outbox import NoticeStatus
from tests.dispatch.conftest import DING_SECRET, NOW, TIMEOUT, limiter, notice, notices, queue

CHANNELS = ("wecom", "dingtalk", "feishu", "smtp", "folder")


def run(engine, v, clock, now=NOW, **kw):
    return dispatch(engine, now, v.registry, worker_id="t", clock=clock, **kw)


def test_every_channel_delivers_and_records_the_reply(engine, vendors, fake_clock):
    v = vendors()
    ids = {ch: queue(engine, i, ch) for i, ch in enumerate(CHANNELS)}
    result = run(engine, v, fake_clock)
    assert sorted(result.sent) == sorted(ids.values()) and result.messages == 5
    assert v.delivered() == {f"{i:04d}": 1 for i in range(4)}
    [mail] = v.mail.deliveries
    assert mail.mentions == ("wangming@wjw.example.gov.cn",) and mail.content.startswith("整改催办通知")
    [written] = list(v.folder.glob("urge-*.txt"))
    assert "【N0004】" in written.read_text(encoding="utf-8")
    expected = {"wecom": (200, "0"), "dingtalk": (200, "0"), "feishu": (200, "0"), "smtp": (202, None),
                "folder": (None, None)}
    for ch, notice_id in ids.items():
        row = notice(engine, notice_id)
        assert (row.status, row.attempts, row.parts_sent, row.sent_at) == (NoticeStatus.SENT, 1, 1, NOW), ch
        assert (row.last_http_status, row.last_errcode, row.last_error) == (*expected[ch], None), ch
        [entry] = read_log(row)
        assert (entry["outcome"], entry["step"], entry["attempt"]) == ("sent", "消息", 1)
    assert read_log(notice(engine, ids["smtp"]))[0]["vendor_id"] == "msg-1"
    assert run(engine, v, fake_clock, NOW + timedelta(hours=1)).sent == []  # nothing is sent twice


def test_permanent_errors_dead_letter_and_alert_the_coordinators(engine, vendors, fake_clock, tmp_path):
    v = vendors()
    bad = [
        WeComChannel("wjw_bad", Secret("no-such-key"), base_url=v.wecom.url, limiter=limiter("wecom", fake_clock),
                     timeout=TIMEOUT),
        DingTalkChannel("cz_bad", Secret("ding-token-1"), Secret(DING_SECRET + "x"), base_url=v.dingtalk.url,
                        limiter=limiter("dingtalk", fake_clock), timeout=TIMEOUT, wallclock=fake_clock.time),
        FeishuChannel("rmyy_bad", Secret("feishu-token-1"), Secret("wrong"), base_url=v.feishu.url,
                      limiter=limiter("feishu", fake_clock), timeout=TIMEOUT, wallclock=fake_clock.time),
    ]
    from tests.dispatch.conftest import make_registry
    v.registry = make_registry(fake_clock, v.folder, extra=bad + [
        EmailWebhookChannel("mail", Secret("SG.revoked"), sender="zgb@example.gov.cn", base_url=v.mail.url,
                            timeout=TIMEOUT)])
    ids = {
        "wecom": queue(engine, 1, "wecom", target="wjw_bad"),
        "dingtalk": queue(engine, 2, "dingtalk", target="cz_bad"),
        "feishu": queue(engine, 3, "feishu", target="rmyy_bad"),
        "smtp": queue(engine, 4, "smtp"),
        "unconfigured": queue(engine, 5, "wecom", target="no_such_robot"),
    }
    result = run(engine, v, fake_clock)
    assert sorted(result.dead) == sorted(ids.values()) and result.alerts == 5
    expected = {"wecom": ("93000", "invalid webhook url"), "dingtalk": ("310000", "sign not match"),
                "feishu": ("19021", "sign match fail"), "smtp": (None, "authorization grant is invalid"),
                "unconfigured": (None, "渠道“no_such_robot”（wecom）未在配置文件 [channels] 中登记")}
    for name, notice_id in ids.items():
        row = notice(engine, notice_id)
        assert (row.status, row.attempts) == (NoticeStatus.DEAD, 1), name
        code, words = expected[name]
        assert row.last_errcode == code and words in row.last_error, (name, row.last_error)
    assert notice(engine, ids["smtp"]).last_http_status == 401
    assert v.delivered() == {}
    alerts = [n for n in notices(engine) if n.kind == "dead_letter_alert"]
    # Nobody is registered as 整改办 here: the alerts go to the folder, not back to the failed channel.
    assert {(a.channel, a.target) for a in alerts} == {("folder", "outbox")} and len(alerts) == 5
    assert sorted(result.sent) == sorted(a.id for a in alerts)  # queued at once, so sent in the same run
    texts = [p.read_text(encoding="utf-8") for p in v.folder.glob("dead_letter_alert-*.txt")]
    assert len(texts) == 5
    assert any(f"通知编号：{ids['wecom']}" in t and "93000 invalid webhook url" in t for t in texts)
    assert all("no-such-key" not in t and "SG.revoked" not in t for t in texts)


def test_retryable_errors_wait_by_error_class_then_succeed(engine, vendors, fake_clock):
    v = vendors()
    v.wecom.faults.queue("500")
    v.dingtalk.faults.queue("ratelimit")
    v.feishu.faults.queue("ratelimit")
    v.mail.faults.queue("ratelimit")
    ids = {ch: queue(engine, i, ch) for i, ch in enumerate(("wecom", "dingtalk", "feishu", "smtp"))}
    result = run(engine, v, fake_clock)
    assert sorted(result.retry) == sorted(ids.values()) and result.sent == []
    rows = {ch: notice(engine, i) for ch, i in ids.items()}
    assert {r.status for r in rows.values()} == {NoticeStatus.RETRY}
    assert (rows["wecom"].last_http_status, rows["wecom"].next_attempt_at) == (500, NOW + timedelta(seconds=60))
    assert (rows["dingtalk"].last_errcode, rows["dingtalk"].next_attempt_at) == ("130101", NOW + timedelta(minutes=10))
    assert rows["feishu"].last_errcode == "11232" and rows["feishu"].next_attempt_at == NOW + timedelta(seconds=60)
    assert rows["smtp"].last_http_status == 429 and rows["smtp"].next_attempt_at == NOW + timedelta(seconds=60)
    assert all(r.claimed_by is None for r in rows.values())
    assert sorted(run(engine, v, fake_clock, NOW + timedelta(minutes=2)).sent) == [ids["wecom"], ids["feishu"], ids["smtp"]]
    assert run(engine, v, fake_clock, NOW + timedelta(minutes=11)).sent == [ids["dingtalk"]]
    for notice_id in ids.values():
        row = notice(engine, notice_id)
        assert (row.status, row.attempts) == (NoticeStatus.SENT, 2)
        assert [e["outcome"] for e in read_log(row)] == ["retry", "sent"]
    assert v.delivered() == {f"{i:04d}": 1 for i in range(4)}


def test_retries_exhausted_dead_letter(engine, vendors, fake_clock):
    from integrations.dispatch import RetryPolicy

    v = vendors()
    v.wecom.faults.queue("500", "500", "500")
    notice_id = queue(engine, 1)
    policy = RetryPolicy(max_attempts=3)
    moment = NOW
    for expected in (NoticeStatus.RETRY, NoticeStatus.RETRY, NoticeStatus.DEAD):
        run(engine, v, fake_clock, moment, policy=policy)
        row = notice(engine, notice_id)
        assert row.status == expected
        moment = row.next_attempt_at if expected == NoticeStatus.RETRY else moment
    assert [e["outcome"] for e in read_log(row)] == ["retry"] * 3
    assert row.attempts == 3 and row.last_error.startswith("已尝试 3 次仍未成功，不再自动重试")
    assert [n.kind for n in notices(engine)].count("dead_letter_alert") == 1
