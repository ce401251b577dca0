"""Reports go to leadership through the outbox; the monthly report; the `rectify report` commands."""
import json
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from flows.cli.main import app
from models.db import transaction
from models.ledger import Unit
from models.outbox import Notice
from models.report_figures import snapshot_session
from models.units import add_person, add_unit
from notices.context import NoticeContext
from notices.render import render
from notices.reports import deliver_report, periodic_report, write_closure_report
from tests.reports.scenario import DOCUMENTS, REPORT_AT, SOURCE_TITLE

TITLE = f"关于{SOURCE_TITLE}发现问题整改情况的报告"


@pytest.fixture(scope="module")
def leaders(scenario):
    """刘局长's bureau has two group robots; a deputy county head reads e-mail; a retired leader nothing."""
    with transaction(scenario.engine) as session:
        bureau = session.exec(select(Unit).where(Unit.name == "县医保局")).one()
        bureau.wecom_robot, bureau.dingtalk_robot = "leaders-wecom", "leaders-ding"
        session.add(bureau)
        add_unit(session, name="县人民政府", kind=None, parent=None, email=None, wecom_robot=None,
                 dingtalk_robot=None, feishu_robot=None, now=REPORT_AT)
        add_person(session, name="陈副县长", unit="县人民政府", role="分管领导", email="chen@gov.example")
        retired = add_person(session, name="何老局长", unit="县人民政府", role="分管领导", email="he@gov.example")
        retired.active = False
        session.add(retired)
    return {("wecom", "leaders-wecom"), ("dingtalk", "leaders-ding"), ("smtp", "chen@gov.example")}


def report_notices(engine, path: Path) -> list[Notice]:
    with transaction(engine) as session:
        return list(session.exec(select(Notice).where(Notice.key.startswith(f"report:{path.name}:"))
                                 .order_by(Notice.id)))


def test_deliver_report_once_per_leader_route(scenario, leaders, tmp_path):
    with snapshot_session(scenario.engine) as session:
        path = write_closure_report(session, scenario.settings, REPORT_AT, path=tmp_path / "报告.docx")
    with transaction(scenario.engine) as session:
        first = deliver_report(session, scenario.settings, REPORT_AT, path)
    assert {(d.channel, d.target) for d in first} == leaders and all(d.queued for d in first)
    with transaction(scenario.engine) as session:
        again = deliver_report(session, scenario.settings, REPORT_AT, path)
    assert not any(d.queued for d in again)
    notices = report_notices(scenario.engine, path)
    assert len(notices) == 3
    for notice in notices:
        assert notice.kind == "report_delivery" and notice.key == f"report:{path.name}:{notice.channel}:{notice.target}"
        assert notice.attachment_path == str(path.resolve())
        context = NoticeContext.from_dict(notice.data)
        assert context.extra["report_title"] == TITLE  # read from the document's properties
        assert [a.path for a in context.attachments] == [str(path.resolve())]
        message = render("report_delivery", "text", context)
        assert f"《{TITLE}》" in message.body and "报告.docx" in message.body
    by_channel = {n.channel: n for n in notices}
    assert "刘局长" in by_channel["wecom"].recipient and "陈副县长" in by_channel["smtp"].recipient


def test_periodic_report_writes_into_the_data_folder_and_delivers(scenario, leaders):
    lines = periodic_report(scenario.engine, scenario.settings, REPORT_AT)
    path = Path(scenario.settings.data_dir) / "reports" / "整改情况报告-全部-20260520.docx"
    assert path.is_file() and str(path) in lines[0] and TITLE in lines[0]
    assert lines[1] == "问题7个：已整改3个，正在整改2个，未整改2个"
    assert sum("已加入发送队列" in line and "此前" not in line for line in lines) == 3
    assert len(report_notices(scenario.engine, path)) == 3
    rerun = periodic_report(scenario.engine, scenario.settings, REPORT_AT)
    assert sum("此前已加入发送队列" in line for line in rerun) == 3
    assert len(report_notices(scenario.engine, path)) == 3


@pytest.fixture
def rectify(scenario, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    config = tmp_path / "rectify.toml"
    config.write_text("data_dir = \"数据\"\n[documents]\n" + "".join(
        f"{key} = {json.dumps(value, ensure_ascii=False)}\n" for key, value in DOCUMENTS.items()), encoding="utf-8")
    env = {"RECTIFY_DATABASE_URL": scenario.engine.url.render_as_string(hide_password=False),
           "RECTIFY_CONFIG": str(config), "RECTIFY_NOW": "2026-05-20 17:00"}
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(app, ["report", *args], env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    return run


def test_report_commands_print_the_files_written(rectify, tmp_path, scenario, leaders):
    written = {}
    for args in (("closure", "--deliver"), ("signoff", "2-1"), ("supervision", "2-3"), ("interview", "2"),
                 ("circular", "1"), ("referral", "1"), ("league",)):
        output = rectify(*args)
        path = Path(output.splitlines()[0].removeprefix("已生成："))
        assert path.is_file() and path.parent == tmp_path / "数据" / "reports"
        written[args[0]] = (path, output)
    path, output = written["closure"]
    assert path.name == "整改情况报告-全部-20260520.docx"
    assert "送达 县医保局刘局长：wecom:leaders-wecom" in output and "chen@gov.example" in output
    out = tmp_path / "其他" / "通报.docx"
    assert f"已生成：{out}" in rectify("circular", "2", "--out", str(out)) and out.is_file()
    assert "统计期间须同时给出 --from 和 --to" in rectify("closure", "--from", "2026-02-01", ok=False)
    assert "找不到编号为 9 的问责移送记录" in rectify("referral", "9", ok=False)


def test_missing_configuration_is_named(rectify, tmp_path):
    (tmp_path / "rectify.toml").write_text("[documents]\nissuer = \"XX县医疗保障局\"\n", encoding="utf-8")
    output = rectify("league", ok=False)
    assert "[documents] 缺少 doc_prefix（机关代字" in output and 'doc_prefix = "X医保"' in output
    (tmp_path / "rectify.toml").write_text(
        "[documents]\nissuer = \"局\"\ndoc_prefix = \"X医保\"\naddressee = \"县政府\"\nsigner_name = \"某\"\n",
        encoding="utf-8")
    assert "无法识别的配置项：signer_name" in rectify("league", ok=False)


def test_help_imports_no_word_library():
    probe = ("import sys\nfrom flows.cli.main import app\n"
             "try:\n    app(['report', '--help'])\nexcept SystemExit:\n    pass\n"
             "print('LOADED', sorted(m for m in ('docx', 'prefect', 'sqlmodel') if m in sys.modules))\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, timeout=60,
                            cwd=Path(__file__).resolve().parents[2])
    assert "整改情况报告" in result.stdout and "LOADED []" in result.stdout
