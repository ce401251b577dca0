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
