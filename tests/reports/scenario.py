"""A county's rectification from registration to the report, through the domain functions.

Seven findings of one audit, registered on 2026-03-02; what happens to them,
in time order, with a sweep at 09:00 on every day a reminder or escalation
step falls due:

- "1"   县财政局, 立行立改, 100,000.00: recovered in full, closed early (03-10).
- "2-1" 县新农合办公室, 9,381.00: 追回 5,000 + 归还原渠道 4,381 + 罚款 1,000; the
  first request is returned by the lead unit's reviewer, the second closed early (03-16).
- "2-2" 县新农合办公室, 20,000.00: 部分整改, 追回 8,000; extension to 05-29 granted.
- "2-3" 县新农合办公室, 持续整改, no money: progress reported, overdue from 04-30;
  listed for 约谈 (arranged for 05-25) and the second 通报 (still a draft).
- "2-4" 县财政局, 立行立改, 5,000.00: 调账 3,000, closed late (03-25) with a shortfall reason.
- "2-5" 县财政局, 12,000.00: nothing done, deadline 06-30.
- "3-1" 县人民医院, 70,600.00: nothing done; 催办 → 督办 → 约谈 (held 04-02) → 通报
  (issued 04-10 as X医保通〔2026〕1号) → 问责移送 (made 04-24); 罚款 105,900.00
  decided (with 责令退回 70,600.00), 50,000.00 collected.

The reports are generated at REPORT_AT (2026-05-20 17:00).
"""
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path

from sqlmodel import select

from models.calendar import WorkCalendar
from models.db import transaction
from models.deadlines import DeadlineKind
from models.escalation import (
    close_interview, close_referral, issue_circular, list_circulars, list_interviews, list_referrals,
    schedule_interview,
)
from models.ledger import Finding, Person, Source, Unit
from models.lifecycle import (
    add_evidence, approve_step, decide_extension, record_amount, report_progress, request_extension,
    return_for_more, submit,
)
from models.penalties import list_decisions, record_collection, record_decision
from models.policy import load_policy
from models.settings import Settings
from models.sweep import run_sweep
from models.units import add_person
from models.vocab import RecoveryKind, RectificationType
from tests.factories import World, build_world

REGISTERED = datetime(2026, 3, 2, 9, 0)
REPORT_AT = datetime(2026, 5, 20, 17, 0)
SOURCE_DOC = "X审调〔2026〕3号"
SOURCE_TITLE = "XX县新型农村合作医疗基金专项审计调查"
CIRCULAR_NUMBER = "X医保通〔2026〕1号"
DOCUMENTS = {"issuer": "XX县医疗保障局", "doc_prefix": "X医保", "addressee": "县人民政府", "signer": "刘某某"}

T = RectificationType
FINDINGS = (  # number, lead unit, category, type, amount, deadline, co-units
    ("1", "县财政局", "配套资金拨付不及时", T.IMMEDIATE, "100000.00", date(2026, 4, 1), ()),
    ("2-1", "县新农合办公室", "重复参保", T.PHASED, "9381.00", date(2026, 4, 1), ("县财政局",)),
    ("2-2", "县新农合办公室", "报销范围扩大", T.PHASED, "20000.00", date(2026, 4, 1), ()),
    ("2-3", "县新农合办公室", "数据不一致", T.CONTINUOUS, None, date(2026, 4, 30), ()),
    ("2-4", "县财政局", "基金结余过大", T.IMMEDIATE, "5000.00", date(2026, 3, 17), ()),
    ("2-5", "县财政局", "政策衔接不到位", T.PHASED, "12000.00", date(2026, 6, 30), ()),
    ("3-1", "县人民医院", "超标准收费", T.PHASED, "70600.00", date(2026, 3, 23), ()),
)
SUMMARIES = {number: f"问题{number}：{category}" for number, _, category, *_ in FINDINGS}
EXTENDED_TO = date(2026, 5, 29)
SHORTFALL = "剩余2,000.00元系以前年度结余，经县政府同意分年消化"
RETURN_REASON = "缺少逐人清退明细及个人缴费退还情况"

# What a reader should find in the report at REPORT_AT (worked out by hand from the story).
EXPECTED = {
    "total": 7, "closed": 3, "in_progress": 2, "not_started": 2, "due": 5, "on_time": 2,
    "types": {"立行立改": 2, "分阶段整改": 4, "持续整改": 1},
    "problem": Decimal("216981.00"), "rectified": Decimal("121381.00"), "unrectified": Decimal("96600.00"),
    "by_kind": {"追回/退回基金": Decimal("113000.00"), "罚款": Decimal("1000.00"),
                "归还原渠道": Decimal("4381.00"), "调账": Decimal("3000.00")},
}


@dataclass
class Scenario:
    engine: object
    settings: Settings
    calendar: WorkCalendar

    def ids(self) -> dict[str, int]:
        with transaction(self.engine) as session:
            return {f.number: f.id for f in session.exec(select(Finding))}


class _Story:
    def __init__(self, engine):
        self.engine = engine
        self.calendar = WorkCalendar()
        self.policy = load_policy()

    def world(self, session, now) -> World:
        return World(session, now, session.exec(select(Source)).one(),
                     {u.name: u for u in session.exec(select(Unit))},
                     {p.name: p for p in session.exec(select(Person))}, self.calendar)

    def act(self, now: datetime, fn: Callable) -> None:
        with transaction(self.engine) as session:
            w = self.world(session, now)
            fn(w, now)

    def sweep(self, day: date) -> None:
        with transaction(self.engine) as session:
            run_sweep(session, datetime.combine(day, time(9, 0)), self.policy, self.calendar)


def finding(w: World, number: str) -> Finding:
    return w.session.exec(select(Finding).where(Finding.number == number)).one()


def _register(w: World, now):
    add_person(w.session, name="冯科长", unit="县财政局", role="牵头单位审核人", mobile="13800000010")
    w.people = {p.name: p for p in w.session.exec(select(Person))}
    for number, lead, category, rtype, amount, deadline, co_units in FINDINGS:
        w.finding(number, lead_unit=lead, co_units=co_units, amount=amount, kind=DeadlineKind.FIXED,
                  anchor=deadline, category=category, summary=SUMMARIES[number], rectification_type=rtype)


def _work(number, staff, evidence, amounts=(), measures="", result=""):
    def run(w: World, now):
        f = finding(w, number)
        actor = w.actor(staff)
        add_evidence(w.session, f, actor, now, Path("."), reference=evidence)  # a reference stores no file
        for kind, amount in amounts:
            record_amount(w.session, f, actor, now, kind, amount, now.date())
        if measures:
            submit(w.session, f, actor, now, measures, result)
    return run


def _review(number, *names, shortfall=None):
    def run(w: World, now):
        f = finding(w, number)
        for i, name in enumerate(names):
            last = i == len(names) - 1
            approve_step(w.session, f, w.actor(name), now.replace(minute=30 * (i % 2), hour=now.hour + i // 2),
                         comment=None, shortfall_reason=shortfall if last else None)
    return run


def _return(number, name, reason):
    return lambda w, now: return_for_more(w.session, finding(w, number), w.actor(name), now, reason)


def _progress(number, text, partial=False):
    return lambda w, now: report_progress(w.session, finding(w, number), w.actor("李干事"), now, text, partial)


def _extend(w: World, now):
    f = finding(w, "2-2")
    record_amount(w.session, f, w.actor("李干事"), now, RecoveryKind.RECOVERED, "8000.00", now.date())
    request_extension(w.session, f, w.actor("李干事"), now, EXTENDED_TO, "报销目录调整需省级信息系统配合")
    decide_extension(w.session, f, w.actor("王主任"), now.replace(hour=16), True, "同意延期")


def _schedule(unit: str, at: datetime):
    def run(w: World, now):
        [row] = [r for r in list_interviews(w.session) if r.unit == unit]
        schedule_interview(w.session, row.interview.id, w.actor("王主任"), now, at=at,
                           place="县医疗保障局三楼会议室", interviewer="县医疗保障局局长刘某某")
    return run


def _hold(w: World, now):
    [row] = [r for r in list_interviews(w.session) if r.unit == "县人民医院"]
    close_interview(w.session, row.interview.id, w.actor("王主任"), now, "院长作表态发言，承诺两周内退还多收费用", True)


def _issue(w: World, now):
    [(circular, _)] = list_circulars(w.session, include_issued=False)
    issue_circular(w.session, circular.id, w.actor("王主任"), now, CIRCULAR_NUMBER)


def _refer(w: World, now):
    [(referral, _, _)] = list_referrals(w.session)
    close_referral(w.session, referral.id, w.actor("王主任"), now, "已将问题线索及完整办理记录移送县纪委监委", True)


def _fine(w: World, now):
    f = finding(w, "3-1")
    for measure, amount in (("责令退回", "70600.00"), ("罚款", "105900.00")):
        record_decision(w.session, party="县人民医院", article=38, measure=measure, actor=w.actor("王主任"), now=now,
                        decided_on=now.date(), amount=amount, finding=f, doc_number="X医保罚〔2026〕1号")


def _collect(w: World, now):
    [row] = [r for r in list_decisions(w.session, "县人民医院") if r.decision.measure == "罚款"]
    record_collection(w.session, row.decision.id, "50000.00", now.date(), w.actor("王主任"), now)


STORY = (
    (datetime(2026, 3, 5, 10), _work("1", "钱会计", "拨款凭证（X财社〔2026〕8号）",
                                     ((RecoveryKind.RECOVERED, "100000.00"),),
                                     "一是将市县配套资金纳入年初预算；二是建立配套资金拨付进度月报制度",
                                     "配套资金已于3月5日足额拨付到位")),
    (datetime(2026, 3, 10, 14), _review("1", "吴局长", "冯科长", "王主任", "刘局长")),
    (datetime(2026, 3, 11, 10), _work("2-1", "李干事", "重复参保人员比对结果",
                                      ((RecoveryKind.RECOVERED, "5000.00"), (RecoveryKind.RETURNED_TO_CHANNEL, "4381.00"),
                                       (RecoveryKind.FINE, "1000.00")),
                                      "清理重复参保人员；建立参保信息比对机制", "已清退重复参保人员")),
    (datetime(2026, 3, 12, 11), _review("2-1", "赵主任")),
    (datetime(2026, 3, 12, 15), _return("2-1", "孙科长", RETURN_REASON)),
    (datetime(2026, 3, 16, 10), _work("2-1", "李干事", "逐人清退明细表", (),
                                      "清理重复参保人员；建立参保信息比对机制", "已清退重复参保人员并退还个人缴费")),
    (datetime(2026, 3, 16, 14), _review("2-1", "赵主任", "孙科长", "王主任", "刘局长")),
    (datetime(2026, 3, 20, 10), _progress("2-2", "已追回部分违规补偿", partial=True)),
    (datetime(2026, 3, 20, 11), _extend),
    (datetime(2026, 3, 23, 10), _work("2-4", "钱会计", "调账凭证", ((RecoveryKind.ADJUSTED, "3000.00"),),
                                      "按规定调整账务", "已调账3,000.00元")),
    (datetime(2026, 3, 25, 14), _review("2-4", "吴局长", "冯科长", "王主任", "刘局长", shortfall=SHORTFALL)),
    (datetime(2026, 3, 31, 11), _schedule("县人民医院", datetime(2026, 4, 2, 15))),
    (datetime(2026, 4, 2, 17), _hold),
    (datetime(2026, 4, 10, 11), _issue),
    (datetime(2026, 4, 15, 11), _fine),
    (datetime(2026, 4, 20, 10), _progress("2-3", "已完成数据比对，正在逐条更正")),
    (datetime(2026, 4, 20, 16), _collect),
    (datetime(2026, 4, 24, 11), _refer),
    (datetime(2026, 5, 11, 11), _schedule("县新农合办公室", datetime(2026, 5, 25, 15))),
)


def build(engine, data_dir) -> Scenario:
    story = _Story(engine)
    with transaction(engine) as session:
        build_world(session, REGISTERED)
    story.act(REGISTERED, _register)
    steps = story.policy.default.steps
    deadlines = {d for *_, d, _ in FINDINGS} | {EXTENDED_TO}
    sweep_days = {s.reached_on(d, story.calendar) for d in deadlines for s in steps}
    timeline = [(datetime.combine(day, time(9)), None) for day in sweep_days if day <= REPORT_AT.date()]
    timeline += list(STORY)
    for moment, fn in sorted(timeline, key=lambda item: item[0]):
        if fn is None:
            story.sweep(moment.date())
        else:
            story.act(moment, fn)
    settings = Settings(database_url=engine.url.render_as_string(hide_password=False), data_dir=data_dir,
                        config={"documents": dict(DOCUMENTS)})
    return Scenario(engine, settings, story.calendar)
