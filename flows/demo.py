"""`rectify demo`: a county bureau's first 90 days with Rectify, in seconds.

On a fresh SQLite file the coordinator imports the public county audit
report (flows/demo_data), completes the draft ledger (lead units, the
deadlines the audit decision set, one amount the published report
masked) and imports it. Then every simulated day the scheduled jobs run
at 09:00 (sweep, dispatch) and the units and reviewers act as scripted in
STORY: most findings are closed on time, one request is returned, one
extension is granted, one finding runs late through 催办 → 督办 → 约谈 →
通报 → 问责, and a hospital is fined within the legal range.

Everything goes through the same domain functions as the CLI; the
notices go to the local outbox folder and the documents to the demo
folder, for a person to open.
"""
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlmodel import Session, select

from models.db import make_engine, transaction, upgrade
from models.ledger import Finding
from models.lifecycle import Actor, actor_for
from models.lookup import find_finding, find_person
from models.settings import load_settings

START = datetime(2026, 3, 2, 9, 0)  # a Monday, so the 90 days stay inside the known holiday calendar
DAYS = 90
SOURCE = "XX县新型农村合作医疗基金专项审计调查"
SOURCE_DOC = "X审调〔2026〕3号"
WEEKDAYS = "一二三四五六日"

UNITS = (  # name, supervising unit
    ("县医疗保障局", None), ("县财政局", None), ("县卫生健康局", None), ("县纪委监委", None),
    ("县新农合办公室", "县卫生健康局"), ("县人民医院", "县卫生健康局"),
)
PEOPLE = (  # name, unit, role, mobile
    ("王主任", "县医疗保障局", "整改办", "13900000001"),
    ("周干事", "县医疗保障局", "整改办", "13900000002"),
    ("刘局长", "县医疗保障局", "分管领导", "13900000003"),
    ("钱会计", "县财政局", "单位经办人", "13900000011"),
    ("吴局长", "县财政局", "单位负责人", "13900000012"),
    ("冯科长", "县财政局", "牵头单位审核人", "13900000013"),
    ("李干事", "县新农合办公室", "单位经办人", "13900000021"),
    ("赵主任", "县新农合办公室", "单位负责人", "13900000022"),
    ("孙科长", "县新农合办公室", "牵头单位审核人", "13900000023"),
    ("陈干事", "县卫生健康局", "单位经办人", "13900000031"),
    ("郑局长", "县卫生健康局", "单位负责人", "13900000032"),
    ("韩科长", "县卫生健康局", "牵头单位审核人", "13900000033"),
    ("何院长", "县人民医院", "单位负责人", "13900000041"),
    ("许书记", "县纪委监委", "纪检监察", "13900000051"),
)
# The audited bodies as the report names them → (lead unit, audited unit).
BODIES = {"财政部门": ("县财政局", "县财政局"), "新农合办公室": ("县新农合办公室", "县新农合办公室"),
          "定点医疗机构": ("县卫生健康局", "县人民医院")}
STAFF = {"县财政局": ("钱会计", "吴局长", "冯科长"), "县新农合办公室": ("李干事", "赵主任", "孙科长"),
         "县卫生健康局": ("陈干事", "郑局长", "韩科长")}
# What the coordinator writes into the draft: the deadline the audit decision
# set for each finding, and the type of rectification.
DEADLINES = {
    "1": ("30日", "立行立改"), "2-1": ("60日", "分阶段整改"), "2-2": ("30日", "分阶段整改"),
    "2-3": ("45日", "分阶段整改"), "2-4": ("45日", "分阶段整改"), "2-5": ("20个工作日", "分阶段整改"),
    "2-6": ("60日", "分阶段整改"), "2-7": ("30日", "分阶段整改"), "2-8": ("90日", "持续整改"),
    "3-1": ("30日", "分阶段整改"), "3-2": ("立行立改", "立行立改"), "3-3": ("30日", "分阶段整改"),
}
MASKED_AMOUNTS = {"3-1": "70600.00"}  # from the audit working papers; masked in the published report


@dataclass
class Demo:
    folder: Path
    engine: object
    settings: object
    echo: Callable[[str], None]
    now: datetime = START
    lines: list[str] = field(default_factory=list)  # what happened today, printed under the date

    # ---------------------------------------------------------- helpers for the story

    def actor(self, session: Session, name: str) -> Actor:
        return actor_for(session, find_person(session, name))

    def at(self, hour: int, minute: int = 0) -> datetime:
        return self.now.replace(hour=hour, minute=minute)

    def say(self, text: str) -> None:
        self.lines.append(f"  · {text}")

    def end_of_day(self) -> None:
        """Print the day only when something happened on it (quiet days are skipped)."""
        if self.lines:
            self.echo(f"{self.now:%Y-%m-%d} 周{WEEKDAYS[self.now.weekday()]}")
            for line in self.lines:
                self.echo(line)
        self.lines.clear()

    @cached_property
    def calendar(self):
        from models.calendar import WorkCalendar

        return WorkCalendar()

    def lead_of(self, session: Session, number: str) -> tuple[Finding, tuple[str, str, str]]:
        from models.ledger import Unit

        finding = find_finding(session, number)
        return finding, STAFF[session.get(Unit, finding.lead_unit_id).name]

    def work(self, number: str, note: str, partial: bool = False) -> None:
        from models.lifecycle import report_progress

        with transaction(self.engine) as session:
            finding, (staff, _, _) = self.lead_of(session, number)
            report_progress(session, finding, self.actor(session, staff), self.at(10), note, partial=partial)
        self.say(f"【{'部分整改' if partial else '报送进展'}】问题 {number}：{note}（{staff}）")

    def submit(self, number: str, measures: str, result: str, evidence: str,
               amounts: tuple[tuple[str, str], ...] = ()) -> None:
        from models.lifecycle import add_evidence, record_amount, submit
        from models.vocab import RecoveryKind, parse_choice

        proof = self.folder / "佐证材料" / f"{number}-{evidence}.txt"
        proof.parent.mkdir(parents=True, exist_ok=True)
        proof.write_text(f"{evidence}\n（演示用佐证材料，问题 {number}）\n", encoding="utf-8")
        with transaction(self.engine) as session:
            finding, (staff, _, _) = self.lead_of(session, number)
            actor = self.actor(session, staff)
            add_evidence(session, finding, actor, self.at(10), self.settings.data_dir, file=proof)
            for kind, amount in amounts:
                record_amount(session, finding, actor, self.at(10), parse_choice(RecoveryKind, kind, "金额类型"),
                              amount, self.now.date())
            submit(session, finding, actor, self.at(10, 5), measures, result)
        self.say(f"【申请销号】问题 {number}：{staff} 提交整改措施、结果和佐证材料“{evidence}”")

    def review(self, number: str, steps: int = 4, shortfall: str | None = None) -> None:
        """The next `steps` review steps approve, each by the right person, 30 minutes apart."""
        from models.lifecycle import approve_step
        from models.vocab import Status

        with transaction(self.engine) as session:
            finding, (_, head, reviewer) = self.lead_of(session, number)
            by_step = {Status.SUBMITTED: head, Status.LEAD_REVIEW: reviewer,
                       Status.COORDINATOR_REVIEW: "王主任", Status.LEADER_APPROVAL: "刘局长"}
            for index in range(steps):
                name = by_step[finding.status]
                event = approve_step(session, finding, self.actor(session, name), self.at(14 + index // 2, 30 * (index % 2)),
                                     shortfall_reason=shortfall if finding.status == Status.LEADER_APPROVAL else None)
                if finding.status == Status.CLOSED:
                    self.say(f"【销号】问题 {number} 经单位负责人承诺、牵头单位审核、整改办复核、领导审批，已销号")
                    return
            self.say(f"【审核】问题 {number}：{event.action}，转{finding.status}")

    def send_back(self, number: str, reason: str) -> None:
        from models.lifecycle import approve_step, return_for_more

        with transaction(self.engine) as session:
            finding, (_, head, reviewer) = self.lead_of(session, number)
            approve_step(session, finding, self.actor(session, head), self.at(11))
            return_for_more(session, finding, self.actor(session, reviewer), self.at(15), reason)
        self.say(f"【退回补充】问题 {number}：{reviewer} 退回，理由：{reason}")

    def extend(self, number: str, to: date, reason: str) -> None:
        from models.lifecycle import decide_extension, request_extension

        with transaction(self.engine) as session:
            finding, (staff, _, _) = self.lead_of(session, number)
            request_extension(session, finding, self.actor(session, staff), self.at(10), to, reason)
            decide_extension(session, finding, self.actor(session, "王主任"), self.at(16), True, "同意延期")
        self.say(f"【延期】问题 {number}：{staff} 申请延期至 {to}（{reason}），整改办王主任批准，督办阶梯按新期限重新计算")

    # ---------------------------------------------------------- formal acts

    def schedule_interviews(self) -> None:
        from models.escalation import list_interviews, schedule_interview

        with transaction(self.engine) as session:
            for row in list_interviews(session):
                if row.interview.scheduled_at is None:
                    at = datetime.combine(self.calendar.add_workdays(self.now.date(), 3), datetime.min.time()).replace(hour=15)
                    schedule_interview(session, row.interview.id, self.actor(session, "王主任"), self.at(11),
                                       at=at, place="县医疗保障局三楼会议室", interviewer="刘局长")
                    self.say(f"【约谈】整改办安排约谈 {row.unit} {row.interviewee or '主要负责人'}："
                             f"{at:%m月%d日 %H:%M}，县医疗保障局三楼会议室，约谈人刘局长")

    def hold_interviews(self) -> None:
        from models.escalation import close_interview, list_interviews

        with transaction(self.engine) as session:
            for row in list_interviews(session):
                if row.interview.scheduled_at and row.interview.scheduled_at.date() == self.now.date():
                    close_interview(session, row.interview.id, self.actor(session, "王主任"), self.at(17),
                                    "被约谈人作表态发言，承诺一周内拿出整改方案并报送进展", True)
                    self.say(f"【约谈】已约谈 {row.unit}，结果已记录")

    def issue_circular(self) -> None:
        from models.escalation import issue_circular, list_circulars

        with transaction(self.engine) as session:
            for circular, entries in list_circulars(session, include_issued=False):
                issue_circular(session, circular.id, self.actor(session, "王主任"), self.at(11),
                               "X医保整改办〔2026〕2号")
                units = "、".join(dict.fromkeys(unit.name for _, unit, _ in entries))
                self.say(f"【通报】印发整改情况通报（X医保整改办〔2026〕2号），通报批评：{units}")

    def refer(self) -> None:
        from models.escalation import close_referral, list_referrals

        with transaction(self.engine) as session:
            for referral, unit, finding in list_referrals(session):
                close_referral(session, referral.id, self.actor(session, "王主任"), self.at(11),
                               "已将问题线索及完整办理记录移送县纪委监委", done=True)
                self.say(f"【问责】问题 {finding.number}（{unit.name}）已移送县纪委监委，附完整催办督办记录")

    def fine_hospital(self) -> None:
        from models.penalties import record_decision

        with transaction(self.engine) as session:
            finding = find_finding(session, "3-1")
            actor = self.actor(session, "王主任")
            for measure, amount in (("责令退回", "70600.00"), ("罚款", "105900.00")):
                record_decision(session, party="县人民医院", article=38, measure=measure, actor=actor, now=self.at(11),
                                decided_on=self.now.date(), amount=amount, finding=finding,
                                doc_number="X医保罚〔2026〕1号")
        self.say("【处理】县人民医院：依条例第三十八条责令退回 70,600.00 元，并处罚款 105,900.00 元（损失的 1.5 倍，法定 1–2 倍）")

    def collect(self, kind: str, amount: str) -> None:
        from models.penalties import list_decisions, record_collection

        with transaction(self.engine) as session:
            actor = self.actor(session, "王主任")
            for row in list_decisions(session, "县人民医院"):
                if row.decision.measure == kind:
                    record_collection(session, row.decision.id, amount, self.now.date(), actor, self.at(16))
        self.say(f"【到账】县人民医院{kind} {amount} 元已到账")


# ---------------------------------------------------------------- the story

STORY: dict[int, list[Callable[[Demo], None]]] = {
    1: [lambda d: d.work("3-2", "已停止收取不明细的治疗费，正在逐项核对"),
        lambda d: d.work("1", "已启动市级配套资金调度")],
    2: [lambda d: d.submit("3-2", "一是清理收费项目；二是按《收费许可证》公示收费明细", "已整改，收费明细已公示",
                           "收费公示照片"),
        lambda d: d.review("3-2")],
    8: [lambda d: d.submit("1", "一是调整资金拨付流程；二是建立配套资金预拨机制", "当年配套资金已于3月底前足额拨付",
                           "资金拨付凭证"),
        lambda d: d.review("1")],
    10: [lambda d: d.work("2-5", "已与城镇医保数据比对，核实重复参保学生 5,855 人")],
    12: [lambda d: d.submit("2-5", "清理重复参保人员，建立参保信息比对机制", "已清退重复参保 5,855 人", "比对结果"),
         lambda d: d.send_back("2-5", "缺少逐人清退明细及个人缴费退还情况")],
    15: [lambda d: d.submit("2-5", "清理重复参保人员，建立参保信息比对机制", "已清退重复参保 5,855 人并退还个人缴费",
                            "清退明细表"),
         lambda d: d.review("2-5")],
    17: [lambda d: d.submit("3-3", "组织全院培训，补签知情同意书", "已补签并建立自费药品告知制度", "培训签到表"),
         lambda d: d.review("3-3")],
    20: [lambda d: d.work("2-3", "已梳理越级报销药品 218 种，需省级系统调整目录"),
         lambda d: d.extend("2-3", date(2026, 5, 29), "报销目录调整需省级信息系统配合")],
    22: [lambda d: d.fine_hospital()],
    26: [lambda d: d.submit("2-7", "逐户核对参合信息，统一账表与电子数据", "参合人数已一致", "核对报告"),
         lambda d: d.review("2-7")],
    27: [lambda d: d.collect("责令退回", "70600.00")],
    29: [lambda d: d.submit("3-1", "按规定加成率重新核价，退还多收费用", "已按规定作价，违规所得已退回",
                            "退款凭证", (("追回/退回基金", "70600.00"),)),
         lambda d: d.review("3-1")],
    30: [lambda d: d.work("2-6", "已与妇幼保健部门建立住院分娩补助先行结算流程", partial=True)],
    38: [lambda d: d.submit("2-2", "严格执行诊疗项目目录，追回违规补偿", "已停止全额纳入，违规补偿已追回",
                            "追回凭证"),
         lambda d: d.review("2-2")],
    45: [lambda d: d.collect("罚款", "105900.00")],
    53: [lambda d: d.submit("2-1", "调整补偿方案，提高报销比例以消化结余", "累计结余已降至规定比例以内", "测算报告"),
         lambda d: d.review("2-1", shortfall="问题资金为超额结余，通过调整补偿方案消化，无需追回")],
    58: [lambda d: d.submit("2-6", "建立住院分娩补助先行结算机制", "已全面执行专项补助政策", "结算流程文件"),
         lambda d: d.review("2-6")],
    78: [lambda d: d.submit("2-3", "按医院级别调整用药目录并追回越级报销", "省级系统目录已调整", "系统调整截图"),
         lambda d: d.review("2-3")],
    80: [lambda d: d.work("2-8", "新版信息系统已上线试运行，身份证校验功能启用")],
}
STANDING = (  # coordinators' routine, every simulated morning after the sweep
    Demo.schedule_interviews, Demo.hold_interviews,
)
WEEKLY = (Demo.issue_circular, Demo.refer)  # on Fridays


def run_demo(folder: Path, echo: Callable[[str], None] = print, days: int = DAYS) -> Path:
    folder = prepare_folder(folder)
    settings = load_settings(cwd=folder, environ={"RECTIFY_CONFIG": str(folder / "rectify.toml")})
    engine = make_engine(settings.database_url)
    upgrade(engine)
    demo = Demo(folder, engine, settings, echo)
    echo(f"演示目录：{folder}（数据库 rectify.db，通知发件箱 outbox/，文书 文书/）")
    register(demo)
    demo.end_of_day()
    # The office works on working days (holidays and 调休 included): the scheduled
    # jobs and the people; what the story plans for a rest day waits for the next working day.
    waiting: list[Callable[[Demo], None]] = []
    for day in range(1, days + 1):
        demo.now = START + timedelta(days=day)
        waiting += STORY.get(day, [])
        if demo.calendar.is_workday(demo.now.date()):
            run_morning_jobs(demo)
            for act in STANDING + (WEEKLY if demo.now.weekday() == 4 else ()):
                act(demo)
            for act in waiting:
                act(demo)
            waiting.clear()
            send_notices(demo)
        demo.end_of_day()
    leave_documents(demo)
    demo.end_of_day()
    engine.dispose()
    return folder


def prepare_folder(folder: Path) -> Path:
    """A fresh demo folder: refuse to reuse one that holds anything but an earlier demo."""
    import shutil

    folder = folder.resolve()
    marker = folder / ".rectify-demo"
    if folder.exists() and any(folder.iterdir()):
        if not marker.exists():
            from models.errors import ValidationError

            raise ValidationError(f"目录 {folder} 不是空目录，也不是之前的演示目录；请换一个目录")
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    marker.write_text("rectify demo\n", encoding="utf-8")
    (folder / "rectify.toml").write_text(DEMO_CONFIG, encoding="utf-8")
    return folder


DEMO_CONFIG = """\
# 演示配置（rectify demo 生成）
data_dir = "."

[database]
url = "sqlite:///rectify.db"

[import_report]
default_deadline = "30日"

[import_report.lead_units]
"财政部门" = "县财政局"
"新农合办公室" = "县新农合办公室"
"定点医疗机构" = "县卫生健康局"

[documents]
issuer = "XX县医疗保障局"
doc_prefix = "X医保"
addressee = "县人民政府"
"""


def register(demo: Demo) -> None:
    """Units, people, and the findings of the audit report through the draft ledger."""
    from integrations.ledger_import import ImportOptions, import_ledger
    from integrations.report_import import ReportDefaults, propose, write_draft
    from integrations.report_parser import parse_report
    from models.sources import add_source
    from models.units import add_person, add_unit

    with transaction(demo.engine) as session:
        for name, parent in UNITS:
            add_unit(session, name=name, kind=None, parent=parent, email=None, wecom_robot=None,
                     dingtalk_robot=None, feishu_robot=None, now=demo.now)
        for name, unit, role, mobile in PEOPLE:
            add_person(session, name=name, unit=unit, role=role, mobile=mobile)
        add_source(session, title=SOURCE, kind="审计", doc_number=SOURCE_DOC, issuer="XX县审计局",
                   issued_on=date(2026, 2, 27), now=demo.now)
    report_file = Path(__file__).parent / "demo_data" / "audit-report-county-ncms-fund.txt"
    report = parse_report(report_file)
    defaults = ReportDefaults.from_config(demo.settings.section("import_report"))
    proposal = propose(demo.engine, report, source=SOURCE_DOC, actor="王主任", defaults=defaults)
    draft = write_draft(proposal, demo.folder / "台账草稿.xlsx")
    complete_draft(draft)
    imported = import_ledger(demo.engine, draft, ImportOptions(source=SOURCE_DOC, actor="王主任", now=demo.now),
                             demo.calendar)
    demo.say(f"【登记】整改办王主任从审计报告识别问题 {len(report.findings)} 条，补全牵头单位、整改时限后"
             f"导入台账 {len(imported.imported)} 条（草稿：台账草稿.xlsx）")
    with Session(demo.engine) as session:
        for finding in session.exec(select(Finding).order_by(Finding.id)):
            demo.lines.append(f"      问题 {finding.number} {finding.summary[:24]}…… 期限 {finding.deadline}")


def complete_draft(draft: Path) -> None:
    """What the coordinator does by hand in Excel: the lead and audited units, deadlines, type, masked amounts."""
    from openpyxl import load_workbook

    from integrations.ledger_columns import COLUMNS

    workbook = load_workbook(draft)
    sheet = workbook.worksheets[0]
    column = {c.field: index for index, c in enumerate(COLUMNS, start=1)}
    for row in range(2, sheet.max_row + 1):
        number = str(sheet.cell(row, column["number"]).value)
        body = sheet.cell(row, column["audited_unit"]).value
        lead, audited = BODIES[body]
        deadline, kind = DEADLINES[number]
        sheet.cell(row, column["lead_unit"]).value = lead
        sheet.cell(row, column["audited_unit"]).value = audited
        sheet.cell(row, column["deadline"]).value = deadline
        sheet.cell(row, column["rectification_type"]).value = kind
        sheet.cell(row, column["responsible_person"]).value = STAFF[lead][0]
        sheet.cell(row, column["responsible_leader"]).value = STAFF[lead][1]
        if number in MASKED_AMOUNTS:
            sheet.cell(row, column["amount"]).value = float(MASKED_AMOUNTS[number])
    workbook.save(draft)


def send_notices(demo: Demo) -> None:
    """The dispatcher's run after the day's work: with no channel configured, into outbox/."""
    from integrations.dispatch import dispatch_from_settings

    result = dispatch_from_settings(demo.engine, demo.settings, demo.at(18))
    if result.sent:
        demo.say(f"【发送】{len(result.sent)} 条通知已送达（本演示未配置机器人，写入 {demo.settings.data_dir / 'outbox'}）")


def leave_documents(demo: Demo) -> None:
    """At the end: the Word documents, the ledger export, and the report delivered to leadership."""
    from integrations.ledger_export import export_ledger
    from models.escalation import list_circulars, list_interviews, list_referrals
    from models.vocab import Status
    from notices.reports import (
        deliver_report, write_circular, write_closure_report, write_interview_notice, write_league_table,
        write_referral, write_signoff_form, write_supervision_notice,
    )

    docs = demo.folder / "文书"
    docs.mkdir(exist_ok=True)
    settings, now = demo.settings, demo.at(18)
    written = []
    with transaction(demo.engine) as session:
        report = write_closure_report(session, settings, now, source=SOURCE_DOC, path=docs / "整改情况报告.docx")
        written.append(report)
        written.append(write_league_table(session, settings, now, path=docs / "整改销号排名表.docx"))
        for finding in session.exec(select(Finding).where(Finding.status == Status.CLOSED).order_by(Finding.id)):
            written.append(write_signoff_form(session, settings, now, finding,
                                              path=docs / f"销号审批表-{finding.number}.docx"))
        written.append(write_supervision_notice(session, settings, now, "2-4", path=docs / "督办通知单-2-4.docx"))
        for row in list_interviews(session, include_closed=True):
            written.append(write_interview_notice(session, settings, now, row.interview.id,
                                                  path=docs / f"约谈通知书-{row.unit}.docx"))
        for number, (circular, _) in enumerate(list_circulars(session), start=1):
            written.append(write_circular(session, settings, now, circular.id, path=docs / f"通报-{number}.docx"))
        for referral, unit, finding in list_referrals(session, include_closed=True):
            written.append(write_referral(session, settings, now, referral.id,
                                          path=docs / f"问责移送函-{finding.number}.docx"))
        deliveries = deliver_report(session, settings, now, report)
        export_ledger(session, demo.folder / "整改台账.xlsx")
    demo.say(f"【文书】生成公文格式 Word 文书 {len(written)} 份（{docs}）：整改情况报告、排名表、销号审批表、"
             "督办通知单、约谈通知书、通报、问责移送函")
    demo.say(f"【报告】整改情况报告已送达分管领导（{len(deliveries)} 条）；台账已导出：{demo.folder / '整改台账.xlsx'}")
    send_notices(demo)


def run_morning_jobs(demo: Demo) -> None:
    """09:00: the sweep, as the scheduler would run it; its escalations, one line each."""
    from models.policy import policy_from_settings
    from models.sweep import run_sweep

    with transaction(demo.engine) as session:
        result = run_sweep(session, demo.at(9), policy_from_settings(demo.settings), demo.calendar)
    for created in result.created:
        days = (demo.now.date() - created.deadline).days
        when = f"逾期 {days} 天" if days > 0 else ("今日到期" if days == 0 else f"距期限 {-days} 天")
        demo.say(f"【{created.step.label}】问题 {created.number} {created.summary[:18]}…… {when}"
                 f" → {result.unit_names[created.unit_id]}")
    if result.notices:
        demo.say(f"【通知】生成汇总通知 {len(result.notices)} 条（每个接收渠道一条）")
