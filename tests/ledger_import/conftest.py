"""Fixtures for the ledger import tests: the sample county's units and
people, and a one-call import with the options a coordinator would give."""
from datetime import date, datetime

import pytest
from sqlalchemy import func, select
from sqlmodel import Session

from integrations.ledger_import import ImportOptions, import_ledger
from models.calendar import WorkCalendar
from models.schema import metadata
from tests.factories import build_world

# The audit report reached the county on 2025-09-25 (期限起算日); its
# undated deadlines ("6月30日前") fall in 2026.
NOW = datetime(2025, 9, 26, 9, 0)
ANCHOR = date(2025, 9, 25)
DEFAULT_YEAR = 2026
SOURCE = "XX县新型农村合作医疗基金专项审计调查"


@pytest.fixture
def world(engine):
    with Session(engine, expire_on_commit=False) as session, session.begin():
        return build_world(session, NOW)


@pytest.fixture
def run_import(engine, world):
    """Import `path` as 王主任 (整改办) into the sample source; returns the ImportReport."""
    calendar = WorkCalendar()

    def run(path, *, source=SOURCE, **options):
        return import_ledger(engine, path, ImportOptions(
            source=source, actor="王主任", now=NOW, anchor=ANCHOR, default_year=DEFAULT_YEAR, **options), calendar)

    return run


def row_counts(engine) -> dict[str, int]:
    """Rows in every table, to show an import changed nothing."""
    with engine.connect() as connection:
        return {table.name: connection.execute(select(func.count()).select_from(table)).scalar_one()
                for table in metadata.sorted_tables}
