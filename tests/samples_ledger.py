"""The findings of shared/samples/audit-report-county-ncms-fund.txt as a
real-world rectification ledger (.xlsx), for tests and the demo.

The sheet looks like the ones county offices circulate: a merged title row,
a 填报单位/填报日期 row, then headers under their common aliases (序号,
存在问题, 责任单位, 完成时限, 涉及金额（元）…) and one row per finding,
grouped by audited body as the report is (1 财政部门, 8 新农合办公室, 3
定点医疗机构). Deadlines are written the ways coordinators write them: a
full Chinese date, "6月30日前" without a year, "30日", "10个工作日",
"立行立改" and a real Excel date cell.

The report masks the last digits of its figures ("7,060,元"). Three amounts
the rectification turns on are completed plausibly (the last group of
digits); every other masked or absent figure is left out (blank or "—"),
as a coordinator would leave it.
"""
import csv
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

LEDGER_TITLE = "XX县新农合基金专项审计调查发现问题整改台账"
SOURCE_TITLE = "XX县新型农村合作医疗基金专项审计调查"
SOURCE_DOC_NUMBER = "X审调〔2025〕9号"
SOURCE_ISSUER = "XX县审计局"
FILLED_BY = "XX县医疗保障局（审计整改工作领导小组办公室）"
FILLED_ON = "2025年9月26日"

# (header as written in the ledger, SampleFinding attribute)
COLUMNS = (
    ("序号", "number"),
    ("问题来源", "source_kind"),
    ("审计文号", "source_doc"),
    ("问题类别", "category"),
    ("问题摘要", "summary"),
    ("存在问题", "description"),
    ("涉及金额（元）", "amount_cell"),
    ("定性依据", "legal_basis"),
    ("整改建议", "directive"),
    ("整改类型", "rectification_type"),
    ("被审计单位", "audited_unit"),
    ("责任单位", "lead_unit"),
    ("配合单位", "co_units_cell"),
    ("分管领导", "leader"),
    ("责任人", "person"),
    ("整改措施", "measures"),
    ("完成时限", "deadline_cell"),
    ("时间节点", "milestones"),
    ("整改进展", "progress"),
    ("备注", "remarks"),
)


@dataclass(frozen=True)
class SampleFinding:
    number: str
    body: str  # the audited body the report files it under
    category: str  # a name from models/categories.py
    summary: str
    description: str
    amount: Decimal | None  # what the amount cell means, in yuan
    amount_cell: object  # the cell as written
    legal_basis: str | None
    directive: str
    rectification_type: str
    lead_unit: str
    co_units: tuple[str, ...]
    deadline_cell: object
    audited_unit: str | None = None
    leader: str | None = None
    person: str | None = None
    measures: str | None = None
    milestones: str | None = None
    progress: str | None = None
    remarks: str | None = None
    source_kind: str = "审计"
    source_doc: str = SOURCE_DOC_NUMBER

    @property
    def co_units_cell(self) -> str | None:
        return "、".join(self.co_units) or None


FINANCE, OFFICE, HOSPITALS = "财政部门", "新农合办公室", "定点医疗机构"
NCMS_OFFICE = "县新农合办公室"
RULES_8 = "《山东省卫生厅关于进一步完善新型农村合作医疗方案的实施意见》（鲁卫农卫发〔20xx〕8号）"

SAMPLE_FINDINGS: tuple[SampleFinding, ...] = (
    SampleFinding(
        number="1", body=FINANCE, category="配套资金拨付不及时", summary="市级配套资金拨付不及时",
        description="20xx年市级配套资金14,891,元，于20xx年4月7日全额拨付到位；20xx年市级配套资金14,741,元，"
                    "于20xx年5月13日全额拨付到位。",
        amount=None, amount_cell="—",
        legal_basis="《山东省财政厅、卫生厅关于调整中央和省级财政新型农村合作医疗补助资金拨付办法有关问题的通知》"
                    "（鲁财社[20xx]3号）“市县两级财政当年补助资金要于3月底前足额拨付到位”",
        directive="建议财政部门及时拨付。", rectification_type="立行立改",
        lead_unit="县财政局", co_units=(), deadline_cell="立行立改", leader="吴局长", person="钱会计",
        measures="将市县两级配套资金纳入年初预算，3月底前足额拨付", remarks="金额原文缺失末位",
    ),
    SampleFinding(
        number="2-1", body=OFFICE, category="基金结余过大", summary="统筹基金累计结余过大",
        description="截至20xx年底统筹基金累计结余25,590,元，超过国家规定的最高结存比例25%，超最高结存额10,078,元。",
        amount=None, amount_cell=None,
        legal_basis=f"{RULES_8}“累计结余不得超过25%（含提取的风险基金）”",
        directive="建议新农合办公室应采取相应措施降低基金结余数额。", rectification_type="持续整改",
        lead_unit=NCMS_OFFICE, co_units=("县财政局", "县卫生局"), deadline_cell="2026年6月30日",
        leader="赵主任", person="李干事", measures="调整住院补偿比例和封顶线，按季度监测基金结余率",
        milestones="2025年12月31日 制定降低结余方案；2026年6月30日 累计结余降至25%以内",
    ),
    SampleFinding(
        number="2-2", body=OFFICE, category="报销范围扩大", summary="医疗诊疗项目报销范围过大",
        description="将CT费等不予补偿的项目全额纳入统筹范围；人工关节未执行个人先自付30%（进口60%）的规定；"
                    "ICU病房费未剔除个人负担20%的部分。",
        amount=None, amount_cell=None,
        legal_basis="《山东省卫生厅关于印发<山东省新型农村合作医疗诊疗项目(试行)>的通知》（鲁卫农卫发〔20xx〕10号）"
                    "“不得擅自增减诊疗项目”",
        directive="责令新农合办公室严格按照国家相关规定的标准予以报销。", rectification_type="立行立改",
        lead_unit=NCMS_OFFICE, co_units=(), deadline_cell="30日", leader="赵主任", person="李干事",
    ),
    SampleFinding(
        number="2-3", body=OFFICE, category="报销范围扩大", summary="一、二级医院用药范围扩大",
        description="部分一、二级医院用药范围按照三级医院执行，越级报销药品：20xx年5,734,元，20xx年1-5月份3,647,元。",
        amount=Decimal("9381596.00"), amount_cell="938.1596万元",
        legal_basis="《山东省卫生厅关于印发<山东省新型农村合作医疗报销药物目录>的通知》（鲁卫农卫发〔20xx〕9号）"
                    "“没有标记“○”的药品在该级别医疗机构不能纳入新农合补偿”",
        directive="责令县农合办公室严格按照国家规定相应级别医院的用药范围予以报销。", rectification_type="分阶段整改",
        lead_unit=NCMS_OFFICE, co_units=("县财政局",), deadline_cell="10个工作日", leader="赵主任", person="李干事",
        measures="按医疗机构级别重新设置药品目录报销标识；追回越级报销的基金",
    ),
    SampleFinding(
        number="2-4", body=OFFICE, category="政策衔接不到位", summary="新农合与医疗救助不衔接",
        description="民政医疗救助对象82人中当年参合并住院报销的47人；新农合报销达到封顶线的20人中只有2人得到医疗救助。",
        amount=None, amount_cell=None,
        legal_basis="《中共中央、国务院关于进一步加强农村卫生工作的决定》（中发〔20xx〕13号）“对农村贫困家庭实行医疗救助”",
        directive="建议新农合办公室加强与民政部门的沟通，以使新农合与医疗救助工作的相互衔接。",
        rectification_type="分阶段整改", lead_unit=NCMS_OFFICE, co_units=("县民政局",), deadline_cell="6月30日前",
        leader="赵主任", person="李干事",
    ),
    SampleFinding(
        number="2-5", body=OFFICE, category="重复参保", summary="部分农村中小学生重复参保",
        description="6-14岁学生共30,657人参加新农合，经身份证号码验证重复参保的学生5,855人。",
        amount=None, amount_cell=None, legal_basis=f"{RULES_8}“参合人员应是登记为农业户籍的居民”",
        directive="责令县新农合办公室予以纠正。", rectification_type="分阶段整改",
        lead_unit=NCMS_OFFICE, co_units=("县人社局", "县教育局"), deadline_cell="30日", person="李干事",
    ),
    SampleFinding(
        number="2-6", body=OFFICE, category="政策衔接不到位", summary="新农合基金补偿与重大公共卫生专项补助不相衔接",
        description="仅对患者医药费用按新农合规定给予补偿，未实施农村孕产妇住院分娩等重大公共卫生服务项目国家专项补助政策。",
        amount=None, amount_cell=None,
        legal_basis="《卫生部、民政部等部门关于巩固和发展新型农村合作医疗制度的意见》（卫农卫发〔20xx〕68号）",
        directive="责令县新农合办公室严格执行国家的有关政策，做好两项工作的衔接。", rectification_type="分阶段整改",
        lead_unit=NCMS_OFFICE, co_units=("县卫生局",), deadline_cell=datetime(2025, 12, 31), person="李干事",
    ),
    SampleFinding(
        number="2-7", body=OFFICE, category="数据不一致", summary="新农合参合人数信息不一致",
        description="账表显示参合人数620,452人，电子资料616,910人，相差3,542人；次年账表614,235人，电子资料604,866人，"
                    "相差9,369人。",
        amount=None, amount_cell=None, legal_basis=None, directive="责令县新农合办公室予以纠正。",
        rectification_type="立行立改", lead_unit=NCMS_OFFICE, co_units=(), deadline_cell="10日", person="李干事",
    ),
    SampleFinding(
        number="2-8", body=OFFICE, category="数据不一致", summary="新农合数据库操作系统存在的问题",
        description="（1）业务软件可选用的病种过多，口径难以统一，无法对业务数据归纳汇总；\n"
                    "（2）数据录入信息不准确：参合信息完全重复的23人，身份证号码完全重复的815人；\n"
                    "（3）电子数据不对应：752条记录只有汇总数据没有明细数据（门诊659条、住院93条）。",
        amount=None, amount_cell="—", legal_basis=None,
        directive="建议县新农合办公室加强对数据信息的管理，以提高工作质量和效率。", rectification_type="分阶段整改",
        lead_unit=NCMS_OFFICE, co_units=("县卫生局",), deadline_cell="2026年3月31日", person="李干事",
        milestones="2025年12月31日 清理重复及错误参合信息；2026年3月31日 完成业务软件升级",
        remarks="含3个子问题；涉及金额原文缺失",
    ),
    SampleFinding(
        number="3-1", body=HOSPITALS, category="超标准收费", summary="超规定加成率销售药品",
        description="2个乡镇卫生院和1个县直医院药品加成率超过国家规定的最高限，共计超规定的加成率销售药品7,060,元。",
        amount=Decimal("7060512.35"), amount_cell=7060512.35,
        legal_basis="《山东省物价局关于药品价格政策有关问题的补充通知》“以实际购进价格为基础顺加不超过15%的差价率作价”",
        directive="责令县新农合办公室加强对定点医疗机构的管理，杜绝此类问题的再度发生。", rectification_type="分阶段整改",
        audited_unit="县人民医院", lead_unit="县卫生局", co_units=("县新农合办公室", "县物价局"),
        deadline_cell="60天", remarks="延伸调查县人民医院、次丘中心卫生院、康驿镇卫生院",
    ),
    SampleFinding(
        number="3-2", body=HOSPITALS, category="收费项目不明细", summary="医疗收费项目不明细",
        description="1个乡镇卫生院20xx年-20xx年5月存在收取治疗费项目不明细181,元。",
        amount=Decimal("181230.00"), amount_cell="１８１，２３０．００",
        legal_basis="《山东省行政性事业性收费管理条例》第21条",
        directive="责令县新农合办公室加强对定点医疗机构的管理，杜绝此类问题的再度发生。", rectification_type="分阶段整改",
        audited_unit="次丘中心卫生院", lead_unit=NCMS_OFFICE, co_units=("县卫生局", "县物价局"),
        deadline_cell="2025年12月31日前", person="李干事",
    ),
    SampleFinding(
        number="3-3", body=HOSPITALS, category="未履行告知义务", summary="部分病案自费药品未签知情同意书",
        description="1个乡镇卫生院存在2个病案未签署自费药品知情同意书。", amount=None, amount_cell=None,
        legal_basis="《山东省新型农村合作医疗定点医疗机构管理暂行规定》第二十一条",
        directive="责令县新农合办公室予以改正。", rectification_type="立行立改",
        audited_unit="康驿镇卫生院", lead_unit=NCMS_OFFICE, co_units=(), deadline_cell="立行立改", person="李干事",
    ),
)

BY_NUMBER = {finding.number: finding for finding in SAMPLE_FINDINGS}


def write_sample_ledger(path, *, title_rows: bool = True) -> Path:
    """Write the sample findings as a ledger at `path`; returns the path.

    An .xlsx path gets a workbook; a .csv path gets what Excel on a Chinese
    Windows saves as "CSV (逗号分隔)": GB18030 text, dates as 2025/12/31.
    """
    path = Path(path)
    rows = [[getattr(finding, attribute) for _, attribute in COLUMNS] for finding in SAMPLE_FINDINGS]
    title = [[LEDGER_TITLE], [f"填报单位：{FILLED_BY}"] + [None] * 12 + [f"填报日期：{FILLED_ON}"]]
    header = [name for name, _ in COLUMNS]
    if path.suffix.lower() == ".csv":
        with path.open("w", encoding="gb18030", newline="") as handle:
            writer = csv.writer(handle)
            for row in (title if title_rows else []) + [header] + rows:
                writer.writerow([_csv_text(value) for value in row])
        return path
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Font

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "整改台账"
    if title_rows:
        for row in title:
            sheet.append(row)
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(COLUMNS))
        sheet["A1"].font = Font(name="方正小标宋简体", size=18)
        sheet["A1"].alignment = Alignment(horizontal="center")
    sheet.append(header)
    for row in rows:
        sheet.append(row)
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, datetime):
                cell.number_format = 'yyyy"年"m"月"d"日"'
    workbook.save(path)
    return path


def _csv_text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        return f"{value.year}/{value.month}/{value.day}"
    return str(value)
