"""Schema management: migrations are applied explicitly, checked at
start-up, match the models, and never lose data on upgrade."""
import subprocess
import sys

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text

from models.db import check_schema, current_revision, head_revision, make_engine, upgrade
from models.errors import SchemaOutOfDate
from models.schema import metadata


def test_migrations_match_the_models(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine)
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection, opts={"compare_type": True}), metadata)
    engine.dispose()
    assert differences == []


def test_startup_check_refuses_an_unmigrated_database(empty_database_url):
    engine = make_engine(empty_database_url)
    with pytest.raises(SchemaOutOfDate) as excinfo:
        check_schema(engine)
    assert "rectify db upgrade" in str(excinfo.value)
    upgrade(engine, "0001")
    with pytest.raises(SchemaOutOfDate) as excinfo:
        check_schema(engine)
    assert "0001" in str(excinfo.value) and head_revision() in str(excinfo.value)
    engine.dispose()


def test_upgrade_keeps_existing_data(empty_database_url):
    engine = make_engine(empty_database_url)
    upgrade(engine, "0001")
    with engine.begin() as connection:
        connection.execute(text(
            "INSERT INTO unit (name, kind, created_at) VALUES ('县医保局', '行政部门', '2026-03-01 09:00:00')"))
        connection.execute(text(
            "INSERT INTO source (kind, title, created_at) VALUES ('审计', '专项审计', '2026-03-01 09:00:00')"))
        connection.execute(text(
            "INSERT INTO finding (source_id, number, category_id, summary, rectification_type, lead_unit_id,"
            " amount_involved, deadline, deadline_kind, status, cycle, created_at, updated_at)"
            " VALUES (1, '1', 1, '配套资金拨付不及时', '立行立改', 1, 1489100, '2026-04-01', 'fixed', '待整改', 1,"
            " '2026-03-01 09:00:00', '2026-03-01 09:00:00')"))
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    with engine.connect() as connection:
        row = connection.execute(text("SELECT summary, amount_involved FROM finding")).one()
        categories = connection.execute(text("SELECT count(*) FROM category")).scalar()
    assert tuple(row) == ("配套资金拨付不及时", 1489100)
    assert categories > 20
    engine.dispose()


def test_help_imports_neither_prefect_nor_the_database_layer():
    probe = (
        "import sys\n"
        "from flows.cli.main import app\n"
        "try:\n    app(['--help'])\nexcept SystemExit:\n    pass\n"
        "print('LOADED', sorted(m for m in ('prefect', 'sqlmodel', 'sqlalchemy') if m in sys.modules))\n"
    )
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60)
    assert "整改跟踪机器人" in result.stdout
    assert "LOADED []" in result.stdout
