"""End to end, as the county's coordinating office would work: the audit
report's findings arrive as a ledger, are imported with `rectify ledger
import`, worked through sign-off by the real people (with a return for more
evidence and an approved extension), exported, and the history verifies."""
import csv
from datetime import date

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from flows.cli.main import app
from tests.samples_ledger import SOURCE_DOC_NUMBER, SOURCE_ISSUER, SOURCE_TITLE, write_sample_ledger

PEOPLE = (
    ("王主任", "县医保局", "整改办"), ("刘局长", "县医保局", "分管领导"),
    ("李干事", "县新农合办公室", "单位经办人"), ("赵主任", "县新农合办公室", "单位负责人"),
    ("孙科长", "县新农合办公室", "牵头单位审核人"), ("钱会计", "县财政局", "单位经办人"),
    ("吴局长", "县财政局", "单位负责人"), ("陈科长", "县财政局", "牵头单位审核人"),
)


@pytest.fixture
def rectify(engine, tmp_path, monkeypatch):
    """Run one `rectify` command on the test database, as of the day given (default: the import day)."""
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    url = engine.url.render_as_string(hide_password=False)

    def run(*args, on="2025-09-26 09:00", ok=True):
        result = runner.invoke(app, [str(a) for a in args], env={"RECTIFY_DATABASE_URL": url, "RECTIFY_NOW": on})
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    run("source", "add", SOURCE_TITLE, "--kind", "审计", "--doc-number", SOURCE_DOC_NUMBER,
        "--issuer", SOURCE_ISSUER, "--date", "2025年9月20日")
    run("unit", "add", "县医保局")
    run("unit", "add", "县新农合办公室", "--parent", "县医保局")
    run("unit", "add", "县财政局")
    for name, unit, role in PEOPLE:
        run("person", "add", name, "--unit", unit, "--role", role)
    return run


def test_sample_audit_from_ledger_to_signed_off_export(rectify, tmp_path):
    ledger = write_sample_ledger(tmp_path / "新农合审计整改台账.xlsx")
    importing = ("ledger", "import", ledger, "--source", SOURCE_DOC_NUMBER, "--as", "王主任",
                 "--from", "2025-09-25", "--year", "2026")

    output = rectify(*importing, "--dry-run")
    assert "【试导入，未写入】台账 新农合审计整改台账.xlsx：共 12 行，将导入 12 条" in output
    assert "将新建单位：县卫生局" in output
    assert "2-3" not in rectify("finding", "list")
    output = rectify(*importing)
    assert "共 12 行，已导入 12 条，已存在跳过 0 条" in output
    for unit in ("县卫生局", "县民政局", "县物价局", "次丘中心卫生院", "康驿镇卫生院"):
        assert f"新建单位：{unit}" in output
    assert "已导入 0 条，已存在跳过 12 条" in rectify(*importing)
    shown = rectify("finding", "show", "2-3")
    assert "2025-10-15" in shown and "10个工作日" in shown and "9,381,596.00" in shown

    # 1 (县财政局, 立行立改): the straight chain, each step by its own person
    rectify("finding", "start", "1", "--as", "钱会计", on="2025-09-26 10:00")
    rectify("finding", "evidence", "1", "--ref", "市级配套资金拨款凭证（X财社拨〔2025〕45号）", "--as", "钱会计",
            on="2025-09-28 15:00")
    rectify("finding", "submit", "1", "--measures", "将市县两级配套资金纳入年初预算，3月底前足额拨付",
            "--result", "本年度市级配套资金已全额拨付到位", "--as", "钱会计", on="2025-09-28 16:00")
    rectify("finding", "approve", "1", "--as", "吴局长", on="2025-09-29 09:00")
    rectify("finding", "approve", "1", "--as", "陈科长", on="2025-09-29 11:00")
    rectify("finding", "approve", "1", "--as", "王主任", on="2025-09-30 09:00")
    assert "问题 1 已销号（2025-09-30）" in rectify("finding", "approve", "1", "--as", "刘局长", on="2025-09-30 15:00")

    # 2-3 (9,381,596 元): money recovered by kind, returned once for a missing voucher
    rectify("finding", "start", "2-3", "--as", "李干事", on="2025-09-26 14:00")
    rectify("finding", "amount", "2-3", "--kind", "追回/退回基金", "--amount", "891.23万", "--as", "李干事",
            on="2025-10-09 10:00")
    assert "累计已整改 9,381,596.00 元" in rectify("finding", "amount", "2-3", "--kind", "调账", "--amount", "469,296",
                                                  "--as", "李干事", on="2025-10-09 11:00")
    receipt = tmp_path / "追回款银行回单.pdf"
    receipt.write_bytes(b"%PDF-1.4 bank receipt 8,912,300.00")
    rectify("finding", "evidence", "2-3", "--file", receipt, "--as", "李干事", on="2025-10-09 11:30")
    rectify("finding", "submit", "2-3", "--measures", "按医疗机构级别重设药品报销标识；追回越级报销基金",
            "--result", "越级报销基金已追回8,912,300元，其余469,296元已调账", "--as", "李干事", on="2025-10-10 09:00")
    rectify("finding", "approve", "2-3", "--as", "赵主任", on="2025-10-10 10:00")
    assert "退回补充" in rectify("finding", "return", "2-3", "--reason", "调账凭证未附，请补充",
                               "--as", "孙科长", on="2025-10-10 15:00")
    rectify("finding", "evidence", "2-3", "--ref", "调账凭证（记字第0815号）", "--as", "李干事", on="2025-10-11 09:00")
    rectify("finding", "submit", "2-3", "--as", "赵主任", on="2025-10-11 10:00")
    rectify("finding", "approve", "2-3", "--as", "孙科长", on="2025-10-13 09:00")
    rectify("finding", "approve", "2-3", "--as", "王主任", on="2025-10-14 09:00")
    assert "已销号（2025-10-15）" in rectify("finding", "approve", "2-3", "--as", "刘局长", on="2025-10-15 09:00")

    # 2-2: more time, asked for by the unit and granted by the office
    rectify("finding", "start", "2-2", "--as", "李干事", on="2025-09-27 09:00")
    rectify("finding", "extend", "2-2", "--to", "2025年12月31日", "--reason", "诊疗项目剔除需省级结算系统升级",
            "--as", "李干事", on="2025-10-20 09:00")
    assert "延期至 2025-12-31" in rectify("finding", "extension", "2-2", "approve", "--as", "王主任",
                                         on="2025-10-21 09:00")

    timeline = rectify("finding", "history", "2-3")
    for words in ("登记", "退回补充", "调账凭证未附，请补充", "领导审批通过", "记录链校验：完整"):
        assert words in timeline
    assert "记录链校验通过" in rectify("history", "verify")

    rectify("ledger", "export", "导出台账.xlsx", "--source", SOURCE_DOC_NUMBER)
    rectify("ledger", "export", "导出台账.csv")
    sheet = load_workbook(tmp_path / "导出台账.xlsx").active
    header, *rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    exported = {row[0]: dict(zip(header, row)) for row in rows}
    with (tmp_path / "导出台账.csv").open(encoding="utf-8-sig", newline="") as handle:
        assert [row[0] for row in csv.reader(handle)] == ["编号", *exported]
    assert len(exported) == 12

    def closing(number):
        row = exported[number]
        return row["状态"], row["是否销号"], row["销号日期"] and row["销号日期"].date()

    assert closing("1") == ("已销号", "是", date(2025, 9, 30))
    assert closing("2-3") == ("已销号", "是", date(2025, 10, 15))
    assert (exported["2-3"]["追回/退回金额"], exported["2-3"]["调账金额"]) == (8912300, 469296)
    assert closing("2-2") == ("整改中", "否", None)
    assert exported["2-2"]["整改时限"].date() == date(2025, 12, 31)
    still_open = {number for number in exported if closing(number)[2] is None}
    assert still_open == set(exported) - {"1", "2-3"}
