"""Input checks, wording rules and the fast table builder."""
from datetime import date
from decimal import Decimal

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from models.errors import RectifyError
from notices.documents.data import (
    DocHeader, Enforcement, FindingRow, Issuer, Outcome, RectificationType, UnitStats, summarise,
    unit_stats,
)
from notices.documents.gbt9704 import OfficialDocument
from notices.documents.league_table import ranked
from notices.documents.tables import Column, build_table
from notices.documents.wording import cn_number, enumerate_cn, shares
from tests.documents import samples


def _finding(**kw):
    values = dict(number="T-1", category="其他", summary="测试问题", lead_unit="县财政局",
                  rectification_type=RectificationType.IMMEDIATE, deadline=date(2026, 3, 31),
                  outcome=Outcome.IN_PROGRESS)
    values.update(kw)
    return FindingRow(**values)


def test_document_number_is_built_with_hexagonal_brackets():
    header = DocHeader(samples.ISSUER, 7, date(2026, 11, 22))
    assert header.doc_number == "X医保发〔2026〕7号"
    with pytest.raises(RectifyError, match="发文机关代字“X医保发〔〕”不应包含括号"):
        Issuer(name="XX县医疗保障局", doc_prefix="X医保发〔〕", addressee="县人民政府")
    with pytest.raises(RectifyError, match="主送机关不能为空"):
        Issuer(name="XX县医疗保障局", doc_prefix="X医保发", addressee=" ")


@pytest.mark.parametrize("kw, message", [
    (dict(outcome=Outcome.CLOSED), "问题T-1：状态为“已整改”，销号日期不能为空"),
    (dict(closed_on=date(2026, 3, 1)), "问题T-1：状态为“正在整改”，销号日期应为空"),
    (dict(amount="-5"), "问题T-1：涉及金额 -5.00 元不能为负数"),
    (dict(rectified={"返还": 1}), "问题T-1：整改金额类型“返还”无效"),
    (dict(rectified={"罚款": "-1"}), "问题T-1：罚款金额 -1.00 元不能为负数"),
    (dict(outcome="已完成"), "问题T-1的整改状态“已完成”无效，应为已整改、正在整改、未整改之一"),
    (dict(summary=""), "问题T-1的问题摘要不能为空"),
])
def test_bad_finding_rows_are_refused(kw, message):
    with pytest.raises(RectifyError, match=message):
        _finding(**kw)


def test_amounts_become_exact_decimals_and_kinds_are_merged():
    f = _finding(amount=1234.5, rectified={"罚款": "10", "追回/退回基金": 100, "调账": Decimal("0.005")})
    assert f.amount == Decimal("1234.50")
    assert f.rectified_total == Decimal("110.01")
    assert f.unrectified == Decimal("1134.49")  # fines do not put the fund right


def test_summary_and_unit_stats_of_the_sample():
    findings = samples.county_findings()
    figures = summarise(findings, samples.AS_OF)
    assert figures.recovery_rate.quantize(Decimal("0.001")) == Decimal("0.890")
    stats = {u.unit: u for u in unit_stats(findings, samples.AS_OF)}
    office = stats["县医疗保障局"]
    assert (office.total, office.closed_on_time, office.closed_late, office.in_progress, office.overdue) \
        == (8, 4, 1, 1, 2)
    assert sum(u.total for u in stats.values()) == figures.total


def test_unit_stats_must_add_up():
    with pytest.raises(RectifyError, match="单位“县财政局”统计不一致"):
        UnitStats("县财政局", 5, 1, 1, 1, 1)


def test_penalties_collected_cannot_exceed_decided():
    with pytest.raises(RectifyError, match="罚没款已收缴200.00元，超过决定金额100.00元"):
        Enforcement(penalties_decided=100, penalties_collected=200)


def test_ranking_shares_ranks_and_leaves_units_with_nothing_due_unranked():
    units = (UnitStats("甲", 2, 2, 0, 0, 0), UnitStats("乙", 2, 1, 0, 0, 1), UnitStats("丙", 1, 1, 0, 0, 0),
             UnitStats("丁", 3, 0, 0, 3, 0))
    assert [(rank, u.unit) for rank, u in ranked(units)] == [(1, "丙"), (1, "甲"), (3, "乙"), (None, "丁")]


def test_wording():
    assert [cn_number(n) for n in (1, 10, 12, 20, 21)] == ["一", "十", "十二", "二十", "二十一"]
    assert enumerate_cn(["整改甲。", "整改乙"]) == "一是整改甲；二是整改乙。"
    for counts in ([1, 1, 1], [2, 1, 0], [7, 3, 1], [1, 5, 994]):
        parts = shares(counts)
        assert sum(Decimal(p.rstrip("%")) for p in parts) == 100
    assert shares([0, 0]) == ["—", "—"]


# -- tables ---------------------------------------------------------------------------------

def _table_doc(tmp_path, rows, **kw):
    doc = OfficialDocument()
    columns = (Column("甲", 1), Column("乙", 2, "right"), Column("丙", 1, "center"))
    doc.append_block(build_table(doc.doc, columns, rows, Mm(156), **kw))
    return Document(doc.save(tmp_path / "t.docx"))


def test_table_cells_keep_text_exactly(tmp_path):
    rows = [("A&B <C>", "1,234.00", "多行\n第二行"), ("", " 前后空格 ", "控制\x07字符\x0b")]
    read = _table_doc(tmp_path, rows, total_row=("合计", "1,234.00", ""))
    table = read.tables[0]
    assert [[c.text for c in r.cells] for r in table.rows] == [
        ["甲", "乙", "丙"], ["A&B <C>", "1,234.00", "多行\n第二行"], ["", " 前后空格 ", "控制字符"],
        ["合计", "1,234.00", ""]]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(r._tr.trPr.find(qn("w:cantSplit")) is not None for r in table.rows)
    assert sum(c.width for c in table.columns) == pytest.approx(Mm(156), abs=Mm(0.1))
    # Alignment comes from the cell's style, not from a w:jc in every cell.
    assert table.rows[1].cells[1].paragraphs[0].style.name == "表格文字居右"
    assert table.rows[1].cells[1].paragraphs[0].style.paragraph_format.alignment == WD_ALIGN_PARAGRAPH.RIGHT


def test_table_of_thousands_of_rows_reads_back_whole(tmp_path):
    rows = [(f"第{i}行", f"{i:,}.00", str(i % 7)) for i in range(1, 3001)]
    table = _table_doc(tmp_path, rows).tables[0]
    assert len(table.rows) == 3001
    assert table.rows[-1].cells[1].text == "3,000.00"


def test_a_row_with_the_wrong_number_of_cells_is_a_bug(tmp_path):
    with pytest.raises(ValueError, match="row 2 has 2 cells, expected 3"):
        _table_doc(tmp_path, [("a", "b", "c"), ("a", "b")])


def test_chart_keeps_the_largest_units_and_sums_the_rest():
    from notices.documents.charts import grouped_for_chart

    units = [UnitStats(f"单位{i:02d}", i, i, 0, 0, 0) for i in range(1, 21)]
    bars = grouped_for_chart(units, limit=15)
    assert len(bars) == 15
    assert bars[0].unit == "单位20" and bars[-1].unit == "其他6个单位"
    assert bars[-1].total == sum(range(1, 7))
    assert sum(b.total for b in bars) == sum(u.total for u in units)
