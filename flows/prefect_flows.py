"""The Prefect flows. Each is a thin wrapper: it reads the settings and the
time, calls the job (plain domain code in flows/jobs.py) and logs its
Chinese summary. The embedded scheduler runs their bodies (`flow.fn`); the
distributed mode runs them as deployments (prefect.yaml).

No Prefect task is used inside: a task needs a Prefect API even when the
body is called directly, and the embedded mode must not need one. Retries
of a whole flow are safe because every side effect is keyed in the outbox.
"""
from datetime import datetime

from prefect import flow, get_run_logger
from prefect.exceptions import MissingContextError

from flows import jobs
from models.settings import load_settings


def _moment(now: str | None) -> datetime:
    if not now:
        return datetime.now().replace(microsecond=0)
    return datetime.fromisoformat(now)


def _log(lines: list[str]) -> list[str]:
    try:
        logger = get_run_logger()
    except MissingContextError:  # run as a plain function by the embedded scheduler, which logs itself
        return lines
    for line in lines:
        logger.info(line)
    return lines


@flow(name="rectify-sweep", retries=2, retry_delay_seconds=60)
def sweep(now: str | None = None) -> list[str]:
    """督办扫描：生成到期提醒、催办、督办、约谈、通报、问责及汇总通知。"""
    return _log(jobs.sweep_job(load_settings(), _moment(now)))


@flow(name="rectify-dispatch", retries=2, retry_delay_seconds=30)
def dispatch(now: str | None = None) -> list[str]:
    """发送通知：把发件箱中到期的通知经企业微信、钉钉、飞书或邮件发出。"""
    return _log(jobs.dispatch_job(load_settings(), _moment(now)))


@flow(name="rectify-daily-digest", retries=2, retry_delay_seconds=60)
def daily_digest(now: str | None = None) -> list[str]:
    """每日汇总：向整改办报告发送失败或结果不明的通知。"""
    return _log(jobs.daily_digest_job(load_settings(), _moment(now)))


@flow(name="rectify-report", retries=1, retry_delay_seconds=300)
def periodic_report(now: str | None = None) -> list[str]:
    """定期整改情况报告：生成 Word 报告并送达分管领导。"""
    return _log(jobs.report_job(load_settings(), _moment(now)))
