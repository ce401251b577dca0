"""Deadlines: the worked examples of deadlines.md, holidays, 调休, the
override file and unknown years."""
from datetime import date

import pytest

from models.calendar import WorkCalendar
from models.deadlines import DeadlineKind, DeadlineRule, compute_deadline, explain_deadline
from models.errors import CalendarUnknown, ValidationError

CAL = WorkCalendar()


def natural(days, anchor):
    return compute_deadline(DeadlineRule(DeadlineKind.NATURAL, days, anchor), CAL)


def working(days, anchor):
    return compute_deadline(DeadlineRule(DeadlineKind.WORKING, days, anchor), CAL)


def test_worked_example_ten_working_days_across_national_day():
    assert working(10, date(2025, 9, 25)) == date(2025, 10, 15)


def test_worked_example_ten_natural_days_ending_in_the_holiday_rolls_forward():
    # Day 10 is 2025-10-05, inside the National Day holiday (Oct 1-8): the
    # period ends on the first working day after it (民法典 art. 203).
    assert natural(10, date(2025, 9, 25)) == date(2025, 10, 9)
    text = explain_deadline(DeadlineRule(DeadlineKind.NATURAL, 10, date(2025, 9, 25)), CAL)
    assert "2025年10月9日" in text and "顺延" in text


@pytest.mark.parametrize("day", [date(2025, 9, 28), date(2025, 10, 11), date(2026, 2, 14), date(2026, 2, 28)])
def test_make_up_working_days_count_as_working_days(day):
    assert day.weekday() >= 5 and CAL.is_workday(day)


def test_natural_period_ending_on_a_make_up_saturday_stays():
    # 2025-10-11 is a Saturday worked (调休): a natural period ending there does not move.
    assert natural(16, date(2025, 9, 25)) == date(2025, 10, 11)


def test_counting_starts_the_day_after_the_trigger():
    assert natural(1, date(2026, 3, 2)) == date(2026, 3, 3)
    assert working(1, date(2026, 3, 6)) == date(2026, 3, 9)  # Friday → next Monday


def test_working_days_across_spring_festival_2026():
    # Spring Festival 2026: Feb 15-23 off; Feb 14 and Feb 28 (Saturdays) worked.
    assert working(1, date(2026, 2, 13)) == date(2026, 2, 14)
    assert working(2, date(2026, 2, 13)) == date(2026, 2, 24)


def test_fixed_and_immediate():
    assert compute_deadline(DeadlineRule.fixed(date(2026, 6, 30)), CAL) == date(2026, 6, 30)
    assert compute_deadline(DeadlineRule(DeadlineKind.IMMEDIATE, None, date(2026, 3, 2)), CAL) == date(2026, 3, 2)


def test_unknown_year_is_refused_with_a_clear_message():
    with pytest.raises(CalendarUnknown) as excinfo:
        working(10, date(2027, 3, 1))
    assert "2027 年" in str(excinfo.value) and "节假日补充文件" in str(excinfo.value)
    with pytest.raises(CalendarUnknown):  # a natural period ending in an unknown year too
        natural(60, date(2026, 12, 1))


def test_override_file_supplies_next_years_schedule(tmp_path):
    override = tmp_path / "holidays.toml"
    override.write_text('[2027]\nholidays = ["2027-01-01", "2027-10-01", "2027-10-04"]\nworkdays = ["2027-09-26"]\n',
                        encoding="utf-8")
    calendar = WorkCalendar(override)
    assert 2027 in calendar.known_years
    assert not calendar.is_workday(date(2027, 1, 1))  # a Friday declared a holiday
    assert calendar.is_workday(date(2027, 9, 26))  # a Sunday worked
    # 2026-12-31 (Thu) + 1 working day skips the New Year holiday and the weekend
    assert compute_deadline(DeadlineRule(DeadlineKind.WORKING, 1, date(2026, 12, 31)), calendar) == date(2027, 1, 4)


@pytest.mark.parametrize("content, words", [
    ('[2027]\nholidays = ["2027-13-01"]\n', "2027-13-01"),
    ('[next]\nholidays = []\n', "next"),
    ('[2027]\nholidays = ["2028-01-01"]\n', "不属于 [2027]"),
    ('[2027\n', "格式错误"),
])
def test_bad_override_file_names_the_problem(tmp_path, content, words):
    override = tmp_path / "holidays.toml"
    override.write_text(content, encoding="utf-8")
    with pytest.raises(ValidationError) as excinfo:
        WorkCalendar(override)
    assert words in str(excinfo.value)


def test_rule_needs_positive_days_and_an_anchor():
    with pytest.raises(ValidationError):
        DeadlineRule(DeadlineKind.NATURAL, 0, date(2026, 3, 2))
    with pytest.raises(ValidationError):
        DeadlineRule(DeadlineKind.WORKING, 5, None)
