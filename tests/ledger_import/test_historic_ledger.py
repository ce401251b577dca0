"""A ledger kept for a year before the tool arrived: closed rows with their
销号日期, and the money rectified split by where it went, in 万元 under a
merged 已整改金额 group header."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import Workbook
from sqlmodel import Session, select

from integrations.ledger_import import ImportFailed
from models.history import events_of, verify_all
from models.ledger import Evidence, Finding, Recovery
from models.sources import add_source
from tests.ledger_import.conftest import NOW

SOURCE = "2024年度医保基金飞行检查"
TOP = ["编号", "问题类别", "问题摘要", "被检查机构", "问题金额（万元）", "牵头单位", "整改时限",
       "已整改金额（万元）", None, None, None, None, "整改状态", "是否销号", "销号日期", "佐证材料"]
SUB = [None] * 7 + ["追回/退回基金", "罚款", "违约金", "归还原渠道", "调账"] + [None] * 4
ROWS = [
    ["FJ-01", "重复收费", "重复收取一次性材料费", "县人民医院", "12.5", "县医保局", "2024年12月31日",
     12.5, 25, 1.25, None, None, "已销号", "是", "2024年11月20日", "退款凭证；罚没款缴款书"],
    ["FJ-02", "串换项目", "将自费项目串换为医保项目收费", "县中医院", 3.218, "县医保局", "2024年12月31日",
     2.5, None, None, None, None, "部分整改", "否", None, None],
    ["FJ-03", "配套资金拨付不及时", "财政补助资金未及时划入基金专户", None, "40", "县财政局", "2024年9月30日",
     None, None, None, 30, 10, "已销号", "√", datetime(2024, 9, 27), "调账凭证"],
    ["FJ-04", "内控制度不健全", "经办机构内控制度不健全", None, None, "县医保局", "2025年3月31日",
     None, None, None, None, None, "整改中", None, None, None],
]


def _write(path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["XX县医疗保障局2024年度飞行检查发现问题整改台账"])
    sheet.append(TOP)
    sheet.append(SUB)
    sheet.merge_cells("H2:L2")
    for column in "ABCDEFGMNOP":  # headers without sub-columns span both header rows
        sheet.merge_cells(f"{column}2:{column}3")
    for row in ROWS:
        sheet.append(row)
    sheet["O6"].number_format = "yyyy-mm-dd"
    workbook.save(path)
    return path


def test_closed_rows_import_with_recoveries_per_kind(engine, world, run_import, tmp_path):
    with Session(engine) as session, session.begin():
        add_source(session, title=SOURCE, kind="飞行检查", doc_number="X医保稽〔2024〕5号", issuer="市医疗保障局",
                   issued_on=date(2024, 6, 3), now=NOW)
    report = run_import(_write(tmp_path / "2024年飞检整改台账.xlsx"), source=SOURCE)
    assert report.imported == ["FJ-01", "FJ-02", "FJ-03", "FJ-04"] and report.created_units == ["县中医院"]

    with Session(engine) as session:
        findings = {f.number: f for f in session.exec(select(Finding))}
        recoveries = {(f.number, r.kind): (r.amount, r.on_date) for f in findings.values()
                      for r in session.exec(select(Recovery).where(Recovery.finding_id == f.id))}
        evidence = [e.reference for e in session.exec(
            select(Evidence).where(Evidence.finding_id == findings["FJ-01"].id).order_by(Evidence.id))]
        first_events = {n: events_of(session, f.id)[0] for n, f in findings.items()}
        checked, breaks = verify_all(session)

    assert {n: (f.status, f.closed_on) for n, f in findings.items()} == {
        "FJ-01": ("已销号", date(2024, 11, 20)), "FJ-02": ("部分整改", None),
        "FJ-03": ("已销号", date(2024, 9, 27)), "FJ-04": ("整改中", None),
    }
    assert findings["FJ-02"].amount_involved == Decimal("32180.00")
    assert recoveries == {
        ("FJ-01", "追回/退回基金"): (Decimal("125000.00"), date(2024, 11, 20)),
        ("FJ-01", "罚款"): (Decimal("250000.00"), date(2024, 11, 20)),
        ("FJ-01", "违约金"): (Decimal("12500.00"), date(2024, 11, 20)),
        ("FJ-02", "追回/退回基金"): (Decimal("25000.00"), NOW.date()),
        ("FJ-03", "归还原渠道"): (Decimal("300000.00"), date(2024, 9, 27)),
        ("FJ-03", "调账"): (Decimal("100000.00"), date(2024, 9, 27)),
    }
    assert evidence == ["退款凭证", "罚没款缴款书"]
    registered = first_events["FJ-01"]
    assert registered.to_status == "已销号"
    assert registered.data["amounts_rectified"] == {"追回/退回基金": "125000.00", "罚款": "250000.00", "违约金": "12500.00"}
    assert checked == 4 and breaks == []


def test_closed_row_without_a_closing_date_is_refused(engine, world, run_import, tmp_path):
    with Session(engine) as session, session.begin():
        add_source(session, title=SOURCE, kind="飞行检查", doc_number=None, issuer=None, issued_on=None, now=NOW)
    undated = ROWS[0][:14] + [None, ROWS[0][15]]
    workbook = Workbook()
    for row in (TOP, SUB, undated):
        workbook.active.append(row)
    workbook.save(tmp_path / "缺销号日期.xlsx")
    with pytest.raises(ImportFailed) as failed:
        run_import(tmp_path / "缺销号日期.xlsx", source=SOURCE)
    [problem] = failed.value.problems
    assert (problem.row_number, problem.column, problem.value) == (3, "销号日期", None)
    assert str(problem) == "第 3 行【销号日期】：状态为已销号的问题须填写销号日期"
