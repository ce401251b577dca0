"""One scheduler per database.

APScheduler must never share a job store between schedulers (two did run
jobs twice here), so `rectify run` takes a lock that the operating system
or the database releases when the process dies — no stale lease to expire
after a crash:
- PostgreSQL: a session-level advisory lock held on a dedicated connection;
- SQLite: an exclusive flock on a file beside the database file.
"""
import fcntl
import os
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url

from models.errors import RectifyError

ADVISORY_KEY = 0x52454354  # "RECT": one key per database is enough


class SchedulerAlreadyRunning(RectifyError):
    """Another `rectify run` holds this database's lock."""


class SchedulerLock:
    def __init__(self, engine: Engine):
        self.engine = engine
        self._connection = None
        self._file = None

    def acquire(self) -> "SchedulerLock":
        if self.engine.dialect.name == "postgresql":
            self._acquire_advisory()
        else:
            self._acquire_file()
        return self

    def release(self) -> None:
        if self._connection is not None:
            self._connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_KEY})
            self._connection.close()
            self._connection = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None

    def __enter__(self):
        return self.acquire()

    def __exit__(self, *exc):
        self.release()

    def _acquire_advisory(self) -> None:
        connection = self.engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        got = connection.execute(text("SELECT pg_try_advisory_lock(:key)"), {"key": ADVISORY_KEY}).scalar()
        if not got:
            connection.close()
            raise SchedulerAlreadyRunning("该数据库已有一个调度进程在运行（rectify run），不能同时启动第二个，以免重复发送通知。")
        self._connection = connection

    def _acquire_file(self) -> None:
        path = lock_path(self.engine)
        handle = open(path, "a+")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.seek(0)
            holder = handle.read().strip() or "未知"
            handle.close()
            raise SchedulerAlreadyRunning(
                f"该数据库已有一个调度进程在运行（进程号 {holder}，锁文件 {path}），不能同时启动第二个，以免重复发送通知。"
            ) from None
        handle.seek(0)
        handle.truncate()
        handle.write(str(os.getpid()))
        handle.flush()
        self._file = handle


def lock_path(engine: Engine) -> Path:
    database = make_url(engine.url).database or "memory"
    return Path(database).with_name(Path(database).name + ".scheduler.lock")
