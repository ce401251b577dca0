"""The sign-off chain: every allowed and forbidden transition and role,
separation of duties, required content, money shortfall, extensions and
reopening. Each refused action must leave the finding and its history
exactly as they were."""
from datetime import date, timedelta

import pytest
from sqlmodel import select

from models.db import transaction
from models.deadlines import DeadlineRule
from models.errors import InvalidTransition, PermissionDenied, RectifyError, ValidationError
from models.history import FindingEvent, events_of, verify_chain
from models.ledger import ExtensionRequest, Finding
from models.lifecycle import (
    Action, add_evidence, approve_step, decide_extension, record_amount, reopen, report_progress,
    request_extension, return_for_more, start, submit,
)
from models.vocab import RecoveryKind, Status
from tests.factories import build_world

REVIEWERS = {  # the person allowed at each review step
    Status.SUBMITTED: "赵主任",
    Status.LEAD_REVIEW: "孙科长",
    Status.COORDINATOR_REVIEW: "王主任",
    Status.LEADER_APPROVAL: "刘局长",
}
EVERYONE = ("王主任", "周干部", "刘局长", "李干事", "赵主任", "孙科长", "钱会计", "吴局长", "郑院长")


@pytest.fixture
def world(engine, now):
    with transaction(engine) as session:
        world = build_world(session, now)
        yield world


def ready_to_submit(world, finding):
    start(world.session, finding, world.actor("李干事"), world.now)
    add_evidence(world.session, finding, world.actor("李干事"), world.now, None,
                 reference="退款凭证 2026-017")
    record_amount(world.session, finding, world.actor("李干事"), world.now, RecoveryKind.RECOVERED,
                  "9381.00", world.now.date())


def bring_to(world, finding, status: Status):
    """Walk a finding up the chain to `status` through the real actions."""
    ready_to_submit(world, finding)
    submit(world.session, finding, world.actor("李干事"), world.now, measures="一是追回资金；二是修订目录", result="已全部追回")
    for step in (Status.SUBMITTED, Status.LEAD_REVIEW, Status.COORDINATOR_REVIEW, Status.LEADER_APPROVAL):
        if finding.status == status:
            return
        approve_step(world.session, finding, world.actor(REVIEWERS[step]), world.now)
    assert finding.status == status


def snapshot(world, finding):
    world.session.flush()
    row = world.session.exec(select(Finding).where(Finding.id == finding.id)).one()
    return (row.status, row.deadline, row.cycle, row.closed_on, row.submitted_by_id,
            len(events_of(world.session, finding.id)))


def assert_refused(world, finding, error, call):
    before = snapshot(world, finding)
    with pytest.raises(error) as excinfo:
        call()
    assert snapshot(world, finding) == before
    return str(excinfo.value)


def test_full_chain_closes_with_every_step_recorded(world):
    finding = world.finding()
    bring_to(world, finding, Status.LEADER_APPROVAL)
    approve_step(world.session, finding, world.actor("刘局长"), world.now, comment="同意销号")
    assert finding.status == Status.CLOSED
    assert finding.closed_on == world.now.date()
    events = events_of(world.session, finding.id)
    assert [e.action for e in events] == [
        Action.REGISTER, Action.START, Action.ADD_EVIDENCE, Action.RECORD_AMOUNT, Action.SUBMIT,
        Action.ENDORSE, Action.LEAD_APPROVE, Action.VERIFY, Action.APPROVE,
    ]
    assert [e.to_status for e in events][-5:] == [
        Status.SUBMITTED, Status.LEAD_REVIEW, Status.COORDINATOR_REVIEW, Status.LEADER_APPROVAL, Status.CLOSED]
    assert events[-1].actor_name == "刘局长" and events[-1].comment == "同意销号"
    assert verify_chain(events) is None


def test_unit_head_submission_carries_the_commitment(world):
    finding = world.finding()
    ready_to_submit(world, finding)
    submit(world.session, finding, world.actor("赵主任"), world.now, measures="措施", result="结果")
    assert finding.status == Status.LEAD_REVIEW
    assert events_of(world.session, finding.id)[-1].data["commitment"] is True


@pytest.mark.parametrize("status", list(REVIEWERS))
@pytest.mark.parametrize("person", EVERYONE)
def test_only_the_right_person_passes_each_review_step(world, status, person):
    finding = world.finding()
    bring_to(world, finding, status)
    allowed = {REVIEWERS[status], "周干部"} if status == Status.COORDINATOR_REVIEW else {REVIEWERS[status]}
    if person in allowed:
        approve_step(world.session, finding, world.actor(person), world.now, shortfall_reason=None)
        assert finding.status != status
    else:
        assert_refused(world, finding, PermissionDenied,
                       lambda: approve_step(world.session, finding, world.actor(person), world.now))


@pytest.mark.parametrize("status", list(REVIEWERS))
def test_each_review_step_can_return_with_a_reason(world, status):
    finding = world.finding()
    bring_to(world, finding, status)
    reviewer = world.actor(REVIEWERS[status])
    message = assert_refused(world, finding, ValidationError,
                             lambda: return_for_more(world.session, finding, reviewer, world.now, "  "))
    assert "退回理由" in message
    return_for_more(world.session, finding, reviewer, world.now, "缺少退款凭证原件")
    assert finding.status == Status.IN_PROGRESS
    last = events_of(world.session, finding.id)[-1]
    assert (last.action, last.comment, last.data["returned_at_step"]) == (Action.RETURN, "缺少退款凭证原件", status)


@pytest.mark.parametrize("status", list(REVIEWERS))
def test_others_cannot_return(world, status):
    finding = world.finding()
    bring_to(world, finding, status)
    allowed = {REVIEWERS[status], "周干部"} if status == Status.COORDINATOR_REVIEW else {REVIEWERS[status]}
    for person in EVERYONE:
        if person not in allowed:
            assert_refused(world, finding, PermissionDenied,
                           lambda: return_for_more(world.session, finding, world.actor(person), world.now, "理由"))


def test_submitter_may_not_review_the_same_request_even_after_a_role_change(world):
    finding = world.finding()
    ready_to_submit(world, finding)
    submit(world.session, finding, world.actor("李干事"), world.now, measures="措施", result="结果")
    approve_step(world.session, finding, world.actor("赵主任"), world.now)
    world.people["李干事"].role = "牵头单位审核人"  # promoted while his own request is pending
    message = assert_refused(world, finding, PermissionDenied,
                             lambda: approve_step(world.session, finding, world.actor("李干事"), world.now))
    assert "不相容岗位分离" in message and "提交人" in message


def test_a_person_signs_only_one_step_of_a_request(world):
    finding = world.finding()
    bring_to(world, finding, Status.COORDINATOR_REVIEW)
    # 王主任 verifies, then becomes the leader of record and tries to approve too
    approve_step(world.session, finding, world.actor("王主任"), world.now)
    world.people["王主任"].role = "分管领导"
    message = assert_refused(world, finding, PermissionDenied,
                             lambda: approve_step(world.session, finding, world.actor("王主任"), world.now))
    assert "前一环节" in message


@pytest.mark.parametrize("person", EVERYONE)
def test_only_lead_unit_members_start_and_submit(world, person):
    finding = world.finding()
    actor = world.actor(person)
    if person in ("李干事", "赵主任"):
        start(world.session, finding, actor, world.now)
        assert finding.status == Status.IN_PROGRESS
    else:
        assert_refused(world, finding, PermissionDenied, lambda: start(world.session, finding, actor, world.now))


def test_co_unit_reports_progress_but_cannot_submit(world):
    finding = world.finding()
    report_progress(world.session, finding, world.actor("钱会计"), world.now, "已拨付配套资金")
    assert finding.status == Status.IN_PROGRESS and finding.progress == "已拨付配套资金"
    add_evidence(world.session, finding, world.actor("钱会计"), world.now, None, reference="拨款单")
    assert_refused(world, finding, PermissionDenied,
                   lambda: submit(world.session, finding, world.actor("钱会计"), world.now, "措施", "结果"))


def test_unrelated_unit_cannot_touch_the_finding(world):
    finding = world.finding()
    for call in (
        lambda: report_progress(world.session, finding, world.actor("郑院长"), world.now, "进展"),
        lambda: add_evidence(world.session, finding, world.actor("郑院长"), world.now, None, reference="x"),
        lambda: record_amount(world.session, finding, world.actor("郑院长"), world.now, RecoveryKind.FINE, "1",
                              world.now.date()),
    ):
        message = assert_refused(world, finding, PermissionDenied, call)
        assert "郑院长" in message and "责任单位" in message


def test_partial_rectification_then_submit(world):
    finding = world.finding()
    report_progress(world.session, finding, world.actor("李干事"), world.now, "已追回一半", partial=True)
    assert finding.status == Status.PARTIAL
    add_evidence(world.session, finding, world.actor("李干事"), world.now, None, reference="凭证")
    submit(world.session, finding, world.actor("李干事"), world.now, "措施", "结果")
    assert finding.status == Status.SUBMITTED


def test_submit_requires_measures_result_and_evidence(world):
    finding = world.finding()
    start(world.session, finding, world.actor("李干事"), world.now)
    message = assert_refused(world, finding, ValidationError,
                             lambda: submit(world.session, finding, world.actor("李干事"), world.now))
    assert "整改措施" in message and "整改结果" in message and "佐证材料" in message
    add_evidence(world.session, finding, world.actor("李干事"), world.now, None, reference="凭证")
    message = assert_refused(world, finding, ValidationError,
                             lambda: submit(world.session, finding, world.actor("李干事"), world.now, "措施"))
    assert "尚缺：整改结果" in message


@pytest.mark.parametrize("status", [Status.PENDING, Status.IN_PROGRESS, Status.PARTIAL, Status.CLOSED])
def test_review_actions_refused_outside_review(world, status):
    finding = world.finding()
    if status == Status.PARTIAL:
        report_progress(world.session, finding, world.actor("李干事"), world.now, "部分", partial=True)
    elif status == Status.IN_PROGRESS:
        start(world.session, finding, world.actor("李干事"), world.now)
    elif status == Status.CLOSED:
        bring_to(world, finding, Status.LEADER_APPROVAL)
        approve_step(world.session, finding, world.actor("刘局长"), world.now)
    for person in REVIEWERS.values():
        assert_refused(world, finding, InvalidTransition,
                       lambda: approve_step(world.session, finding, world.actor(person), world.now))


@pytest.mark.parametrize("status", list(REVIEWERS) + [Status.CLOSED])
def test_unit_work_refused_during_review_and_after_closing(world, status):
    finding = world.finding()
    bring_to(world, finding, Status.LEADER_APPROVAL if status == Status.CLOSED else status)
    if status == Status.CLOSED:
        approve_step(world.session, finding, world.actor("刘局长"), world.now)
    staff = world.actor("李干事")
    for call in (
        lambda: start(world.session, finding, staff, world.now),
        lambda: report_progress(world.session, finding, staff, world.now, "进展"),
        lambda: submit(world.session, finding, staff, world.now, "措施", "结果"),
        lambda: add_evidence(world.session, finding, staff, world.now, None, reference="x"),
        lambda: request_extension(world.session, finding, staff, world.now, finding.deadline + timedelta(days=30), "原因"),
    ):
        assert_refused(world, finding, InvalidTransition, call)


def test_closing_with_money_short_needs_a_recorded_reason(world):
    finding = world.finding(amount="10078.00")  # 基金结余超额: nothing to recover
    start(world.session, finding, world.actor("李干事"), world.now)
    add_evidence(world.session, finding, world.actor("李干事"), world.now, None, reference="会议纪要")
    submit(world.session, finding, world.actor("李干事"), world.now, "降低结余", "结余已降至 25% 以内")
    approve_step(world.session, finding, world.actor("赵主任"), world.now)
    approve_step(world.session, finding, world.actor("孙科长"), world.now)
    approve_step(world.session, finding, world.actor("王主任"), world.now)
    message = assert_refused(world, finding, ValidationError,
                             lambda: approve_step(world.session, finding, world.actor("刘局长"), world.now))
    assert "10,078.00" in message and "尚差 10,078.00 元" in message
    approve_step(world.session, finding, world.actor("刘局长"), world.now,
                 shortfall_reason="该金额为超额结余，通过调整报销政策消化，无需追回")
    assert finding.status == Status.CLOSED
    assert "无需追回" in events_of(world.session, finding.id)[-1].data["shortfall_reason"]


def test_extension_approved_moves_deadline_and_restarts_cycle(world):
    finding = world.finding()
    old = finding.deadline
    request_extension(world.session, finding, world.actor("李干事"), world.now, old + timedelta(days=30), "需财政配合")
    message = assert_refused(world, finding, PermissionDenied,
                             lambda: decide_extension(world.session, finding, world.actor("李干事"), world.now, True))
    assert "整改办" in message
    decide_extension(world.session, finding, world.actor("王主任"), world.now, True, "同意")
    assert finding.deadline == old + timedelta(days=30) and finding.cycle == 2
    assert finding.deadline_kind == "fixed"
    request = world.session.exec(select(ExtensionRequest)).one()
    assert request.status == "已批准" and request.decided_by_id == world.people["王主任"].id
    last = events_of(world.session, finding.id)[-1]
    assert last.action == Action.APPROVE_EXTENSION and last.data["old_deadline"] == old.isoformat()


def test_extension_rules(world):
    finding = world.finding()
    staff = world.actor("李干事")
    assert "必须晚于" in assert_refused(world, finding, ValidationError, lambda: request_extension(
        world.session, finding, staff, world.now, finding.deadline, "原因"))
    assert_refused(world, finding, ValidationError, lambda: request_extension(
        world.session, finding, staff, world.now, finding.deadline + timedelta(days=9), " "))
    assert_refused(world, finding, PermissionDenied, lambda: request_extension(
        world.session, finding, world.actor("钱会计"), world.now, finding.deadline + timedelta(days=9), "原因"))
    request_extension(world.session, finding, staff, world.now, finding.deadline + timedelta(days=9), "原因")
    assert "已有" in assert_refused(world, finding, InvalidTransition, lambda: request_extension(
        world.session, finding, staff, world.now, finding.deadline + timedelta(days=19), "原因"))
    assert_refused(world, finding, ValidationError,
                   lambda: decide_extension(world.session, finding, world.actor("刘局长"), world.now, False))
    decide_extension(world.session, finding, world.actor("刘局长"), world.now, False, "理由不充分")
    assert finding.cycle == 1
    assert_refused(world, finding, InvalidTransition,
                   lambda: decide_extension(world.session, finding, world.actor("刘局长"), world.now, True))


def test_reopen_after_follow_up_check(world):
    finding = world.finding()
    bring_to(world, finding, Status.LEADER_APPROVAL)
    approve_step(world.session, finding, world.actor("刘局长"), world.now)
    later = world.now + timedelta(days=90)
    rule = DeadlineRule.fixed(date(2026, 7, 31))
    assert_refused(world, finding, PermissionDenied,
                   lambda: reopen(world.session, finding, world.actor("李干事"), later, "反弹", rule, world.calendar))
    assert_refused(world, finding, ValidationError,
                   lambda: reopen(world.session, finding, world.actor("王主任"), later, "", rule, world.calendar))
    reopen(world.session, finding, world.actor("王主任"), later, "回头看发现问题反弹", rule, world.calendar)
    assert (finding.status, finding.closed_on, finding.cycle, finding.deadline) == (
        Status.IN_PROGRESS, None, 2, date(2026, 7, 31))
    assert events_of(world.session, finding.id)[-1].comment == "回头看发现问题反弹"


def test_reopen_only_closed(world):
    finding = world.finding()
    assert_refused(world, finding, InvalidTransition, lambda: reopen(
        world.session, finding, world.actor("王主任"), world.now, "理由", DeadlineRule.fixed(date(2026, 7, 31)),
        world.calendar))


def test_amounts_must_be_positive(world):
    finding = world.finding()
    for bad in ("0", "-5", "abc"):
        with pytest.raises(RectifyError):
            record_amount(world.session, finding, world.actor("李干事"), world.now, RecoveryKind.FINE, bad,
                          world.now.date())
    assert world.session.exec(select(FindingEvent).where(FindingEvent.action == Action.RECORD_AMOUNT)).all() == []
