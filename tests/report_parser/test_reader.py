"""Reading real .docx and text files: document order, Word's list numbering,
tables of every shape, and the files that cannot be read."""
import zipfile
from decimal import Decimal

import pytest
from docx import Document
from docx.oxml import parse_xml

from integrations.report_parser import parse_report, read_lines
from models.errors import ValidationError

from .documents import (
    W_NS, add_chinese_numbering, compound_file, number_paragraph, write_docx, write_encrypted_docx, write_scanned_docx,
)


def test_paragraphs_and_tables_keep_document_order(tmp_path):
    path = write_docx(tmp_path / "r.docx", ["第一段", [["甲", "乙"], ["1", "2"]], "第二段"])
    assert read_lines(path) == ["第一段", "甲\t乙", "1\t2", "第二段"]


def test_tracked_changes_read_as_accepted(tmp_path):
    document = Document()
    paragraph = document.add_paragraph("1、")
    paragraph._p.append(parse_xml(
        f'<w:ins xmlns:w="{W_NS}" w:id="1" w:author="审计组"><w:r><w:t>重复收费</w:t></w:r></w:ins>'))
    paragraph._p.append(parse_xml(
        f'<w:del xmlns:w="{W_NS}" w:id="2" w:author="审计组"><w:r><w:delText>多收费用</w:delText></w:r></w:del>'))
    paragraph.add_run("2,000元")
    document.save(str(tmp_path / "r.docx"))
    assert read_lines(tmp_path / "r.docx") == ["1、重复收费2,000元"]


def test_a_unit_in_the_column_header_completes_the_amount(tmp_path):
    path = write_docx(tmp_path / "r.docx", [[["项目", "金额（万元）", "备注"], ["越级报销", "12.5", "已核实"]]])
    assert read_lines(path)[1] == "越级报销\t12.5万元\t已核实"


def test_an_amount_split_inside_a_cell_is_rejoined(tmp_path):
    path = write_docx(tmp_path / "r.docx", [[["项目", "金额"], ["越级报销", ["5,734", "元"]]]])
    assert read_lines(path)[1] == "越级报销\t5,734元"


def test_merged_cells_are_read_once(tmp_path):
    document = Document()
    table = document.add_table(rows=2, cols=3)
    merged = table.cell(0, 0).merge(table.cell(0, 2))
    merged.text = "标题"
    for cell, text in zip(table.rows[1].cells, ["a", "b", "c"]):
        cell.text = text
    document.save(str(tmp_path / "r.docx"))
    assert read_lines(tmp_path / "r.docx") == ["标题", "a\tb\tc"]


def test_a_layout_table_reads_like_body_text(tmp_path):
    path = write_docx(tmp_path / "r.docx", [[["1、重复收费"], [["该院重复收费2,000元。", "责令退回。"]]]])
    assert read_lines(path) == ["1、重复收费", "该院重复收费2,000元。", "责令退回。"]


def test_word_automatic_numbering_is_written_out(tmp_path):
    document = Document()
    add_chinese_numbering(document, 90, [("chineseCounting", "%1、"), ("chineseCounting", "（%2）"),
                                         ("decimal", "%3、")])
    for text, level in [("基本情况", 0), ("审计发现的问题", 0), ("财政部门存在的问题", 1),
                        ("市级配套资金拨付不及时", 2), ("专项资金滞留", 2), ("医保局存在的问题", 1),
                        ("重复参保", 2)]:
        number_paragraph(document.add_paragraph(text), 90, level)
    document.add_paragraph("多收费用", style="List Number")
    document.save(str(tmp_path / "r.docx"))
    assert read_lines(tmp_path / "r.docx") == [
        "一、基本情况", "二、审计发现的问题", "（一）财政部门存在的问题", "1、市级配套资金拨付不及时",
        "2、专项资金滞留", "（二）医保局存在的问题", "1、重复参保", "1.多收费用"]
    report = parse_report(tmp_path / "r.docx")
    assert [(f.number, f.audited_unit) for f in report.findings] == [
        ("1-1", "财政部门"), ("1-2", "财政部门"), ("2-1", "医保局")]


def test_a_findings_table_gives_one_finding_per_row(tmp_path):
    path = write_docx(tmp_path / "r.docx", [
        "二、检查发现的问题",
        [["序号", "被检查单位", "问题", "涉及金额（万元）", "定性依据", "处理意见"],
         ["1", "XX县人民医院", "重复收费", "1.2", "《医疗保障基金使用监督管理条例》第三十八条", "责令退回"],
         ["2", "YY药店", "串换药品", "0.8", "《医疗保障基金使用监督管理条例》第三十八条", "责令退回并处罚款"],
         ["", "", "", "", "", ""]],
    ])
    report = parse_report(path)
    assert [(f.number, f.audited_unit, f.summary, f.amount) for f in report.findings] == [
        ("1", "XX县人民医院", "重复收费", Decimal("12000.00")), ("2", "YY药店", "串换药品", Decimal("8000.00"))]
    assert report.findings[1].directive == "处理意见：责令退回并处罚款"
    assert report.findings[0].legal_basis == "《医疗保障基金使用监督管理条例》第三十八条"


def test_text_encodings(tmp_path):
    text = "二、发现的问题\n1、重复收费１，０００元。\n"
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        path = tmp_path / f"{encoding}.txt"
        path.write_bytes(text.encode(encoding))
        assert read_lines(path) == ["二、发现的问题", "1、重复收费１，０００元。"], encoding


def _corrupt_docx(tmp_path):
    good = write_docx(tmp_path / "good.docx", ["二、发现的问题", "1、重复收费。"]).read_bytes()
    path = tmp_path / "cut.docx"
    path.write_bytes(good[: len(good) // 2])
    return path


def _zip_without_document(tmp_path):
    path = tmp_path / "book.docx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("xl/workbook.xml", "<workbook/>")
    return path


def _file(name: str, data: bytes):
    def make(tmp_path):
        path = tmp_path / name
        path.write_bytes(data)
        return path
    return make


@pytest.mark.parametrize("make, message", [
    (lambda tmp: write_scanned_docx(tmp / "scan.docx"), "只有图片没有文字"),
    (lambda tmp: write_docx(tmp / "empty.docx", []), "没有文字内容"),
    (lambda tmp: write_encrypted_docx(tmp / "secret.docx"), "设有打开密码"),
    (_file("old.doc", compound_file({"WordDocument": b"\x00" * 600})), "旧版 Word"),
    (_corrupt_docx, "已损坏"),
    (_zip_without_document, "已损坏或不是有效的 Word 文档"),
    (_file("noise.docx", bytes(range(256)) * 4), "已损坏"),
    (_file("report.pdf", b"%PDF-1.7\n..."), "PDF"),
    (_file("photo.jpg", b"\xff\xd8\xff\xe0" + bytes(100)), "类型（.jpg）不支持"),
    (_file("binary.txt", b"abc\x00\x01\x02def"), "不是文本文件"),
    (_file("controls.txt", bytes(range(1, 9)) * 50), "不是可识别的文本"),
    (lambda tmp: tmp / "missing.txt", "不存在"),
])
def test_unreadable_files_get_a_clear_message(tmp_path, make, message):
    path = make(tmp_path)
    with pytest.raises(ValidationError, match=message):
        parse_report(path)


def test_the_message_names_the_file(tmp_path):
    path = tmp_path / "会议通知.txt"
    path.write_text("请各位准时参加周一例会。", encoding="utf-8")
    with pytest.raises(ValidationError, match="文件“会议通知.txt”：文件内容不像审计或检查报告"):
        parse_report(path)
