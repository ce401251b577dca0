"""The embedded mode: one process, APScheduler, the flows on a schedule.

The job store is in memory and private to this process, and a lock makes
sure no second scheduler runs on the same database (a shared store made
APScheduler run jobs twice). At start-up every job that keeps the ledger
moving runs once, so downtime is caught up: the sweep creates the step due
now (once), and dispatch sends what is waiting. Duplicates across restarts
are impossible anyway: every notice has a unique key in the outbox.
"""
import logging
import signal
import threading
from datetime import datetime

from flows.schedule import JobSchedule, load_schedule
from flows.scheduler_lock import SchedulerLock
from models.db import check_schema, make_engine
from models.errors import RectifyError
from models.settings import Settings

log = logging.getLogger("rectify.scheduler")
CATCH_UP_JOBS = ("sweep", "dispatch")


def flow_bodies() -> dict:
    """The flows' plain bodies by job name (imports Prefect once, at start-up)."""
    from flows import prefect_flows

    return {
        "sweep": prefect_flows.sweep.fn,
        "dispatch": prefect_flows.dispatch.fn,
        "daily_digest": prefect_flows.daily_digest.fn,
        "report": prefect_flows.periodic_report.fn,
    }


def simulated_clock(start: datetime | None):
    """The wall clock, or one that starts at `start` and runs at real speed (rehearsals, tests)."""
    if start is None:
        return datetime.now
    offset = start - datetime.now()
    return lambda: datetime.now() + offset


def run_job(name: str, label: str, body, clock) -> None:
    """Run one job and log what it did; a failure is logged, never kills the scheduler."""
    now = clock().replace(microsecond=0)
    try:
        lines = body(now=now.isoformat(sep=" "))
    except RectifyError as exc:
        log.error("%s失败：%s", label, exc)
        return
    except Exception:
        log.exception("%s出现程序错误（下次按计划重试）", label)
        return
    for line in lines or [f"{label}完成"]:
        log.info("%s", line)


def run_embedded(settings: Settings, start: datetime | None = None, stop: threading.Event | None = None,
                 bodies: dict | None = None) -> None:
    """Run until `stop` is set (or SIGINT/SIGTERM); with `start`, the jobs see a clock starting there."""
    from apscheduler.schedulers.background import BackgroundScheduler
    from apscheduler.triggers.cron import CronTrigger
    from apscheduler.triggers.interval import IntervalTrigger

    jobs, timezone = load_schedule(settings.section("schedule"))
    engine = make_engine(settings.database_url)
    check_schema(engine)
    stop = stop or _stop_on_signals()
    bodies = bodies or flow_bodies()
    clock = simulated_clock(start)
    with SchedulerLock(engine):
        log.info("调度进程已启动（数据库：%s），按 Ctrl+C 停止", engine.url.render_as_string(hide_password=True))
        if start is not None:
            log.info("模拟时钟：从 %s 开始计时", start)
        scheduler = BackgroundScheduler(
            timezone=timezone, job_defaults={"coalesce": True, "max_instances": 1, "misfire_grace_time": 600})
        for job in jobs:
            trigger = (IntervalTrigger(seconds=job.every_seconds, timezone=timezone) if job.every_seconds
                       else CronTrigger.from_crontab(job.cron, timezone=timezone))
            scheduler.add_job(run_job, trigger, args=(job.job, job.label, bodies[job.job], clock), id=job.job,
                              name=job.label)
            log.info("已安排：%s，%s", job.label, job.describe())
        for job in _catch_up(jobs):
            run_job(job.job, job.label, bodies[job.job], clock)
        scheduler.start()
        try:
            stop.wait()
        finally:
            scheduler.shutdown(wait=True)
            log.info("调度进程已停止")
    engine.dispose()


def _catch_up(jobs: list[JobSchedule]) -> list[JobSchedule]:
    return [job for job in jobs if job.job in CATCH_UP_JOBS]


def _stop_on_signals() -> threading.Event:
    stop = threading.Event()
    for number in (signal.SIGINT, signal.SIGTERM):
        signal.signal(number, lambda *_: stop.set())
    return stop
