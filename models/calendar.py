"""The working-day calendar: Chinese statutory holidays and make-up working
days (调休), from chinese-calendar plus a local override file.

The State Council publishes next year's schedule before the library is
updated; a coordinator enters it in the override file (TOML):

    [2027]
    holidays = ["2027-01-01", "2027-02-06", ...]   # days off that would be workdays
    workdays = ["2027-02-20"]                       # weekend days worked (调休)

A year is "known" when either source has it. Asking about an unknown year
raises CalendarUnknown: a deadline must never be silently wrong.
"""
import tomllib
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
from chinese_calendar import constants

from models.errors import CalendarUnknown, ValidationError

LIBRARY_YEARS = range(min(constants.holidays).year, max(constants.holidays).year + 1)


class WorkCalendar:
    def __init__(self, override_path: Path | None = None):
        self.override_path = override_path
        self._holidays: set[date] = set()
        self._workdays: set[date] = set()
        self._override_years: set[int] = set()
        self._known_days: dict[date, bool] = {}
        if override_path is not None:
            self._load_override(override_path)

    @property
    def known_years(self) -> list[int]:
        return sorted(set(LIBRARY_YEARS) | self._override_years)

    def is_workday(self, day: date) -> bool:
        # Cached: chinese_calendar scans its whole holiday table on every call,
        # and a bulk import asks about the same few hundred days again and again.
        known = self._known_days.get(day)
        if known is None:
            known = self._known_days[day] = self._is_workday(day)
        return known

    def _is_workday(self, day: date) -> bool:
        if day.year in self._override_years:
            if day in self._workdays:
                return True
            return day.weekday() < 5 and day not in self._holidays
        if day.year not in LIBRARY_YEARS:
            raise CalendarUnknown(self._unknown_message(day))
        return chinese_calendar.is_workday(day)

    def next_workday_on_or_after(self, day: date) -> date:
        while not self.is_workday(day):
            day += timedelta(days=1)
        return day

    def add_workdays(self, anchor: date, count: int) -> date:
        """The `count`-th working day after `anchor` (the anchor itself not counted)."""
        day = anchor
        remaining = count
        while remaining > 0:
            day += timedelta(days=1)
            if self.is_workday(day):
                remaining -= 1
        return day

    def workdays_between(self, start: date, end: date) -> int:
        """Working days in (start, end]; negative when end is before start."""
        if end < start:
            return -self.workdays_between(end, start)
        count = 0
        day = start
        while day < end:
            day += timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def _unknown_message(self, day: date) -> str:
        where = f"（{self.override_path}）" if self.override_path else "（配置项 [calendar] override_file）"
        return (
            f"日期 {day.isoformat()} 所在的 {day.year} 年尚无法定节假日和调休安排，无法按工作日或节假日规则计算期限。"
            f"请在节假日补充文件{where}中录入国务院办公厅公布的 {day.year} 年安排后重试。"
        )

    def _load_override(self, path: Path) -> None:
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError:
            raise ValidationError(f"节假日补充文件 {path} 不存在") from None
        except tomllib.TOMLDecodeError as exc:
            raise ValidationError(f"节假日补充文件 {path} 格式错误：{exc}") from None
        for year_text, entry in data.items():
            if not year_text.isdigit():
                raise ValidationError(f"节假日补充文件 {path}：“{year_text}”不是年份，应写作 [2027]")
            year = int(year_text)
            self._override_years.add(year)
            for key, target in (("holidays", self._holidays), ("workdays", self._workdays)):
                for value in entry.get(key, []):
                    target.add(_override_date(path, year, key, value))


def _override_date(path: Path, year: int, key: str, value) -> date:
    try:
        day = value if isinstance(value, date) else date.fromisoformat(str(value))
    except ValueError:
        raise ValidationError(f"节假日补充文件 {path}：[{year}] {key} 中的“{value}”不是日期（应为 YYYY-MM-DD）") from None
    if day.year != year:
        raise ValidationError(f"节假日补充文件 {path}：{day.isoformat()} 不属于 [{year}]")
    return day
