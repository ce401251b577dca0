"""整改情况报告 from the county audit's twelve findings: content, figures, appendix."""
import dataclasses
from decimal import Decimal

import pytest
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from docx.shared import Mm

from models.errors import RectifyError
from notices.documents import charts
from notices.documents.closure_report import SECTION_HEADINGS, build_closure_report
from notices.documents.data import RecoveryKind, Outcome, summarise
from tests.documents import samples
from tests.documents.helpers import body_text, paragraphs_in, table_rows


@pytest.fixture(scope="module")
def report(docs):
    return docs["report"]


@pytest.fixture(scope="module")
def appendix(report):
    return report.tables[-1]


def test_letterhead_title_addressee_and_background(report):
    lines = [p.text for p in report.paragraphs]
    assert lines[0] == "XX县医疗保障局文件"
    number_line = next(line for line in lines if "〔2026〕" in line)
    assert number_line.startswith("X医保发〔2026〕12号") and number_line.endswith("签发人：王某某")
    assert paragraphs_in(report, "Title")[0] == samples.county_report().title
    assert "县人民政府：" in lines
    text = body_text(report)
    assert "XX县审计局《关于XX县新型农村合作医疗基金筹集、管理和使用情况的专项审计调查报告》（X审调报〔2025〕9号）" in text
    assert "截至2026年11月20日" in text


def test_sections_in_order(report):
    headings = paragraphs_in(report, "Heading 1")
    assert headings == list(SECTION_HEADINGS)


def test_headline_figures_add_up(report):
    text = body_text(report)
    assert "共涉及问题12个" in text
    # 8 + 3 + 1 = 12, and the percentages sum to exactly 100%.
    assert "已整改8个，占66.7%；正在整改（含部分整改）3个，占25.0%；未整改1个，占8.3%" in text
    assert "已到整改时限或已销号的问题11个，其中按期销号7个，按期销号率63.6%" in text
    assert "立行立改6个、分阶段整改5个、持续整改1个" in text
    # 14,620,010.00 + 120,000.00 + 18,126.00 + 469,296.00 = 15,227,432.00
    assert ("审计（检查）指出问题资金16,949,836.00元，整改到位资金15,227,432.00元，其中追回/退回基金"
            "14,620,010.00元、罚款120,000.00元、违约金18,126.00元、调账469,296.00元；"
            "未整改资金1,860,530.00元，问题资金追回率89.0%") in text
    assert "开展约谈2次、通报1次，移送问责线索1件，问责2人；建立完善制度6项" in text
    assert "行政处罚决定1件，决定罚没金额120,000.00元，已收缴120,000.00元" in text


def test_progress_chart_is_embedded_when_a_chinese_font_exists(report):
    if charts.cjk_font_file() is None:
        pytest.skip("no CJK font for matplotlib on this machine (install fonts-noto-cjk)")
    assert len(report.inline_shapes) == 1
    blip = report.inline_shapes[0]._inline.xpath(".//a:blip")[0]
    image = report.part.related_parts[blip.get(qn("r:embed"))]
    assert image.content_type == "image/png"
    assert "图1  各责任单位整改进度" in body_text(report)


def test_chart_is_skipped_without_a_chinese_font():
    units = samples.county_report().units
    assert charts.progress_by_unit(units, families=("不存在的字体",)) is None


def test_progress_by_unit_as_a_table_instead_of_a_chart(tmp_path):
    from docx import Document

    path = build_closure_report(samples.county_report(chart=False), tmp_path / "r.docx")
    doc = Document(path)
    assert len(doc.inline_shapes) == 0
    rows = table_rows(doc.tables[0])
    assert rows[0] == ["责任单位", "问题数", "已销号", "正在整改", "逾期未销号", "按期销号率"]
    assert ["县医疗保障局", "8", "5", "1", "2", "57.1%"] in rows
    assert sum(int(r[1]) for r in rows[1:]) == 12


def test_item_by_item_grouped_by_category(report):
    categories = paragraphs_in(report, "Heading 2")
    assert categories[:3] == ["（一）配套资金拨付不及时（1个）", "（二）基金结余过大（1个）",
                              "（三）报销范围扩大（2个）"]
    findings = paragraphs_in(report, "Heading 3")
    assert findings[2:4] == ["1. 医疗诊疗项目报销范围过大", "2. 一、二级医院用药范围扩大"]
    text = body_text(report)
    assert "整改措施：一是按医疗机构级别重新设置药品目录报销标识；二是追回越级报销的基金。" in text
    assert "已于2026年6月25日销号。" in text
    assert "超规定加成率销售药品" in text and "已逾期112天，正在整改。" in text


def test_unfinished_findings_with_reason_plan_and_new_date(report):
    text = body_text(report)
    part = text[text.index("三、尚未整改到位的问题及原因"):text.index("四、下一步工作")]
    assert part.count("原因：") == 4
    assert "（四）超规定加成率销售药品（县人民医院，正在整改）" in part
    assert "剩余1,860,530.00元分两期退回。计划于2027年1月31日前整改到位。" in part
    assert "信息系统升级项目尚未完成政府采购" in part


def test_attachment_note_and_signature(report):
    text = body_text(report)
    assert "附件：整改销号汇总表" in text
    assert text.index("附件：整改销号汇总表") < text.index("XX县医疗保障局\n2026年11月22日")


def test_appendix_is_a_landscape_section_with_a_repeating_header(report, appendix):
    assert len(report.sections) == 2
    landscape = report.sections[1]
    assert landscape.orientation == WD_ORIENT.LANDSCAPE
    assert landscape.page_width.mm == pytest.approx(297, abs=0.1)
    assert landscape.page_height.mm == pytest.approx(210, abs=0.1)
    header = appendix.rows[0]
    assert header._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in header.cells] == [
        "序号", "问题类别", "问题摘要", "涉及金额（元）", "已整改金额（元）", "责任单位", "整改类型",
        "整改时限", "状态", "销号日期", "佐证材料", "备注"]
    for row in appendix.rows[1:]:
        assert row._tr.trPr.find(qn("w:tblHeader")) is None
    widths = [col.width for col in appendix.columns]
    type_width = landscape.page_width - landscape.left_margin - landscape.right_margin
    assert sum(widths) == pytest.approx(type_width, abs=Mm(0.5))


def test_appendix_lists_each_finding_once_and_totals_match(appendix):
    rows = table_rows(appendix)[1:]
    findings = samples.county_findings()
    body, total = rows[:-1], rows[-1]
    assert [r[0] for r in body] == [str(i) for i in range(1, 13)]
    assert [r[2] for r in body] == [f.summary for f in findings]
    assert body[3] == ["4", "报销范围扩大", "一、二级医院用药范围扩大", "9,381,596.00", "9,381,596.00",
                       "县医疗保障局", "分阶段整改", "2026-06-30", "已销号", "2026-06-25",
                       "追回款银行回单\n调账凭证\n药品目录设置截图", ""]
    amounts = [Decimal(r[3].replace(",", "")) for r in body if r[3] != "—"]
    assert total[0] == "合计" and total[2] == "共12个问题"
    assert Decimal(total[3].replace(",", "")) == sum(amounts) == Decimal("16949836.00")
    assert total[4] == "15,227,432.00"


def test_report_with_everything_closed_says_so(tmp_path):
    from docx import Document

    closed = [dataclasses.replace(f, outcome=Outcome.CLOSED, closed_on=f.deadline, reason="", plan="")
              for f in samples.county_findings()]
    path = build_closure_report(samples.county_report(findings=closed), tmp_path / "r.docx")
    text = body_text(Document(path))
    assert "已整改12个，占100.0%；正在整改（含部分整改）0个，占0.0%；未整改0个，占0.0%" in text
    assert "截至2026年11月20日，所列问题均已整改到位。" in text


# -- figures are checked where they enter --------------------------------------------------

def test_counts_by_status_must_sum_to_the_total():
    figures = summarise(samples.county_findings(), samples.AS_OF)
    with pytest.raises(RectifyError, match="已整改8个、正在整改3个、未整改1个，合计12个，与问题总数13个不符"):
        dataclasses.replace(figures, total=13)


def test_amounts_by_kind_must_sum_to_the_rectified_amount():
    figures = summarise(samples.county_findings(), samples.AS_OF)
    with pytest.raises(RectifyError, match="合计15,227,432.00元，与整改到位资金15,227,433.00元不符"):
        dataclasses.replace(figures, rectified_amount=Decimal("15227433.00"))


def test_figures_must_match_the_appendix():
    figures = summarise(samples.county_findings(), samples.AS_OF)
    by_outcome = dict(figures.by_outcome)
    by_outcome[Outcome.CLOSED] -= 1
    by_outcome[Outcome.IN_PROGRESS] += 1
    wrong = dataclasses.replace(figures, by_outcome=by_outcome)
    with pytest.raises(RectifyError, match="总体情况中已整改问题数为7个，汇总表合计为8个"):
        samples.county_report(figures=wrong)
    kinds = dict(figures.rectified_by_kind)
    kinds[RecoveryKind.FINE] += Decimal("1.00")
    kinds[RecoveryKind.RECOVERED] -= Decimal("1.00")
    with pytest.raises(RectifyError, match="整改到位资金（追回/退回基金）为14,620,009.00元，汇总表合计为14,620,010.00元"):
        samples.county_report(figures=dataclasses.replace(figures, rectified_by_kind=kinds))


def test_each_finding_appears_once_in_the_appendix():
    findings = samples.county_findings()
    twice = findings + (findings[4],)
    with pytest.raises(RectifyError, match="整改销号汇总表中问题SJ2025-05出现了不止一次"):
        samples.county_report(findings=twice, figures=summarise(twice, samples.AS_OF))


def test_unit_counts_must_cover_every_finding():
    report = samples.county_report()
    with pytest.raises(RectifyError, match="各单位问题数合计11个，与问题总数12个不符"):
        samples.county_report(units=report.units[1:])
