"""Realistic document data: the findings of shared/samples/audit-report-county-ncms-fund.txt.

The source masks years ("20xx") and some digits ("14,891,元"); the rectification
runs through 2026 here, and masked amounts are completed plausibly.
"""
from datetime import date, datetime
from decimal import Decimal as D

from notices.documents.data import (
    RecoveryKind as K, Circular, ClosureReport, Commendation, DocHeader, Enforcement, FindingRow,
    HistoryEvent, InterviewNotice, Issuer, LeagueTable, NamedUnit, Outcome as O,
    RectificationType as T, Referral, SignOffEvent, SignOffForm, SignOffStep as S, SourceRef,
    SupervisionNotice, summarise, unit_stats,
)

AS_OF = date(2026, 11, 20)
ISSUED_ON = date(2026, 11, 22)
AUDIT_DOC_NUMBER = "X审调报〔2025〕9号"

ISSUER = Issuer(name="XX县医疗保障局", doc_prefix="X医保发", addressee="县人民政府",
                discipline_body="县纪委监委")
# The coordinating office sends the notices, circulars and referrals.
OFFICE = Issuer(name="XX县审计整改工作领导小组办公室", doc_prefix="X审整办", addressee="各责任单位",
                discipline_body="县纪委监委")

SOURCE = SourceRef(
    kind="审计", issuing_body="XX县审计局",
    title="关于XX县新型农村合作医疗基金筹集、管理和使用情况的专项审计调查报告",
    doc_number=AUDIT_DOC_NUMBER, issued_on=date(2025, 8, 15))

MEDICAL_OFFICE = "县医疗保障局"


def _f(number, category, summary, lead_unit, rtype, deadline, outcome, **kw):
    return FindingRow(number=number, category=category, summary=summary, lead_unit=lead_unit,
                      rectification_type=rtype, deadline=deadline, outcome=outcome,
                      source=f"审计 {AUDIT_DOC_NUMBER}", **kw)


def county_findings() -> tuple[FindingRow, ...]:
    return (
        _f("SJ2025-01", "配套资金拨付不及时", "市级配套资金拨付不及时", "县财政局", T.IMMEDIATE,
           date(2026, 3, 31), O.CLOSED, closed_on=date(2026, 3, 20), status="已销号",
           description="上年度市级配套资金14,891,000元于次年4月7日才全额拨付到位，"
                       "不符合鲁财社〔20xx〕3号“市县两级财政当年补助资金要于3月底前足额拨付到位”的规定",
           measures=("将市县两级配套资金纳入年初预算，3月底前足额拨付",
                     "建立配套资金拨付进度月报制度"),
           result="2026年度市级配套资金已于3月20日全额拨付到位",
           evidence=("拨款凭证", "2026年度预算批复")),
        _f("SJ2025-02", "基金结余过大", "统筹基金累计结余过大", MEDICAL_OFFICE, T.CONTINUOUS,
           date(2026, 12, 31), O.IN_PROGRESS, status="整改中",
           description="截至上年底统筹基金累计结余25,590,000元，超过国家规定最高结存比例，"
                       "超最高结存额10,078,000元",
           measures=("调整住院报销比例和封顶线，提高基金使用效率",
                     "按季度监测基金结余率并向县政府报告"),
           result="已将乡镇卫生院住院报销比例提高5个百分点，结余率降至31%",
           reason="降低结余需调整待遇政策，须经县政府常务会议研究",
           plan="2027年起提高门诊统筹待遇，逐步消化历年结余",
           planned_on=date(2027, 6, 30), evidence=("基金运行季度分析报告",)),
        _f("SJ2025-03", "报销范围扩大", "医疗诊疗项目报销范围过大", MEDICAL_OFFICE, T.IMMEDIATE,
           date(2026, 4, 30), O.CLOSED, closed_on=date(2026, 5, 12), status="已销号",
           amount=D("326450.00"), rectified={K.RECOVERED: D("326450.00")},
           description="CT费等不予补偿的项目、人工关节和ICU病房费全额纳入统筹范围",
           measures=("严格执行全省统一的诊疗项目目录", "追回多支付的统筹基金",
                     "升级结算系统自动剔除个人负担部分"),
           result="多支付基金326,450.00元已全部追回", evidence=("追回款银行回单", "系统升级验收单")),
        _f("SJ2025-04", "报销范围扩大", "一、二级医院用药范围扩大", MEDICAL_OFFICE, T.PHASED,
           date(2026, 6, 30), O.CLOSED, closed_on=date(2026, 6, 25), status="已销号",
           amount=D("9381596.00"),
           rectified={K.RECOVERED: D("8912300.00"), K.ADJUSTED: D("469296.00")},
           description="一、二级医院未按医院级别区分用药范围，越级报销药品5,734,216元和3,647,380元",
           measures=("按医疗机构级别重新设置药品目录报销标识", "追回越级报销的基金"),
           result="越级报销基金已追回8,912,300.00元，其余469,296.00元已调账",
           evidence=("追回款银行回单", "调账凭证", "药品目录设置截图")),
        _f("SJ2025-05", "政策衔接不到位", "新农合与医疗救助不衔接", MEDICAL_OFFICE, T.PHASED,
           date(2026, 9, 30), O.IN_PROGRESS, status="部分整改", co_units=("县民政局",),
           description="医疗救助对象82人中仅少数得到救助，报销达到封顶线的20人中只有2人得到医疗救助",
           measures=("与民政部门建立救助对象信息共享机制", "推行基本医保、大病保险和医疗救助“一站式”结算"),
           result="已完成救助对象名单比对，“一站式”结算尚未上线",
           reason="民政医疗救助信息系统接口尚未完成对接",
           plan="督促软件供应商完成接口开发并联调测试", planned_on=date(2026, 12, 31)),
        _f("SJ2025-06", "重复参保", "部分农村中小学生重复参保", MEDICAL_OFFICE, T.IMMEDIATE,
           date(2026, 5, 31), O.CLOSED, closed_on=date(2026, 5, 28), status="已销号",
           co_units=("县教育局", "县人社局"),
           description="6至14岁学生中经身份证号码核对确认重复参保5,855人",
           measures=("与城镇职工医保参保数据逐人比对", "清理重复参保人员并退还个人缴费"),
           result="5,855名重复参保学生已全部清理", evidence=("清理名单", "退费凭证")),
        _f("SJ2025-07", "政策衔接不到位", "新农合基金补偿与重大公共卫生专项补助不衔接",
           MEDICAL_OFFICE, T.PHASED, date(2026, 8, 31), O.CLOSED, closed_on=date(2026, 8, 15),
           status="已销号", co_units=("县卫生健康局",),
           description="农村孕产妇住院分娩未先执行国家专项补助即按新农合规定补偿",
           measures=("先执行专项补助、剩余医药费用再按规定补偿", "对定点医疗机构开展政策培训"),
           result="结算流程已调整，专项补助先行结算", evidence=("结算流程文件", "培训签到表")),
        _f("SJ2025-08", "数据不一致", "参合人数信息不一致", MEDICAL_OFFICE, T.IMMEDIATE,
           date(2026, 4, 30), O.CLOSED, closed_on=date(2026, 4, 28), status="已销号",
           description="账表与电子资料参合人数分别相差3,542人和9,369人",
           measures=("逐乡镇核对参合登记信息", "建立账表与系统数据月度对账制度"),
           result="参合人数账实已核对一致", evidence=("核对工作底稿",)),
        _f("SJ2025-09", "数据不一致", "数据录入信息不准确、电子数据不对应", MEDICAL_OFFICE,
           T.PHASED, date(2026, 10, 31), O.NOT_STARTED, status="待整改",
           description="参合信息完全重复23人、身份证号码重复815人，752条记录只有汇总数据没有明细数据",
           reason="信息系统升级项目尚未完成政府采购", plan="完成系统招标后增加身份证号码校验功能",
           planned_on=date(2027, 3, 31)),
        _f("SJ2025-10", "超标准收费", "超规定加成率销售药品", "县人民医院", T.PHASED,
           date(2026, 7, 31), O.IN_PROGRESS, status="部分整改",
           co_units=(MEDICAL_OFFICE, "县市场监督管理局"), amount=D("7060530.00"),
           rectified={K.RECOVERED: D("5200000.00"), K.FINE: D("120000.00")},
           description="药品加成率超过国家规定最高限，超规定加成率销售药品7,060,530元",
           measures=("按实际购进价格顺加不超过15%重新核定药品价格", "退回超收的医保基金"),
           result="已退回基金5,200,000.00元，缴纳罚款120,000.00元",
           reason="医院资金周转困难，申请分期退回",
           plan="剩余1,860,530.00元分两期退回", planned_on=date(2027, 1, 31),
           evidence=("退款银行回单", "行政处罚决定书")),
        _f("SJ2025-11", "收费项目不明细", "医疗收费项目不明细", "次丘中心卫生院", T.IMMEDIATE,
           date(2026, 3, 31), O.CLOSED, closed_on=date(2026, 3, 30), status="已销号",
           amount=D("181260.00"),
           rectified={K.RECOVERED: D("181260.00"), K.LIQUIDATED_DAMAGES: D("18126.00")},
           description="收取治疗费项目不明细181,260元",
           measures=("按收费许可证规定的项目和标准收费", "退回不明细收费并按协议支付违约金"),
           result="不明细收费181,260.00元已退回基金，支付违约金18,126.00元",
           evidence=("退款银行回单", "违约金缴款凭证")),
        _f("SJ2025-12", "未履行告知义务", "部分病案自费药品未签知情同意书", "康驿镇卫生院",
           T.IMMEDIATE, date(2026, 2, 28), O.CLOSED, closed_on=date(2026, 2, 26), status="已销号",
           description="2个病案使用目录外药品未签署自费药品知情同意书",
           measures=("完善自费药品知情同意书签署制度", "将签署情况纳入病案质量检查"),
           result="已补签并建立病案抽查制度", evidence=("知情同意书模板", "病案抽查记录")),
    )


def header(serial: int = 12, **kw) -> DocHeader:
    return DocHeader(issuer=ISSUER, serial=serial, issued_on=ISSUED_ON, **kw)


ENFORCEMENT = Enforcement(interviews=2, circulars=1, referrals=1, people_held_accountable=2,
                          rules_made=6, penalty_decisions=1, penalties_decided=D("120000.00"),
                          penalties_collected=D("120000.00"))

ORGANISATION = (
    "县政府成立了由县长任组长的审计整改工作领导小组，领导小组办公室设在县医疗保障局，"
    "召开专题会议3次，逐项明确牵头单位、配合单位和完成时限",
)


def county_report(findings=None, **kw) -> ClosureReport:
    findings = county_findings() if findings is None else tuple(findings)
    values = dict(
        header=header(signer="王某某"),
        title="关于XX县新型农村合作医疗基金专项审计调查发现问题整改情况的报告",
        as_of=AS_OF, sources=(SOURCE,), findings=findings,
        figures=summarise(findings, AS_OF), units=unit_stats(findings, AS_OF),
        enforcement=ENFORCEMENT, organisation=ORGANISATION,
    )
    values.update(kw)
    return ClosureReport(**values)


def at(day: date, hour: int = 9, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute)


def finding(number: str) -> FindingRow:
    return next(f for f in county_findings() if f.number == number)


def signoff_form() -> SignOffForm:
    """SJ2025-04 went through the whole chain once, after the lead unit first returned it."""
    return SignOffForm(
        finding=finding("SJ2025-04"), form_number="XH-2026-004", issuer=ISSUER,
        events=(
            SignOffEvent(S.UNIT_HEAD, "赵某某", "已按要求完成整改，追回和调账资金已全部到位，申请销号。",
                         datetime(2026, 6, 10, 10, 0)),
            SignOffEvent(S.LEAD_UNIT, "钱某某", "调账凭证不全，退回补充。", datetime(2026, 6, 12, 15, 0)),
            SignOffEvent(S.UNIT_HEAD, "赵某某", "已补充调账凭证，申请销号。", datetime(2026, 6, 16, 9, 30)),
            SignOffEvent(S.LEAD_UNIT, "钱某某", "经审核，整改措施落实到位，同意报整改办复核。",
                         datetime(2026, 6, 18, 11, 0)),
            SignOffEvent(S.COORDINATOR, "孙某某", "佐证材料逐项复核无误，建议销号。",
                         datetime(2026, 6, 22, 16, 0)),
            SignOffEvent(S.LEADER, "李某某", "同意销号。", datetime(2026, 6, 25, 8, 45)),
        ))


def overdue_findings() -> tuple[FindingRow, ...]:
    return tuple(f for f in county_findings()
                 if f.lead_unit == MEDICAL_OFFICE and f.closed_on is None and f.deadline < AS_OF)


def supervision_notice() -> SupervisionNotice:
    return SupervisionNotice(
        header=DocHeader(OFFICE, 31, ISSUED_ON), unit=MEDICAL_OFFICE, findings=overdue_findings(),
        as_of=AS_OF, reply_by=date(2026, 12, 5), level="黄牌督办",
        contact="孙某某，电话 0530-1234567")


def interview_notice() -> InterviewNotice:
    return InterviewNotice(
        header=DocHeader(OFFICE, 32, ISSUED_ON), unit=MEDICAL_OFFICE,
        interviewee="周某某（县医疗保障局局长）",
        interviewers="县审计整改工作领导小组副组长、副县长李某某", at=datetime(2026, 11, 27, 15, 0),
        place="县政府3楼第二会议室", findings=overdue_findings(), as_of=AS_OF,
        attendees="分管副局长、基金监管股负责人", contact="孙某某，电话 0530-1234567")


def circular() -> Circular:
    findings = county_findings()
    return Circular(
        header=DocHeader(OFFICE, 35, ISSUED_ON, addressee="各乡镇人民政府，县直有关部门，各定点医疗机构"),
        title="关于新型农村合作医疗基金审计发现问题整改进展情况的通报", as_of=AS_OF,
        overview=("截至2026年11月20日，审计指出的12个问题已整改8个，正在整改3个，未整改1个",),
        commended=(Commendation("次丘中心卫生院", (finding("SJ2025-11"),)),
                   Commendation("康驿镇卫生院", (finding("SJ2025-12"),))),
        criticised=(NamedUnit(MEDICAL_OFFICE, overdue_findings()),
                    NamedUnit("县人民医院", (finding("SJ2025-10"),))),
        league=unit_stats(findings, AS_OF))


def referral() -> Referral:
    f = finding("SJ2025-09")
    history = (
        HistoryEvent(datetime(2026, 10, 24, 9, 0), f.number, "提醒", "整改跟踪机器人", "距整改时限还有7天"),
        HistoryEvent(datetime(2026, 10, 30, 9, 0), f.number, "提醒", "整改跟踪机器人", "距整改时限还有1天"),
        HistoryEvent(datetime(2026, 11, 1, 9, 0), f.number, "催办", "整改办", "逾期1天，发出催办通知"),
        HistoryEvent(datetime(2026, 11, 5, 9, 0), f.number, "督办", "整改办",
                     "黄牌督办，X审整办〔2026〕28号"),
        HistoryEvent(datetime(2026, 11, 12, 15, 0), f.number, "约谈", "副县长李某某",
                     "约谈县医疗保障局局长周某某，要求11月底前完成"),
        HistoryEvent(datetime(2026, 11, 18, 9, 0), f.number, "通报", "县政府办公室",
                     "在全县通报批评，X审整办〔2026〕30号"),
    )
    return Referral(
        header=DocHeader(OFFICE, 36, ISSUED_ON), unit=MEDICAL_OFFICE, responsible="周某某（县医疗保障局局长）",
        findings=(f,), history=history, as_of=AS_OF,
        enclosures=("督办通知单（X审整办〔2026〕28号）", "约谈记录", "通报（X审整办〔2026〕30号）"))


def league_table() -> LeagueTable:
    return LeagueTable(title="各责任单位审计整改销号情况排名表", as_of=AS_OF,
                       units=unit_stats(county_findings(), AS_OF),
                       compiled_by="县审计整改工作领导小组办公室", compiled_on=ISSUED_ON)
