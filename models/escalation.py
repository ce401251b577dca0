"""What the escalation ladder leaves behind: one row per step reached
(escalation), and the formal acts — interviews (约谈), circulars (通报) and
referrals (问责移送) — that coordinators then arrange, issue and close.

`escalation` is keyed UNIQUE (finding_id, step, cycle): the sweep inserts
with ON CONFLICT DO NOTHING, so a step is recorded once per cycle however
many sweeps run. Records made from escalations carry the escalation id
UNIQUE for the same reason. An interview still to be arranged and the next
circular are found by a unique `open_key` (NULL once they move on), so
concurrent sweeps add to the same one instead of opening two.
"""
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint, and_, func
from sqlmodel import Field, Session, SQLModel, select

from models.db import bulk_insert
from models.errors import InvalidTransition, PermissionDenied, ValidationError
from models.history import GENESIS_HASH, FindingEvent, append_event, event_values
from models.ledger import Finding, Person, Unit
from models.lifecycle import DECISION_ROLES, Actor


class InterviewStatus(StrEnum):
    TO_ARRANGE = "待安排"
    SCHEDULED = "已安排"
    DONE = "已完成"
    CANCELLED = "已取消"


class CircularStatus(StrEnum):
    DRAFT = "待印发"
    ISSUED = "已印发"


class ReferralStatus(StrEnum):
    PENDING = "待移送"
    DONE = "已移送"
    CANCELLED = "已取消"


class RecordAction(StrEnum):
    """History actions for formal acts (the bot's own are recorded with actor None)."""

    INTERVIEW_LISTED = "列入约谈"
    INTERVIEW_SCHEDULED = "安排约谈"
    INTERVIEW_DONE = "完成约谈"
    INTERVIEW_CANCELLED = "取消约谈"
    CIRCULAR_LISTED = "列入通报"
    CIRCULAR_ISSUED = "印发通报"
    REFERRAL_CREATED = "拟问责移送"
    REFERRAL_DONE = "问责移送"
    REFERRAL_CANCELLED = "取消问责移送"


class Escalation(SQLModel, table=True):
    __table_args__ = (UniqueConstraint("finding_id", "step", "cycle", name="uq_escalation_finding_step_cycle"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id")
    step: str = Field(max_length=20)  # Step.id: remind_7, urge, supervise, interview, circular, referral
    cycle: int
    unit_id: int = Field(foreign_key="unit.id")  # the lead unit when the step was reached
    deadline: date  # the deadline the step was computed from
    scope: str = Field(max_length=300)  # which ladder applied: 默认规则 or an override's label
    sweep_id: str = Field(max_length=40, index=True)
    created_at: NaiveDatetime


class Interview(SQLModel, table=True):
    """约谈: the head of a unit is summoned over its overdue findings."""

    id: int | None = Field(default=None, primary_key=True)
    unit_id: int = Field(foreign_key="unit.id", index=True)
    interviewee_id: int | None = Field(default=None, foreign_key="person.id")  # the unit head, when known
    status: str = Field(default=InterviewStatus.TO_ARRANGE, max_length=10)
    open_key: str | None = Field(default=None, max_length=40, unique=True)  # "unit:<id>" while 待安排
    scheduled_at: NaiveDatetime | None = None
    place: str | None = Field(default=None, max_length=200)
    interviewer: str | None = Field(default=None, max_length=200)  # by whom, e.g. 县医保局局长刘某
    outcome: str | None = None
    created_at: NaiveDatetime
    closed_at: NaiveDatetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")


class InterviewItem(SQLModel, table=True):
    __tablename__ = "interview_item"

    id: int | None = Field(default=None, primary_key=True)
    interview_id: int = Field(foreign_key="interview.id", index=True)
    finding_id: int = Field(foreign_key="finding.id")
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", unique=True)


class Circular(SQLModel, table=True):
    """通报: the next circular collects units named since the last one was issued."""

    id: int | None = Field(default=None, primary_key=True)
    status: str = Field(default=CircularStatus.DRAFT, max_length=10)
    open_key: str | None = Field(default=None, max_length=20, unique=True)  # "next" while 待印发
    doc_number: str | None = Field(default=None, max_length=100)
    issued_on: date | None = None
    issued_by_id: int | None = Field(default=None, foreign_key="person.id")
    created_at: NaiveDatetime


class CircularEntry(SQLModel, table=True):
    __tablename__ = "circular_entry"

    id: int | None = Field(default=None, primary_key=True)
    circular_id: int = Field(foreign_key="circular.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    finding_id: int = Field(foreign_key="finding.id")
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", unique=True)


class Referral(SQLModel, table=True):
    """问责移送: a finding's whole history, frozen when the referral was made."""

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    unit_id: int = Field(foreign_key="unit.id")
    escalation_id: int | None = Field(default=None, foreign_key="escalation.id", unique=True)
    status: str = Field(default=ReferralStatus.PENDING, max_length=10)
    snapshot: str = "{}"  # JSON: the finding, its hash-chained events and its escalations
    created_at: NaiveDatetime
    closed_at: NaiveDatetime | None = None
    closed_by_id: int | None = Field(default=None, foreign_key="person.id")
    comment: str | None = None


INTERVIEW_OPEN = (InterviewStatus.TO_ARRANGE, InterviewStatus.SCHEDULED)


def interview_open_key(unit_id: int) -> str:
    return f"unit:{unit_id}"


NEXT_CIRCULAR = "next"


# ---------------------------------------------------------------- coordinators' actions

def require_decider(actor: Actor, what: str) -> None:
    """Formal acts and penalties are for the coordinating office and leaders."""
    if actor.person.role not in DECISION_ROLES:
        names = "、".join(str(r) for r in DECISION_ROLES)
        raise PermissionDenied(f"{actor.label} 无权{what}：仅限{names}")


def _require_comment(comment: str | None, label: str) -> str:
    text = (comment or "").strip()
    if not text:
        raise ValidationError(f"{label}不能为空")
    return text


def _get(session: Session, model, record_id: int, label: str):
    row = session.get(model, record_id)
    if row is None:
        raise ValidationError(f"找不到编号为 {record_id} 的{label}")
    return row


def record_event(session: Session, finding_id: int, status: str, actor: Actor | None, now: datetime,
                 action: str, comment: str | None = None, payload: dict | None = None) -> None:
    """A formal act in the finding's history; the status does not change (actor None: the bot)."""
    append_event(
        session, finding_id=finding_id, at=now,
        actor_id=actor.person.id if actor else None,
        actor_name=actor.person.name if actor else BOT_NAME,
        actor_role=actor.person.role if actor else BOT_ROLE,
        action=action, from_status=status, to_status=status, comment=comment, payload=payload,
    )


BOT_NAME, BOT_ROLE = "整改跟踪机器人", "系统"


@dataclass(frozen=True)
class BotAct:
    """A formal act of the bot on one finding, for append_bot_events."""

    finding_id: int
    status: str
    action: RecordAction
    comment: str
    payload: dict


def append_bot_events(session: Session, now: datetime, acts: list[BotAct]) -> None:
    """The sweep's formal acts in the findings' history: one query for the heads of
    all chains concerned and one bulk insert, instead of two statements per finding.

    Same event content and hash chain as history.append_event (its digest is used);
    the chains cannot move underneath because each finding's acts come from escalations
    this transaction alone inserted, and a concurrent append on the same finding fails
    on the (finding_id, seq) key, rolling the whole sweep back.
    """
    heads: dict[int, tuple[int, str]] = {}
    ids = sorted({act.finding_id for act in acts})
    for start in range(0, len(ids), 5000):  # keeps bound parameters well under SQLite's limit
        chunk = ids[start:start + 5000]
        latest = (select(FindingEvent.finding_id, func.max(FindingEvent.seq).label("seq"))
                  .where(FindingEvent.finding_id.in_(chunk)).group_by(FindingEvent.finding_id).subquery())
        for finding_id, seq, digest in session.execute(
                select(FindingEvent.finding_id, FindingEvent.seq, FindingEvent.hash)
                .join(latest, and_(latest.c.finding_id == FindingEvent.finding_id, latest.c.seq == FindingEvent.seq))):
            heads[finding_id] = (seq, digest)
    rows = []
    for act in acts:
        seq, previous = heads.get(act.finding_id, (0, GENESIS_HASH))
        row = event_values(finding_id=act.finding_id, seq=seq + 1, prev_hash=previous, at=now, actor_id=None,
                           actor_name=BOT_NAME, actor_role=BOT_ROLE, action=str(act.action), from_status=act.status,
                           to_status=act.status, comment=act.comment, payload=act.payload)
        heads[act.finding_id] = (row["seq"], row["hash"])
        rows.append(row)
    bulk_insert(session, FindingEvent.__table__, rows)


def _log(session: Session, finding_ids, actor: Actor | None, now: datetime, action: RecordAction,
         comment: str | None = None, payload: dict | None = None) -> None:
    """One history event on each finding concerned."""
    for finding in session.exec(select(Finding).where(Finding.id.in_(list(finding_ids))).order_by(Finding.id)):
        record_event(session, finding.id, finding.status, actor, now, action, comment, payload)


def interview_findings(session: Session, interview_id: int) -> list[Finding]:
    return list(session.exec(
        select(Finding).join(InterviewItem, InterviewItem.finding_id == Finding.id)
        .where(InterviewItem.interview_id == interview_id).order_by(Finding.id)))


def schedule_interview(session: Session, interview_id: int, actor: Actor, now: datetime, *, at: datetime,
                       place: str, interviewer: str) -> Interview:
    """Fill in when, where and by whom; the interview then stops collecting new findings
    and the 约谈通知 is queued to the unit."""
    require_decider(actor, "安排约谈")
    interview = _get(session, Interview, interview_id, "约谈")
    if interview.status not in INTERVIEW_OPEN:
        raise InvalidTransition(f"约谈 {interview_id} 状态为“{interview.status}”，不能再安排")
    place = _require_comment(place, "约谈地点")
    interviewer = _require_comment(interviewer, "约谈人")
    if at <= now:
        raise ValidationError(f"约谈时间 {at:%Y-%m-%d %H:%M} 必须晚于现在（{now:%Y-%m-%d %H:%M}）")
    interview.scheduled_at, interview.place, interview.interviewer = at, place, interviewer
    interview.status = InterviewStatus.SCHEDULED
    interview.open_key = None
    session.add(interview)
    session.flush()
    findings = interview_findings(session, interview.id)
    _log(session, [f.id for f in findings], actor, now, RecordAction.INTERVIEW_SCHEDULED,
         f"{at:%Y-%m-%d %H:%M}，{place}，约谈人：{interviewer}", {"interview_id": interview.id})
    from models.sweep import queue_interview_notice  # here: models.sweep imports this module

    queue_interview_notice(session, interview, findings, now)
    return interview


def close_interview(session: Session, interview_id: int, actor: Actor, now: datetime, comment: str,
                    done: bool) -> Interview:
    """完成 (the comment is the outcome) or 取消 (the comment is the reason)."""
    what = "登记约谈结果" if done else "取消约谈"
    require_decider(actor, what)
    interview = _get(session, Interview, interview_id, "约谈")
    if interview.status not in INTERVIEW_OPEN:
        raise InvalidTransition(f"约谈 {interview_id} 状态为“{interview.status}”，不能{what}")
    interview.outcome = _require_comment(comment, "约谈结果" if done else "取消理由")
    interview.status = InterviewStatus.DONE if done else InterviewStatus.CANCELLED
    interview.open_key = None
    interview.closed_at, interview.closed_by_id = now, actor.person.id
    session.add(interview)
    session.flush()
    _log(session, [f.id for f in interview_findings(session, interview.id)], actor, now,
         RecordAction.INTERVIEW_DONE if done else RecordAction.INTERVIEW_CANCELLED, interview.outcome,
         {"interview_id": interview.id})
    return interview


def circular_entries(session: Session, circular_id: int) -> list[tuple[CircularEntry, Unit, Finding]]:
    return list(session.exec(
        select(CircularEntry, Unit, Finding)
        .join(Unit, Unit.id == CircularEntry.unit_id).join(Finding, Finding.id == CircularEntry.finding_id)
        .where(CircularEntry.circular_id == circular_id).order_by(Unit.name, Finding.id)))


def issue_circular(session: Session, circular_id: int, actor: Actor, now: datetime, doc_number: str | None) -> Circular:
    """Mark the circular issued; later 通报 steps start the next one. The circular is
    queued to every named unit."""
    require_decider(actor, "印发通报")
    circular = _get(session, Circular, circular_id, "通报")
    if circular.status != CircularStatus.DRAFT:
        raise InvalidTransition(f"通报 {circular_id} 已于 {circular.issued_on} 印发")
    entries = circular_entries(session, circular.id)
    if not entries:
        raise InvalidTransition(f"通报 {circular_id} 尚无列入的单位，不能印发")
    circular.status = CircularStatus.ISSUED
    circular.open_key = None
    circular.doc_number = (doc_number or "").strip() or None
    circular.issued_on, circular.issued_by_id = now.date(), actor.person.id
    session.add(circular)
    session.flush()
    _log(session, [f.id for _, _, f in entries], actor, now, RecordAction.CIRCULAR_ISSUED, circular.doc_number,
         {"circular_id": circular.id})
    from models.sweep import queue_circular_notices  # here: models.sweep imports this module

    queue_circular_notices(session, circular, entries, now)
    return circular


def close_referral(session: Session, referral_id: int, actor: Actor, now: datetime, comment: str,
                   done: bool) -> Referral:
    """完成 (referred to the discipline body) or 取消, with a comment either way."""
    require_decider(actor, "办理问责移送")
    referral = _get(session, Referral, referral_id, "问责移送记录")
    if referral.status != ReferralStatus.PENDING:
        raise InvalidTransition(f"问责移送记录 {referral_id} 状态为“{referral.status}”，不能再办理")
    referral.comment = _require_comment(comment, "移送说明" if done else "取消理由")
    referral.status = ReferralStatus.DONE if done else ReferralStatus.CANCELLED
    referral.closed_at, referral.closed_by_id = now, actor.person.id
    session.add(referral)
    session.flush()
    _log(session, [referral.finding_id], actor, now,
         RecordAction.REFERRAL_DONE if done else RecordAction.REFERRAL_CANCELLED, referral.comment,
         {"referral_id": referral.id})
    return referral


# ---------------------------------------------------------------- listings

@dataclass(frozen=True)
class InterviewRow:
    interview: Interview
    unit: str
    interviewee: str | None
    findings: list[str]


def list_interviews(session: Session, include_closed: bool = False) -> list[InterviewRow]:
    query = select(Interview, Unit).join(Unit, Unit.id == Interview.unit_id).order_by(Interview.id)
    if not include_closed:
        query = query.where(Interview.status.in_(INTERVIEW_OPEN))
    rows = []
    for interview, unit in session.exec(query):
        person = session.get(Person, interview.interviewee_id) if interview.interviewee_id else None
        numbers = [f.number for f in interview_findings(session, interview.id)]
        rows.append(InterviewRow(interview, unit.name, person.name if person else None, numbers))
    return rows


def list_circulars(session: Session, include_issued: bool = True) -> list[tuple[Circular, list]]:
    """Circulars with their entries (see circular_entries)."""
    query = select(Circular).order_by(Circular.id)
    if not include_issued:
        query = query.where(Circular.status == CircularStatus.DRAFT)
    return [(c, circular_entries(session, c.id)) for c in session.exec(query)]


def list_referrals(session: Session, include_closed: bool = False) -> list[tuple[Referral, Unit, Finding]]:
    query = (select(Referral, Unit, Finding).join(Unit, Unit.id == Referral.unit_id)
             .join(Finding, Finding.id == Referral.finding_id).order_by(Referral.id))
    if not include_closed:
        query = query.where(Referral.status == ReferralStatus.PENDING)
    return list(session.exec(query))
