"""The sweep on both databases, with an injected `now`: which steps it
creates and when, what it skips, the formal records, the history, and the
digests it leaves in the outbox."""
import json
import threading
from collections import Counter
from datetime import date, datetime, timedelta

from sqlmodel import Session, select

from models.db import transaction
from models.escalation import Circular, CircularEntry, Interview, InterviewItem, Referral
from models.history import events_of, verify_all
from models.ledger import Finding, Person
from models.lifecycle import add_evidence, decide_extension, request_extension, start, submit
from models.policy import load_policy
from models.vocab import Status
from notices.context import NoticeContext
from tests.escalation.conftest import at

D = date


def sweep_daily(ledger, first: date, last: date, policy=None) -> dict[date, list[tuple[str, str]]]:
    """Sweep every morning; {day: [(finding number, step)]} for days that created something."""
    created = {}
    day = first
    while day <= last:
        result = ledger.sweep(day, policy)
        if result.created:
            created[day] = sorted((c.number, c.step.id) for c in result.created)
        day += timedelta(days=1)
    return created


def digest_items(notice) -> list[str]:
    return [i.finding_number for i in NoticeContext.from_dict(notice.data).items]


def test_daily_sweeps_walk_the_ladder_once_per_step(ledger):
    ledger.add("2-3", D(2026, 4, 15))
    created = sweep_daily(ledger, D(2026, 4, 1), D(2026, 5, 20))
    assert created == {
        D(2026, 4, 8): [("2-3", "remind_7")], D(2026, 4, 12): [("2-3", "remind_3")],
        D(2026, 4, 14): [("2-3", "remind_1")], D(2026, 4, 16): [("2-3", "urge")],
        D(2026, 4, 20): [("2-3", "supervise")], D(2026, 4, 22): [("2-3", "interview")],
        D(2026, 4, 30): [("2-3", "circular")], D(2026, 5, 15): [("2-3", "referral")],
    }
    assert len(ledger.escalations()) == 8


def test_catch_up_after_downtime_creates_only_the_current_step(ledger):
    ledger.add("2-3", D(2026, 3, 2))
    ledger.add("2-4", D(2026, 3, 20))
    # The bot was down all March; on 1 April 2-3 is 30 days late, 2-4 twelve.
    result = ledger.sweep(D(2026, 4, 1))
    assert sorted((c.number, c.step.id) for c in result.created) == [("2-3", "referral"), ("2-4", "interview")]
    assert ledger.sweep(D(2026, 4, 1)).created == []
    assert ledger.escalations() == [("2-3", "referral", 1), ("2-4", "interview", 1)]


def test_spring_festival_natural_step_overtakes_working_day_step(ledger):
    ledger.add("2-3", D(2026, 2, 12))
    created = sweep_daily(ledger, D(2026, 2, 9), D(2026, 2, 28))
    # 督办 (3 working days) would only be reached on 24 February, after 约谈 (7 natural days, 19 February).
    assert created == {D(2026, 2, 9): [("2-3", "remind_3")], D(2026, 2, 11): [("2-3", "remind_1")],
                       D(2026, 2, 13): [("2-3", "urge")], D(2026, 2, 19): [("2-3", "interview")],
                       D(2026, 2, 27): [("2-3", "circular")]}


def test_make_up_working_day_brings_the_supervision_forward(ledger):
    ledger.add("2-3", D(2026, 2, 26))
    created = sweep_daily(ledger, D(2026, 2, 27), D(2026, 3, 5))
    # Fri 27, Sat 28 (调休 working day), Mon 2 March: 3 working days late.
    assert created == {D(2026, 2, 27): [("2-3", "urge")], D(2026, 3, 2): [("2-3", "supervise")],
                       D(2026, 3, 5): [("2-3", "interview")]}


def test_working_day_override_for_one_unit_across_national_day(ledger, tmp_path):
    path = tmp_path / "督办规则.toml"
    path.write_text("""
[unit."县财政局"]
steps.urge.count = "工作日"
steps.interview.after = 5
steps.interview.count = "工作日"
""", encoding="utf-8")
    policy = load_policy(path)
    ledger.add("5-1", D(2026, 9, 30), lead_unit="县财政局", co_units=())
    ledger.add("2-3", D(2026, 9, 30))
    created = sweep_daily(ledger, D(2026, 10, 1), D(2026, 10, 14), policy)
    # The default ladder counts natural days through the holiday; 县财政局's counts working days, so on the
    # first sweep its finding is not yet "overdue by one working day" and gets the last reminder instead.
    assert created == {
        D(2026, 10, 1): [("2-3", "urge"), ("5-1", "remind_1")], D(2026, 10, 7): [("2-3", "interview")],
        D(2026, 10, 8): [("5-1", "urge")], D(2026, 10, 10): [("5-1", "supervise")],
        D(2026, 10, 13): [("5-1", "interview")],
    }
    with Session(ledger.engine) as session:
        scopes = dict(session.exec(select(Interview.unit_id, Interview.id)).all())
    assert len(scopes) == 2


def test_paused_and_closed_findings_get_nothing(ledger):
    ledger.add("review", D(2026, 3, 10))
    ledger.add("extension", D(2026, 3, 10))
    ledger.add("closed", D(2026, 3, 10))
    ledger.add("open", D(2026, 3, 10))
    with ledger.world(at(D(2026, 3, 9))) as w:
        now = w.now
        findings = {n: w.session.exec(select_finding(n)).one() for n in ("review", "extension", "closed")}
        for number, finding in findings.items():
            start(w.session, finding, w.actor("李干事"), now)
            if number == "extension":
                request_extension(w.session, finding, w.actor("李干事"), now, D(2026, 4, 30), "需财政追加预算")
                continue
            add_evidence(w.session, finding, w.actor("李干事"), now, None, reference="档案2026-1")
            submit(w.session, finding, w.actor("赵主任" if number == "closed" else "李干事"), now,
                   measures="已追回", result="已整改")
        from models.lifecycle import approve_step

        closed = findings["closed"]
        for who in ("孙科长", "王主任", "刘局长"):
            approve_step(w.session, closed, w.actor(who), now)
        assert closed.status == Status.CLOSED
    result = ledger.sweep(D(2026, 3, 25))
    assert [(c.number, c.step.id) for c in result.created] == [("open", "circular")]


def select_finding(number):
    return select(Finding).where(Finding.number == number)


def test_approved_extension_restarts_the_ladder_and_a_rejected_one_resumes_it(ledger):
    ledger.add("granted", D(2026, 3, 10))
    ledger.add("refused", D(2026, 3, 10))
    assert sorted(c.step.id for c in ledger.sweep(D(2026, 3, 11)).created) == ["urge", "urge"]
    with ledger.world(at(D(2026, 3, 12))) as w:
        for number in ("granted", "refused"):
            finding = w.session.exec(select_finding(number)).one()
            request_extension(w.session, finding, w.actor("李干事"), w.now, D(2026, 4, 30), "等待上级批复")
    assert ledger.sweep(D(2026, 3, 20)).created == []  # both paused while the requests are pending
    with ledger.world(at(D(2026, 3, 21))) as w:
        granted = w.session.exec(select_finding("granted")).one()
        refused = w.session.exec(select_finding("refused")).one()
        decide_extension(w.session, granted, w.actor("刘局长"), w.now, approve=True, comment="同意")
        decide_extension(w.session, refused, w.actor("刘局长"), w.now, approve=False, comment="理由不充分")
    result = ledger.sweep(D(2026, 3, 25))
    # refused: back on the old deadline, 15 days late → the current step only; granted: nothing due yet.
    assert [(c.number, c.step.id, c.cycle) for c in result.created] == [("refused", "circular", 1)]
    created = sweep_daily(ledger, D(2026, 4, 20), D(2026, 5, 2))
    assert created[D(2026, 4, 23)] == [("granted", "remind_7")]
    assert created[D(2026, 5, 1)] == [("granted", "urge")]
    assert ("granted", "urge", 1) in ledger.escalations() and ("granted", "urge", 2) in ledger.escalations()


def test_formal_records_interview_circular_referral(ledger):
    ledger.add("2-3", D(2026, 3, 2))
    ledger.add("2-4", D(2026, 3, 3))
    ledger.add("6-1", D(2026, 3, 3), lead_unit="县财政局", co_units=())
    ledger.sweep(D(2026, 3, 10))  # all three reach 约谈 (7+ days late)
    ledger.add("2-5", D(2026, 3, 4))
    ledger.sweep(D(2026, 3, 11))
    with Session(ledger.engine) as session:
        interviews = session.exec(select(Interview).order_by(Interview.id)).all()
        assert len(interviews) == 2  # one per unit; 2-5 joined the unit's interview still to be arranged
        items = Counter(session.exec(select(InterviewItem.interview_id)).all())
        assert sorted(items.values()) == [1, 3]
        assert sorted(session.get(Person, i.interviewee_id).name for i in interviews) == ["吴局长", "赵主任"]
        assert all(i.status == "待安排" and i.scheduled_at is None for i in interviews)

    ledger.sweep(D(2026, 3, 18))  # 2-3 reaches 通报 (15 days)
    ledger.sweep(D(2026, 3, 19))  # 2-4, 2-5 and 6-1
    with Session(ledger.engine) as session:
        circulars = session.exec(select(Circular)).all()
        assert len(circulars) == 1 and circulars[0].status == "待印发"
        assert len(session.exec(select(CircularEntry)).all()) == 4

    ledger.sweep(D(2026, 4, 1))  # 2-3 is 30 days late
    with Session(ledger.engine) as session:
        referral = session.exec(select(Referral)).one()
        snapshot = json.loads(referral.snapshot)
        assert snapshot["finding"]["number"] == "2-3"
        assert [e["action"] for e in snapshot["events"]] == ["登记", "列入约谈", "列入通报"]
        assert [e["step"] for e in snapshot["escalations"]] == ["interview", "circular", "referral"]
        finding = session.exec(select_finding("2-3")).one()
        actions = [(e.action, e.actor_name) for e in events_of(session, finding.id)]
        assert actions[-1] == ("拟问责移送", "整改跟踪机器人")
        checked, breaks = verify_all(session)
        assert checked > 0 and breaks == []


def test_one_digest_per_route_listing_all_its_items(ledger):
    ledger.configure_unit("县新农合办公室", wecom_robot="xnh_group", dingtalk_robot="xnh_ding")
    ledger.configure_unit("县财政局", email="czj@example.gov.cn")
    ledger.configure_unit("县医保局", wecom_robot="ybj_group")
    for number, deadline in (("2-3", D(2026, 3, 20)), ("2-4", D(2026, 3, 18)), ("2-5", D(2026, 3, 10))):
        ledger.add(number, deadline)
    ledger.add("6-1", D(2026, 3, 12), lead_unit="县财政局", co_units=())
    ledger.add("6-2", D(2026, 3, 30), lead_unit="县财政局", co_units=())
    result = ledger.sweep(D(2026, 3, 17))
    assert sorted((c.number, c.step.id) for c in result.created) == [
        ("2-3", "remind_3"), ("2-4", "remind_1"), ("2-5", "interview"), ("6-1", "supervise")]
    notices = {(n.channel, n.target): n for n in ledger.notices()}
    assert set(notices) == {("wecom", "xnh_group"), ("dingtalk", "xnh_ding"), ("smtp", "czj@example.gov.cn"),
                            ("wecom", "ybj_group")}
    assert all(n.kind == "digest" and n.key == f"sweep:{result.sweep_id}:{n.channel}:{n.target}"
               for n in notices.values())
    # Every item of 县新农合办公室, once, on each of its robots; the people concerned are @mentioned.
    for route in (("wecom", "xnh_group"), ("dingtalk", "xnh_ding")):
        assert sorted(digest_items(notices[route])) == ["2-3", "2-4", "2-5"]
        mentions = {m["name"] for m in NoticeContext.from_dict(notices[route].data).extra["mentions"]}
        assert mentions == {"李干事", "赵主任"}
    assert digest_items(notices[("smtp", "czj@example.gov.cn")]) == ["6-1"]
    # The coordinating office hears of 督办 and 约谈; the leader of 约谈.
    office = NoticeContext.from_dict(notices[("wecom", "ybj_group")].data)
    assert sorted(i.finding_number for i in office.items) == ["2-5", "6-1"]
    assert {m["name"] for m in office.extra["mentions"]} == {"刘局长"}
    steps = {i.finding_number: i.step for i in office.items}
    assert steps == {"2-5": "interview", "6-1": "supervise"}
    assert office.contact.name == "王主任" and office.office == "县医保局"


def test_units_without_channels_get_one_outbox_file_each(ledger):
    ledger.add("2-3", D(2026, 3, 10))
    ledger.add("6-1", D(2026, 3, 10), lead_unit="县财政局", co_units=())
    result = ledger.sweep(D(2026, 3, 11))
    notices = ledger.notices()
    assert {n.channel for n in notices} == {"folder"}
    by_unit = {NoticeContext.from_dict(n.data).recipient.unit: digest_items(n) for n in notices}
    assert by_unit == {"县新农合办公室": ["2-3"], "县财政局": ["6-1"]}
    assert len({n.key for n in notices}) == 2 and all(n.key.startswith(f"sweep:{result.sweep_id}:folder:")
                                                      for n in notices)


def test_repeated_sweeps_create_nothing_twice(ledger):
    for i in range(5):
        ledger.add(f"2-{i}", D(2026, 3, 1) + timedelta(days=3 * i))
    first = ledger.sweep(D(2026, 3, 20))
    assert len(first.created) == 5
    again = [ledger.sweep(datetime(2026, 3, 20, hour)) for hour in (10, 14, 18)]
    assert all(r.created == [] and r.notices == [] for r in again)
    assert len(ledger.notices()) == len(first.notices)


def test_concurrent_sweeps_in_threads(ledger):
    for i in range(30):
        ledger.add(f"T-{i}", D(2026, 3, 1) + timedelta(days=i))
    results, errors = [], []

    def run():
        try:
            results.append(ledger.sweep(D(2026, 3, 25)))
        except Exception as exc:  # surfaced below with the thread's error
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert sum(len(r.created) for r in results) == 30
    keys = Counter((n, s, c) for n, s, c in ledger.escalations())
    assert len(keys) == 30 and set(keys.values()) == {1}
    # Each finding appears in exactly one digest per route, whichever sweep created it.
    per_route = Counter((n.channel, n.target, n.key.rsplit(":", 1)[-1], item)
                        for n in ledger.notices() for item in digest_items(n))
    assert set(per_route.values()) == {1}


def test_sweep_result_reads_as_a_report(ledger):
    ledger.add("2-3", D(2026, 3, 2))
    ledger.add("2-4", D(2026, 3, 20))
    lines = "\n".join(ledger.sweep(D(2026, 3, 18)).summary_lines())
    assert "新生成督办事项 2 项：到期前3天提醒 1、通报 1" in lines
    assert "通报 #1（待印发）：列入 县新农合办公室" in lines
    assert "已生成通知" in lines
    assert "没有新的到期提醒或督办事项" in "\n".join(ledger.sweep(D(2026, 3, 18)).summary_lines())


def test_explain_says_why(ledger, tmp_path, calendar):
    from models.policy import explain

    ledger.add("2-3", D(2026, 2, 12))
    ledger.add("6-1", D(2026, 3, 10), lead_unit="县财政局", co_units=())
    path = tmp_path / "督办规则.toml"
    path.write_text('[unit."县财政局"]\nsteps.interview.after = 10\n', encoding="utf-8")
    policy = load_policy(path)
    ledger.sweep(D(2026, 2, 19), policy)
    with Session(ledger.engine) as session:
        text = explain(session, session.exec(select_finding("2-3")).one(), at(D(2026, 2, 20)), policy, calendar).text
        assert "已逾期 8 个自然日（2 个工作日）" in text
        assert "当前应处于：约谈（橙色，逾期7个自然日）——本轮已于 2026-02-19 09:00 生成" in text
        assert "督办按工作日计算尚未达到" in text
        assert "下一步：通报，将于2026年2月27日达到" in text
        text = explain(session, session.exec(select_finding("6-1")).one(), at(D(2026, 3, 18)), policy, calendar).text
        assert '单位“县财政局”的专门规则' in text and '[unit."县财政局"]' in text
        assert "当前应处于：督办" in text and "本轮尚未生成" in text
        assert "下一步：约谈，将于2026年3月20日达到" in text
        text = explain(session, session.exec(select_finding("6-1")).one(), at(D(2026, 2, 1)), policy, calendar).text
        assert "距整改时限还有 37 个自然日" in text and "尚未到任何提醒步骤" in text
    with ledger.world(at(D(2026, 2, 21))) as w:
        finding = w.session.exec(select_finding("2-3")).one()
        request_extension(w.session, finding, w.actor("李干事"), w.now, D(2026, 3, 31), "春节期间无法办理")
    with Session(ledger.engine) as session:
        text = explain(session, session.exec(select_finding("2-3")).one(), at(D(2026, 2, 22)), policy, calendar).text
        assert "待审批的延期申请" in text and "暂停" in text


def test_sweep_and_records_in_one_transaction(ledger):
    """A sweep that fails midway leaves nothing behind: no escalation without its notice or record."""
    ledger.add("2-3", D(2026, 3, 2))
    ledger.add("2-4", D(2026, 3, 9))
    with transaction(ledger.engine) as session:
        from models.sweep import run_sweep

        run_sweep(session, at(D(2026, 3, 20)), ledger.policy, ledger.calendar)
        session.rollback()
    assert ledger.escalations() == [] and ledger.notices() == []
    result = ledger.sweep(D(2026, 3, 20))
    assert sorted(c.step.id for c in result.created) == ["circular", "interview"]
