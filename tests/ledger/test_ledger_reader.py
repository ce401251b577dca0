"""Reading ledger files: .xlsx written by openpyxl and by hand (as Excel and WPS
write them: shared strings, implicit Chinese date formats), and .csv in the
encodings Chinese offices produce."""
import csv
import tracemalloc
import zipfile
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

import pytest
from openpyxl import Workbook, load_workbook

from integrations.ledger_reader import LedgerRow, read_ledger
from integrations.values import parse_amount, parse_date, parse_deadline_cell
from models.errors import ValidationError

TITLE = "XX县医疗保障基金审计发现问题整改台账"
HEADER = ["序号", "问题摘要", "责任单位", "整改时限", "涉及金额（万元）", "问题类型", "整改进展"]


def rows_of(path) -> list[LedgerRow]:
    with read_ledger(path) as sheet:
        return list(sheet)


# ---------------------------------------------------------------- openpyxl-written workbooks

def write_xlsx(path, rows, *, title="整改台账", merge_title=True, extra_sheets=()):
    book = Workbook()
    sheet = book.active
    sheet.title = title
    for row in rows:
        sheet.append(row)
    if merge_title:
        sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    for name, state in extra_sheets:
        other = book.create_sheet(name, 0)
        other.append(["说明", "本表仅供参考"])
        other.sheet_state = state
    book.save(path)
    return path


def test_xlsx_with_title_rows_dates_and_wan(tmp_path):
    path = write_xlsx(tmp_path / "台账.xlsx", [
        [TITLE],
        ["填报单位：XX县医疗保障局", None, None, "填报日期：2026年3月1日"],
        HEADER,
        [1, "重复收费", "县人民医院", datetime(2026, 3, 5), 7.11, "重复收费", None],
        [None],
        [2, "串换项目", "县中医院", "3月5日前", "１，２３４．５", "串换项目", "已退回"],
        ["  ", None, "\u3000"],
        ["3", "超标准收费", "县医保局", 46086, 0.1 + 0.2, None, "整改中"],
        [4, "分解住院", "县医保局、县卫健局", "10个工作日", "", None, None],
        ["合计", None, None, None, 1.30, None, None],
    ])
    with read_ledger(path) as sheet:
        assert sheet.sheet_name == "整改台账"
        assert sheet.header.header_row == 2
        assert sheet.header.wan_fields == {"amount"}
        rows = list(sheet)
    assert [row.row_number for row in rows] == [4, 6, 8, 9]
    first = rows[0].values
    assert first == {
        "number": 1, "summary": "重复收费", "lead_unit": "县人民医院", "deadline": datetime(2026, 3, 5),
        "amount": 7.11, "category": "重复收费", "progress": None,
    }
    wan = "amount" in sheet.header.wan_fields
    assert [parse_amount(row.values["amount"], in_wan=wan) for row in rows] == [
        Decimal("71100.00"), Decimal("12345000.00"), Decimal("3000.00"), None,
    ]
    assert [parse_deadline_cell(row.values["deadline"], 2026) for row in rows] == [
        ("fixed", None, date(2026, 3, 5)), ("fixed", None, date(2026, 3, 5)),
        ("fixed", None, date(2026, 3, 5)), ("working", 10, None),
    ]
    assert rows[2].values["number"] == "3"


def test_xlsx_values_match_openpyxl(tmp_path):
    """The streaming reader sees what openpyxl's data_only reading sees."""
    cells = [
        1, 2.5, -3, 1e-7, 12345678901234, True, False, "文本", " 前后空格 ", "a&b<c>\"d'", "多行\n文本",
        datetime(2026, 3, 5, 8, 30), date(2026, 3, 5), "=1+1", "",
    ]
    path = tmp_path / "types.xlsx"
    book = Workbook()
    book.active.append(["编号", "问题摘要", "牵头单位", "整改时限"] + [f"备注{i}" for i in range(len(cells))])
    book.active.append(["A-1", "摘要", "县医保局", "30日"] + cells)
    book.active["Z2"] = "稀疏"
    book.save(path)
    expected = list(load_workbook(path, read_only=True, data_only=True).active.values)[1]
    with read_ledger(path) as sheet:
        assert len(sheet.header.unrecognised) == len(cells)
    from integrations.ledger_reader import _XlsxSource

    source = _XlsxSource(zipfile.ZipFile(path), path.name)
    seen = list(source())[1]
    source.close()
    assert list(seen) + [None] * (len(expected) - len(seen)) == list(expected)


def test_xlsx_prefers_a_sheet_named_like_tai_zhang(tmp_path):
    path = write_xlsx(tmp_path / "多表.xlsx", [HEADER, [1, "重复收费", "县医保局", "30日"]],
                      title="2026年整改台账", merge_title=False, extra_sheets=[("填表说明", "visible")])
    with read_ledger(path) as sheet:
        assert sheet.sheet_name == "2026年整改台账"
        assert [row.values["number"] for row in sheet] == [1]


def test_xlsx_skips_hidden_sheets(tmp_path):
    path = write_xlsx(tmp_path / "隐藏.xlsx", [HEADER, [1, "重复收费", "县医保局", "30日"]],
                      title="Sheet1", merge_title=False, extra_sheets=[("旧表", "hidden")])
    with read_ledger(path) as sheet:
        assert sheet.sheet_name == "Sheet1"


def test_trailing_total_and_footer_rows_are_dropped(tmp_path):
    path = write_xlsx(tmp_path / "合计.xlsx", [
        HEADER,
        [1, "重复收费", "县医保局", "30日", 1],
        ["合  计", None, None, None, 1],
        [None, "填报人：张三", None, "审核人：李四"],
        ["填报人：张三", None, "联系电话：12345678"],
    ], merge_title=False)
    assert [row.row_number for row in rows_of(path)] == [2]


def test_total_row_in_mid_table_is_kept_for_the_importer_to_report(tmp_path):
    path = write_xlsx(tmp_path / "小计.xlsx", [
        HEADER,
        [1, "重复收费", "县医保局", "30日", 1],
        ["小计", None, None, None, 1],
        [None, "（续）", None, None, None],
        [2, "串换项目", "县医保局", "30日", 2],
        ["总计", None, None, None, 3],
    ], merge_title=False)
    assert [(row.row_number, row.values["number"]) for row in rows_of(path)] == [
        (2, 1), (3, "小计"), (4, None), (5, 2),
    ]


def test_sheet_can_be_read_twice(tmp_path):
    path = write_xlsx(tmp_path / "两遍.xlsx", [HEADER, [1, "a", "b", "30日"], [2, "c", "d", "30日"]],
                      merge_title=False)
    with read_ledger(path) as sheet:
        assert list(sheet) == list(sheet)


# ---------------------------------------------------------------- hand-written workbooks

def write_raw_xlsx(path, sheet_rows: str, *, strings=(), styles="", date1904=False, sheets=None):
    """An .xlsx as Excel and WPS write it: shared strings, styles, explicit parts."""
    ns = 'xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
    rel_ns = 'xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"'
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    sheets = sheets or [("整改台账", "visible", sheet_rows)]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'<Relationship Id="rId1" Type="{rel}/officeDocument" Target="xl/workbook.xml"/></Relationships>'))
        sheet_xml = "".join(
            f'<sheet name="{name}" sheetId="{i}" state="{state}" r:id="rIdS{i}"/>'
            for i, (name, state, _) in enumerate(sheets, 1))
        archive.writestr("xl/workbook.xml", (
            f'<workbook {ns} {rel_ns}><workbookPr date1904="{int(date1904)}"/><sheets>{sheet_xml}</sheets></workbook>'))
        sheet_rels = "".join(
            f'<Relationship Id="rIdS{i}" Type="{rel}/worksheet" Target="/xl/worksheets/s{i}.xml"/>'
            for i in range(1, len(sheets) + 1))
        archive.writestr("xl/_rels/workbook.xml.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            f'{sheet_rels}'
            f'<Relationship Id="rId8" Type="{rel}/sharedStrings" Target="sharedStrings.xml"/>'
            f'<Relationship Id="rId9" Type="{rel}/styles" Target="./styles.xml"/></Relationships>'))
        for i, (_, _, rows) in enumerate(sheets, 1):
            archive.writestr(f"xl/worksheets/s{i}.xml",
                             f'<x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
                             f'<x:dimension ref="A1"/><x:sheetData>{rows}</x:sheetData></x:worksheet>')
        items = "".join(s if s.startswith("<si>") else f"<si><t>{escape(s)}</t></si>" for s in strings)
        archive.writestr("xl/sharedStrings.xml", f'<sst {ns} count="{len(strings)}">{items}</sst>')
        archive.writestr("xl/styles.xml", f"<styleSheet {ns}>{styles}</styleSheet>")
    return path


def shared_row(number: int, *indices: int) -> str:
    cells = "".join(f'<x:c r="{chr(65 + i)}{number}" t="s"><x:v>{s}</x:v></x:c>' for i, s in enumerate(indices))
    return f'<x:row r="{number}">{cells}</x:row>'


STYLES = (
    '<numFmts count="1"><numFmt numFmtId="180" formatCode="yyyy&quot;年&quot;m&quot;月&quot;d&quot;日&quot;"/>'
    '</numFmts><cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14"/><xf numFmtId="31"/><xf numFmtId="180"/>'
    '<xf numFmtId="4"/></cellXfs>'
)


def test_shared_strings_rich_text_and_chinese_date_formats(tmp_path):
    rich = ('<si><r><rPr><b/></rPr><t>重复</t></r><r><t xml:space="preserve">收费 </t></r>'
            '<rPh sb="0" eb="2"><t>チョウフク</t></rPh></si>')  # bold run, then a phonetic reading aid
    strings = ["编号", "问题摘要", "牵头单位", "整改时限", "涉及金额(元)", TITLE, rich, "县医保局", "第一行_x000D_第二行"]
    rows = (
        '<x:row r="1"><x:c r="A1" t="s"><x:v>5</x:v></x:c></x:row>'  # merged title: only A1 has text
        + shared_row(3, 0, 1, 2, 3, 4)  # header on row 3: row 2 is not written at all
        + '<x:row r="4"><x:c r="A4"><x:v>1</x:v></x:c><x:c r="B4" t="s"><x:v>6</x:v></x:c>'
          '<x:c r="C4" t="s"><x:v>7</x:v></x:c><x:c r="D4" s="2"><x:v>46086</x:v></x:c>'
          '<x:c r="E4" s="4"><x:v>1234.5</x:v></x:c></x:row>'
        + '<x:row r="7"><x:c><x:v>2</x:v></x:c><x:c t="inlineStr"><x:is><x:t>内联&amp;文本</x:t></x:is></x:c>'
          '<x:c t="str"><x:f>CONCAT("县","医保局")</x:f><x:v>县医保局</x:v></x:c>'
          '<x:c s="3"><x:v>46086.5</x:v></x:c><x:c t="e"><x:v>#N/A</x:v></x:c></x:row>'
        + '<x:row r="8"><x:c r="A8"><x:v>3</x:v></x:c><x:c r="B8" t="s"><x:v>8</x:v></x:c>'
          '<x:c r="C8" t="b"><x:v>1</x:v></x:c><x:c r="D8" s="1"><x:v>46086</x:v></x:c></x:row>'
    )
    path = write_raw_xlsx(tmp_path / "excel.xlsx", rows, strings=strings, styles=STYLES)
    with read_ledger(path) as sheet:
        assert sheet.header.header_row == 2
        rows = list(sheet)
    assert [(row.row_number, row.values) for row in rows] == [
        (4, {"number": 1, "summary": "重复收费", "lead_unit": "县医保局",
             "deadline": datetime(2026, 3, 5), "amount": 1234.5}),
        (7, {"number": 2, "summary": "内联&文本", "lead_unit": "县医保局",
             "deadline": datetime(2026, 3, 5, 12), "amount": "#N/A"}),
        (8, {"number": 3, "summary": "第一行\r第二行", "lead_unit": True,
             "deadline": datetime(2026, 3, 5), "amount": None}),
    ]


def test_1904_date_system(tmp_path):
    rows = (shared_row(1, 0, 1, 2, 3)
            + '<x:row r="2"><x:c r="A2"><x:v>1</x:v></x:c><x:c r="D2" s="1"><x:v>44624</x:v></x:c></x:row>')
    path = write_raw_xlsx(tmp_path / "mac.xlsx", rows, strings=["编号", "问题摘要", "牵头单位", "整改时限"],
                          styles=STYLES, date1904=True)
    assert rows_of(path)[0].values["deadline"] == datetime(2026, 3, 5)


def test_no_visible_worksheet(tmp_path):
    path = write_raw_xlsx(tmp_path / "hidden.xlsx", "", sheets=[("台账", "hidden", shared_row(1, 0))],
                          strings=["编号"])
    with pytest.raises(ValidationError) as error:
        read_ledger(path)
    assert "hidden.xlsx" in str(error.value) and "没有可见的工作表" in str(error.value)


def test_rows_stream_in_constant_memory(tmp_path):
    """Peak memory while reading does not grow with the number of rows."""
    def peak_reading(count):
        body = "".join(
            f'<x:row r="{n}"><x:c r="A{n}"><x:v>{n}</x:v></x:c>'
            f'<x:c r="B{n}" t="inlineStr"><x:is><x:t>问题{n}</x:t></x:is></x:c></x:row>'
            for n in range(2, count + 2))
        path = write_raw_xlsx(tmp_path / f"big{count}.xlsx", shared_row(1, 0, 1, 2, 3) + body,
                              strings=["编号", "问题摘要", "牵头单位", "整改时限"])
        tracemalloc.start()
        with read_ledger(path) as sheet:
            seen = sum(1 for _ in sheet)
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert seen == count
        return peak

    small = peak_reading(2_000)  # first, so one-time imports and caches count against it
    assert peak_reading(8_000) < small * 1.2


# ---------------------------------------------------------------- CSV

def write_csv(path, rows, encoding="utf-8", delimiter=","):
    with open(path, "w", encoding=encoding, newline="") as handle:
        csv.writer(handle, delimiter=delimiter).writerows(rows)
    return path


CSV_ROWS = [
    [TITLE, "", "", ""],
    ["编号", "问题摘要", "牵头单位", "整改时限", "涉及金额（元）", "配合单位"],
    ["1", "重复收费，涉及䶮字号", "县医保局", "2026年3月5日前", "1,234.56", "县卫健局、县财政局"],
    ["", "", "", "", "", ""],
    ["2", "多行\n描述", "县医保局", "３０日", "７．１１万", ""],
]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030", "utf-16"])
def test_csv_encodings(tmp_path, encoding):
    path = write_csv(tmp_path / f"{encoding}.csv", CSV_ROWS, encoding=encoding)
    with read_ledger(path) as sheet:
        assert sheet.sheet_name is None
        assert sheet.header.columns[0] == "number"  # no BOM left glued to 编号
        rows = list(sheet)
    assert [(row.row_number, row.values["number"]) for row in rows] == [(3, "1"), (5, "2")]
    assert rows[0].values["summary"] == "重复收费，涉及䶮字号"
    assert rows[1].values["summary"] == "多行\n描述"
    assert parse_amount(rows[0].values["amount"]) == Decimal("1234.56")
    assert parse_amount(rows[1].values["amount"]) == Decimal("71100.00")
    assert parse_deadline_cell(rows[1].values["deadline"], 2026) == ("natural", 30, None)


def test_csv_tab_separated(tmp_path):
    path = write_csv(tmp_path / "tab.csv", CSV_ROWS, delimiter="\t")
    rows = rows_of(path)
    assert rows[0].values["amount"] == "1,234.56"
    assert parse_date(rows[0].values["deadline"], 2026) == date(2026, 3, 5)


def test_csv_without_required_column_names_the_file_and_column(tmp_path):
    path = write_csv(tmp_path / "缺列.csv", [["序号", "问题", "整改时限"], ["1", "a", "30日"]])
    with pytest.raises(ValidationError) as error:
        read_ledger(path)
    assert "缺列.csv" in str(error.value) and "“牵头单位”" in str(error.value)


# ---------------------------------------------------------------- files that are not ledgers

def test_unsupported_file_types(tmp_path):
    for name, message in [("a.xls", "另存为 .xlsx"), ("a.docx", "不是 .xlsx 或 .csv"), ("a.txt", "不是 .xlsx 或 .csv")]:
        (tmp_path / name).write_bytes(b"whatever")
        with pytest.raises(ValidationError) as error:
            read_ledger(tmp_path / name)
        assert name in str(error.value) and message in str(error.value)


def test_missing_file(tmp_path):
    with pytest.raises(ValidationError) as error:
        read_ledger(tmp_path / "没有.xlsx")
    assert "没有.xlsx" in str(error.value) and "不存在" in str(error.value)


def test_corrupt_xlsx(tmp_path):
    (tmp_path / "坏.xlsx").write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ValidationError) as error:
        read_ledger(tmp_path / "坏.xlsx")
    assert "坏.xlsx" in str(error.value) and "损坏" in str(error.value)


def test_zip_that_is_not_a_workbook(tmp_path):
    with zipfile.ZipFile(tmp_path / "zip.xlsx", "w") as archive:
        archive.writestr("readme.txt", "hello")
    with pytest.raises(ValidationError) as error:
        read_ledger(tmp_path / "zip.xlsx")
    assert "zip.xlsx" in str(error.value) and "损坏" in str(error.value)


def test_truncated_sheet_fails_while_reading_rows(tmp_path):
    body = "".join(f'<x:row r="{n}"><x:c r="A{n}"><x:v>{n}</x:v></x:c></x:row>' for n in range(2, 20_000))
    rows = shared_row(1, 0, 1, 2, 3) + body + '<x:row r="20000"><x:c'  # well past the first chunk read
    path = write_raw_xlsx(tmp_path / "截断.xlsx", rows, strings=["编号", "问题摘要", "牵头单位", "整改时限"])
    with read_ledger(path) as sheet, pytest.raises(ValidationError) as error:
        list(sheet)
    assert "截断.xlsx" in str(error.value) and "损坏" in str(error.value)


def test_password_protected_xlsx(tmp_path):
    # Excel stores an encrypted workbook as an OLE compound file holding an EncryptedPackage stream.
    ole = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504 + "EncryptedPackage".encode("utf-16-le") + b"\x00" * 64
    (tmp_path / "加密.xlsx").write_bytes(ole)
    with pytest.raises(ValidationError) as error:
        read_ledger(tmp_path / "加密.xlsx")
    assert "加密.xlsx" in str(error.value) and "密码" in str(error.value)


def test_xls_renamed_to_xlsx(tmp_path):
    (tmp_path / "旧.xlsx").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024)
    with pytest.raises(ValidationError) as error:
        read_ledger(tmp_path / "旧.xlsx")
    assert "旧.xlsx" in str(error.value) and ".xls" in str(error.value)
