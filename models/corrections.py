"""Coordinators correcting a registered finding: reassigning units or
people, fixing the text or amount, or setting a different deadline rule.

Every change is one history event listing each field's old and new value.
A finding under review is not changed underneath its reviewers, and a
closed one must be reopened first. A new deadline starts a new escalation
cycle, as an approved extension does.
"""
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from sqlmodel import Session, delete, select

from models.calendar import WorkCalendar
from models.deadlines import DeadlineRule, compute_deadline
from models.errors import InvalidTransition, PermissionDenied, ValidationError
from models.history import FindingEvent, append_event
from models.ledger import Category, Finding, FindingCoUnit, Person, Unit
from models.lifecycle import Actor, apply_rule
from models.registration import Directory
from models.vocab import OPEN_WORK_STATUSES, RectificationType, Role

CORRECT = "更正登记信息"


@dataclass
class Correction:
    """What to change; None leaves a field as it is."""

    summary: str | None = None
    description: str | None = None
    category: str | None = None
    amount_involved: Decimal | None = None
    legal_basis: str | None = None
    directive: str | None = None
    rectification_type: RectificationType | None = None
    lead_unit: str | None = None
    co_units: list[str] | None = None
    audited_unit: str | None = None
    responsible_leader: str | None = None
    responsible_person: str | None = None
    rule: DeadlineRule | None = None
    remarks: str | None = None
    reason: str = ""
    changes: dict = field(default_factory=dict, init=False)


def correct_finding(session: Session, finding: Finding, actor: Actor, now: datetime, correction: Correction,
                    calendar: WorkCalendar) -> FindingEvent | None:
    """Apply the correction; None when it changes nothing."""
    if actor.person.role != Role.COORDINATOR:
        raise PermissionDenied(f"{actor.label} 无权更正问题 {finding.number} 的登记信息：仅限整改办")
    if finding.status not in OPEN_WORK_STATUSES:
        raise InvalidTransition(f"问题 {finding.number} 当前状态为“{finding.status}”，不能更正登记信息"
                                "（审核中的请先退回补充，已销号的请先重新打开）")
    reason = (correction.reason or "").strip()
    if not reason:
        raise ValidationError("更正理由不能为空")
    directory = Directory(session, now, create_missing=False)
    changes: dict[str, list] = {}

    def change(label: str, attribute: str, new, shown_old=None, shown_new=None) -> None:
        old = getattr(finding, attribute)
        if new is not None and new != old:
            changes[label] = [_shown(shown_old if shown_old is not None else old), _shown(shown_new or new)]
            setattr(finding, attribute, new)

    for label, attribute in (("问题摘要", "summary"), ("具体描述", "description"), ("定性依据", "legal_basis"),
                             ("整改要求", "directive"), ("备注", "remarks"), ("涉及金额", "amount_involved"),
                             ("整改类型", "rectification_type")):
        change(label, attribute, getattr(correction, attribute))
    if correction.category is not None:
        category = directory.category(correction.category)
        change("问题类别", "category_id", category.id, session.get(Category, finding.category_id).name, category.name)
    if correction.lead_unit is not None:
        lead = directory.unit(correction.lead_unit)
        change("牵头单位", "lead_unit_id", lead.id, _name(session, Unit, finding.lead_unit_id), lead.name)
    if correction.audited_unit is not None:
        audited = directory.unit(correction.audited_unit)
        change("被检查单位", "audited_unit_id", audited.id, _name(session, Unit, finding.audited_unit_id), audited.name)
    lead = session.get(Unit, finding.lead_unit_id)
    for label, attribute, name, role in (("责任领导", "responsible_leader_id", correction.responsible_leader, Role.UNIT_HEAD),
                                         ("责任人", "responsible_person_id", correction.responsible_person, Role.UNIT_STAFF)):
        if name is not None:
            person = directory.person(name, lead, role)
            change(label, attribute, person.id, _name(session, Person, getattr(finding, attribute)), person.name)
    if correction.co_units is not None or "牵头单位" in changes:
        # A unit that becomes the lead is no longer one of its own co-units.
        names = correction.co_units if correction.co_units is not None else _co_unit_names(session, finding)
        _replace_co_units(session, directory, finding, names, changes)
    if correction.rule is not None:
        deadline = compute_deadline(correction.rule, calendar)
        if deadline != finding.deadline or correction.rule.kind != finding.deadline_kind:
            changes["整改时限"] = [finding.deadline.isoformat(), f"{deadline.isoformat()}（{correction.rule.describe()}）"]
            if deadline != finding.deadline:
                finding.cycle += 1  # the ladder starts again from the new date
            apply_rule(finding, correction.rule, deadline)
    if not changes:
        return None
    finding.updated_at = now
    session.add(finding)
    session.flush()
    return append_event(
        session, finding_id=finding.id, at=now, actor_id=actor.person.id, actor_name=actor.person.name,
        actor_role=actor.person.role, action=CORRECT, from_status=finding.status, to_status=finding.status,
        comment=reason, payload={"changes": changes, "cycle": finding.cycle},
    )


def _co_unit_names(session, finding) -> list[str]:
    return sorted(session.exec(select(Unit.name).join(FindingCoUnit, FindingCoUnit.unit_id == Unit.id)
                               .where(FindingCoUnit.finding_id == finding.id)))


def _replace_co_units(session, directory, finding, names: list[str], changes) -> None:
    old = _co_unit_names(session, finding)
    units = [directory.unit(name) for name in dict.fromkeys(n.strip() for n in names if n.strip())]
    new = sorted(u.name for u in units if u.id != finding.lead_unit_id)
    if new == old:
        return
    session.exec(delete(FindingCoUnit).where(FindingCoUnit.finding_id == finding.id))
    for unit in units:
        if unit.id != finding.lead_unit_id:
            session.add(FindingCoUnit(finding_id=finding.id, unit_id=unit.id))
    changes["配合单位"] = ["、".join(old) or "无", "、".join(new) or "无"]


def _name(session, model, key) -> str:
    row = session.get(model, key) if key else None
    return row.name if row else "无"


def _shown(value) -> str:
    return "无" if value is None else str(value)
