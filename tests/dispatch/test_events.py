"""Notices caused by events: sign-off results and extension decisions to the
lead unit (once per event), dead-letter alerts to the coordinators by
another channel, and the daily failure summary."""
from datetime import timedelta

import pytest
from sqlmodel import select

from integrations.channels.email_webhook import EmailWebhookChannel
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from integrations.dispatch import dispatch
from models.db import transaction
from models.lifecycle import approve_step, decide_extension, request_extension, return_for_more, submit
from models.notify import failure_summary, queue_event_notice
from models.outbox import Notice, NoticeStatus
from models.vocab import Status
from tests.dispatch.conftest import TIMEOUT, limiter, make_registry, notices, queue
from tests.factories import build_world
from tests.ledger_core.test_lifecycle import REVIEWERS, bring_to


@pytest.fixture
def world(engine, now):
    with transaction(engine) as session:
        world = build_world(session, now)
        world.units["县新农合办公室"].wecom_robot = "wjw"
        world.people["王主任"].email = "wang@ybj.example.gov.cn"
        session.add_all([world.units["县新农合办公室"], world.people["王主任"]])
        yield world


def test_signoff_and_extension_decisions_reach_the_lead_unit_once_per_event(engine, world, vendors, fake_clock):
    session, now = world.session, world.now
    finding = world.finding("2-3")
    bring_to(world, finding, Status.COORDINATOR_REVIEW)
    assert session.exec(select(Notice)).all() == []  # approving a step that does not close tells nobody
    returned = return_for_more(session, finding, world.actor("王主任"), now, "佐证材料不全，缺少退款凭证原件")
    assert queue_event_notice(session, finding, returned, now) == [f"event:{returned.id}:wecom:wjw"]
    submit(session, finding, world.actor("李干事"), now)
    for step in (Status.SUBMITTED, Status.LEAD_REVIEW, Status.COORDINATOR_REVIEW, Status.LEADER_APPROVAL):
        closed = approve_step(session, finding, world.actor(REVIEWERS[step]), now)
    other = world.finding("2-4")
    request_extension(session, other, world.actor("李干事"), now, other.deadline + timedelta(days=30), "需财政配合")
    decide_extension(session, other, world.actor("王主任"), now, approve=True)
    third = world.finding("2-5")
    request_extension(session, third, world.actor("李干事"), now, third.deadline + timedelta(days=30), "需财政配合")
    decide_extension(session, third, world.actor("王主任"), now, approve=False, comment="理由不充分")
    session.commit()

    rows = notices(engine)
    assert [(r.kind, r.channel, r.target) for r in rows] == [
        ("signoff_returned", "wecom", "wjw"), ("signoff_closed", "wecom", "wjw"),
        ("extension_decision", "wecom", "wjw"), ("extension_decision", "wecom", "wjw")]
    assert rows[1].key == f"event:{closed.id}:wecom:wjw"
    assert {r.recipient for r in rows} == {"县新农合办公室（李干事）"}

    v = vendors()
    assert len(dispatch(engine, now, v.registry, worker_id="t", clock=fake_clock).sent) == 4
    texts = [d.content for d in v.wecom.deliveries]
    assert "经整改办复核，不符合销号条件，现予退回。退回理由：**佐证材料不全，缺少退款凭证原件。**" in texts[0]
    assert "问题2-3：一、二级医院用药范围扩大" in texts[0]
    assert "已于**2026年3月2日**予以销号" in texts[1]
    assert f"同意延期至**{other.deadline.year}年{other.deadline.month}月{other.deadline.day}日**" in texts[2]
    assert "不予同意，原整改时限不变。审批意见：理由不充分。" in texts[3]


def test_dead_letters_alert_coordinators_elsewhere_and_the_summary_lists_failures(engine, world, make_fake,
                                                                                 fake_clock, tmp_path):
    session, now = world.session, world.now
    session.commit()
    wecom, mail, feishu = make_fake("wecom"), make_fake("mailapi"), make_fake("feishu")
    registry = make_registry(fake_clock, tmp_path / "outbox", feishu=feishu, extra=[
        WeComChannel("wjw", Secret("revoked-key"), base_url=wecom.url, limiter=limiter("wecom", fake_clock),
                      timeout=TIMEOUT),
        EmailWebhookChannel("mail", Secret("SG.revoked"), sender="zgb@example.gov.cn", base_url=mail.url,
                            timeout=TIMEOUT)])
    robot = queue(engine, 1, "wecom", now=now)
    email = queue(engine, 2, "smtp", now=now)
    feishu.faults.queue("timeout")
    unsure = queue(engine, 3, "feishu", now=now)
    result = dispatch(engine, now, registry, worker_id="t", clock=fake_clock)
    assert (sorted(result.dead)[:2], len(result.dead), result.uncertain) == ([robot, email], 3, [unsure])
    alerts = {}
    for row in notices(engine):
        if row.kind == "dead_letter_alert":
            alerts.setdefault(row.data["extra"]["notice_id"], set()).add((row.channel, row.target, row.status))
    assert alerts == {
        # The robot failed: the coordinators' e-mail (王主任), else the folder (周干部 has no e-mail).
        robot: {("smtp", "wang@ybj.example.gov.cn", NoticeStatus.DEAD), ("folder", "outbox", NoticeStatus.SENT)},
        # E-mail failed: not by e-mail again.
        email: {("folder", "outbox", NoticeStatus.SENT)},
    }  # the failed alert alerts nobody: no loop

    later = now + timedelta(hours=8)
    with transaction(engine) as s:
        summary = failure_summary(s, later)
    assert len(summary.failures) == 4 and summary.keys == [
        f"failure_summary:{later:%Y-%m-%d}:smtp:wang@ybj.example.gov.cn", f"failure_summary:{later:%Y-%m-%d}:folder:outbox"]
    with transaction(engine) as s:
        assert failure_summary(s, later + timedelta(hours=1)).keys == []  # one per day
    dispatch(engine, later + timedelta(minutes=1), registry, worker_id="t", clock=fake_clock)
    [text] = [p.read_text(encoding="utf-8") for p in (tmp_path / "outbox").glob("failure_summary-*.txt")]
    assert "以下4条通知未能正常送达" in text
    assert "区卫健委（王明）（wecom:wjw），整改催办通知：已转入死信，已尝试1次，错误：93000 invalid webhook url" in text
    assert "区卫健委（王明）（feishu:rmyy），整改催办通知：送达情况不明" in text
    assert "SG.revoked" not in text and "revoked-key" not in text

    # The next day lists only what failed since.
    queue(engine, 4, "wecom", now=later)
    dispatch(engine, later + timedelta(days=1), registry, worker_id="t", clock=fake_clock)
    with transaction(engine) as s:
        next_day = failure_summary(s, later + timedelta(days=1))
    # the new robot failure, its alert and yesterday's summary that could not be e-mailed
    assert sorted(f["kind"] for f in next_day.failures) == ["dead_letter_alert", "failure_summary", "urge"]
