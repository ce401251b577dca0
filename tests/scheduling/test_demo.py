"""`rectify demo`, the README's main job: 90 simulated days on a fresh
SQLite file, with the timeline printed and the results left on disk."""
from docx import Document
from typer.testing import CliRunner

from flows.cli.main import app


def test_demo_simulates_ninety_days_and_leaves_its_work_on_disk(tmp_path, monkeypatch):
    monkeypatch.delenv("RECTIFY_NOW", raising=False)
    monkeypatch.delenv("RECTIFY_DATABASE_URL", raising=False)
    folder = tmp_path / "demo-output"
    result = CliRunner().invoke(app, ["demo", "--dir", str(folder)])
    assert result.exit_code == 0, result.output
    timeline = result.output
    for event in ("导入台账 12 条", "【到期前7天提醒】", "【催办】", "【督办】", "【约谈】", "【通报】", "【问责移送】",
                  "【退回补充】", "【延期】", "【销号】", "【处理】县人民医院", "【发送】", "【文书】"):
        assert event in timeline, event
    assert "周六" not in timeline and "周日" not in timeline.split("【文书】")[0].rsplit("\n", 3)[0]

    assert (folder / "rectify.db").is_file() and (folder / "整改台账.xlsx").is_file()
    notices = [p.read_text(encoding="utf-8") for p in (folder / "outbox").iterdir() if p.suffix == ".txt"]
    assert any("约谈" in text for text in notices) and any("请于" in text or "特此通知" in text for text in notices)
    report = Document(folder / "文书" / "整改情况报告.docx")
    text = "\n".join(p.text for p in report.paragraphs)
    assert "一、总体情况" in text and "共涉及问题12个" in text
    assert len(list((folder / "文书").glob("销号审批表-*.docx"))) == 10

    again = CliRunner().invoke(app, ["demo", "--dir", str(folder)])  # a demo folder is reused, fresh
    assert again.exit_code == 0 and again.output.count("导入台账 12 条") == 1


def test_demo_refuses_a_folder_with_other_files(tmp_path):
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    result = CliRunner().invoke(app, ["demo", "--dir", str(tmp_path)])
    assert result.exit_code == 1 and "不是空目录" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "mine"
