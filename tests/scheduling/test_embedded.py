"""`rectify run`: the embedded scheduler as a real process — it does the
work on its schedule, refuses a second scheduler on the same database,
stops on SIGTERM and restarts without sending anything twice."""
import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta

import pytest
from sqlalchemy import func, select

from models.db import transaction
from models.escalation import Escalation
from models.outbox import Notice, NoticeStatus
from tests.factories import build_world

START = datetime(2026, 4, 14, 9, 0)  # a Tuesday: offices (and the sweep) work
CONFIG = """\
data_dir = "data"
[schedule]
sweep = "every 1s"
dispatch = "every 1s"
daily_digest = "off"
report = "off"
"""


@pytest.fixture
def bot(engine, tmp_path):
    """An overdue finding in the database and a config that runs the jobs every second."""
    with transaction(engine) as session:
        world = build_world(session, START - timedelta(days=40))
        world.finding("2-4", days=30)  # deadline ten days ago: 约谈 is due now
    (tmp_path / "rectify.toml").write_text(CONFIG, encoding="utf-8")
    env = {**os.environ, "RECTIFY_CONFIG": str(tmp_path / "rectify.toml"),
           "RECTIFY_DATABASE_URL": engine.url.render_as_string(hide_password=False), "PYTHONUNBUFFERED": "1"}
    env.pop("RECTIFY_NOW", None)
    started = []

    def start():
        process = subprocess.Popen([sys.executable, "-m", "flows.cli.main", "run", "--now", f"{START:%Y-%m-%d %H:%M}"],
                                   env=env, cwd=tmp_path,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        started.append(process)
        return process

    yield start, tmp_path
    for process in started:
        if process.poll() is None:
            process.kill()
            process.wait()


def counts(engine):
    with transaction(engine) as session:
        return (session.execute(select(func.count()).select_from(Escalation)).scalar(),
                session.execute(select(func.count()).select_from(Notice)).scalar(),
                session.execute(select(func.count()).select_from(Notice)
                                .where(Notice.status == NoticeStatus.SENT)).scalar())


def wait_for(condition, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.3)
    return False


def test_runs_on_schedule_refuses_a_second_scheduler_and_restarts_without_duplicates(engine, bot):
    start, folder = bot
    first = start()
    assert wait_for(lambda: counts(engine)[2] >= 1), "the scheduler did not send the digest"
    outbox = list((folder / "data" / "outbox").glob("*"))
    assert outbox and "约谈" in "".join(p.read_text(encoding="utf-8") for p in outbox if p.is_file())

    second = start()
    output, _ = second.communicate(timeout=60)
    assert second.returncode == 1 and "已有一个调度进程在运行" in output

    before = counts(engine)
    first.send_signal(signal.SIGTERM)
    log, _ = first.communicate(timeout=60)
    assert first.returncode == 0
    assert "调度进程已启动" in log and "督办扫描" in log and "调度进程已停止" in log

    third = start()
    time.sleep(4)  # several ticks of every job
    third.send_signal(signal.SIGTERM)
    third.communicate(timeout=60)
    assert counts(engine) == before, "a restarted scheduler created or sent something twice"


def test_lock_is_released_when_the_process_is_killed(engine, bot):
    start, _ = bot
    first = start()
    assert wait_for(lambda: counts(engine)[1] >= 1)
    first.kill()  # SIGKILL: no chance to release anything by itself
    first.wait()
    second = start()
    assert wait_for(lambda: second.poll() is None and counts(engine)[2] >= 1)
    assert second.poll() is None, "a killed scheduler's lock blocked the next one"
