"""The recognisers on real-world variants of amounts, 文号, citations,
directives, units, categories and report metadata."""
from collections import namedtuple
from datetime import date
from decimal import Decimal

import pytest

from integrations.report_parser import Confidence
from integrations.report_parser import recognisers as rec
from models.categories import SEED_CATEGORIES


def _values(text: str) -> list:
    return [m.value for m in rec.find_amounts(text)]


# ---------------------------------------------------------------- amounts

@pytest.mark.parametrize("text, value", [
    ("违规收费5,734元", "5734.00"),
    ("共计违规收费1,234.56万元", "12345600.00"),
    ("涉及医保基金7.11万", "71100.00"),
    ("涉及医保基金7.11万,已追回", "71100.00"),
    ("挪用基金3亿元", "300000000.00"),
    ("挪用基金0.25亿元", "25000000.00"),
    ("涉及金额１２，３４５．６７元", "12345.67"),  # full-width digits, comma and point
    ("涉及金额７．１１万元", "71100.00"),
    ("退回人民币12,000元", "12000.00"),
    ("退回¥12,345.00", "12345.00"),
    ("退回￥８００", "800.00"),
    ("违规金额 5,734 元", "5734.00"),
    ("越级报销金额\t5,734\t元", "5734.00"),  # number and unit in neighbouring table cells
    ("越级报销金额5,734\n元", "5734.00"),  # the unit wrapped onto the next line
    ("多收费用12.5万元。", "125000.00"),
])
def test_amount_variants(text, value):
    assert _values(text) == [Decimal(value)]


@pytest.mark.parametrize("text, shown", [
    ("市级配套资金14,891,元,于4月拨付", "14,891,元"),  # last digit group lost
    ("门诊支出621, 元", "621, 元"),
    ("家庭账户基金支出3,285, 元", "3,285, 元"),
    ("涉及总费用金额元,报销金额元", "金额元"),  # no number at all
    ("中央省级元,市级24元", "级元"),
    ("违规金额XX元", "XX元"),
    ("违规金额xx万元", "xx万元"),
    ("违规金额＊＊元", "＊＊元"),
])
def test_masked_amounts_are_found_without_a_value(text, shown):
    masked = [m for m in rec.find_amounts(text) if m.masked]
    assert masked and masked[0].text == shown and masked[0].value is None


@pytest.mark.parametrize("text", [
    "全县总人口76万人", "补偿金额在一万元以上的有787人", "元旦前完成", "第三单元", "多元化筹资",
    "参合人数620,452人", "20xx年", "1.2.3元",
])
def test_no_amount_where_there_is_none(text):
    assert rec.find_amounts(text) == []


def test_the_total_is_chosen_over_its_breakdown():
    text = "涉及金额共计3.5万元(其中:甲医院2万元,乙医院1.5万元)。"
    assert rec.choose_amount(text) == (Decimal("35000.00"), Confidence.HIGH, None)


def test_a_rule_figure_is_not_the_finding_amount():
    text = "人均筹资标准120元,违规报销金额共计5,000元。"
    assert rec.choose_amount(text).value == Decimal("5000.00")


def test_figures_inside_the_quoted_rule_are_ignored():
    text = "违规报销8,000元。不符合《办法》“单次报销不得超过3万元”之规定。"
    assert rec.choose_amount(text, rec.quote_spans(text)).value == Decimal("8000.00")


def test_parallel_totals_are_added_and_marked_for_review():
    text = "2019年共计违规支付3万元;2020年共计违规支付2万元。"
    value, level, reason = rec.choose_amount(text)
    assert (value, level) == (Decimal("50000.00"), Confidence.MEDIUM) and "之和" in reason


def test_of_several_equal_amounts_the_largest_is_proposed_with_a_doubt():
    value, level, reason = rec.choose_amount("救助金额2万元,报销金额3万元。")
    assert (value, level) == (Decimal("30000.00"), Confidence.MEDIUM) and "取最大" in reason


def test_an_amount_in_the_heading_wins():
    text = "重复收费2,300元\n其中检查费重复收费共计1,800元,治疗费500元。"
    assert rec.choose_amount(text, summary_end=len("重复收费2,300元")).value == Decimal("2300.00")


def test_a_masked_main_amount_is_left_empty_and_flagged():
    value, level, reason = rec.choose_amount("共计超规定的加成率销售药品7,060,元。")
    assert (value, level) == (None, Confidence.LOW) and "7,060,元" in reason and "补录" in reason


def test_no_amount_is_no_doubt():
    assert rec.choose_amount("部分病案未签署知情同意书。") == (None, Confidence.HIGH, None)


@pytest.mark.parametrize("text, found", [
    ("参合率为%。", ["参合率为%"]),
    ("占当年筹资总额的%,而国家规定为25%", ["占当年筹资总额的%"]),
    ("超过国家规定的最高比例个百分点", ["超过国家规定的最高比例个百分点"]),
    ("比20xx年增长了近17个百分点", []),
    ("补偿比例达61%以上", []),
])
def test_masked_percentages(text, found):
    assert rec.masked_figures(text) == found


# ---------------------------------------------------------------- 文号

@pytest.mark.parametrize("text, number", [
    ("(鲁卫农卫发〔20xx〕8号)", "鲁卫农卫发〔20xx〕8号"),
    ("(鲁财社[20xx]3号)", "鲁财社[20xx]3号"),
    ("医保发(2020)5号", "医保发(2020)5号"),
    ("医保发（２０２０）５号", "医保发（２０２０）５号"),
    ("国办发【2021】12号", "国办发【2021】12号"),
    ("云审报〔2021〕22号", "云审报〔2021〕22号"),
    ("根据国办发〔2020〕20号文件", "国办发〔2020〕20号"),
    ("按照财社〔201x〕12号执行", "财社〔201x〕12号"),
    ("XX审报〔20XX〕第3号", "XX审报〔20XX〕第3号"),
    ("京医保发 〔 2019 〕 18 号", "京医保发 〔 2019 〕 18 号"),
    ("中发〔20××〕13号", "中发〔20××〕13号"),
])
def test_doc_number_variants(text, number):
    assert rec.find_doc_numbers(text) == [number]


@pytest.mark.parametrize("text", ["(2020)年度", "第3号病房", "〔2020〕年"])
def test_no_doc_number(text):
    assert rec.find_doc_numbers(text) == []


# ---------------------------------------------------------------- citations

def test_citation_with_full_width_brackets_kept_as_written():
    text = "不符合《关于做好医保基金监管工作的通知》（医保发〔2019〕5号）“定点医疗机构不得重复收费”之规定。责令整改。"
    basis = rec.choose_legal_basis(text)
    assert basis.text == "《关于做好医保基金监管工作的通知》（医保发〔2019〕5号）“定点医疗机构不得重复收费”之规定"
    assert basis.level is Confidence.HIGH


def test_citation_by_article_without_a_quote():
    text = "违反了《医疗保障基金使用监督管理条例》第三十八条第一项的规定。"
    basis = rec.choose_legal_basis(text)
    assert (basis.text, basis.level) == ("《医疗保障基金使用监督管理条例》第三十八条第一项的规定", Confidence.HIGH)


def test_chained_citations_are_one_basis():
    text = "违反了《医疗保障基金使用监督管理条例》第三十八条和《医疗机构医疗保障定点管理暂行办法》第十四条的规定。"
    assert rec.choose_legal_basis(text).text == (
        "《医疗保障基金使用监督管理条例》第三十八条和《医疗机构医疗保障定点管理暂行办法》第十四条的规定")


def test_nested_quotes_and_titles_inside_the_clause():
    text = ("不符合《关于印发<报销药物目录>的通知》(鲁卫农卫发〔20xx〕9号)“标记“○”的药品纳入补偿,"
            "见《目录》”之规定。责令改正。")
    assert rec.choose_legal_basis(text).text.endswith("见《目录》”之规定")


def test_citation_without_doc_number_is_marked_medium():
    text = "不符合《山东省物价局关于药品价格政策有关问题的补充通知》“严格控制加价率”之规定。"
    basis = rec.choose_legal_basis(text)
    assert basis.level is Confidence.MEDIUM and "文号" in basis.reason


def test_unbalanced_quotes_end_at_the_rule():
    text = "不符合《办法》(医保发〔2020〕1号)“……不得超范围支付之规定。责令县医保局整改。"
    basis = rec.choose_legal_basis(text)
    assert basis.text == "《办法》(医保发〔2020〕1号)“……不得超范围支付之规定" and basis.level is Confidence.MEDIUM


def test_a_law_cited_without_title_marks():
    text = "该行为违反医疗保障基金使用监督管理条例第三十八条规定。"
    basis = rec.choose_legal_basis(text)
    assert (basis.text, basis.level) == ("医疗保障基金使用监督管理条例第三十八条规定", Confidence.MEDIUM)


def test_a_title_that_is_not_cited_as_broken_is_no_basis():
    assert rec.choose_legal_basis("该院已参照《诊疗规范》开展培训。").text is None


def test_a_citation_broken_across_lines_reads_as_one():
    text = "不符合《医疗保障基金使用监督管\n理条例》第三十八条之规定。"
    assert rec.choose_legal_basis(text).text == "《医疗保障基金使用监督管理条例》第三十八条之规定"


# ---------------------------------------------------------------- directives

@pytest.mark.parametrize("text, directive", [
    ("……之规定。建议财政部门及时拨付。", "建议财政部门及时拨付。"),
    ("……之规定。责令县新农合办公室予以纠正。", "责令县新农合办公室予以纠正。"),
    ("情况属实。对此，审计要求XX医院立即退回违规资金。", "对此，审计要求XX医院立即退回违规资金。"),
    ("情况属实。审计建议：XX局加强管理。", "审计建议：XX局加强管理。"),
    ("情况属实。县审计局责令XX医院限期整改。", "县审计局责令XX医院限期整改。"),
    ("情况属实。要求：XX医院于2021年5月前整改到位。", "要求：XX医院于2021年5月前整改到位。"),
    ("情况属实。请县医保局于6月30日前报送整改结果。", "请县医保局于6月30日前报送整改结果。"),
    ("情况属实。处理意见：追回违规资金。", "处理意见：追回违规资金。"),
    ("情况属实。责令退回违规资金；建议加强管理。", "责令退回违规资金；建议加强管理。"),
])
def test_directive_variants(text, directive):
    assert "".join(rec.find_directives(text)) == directive


def test_no_directive_inside_the_quoted_rule_or_in_a_description():
    text = "经检查,要求不明确的项目有3个,未按要求执行。不符合《办法》“医院要求患者签字。责令改正”之规定。"
    assert rec.find_directives(text, rec.quote_spans(text) + rec.title_spans(text)) == []


# ---------------------------------------------------------------- audited units

@pytest.mark.parametrize("heading, unit", [
    ("财政部门存在的问题", "财政部门"),
    ("新农合办公室存在的问题", "新农合办公室"),
    ("定点医疗机构存在的问题", "定点医疗机构"),
    ("XX县人民医院存在的主要问题", "XX县人民医院"),
    ("关于XX大药房的问题", "XX大药房"),
    ("次丘中心卫生院", "次丘中心卫生院"),
    ("财政方面存在的问题", "财政"),
    ("违规收费问题", None),
    ("基金管理方面", None),
    ("重复收费", None),
])
def test_unit_from_group_heading(heading, unit):
    assert rec.unit_from_heading(heading) == unit


def test_unit_from_the_text():
    assert rec.unit_from_label("被检查单位：XX县人民医院") == "XX县人民医院"
    assert rec.unit_from_text("经检查,次丘中心卫生院存在重复收费。").unit == "次丘中心卫生院"
    assert rec.unit_from_text("该院重复收费。", "XX县人民医院") == (
        "XX县人民医院", Confidence.MEDIUM, "被审计单位取自报告开头，请核对")
    assert rec.unit_from_text("参合人数不一致。责令县新农合办公室予以纠正。").unit == "县新农合办公室"
    assert rec.unit_from_text("参合人数不一致。").level is Confidence.LOW


def test_the_body_a_report_is_about():
    assert rec.find_audited_body("关于XX县人民医院医保基金使用情况的通报") == "XX县人民医院"
    assert rec.find_audited_body("对XX县20xx年新型农村合作医疗基金进行了审计") is None


# ---------------------------------------------------------------- categories

def test_category_from_the_heading_is_sure():
    choice = rec.propose_category("超规定加成率销售药品", "药品加成率超过最高限", SEED_CATEGORIES)
    assert choice == ("超标准收费", ("加成率",), Confidence.HIGH, None)


def test_category_from_the_body_only_is_marked_medium():
    choice = rec.propose_category("数据库存在的问题", "数据录入信息不准确,存在信息错误", SEED_CATEGORIES)
    assert (choice.name, choice.level) == ("数据不一致", Confidence.MEDIUM)
    assert set(choice.words) == {"录入信息不准确", "信息错误"}


def test_category_tie_and_no_match():
    assert rec.propose_category("挂床并冒名就医", "", SEED_CATEGORIES).level is Confidence.LOW
    assert rec.propose_category("会议纪要", "", SEED_CATEGORIES)[:3] == ("其他", (), Confidence.LOW)


def test_categories_added_by_the_coordinator_take_part():
    added = namedtuple("Category", "name keywords")("医保码违规使用", ("医保码",))
    assert rec.propose_category("违规使用医保码", "", [*SEED_CATEGORIES, added]).name == "医保码违规使用"


# ---------------------------------------------------------------- report metadata

@pytest.mark.parametrize("text, period", [
    ("对XX县20xx年至20xx年5月新型农村合作医疗基金进行了审计", "20xx年至20xx年5月"),
    ("对XX医院2019年1月1日至2020年12月31日医保基金使用情况进行了检查", "2019年1月1日至2020年12月31日"),
    ("检查时段为2020年1-6月", "2020年1-6月"),
    ("审计期间：2021年度", "2021年度"),
    ("对XX药店2020年以来的医保结算进行了检查", "2020年"),
])
def test_period_variants(text, period):
    assert rec.find_period(text) == period


def test_report_date_signature_and_doc_number():
    head, tail = ["XX市医疗保障局", "X医保〔2021〕15号", "关于…的通报"], ["XX市医疗保障局", "2021年4月20日"]
    assert rec.find_report_date(head, tail) == date(2021, 4, 20)
    assert rec.find_report_date([], ["二〇二一年五月二十日"]) == date(2021, 5, 20)
    assert rec.find_report_date([], ["20xx年5月20日"]) is None
    assert rec.find_issuing_body(head, tail) == "XX市医疗保障局"
    assert rec.find_report_doc_number(head, tail) == "X医保〔2021〕15号"
    assert rec.find_report_doc_number(["文号：云审报〔2021〕22号"], []) == "云审报〔2021〕22号"
