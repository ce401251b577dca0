"""The sweep: everything the ladder makes due at `now`, in one transaction.

1. Per policy variant (default ladder, each override) one
   INSERT INTO escalation … SELECT … FROM finding … ON CONFLICT DO NOTHING
   RETURNING: the step due now is a CASE over date cutoffs computed in
   Python (working days via the calendar), so open findings are never
   loaded into Python, and the (finding, step, cycle) key makes a second
   sweep — sequential or concurrent — insert nothing.
2. The escalations this sweep inserted (found by its sweep_id) become the
   formal records: 约谈 joins the unit's interview being arranged, 通报
   enters the next circular, 问责 creates a referral with the full history.
3. They are grouped by recipient route: one digest notice per robot or
   mailbox, keyed f"sweep:{sweep_id}:{channel}:{target}".

All of it commits or none of it does: a sweep killed midway leaves no
trace, and the next one does the whole work. Only the step due now is
created; after downtime a finding gets its current step once, not every
step it missed. Paused findings (review, pending extension) and closed
ones are not selected; an approved extension bumps the finding's cycle, so
the ladder starts again from the new deadline.
"""
import json
import uuid
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import case, exists, literal
from sqlalchemy import select as sql_select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Session, select

from models.calendar import WorkCalendar
from models.db import bulk_insert
from models.escalation import (
    NEXT_CIRCULAR, BotAct, Circular, CircularEntry, CircularStatus, Escalation, Interview, InterviewItem,
    InterviewStatus, RecordAction, Referral, ReferralStatus, append_bot_events, interview_open_key,
)
from models.history import FindingEvent
from models.ledger import ExtensionRequest, Finding, Person, Unit
from models.outbox import enqueue
from models.policy import Audience, Ladder, Policy, Record, Step, Variant, ladder_position
from models.routing import Route, routes_for
from models.vocab import OPEN_WORK_STATUSES, ExtensionStatus, Role
from notices.context import Contact, NoticeContext, NoticeItem, Recipient

DEFAULT_OFFICE = "整改工作领导小组办公室"


def new_sweep_id(now: datetime) -> str:
    """Unique per run, readable in the outbox: the sweep's time plus randomness."""
    return f"{now:%Y%m%dT%H%M%S}-{uuid.uuid4().hex[:12]}"


def _insert(session: Session, table):
    dialect = session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(table)


@dataclass(frozen=True)
class Created:
    """One escalation this sweep inserted, with what notices and records need."""

    escalation_id: int
    finding_id: int
    number: str
    summary: str
    status: str
    deadline: date
    cycle: int
    unit_id: int
    step: Step
    ladder: Ladder
    scope: str
    responsible_person_id: int | None
    responsible_leader_id: int | None


@dataclass(frozen=True)
class QueuedNotice:
    key: str
    channel: str
    target: str
    recipient: str
    items: int


@dataclass
class SweepResult:
    sweep_id: str
    now: datetime
    created: list[Created] = field(default_factory=list)
    unit_names: dict[int, str] = field(default_factory=dict)
    interviews: dict[int, list[str]] = field(default_factory=dict)  # interview id -> finding numbers added
    circular_id: int | None = None
    circular_units: list[str] = field(default_factory=list)
    referrals: dict[int, str] = field(default_factory=dict)  # referral id -> finding number
    notices: list[QueuedNotice] = field(default_factory=list)
    unreached: list[str] = field(default_factory=list)  # audiences nobody is registered for

    def counts(self) -> dict[str, int]:
        """Escalations created per step label, in ladder order."""
        counts: dict[str, int] = {}
        for c in sorted(self.created, key=lambda c: ladder_position(c.step)):
            counts[c.step.label] = counts.get(c.step.label, 0) + 1
        return counts

    def summary_lines(self) -> list[str]:
        lines = [f"督办扫描 {self.sweep_id}（{self.now:%Y-%m-%d %H:%M}）"]
        if not self.created:
            lines.append("没有新的到期提醒或督办事项（已生成过的不会重复生成）。")
            return lines
        counts = "、".join(f"{label} {n}" for label, n in self.counts().items())
        lines.append(f"新生成督办事项 {len(self.created)} 项：{counts}")
        for interview_id, numbers in self.interviews.items():
            lines.append(f"  约谈 #{interview_id}：问题 {'、'.join(numbers)} 列入约谈，"
                         f"待安排时间地点（rectify interview schedule {interview_id} …）")
        if self.circular_id:
            lines.append(f"  通报 #{self.circular_id}（待印发）：列入 {'、'.join(self.circular_units)}")
        for referral_id, number in self.referrals.items():
            lines.append(f"  问责移送 #{referral_id}：问题 {number}，已保存完整办理记录，待整改办移送")
        lines.append(f"已生成通知 {len(self.notices)} 条（每个接收渠道一条汇总）：")
        for notice in self.notices:
            lines.append(f"  {notice.channel}:{notice.target} → {notice.recipient}：{notice.items} 项")
        for warning in self.unreached:
            lines.append(f"  注意：{warning}")
        return lines


# ---------------------------------------------------------------- 1. escalations

def _insert_escalations(session: Session, variant: Variant, today: date, now: datetime, calendar: WorkCalendar,
                        sweep_id: str) -> int:
    cutoffs = variant.ladder.cutoffs(today, calendar)
    if not cutoffs:
        return 0
    f = Finding.__table__.c
    # The last step in ladder order whose cutoff the deadline is within is the one due now.
    due_step = case(*[(f.deadline <= cutoff, literal(step.id)) for step, cutoff in reversed(cutoffs)])
    paused = exists().where(ExtensionRequest.finding_id == f.id, ExtensionRequest.status == ExtensionStatus.PENDING)
    # Materialized first, so the planner reads the (status, deadline) index range; asked for the
    # rows in id order directly, PostgreSQL walks the whole primary key instead (300 ms at 1M findings).
    due = (
        sql_select(f.id, due_step.label("step"), f.cycle, f.lead_unit_id, f.deadline)
        .where(f.status.in_(OPEN_WORK_STATUSES), f.deadline <= max(c for _, c in cutoffs), ~paused,
               variant.condition)
        .cte("due").prefix_with("MATERIALIZED", dialect="postgresql")
    )
    rows = (
        sql_select(due.c.id, due.c.step, due.c.cycle, due.c.lead_unit_id, due.c.deadline, literal(variant.label),
                   literal(sweep_id), literal(now))
        # A fixed order makes concurrent sweeps on PostgreSQL take row locks in the same order (no deadlock).
        .order_by(due.c.id)
    )
    e = Escalation.__table__.c
    statement = (
        _insert(session, Escalation.__table__)
        .from_select([e.finding_id, e.step, e.cycle, e.unit_id, e.deadline, e.scope, e.sweep_id, e.created_at], rows)
        .on_conflict_do_nothing(index_elements=["finding_id", "step", "cycle"])
        .returning(e.id)
    )
    return len(session.execute(statement).all())


def _load_created(session: Session, sweep_id: str, variants: list[Variant]) -> list[Created]:
    steps = {(v.label, s.id): (s, v.ladder) for v in variants for s in v.ladder.steps}
    rows = session.execute(
        sql_select(Escalation.id, Escalation.finding_id, Escalation.step, Escalation.scope, Escalation.unit_id,
                   Escalation.deadline, Escalation.cycle, Finding.number, Finding.summary, Finding.status,
                   Finding.responsible_person_id, Finding.responsible_leader_id)
        .join(Finding, Finding.id == Escalation.finding_id)
        .where(Escalation.sweep_id == sweep_id).order_by(Escalation.id))
    created = []
    for r in rows:
        step, ladder = steps[(r.scope, r.step)]
        created.append(Created(r.id, r.finding_id, r.number, r.summary, r.status, r.deadline, r.cycle, r.unit_id,
                               step, ladder, r.scope, r.responsible_person_id, r.responsible_leader_id))
    return created


# ---------------------------------------------------------------- 2. formal records

def _open_records(session: Session, model, rows: dict[str, dict]) -> dict[str, int]:
    """{open_key: id} of the rows holding each key, inserting those absent; race-free on both
    databases (a concurrent sweep's insert of the same key makes this one wait, then skip)."""
    table = model.__table__
    ids: dict[str, int] = {}
    for _ in range(3):
        missing = [key for key in rows if key not in ids]
        if not missing:
            return ids
        inserted = session.execute(
            _insert(session, table).on_conflict_do_nothing(index_elements=["open_key"])
            .returning(table.c.open_key, table.c.id),
            [{"open_key": key, **rows[key]} for key in missing]).all()
        ids.update(dict(inserted))
        # Keys held by another, committed row: use it. One may have just been closed: then insert again.
        held = [key for key in missing if key not in ids]
        if held:
            ids.update(dict(session.execute(sql_select(table.c.open_key, table.c.id)
                                            .where(table.c.open_key.in_(held))).all()))
    raise RuntimeError(f"open {model.__name__} records kept changing: {sorted(set(rows) - set(ids))}")


def _unit_heads(session: Session, unit_ids) -> dict[int, Person]:
    heads: dict[int, Person] = {}
    for person in session.exec(select(Person).where(
            Person.unit_id.in_(list(unit_ids)), Person.role == Role.UNIT_HEAD, Person.active).order_by(Person.id)):
        heads.setdefault(person.unit_id, person)
    return heads


def _interviews(session: Session, items: list[Created], heads: dict[int, Person], now: datetime,
                result: SweepResult) -> list[BotAct]:
    by_unit: dict[int, list[Created]] = defaultdict(list)
    for c in items:
        by_unit[c.unit_id].append(c)
    # Sorted keys: concurrent sweeps lock the same rows in the same order.
    ids = _open_records(session, Interview, {
        interview_open_key(unit_id): {"unit_id": unit_id, "interviewee_id": heads[unit_id].id if unit_id in heads else None,
                                      "status": InterviewStatus.TO_ARRANGE, "created_at": now}
        for unit_id in sorted(by_unit)})
    bulk_insert(session, InterviewItem.__table__, [
        {"interview_id": ids[interview_open_key(c.unit_id)], "finding_id": c.finding_id, "escalation_id": c.escalation_id}
        for c in items])
    acts = []
    for unit_id, group in sorted(by_unit.items()):
        interview_id = ids[interview_open_key(unit_id)]
        result.interviews[interview_id] = [c.number for c in group]
        acts += [BotAct(c.finding_id, c.status, RecordAction.INTERVIEW_LISTED,
                        f"逾期未整改，{c.step.threshold}，列入约谈（约谈编号 {interview_id}）",
                        {"interview_id": interview_id, "escalation_id": c.escalation_id, "cycle": c.cycle})
                 for c in group]
    return acts


def _circular(session: Session, items: list[Created], now: datetime, result: SweepResult) -> list[BotAct]:
    circular_id = _open_records(session, Circular, {
        NEXT_CIRCULAR: {"status": CircularStatus.DRAFT, "created_at": now}})[NEXT_CIRCULAR]
    bulk_insert(session, CircularEntry.__table__, [
        {"circular_id": circular_id, "unit_id": c.unit_id, "finding_id": c.finding_id, "escalation_id": c.escalation_id}
        for c in items])
    result.circular_id = circular_id
    result.circular_units = sorted({result.unit_names[c.unit_id] for c in items})
    return [BotAct(c.finding_id, c.status, RecordAction.CIRCULAR_LISTED,
                   f"逾期未整改，{c.step.threshold}，列入下一期整改情况通报（通报编号 {circular_id}）",
                   {"circular_id": circular_id, "escalation_id": c.escalation_id, "cycle": c.cycle})
            for c in items]


def _referrals(session: Session, items: list[Created], sweep_id: str, now: datetime,
               result: SweepResult) -> list[BotAct]:
    """One referral per finding, with its history as it stands before this act."""
    referred = (sql_select(Escalation.finding_id)
                .where(Escalation.sweep_id == sweep_id, Escalation.step == items[0].step.id))
    events: dict[int, list[dict]] = defaultdict(list)
    for event in session.exec(select(FindingEvent).where(FindingEvent.finding_id.in_(referred))
                              .order_by(FindingEvent.finding_id, FindingEvent.seq)):
        events[event.finding_id].append({
            "seq": event.seq, "at": event.at.isoformat(), "actor": event.actor_name, "role": event.actor_role,
            "action": event.action, "from_status": event.from_status, "to_status": event.to_status,
            "comment": event.comment, "payload": event.data, "hash": event.hash})
    ladder: dict[int, list[dict]] = defaultdict(list)
    for e in session.exec(select(Escalation).where(Escalation.finding_id.in_(referred))
                          .order_by(Escalation.finding_id, Escalation.id)):
        ladder[e.finding_id].append({"step": e.step, "cycle": e.cycle, "deadline": e.deadline.isoformat(),
                                     "at": e.created_at.isoformat(), "scope": e.scope})
    rows = []
    for c in items:
        snapshot = {
            "taken_at": now.isoformat(),
            "finding": {"id": c.finding_id, "number": c.number, "summary": c.summary, "status": c.status,
                        "deadline": c.deadline.isoformat(), "cycle": c.cycle, "unit": result.unit_names[c.unit_id]},
            "events": events[c.finding_id],
            "escalations": ladder[c.finding_id],
        }
        rows.append({"finding_id": c.finding_id, "unit_id": c.unit_id, "escalation_id": c.escalation_id,
                     "status": ReferralStatus.PENDING, "created_at": now,
                     "snapshot": json.dumps(snapshot, ensure_ascii=False, default=str)})
    table = Referral.__table__
    ids = dict(session.execute(_insert(session, table).returning(table.c.escalation_id, table.c.id), rows).all())
    acts = []
    for c in items:
        referral_id = ids[c.escalation_id]
        result.referrals[referral_id] = c.number
        acts.append(BotAct(c.finding_id, c.status, RecordAction.REFERRAL_CREATED,
                           f"逾期未整改，{c.step.threshold}，已达问责移送条件（移送记录编号 {referral_id}）",
                           {"referral_id": referral_id, "escalation_id": c.escalation_id, "cycle": c.cycle}))
    return acts


# ---------------------------------------------------------------- 3. digests

def recipient_of(person: Person | None, unit: Unit) -> Recipient:
    if person is None:
        return Recipient(name=unit.name, unit=unit.name, email=unit.email)
    return Recipient(name=person.name, unit=unit.name, mobile=person.mobile, wecom_userid=person.wecom_userid,
                     email=person.email)


def notice_item(c_number: str, summary: str, unit: str, deadline: date, today: date, kind: str,
                demand: str) -> NoticeItem:
    return NoticeItem(finding_number=c_number, summary=summary, unit=unit, deadline=deadline,
                      days_left=(deadline - today).days, step=kind, demand=demand)


class Office:
    """Who signs and answers for the notices: the coordinating office."""

    def __init__(self, session: Session):
        coordinators = list(session.exec(select(Person).where(Person.role == Role.COORDINATOR, Person.active)
                                         .order_by(Person.id)))
        self.coordinators = coordinators
        unit = session.get(Unit, coordinators[0].unit_id) if coordinators else None
        self.name = unit.name if unit else DEFAULT_OFFICE
        first = coordinators[0] if coordinators else None
        self.contact = Contact(name=first.name, phone=first.mobile, email=first.email, office=self.name) if first else None


@dataclass
class _Bucket:
    route: Route
    units: dict[int, Unit] = field(default_factory=dict)
    items: dict[int, NoticeItem] = field(default_factory=dict)  # escalation id -> item
    mentions: dict[int, Person] = field(default_factory=dict)
    respond_within: int = 0


def _bucket_key(route: Route, unit: Unit) -> tuple:
    # The folder channel stands in for "nothing configured": one file per unit reads better than one for all.
    return (route.channel, route.target, unit.id if route.channel == "folder" else None)


def notice_key(prefix: str, key: tuple) -> str:
    channel, target, unit_id = key
    return f"{prefix}:{channel}:{target}" + (f":{unit_id}" if unit_id is not None else "")


class _Audiences:
    """Who each audience of an escalation is, and where their notices go."""

    def __init__(self, units: dict[int, Unit], people: dict[int, Person], heads: dict[int, Person],
                 office: Office, leaders: list[Person]):
        self.units, self.people, self.heads, self.leaders = units, people, heads, leaders
        first_by_unit: dict[int, Person] = {}
        for person in office.coordinators:
            first_by_unit.setdefault(person.unit_id, person)
        self.coordinators = list(first_by_unit.values())
        self._routes: dict[tuple, list[Route]] = {}

    def _routes_for(self, unit: Unit, person: Person | None) -> list[Route]:
        key = (unit.id, person.id if person else None)
        if key not in self._routes:  # thousands of items share a few hundred units
            self._routes[key] = routes_for(unit, person)
        return self._routes[key]

    def routes(self, c: Created, audience: Audience) -> list[tuple[Route, Unit, Person | None]]:
        """(route, unit, person to @mention or None) for one audience of one escalation."""
        lead = self.units[c.unit_id]
        if audience == Audience.RESPONSIBLE:
            person = self.people.get(c.responsible_person_id)
            return [(r, lead, person) for r in self._routes_for(lead, person)]
        if audience == Audience.UNIT_HEAD:
            person = self.people.get(c.responsible_leader_id) or self.heads.get(c.unit_id)
            return [(r, lead, person) for r in self._routes_for(lead, person)]
        if audience == Audience.LEAD_UNIT:
            return [(r, lead, None) for r in self._routes_for(lead, None)]
        if audience == Audience.COORDINATOR:
            return [(r, self.units[p.unit_id], None) for p in self.coordinators
                    for r in self._routes_for(self.units[p.unit_id], p)]
        return [(r, self.units[p.unit_id], p) for p in self.leaders for r in self._routes_for(self.units[p.unit_id], p)]


def _digests(session: Session, created: list[Created], heads: dict[int, Person], now: datetime,
             calendar: WorkCalendar, sweep_id: str, result: SweepResult) -> None:
    today = now.date()
    office = Office(session)
    leaders = list(session.exec(select(Person).where(Person.role == Role.LEADER, Person.active).order_by(Person.id)))
    unit_ids = {c.unit_id for c in created} | {p.unit_id for p in office.coordinators + leaders}
    units = {u.id: u for u in session.exec(select(Unit).where(Unit.id.in_(unit_ids)))}
    person_ids = {i for c in created for i in (c.responsible_person_id, c.responsible_leader_id) if i}
    people = {p.id: p for p in session.exec(select(Person).where(Person.id.in_(person_ids)))} if person_ids else {}
    if not office.coordinators and any(Audience.COORDINATOR in c.step.recipients for c in created):
        result.unreached.append("未登记整改办人员（角色“整改办”），发给整改办的通知无人接收")
    if not leaders and any(Audience.LEADER in c.step.recipients for c in created):
        result.unreached.append("未登记分管领导（角色“分管领导”），发给分管领导的通知无人接收")

    audiences = _Audiences(units, people, heads, office, leaders)
    buckets: dict[tuple, _Bucket] = {}
    item_dicts: dict[int, dict] = {}  # converted once per escalation, though it goes to several routes
    for c in created:
        item = notice_item(c.number, c.summary, units[c.unit_id].name, c.deadline, today, c.step.kind, c.step.demand)
        item_dicts[c.escalation_id] = item.to_dict()
        for audience in c.step.recipients:
            for route, unit, person in audiences.routes(c, audience):
                bucket = buckets.setdefault(_bucket_key(route, unit), _Bucket(route))
                bucket.units[unit.id] = unit
                bucket.items[c.escalation_id] = item
                if person is not None:
                    bucket.mentions[person.id] = person
                bucket.respond_within = min(bucket.respond_within or c.ladder.respond_within, c.ladder.respond_within)

    respond_by: dict[int, date] = {}
    for key in sorted(buckets, key=lambda k: (k[0], k[1], k[2] or 0)):
        bucket = buckets[key]
        unit_names = "、".join(u.name for u in bucket.units.values())
        mentioned = list(bucket.mentions.values())
        if len(mentioned) == 1:
            recipient = recipient_of(mentioned[0], units[mentioned[0].unit_id])
        else:
            recipient = Recipient(name=unit_names, unit=unit_names)
        order = sorted(bucket.items, key=lambda e: (bucket.items[e].days_left, bucket.items[e].unit,
                                                    bucket.items[e].finding_number))
        if bucket.respond_within not in respond_by:
            respond_by[bucket.respond_within] = calendar.add_workdays(today, bucket.respond_within)
        context = NoticeContext(
            kind="digest", recipient=recipient, office=office.name, issued_on=today,
            contact=office.contact, respond_by=respond_by[bucket.respond_within],
            # Everyone concerned is @mentioned on a group robot, not only the addressee.
            extra={"sweep_id": sweep_id,
                   "mentions": [recipient_of(p, units[p.unit_id]).to_dict() for p in mentioned]},
        ).to_dict()
        context["items"] = [item_dicts[e] for e in order]
        shown = unit_names + (f"（@{'、'.join(p.name for p in mentioned)}）" if mentioned else "")
        notice = QueuedNotice(notice_key(f"sweep:{sweep_id}", key), bucket.route.channel, bucket.route.target,
                              shown[:300], len(order))
        enqueue(session, key=notice.key, kind="digest", channel=notice.channel, target=notice.target,
                recipient=notice.recipient, context=context, now=now)
        result.notices.append(notice)


# ---------------------------------------------------------------- the sweep

def run_sweep(session: Session, now: datetime, policy: Policy, calendar: WorkCalendar,
              sweep_id: str | None = None) -> SweepResult:
    """Create every escalation due at `now` that is not recorded yet, with its formal
    records and digest notices. The caller owns the transaction (commit = all of it)."""
    sweep_id = sweep_id or new_sweep_id(now)
    variants = policy.resolve(session).variants()
    inserted = sum(_insert_escalations(session, v, now.date(), now, calendar, sweep_id) for v in variants)
    if not inserted:
        return SweepResult(sweep_id, now)
    return complete_sweep(session, now, calendar, sweep_id, variants)


def complete_sweep(session: Session, now: datetime, calendar: WorkCalendar, sweep_id: str,
                   variants: list[Variant]) -> SweepResult:
    """The formal records and digests for the escalations inserted under `sweep_id`."""
    result = SweepResult(sweep_id, now)
    result.created = _load_created(session, sweep_id, variants)
    unit_ids = {c.unit_id for c in result.created}
    result.unit_names = dict(session.execute(sql_select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    heads = _unit_heads(session, unit_ids)
    by_record: dict[Record, list[Created]] = defaultdict(list)
    for c in result.created:
        if c.step.record:
            by_record[c.step.record].append(c)
    acts = []
    if by_record[Record.INTERVIEW]:
        acts += _interviews(session, by_record[Record.INTERVIEW], heads, now, result)
    if by_record[Record.CIRCULAR]:
        acts += _circular(session, by_record[Record.CIRCULAR], now, result)
    if by_record[Record.REFERRAL]:
        acts += _referrals(session, by_record[Record.REFERRAL], sweep_id, now, result)
    append_bot_events(session, now, acts)
    _digests(session, result.created, heads, now, calendar, sweep_id, result)
    return result


# ---------------------------------------------------------------- notices for coordinators' acts

def queue_interview_notice(session: Session, interview: Interview, findings: list[Finding], now: datetime) -> list[str]:
    """The 约谈通知 to the unit (its head @mentioned), once per scheduled time."""
    unit = session.get(Unit, interview.unit_id)
    head = session.get(Person, interview.interviewee_id) if interview.interviewee_id else None
    office = Office(session)
    today = now.date()
    items = [notice_item(f.number, f.summary, unit.name, f.deadline, today, "interview", "约谈事由：逾期未整改到位")
             for f in findings]
    context = NoticeContext(
        kind="interview", recipient=recipient_of(head, unit), office=office.name, issued_on=today, items=items,
        contact=office.contact,
        extra={"interview_at": interview.scheduled_at, "place": interview.place, "interviewer": interview.interviewer,
               "interview_id": interview.id},
    )
    keys = []
    for route in dict.fromkeys(routes_for(unit, head)):
        key = notice_key(f"interview:{interview.id}:{interview.scheduled_at:%Y%m%dT%H%M}",
                         (route.channel, route.target, None))
        enqueue(session, key=key, kind="interview", channel=route.channel, target=route.target,
                recipient=f"{unit.name}" + (f"（{head.name}）" if head else ""), context=context.to_dict(), now=now)
        keys.append(key)
    return keys


def queue_circular_notices(session: Session, circular: Circular, entries, now: datetime) -> list[str]:
    """The issued circular, to every unit named in it (one notice per route)."""
    office = Office(session)
    today = now.date()
    items = [notice_item(f.number, f.summary, unit.name, f.deadline, today, "circular", "通报批评")
             for _, unit, f in entries]
    keys = []
    seen = set()
    for _, unit, _ in entries:
        for route in routes_for(unit):
            key = _bucket_key(route, unit)
            if key in seen:
                continue
            seen.add(key)
            context = NoticeContext(kind="circular", recipient=recipient_of(None, unit), office=office.name,
                                    issued_on=today, items=items, contact=office.contact,
                                    doc_number=circular.doc_number, extra={"circular_id": circular.id})
            notice = notice_key(f"circular:{circular.id}", key)
            enqueue(session, key=notice, kind="circular", channel=route.channel, target=route.target,
                    recipient=unit.name, context=context.to_dict(), now=now)
            keys.append(notice)
    return keys
