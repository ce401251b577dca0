"""What the documents say, computed from the database at a given `now`.

Plain Python and SQL (no python-docx): the functions here fill the
dataclasses of notices/documents/data.py, which refuse figures that do not
add up. Every figure is defined on the finding's *status* (已销号 closed,
待整改 not started, anything else in progress) and its current deadline, in
SQL and in Python alike, so the headline aggregates and the appendix rows
cannot disagree:

- headline figures are aggregates in SQL (conditional sums, one statement
  plus one per money breakdown), never summed in Python;
- the appendix rows come from six set-based queries whatever the number of
  findings (the findings with their source, category and lead unit; money by
  kind; co-units; evidence; extension requests; escalations of the open
  ones), never one per finding;
- money is summed in SQL as the stored integer fen and turned into yuan once.

Run the queries of one document in one snapshot (`snapshot_session`): on
PostgreSQL a sweep committing between two of them would otherwise make the
headline and the appendix disagree.
"""
from __future__ import annotations

import json
import re
from collections import defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from sqlalchemy import BigInteger, and_, case, false, func, or_, select, true, type_coerce
from sqlmodel import Session

from models.errors import RectifyError, ValidationError
from models.escalation import (
    BOT_NAME, Circular, CircularEntry, CircularStatus, Escalation, Interview, InterviewItem, InterviewStatus,
    RecordAction, Referral, ReferralStatus,
)
from models.history import FindingEvent
from models.ledger import Category, Evidence, ExtensionRequest, Finding, FindingCoUnit, Person, Recovery, Source, Unit
from models.lifecycle import Action
from models.money import FEN
from models.penalties import Measure, PenaltyAction, PenaltyCollection, PenaltyDecision
from models.policy import step_type
from models.vocab import ExtensionStatus, RecoveryKind, Role, Status, outcome
from notices.documents.data import (
    FUND_RESTORING, ZERO, Commendation, Enforcement, FindingRow, HeadlineFigures, HistoryEvent,
    NamedUnit, Outcome, RectificationType, SignOffEvent, SignOffStep, SourceRef, UnitStats,
)

RESTORING_KINDS = [str(k) for k in FUND_RESTORING]

F = Finding.__table__.c
R = Recovery.__table__.c


def _fen(column):
    """The stored integer fen, for sums and arithmetic in SQL (Fen would convert each value)."""
    return type_coerce(column, BigInteger)


def _yuan(fen) -> Decimal:
    return (Decimal(int(fen or 0)) / 100).quantize(FEN)


def _count(condition):
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


CLOSED = F.status == Status.CLOSED


@contextmanager
def snapshot_session(engine):
    """A session whose queries all see one snapshot of the database.

    SQLite gives that within any transaction; PostgreSQL's default READ
    COMMITTED does not, so the session runs REPEATABLE READ there.
    """
    with Session(engine, expire_on_commit=False) as session, session.begin():
        if engine.dialect.name == "postgresql":  # first use of the connection: before any statement
            session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        yield session


# ---------------------------------------------------------------- scope

@dataclass(frozen=True)
class Scope:
    """Which findings a document covers: one source, a period, given findings, or everything.

    A period selects the findings of the sources issued in it; a source
    without an issue date counts by the date its findings were registered.
    """

    source: Source | None = None
    start: date | None = None
    end: date | None = None
    finding_ids: tuple[int, ...] | None = None

    def __post_init__(self):
        if (self.start is None) != (self.end is None):
            raise ValidationError("统计期间须同时给出起止日期（--from 和 --to）")
        if self.start and self.start > self.end:
            raise ValidationError(f"统计期间的开始日期 {self.start} 晚于结束日期 {self.end}")

    @property
    def everything(self) -> bool:
        return self.source is None and self.start is None and self.finding_ids is None

    def condition(self):
        """A WHERE clause on the finding table."""
        parts = []
        if self.source is not None:
            parts.append(F.source_id == self.source.id)
        if self.start is not None:
            dated = select(Source.id).where(Source.issued_on.between(self.start, self.end))
            undated = select(Source.id).where(Source.issued_on.is_(None))
            parts.append(or_(F.source_id.in_(dated), and_(
                F.source_id.in_(undated), F.created_at >= datetime.combine(self.start, time()),
                F.created_at < datetime.combine(self.end + timedelta(days=1), time()))))
        if self.finding_ids is not None:
            parts.append(F.id.in_(self.finding_ids) if self.finding_ids else false())
        return and_(*parts) if parts else true()

    def ids(self):
        """The findings in scope as a subquery, for the tables hanging off a finding."""
        return select(F.id).where(self.condition())

    def of(self, finding_id_column):
        return true() if self.everything else finding_id_column.in_(self.ids())


def resolve_scope(session: Session, source: str | None = None, start: date | None = None,
                  end: date | None = None) -> Scope:
    """A scope from what a user types: a source by 文号 or title, and/or a period."""
    found = None
    if source:
        text = source.strip()
        found = session.execute(select(Source).where((Source.doc_number == text) | (Source.title == text))).scalar()
        if found is None:
            raise ValidationError(f"问题来源“{source}”不存在（可写文号或标题；rectify source list 查看）")
    return Scope(source=found, start=start, end=end)


def check_not_before_last_change(session: Session, scope: Scope, as_of: date) -> None:
    """Refuse a statistics date earlier than the ledger's last change in scope.

    The figures describe the ledger as recorded; a report dated before its
    latest changes would count them anyway and misstate the past.
    """
    latest = session.execute(
        select(func.max(FindingEvent.at)).where(scope.of(FindingEvent.finding_id))).scalar()
    if latest is not None and latest.date() > as_of:
        raise ValidationError(
            f"统计日期 {as_of} 早于台账最后一次变动（{latest:%Y-%m-%d %H:%M}）：报告只能反映台账的现状，"
            f"请将统计时间（--now）设为 {latest:%Y-%m-%d} 或之后")


def source_refs(session: Session, scope: Scope) -> tuple[SourceRef, ...]:
    """The sources of the findings in scope, in the order they were registered."""
    rows = session.execute(
        select(Source).where(Source.id.in_(select(F.source_id).where(scope.condition()))).order_by(Source.id)
    ).scalars()
    return tuple(SourceRef(kind=s.kind, issuing_body=s.issuer or "", title=s.title, doc_number=s.doc_number or "",
                           issued_on=s.issued_on) for s in rows)


# ---------------------------------------------------------------- headline figures

def _restored_by_finding(scope: Scope):
    return (select(R.finding_id, func.sum(case((R.kind.in_(RESTORING_KINDS), _fen(R.amount)), else_=0))
                   .label("restored"))
            .where(scope.of(R.finding_id)).group_by(R.finding_id).subquery())


def headline_figures(session: Session, scope: Scope, as_of: date) -> HeadlineFigures:
    amount = func.coalesce(_fen(F.amount_involved), 0)
    restored = _restored_by_finding(scope)
    shortfall = amount - func.coalesce(restored.c.restored, 0)
    row = session.execute(
        select(
            func.count(),
            _count(CLOSED), _count(F.status == Status.PENDING),
            _count(or_(CLOSED, F.deadline < as_of)),
            _count(and_(CLOSED, F.closed_on <= F.deadline)),
            *(_count(F.rectification_type == t) for t in RectificationType),
            func.coalesce(func.sum(amount), 0),
            func.coalesce(func.sum(case((shortfall > 0, shortfall), else_=0)), 0),
        ).select_from(Finding.__table__.outerjoin(restored, restored.c.finding_id == F.id))
        .where(scope.condition())
    ).one()
    total, closed, pending, due, on_time, *types, problem, unrectified = (int(v) for v in row)
    by_kind = {RecoveryKind(kind): _yuan(fen) for kind, fen in session.execute(
        select(R.kind, func.sum(_fen(R.amount))).where(scope.of(R.finding_id)).group_by(R.kind))}
    _check_vocab(session, scope, total, sum(types))
    return HeadlineFigures(
        total=total,
        by_outcome={Outcome.CLOSED: closed, Outcome.NOT_STARTED: pending,
                    Outcome.IN_PROGRESS: total - closed - pending},
        due=due, closed_on_time=on_time,
        by_type=dict(zip(RectificationType, types, strict=True)),
        problem_amount=_yuan(problem),
        rectified_by_kind=by_kind,
        rectified_amount=sum(by_kind.values(), ZERO),
        unrectified_amount=_yuan(unrectified),
    )


def _check_vocab(session: Session, scope: Scope, total: int, typed: int) -> None:
    """Name the finding whose stored type is outside the vocabulary, instead of a bare sum mismatch."""
    if typed == total:
        return
    number, value = session.execute(
        select(F.number, F.rectification_type).where(
            scope.condition(), F.rectification_type.not_in([str(t) for t in RectificationType]))).first()
    raise RectifyError(f"问题{number}的整改类型“{value}”无效，应为{'、'.join(RectificationType)}之一，请先修正台账")


def unit_stats(session: Session, scope: Scope, as_of: date) -> tuple[UnitStats, ...]:
    """The league table: per lead unit, closed on time / late, in progress, overdue (by unit name)."""
    open_ = F.status != Status.CLOSED
    rows = session.execute(
        select(Unit.name, func.count(), _count(and_(CLOSED, F.closed_on <= F.deadline)),
               _count(and_(CLOSED, F.closed_on > F.deadline)),
               _count(and_(open_, F.deadline >= as_of)), _count(and_(open_, F.deadline < as_of)))
        .select_from(Finding.__table__.join(Unit, Unit.id == F.lead_unit_id))
        .where(scope.condition()).group_by(Unit.id, Unit.name).order_by(Unit.name))
    return tuple(UnitStats(name, *(int(v) for v in counts)) for name, *counts in rows)


def enforcement(session: Session, scope: Scope, now: datetime) -> Enforcement:
    """约谈 held, 通报 issued, referrals made, and the penalty track, up to `now`.

    Penalty decisions count by decision document (one document may record
    several measures); the amounts are those of 罚款, what 罚没 means — money
    ordered back (责令退回) is recorded as 追回/退回基金 on the finding.
    """
    today = now.date()
    interviews = session.execute(select(func.count()).select_from(Interview).where(
        Interview.status == InterviewStatus.DONE, Interview.closed_at <= now,
        true() if scope.everything else Interview.id.in_(
            select(InterviewItem.interview_id).where(InterviewItem.finding_id.in_(scope.ids())))
    )).scalar()
    circulars = session.execute(select(func.count()).select_from(Circular).where(
        Circular.status == CircularStatus.ISSUED, Circular.issued_on <= today,
        true() if scope.everything else Circular.id.in_(
            select(CircularEntry.circular_id).where(CircularEntry.finding_id.in_(scope.ids())))
    )).scalar()
    referrals = session.execute(select(func.count()).select_from(Referral).where(
        Referral.status == ReferralStatus.DONE, Referral.closed_at <= now, scope.of(Referral.finding_id))).scalar()
    decided = and_(PenaltyDecision.decided_on <= today, scope.of(PenaltyDecision.finding_id))
    documents, fined = session.execute(select(
        func.count(PenaltyDecision.doc_number.distinct()) + _count(PenaltyDecision.doc_number.is_(None)),
        func.coalesce(func.sum(case((PenaltyDecision.measure == Measure.FINE, _fen(PenaltyDecision.amount)),
                                    else_=0)), 0),
    ).where(decided)).one()
    collected = session.execute(
        select(func.coalesce(func.sum(_fen(PenaltyCollection.amount)), 0))
        .join(PenaltyDecision, PenaltyDecision.id == PenaltyCollection.decision_id)
        .where(decided, PenaltyDecision.measure == Measure.FINE, PenaltyCollection.on_date <= today)).scalar()
    return Enforcement(interviews=int(interviews), circulars=int(circulars), referrals=int(referrals),
                       people_held_accountable=None, rules_made=None, penalty_decisions=int(documents),
                       penalties_decided=_yuan(fined), penalties_collected=_yuan(collected))


# ---------------------------------------------------------------- finding rows

def split_measures(text: str | None) -> tuple[str, ...]:
    """整改措施 as stored (free text, often "一是…；二是…") → the items the documents enumerate."""
    text = (text or "").strip()
    if not text:
        return ()
    parts = re.split(r"[；;\n]+|(?:^|[，。,])\s*(?=[一二三四五六七八九十]+是)", text)
    items = [re.sub(r"^\s*(?:[一二三四五六七八九十]+是|\d+[.、．]|[（(]\d+[）)])\s*", "", p).strip(" ，,。")
             for p in parts]
    return tuple(i for i in items if i)


def finding_rows(session: Session, scope: Scope, as_of: date) -> tuple[FindingRow, ...]:
    """Every finding in scope once, in registration order within each source.

    When the findings come from more than one source their numbers (unique
    only within a source) are written "文号:编号", the way the CLI names them.
    """
    return tuple(rows_by_id(session, scope, as_of).values())


def rows_by_id(session: Session, scope: Scope, as_of: date) -> dict[int, FindingRow]:
    """finding_rows keyed by the findings' ids (in the same order)."""
    condition = scope.condition()
    base = session.execute(
        select(F.id, F.number, F.source_id, Source.kind, Source.doc_number, Source.title, Category.name,
               F.summary, F.description, Unit.name, F.rectification_type, F.deadline, F.status, F.closed_on,
               _fen(F.amount_involved), F.measures, F.result, F.progress, F.remarks, F.legal_basis)
        .select_from(Finding.__table__.join(Source, Source.id == F.source_id)
                     .join(Category, Category.id == F.category_id).join(Unit, Unit.id == F.lead_unit_id))
        .where(condition).order_by(F.source_id, F.id)).all()
    money: dict[int, dict[RecoveryKind, Decimal]] = defaultdict(dict)
    for finding_id, kind, fen in session.execute(
            select(R.finding_id, R.kind, func.sum(_fen(R.amount))).where(scope.of(R.finding_id))
            .group_by(R.finding_id, R.kind)):
        money[finding_id][RecoveryKind(kind)] = _yuan(fen)
    co_units: dict[int, list[str]] = defaultdict(list)
    for finding_id, name in session.execute(
            select(FindingCoUnit.finding_id, Unit.name).join(Unit, Unit.id == FindingCoUnit.unit_id)
            .where(scope.of(FindingCoUnit.finding_id)).order_by(FindingCoUnit.finding_id, Unit.name)):
        co_units[finding_id].append(name)
    evidence: dict[int, list[str]] = defaultdict(list)
    for finding_id, name in session.execute(
            select(Evidence.finding_id, Evidence.name).where(scope.of(Evidence.finding_id))
            .order_by(Evidence.finding_id, Evidence.id)):
        evidence[finding_id].append(name)
    extensions: dict[int, ExtensionRequest] = {}
    for request in session.execute(
            select(ExtensionRequest).where(scope.of(ExtensionRequest.finding_id))
            .order_by(ExtensionRequest.finding_id, ExtensionRequest.id)).scalars():
        extensions[request.finding_id] = request  # the latest one per finding wins
    chased = _chased(session, scope, as_of)
    qualify = len({r.source_id for r in base}) > 1
    rows: dict[int, FindingRow] = {}
    for r in base:
        (finding_id, number, _, kind, doc_number, title, category, summary, description, lead_unit, rtype,
         deadline, status, closed_on, fen, measures, result, progress, remarks, legal_basis) = r
        source = doc_number or title
        if status == Status.CLOSED and closed_on is None:
            raise RectifyError(f"问题{number}（{source}）状态为已销号，却没有销号日期，请先修正台账")
        closed = status == Status.CLOSED
        reason, plan, planned_on, remark = _extension_notes(extensions.get(finding_id), closed, remarks)
        if not closed and deadline < as_of and finding_id in chased:
            plan = f"逾期后已先后{'、'.join(chased[finding_id])}。"
        rows[finding_id] = FindingRow(
            number=f"{source}:{number}" if qualify else number, category=category, summary=summary,
            lead_unit=lead_unit, rectification_type=rtype, deadline=deadline,
            outcome=outcome(Status(status)), description=description or "", amount=_yuan(fen),
            rectified=money.get(finding_id, {}), co_units=tuple(co_units.get(finding_id, ())),
            closed_on=closed_on if closed else None, status=status, measures=split_measures(measures),
            result=(result or progress or "") if closed else (progress or result or ""),
            evidence=tuple(evidence.get(finding_id, ())), remark=remark, reason=reason, plan=plan,
            planned_on=planned_on, source=f"{kind} {source}", legal_basis=legal_basis or "")
    return rows


# How 三、尚未整改到位的问题 tells what was done about an overdue finding.
CHASED = {"urge": "催办", "supervise": "督办", "interview": "列入约谈", "circular": "列入通报", "referral": "启动问责移送"}


def _chased(session: Session, scope: Scope, as_of: date) -> dict[int, list[str]]:
    """The overdue steps each open finding reached in its current cycle, by `as_of`."""
    chased: dict[int, list[str]] = defaultdict(list)
    for finding_id, step in session.execute(
            select(Escalation.finding_id, Escalation.step).join(Finding, Finding.id == Escalation.finding_id)
            .where(scope.condition(), F.status != Status.CLOSED, Escalation.cycle == F.cycle,
                   Escalation.step.in_(list(CHASED)),
                   Escalation.created_at < datetime.combine(as_of + timedelta(days=1), time()))
            .order_by(Escalation.finding_id, Escalation.id)):
        chased[finding_id].append(CHASED[step])
    return chased


def _extension_notes(request: ExtensionRequest | None, closed: bool, remarks: str | None):
    """(reason, plan, planned_on, remark) from the finding's latest extension request."""
    remark_parts = [remarks.strip()] if remarks and remarks.strip() else []
    if request is None:
        return "", "", None, "；".join(remark_parts)
    if request.status == ExtensionStatus.APPROVED:
        remark_parts.append(f"经批准延期至{request.new_deadline:%Y-%m-%d}")
    remark = "；".join(remark_parts)
    if closed:
        return "", "", None, remark
    if request.status == ExtensionStatus.PENDING:
        return (request.reason, f"已申请将整改时限延至{_cn(request.new_deadline)}，待审批。", request.new_deadline,
                remark)
    if request.status == ExtensionStatus.APPROVED:
        return request.reason, f"经批准，整改时限延至{_cn(request.new_deadline)}。", None, remark
    return request.reason, "延期申请未获批准，须按原定时限完成整改。", None, remark


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def finding_row(session: Session, finding: Finding, as_of: date) -> FindingRow:
    return finding_rows(session, Scope(finding_ids=(finding.id,)), as_of)[0]


# ---------------------------------------------------------------- sign-off form

def _signoff_step(event: FindingEvent) -> tuple[SignOffStep, str] | None:
    """(box, default opinion) of an event that fills a box of the 审批表."""
    from models.lifecycle import REVIEW_STEPS

    if event.action == Action.SUBMIT and event.data.get("commitment"):
        return SignOffStep.UNIT_HEAD, "本单位承诺整改情况属实，申请销号"
    defaults = {
        Action.ENDORSE: (SignOffStep.UNIT_HEAD, "情况属实，同意申请销号"),
        Action.LEAD_APPROVE: (SignOffStep.LEAD_UNIT, "经审核，整改到位，同意销号"),
        Action.VERIFY: (SignOffStep.COORDINATOR, "经复核，整改到位，同意销号"),
        Action.APPROVE: (SignOffStep.LEADER, "同意销号"),
    }
    if event.action in defaults:
        return defaults[Action(event.action)]
    if event.action == Action.RETURN:
        at_step = event.data.get("returned_at_step")
        steps = dict(zip(REVIEW_STEPS, SignOffStep, strict=True))
        return (steps[Status(at_step)], "") if at_step in steps else None
    return None


def signoff_events(session: Session, finding_id: int, now: datetime) -> tuple[SignOffEvent, ...]:
    """The boxes of the current (latest) sign-off request, up to `now`.

    A request returned and resubmitted shows the new request's signatures
    only; a request returned and not yet resubmitted shows who returned it
    and why in that step's box.
    """
    last_submit = session.execute(
        select(func.max(FindingEvent.seq)).where(FindingEvent.finding_id == finding_id,
                                                 FindingEvent.action == Action.SUBMIT,
                                                 FindingEvent.at <= now)).scalar()
    if last_submit is None:
        return ()
    events = session.execute(
        select(FindingEvent).where(FindingEvent.finding_id == finding_id, FindingEvent.seq >= last_submit,
                                   FindingEvent.at <= now).order_by(FindingEvent.seq)).scalars()
    boxes = []
    for event in events:
        step = _signoff_step(event)
        if step is None:
            continue
        box, default = step
        opinion = (event.comment or "").strip() or default
        if event.action == Action.RETURN:
            opinion = f"退回补充：{opinion}"
        shortfall = event.data.get("shortfall_reason")
        if shortfall:
            opinion += f"（差额说明：{shortfall}）"
        boxes.append(SignOffEvent(step=box, signer=event.actor_name, opinion=opinion, at=event.at))
    return tuple(boxes)


# ---------------------------------------------------------------- reminder and escalation history

# Short names of the ladder's steps, as the 事项 column of a history reads.
STEP_ACTION = {"reminder": "提醒", "urge": "催办", "supervise": "督办", "interview": "列入约谈",
               "circular": "列入通报", "referral": "拟问责移送"}
STEP_DEMAND = {"reminder": "发出到期提醒", "urge": "发出催办通知", "supervise": "发出督办通知",
               "interview": "列入约谈名单", "circular": "列入整改情况通报", "referral": "达到问责移送条件"}
# Events people recorded that belong in the history of chasing a finding. The bot's own
# "列入…" events are left out (the escalation rows tell the same, with the step), and so
# is the referral itself: the history is what preceded it.
HISTORY_ACTIONS = (
    Action.PROGRESS, Action.PARTIAL, Action.RETURN, Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION,
    Action.REJECT_EXTENSION, RecordAction.INTERVIEW_SCHEDULED, RecordAction.INTERVIEW_DONE,
    RecordAction.INTERVIEW_CANCELLED, RecordAction.CIRCULAR_ISSUED, PenaltyAction.DECISION,
)
SYSTEM_SENDER = "整改办（系统发送）"


def finding_history(session: Session, finding_ids: list[int], now: datetime,
                    numbers: dict[int, str]) -> tuple[HistoryEvent, ...]:
    """Every reminder and escalation step reached, and what people did about them, up to `now`."""
    history = []
    for e in session.execute(select(Escalation).where(Escalation.finding_id.in_(finding_ids),
                                                      Escalation.created_at <= now)
                             .order_by(Escalation.created_at, Escalation.id)).scalars():
        kind = step_type(e.step).kind
        days = (e.created_at.date() - e.deadline).days
        when = f"逾期{days}天" if days > 0 else (f"距整改时限{-days}天" if days < 0 else "整改时限当日")
        history.append(HistoryEvent(e.created_at, numbers[e.finding_id], STEP_ACTION[kind], SYSTEM_SENDER,
                                    f"{when}，{STEP_DEMAND[kind]}（第{e.cycle}轮）" if e.cycle > 1
                                    else f"{when}，{STEP_DEMAND[kind]}"))
    for e in session.execute(select(FindingEvent).where(
            FindingEvent.finding_id.in_(finding_ids), FindingEvent.at <= now,
            FindingEvent.action.in_([str(a) for a in HISTORY_ACTIONS])).order_by(FindingEvent.at, FindingEvent.seq)
    ).scalars():
        by = e.actor_name if e.actor_name == BOT_NAME else f"{e.actor_name}（{e.actor_role}）"
        history.append(HistoryEvent(e.at, numbers[e.finding_id], e.action, by, _event_detail(e)))
    return tuple(sorted(history, key=lambda h: h.at))


def _event_detail(event: FindingEvent) -> str:
    data = event.data
    detail = (event.comment or "").strip()
    if event.action in (Action.REQUEST_EXTENSION, Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        span = f"原时限{data.get('old_deadline')}，申请延至{data.get('new_deadline')}"
        return f"{span}；{detail}" if detail else span
    return detail


# ---------------------------------------------------------------- people

def person_label(person: Person | None, unit: str, fallback: str = "主要负责人") -> str:
    """张某某（县新农合办公室单位负责人）, or the unit's 主要负责人 when nobody is registered."""
    if person is None:
        return f"{unit}{fallback}"
    return f"{person.name}（{unit}{person.role}）"


def unit_head(session: Session, unit_id: int) -> Person | None:
    return session.execute(select(Person).where(Person.unit_id == unit_id, Person.role == Role.UNIT_HEAD,
                                                Person.active).order_by(Person.id)).scalars().first()


# ---------------------------------------------------------------- formal acts

@dataclass(frozen=True)
class SupervisionFacts:
    unit: str
    findings: tuple[FindingRow, ...]
    level: str  # 催办 / 督办 / 黄牌督办…, from the latest step reached in the current cycle


# The 督办通知单's level by the latest overdue step reached (三色督办: 黄 → 橙 → 红).
SUPERVISION_LEVEL = {"urge": "催办", "supervise": "黄牌督办", "interview": "橙牌督办", "circular": "红牌督办",
                     "referral": "红牌督办"}


def supervision_facts(session: Session, finding: Finding, now: datetime) -> SupervisionFacts:
    if finding.status == Status.CLOSED:
        raise ValidationError(f"问题 {finding.number} 已于 {finding.closed_on} 销号，无需督办")
    steps = session.execute(select(Escalation.step).where(
        Escalation.finding_id == finding.id, Escalation.cycle == finding.cycle, Escalation.created_at <= now,
        Escalation.step.in_(list(SUPERVISION_LEVEL))).order_by(Escalation.id)).scalars().all()
    level = SUPERVISION_LEVEL[steps[-1]] if steps else "督办"
    unit = session.get(Unit, finding.lead_unit_id).name
    return SupervisionFacts(unit, (finding_row(session, finding, now.date()),), level)


@dataclass(frozen=True)
class InterviewFacts:
    interview_id: int
    unit: str
    interviewee: str
    interviewer: str
    at: datetime
    place: str
    findings: tuple[FindingRow, ...]  # those still open
    issued_on: date  # the day the interview was arranged (the notice went out), or today


def interview_facts(session: Session, interview_id: int, now: datetime) -> InterviewFacts:
    interview = session.get(Interview, interview_id)
    if interview is None:
        raise ValidationError(f"找不到编号为 {interview_id} 的约谈（rectify interview list 查看）")
    if interview.scheduled_at is None:
        raise ValidationError(f"约谈 {interview_id} 尚未安排时间、地点（rectify interview schedule {interview_id} …），"
                              f"不能生成约谈通知书")
    unit = session.get(Unit, interview.unit_id)
    person = session.get(Person, interview.interviewee_id) if interview.interviewee_id else None
    ids = session.execute(select(InterviewItem.finding_id).where(InterviewItem.interview_id == interview_id)
                          .order_by(InterviewItem.id)).scalars().all()
    today = now.date()
    scheduled = _act_day(session, ids, RecordAction.INTERVIEW_SCHEDULED, "interview_id", interview_id, now)
    issued_on = today if today <= interview.scheduled_at.date() else (scheduled or interview.scheduled_at.date())
    rows = finding_rows(session, Scope(finding_ids=tuple(dict.fromkeys(ids))), issued_on)
    # As the notice stood on its date: a finding closed since was open then.
    open_rows = tuple(r for r in (_as_of(row, issued_on, None) for row in rows) if r.outcome is not Outcome.CLOSED)
    if not open_rows:
        raise ValidationError(f"约谈 {interview_id} 所涉问题在{issued_on}前均已销号，无需约谈通知书")
    return InterviewFacts(interview_id, unit.name, person_label(person, unit.name), interview.interviewer or "",
                          interview.scheduled_at, interview.place or "", open_rows, issued_on)


def _act_day(session: Session, finding_ids, action: RecordAction, key: str, record_id: int,
             now: datetime) -> date | None:
    """The day a formal act on record `record_id` was recorded in the findings' history."""
    for at, payload in session.execute(
            select(FindingEvent.at, FindingEvent.payload).where(
                FindingEvent.finding_id.in_(list(finding_ids)), FindingEvent.action == action, FindingEvent.at <= now)
            .order_by(FindingEvent.at.desc())):
        if json.loads(payload).get(key) == record_id:
            return at.date()
    return None


@dataclass(frozen=True)
class CircularFacts:
    circular_id: int
    doc_number: str | None  # as recorded when it was issued
    issued_on: date | None
    as_of: date
    criticised: tuple[NamedUnit, ...]
    commended: tuple[Commendation, ...]
    figures: HeadlineFigures  # everything, at as_of
    league: tuple[UnitStats, ...]


def circular_facts(session: Session, circular_id: int, now: datetime) -> CircularFacts:
    """The units a circular names, with the deadline each was overdue against, and the units
    to commend: those that closed findings early since the previous circular and have nothing
    overdue."""
    circular = session.get(Circular, circular_id)
    if circular is None:
        raise ValidationError(f"找不到编号为 {circular_id} 的通报（rectify circular list 查看）")
    as_of = circular.issued_on if circular.status == CircularStatus.ISSUED and circular.issued_on else now.date()
    entries = session.execute(
        select(CircularEntry.finding_id, Unit.name, Escalation.deadline)
        .join(Unit, Unit.id == CircularEntry.unit_id)
        .outerjoin(Escalation, Escalation.id == CircularEntry.escalation_id)
        .where(CircularEntry.circular_id == circular_id,
               or_(Escalation.id.is_(None), Escalation.created_at < as_of + timedelta(days=1)))
        .order_by(Unit.name, CircularEntry.id)).all()
    rows = rows_by_id(session, Scope(finding_ids=tuple(dict.fromkeys(e[0] for e in entries))), as_of)
    named: dict[str, dict[int, FindingRow]] = defaultdict(dict)
    for finding_id, unit, deadline in entries:
        named[unit].setdefault(finding_id, _as_of(rows[finding_id], as_of, deadline))
    criticised = tuple(NamedUnit(unit, tuple(found.values())) for unit, found in named.items())
    if not criticised:
        raise ValidationError(f"通报 {circular_id} 尚无列入的单位")
    previous = session.execute(select(func.max(Circular.issued_on)).where(
        Circular.status == CircularStatus.ISSUED, Circular.id != circular_id, Circular.issued_on < as_of)).scalar()
    return CircularFacts(
        circular_id, circular.doc_number, circular.issued_on if circular.status == CircularStatus.ISSUED else None,
        as_of, criticised, _commendations(session, as_of, previous, set(named)),
        headline_figures(session, Scope(), as_of), unit_stats(session, Scope(), as_of))


def circular_numbers(session: Session) -> list[str]:
    """The document numbers recorded on issued circulars."""
    return list(session.execute(select(Circular.doc_number).where(
        Circular.status == CircularStatus.ISSUED, Circular.doc_number.is_not(None))).scalars())


def _as_of(row: FindingRow, as_of: date, deadline: date | None) -> FindingRow:
    """The finding as it stood on `as_of` against the deadline it was overdue on."""
    changes = {"deadline": deadline} if deadline else {}
    if row.closed_on is not None and row.closed_on > as_of:
        changes.update(closed_on=None, outcome=Outcome.IN_PROGRESS, status="")
    return replace(row, **changes) if changes else row


def _commendations(session: Session, as_of: date, since: date | None, criticised: set[str]):
    early = and_(CLOSED, F.closed_on < F.deadline, F.closed_on <= as_of,
                 F.closed_on > since if since else true())
    overdue_units = select(F.lead_unit_id).where(F.status != Status.CLOSED, F.deadline < as_of)
    ids = tuple(session.execute(
        select(F.id).join(Unit, Unit.id == F.lead_unit_id)
        .where(early, F.lead_unit_id.not_in(overdue_units), Unit.name.not_in(sorted(criticised)))
        .order_by(F.id)).scalars())
    by_unit: dict[str, list[FindingRow]] = defaultdict(list)
    for row in finding_rows(session, Scope(finding_ids=ids), as_of) if ids else ():
        by_unit[row.lead_unit].append(row)
    return tuple(Commendation(unit, tuple(found)) for unit, found in sorted(by_unit.items()))


@dataclass(frozen=True)
class ReferralFacts:
    referral_id: int
    unit: str
    responsible: str
    findings: tuple[FindingRow, ...]
    history: tuple[HistoryEvent, ...]
    as_of: date
    enclosures: tuple[str, ...]


def referral_facts(session: Session, referral_id: int, now: datetime) -> ReferralFacts:
    referral = session.get(Referral, referral_id)
    if referral is None:
        raise ValidationError(f"找不到编号为 {referral_id} 的问责移送记录（rectify referral list 查看）")
    if referral.status == ReferralStatus.CANCELLED:
        raise ValidationError(f"问责移送记录 {referral_id} 已取消（{referral.comment}），不能生成移送函")
    finding = session.get(Finding, referral.finding_id)
    unit = session.get(Unit, referral.unit_id)
    leader = session.get(Person, finding.responsible_leader_id) if finding.responsible_leader_id else None
    row = finding_row(session, finding, now.date())
    history = finding_history(session, [finding.id], now, {finding.id: row.number})
    if not history:
        raise ValidationError(f"问题 {finding.number} 没有任何督促整改记录，不能生成问责移送函")
    issued = session.execute(
        select(Circular.doc_number).join(CircularEntry, CircularEntry.circular_id == Circular.id)
        .where(CircularEntry.finding_id == finding.id, Circular.status == CircularStatus.ISSUED,
               Circular.issued_on <= now.date(), Circular.doc_number.is_not(None))
        .order_by(Circular.issued_on)).scalars().all()
    enclosures = (f"问题{row.number}整改台账", "督促整改记录（含提醒、催办、督办、约谈、通报记录）",
                  *(f"通报（{n}）" for n in dict.fromkeys(issued)))
    return ReferralFacts(referral_id, unit.name, person_label(leader or unit_head(session, unit.id), unit.name),
                         (row,), history, now.date(), enclosures)
