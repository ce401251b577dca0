"""The scheduled jobs as plain functions of (settings, now).

Both modes run exactly these: the embedded scheduler calls the Prefect
flows' bodies (`flow.fn`, no Prefect server needed), and the distributed
mode runs the same flows as deployments. Each job opens its own engine,
does its work in the domain functions, and returns Chinese lines for the
log.
"""
from contextlib import contextmanager
from datetime import datetime

from models.db import check_schema, make_engine, transaction
from models.settings import Settings


@contextmanager
def _engine(settings: Settings):
    engine = make_engine(settings.database_url)
    try:
        check_schema(engine)
        yield engine
    finally:
        engine.dispose()


def _calendar(settings: Settings):
    from models.calendar import WorkCalendar

    return WorkCalendar(settings.path_setting("calendar", "override_file"))


def sweep_job(settings: Settings, now: datetime) -> list[str]:
    """Reminders and escalations due at `now`, with their records and digests, in one transaction."""
    from models.policy import policy_from_settings
    from models.sweep import run_sweep

    calendar = _calendar(settings)
    if not calendar.is_workday(now.date()):
        # Offices read notices on working days; the next working day's sweep
        # creates whatever step is due then (catch-up), so nothing is lost.
        return [f"{now:%Y-%m-%d} 为休息日，不做督办扫描，下一个工作日补做"]
    policy = policy_from_settings(settings)
    with _engine(settings) as engine, transaction(engine) as session:
        return run_sweep(session, now, policy, calendar).summary_lines()


def dispatch_job(settings: Settings, now: datetime) -> list[str]:
    """Send the notices due at `now` through the configured channels, recording each outcome."""
    from integrations.dispatch import dispatch_from_settings

    with _engine(settings) as engine:
        return dispatch_from_settings(engine, settings, now).summary_lines()


def daily_digest_job(settings: Settings, now: datetime) -> list[str]:
    """The coordinators' end-of-day summary of notices that failed or may not have arrived."""
    from models.notify import failure_summary

    with _engine(settings) as engine, transaction(engine) as session:
        return failure_summary(session, now).summary_lines()


def report_job(settings: Settings, now: datetime) -> list[str]:
    """The periodic 整改情况报告 for leadership, written and queued for delivery."""
    from notices.reports import periodic_report

    with _engine(settings) as engine:
        return periodic_report(engine, settings, now)
