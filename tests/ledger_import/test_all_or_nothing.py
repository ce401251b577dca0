"""A ledger with mistakes imports nothing, and the report names every one:
the Excel row, the column as the file heads it, the value and the problem."""
import threading
import zipfile

import pytest
from openpyxl import load_workbook

from integrations import ledger_import
from integrations.ledger_import import ImportFailed
from models.errors import ValidationError
from tests.ledger_import.conftest import row_counts
from tests.samples_ledger import COLUMNS, write_sample_ledger

COLUMN = {attribute: index + 1 for index, (_, attribute) in enumerate(COLUMNS)}


@pytest.fixture
def edited_ledger(tmp_path):
    """The sample ledger after a careless edit (finding i sits on Excel row i + 3)."""
    path = write_sample_ledger(tmp_path / "台账（修改稿）.xlsx")
    workbook = load_workbook(path)
    sheet = workbook.active
    edits = {
        (7, "amount_cell"): "约938万",  # 2-3
        (8, "deadline_cell"): "2026年2月30日",  # 2-4
        (9, "category"): "乱收费",  # 2-5: not in the category table
        (10, "lead_unit"): None,  # 2-6
        (14, "number"): "2-7",  # 3-2 renumbered onto row 11's number
        (15, "amount_cell"): "若干",  # 3-3: two mistakes on one row
        (15, "deadline_cell"): "尽快",
    }
    for (row, attribute), value in edits.items():
        sheet.cell(row=row, column=COLUMN[attribute]).value = value  # cell(value=None) would not clear it
    workbook.save(path)
    return path


def test_every_bad_row_is_reported_and_nothing_is_written(engine, run_import, edited_ledger):
    before = row_counts(engine)
    with pytest.raises(ImportFailed) as failed:
        run_import(edited_ledger)
    problems = failed.value.problems
    assert [(p.row_number, p.column, p.value) for p in problems] == [
        (7, "涉及金额（元）", "约938万"),
        (8, "完成时限", "2026年2月30日"),
        (9, "问题类别", "乱收费"),
        (10, "责任单位", None),
        (14, "序号", "2-7"),
        (15, "完成时限", "尽快"),
        (15, "涉及金额（元）", "若干"),
    ]
    message = str(failed.value)
    assert message.startswith("台账“台账（修改稿）.xlsx”有 7 处问题，未导入任何数据：")
    for line in (
        "第 7 行【涉及金额（元）】“约938万”：金额“约938万”无法识别",
        "第 8 行【完成时限】“2026年2月30日”：日期“2026年2月30日”不存在（2026年2月30日）",
        "第 9 行【问题类别】“乱收费”：问题类别“乱收费”不在类别表中",
        "第 10 行【责任单位】：不能为空",
        "第 14 行【序号】“2-7”：编号与第 11 行重复",
        "第 15 行【完成时限】“尽快”：整改时限“尽快”无法识别",
    ):
        assert line in message
    # the good rows would have created units (县卫生局, 县民政局…): rolled back too
    assert row_counts(engine) == before


def test_a_failed_dry_run_reports_the_same_problems(engine, run_import, edited_ledger):
    before = row_counts(engine)
    with pytest.raises(ImportFailed) as failed:
        run_import(edited_ledger, dry_run=True)
    assert len(failed.value.problems) == 7
    assert row_counts(engine) == before


def test_rows_inserted_before_a_late_bad_row_are_rolled_back(engine, run_import, tmp_path, monkeypatch):
    """Large files are written chunk by chunk as rows pass; a bad last row still undoes them all."""
    monkeypatch.setattr(ledger_import, "INSERT_CHUNK", 4)
    path = write_sample_ledger(tmp_path / "台账.xlsx")
    workbook = load_workbook(path)
    workbook.active.cell(row=15, column=COLUMN["category"]).value = "乱收费"
    workbook.save(path)
    before = row_counts(engine)
    with pytest.raises(ImportFailed) as failed:
        run_import(path)
    assert [(p.row_number, p.column, p.value) for p in failed.value.problems] == [(15, "问题类别", "乱收费")]
    assert row_counts(engine) == before


def test_a_file_broken_halfway_imports_nothing(engine, run_import, tmp_path):
    """Rows are parsed in a second thread; a read error there reaches the user, and no thread is left behind."""
    whole = write_sample_ledger(tmp_path / "台账.xlsx")
    workbook = load_workbook(whole)
    for index in range(1, 16):  # past the rows the header search reads in the importing thread
        workbook.active.append([f"4-{index}", None, None, "其他", f"补充问题{index}"] + [None] * 6 + ["县财政局"]
                               + [None] * 4 + ["30日"])
    workbook.save(whole)
    broken = tmp_path / "台账（损坏）.xlsx"
    with zipfile.ZipFile(whole) as source, zipfile.ZipFile(broken, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data[:data.index(b'<row r="25"')] + b'<row r="25"><c r="A25" t="inlineStr"><is><t>4-'
            target.writestr(item, data)
    before = row_counts(engine)
    with pytest.raises(ValidationError, match="文件“台账（损坏）.xlsx”读取失败，文件可能已损坏"):
        run_import(broken)
    assert row_counts(engine) == before
    assert not [thread for thread in threading.enumerate() if thread.name == "ledger-parse"]
