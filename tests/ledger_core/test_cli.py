"""The `rectify` command as a coordinator uses it, on both databases."""
import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from flows.cli.main import app

SETUP = [
    ["source", "add", "XX县新农合基金专项审计调查", "--kind", "审计", "--doc-number", "X审调〔2026〕3号",
     "--issuer", "XX县审计局", "--date", "2026年2月20日"],
    ["unit", "add", "县医保局"],
    ["unit", "add", "县新农合办公室", "--parent", "县医保局"],
    ["person", "add", "王主任", "--unit", "县医保局", "--role", "整改办"],
    ["person", "add", "刘局长", "--unit", "县医保局", "--role", "分管领导"],
    ["person", "add", "李干事", "--unit", "县新农合办公室", "--role", "单位经办人", "--mobile", "13800000004"],
    ["person", "add", "赵主任", "--unit", "县新农合办公室", "--role", "单位负责人"],
    ["person", "add", "孙科长", "--unit", "县新农合办公室", "--role", "牵头单位审核人"],
    ["finding", "add", "--source", "X审调〔2026〕3号", "--number", "2-3", "--summary", "一、二级医院用药范围扩大",
     "--category", "报销范围扩大", "--lead-unit", "县新农合办公室", "--co-unit", "县财政局",
     "--amount", "9,381元", "--deadline", "10个工作日", "--from", "2025-09-25", "--as", "王主任"],
]


@pytest.fixture
def rectify(engine, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    env = {"RECTIFY_DATABASE_URL": engine.url.render_as_string(hide_password=False), "RECTIFY_NOW": "2025-09-26"}

    def run(*args, ok=True):
        result = runner.invoke(app, list(args), env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    for command in SETUP:
        run(*command)
    return run


def test_register_and_sign_off_through_the_cli(rectify, tmp_path):
    output = rectify("finding", "show", "2-3")
    assert "2025-10-15" in output and "10个工作日" in output and "县财政局" in output
    rectify("finding", "start", "2-3", "--as", "李干事")
    proof = tmp_path / "退款凭证.pdf"
    proof.write_bytes(b"%PDF-1.4 refund receipt")
    assert "SHA-256" in rectify("finding", "evidence", "2-3", "--file", str(proof), "--as", "李干事")
    assert "累计已整改 9,381.00 元" in rectify("finding", "amount", "2-3", "--kind", "追回/退回基金",
                                              "--amount", "9381", "--as", "李干事")
    rectify("finding", "submit", "2-3", "--measures", "追回越级报销资金", "--result", "已全部追回", "--as", "李干事")
    rectify("finding", "approve", "2-3", "--as", "赵主任")
    assert "退回补充" in rectify("finding", "return", "2-3", "--reason", "凭证不清晰", "--as", "孙科长")
    rectify("finding", "submit", "2-3", "--as", "赵主任")
    rectify("finding", "approve", "2-3", "--as", "孙科长")
    rectify("finding", "approve", "2-3", "--as", "王主任")
    assert "已销号" in rectify("finding", "approve", "2-3", "--as", "刘局长")
    timeline = rectify("finding", "history", "2-3")
    for words in ("登记", "上传佐证", "退回补充", "凭证不清晰", "领导审批通过", "记录链校验：完整"):
        assert words in timeline
    assert "记录链校验通过" in rectify("history", "verify")


def test_refused_action_prints_chinese_error_and_changes_nothing(rectify):
    output = rectify("finding", "approve", "2-3", "--as", "李干事", ok=False)
    assert "错误：" in output and "当前状态为“待整改”" in output
    output = rectify("finding", "submit", "2-3", "--as", "李干事", ok=False)
    assert "尚缺：整改措施、整改结果、至少一份佐证材料" in output
    assert "当前状态：待整改" in rectify("finding", "history", "2-3")


def test_unknown_names_are_explained(rectify):
    assert "找不到人员“张三”" in rectify("finding", "start", "2-3", "--as", "张三", ok=False)
    assert "找不到编号为“9-9”的问题" in rectify("finding", "start", "9-9", "--as", "李干事", ok=False)
    assert "角色“处长”无效" in rectify("person", "add", "钱处长", "--unit", "县医保局", "--role", "处长", ok=False)


def test_tampering_makes_verify_fail(rectify, engine):
    rectify("finding", "start", "2-3", "--as", "李干事")
    with engine.begin() as connection:
        connection.execute(text("UPDATE finding_event SET actor_name = '赵主任' WHERE seq = 2"))
    output = rectify("history", "verify", ok=False)
    assert "问题 2-3：第 2 条记录内容与哈希不符" in output


def test_extension_through_the_cli(rectify):
    rectify("finding", "extend", "2-3", "--to", "2025年11月28日", "--reason", "需省级系统改造", "--as", "李干事")
    assert "延期至 2025-11-28" in rectify("finding", "extension", "2-3", "approve", "--as", "王主任")
    assert "2025-11-28" in rectify("finding", "show", "2-3")


def test_unmigrated_database_is_refused(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, ["finding", "list"], env={"RECTIFY_DATABASE_URL": f"sqlite:///{tmp_path}/new.db"})
    assert result.exit_code == 1 and "rectify db upgrade" in result.output


def test_coordinator_reassigns_a_finding(rectify):
    output = rectify("finding", "update", "2-3", "--lead-unit", "县财政局", "--deadline", "2025-11-30",
                     "--reason", "职责调整", "--as", "王主任")
    assert "牵头单位：县新农合办公室 → 县财政局" in output and "整改时限：2025-10-15 → 2025-11-30" in output
    assert "配合单位：县财政局 → 无" in output  # the new lead is no longer its own co-unit
    assert "仅限整改办" in rectify("finding", "update", "2-3", "--summary", "x", "--reason", "y", "--as", "李干事",
                                   ok=False)
    assert "更正登记信息" in rectify("finding", "history", "2-3")
