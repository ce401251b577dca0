"""A ledger to sweep: the county world of tests/factories.py, findings with
fixed deadlines, and one-line helpers to run sweeps and read back what a
coordinator would look at (escalations, records, the outbox)."""
from contextlib import contextmanager
from datetime import date, datetime, time

import pytest
from sqlmodel import Session, select

from models.calendar import WorkCalendar
from models.db import transaction
from models.deadlines import DeadlineKind
from models.escalation import Escalation
from models.ledger import Finding, Person, Source, Unit
from models.outbox import Notice
from models.policy import load_policy
from models.sweep import run_sweep
from tests.factories import World, build_world

REGISTERED = datetime(2026, 1, 5, 9, 0)


def at(day: date) -> datetime:
    """Sweeps run at 09:00 local time."""
    return datetime.combine(day, time(9, 0))


class Ledger:
    def __init__(self, engine, calendar: WorkCalendar, policy):
        self.engine = engine
        self.calendar = calendar
        self.policy = policy
        with transaction(engine) as session:
            build_world(session, REGISTERED)

    @contextmanager
    def world(self, now: datetime = REGISTERED):
        with transaction(self.engine) as session:
            yield World(session, now, session.exec(select(Source)).one(),
                        {u.name: u for u in session.exec(select(Unit))},
                        {p.name: p for p in session.exec(select(Person))}, self.calendar)

    def add(self, number: str, deadline: date, **kwargs) -> int:
        kwargs.setdefault("amount", None)
        with self.world() as w:
            return w.finding(number, kind=DeadlineKind.FIXED, anchor=deadline, **kwargs).id

    def configure_unit(self, name: str, **fields) -> None:
        with transaction(self.engine) as session:
            unit = session.exec(select(Unit).where(Unit.name == name)).one()
            for key, value in fields.items():
                setattr(unit, key, value)
            session.add(unit)

    def sweep(self, day, policy=None):
        now = day if isinstance(day, datetime) else at(day)
        with transaction(self.engine) as session:
            return run_sweep(session, now, policy or self.policy, self.calendar)

    def escalations(self) -> list[tuple[str, str, int]]:
        with Session(self.engine) as session:
            rows = session.exec(select(Finding.number, Escalation.step, Escalation.cycle)
                                .join(Finding, Finding.id == Escalation.finding_id).order_by(Escalation.id))
            return [tuple(r) for r in rows]

    def notices(self) -> list[Notice]:
        with Session(self.engine) as session:
            return list(session.exec(select(Notice).order_by(Notice.id)))


@pytest.fixture
def calendar():
    return WorkCalendar()


@pytest.fixture
def policy():
    return load_policy()


@pytest.fixture
def ledger(engine, calendar, policy):
    return Ledger(engine, calendar, policy)
