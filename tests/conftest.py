"""Shared fixtures. The `engine` fixture runs each test that uses it twice:
on a SQLite file and on the PostgreSQL server at 127.0.0.1 (database
`rectify_test`, created here). Without a reachable server the PostgreSQL
runs are skipped, unless RECTIFY_REQUIRE_POSTGRES=1 (CI sets it), where
its absence fails the run."""
import os
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from models.db import make_engine, upgrade
from models.schema import metadata

POSTGRES_ADMIN_URL = os.environ.get("RECTIFY_TEST_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
# One database per test session, so two runs on one machine never drop each other's tables.
POSTGRES_TEST_DB = os.environ.get("RECTIFY_TEST_PG_DB", f"rectify_test_{os.getpid()}")
SAMPLES = Path(__file__).resolve().parent.parent.parent / "shared" / "samples"
if not SAMPLES.is_dir():
    SAMPLES = Path(os.environ.get("RECTIFY_SAMPLES", "/work/shared/samples"))

os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_ENABLED", "false")

pytest_plugins = ["tests.fakes.plugin"]


def create_postgres_database(name: str) -> str | None:
    """Create a fresh, empty database `name`; its URL, or None when no server answers."""
    try:
        admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        admin.dispose()
    except Exception as exc:  # any failure to reach the server means "no PostgreSQL here"
        if os.environ.get("RECTIFY_REQUIRE_POSTGRES") == "1":
            pytest.fail(f"PostgreSQL is required (RECTIFY_REQUIRE_POSTGRES=1) but unreachable: {exc}")
        return None
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"


def drop_postgres_databases(*names: str) -> None:
    admin = create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        for name in names:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(scope="session")
def database_urls(tmp_path_factory):
    urls = {"sqlite": f"sqlite:///{tmp_path_factory.mktemp('db') / 'rectify.db'}"}
    pg = create_postgres_database(POSTGRES_TEST_DB)
    if pg:
        urls["postgresql"] = pg
    yield urls
    if pg:
        drop_postgres_databases(POSTGRES_TEST_DB, f"{POSTGRES_TEST_DB}_empty")


@pytest.fixture(scope="session")
def _migrated_engines(database_urls):
    engines = {}
    for name, url in database_urls.items():
        engine = make_engine(url)
        upgrade(engine)
        engines[name] = engine
    yield engines
    for engine in engines.values():
        engine.dispose()


def _empty_tables(engine) -> None:
    """Delete all rows except the seeded categories, so each test starts clean."""
    tables = [t for t in reversed(metadata.sorted_tables) if t.name != "category"]
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            connection.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            connection.execute(text("DELETE FROM category WHERE NOT builtin"))
        else:
            for table in tables:
                connection.execute(table.delete())
            connection.execute(text("DELETE FROM category WHERE NOT builtin"))


@pytest.fixture(params=["sqlite", "postgresql"])
def engine(request, _migrated_engines):
    if request.param not in _migrated_engines:
        pytest.skip("PostgreSQL server not reachable on 127.0.0.1:5432")
    engine = _migrated_engines[request.param]
    _empty_tables(engine)
    return engine


@pytest.fixture(params=["sqlite", "postgresql"])
def empty_database_url(request, tmp_path):
    """A URL of a new, empty (unmigrated) database on each backend."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'empty.db'}"
    url = create_postgres_database(f"{POSTGRES_TEST_DB}_empty")
    if url is None:
        pytest.skip("PostgreSQL server not reachable on 127.0.0.1:5432")
    return url


@pytest.fixture
def now():
    return datetime(2026, 3, 2, 9, 0)


@pytest.fixture
def samples_dir() -> Path:
    return SAMPLES

