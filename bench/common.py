"""What the benchmarks share: a fresh database to measure on."""
import os
from pathlib import Path

PG_ADMIN = os.environ.get("RECTIFY_BENCH_PG_ADMIN", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")


def fresh_database(backend: str, name: str, workdir: Path) -> str:
    """The URL of a new, empty database `name`: a SQLite file in `workdir`, or a PostgreSQL database."""
    from sqlalchemy import create_engine, text

    if backend == "sqlite":
        path = workdir / f"{name}.db"
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)
        return f"sqlite:///{path}"
    admin = create_engine(PG_ADMIN, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with admin.connect() as connection:
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return PG_ADMIN.rsplit("/", 1)[0] + f"/{name}"
