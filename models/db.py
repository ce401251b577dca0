"""Engines, transactions and the schema version check.

SQLite is the zero-setup default and PostgreSQL the real deployment; both
go through the same code. On SQLite every transaction starts with
BEGIN IMMEDIATE: concurrent writers then queue on the busy timeout instead
of failing when a reader tries to become a writer mid-transaction.
"""
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from models.errors import SchemaOutOfDate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def normalise_url(url: str) -> str:
    """Accept plain postgresql:// URLs and use the psycopg 3 driver for them."""
    parsed = make_url(url)
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    return parsed.render_as_string(hide_password=False)


def make_engine(url: str) -> Engine:
    url = normalise_url(url)
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 60, "check_same_thread": False})
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_begin_immediate)
        return engine
    return create_engine(url, pool_pre_ping=True)


def _sqlite_on_connect(dbapi_connection, _record):
    # Let SQLAlchemy's "begin" hook issue BEGIN itself (pysqlite's own
    # implicit BEGIN would be deferred and could not be made IMMEDIATE).
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=60000")
    cursor.close()


def _sqlite_begin_immediate(connection):
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def is_postgres(engine: Engine) -> bool:
    return engine.dialect.name == "postgresql"


@contextmanager
def transaction(engine: Engine):
    """A session whose work is committed on success and rolled back on any error."""
    with Session(engine, expire_on_commit=False) as session:
        with session.begin():
            yield session


def bulk_insert(session: Session, table, rows: list[dict]) -> None:
    """Rows with the same keys, straight to the driver in the session's
    transaction: a COPY on PostgreSQL, which the server takes several times
    faster than as many INSERTs; an executemany on SQLite. The columns' own
    bind processing (fen, dates) is applied as SQLAlchemy would."""
    if not rows:
        return
    dialect = session.get_bind().dialect
    names = list(rows[0])
    processors = [(index, processor) for index, name in enumerate(names)
                  if (processor := table.c[name].type.bind_processor(dialect)) is not None]

    def values():
        for row in rows:
            listed = [row[name] for name in names]
            for index, processor in processors:
                listed[index] = processor(listed[index])
            yield listed

    quote = dialect.identifier_preparer.quote
    columns = ", ".join(quote(name) for name in names)
    connection = session.connection().connection.driver_connection
    if dialect.name == "postgresql":
        with connection.cursor() as cursor, cursor.copy(f"COPY {quote(table.name)} ({columns}) FROM STDIN") as copy:
            for listed in values():
                copy.write_row(listed)
    else:
        marks = ", ".join("?" * len(names))
        connection.executemany(f"INSERT INTO {quote(table.name)} ({columns}) VALUES ({marks})", values())


def _alembic_config(connection=None):
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


@lru_cache(maxsize=1)
def head_revision() -> str:
    from alembic.script import ScriptDirectory

    return ScriptDirectory.from_config(_alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    from alembic import command

    with engine.begin() as connection:
        command.upgrade(_alembic_config(connection), revision)


def downgrade(engine: Engine, revision: str) -> None:
    from alembic import command

    with engine.begin() as connection:
        command.downgrade(_alembic_config(connection), revision)


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database whose schema is not the code's."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        raise SchemaOutOfDate("数据库尚未初始化，请先运行：rectify db upgrade")
    raise SchemaOutOfDate(
        f"数据库结构版本为 {current}，本程序需要 {head}。请先备份数据库，再运行：rectify db upgrade"
    )
