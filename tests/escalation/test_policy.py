"""The escalation policy as plain functions: the default ladder, natural and
working-day thresholds across the 2026 Spring Festival and National Day
(with their 调休 make-up working days), and the coordinator's override file."""
from datetime import date, timedelta

import pytest

from models.errors import CalendarUnknown, ValidationError
from models.policy import Audience, Counting, Record, load_policy

D = date


def write(tmp_path, text: str):
    path = tmp_path / "督办规则.toml"
    path.write_text(text, encoding="utf-8")
    return path


def step_ids(ladder):
    return [s.id for s in ladder.steps]


def timeline(ladder, deadline, start, end, calendar):
    """{day: step id} for each day on which the due step changes."""
    changes, previous = {}, None
    day = start
    while day <= end:
        step = ladder.step_at(deadline, day, calendar)
        if step is not None and step is not previous:
            changes[day] = step.id
        previous = step
        day += timedelta(days=1)
    return changes


def test_default_ladder_follows_common_practice(policy):
    ladder = policy.default
    assert step_ids(ladder) == ["remind_7", "remind_3", "remind_1", "urge", "supervise", "interview", "circular",
                                "referral"]
    by_id = {s.id: s for s in ladder.steps}
    assert [by_id[i].threshold for i in ("urge", "supervise", "interview", "circular", "referral")] == [
        "逾期1个自然日", "逾期3个工作日", "逾期7个自然日", "逾期15个自然日", "逾期30个自然日"]
    assert [by_id[i].type.card for i in ("remind_7", "urge", "interview", "circular")] == ["蓝色", "黄色", "橙色", "红色"]
    assert by_id["interview"].record == Record.INTERVIEW and by_id["referral"].record == Record.REFERRAL
    assert by_id["urge"].record is None
    assert Audience.UNIT_HEAD in by_id["interview"].recipients
    assert [by_id[i].kind for i in ("remind_3", "urge", "supervise", "interview", "circular", "referral")] == [
        "reminder", "urge", "supervise", "interview", "circular", "referral"]


def test_each_step_is_due_from_its_threshold_on(policy, calendar):
    # Deadline Wednesday 2026-04-15, an ordinary stretch of working weeks.
    changes = timeline(policy.default, D(2026, 4, 15), D(2026, 4, 1), D(2026, 5, 31), calendar)
    assert changes == {
        D(2026, 4, 8): "remind_7", D(2026, 4, 12): "remind_3", D(2026, 4, 14): "remind_1",
        D(2026, 4, 16): "urge",
        D(2026, 4, 20): "supervise",  # 3 working days: Thu 16, Fri 17, Mon 20
        D(2026, 4, 22): "interview", D(2026, 4, 30): "circular", D(2026, 5, 15): "referral",
    }


def test_spring_festival_skips_a_working_day_step_overtaken_by_a_natural_one(policy, calendar):
    # Deadline Thu 2026-02-12. Working days after it: Fri 13, Sat 14 (调休), then Tue 24 (holiday 15–23):
    # 督办 would come on 24 February, but 约谈 (7 natural days) is reached on 19 February first.
    changes = timeline(policy.default, D(2026, 2, 12), D(2026, 2, 10), D(2026, 2, 28), calendar)
    assert changes == {D(2026, 2, 10): "remind_3", D(2026, 2, 11): "remind_1", D(2026, 2, 13): "urge",
                       D(2026, 2, 19): "interview", D(2026, 2, 27): "circular"}


def test_make_up_working_day_counts_for_working_thresholds(policy, calendar):
    # Deadline Thu 2026-02-26: Fri 27, Sat 28 (调休 working day), Mon 2 March → 督办 on 2 March, not 3 March.
    supervise = {s.id: s for s in policy.default.steps}["supervise"]
    assert supervise.reached_on(D(2026, 2, 26), calendar) == D(2026, 3, 2)
    assert policy.default.step_at(D(2026, 2, 26), D(2026, 3, 1), calendar).id == "urge"
    assert policy.default.step_at(D(2026, 2, 26), D(2026, 3, 2), calendar).id == "supervise"


def test_working_day_override_across_national_day(tmp_path, calendar):
    policy = load_policy(write(tmp_path, """
[default.reminders]
days = [3]
count = "工作日"

[default.steps.urge]
count = "工作日"
[default.steps.supervise]
after = 3
[default.steps.interview]
after = 5
count = "工作日"
[default.steps.circular]
after = 10
count = "工作日"
[default.steps.referral]
after = 20
count = "工作日"
"""))
    # Reminder 3 working days before Fri 9 October: Oct 9, 8, then Sep 30 and 29 (1–7 October are off).
    assert timeline(policy.default, D(2026, 10, 9), D(2026, 9, 25), D(2026, 10, 8), calendar) == {
        D(2026, 9, 29): "remind_3"}
    # Deadline Wed 30 September: the reminder comes on Thu 24 (25–27 are the Mid-Autumn holiday); overdue
    # working days: Thu 8 (1), Fri 9 (2), Sat 10 (调休, 3), Mon 12 (4), Tue 13 (5); nothing during the holiday.
    changes = timeline(policy.default, D(2026, 9, 30), D(2026, 9, 20), D(2026, 11, 5), calendar)
    assert changes == {D(2026, 9, 24): "remind_3", D(2026, 10, 8): "urge", D(2026, 10, 10): "supervise",
                       D(2026, 10, 13): "interview", D(2026, 10, 20): "circular", D(2026, 11, 3): "referral"}


@pytest.mark.parametrize("counting", ["自然日", "工作日"])
@pytest.mark.parametrize("window", [(D(2026, 1, 25), D(2026, 3, 10)), (D(2026, 9, 10), D(2026, 10, 25))])
def test_cutoffs_agree_with_counting_days_one_by_one(tmp_path, calendar, counting, window):
    """The SQL cutoffs (deadline <= cutoff) mean exactly "n days before / overdue", for every pair of days."""
    policy = load_policy(write(tmp_path, f"""
[default.reminders]
days = [5, 2]
count = "{counting}"
[default.steps.urge]
count = "{counting}"
[default.steps.supervise]
after = 4
count = "{counting}"
"""))
    start, end = window
    days = [start + timedelta(days=i) for i in range((end - start).days + 1)]
    worked = [0]  # worked[i]: working days in (start, days[i]]
    for day in days[1:]:
        worked.append(worked[-1] + calendar.is_workday(day))
    for step in policy.default.steps[:5]:
        reached_on = {d: step.reached_on(d, calendar) for d in days[10:-10]}
        for t, today in enumerate(days):
            cutoff = step.cutoff(today, calendar)
            for d, deadline in enumerate(days[10:-10], start=10):
                if step.counting == Counting.WORKING:
                    ahead = worked[d] - worked[t]  # working days in (today, deadline], negative when overdue
                else:
                    ahead = (deadline - today).days
                reached = ahead <= step.days if step.before else -ahead >= step.days
                assert (deadline <= cutoff) == reached, (step.id, deadline, today)
                assert (today >= reached_on[deadline]) == reached, (step.id, deadline, today)


def test_unknown_year_fails_loudly_for_working_days(policy, calendar):
    with pytest.raises(CalendarUnknown) as excinfo:
        policy.default.cutoffs(D(2027, 3, 1), calendar)
    assert "2027" in str(excinfo.value)


def test_override_sections_and_precedence(tmp_path):
    policy = load_policy(write(tmp_path, """
# 县人民医院问题多：提前约谈
[unit."县人民医院"]
steps.interview.after = 5
steps.referral.enabled = false

[category."报销范围扩大"]
reminders.days = [10, 1]

[source."X审调〔2026〕3号"]
steps.circular.after = 20

[default]
respond_within = 3
"""))
    assert [o.section for o in policy.overrides] == [
        '[unit."县人民医院"]', '[category."报销范围扩大"]', '[source."X审调〔2026〕3号"]']
    unit = policy.overrides[0].ladder
    assert "referral" not in step_ids(unit)
    assert {s.id: s.days for s in unit.steps}["interview"] == 5
    assert unit.respond_within == 3  # [default] changes apply under every override
    assert step_ids(policy.overrides[1].ladder)[:2] == ["remind_10", "remind_1"]
    assert {s.id: s.days for s in policy.overrides[2].ladder.steps}["circular"] == 20
    assert policy.default.respond_within == 3


@pytest.mark.parametrize("text, words", [
    ("[unit.\"县人民医院\"]\nsteps.supervise.count = \"月\"\n",
     ['[unit."县人民医院"]', "steps.supervise.count", "“月”无效", "自然日、工作日"]),
    ("[default]\nsteps.interview.aftr = 5\n", ["[default]", "steps.interview.aftr", "不是有效设置", "after"]),
    ("[default]\nsteps.interview.after = 0\n", ["steps.interview.after", "正整数"]),
    ("[default]\nsteps.interview.after = \"七天\"\n", ["steps.interview.after", "正整数"]),
    ("[category.\"分解住院\"]\nsteps.urge.recipients = [\"局长\"]\n",
     ['[category."分解住院"]', "steps.urge.recipients", "“局长”无效", "责任人"]),
    ("[default]\nsteps.warning.after = 2\n", ["steps.warning", "不是有效设置", "urge"]),
    ("[default]\nreminders.days = [3, 3]\n", ["reminders.days", "重复"]),
    ("[default]\nsteps.interview.after = 20\n", ["steps.circular.after", "逐级递增", "通报", "约谈"]),
    ("[units.\"县人民医院\"]\nsteps.urge.after = 2\n", ["[units]", "不是有效的部分", "[unit.\"单位名称\"]"]),
    ("[default\nsteps = 1\n", ["格式错误"]),
    ("[default]\nsteps.referral.enabled = \"否\"\n", ["steps.referral.enabled", "true 或 false"]),
])
def test_override_file_errors_name_the_key(tmp_path, text, words):
    path = write(tmp_path, text)
    with pytest.raises(ValidationError) as excinfo:
        load_policy(path)
    message = str(excinfo.value)
    assert str(path) in message
    for word in words:
        assert word in message, message


def test_missing_override_file_is_reported(tmp_path):
    with pytest.raises(ValidationError) as excinfo:
        load_policy(tmp_path / "无此文件.toml")
    assert "不存在" in str(excinfo.value) and "[policy] file" in str(excinfo.value)


def test_policy_file_comes_from_the_config(tmp_path):
    from models.policy import policy_from_settings
    from models.settings import load_settings

    write(tmp_path, "[default.steps.referral]\nafter = 45\n")
    (tmp_path / "rectify.toml").write_text('[policy]\nfile = "督办规则.toml"\n', encoding="utf-8")
    policy = policy_from_settings(load_settings(cwd=tmp_path, environ={}))
    assert {s.id: s.days for s in policy.default.steps}["referral"] == 45
