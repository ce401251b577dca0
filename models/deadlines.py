"""Deadlines (整改时限) and the rules that produce them.

- natural: N days, counted from the day after the anchor (民法典 art. 201);
  a last day that is not a working day (a statutory holiday or weekend rest
  day) moves to the first working day after it (art. 203);
- working: the N-th working day after the anchor, with holidays and 调休;
- fixed: a given date, as written in the decision;
- immediate: 立行立改, due on the anchor day itself.
The rule is stored with the finding so the date can be recomputed and
explained.
"""
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from models.calendar import WorkCalendar
from models.errors import ValidationError


class DeadlineKind(StrEnum):
    NATURAL = "natural"
    WORKING = "working"
    FIXED = "fixed"
    IMMEDIATE = "immediate"


@dataclass(frozen=True)
class DeadlineRule:
    kind: DeadlineKind
    days: int | None = None
    anchor: date | None = None  # the triggering day (e.g. report received); for fixed: the date itself

    def __post_init__(self):
        if self.kind in (DeadlineKind.NATURAL, DeadlineKind.WORKING):
            if self.days is None or self.days <= 0:
                raise ValidationError(f"期限天数必须为正整数（收到：{self.days}）")
        if self.anchor is None:
            raise ValidationError("期限规则缺少起算日期" if self.kind != DeadlineKind.FIXED else "固定期限缺少日期")

    @classmethod
    def fixed(cls, day: date) -> "DeadlineRule":
        return cls(DeadlineKind.FIXED, None, day)

    def describe(self) -> str:
        """Chinese wording, as a coordinator would write it in the ledger."""
        if self.kind == DeadlineKind.NATURAL:
            return f"自{_cn(self.anchor)}起{self.days}日内"
        if self.kind == DeadlineKind.WORKING:
            return f"自{_cn(self.anchor)}起{self.days}个工作日内"
        if self.kind == DeadlineKind.IMMEDIATE:
            return f"立行立改（{_cn(self.anchor)}）"
        return f"{_cn(self.anchor)}前"


def compute_deadline(rule: DeadlineRule, calendar: WorkCalendar) -> date:
    if rule.kind == DeadlineKind.NATURAL:
        last_day = rule.anchor + timedelta(days=rule.days)
        return calendar.next_workday_on_or_after(last_day)
    if rule.kind == DeadlineKind.WORKING:
        return calendar.add_workdays(rule.anchor, rule.days)
    return rule.anchor


def explain_deadline(rule: DeadlineRule, calendar: WorkCalendar) -> str:
    deadline = compute_deadline(rule, calendar)
    text = f"{rule.describe()}，截止 {_cn(deadline)}"
    if rule.kind == DeadlineKind.NATURAL:
        last_day = rule.anchor + timedelta(days=rule.days)
        if last_day != deadline:
            text += f"（第{rule.days}日 {_cn(last_day)} 为法定休假日，顺延至其后第一个工作日，民法典第二百零三条）"
    return text


def _cn(day: date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"
