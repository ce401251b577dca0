"""When the embedded scheduler runs each job: `[schedule]` in the config.

Values are crontab strings ("0 9 * * 1-5") in the configured time zone, or
"every 30s" / "every 5m" for short intervals (demos, tests). A job set to
"off" does not run.
"""
import re
from dataclasses import dataclass

from models.errors import ValidationError

JOB_LABELS = {
    "sweep": "定时检查（提醒、催办、督办）",
    "dispatch": "发送通知",
    "daily_digest": "每日汇总",
    "report": "定期整改情况报告",
}
DEFAULT_SCHEDULE = {
    "sweep": "0 9 * * *",  # every morning, so a reminder reaches people at the start of the day
    "dispatch": "*/5 * * * *",
    "daily_digest": "30 17 * * 1-5",
    "report": "0 8 1 * *",  # monthly, first day of the month
}
DEFAULT_TIMEZONE = "Asia/Shanghai"
_EVERY = re.compile(r"^every\s+(\d+)\s*([smh])$")


@dataclass(frozen=True)
class JobSchedule:
    job: str
    cron: str | None
    every_seconds: int | None

    @property
    def label(self) -> str:
        return JOB_LABELS[self.job]

    def describe(self) -> str:
        return f"每 {self.every_seconds} 秒" if self.every_seconds else f"cron「{self.cron}」"


def load_schedule(section: dict) -> tuple[list[JobSchedule], str]:
    unknown = set(section) - set(DEFAULT_SCHEDULE) - {"timezone"}
    if unknown:
        raise ValidationError(f"配置 [schedule] 中有未知的任务：{'、'.join(sorted(unknown))}"
                              f"（可用：{'、'.join(DEFAULT_SCHEDULE)}、timezone）")
    timezone = section.get("timezone", DEFAULT_TIMEZONE)
    jobs = []
    for job, default in DEFAULT_SCHEDULE.items():
        value = str(section.get(job, default)).strip()
        if value == "off":
            continue
        jobs.append(_parse(job, value, timezone))
    return jobs, timezone


def _parse(job: str, value: str, timezone: str) -> JobSchedule:
    match = _EVERY.match(value)
    if match:
        seconds = int(match[1]) * {"s": 1, "m": 60, "h": 3600}[match[2]]
        if seconds <= 0:
            raise ValidationError(f"配置 [schedule] {job} = “{value}”：间隔必须大于 0")
        return JobSchedule(job, None, seconds)
    from apscheduler.triggers.cron import CronTrigger

    try:
        CronTrigger.from_crontab(value, timezone=timezone)
    except ValueError as exc:
        raise ValidationError(f"配置 [schedule] {job} = “{value}” 不是有效的 cron 表达式：{exc}") from None
    return JobSchedule(job, value, None)
