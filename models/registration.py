"""Registering findings: the write model for a new ledger row, and the
directory that resolves the names a ledger uses (units, people, categories,
sources) to rows, creating units and people where the caller allows it.
Used by `rectify finding add` and by the ledger import alike."""
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import text
from sqlmodel import Session, select

from models.db import bulk_insert
from models.calendar import WorkCalendar
from models.deadlines import DeadlineRule, compute_deadline
from models.errors import RectifyError, ValidationError
from models.history import FindingEvent, first_event_values
from models.ledger import Category, Evidence, Finding, FindingCoUnit, Milestone, Person, Recovery, Source, Unit
from models.lifecycle import Action, Actor
from models.vocab import RecoveryKind, RectificationType, Role, Status, UnitKind


@dataclass
class MilestoneIn:
    title: str
    due_on: date


@dataclass
class FindingIn:
    """A finding as a coordinator or a ledger row states it, by names."""

    number: str
    summary: str
    category: str
    lead_unit: str
    rule: DeadlineRule
    rectification_type: RectificationType = RectificationType.PHASED
    description: str | None = None
    amount_involved: Decimal | None = None
    legal_basis: str | None = None
    directive: str | None = None
    audited_unit: str | None = None
    co_units: list[str] = field(default_factory=list)
    responsible_leader: str | None = None
    responsible_person: str | None = None
    measures: str | None = None
    milestones: list[MilestoneIn] = field(default_factory=list)
    remarks: str | None = None
    # Historic ledgers arrive with work already done:
    status: Status = Status.PENDING
    progress: str | None = None
    result: str | None = None
    closed_on: date | None = None
    amounts_rectified: dict[RecoveryKind, Decimal] = field(default_factory=dict)
    evidence_references: list[str] = field(default_factory=list)


IMPORTABLE_STATUSES = (Status.PENDING, Status.IN_PROGRESS, Status.PARTIAL, Status.CLOSED)


def guess_unit_kind(name: str) -> UnitKind:
    if any(word in name for word in ("药店", "药房", "大药房")):
        return UnitKind.PHARMACY
    if any(word in name for word in ("医院", "卫生院", "诊所", "卫生室", "门诊部", "医疗机构")):
        return UnitKind.HOSPITAL
    if any(word in name for word in ("经办", "农合办", "医保中心", "医疗保险事业")):
        return UnitKind.AGENCY
    return UnitKind.DEPARTMENT


class Directory:
    """Name → row lookups for one transaction, cached so bulk imports stay fast.

    With create_missing, units and people named but not yet known are created
    and listed in `created_units` / `created_people` for the caller to report.
    """

    def __init__(self, session: Session, now: datetime, create_missing: bool = True):
        self.session = session
        self.now = now
        self.create_missing = create_missing
        self.created_units: list[str] = []
        self.created_people: list[str] = []
        self._units: dict[str, Unit] = {}
        self._people: dict[tuple[int, str], Person] = {}
        self._categories = {c.name: c for c in session.exec(select(Category))}

    def category(self, name: str) -> Category:
        category = self._categories.get(name.strip())
        if category is None:
            raise ValidationError(
                f"问题类别“{name}”不在类别表中（可先用 rectify category add 添加，或改用已有类别，如：其他）"
            )
        return category

    def unit(self, name: str) -> Unit:
        name = name.strip()
        if name in self._units:
            return self._units[name]
        unit = self.session.exec(select(Unit).where(Unit.name == name)).first()
        if unit is None:
            if not self.create_missing:
                raise ValidationError(f"单位“{name}”尚未登记（可用 rectify unit add 新增）")
            unit = Unit(name=name, kind=guess_unit_kind(name), created_at=self.now)
            self.session.add(unit)
            self.session.flush()
            self.created_units.append(name)
        self._units[name] = unit
        return unit

    def person(self, name: str, unit: Unit, role: Role) -> Person:
        """A person of `unit` by name; created with `role` when new."""
        key = (unit.id, name.strip())
        if key in self._people:
            return self._people[key]
        person = self.session.exec(select(Person).where(Person.unit_id == unit.id, Person.name == key[1])).first()
        if person is None:
            if not self.create_missing:
                raise ValidationError(f"{unit.name}没有名为“{key[1]}”的人员（可用 rectify person add 新增）")
            person = Person(name=key[1], unit_id=unit.id, role=role)
            self.session.add(person)
            self.session.flush()
            self.created_people.append(f"{unit.name}·{key[1]}")
        self._people[key] = person
        return person


def find_source(session: Session, title: str) -> Source:
    source = session.exec(select(Source).where((Source.title == title) | (Source.doc_number == title))).first()
    if source is None:
        raise ValidationError(f"问题来源“{title}”不存在，请先用 rectify source add 登记")
    return source


def existing_numbers(session: Session, source_id: int) -> set[str]:
    return set(session.exec(select(Finding.number).where(Finding.source_id == source_id)))


@dataclass
class Prepared:
    """A validated finding with its names resolved, ready to insert."""

    data: FindingIn
    source: Source
    category: Category
    lead: Unit
    co_units: list[Unit]
    audited: Unit | None
    leader: Person | None
    person: Person | None
    deadline: date


def prepare_finding(directory: Directory, source: Source, data: FindingIn, calendar: WorkCalendar) -> Prepared:
    """Check one finding and resolve its names; raises ValidationError, writes only new units/people."""
    if data.status not in IMPORTABLE_STATUSES:
        raise ValidationError(f"状态“{data.status}”不能直接登记（审核中的问题请按流程办理）", "status")
    if data.status == Status.CLOSED and data.closed_on is None:
        raise ValidationError("状态为已销号的问题须填写销号日期", "closed_on")
    if not data.number.strip() or not data.summary.strip():
        raise ValidationError("问题编号和问题摘要不能为空", "number")
    with _about("category"):
        category = directory.category(data.category)
    with _about("lead_unit"):
        lead = directory.unit(data.lead_unit)
    with _about("co_units"):
        names = dict.fromkeys(n.strip() for n in data.co_units if n.strip() and n.strip() != lead.name)
        co_units = [directory.unit(name) for name in names]
    with _about("audited_unit"):
        audited = directory.unit(data.audited_unit) if data.audited_unit else None
    with _about("responsible_leader"):
        leader = directory.person(data.responsible_leader, lead, Role.UNIT_HEAD) if data.responsible_leader else None
    with _about("responsible_person"):
        person = directory.person(data.responsible_person, lead, Role.UNIT_STAFF) if data.responsible_person else None
    with _about("deadline"):
        deadline = compute_deadline(data.rule, calendar)
    return Prepared(data, source, category, lead, co_units, audited, leader, person, deadline)


@contextmanager
def _about(field_name: str):
    """Tag a rule error with the input field it concerns."""
    try:
        yield
    except RectifyError as exc:
        exc.field = exc.field or field_name
        raise

def insert_findings(session: Session, items: list[Prepared], actor: Actor, now: datetime) -> list[int]:
    """Insert prepared findings, their children and registration events in bulk; returns the new ids."""
    if not items:
        return []
    # Complete rows, written without RETURNING: the ORM's bulk insert splits rows
    # whose None fields differ into separate statements, and an ordered
    # RETURNING runs one statement per row on SQLite (results spliced
    # quadratically) and a slow INSERT … SELECT … ORDER BY on PostgreSQL.
    # PostgreSQL hands out the ids from the sequence first; SQLite's are read
    # back by the unique (source, number). Not so on PostgreSQL: inside the
    # import's transaction its planner believes the table empty and would scan
    # the whole table for every chunk.
    rows = [_finding_values(p, now) for p in items]
    postgres = session.get_bind().dialect.name == "postgresql"
    if postgres:
        for row, finding_id in zip(rows, _reserve_ids(session, len(rows))):
            row["id"] = finding_id
    bulk_insert(session, Finding.__table__, rows)
    ids = [row["id"] for row in rows] if postgres else _new_ids(session, items)
    co_units, milestones, recoveries, evidence, events = [], [], [], [], []
    for finding_id, p in zip(ids, items):
        data = p.data
        co_units += [{"finding_id": finding_id, "unit_id": u.id} for u in p.co_units]
        milestones += [{"finding_id": finding_id, "seq": seq, "title": m.title, "due_on": m.due_on, "done_on": None}
                       for seq, m in enumerate(data.milestones, start=1)]
        on_date = data.closed_on or now.date()
        recoveries += [{"finding_id": finding_id, "kind": kind, "amount": amount, "on_date": on_date,
                        "note": "台账导入", "recorded_by_id": actor.person.id, "recorded_at": now}
                       for kind, amount in data.amounts_rectified.items()]
        evidence += [{"finding_id": finding_id, "name": ref, "sha256": None, "stored_path": None, "reference": ref,
                      "added_by_id": actor.person.id, "added_at": now} for ref in data.evidence_references]
        events.append(first_event_values(
            finding_id=finding_id, at=now, actor_id=actor.person.id, actor_name=actor.person.name,
            actor_role=actor.person.role, action=Action.REGISTER, to_status=data.status,
            payload={"source": p.source.title, "deadline": p.deadline.isoformat(), "rule": data.rule.describe(),
                     "lead_unit": p.lead.name, "co_units": [u.name for u in p.co_units],
                     "amounts_rectified": {str(k): str(v) for k, v in data.amounts_rectified.items()}},
        ))
    for model, rows in ((FindingCoUnit, co_units), (Milestone, milestones), (Recovery, recoveries),
                        (Evidence, evidence), (FindingEvent, events)):
        if rows:
            bulk_insert(session, model.__table__, rows)
    return ids


def _reserve_ids(session: Session, count: int) -> list[int]:
    query = text("SELECT nextval(pg_get_serial_sequence('finding', 'id')) FROM generate_series(1, :count)")
    return list(session.execute(query, {"count": count}).scalars())


def _new_ids(session: Session, items: list[Prepared]) -> list[int]:
    keys = [(p.source.id, p.data.number.strip()) for p in items]
    by_source: dict[int, list[str]] = {}
    for source_id, number in keys:
        by_source.setdefault(source_id, []).append(number)
    found = {}
    for source_id, numbers in by_source.items():
        for start in range(0, len(numbers), 1000):
            query = select(Finding.number, Finding.id).where(
                Finding.source_id == source_id, Finding.number.in_(numbers[start:start + 1000]))
            found.update({(source_id, number): finding_id for number, finding_id in session.execute(query)})
    return [found[key] for key in keys]


def _finding_values(p: Prepared, now: datetime) -> dict:
    data = p.data
    return {
        "source_id": p.source.id, "number": data.number.strip(), "category_id": p.category.id,
        "summary": data.summary, "description": data.description, "amount_involved": data.amount_involved,
        "legal_basis": data.legal_basis, "directive": data.directive,
        "rectification_type": data.rectification_type, "audited_unit_id": p.audited and p.audited.id,
        "lead_unit_id": p.lead.id, "responsible_leader_id": p.leader and p.leader.id,
        "responsible_person_id": p.person and p.person.id, "measures": data.measures, "result": data.result,
        "progress": data.progress, "deadline": p.deadline, "deadline_kind": data.rule.kind,
        "deadline_days": data.rule.days, "deadline_anchor": data.rule.anchor, "status": data.status,
        "cycle": 1, "submitted_by_id": None, "shortfall_reason": None, "closed_on": data.closed_on,
        "remarks": data.remarks, "created_at": now, "updated_at": now,
    }


def register_finding(
    session: Session, directory: Directory, source: Source, data: FindingIn, actor: Actor,
    now: datetime, calendar: WorkCalendar,
) -> Finding:
    """Register one finding (the `finding add` path); same rules as the import."""
    prepared = prepare_finding(directory, source, data, calendar)
    if data.number.strip() in existing_numbers(session, source.id):
        raise ValidationError(f"来源“{source.title}”中已有编号为 {data.number} 的问题")
    [finding_id] = insert_findings(session, [prepared], actor, now)
    return session.get(Finding, finding_id)
