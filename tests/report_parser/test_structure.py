"""The outline of reports shaped otherwise than the sample: findings as
（一） groups, inline headings, reports without sections, several problem
sections, and texts that are not reports at all."""
from decimal import Decimal

import pytest

from integrations.report_parser import Confidence, SectionKind, parse_lines
from integrations.report_parser.structure import section_kind
from models.errors import ValidationError

INSPECTION = """\
XX市医疗保障局
关于XX县人民医院医保基金飞行检查情况的通报
X医保〔2021〕15号
XX市医疗保障局检查组于2021年3月对XX县人民医院2019年1月至2020年12月医保基金使用情况进行了飞行检查。现将检查情况通报如下：
一、基本情况
XX县人民医院为二级甲等综合医院，开放床位500张。
二、检查发现的问题
（一）重复收费。该院在收取“静脉输液”费用的同时重复收取“静脉注射”费用，涉及金额共计12,345.60元。违反了《医疗保障基金使用监督管理条例》第三十八条第一项的规定。
（二）超标准收费：该院CT检查超标准收费3.2万元，违反《XX省医疗服务价格项目规范》（X价〔2019〕12号）“……”之规定。责令该院立即整改。
（三）串换药品
经查，该院将目录外药品串换为目录内药品进行结算，涉及医保基金８，０００元。
（四）产生问题的原因
医院内部管理不到位。
三、处理意见
（一）责令该院退回违规使用的医保基金。
（二）对该院处违规金额1倍罚款。
四、整改要求
请于30日内将整改情况报送我局。
XX市医疗保障局
2021年4月20日
"""


@pytest.fixture(scope="module")
def inspection():
    return parse_lines(INSPECTION.splitlines())


def test_findings_at_group_level_with_inline_headings(inspection):
    assert [(f.number, f.summary) for f in inspection.findings] == [
        ("1", "重复收费"), ("2", "超标准收费"), ("3", "串换药品")]
    assert [f.amount for f in inspection.findings] == [Decimal("12345.60"), Decimal("32000.00"), Decimal("8000.00")]
    assert [f.category for f in inspection.findings] == ["重复收费", "超标准收费", "串换项目"]


def test_cause_and_decision_sections_are_not_findings(inspection):
    assert [s.kind for s in inspection.sections] == [
        SectionKind.BACKGROUND, SectionKind.FINDINGS, SectionKind.CAUSES, SectionKind.DECISIONS,
        SectionKind.DECISIONS]
    assert not any("内部管理" in f.description for f in inspection.findings)


def test_inspection_metadata_and_the_body_inspected(inspection):
    meta = inspection.metadata
    assert (meta.issuing_body, meta.doc_number, meta.period) == (
        "XX市医疗保障局", "X医保〔2021〕15号", "2019年1月至2020年12月")
    assert meta.date.isoformat() == "2021-04-20" and meta.audited_body == "XX县人民医院"
    assert meta.title == "关于XX县人民医院医保基金飞行检查情况的通报"
    first = inspection.findings[0]
    assert (first.audited_unit, first.confidence["audited_unit"]) == ("XX县人民医院", Confidence.MEDIUM)


def test_a_finding_without_directive_is_flagged(inspection):
    first, second = inspection.findings[:2]
    assert first.directive is None and "整改要求" in first.doubts["directive"]
    assert second.directive == "责令该院立即整改。"
    assert first.legal_basis == "《医疗保障基金使用监督管理条例》第三十八条第一项的规定"


def test_a_list_without_sections():
    report = parse_lines([
        "XX区医保局关于定点药店专项检查发现问题的通报",
        "1、XX大药房违规销售日用品，涉及医保基金2,000元，责令退回。",
        "2、YY药店串换药品，涉及金额1.5万元。",
    ])
    assert [(f.number, f.amount) for f in report.findings] == [("1", Decimal("2000.00")), ("2", Decimal("15000.00"))]
    assert report.findings[0].audited_unit == "XX大药房" and report.findings[0].category == "违规销售非药品"
    assert report.warnings and "逐条核对" in report.warnings[0]


def test_several_problem_sections_prefix_the_section_number():
    report = parse_lines([
        "一、XX医院存在的问题", "1、重复收费3,000元。", "2、分解住院。",
        "二、YY药店存在的问题", "1、串换药品。",
    ])
    assert [(f.number, f.audited_unit) for f in report.findings] == [
        ("1-1", "XX医院"), ("1-2", "XX医院"), ("2-1", "YY药店")]


@pytest.mark.parametrize("marks", [("（1）", "（2）"), ("(1)", "(2)"), ("1)", "2)"), ("⑴", "⑵"), ("①", "②"),
                                   ("１．", "２．"), ("1.", "2.")])
def test_item_numbering_styles(marks):
    report = parse_lines(["三、发现的问题", f"{marks[0]}重复收费5,000元。", f"{marks[1]}串换药品。"])
    assert [f.number for f in report.findings] == ["1", "2"]
    assert report.findings[0].summary == "重复收费5,000元"


@pytest.mark.parametrize("group", ["（一）", "(一)", "㈠", "( 一 )"])
def test_group_numbering_styles(group):
    report = parse_lines(["三、发现的问题", f"{group}财政部门存在的问题", "配套资金拨付不及时。建议及时拨付。"])
    finding = report.findings[0]
    assert (finding.number, finding.audited_unit, finding.summary) == ("1", "财政部门", "配套资金拨付不及时")


def test_a_sentence_about_hospital_grades_is_not_a_section():
    report = parse_lines(["三、发现的问题", "1、用药范围扩大", "一、二级医院用药范围按照三级医院执行。", "责令改正。"])
    assert [s.kind for s in report.sections] == [SectionKind.FINDINGS]
    assert report.findings[0].description.startswith("一、二级医院")


def test_unnumbered_paragraphs_in_a_problem_section():
    report = parse_lines([
        "二、审计发现的问题", "审计发现以下问题：",
        "XX医院重复收费2,000元，违反了《条例》第三十八条的规定。", "责令该院退回。",
        "YY医院超标准收费1,000元。",
    ])
    assert [(f.number, f.directive) for f in report.findings] == [("1", "责令该院退回。"), ("2", None)]
    assert report.findings[0].confidence["number"] is Confidence.MEDIUM


def test_a_hard_wrapped_text_report():
    report = parse_lines([
        "二、发现的问题", "1、重复收费", "XX医院重复收费2,000元，不符合《医疗保障基金使用监督管", "理条例》第三十八条之规定。",
    ])
    assert report.findings[0].legal_basis == "《医疗保障基金使用监督管理条例》第三十八条之规定"


def test_repeated_numbers_are_made_unique_and_flagged():
    report = parse_lines(["二、发现的问题", "1、违规收费1,000元。", "（一）财政部门存在的问题", "配套资金拨付不及时。"])
    assert [f.number for f in report.findings] == ["1", "1b"]
    assert report.findings[1].confidence["number"] is Confidence.LOW


def test_a_findings_lead_in_with_figures_is_reported():
    report = parse_lines(["二、发现的问题", "共发现问题资金5万元。", "1、重复收费。"])
    assert report.warnings == ["第2部分“发现的问题”开头的段落未归入任何问题，请核对是否遗漏"]


@pytest.mark.parametrize("heading, kind", [
    ("基本情况", SectionKind.BACKGROUND), ("被审计单位概况", SectionKind.BACKGROUND),
    ("审计调查实施情况", SectionKind.CONDUCT), ("审计评价", SectionKind.EVALUATION),
    ("审计调查发现的问题及原因分析", SectionKind.FINDINGS), ("检查发现的主要问题", SectionKind.FINDINGS),
    ("原因分析", SectionKind.CAUSES), ("审计建议", SectionKind.ADVICE), ("意见和建议", SectionKind.ADVICE),
    ("处理意见", SectionKind.DECISIONS), ("上次审计发现问题的整改情况", SectionKind.FOLLOW_UP),
    ("其他事项", SectionKind.OTHER),
])
def test_section_kinds(heading, kind):
    assert section_kind(heading) is kind


@pytest.mark.parametrize("lines, message", [
    ([], "没有文字"),
    (["", "   ", "\u3000"], "没有文字"),
    (["今天天气很好。", "我们去公园散步。"], "不像审计或检查报告"),
    (["一、基本情况", "XX县审计局对新农合基金进行了审计。", "二、审计评价", "总体较好。"], "未在报告中识别出问题条目"),
    (["一、审计发现的问题"], "未在报告中识别出问题条目"),
])
def test_no_findings_is_a_clear_error(lines, message):
    with pytest.raises(ValidationError, match=message):
        parse_lines(lines)
