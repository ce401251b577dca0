"""The sign-off lifecycle (整改销号): who may do what, in which status.

Each function checks everything first and raises a Chinese RectifyError
before touching the database, so a refused action changes nothing; then it
changes the finding and appends one history event. The caller owns the
transaction.

Chain: 待整改 → 整改中 (→ 部分整改) → 申请销号 (unit head's commitment)
→ 牵头单位审核 → 整改办复核 → 领导审批 → 已销号. Any review step can
return the request (退回补充) to 整改中 with a reason.
"""
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from pathlib import Path

from sqlalchemy import func
from sqlmodel import Session, select

from models.calendar import WorkCalendar
from models.deadlines import DeadlineRule, compute_deadline
from models.errors import InvalidTransition, PermissionDenied, ValidationError
from models.evidence import store_file
from models.history import FindingEvent, append_event
from models.ledger import Evidence, ExtensionRequest, Finding, FindingCoUnit, Milestone, Person, Recovery, Unit
from models.money import format_money, to_money
from models.notify import queue_event_notice
from models.vocab import OPEN_WORK_STATUSES, REVIEW_STATUSES, ExtensionStatus, RecoveryKind, Role, Status


class Action(StrEnum):
    REGISTER = "登记"
    START = "开始整改"
    PROGRESS = "报送进展"
    PARTIAL = "部分整改"
    ADD_EVIDENCE = "上传佐证"
    RECORD_AMOUNT = "登记整改金额"
    MILESTONE_DONE = "完成阶段节点"
    SUBMIT = "申请销号"
    ENDORSE = "单位负责人承诺"
    LEAD_APPROVE = "牵头单位审核通过"
    VERIFY = "整改办复核通过"
    APPROVE = "领导审批通过"
    RETURN = "退回补充"
    REQUEST_EXTENSION = "延期申请"
    APPROVE_EXTENSION = "批准延期"
    REJECT_EXTENSION = "不予延期"
    REOPEN = "重新打开"


@dataclass(frozen=True)
class ReviewStep:
    role: Role
    lead_unit_only: bool  # the reviewer must belong to the finding's lead unit
    approve_action: Action
    next_status: Status


REVIEW_STEPS: dict[Status, ReviewStep] = {
    Status.SUBMITTED: ReviewStep(Role.UNIT_HEAD, True, Action.ENDORSE, Status.LEAD_REVIEW),
    Status.LEAD_REVIEW: ReviewStep(Role.REVIEWER, True, Action.LEAD_APPROVE, Status.COORDINATOR_REVIEW),
    Status.COORDINATOR_REVIEW: ReviewStep(Role.COORDINATOR, False, Action.VERIFY, Status.LEADER_APPROVAL),
    Status.LEADER_APPROVAL: ReviewStep(Role.LEADER, False, Action.APPROVE, Status.CLOSED),
}
UNIT_ROLES = (Role.UNIT_STAFF, Role.UNIT_HEAD)
DECISION_ROLES = (Role.COORDINATOR, Role.LEADER)


@dataclass(frozen=True)
class Actor:
    """Who acts, as the history records them."""

    person: Person
    unit_name: str

    @property
    def label(self) -> str:
        return f"{self.person.name}（{self.unit_name}·{self.person.role}）"


def actor_for(session: Session, person: Person) -> Actor:
    return Actor(person, session.get(Unit, person.unit_id).name)


# ---------------------------------------------------------------- guards

def responsible_unit_ids(session: Session, finding: Finding) -> set[int]:
    co_units = session.exec(select(FindingCoUnit.unit_id).where(FindingCoUnit.finding_id == finding.id))
    return {finding.lead_unit_id, *co_units}


def _require_status(finding: Finding, allowed, action: Action) -> None:
    if finding.status not in allowed:
        allowed_text = "、".join(str(s) for s in allowed)
        raise InvalidTransition(
            f"问题 {finding.number} 当前状态为“{finding.status}”，不能执行“{action}”（仅限：{allowed_text}）"
        )


def _require_role(actor: Actor, roles, action: Action, finding: Finding) -> None:
    if actor.person.role not in roles:
        names = "、".join(str(r) for r in roles)
        raise PermissionDenied(f"{actor.label} 无权对问题 {finding.number} 执行“{action}”：仅限{names}")


def _require_unit(session: Session, actor: Actor, finding: Finding, action: Action, lead_only: bool) -> None:
    allowed = {finding.lead_unit_id} if lead_only else responsible_unit_ids(session, finding)
    if actor.person.unit_id not in allowed:
        lead = session.get(Unit, finding.lead_unit_id).name
        which = f"牵头单位（{lead}）" if lead_only else f"责任单位（牵头单位：{lead}）"
        raise PermissionDenied(f"{actor.label} 不属于问题 {finding.number} 的{which}，不能执行“{action}”")


def _require_unit_member(session, actor, finding, action, lead_only=False) -> None:
    _require_role(actor, UNIT_ROLES, action, finding)
    _require_unit(session, actor, finding, action, lead_only)


def _require_text(value: str | None, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationError(f"{label}不能为空")
    return text


def _record(session, finding, actor: Actor | None, now, action, to_status=None, comment=None, payload=None):
    from_status = finding.status
    if to_status is not None:
        finding.status = to_status
    finding.updated_at = now
    session.add(finding)
    session.flush()
    return append_event(
        session, finding_id=finding.id, at=now,
        actor_id=actor.person.id if actor else None,
        actor_name=actor.person.name if actor else "整改跟踪机器人",
        actor_role=actor.person.role if actor else "系统",
        action=action, from_status=from_status, to_status=finding.status,
        comment=comment, payload=payload,
    )


# ---------------------------------------------------------------- unit work

def start(session, finding, actor: Actor, now: datetime, comment: str | None = None) -> FindingEvent:
    _require_status(finding, (Status.PENDING,), Action.START)
    _require_unit_member(session, actor, finding, Action.START, lead_only=True)
    return _record(session, finding, actor, now, Action.START, Status.IN_PROGRESS, comment)


def report_progress(session, finding, actor: Actor, now: datetime, text: str, partial: bool = False) -> FindingEvent:
    action = Action.PARTIAL if partial else Action.PROGRESS
    _require_status(finding, OPEN_WORK_STATUSES, action)
    _require_unit_member(session, actor, finding, action, lead_only=partial)
    text = _require_text(text, "进展说明")
    finding.progress = text
    if partial:
        to_status = Status.PARTIAL
    else:
        to_status = Status.IN_PROGRESS if finding.status == Status.PENDING else None
    return _record(session, finding, actor, now, action, to_status, text)


def _require_can_add_material(session, finding, actor, action) -> None:
    """Units add material while working; the coordinator may also add it during review."""
    _require_status(finding, OPEN_WORK_STATUSES + REVIEW_STATUSES, action)
    if actor.person.role == Role.COORDINATOR:
        return
    if finding.status in REVIEW_STATUSES:
        raise InvalidTransition(f"问题 {finding.number} 正在审核（{finding.status}），责任单位需待退回补充后再提交材料")
    _require_unit_member(session, actor, finding, action)


def add_evidence(
    session, finding, actor: Actor, now: datetime, data_dir: Path,
    file: Path | None = None, reference: str | None = None, name: str | None = None,
) -> Evidence:
    _require_can_add_material(session, finding, actor, Action.ADD_EVIDENCE)
    if (file is None) == (reference is None):
        raise ValidationError("佐证材料须为一个文件或一条引用（如档案号），二者选一")
    sha256 = stored = None
    if file is not None:
        sha256, stored = store_file(data_dir, file)
        name = name or file.name
    else:
        reference = _require_text(reference, "佐证材料引用")
        name = name or reference
    evidence = Evidence(
        finding_id=finding.id, name=name, sha256=sha256, stored_path=stored, reference=reference,
        added_by_id=actor.person.id, added_at=now,
    )
    session.add(evidence)
    _record(session, finding, actor, now, Action.ADD_EVIDENCE, payload={
        "attachments": [{"name": name, "sha256": sha256, "reference": reference}],
    })
    return evidence


def record_amount(
    session, finding, actor: Actor, now: datetime, kind: RecoveryKind, amount, on_date: date,
    note: str | None = None,
) -> Recovery:
    _require_can_add_material(session, finding, actor, Action.RECORD_AMOUNT)
    amount = to_money(amount)
    if amount <= 0:
        raise ValidationError(f"整改金额必须大于 0（收到：{amount}）")
    recovery = Recovery(
        finding_id=finding.id, kind=kind, amount=amount, on_date=on_date, note=note,
        recorded_by_id=actor.person.id, recorded_at=now,
    )
    session.add(recovery)
    _record(session, finding, actor, now, Action.RECORD_AMOUNT, comment=note,
            payload={"kind": str(kind), "amount": str(amount), "on_date": on_date.isoformat()})
    return recovery


def complete_milestone(session, finding, actor: Actor, now: datetime, seq: int) -> FindingEvent:
    _require_status(finding, OPEN_WORK_STATUSES, Action.MILESTONE_DONE)
    _require_unit_member(session, actor, finding, Action.MILESTONE_DONE, lead_only=True)
    milestone = session.exec(
        select(Milestone).where(Milestone.finding_id == finding.id, Milestone.seq == seq)
    ).first()
    if milestone is None:
        raise ValidationError(f"问题 {finding.number} 没有第 {seq} 个阶段节点")
    if milestone.done_on is not None:
        raise InvalidTransition(f"阶段节点“{milestone.title}”已于 {milestone.done_on} 完成")
    milestone.done_on = now.date()
    session.add(milestone)
    return _record(session, finding, actor, now, Action.MILESTONE_DONE, comment=milestone.title,
                   payload={"seq": seq, "due_on": milestone.due_on.isoformat()})


# ---------------------------------------------------------------- sign-off

def rectified_total(session: Session, finding_id: int) -> Decimal:
    # SUM keeps the column's Fen type, so the database's exact fen come back as yuan.
    total = session.exec(select(func.sum(Recovery.amount)).where(Recovery.finding_id == finding_id)).one()
    return total if total is not None else to_money(0)


def evidence_count(session: Session, finding_id: int) -> int:
    return session.exec(select(func.count()).select_from(Evidence).where(Evidence.finding_id == finding_id)).one()


def submit(
    session, finding, actor: Actor, now: datetime, measures: str | None = None,
    result: str | None = None, comment: str | None = None,
) -> FindingEvent:
    """申请销号. A unit head's own submission carries the commitment, so it goes straight to the lead unit."""
    _require_status(finding, OPEN_WORK_STATUSES, Action.SUBMIT)
    _require_unit_member(session, actor, finding, Action.SUBMIT, lead_only=True)
    measures = (measures or finding.measures or "").strip()
    result = (result or finding.result or "").strip()
    missing = [label for label, ok in (
        ("整改措施", measures), ("整改结果", result), ("至少一份佐证材料", evidence_count(session, finding.id) > 0),
    ) if not ok]
    if missing:
        raise ValidationError(f"问题 {finding.number} 申请销号须提供整改措施、整改结果和佐证材料，尚缺：{'、'.join(missing)}")
    finding.measures, finding.result = measures, result
    finding.submitted_by_id = actor.person.id
    finding.shortfall_reason = None
    by_head = actor.person.role == Role.UNIT_HEAD
    return _record(
        session, finding, actor, now, Action.SUBMIT,
        Status.LEAD_REVIEW if by_head else Status.SUBMITTED, comment,
        {"measures": measures, "result": result, "commitment": by_head},
    )


def _reviewers_of_current_request(session, finding) -> set[int]:
    """People who already signed a step of the request now under review."""
    last_submit = session.exec(
        select(func.max(FindingEvent.seq)).where(
            FindingEvent.finding_id == finding.id, FindingEvent.action == Action.SUBMIT)
    ).one() or 0
    review_actions = [step.approve_action for step in REVIEW_STEPS.values()]
    return set(session.exec(
        select(FindingEvent.actor_id).where(
            FindingEvent.finding_id == finding.id, FindingEvent.seq > last_submit,
            FindingEvent.action.in_(review_actions))
    ))


def _require_reviewer(session, finding, actor: Actor, action: Action) -> ReviewStep:
    _require_status(finding, REVIEW_STATUSES, action)
    step = REVIEW_STEPS[Status(finding.status)]
    _require_role(actor, (step.role,), action, finding)
    if step.lead_unit_only:
        _require_unit(session, actor, finding, action, lead_only=True)
    if actor.person.id == finding.submitted_by_id:
        raise PermissionDenied(f"不相容岗位分离：{actor.label} 是本次销号申请的提交人，不能审核、复核或审批同一申请")
    if actor.person.id in _reviewers_of_current_request(session, finding):
        raise PermissionDenied(f"不相容岗位分离：{actor.label} 已在本次申请的前一环节签署意见，不能再审批")
    return step


def approve_step(
    session, finding, actor: Actor, now: datetime, comment: str | None = None,
    shortfall_reason: str | None = None,
) -> FindingEvent:
    """Pass the request to the next step; the leader's approval closes the finding."""
    status = Status(finding.status) if finding.status in REVIEW_STATUSES else None
    action = REVIEW_STEPS[status].approve_action if status else Action.APPROVE
    step = _require_reviewer(session, finding, actor, action)
    shortfall_reason = (shortfall_reason or "").strip() or None
    payload = {}
    if step.next_status == Status.CLOSED:
        _require_money_rectified(session, finding, shortfall_reason or finding.shortfall_reason)
        finding.closed_on = now.date()
    if shortfall_reason:
        finding.shortfall_reason = shortfall_reason
        payload["shortfall_reason"] = shortfall_reason
    event = _record(session, finding, actor, now, step.approve_action, step.next_status, comment, payload)
    if step.next_status == Status.CLOSED:
        queue_event_notice(session, finding, event, now)
    return event


def _require_money_rectified(session, finding, shortfall_reason: str | None) -> None:
    if not finding.amount_involved:
        return
    done = rectified_total(session, finding.id)
    if done >= finding.amount_involved or shortfall_reason:
        return
    gap = finding.amount_involved - done
    raise ValidationError(
        f"问题 {finding.number} 问题资金 {format_money(finding.amount_involved)} 元，已整改 {format_money(done)} 元，"
        f"尚差 {format_money(gap)} 元，不能销号；如确有理由，请审核人填写差额说明（--shortfall-reason）"
    )


def return_for_more(session, finding, actor: Actor, now: datetime, reason: str) -> FindingEvent:
    _require_reviewer(session, finding, actor, Action.RETURN)
    reason = _require_text(reason, "退回理由")
    finding.submitted_by_id = None
    finding.shortfall_reason = None
    event = _record(session, finding, actor, now, Action.RETURN, Status.IN_PROGRESS, reason,
                    {"returned_at_step": finding.status})
    queue_event_notice(session, finding, event, now)
    return event


def reopen(session, finding, actor: Actor, now: datetime, reason: str, rule: DeadlineRule,
           calendar: WorkCalendar) -> FindingEvent:
    """回头看 found the problem back: the finding is worked on again under a new deadline."""
    _require_status(finding, (Status.CLOSED,), Action.REOPEN)
    _require_role(actor, (Role.COORDINATOR,), Action.REOPEN, finding)
    reason = _require_text(reason, "重新打开的理由")
    old_deadline = finding.deadline
    new_deadline = compute_deadline(rule, calendar)
    if new_deadline <= now.date():
        raise ValidationError(f"新的整改期限 {new_deadline} 必须晚于今天（{now.date()}）")
    apply_rule(finding, rule, new_deadline)
    finding.closed_on = None
    finding.submitted_by_id = None
    finding.shortfall_reason = None
    finding.cycle += 1
    return _record(session, finding, actor, now, Action.REOPEN, Status.IN_PROGRESS, reason, {
        "old_deadline": old_deadline.isoformat(), "new_deadline": new_deadline.isoformat(),
        "rule": rule.describe(), "cycle": finding.cycle,
    })


def apply_rule(finding: Finding, rule: DeadlineRule, deadline: date) -> None:
    finding.deadline = deadline
    finding.deadline_kind = rule.kind
    finding.deadline_days = rule.days
    finding.deadline_anchor = rule.anchor


# ---------------------------------------------------------------- extensions

def pending_extension(session: Session, finding_id: int) -> ExtensionRequest | None:
    return session.exec(select(ExtensionRequest).where(
        ExtensionRequest.finding_id == finding_id, ExtensionRequest.status == ExtensionStatus.PENDING)).first()


def request_extension(session, finding, actor: Actor, now: datetime, new_deadline: date, reason: str) -> ExtensionRequest:
    _require_status(finding, OPEN_WORK_STATUSES, Action.REQUEST_EXTENSION)
    _require_unit_member(session, actor, finding, Action.REQUEST_EXTENSION, lead_only=True)
    reason = _require_text(reason, "延期理由")
    if new_deadline <= finding.deadline:
        raise ValidationError(f"申请的新期限 {new_deadline} 必须晚于现期限 {finding.deadline}")
    if pending_extension(session, finding.id):
        raise InvalidTransition(f"问题 {finding.number} 已有一份待审批的延期申请")
    request = ExtensionRequest(
        finding_id=finding.id, requested_by_id=actor.person.id, requested_at=now,
        old_deadline=finding.deadline, new_deadline=new_deadline, reason=reason,
    )
    session.add(request)
    _record(session, finding, actor, now, Action.REQUEST_EXTENSION, comment=reason,
            payload={"old_deadline": finding.deadline.isoformat(), "new_deadline": new_deadline.isoformat()})
    return request


def decide_extension(session, finding, actor: Actor, now: datetime, approve: bool, comment: str | None = None) -> ExtensionRequest:
    action = Action.APPROVE_EXTENSION if approve else Action.REJECT_EXTENSION
    request = pending_extension(session, finding.id)
    if request is None:
        raise InvalidTransition(f"问题 {finding.number} 没有待审批的延期申请")
    _require_role(actor, DECISION_ROLES, action, finding)
    if actor.person.id == request.requested_by_id:
        raise PermissionDenied(f"不相容岗位分离：{actor.label} 是延期申请人，不能审批自己的申请")
    if not approve:
        _require_text(comment, "不予延期的理由")
    request.status = ExtensionStatus.APPROVED if approve else ExtensionStatus.REJECTED
    request.decided_by_id, request.decided_at, request.decision_comment = actor.person.id, now, comment
    session.add(request)
    payload = {"old_deadline": request.old_deadline.isoformat(), "new_deadline": request.new_deadline.isoformat(),
               "reason": request.reason}
    if approve:
        apply_rule(finding, DeadlineRule.fixed(request.new_deadline), request.new_deadline)
        finding.cycle += 1
        payload["cycle"] = finding.cycle
    event = _record(session, finding, actor, now, action, comment=comment, payload=payload)
    queue_event_notice(session, finding, event, now)
    return request
