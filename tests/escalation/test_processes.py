"""Real `rectify sweep` processes on one database: several at once, and one
killed with SIGKILL in the middle of its transaction. Afterwards every
(finding, step, cycle) exists exactly once, with its record, its history
event and one place in one digest per route.

How the processes are held at a known point, without mocking our code:
- concurrency: the test holds a lock the sweeps need (PostgreSQL: LOCK
  TABLE escalation IN SHARE MODE, and waits until all are blocked on it in
  pg_stat_activity; SQLite: a write transaction) and releases it at once;
- SIGKILL on PostgreSQL: LOCK TABLE notice, so the sweep blocks after it
  wrote its escalations, records and events (its backend has an xid);
- SIGKILL on SQLite: the documented test hook RECTIFY_SWEEP_PAUSE_BEFORE_NOTICES
  (flows/cli/escalation_cmds.py) sleeps at that same point.
"""
import os
import subprocess
import sys
import time
from collections import Counter
from contextlib import contextmanager
from datetime import date, timedelta
from pathlib import Path

from sqlalchemy import text
from sqlmodel import Session, select

from flows.cli.escalation_cmds import PAUSE_ENV
from models.escalation import CircularEntry, InterviewItem, Referral
from models.history import FindingEvent, verify_all
from notices.context import NoticeContext

RECTIFY = Path(sys.executable).parent / "rectify"
SWEEP_DAY = date(2026, 3, 25)


def seed(ledger) -> int:
    """Findings at every step of the ladder on SWEEP_DAY, in two units; returns how many are due."""
    ledger.configure_unit("县新农合办公室", wecom_robot="xnh_group")
    deadlines = [date(2026, 2, 20)] + [date(2026, 3, 1) + timedelta(days=i) for i in range(31)]
    for i, deadline in enumerate(deadlines):
        if i % 3 == 2:
            ledger.add(f"P-{i}", deadline, lead_unit="县财政局", co_units=())
        else:
            ledger.add(f"P-{i}", deadline)
    return sum(1 for d in deadlines if d <= SWEEP_DAY + timedelta(days=7))


def launch(engine, cwd, **env):
    environment = {**os.environ, "RECTIFY_DATABASE_URL": engine.url.render_as_string(hide_password=False),
                   "RECTIFY_NOW": SWEEP_DAY.isoformat(), **env}
    environment.pop("RECTIFY_CONFIG", None)
    return subprocess.Popen([str(RECTIFY), "sweep"], cwd=cwd, env=environment, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def is_postgres(engine) -> bool:
    return engine.dialect.name == "postgresql"


def wait_for(condition, what: str, timeout: float = 30.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def blocked_backends(engine, statement: str) -> list[tuple[int, str | None]]:
    with engine.connect() as connection:
        return [tuple(r) for r in connection.execute(text(
            "SELECT pid, backend_xid::text FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE :q"),
            {"q": f"%{statement}%"})]


def backend_alive(engine, pid: int) -> bool:
    # A new transaction each time: pg_stat_activity is a snapshot taken once per transaction.
    with engine.connect() as connection:
        return connection.execute(text("SELECT 1 FROM pg_stat_activity WHERE pid = :p"), {"p": pid}).first() is not None


@contextmanager
def held(engine, table: str):
    """Hold what a sweep needs to write `table` until the block ends."""
    connection = engine.connect()
    transaction = connection.begin()  # on SQLite: BEGIN IMMEDIATE, the database's write lock
    try:
        if is_postgres(engine):
            connection.execute(text(f"LOCK TABLE {table} IN SHARE MODE"))
        yield
    finally:
        transaction.rollback()
        connection.close()


def assert_everything_once(ledger, due: int) -> None:
    keys = Counter(ledger.escalations())
    assert len(keys) == due and set(keys.values()) == {1}
    placed = Counter((n.channel, n.target, n.key.split(":")[-1] if n.channel == "folder" else "", item.finding_number)
                     for n in ledger.notices() for item in NoticeContext.from_dict(n.data).items)
    assert placed and set(placed.values()) == {1}
    with Session(ledger.engine) as session:
        for model in (InterviewItem, CircularEntry, Referral):
            findings = Counter(session.exec(select(model.finding_id)).all())
            assert findings and set(findings.values()) == {1}, model.__name__
        acts = Counter(session.exec(select(FindingEvent.finding_id, FindingEvent.action).where(
            FindingEvent.actor_id.is_(None))).all())
        assert acts and set(acts.values()) == {1}
        assert verify_all(session)[1] == []


def test_concurrent_sweep_processes_create_everything_once(ledger, engine, tmp_path):
    due = seed(ledger)
    with held(engine, "escalation"):
        processes = [launch(engine, tmp_path) for _ in range(3)]
        if is_postgres(engine):
            wait_for(lambda: len(blocked_backends(engine, "INSERT INTO escalation")) == 3, "three blocked sweeps")
        else:
            time.sleep(2.0)  # all three are queued on SQLite's write lock (busy timeout 60 s)
    outputs = [p.communicate(timeout=120) for p in processes]
    assert [p.returncode for p in processes] == [0, 0, 0], outputs
    reports = [out for out, _ in outputs]
    assert sum(f"新生成督办事项 {due} 项" in out for out in reports) == 1, reports
    assert sum("没有新的到期提醒或督办事项" in out for out in reports) == 2, reports
    assert_everything_once(ledger, due)


def test_sweep_killed_midway_is_completed_by_the_next_one(ledger, engine, tmp_path):
    due = seed(ledger)
    if is_postgres(engine):
        with held(engine, "notice"):
            process = launch(engine, tmp_path)
            backend = wait_for(lambda: blocked_backends(engine, "INSERT INTO notice"), "the sweep to reach the outbox")
            assert backend[0][1] is not None  # it has written: escalations, records, history events
            process.kill()
            process.wait(timeout=10)
        # The orphaned backend notices its client is gone and rolls back.
        wait_for(lambda: not backend_alive(engine, backend[0][0]), "the killed backend to end")
    else:
        process = launch(engine, tmp_path, **{PAUSE_ENV: "120"})
        assert "paused before writing notices" in process.stderr.readline()
        process.kill()
        process.wait(timeout=10)
    assert process.returncode == -9
    assert ledger.escalations() == [] and ledger.notices() == []  # nothing of the killed sweep is visible

    rerun = launch(engine, tmp_path)
    out, err = rerun.communicate(timeout=120)
    assert rerun.returncode == 0, err
    assert f"新生成督办事项 {due} 项" in out
    assert_everything_once(ledger, due)
    again = launch(engine, tmp_path)
    assert "没有新的到期提醒或督办事项" in again.communicate(timeout=120)[0]
    assert_everything_once(ledger, due)
