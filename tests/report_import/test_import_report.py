"""`rectify import-report` end to end, on both databases: the sample report
as a .docx, previewed (nothing written), confirmed, confirmed again (no
duplicates), its draft edited and imported with `rectify ledger import`, and
reports that must be refused without writing anything."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlmodel import Session, select
from typer.testing import CliRunner

from flows.cli.main import app
from integrations.ledger_columns import COLUMNS, field_for_header
from integrations.report_import import DRAFT_EXTRA_HEADERS, ReportDefaults, lead_unit_for
from models.db import transaction
from models.errors import ValidationError
from models.ledger import Finding, Source, Unit
from models.units import add_person, add_unit
from tests.ledger_import.conftest import row_counts
from tests.report_parser.documents import write_docx, write_encrypted_docx, write_scanned_docx
from tests.report_parser.expected_sample import ADVICE_FIRST, ADVICE_LAST, EXPECTED_FINDINGS, SAMPLE

SOURCE = "XX县新农合基金专项审计调查"
HEADERS = [column.header for column in COLUMNS] + list(DRAFT_EXTRA_HEADERS)
CONFIG = """\
[import_report]
default_deadline = "60日"
lead_unit = "县医保局"

[import_report.lead_units]
"财政部门" = "县财政局"
"""
# Documented rules on the sample: the mapping, the fallback lead unit, the supervising unit.
LEAD_UNITS = {"财政部门": "县财政局", "新农合办公室": "县医保局", "定点医疗机构": "县卫健局"}
UNITS = [("县医保局", None), ("县卫健局", None), ("定点医疗机构", "县卫健局")]
PEOPLE = [("王主任", "县医保局", "整改办"), ("李干事", "县卫健局", "单位经办人")]


@pytest.fixture
def report(tmp_path):
    """The sample report as a .docx, with two of its masked amounts written out."""
    text = SAMPLE.read_text(encoding="utf-8")
    text = text.replace("共计超规定的加成率销售药品7,060,元", "共计超规定的加成率销售药品7,060,512.30元")
    text = text.replace("收取治疗费项目不明细181,元", "收取治疗费项目不明细18.136万元")
    return write_docx(tmp_path / "审计报告.docx", text.split("\n"))


@pytest.fixture
def rectify(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "rectify.toml").write_text(CONFIG, encoding="utf-8")
    runner = CliRunner()
    env = {"RECTIFY_DATABASE_URL": engine.url.render_as_string(hide_password=False), "RECTIFY_NOW": "2025-09-26",
           "COLUMNS": "200"}

    def run(*args, ok=True):
        result = runner.invoke(app, [str(arg) for arg in args], env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    with transaction(engine) as session:
        for name, parent in UNITS:
            add_unit(session, name=name, kind=None, parent=parent, email=None, wecom_robot=None,
                     dingtalk_robot=None, feishu_robot=None, now=datetime(2025, 9, 1))
        for name, unit, role in PEOPLE:
            add_person(session, name=name, unit=unit, role=role)
    return run


def read_draft(path) -> tuple[list, dict[str, dict]]:
    """The draft's headers and its rows by 编号, each as {header: value}."""
    sheet = load_workbook(path).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    return rows[0], {row[0]: dict(zip(rows[0], row)) for row in rows[1:]}


def findings(engine) -> dict[str, tuple[Finding, str | None, str]]:
    """Registered findings by number, with their audited and lead units' names."""
    with Session(engine) as session:
        names = {unit.id: unit.name for unit in session.exec(select(Unit))}
        return {f.number: (f, names.get(f.audited_unit_id), names[f.lead_unit_id])
                for f in session.exec(select(Finding))}


def source_named(engine, title: str) -> Source:
    with Session(engine) as session:
        return session.exec(select(Source).where(Source.title == title)).one()


def test_preview_writes_the_draft_and_nothing_else(rectify, engine, report, tmp_path):
    before = row_counts(engine)
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任")
    assert row_counts(engine) == before
    assert "识别出 12 条问题" in output and "【预览】未写入数据库" in output
    assert f"“{SOURCE}”尚未登记，确认导入时将按报告信息新建" in output and "发文机关 XX县审计局" in output
    assert "定点医疗机构 → 县卫健局（被检查单位的主管单位）" in output
    assert "超规定加成率销售药品" in output and "7,060,512.30" in output and "低：涉及金额" in output

    headers, rows = read_draft(tmp_path / "审计报告-台账草稿.xlsx")
    assert headers == HEADERS
    assert list(rows) == [expected.number for expected in EXPECTED_FINDINGS]
    for expected in EXPECTED_FINDINGS:
        row = rows[expected.number]
        assert row["被检查单位"] == expected.audited_unit
        assert row["牵头单位"] == LEAD_UNITS[expected.audited_unit]
        assert (row["问题摘要"], row["问题类别"], row["整改时限"]) == (expected.summary, expected.category, "60日")
        assert (row["定性依据"], row["整改要求"]) == (expected.legal_basis, expected.directive)
    assert rows["3-1"]["涉及金额"] == 7060512.3 and rows["3-1"]["置信度"] != "高"
    assert rows["2-1"]["涉及金额"] is None and "涉及金额：原文金额缺失" in rows["2-1"]["存疑说明"]
    assert (rows["2-2"]["置信度"], rows["2-2"]["存疑说明"]) == ("高", None)

    # A second preview keeps the first draft, which may hold the coordinator's edits.
    rectify("import-report", report, "--source", SOURCE, "--as", "王主任")
    assert (tmp_path / "审计报告-台账草稿(2).xlsx").is_file()
    assert row_counts(engine) == before


def test_confirmed_report_is_registered_once(rectify, engine, report):
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--yes", "--from", "2025-09-25")
    assert f"已新建问题来源“{SOURCE}”（审计，发文机关 XX县审计局）" in output
    assert "已登记 12 条问题" in output and f"已将报告的审计建议记入问题来源“{SOURCE}”" in output
    source = source_named(engine, SOURCE)
    assert (source.kind, source.issuer, source.doc_number) == ("审计", "XX县审计局", None)
    assert source.advice.startswith(ADVICE_FIRST) and source.advice.endswith(ADVICE_LAST)

    registered = findings(engine)
    assert sorted(registered) == sorted(expected.number for expected in EXPECTED_FINDINGS)
    for expected in EXPECTED_FINDINGS:
        finding, audited, lead = registered[expected.number]
        assert (audited, lead) == (expected.audited_unit, LEAD_UNITS[expected.audited_unit])
        assert (finding.summary, finding.legal_basis, finding.directive) == (
            expected.summary, expected.legal_basis, expected.directive)
        assert finding.deadline == date(2025, 11, 24) and finding.deadline_days == 60
    amounts = {number: item[0].amount_involved for number, item in registered.items() if item[0].amount_involved}
    assert amounts == {"3-1": Decimal("7060512.30"), "3-2": Decimal("181360.00")}

    before = row_counts(engine)
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--yes")
    assert "已登记 0 条问题，已存在未重复登记 12 条" in output and "审计建议" not in output
    assert row_counts(engine) == before


def test_edited_draft_goes_through_the_ledger_import(rectify, engine, report, tmp_path):
    rectify("source", "add", SOURCE, "--kind", "审计")
    draft = tmp_path / "草稿.xlsx"
    before = row_counts(engine)
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--draft", draft)
    assert f"问题来源：“{SOURCE}”（已登记）" in output
    assert "试导入：将登记 12 条问题" in output and "将新建单位：" in output
    assert row_counts(engine) == before

    book = load_workbook(draft)
    sheet = book.active
    column = {cell.value: cell.column for cell in sheet[1]}
    line = {sheet.cell(row, 1).value: row for row in range(2, sheet.max_row + 1)}
    sheet.cell(line["2-1"], column["涉及金额"]).value = "10,078元"
    sheet.cell(line["2-2"], column["牵头单位"]).value = "县卫健局"
    sheet.cell(line["2-2"], column["存疑说明"]).value = "已核对，无误"
    book.save(draft)

    output = rectify("ledger", "import", draft, "--source", SOURCE, "--as", "王主任")
    assert "已导入 12 条" in output
    registered = findings(engine)
    assert registered["2-1"][0].amount_involved == Decimal("10078.00")
    assert registered["2-2"][2] == "县卫健局" and registered["2-3"][2] == "县医保局"
    assert all(finding.remarks is None for finding, _, _ in registered.values())

    # Confirming the report afterwards adds nothing but the 审计建议 the source lacked.
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--yes")
    assert "已存在未重复登记 12 条" in output and "已将报告的审计建议记入" in output
    assert source_named(engine, SOURCE).advice.startswith(ADVICE_FIRST)
    assert len(findings(engine)) == 12


def test_new_source_takes_the_reports_title_when_named_by_its_doc_number(rectify, engine, tmp_path):
    report = write_docx(tmp_path / "医院审计.docx", [
        "XX县审计局", "X审报〔2025〕7号", "关于XX县人民医院医保基金使用情况的审计报告", "一、审计发现的问题",
        "1、多收住院费用", "经审计发现多收住院费用1,200元。不符合《医疗保障基金使用监督管理条例》第十五条之规定。责令予以纠正。",
        "2025年9月1日"])
    output = rectify("import-report", report, "--source", "X审报〔2025〕7号", "--as", "王主任", "--yes")
    assert "已新建问题来源“关于XX县人民医院医保基金使用情况的审计报告”" in output
    source = source_named(engine, "关于XX县人民医院医保基金使用情况的审计报告")
    assert (source.doc_number, source.issuer, source.issued_on) == ("X审报〔2025〕7号", "XX县审计局", date(2025, 9, 1))
    finding, audited, lead = findings(engine)["1"]
    assert (audited, lead, finding.amount_involved) == ("XX县人民医院", "县医保局", Decimal("1200.00"))


def test_without_configuration_the_audited_body_leads_unless_told(rectify, report, tmp_path):
    (tmp_path / "rectify.toml").unlink()
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--draft", tmp_path / "a.xlsx")
    assert "新农合办公室 → 新农合办公室（被检查单位本身）" in output
    _, rows = read_draft(tmp_path / "a.xlsx")
    assert [rows[n]["牵头单位"] for n in ("1", "2-1", "3-1")] == ["财政部门", "新农合办公室", "县卫健局"]
    assert "暂以被检查单位为牵头单位" in rows["2-1"]["存疑说明"] and "牵头单位" in rows["2-1"]["置信度"]

    rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--draft", tmp_path / "b.xlsx",
            "--lead-unit", "县医保局", "--deadline", "10个工作日")
    _, rows = read_draft(tmp_path / "b.xlsx")
    assert {(row["牵头单位"], row["整改时限"]) for row in rows.values()} == {("县医保局", "10个工作日")}


def test_refused_import_takes_the_new_source_back(rectify, engine, tmp_path):
    (tmp_path / "rectify.toml").unlink()
    report = write_docx(tmp_path / "报告.docx", [
        "基金使用情况审计报告", "一、审计发现的问题", "1、多收住院费用",
        "经审计发现多收住院费用1,200元。不符合《医疗保障基金使用监督管理条例》第十五条之规定。"])
    before = row_counts(engine)
    output = rectify("import-report", report, "--source", "新来源", "--as", "王主任", "--yes", ok=False)
    assert "第 2 行【牵头单位】：不能为空" in output and "未导入任何数据" in output and "草稿已保存在" in output
    output = rectify("import-report", report, "--source", "新来源", "--as", "李干事", "--yes", ok=False)
    assert "无权导入台账：仅限整改办" in output
    assert row_counts(engine) == before


def _no_findings(path):
    return write_docx(path, ["XX县审计局审计报告", "一、基本情况", "XX县审计局对新农合基金进行了审计。", "二、审计评价", "总体较好。"])


def _not_a_report(path):
    return write_docx(path, ["今天天气很好。", "我们去公园散步。"])


def _corrupt(path):
    path.write_bytes(b"PK\x03\x04 not really a zip archive")
    return path


@pytest.mark.parametrize("make, message", [
    (_no_findings, "未在报告中识别出问题条目"),
    (write_scanned_docx, "只有图片没有文字"),
    (_corrupt, "已损坏"),
    (write_encrypted_docx, "设有打开密码"),
    (_not_a_report, "不像审计或检查报告"),
], ids=["no-findings", "scan", "corrupt", "password", "not-a-report"])
def test_unusable_reports_are_refused_and_nothing_is_written(rectify, engine, tmp_path, make, message):
    report = make(tmp_path / "报告.docx")
    before = row_counts(engine)
    output = rectify("import-report", report, "--source", SOURCE, "--as", "王主任", "--yes", ok=False)
    assert "错误：文件“报告.docx”" in output and message in output
    assert row_counts(engine) == before
    assert not list(tmp_path.glob("*.xlsx"))


def test_draft_only_columns_name_no_ledger_column():
    assert [field_for_header(header) for header in DRAFT_EXTRA_HEADERS] == [None, None]


def test_lead_unit_rules_in_order():
    defaults = ReportDefaults(lead_units={"财政部门": "县财政局", "医院": "县卫健局"}, fallback_lead_unit="县医保局")
    supervisors = {"医院": "县医保局", "药店": "县市场监管局"}
    assert lead_unit_for("财政部门", ReportDefaults(lead_unit="县政府"), supervisors)[0] == "县政府"
    assert lead_unit_for("医院", defaults, supervisors)[0] == "县卫健局"  # mapping before supervisor
    assert lead_unit_for("药店", defaults, supervisors)[0] == "县市场监管局"  # supervisor before fallback
    assert lead_unit_for("诊所", defaults, supervisors)[0] == "县医保局"
    assert lead_unit_for("诊所", ReportDefaults(), supervisors)[0] == "诊所"
    assert lead_unit_for(None, ReportDefaults(), supervisors) == (None, None)


@pytest.mark.parametrize("section, options, message", [
    ({"default_deadline": "下周"}, {}, "[import_report] default_deadline：整改时限“下周”无法识别"),
    ({}, {"deadline": "尽快"}, "--deadline：整改时限“尽快”无法识别"),
    ({"lead_units": ["县医保局"]}, {}, "lead_units 应为"),
    ({"lead_unit": 3}, {}, "lead_unit 应为单位名称"),
])
def test_bad_defaults_are_named(section, options, message):
    with pytest.raises(ValidationError) as refused:
        ReportDefaults.from_config(section, **options)
    assert message in str(refused.value)
