from dataclasses import replace

import docx
import pytest
import requests

from integrations.channels.base import dumps
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from models.errors import ValidationError
from notices.context import Attachment
from tests.channels.helpers import FAST_TIMEOUT, no_limit, REPORT_NAME, closed_port, make_report, vendor_limiter
from tests.fakes.samples import UNIT, context, item
from tests.fakes.server import Faults

KEY = "wecom-key-1"


def channel(server, clock=None, msgtype="markdown", key=KEY, limiter=None):
    limiter = limiter or (vendor_limiter("wecom", clock) if clock else no_limit())
    return WeComChannel("wjw", Secret(key), msgtype=msgtype, base_url=server.url, limiter=limiter,
                        timeout=FAST_TIMEOUT)


def one(ch, kind="urge", **kw):
    [msg] = ch.prepare(kind, context(kind, **kw))
    return msg


def test_markdown_notice_arrives_with_the_mention(fake_wecom):
    ch = channel(fake_wecom)
    result = ch.send(one(ch))
    assert (result.ok, result.outcome, result.http_status, result.errcode) == (True, "sent", 200, 0)
    [got] = fake_wecom.deliveries
    assert got.msgtype == "markdown"
    assert "### 整改催办通知" in got.content and "**1. 2026-001**" in got.content
    assert got.content.rstrip().endswith("<@wangming>")


def test_text_notice_mentions_by_mobile(fake_wecom):
    ch = channel(fake_wecom, msgtype="text")
    assert ch.send(one(ch)).ok
    [got] = fake_wecom.deliveries
    assert got.payload["text"]["mentioned_mobile_list"] == ["13800000001"]
    assert got.content.startswith("整改催办通知\n")


def test_digest_mentions_everyone_it_concerns(fake_wecom):
    ch = channel(fake_wecom, msgtype="text")
    others = [{"name": "李干事", "unit": "县新农合办公室", "mobile": "13900000021"},
              {"name": "赵主任", "unit": "县新农合办公室", "mobile": "13900000022"}]
    assert ch.send(one(ch, "digest", extra={"mentions": others})).ok
    [got] = fake_wecom.deliveries
    assert got.payload["text"]["mentioned_mobile_list"] == ["13800000001", "13900000021", "13900000022"]


def test_unknown_key_is_permanent(fake_wecom):
    ch = channel(fake_wecom, key="no-such-key")
    result = ch.send(one(ch))
    assert (result.outcome, result.errcode, result.retryable) == ("dead", 93000, False)
    assert fake_wecom.deliveries == []


def test_pasted_webhook_url_is_refused_at_configuration(fake_wecom):
    with pytest.raises(ValidationError, match="key 应只填写"):
        channel(fake_wecom, key="https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=abc")


def test_oversize_and_empty_content_are_permanent(fake_wecom):
    ch = channel(fake_wecom)
    msg = one(ch, recipient=replace(UNIT, wecom_userid=None))  # no <@userid> appended
    too_big = ch.send(replace(msg, body="中" * 1366))  # 4098 bytes: 2 over, though only 1366 characters
    assert (too_big.outcome, too_big.errcode) == ("dead", 45002)
    assert ch.send(replace(msg, body="中" * 1365)).ok
    empty = ch.send(replace(msg, body=" "))
    assert (empty.outcome, empty.errcode) == ("dead", 44004)


def test_docx_report_is_uploaded_then_sent_as_file(fake_wecom, tmp_path):
    path = make_report(tmp_path)
    ch = channel(fake_wecom)
    result = ch.send_file(Attachment(str(path)))
    assert result.ok and result.vendor_id == "media-1"
    [got] = fake_wecom.deliveries
    assert got.msgtype == "file" and got.content == REPORT_NAME
    key, filename, data = fake_wecom.media["media-1"]
    assert (key, filename, data) == (KEY, REPORT_NAME, path.read_bytes())
    (tmp_path / "back.docx").write_bytes(data)
    assert docx.Document(tmp_path / "back.docx").paragraphs[1].text == "一、总体情况：问题共计5个，已整改3个。"


def test_media_id_is_valid_for_its_own_robot_only(make_fake, tmp_path):
    server = make_fake("wecom", keys=("key-a", "key-b"))
    uploaded = channel(server, key="key-a").upload(Attachment(str(make_report(tmp_path))))
    reply = requests.post(f"{server.url}/cgi-bin/webhook/send?key=key-b",
                          data=dumps({"msgtype": "file", "file": {"media_id": uploaded.vendor_id}}))
    assert reply.json()["errcode"] == 40007


def test_files_outside_5_bytes_to_20_mb_are_refused_before_sending(fake_wecom, tmp_path):
    tiny = tmp_path / "a.docx"
    tiny.write_bytes(b"PK")
    result = channel(fake_wecom).send_file(Attachment(str(tiny)))
    assert result.outcome == "dead" and "5 字节至 20 MB" in result.errmsg
    assert fake_wecom.requests == []


def test_server_error_is_retryable(fake_wecom):
    fake_wecom.faults.queue("500")
    ch = channel(fake_wecom)
    result = ch.send(one(ch))
    assert (result.outcome, result.http_status, result.retryable) == ("retry", 500, True)
    assert fake_wecom.deliveries == []


def test_rate_limit_reply_is_retryable_and_holds_the_robot_back(fake_wecom, fake_clock):
    fake_wecom.faults.queue("ratelimit")
    ch = channel(fake_wecom, fake_clock)
    result = ch.send(one(ch))
    assert (result.outcome, result.errcode, result.rate_limited, result.retry_after) == ("retry", 45009, True, 60.0)
    assert ch.limiter.wait_time() >= 59


def test_read_timeout_is_uncertain_because_the_message_did_arrive(make_fake):
    server = make_fake("wecom", faults=Faults(delay=1.0))
    server.faults.queue("timeout")
    ch = channel(server)
    result = ch.send(one(ch))
    assert (result.outcome, result.uncertain, result.retryable) == ("uncertain", True, False)
    assert "可能已送达" in result.errmsg
    assert len(server.deliveries) == 1  # why we do not resend blindly


def test_connection_refused_is_retryable():
    ch = WeComChannel("wjw", Secret(KEY), base_url=f"http://127.0.0.1:{closed_port()}", limiter=no_limit())
    result = ch.send(one(ch))
    assert (result.outcome, result.retryable, result.uncertain) == ("retry", True, False)
    assert "连接失败" in result.errmsg


def test_25_sends_through_the_limiter_never_trip_the_vendor_limit(fake_wecom, fake_clock):
    ch = channel(fake_wecom, fake_clock)
    start = fake_clock.monotonic()
    results = [ch.send(one(ch, items=[item(i)])) for i in range(1, 26)]
    assert [r.outcome for r in results] == ["sent"] * 25
    assert "errcode:45009" not in fake_wecom.outcomes()
    assert len(fake_wecom.deliveries) == 25
    assert fake_clock.monotonic() - start >= 60  # the limiter waited (on the injected clock)


def test_the_fake_does_enforce_20_per_minute(fake_wecom):
    ch = channel(fake_wecom)  # no limiter of ours
    results = [ch.send(one(ch)) for _ in range(21)]
    assert [r.outcome for r in results[:20]] == ["sent"] * 20
    assert (results[20].outcome, results[20].errcode) == ("retry", 45009)


def test_seeded_faults_are_reproducible(make_fake, fake_clock):
    runs = []
    for _ in range(2):
        server = make_fake("wecom", faults=Faults(rate=0.3, kinds=("500", "ratelimit"), seed=11), limits=False)
        ch = channel(server, fake_clock)  # a 45009 pauses the limiter a minute: on the fake clock
        runs.append([ch.send(one(ch)).outcome for _ in range(30)])
    assert runs[0] == runs[1]
    assert 3 <= runs[0].count("retry") <= 18 and runs[0].count("sent") + runs[0].count("retry") == 30
