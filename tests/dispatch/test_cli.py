"""The coordinators' outbox commands and `rectify dispatch`, with channels
from the configuration file and the credential from the environment."""
import pytest
from typer.testing import CliRunner

from flows.cli.main import app
from tests.dispatch.conftest import queue

KEY = "wecom-key-1"


@pytest.fixture
def rectify(engine, tmp_path, monkeypatch, make_fake):
    monkeypatch.chdir(tmp_path)
    wecom = make_fake("wecom")
    config = tmp_path / "rectify.toml"
    config.write_text(f"""
[channels.wjw]
type = "wecom"
key = "env:TEST_WECOM_KEY"
base_url = "{wecom.url}"
timeout = [2.0, 0.3]

[channels.outbox]
type = "folder"
path = "发件箱"
""", encoding="utf-8")
    env = {"RECTIFY_DATABASE_URL": engine.url.render_as_string(hide_password=False), "RECTIFY_CONFIG": str(config),
           "TEST_WECOM_KEY": "wecom-key-wrong", "COLUMNS": "250"}
    runner = CliRunner()

    def run(*args, ok=True):
        result = runner.invoke(app, list(args), env=env)
        assert (result.exit_code == 0) == ok, result.output
        return result.output

    run.env, run.wecom = env, wecom
    return run


def test_dispatch_then_show_retry_cancel_confirm(rectify, engine, tmp_path):
    robot, folder = queue(engine, 1, "wecom"), queue(engine, 2, "folder")
    output = rectify("dispatch", "--now", "2026-04-06 09:00")
    assert "处理通知 3 条：已发送 2（共 2 条消息），待重试 0，发送失败 1，结果不明 0" in output
    assert f"发送失败：#{robot}（已生成告警 1 条" in output
    assert len(list((tmp_path / "发件箱").glob("*.txt"))) == 2  # the folder notice and the alert

    listed = rectify("outbox", "list", "--status", "发送失败")
    assert f"│ {robot} " in listed and "93000" in listed and f"│ {folder} " not in listed
    assert "消息发送失败告警" in rectify("outbox", "list")
    card = rectify("outbox", "show", str(robot))
    for words in ("整改催办通知（urge）", "状态：发送失败", "渠道：wecom:wjw", "【N0001】区人民医院重复收费",
                  "第1次 消息：失败，不再重试，HTTP 200，代码 93000 invalid webhook url", "—— 发送记录 ——"):
        assert words in card, card
    assert "wecom-key-wrong" not in card

    rectify.env["TEST_WECOM_KEY"] = KEY  # the coordinator fixed the key
    assert "已重新排队" in rectify("outbox", "retry", str(robot), "--now", "2026-04-06 10:00")
    assert "已发送 1" in rectify("dispatch", "--now", "2026-04-06 10:00")
    assert len(rectify.wecom.deliveries) == 1
    assert "发送成功，重发将造成重复" in rectify("outbox", "retry", str(robot), ok=False)
    assert "人工重发" in rectify("outbox", "show", str(robot))

    later = queue(engine, 3, "wecom")
    assert "已取消" in rectify("outbox", "cancel", str(later))
    assert "没有到期待发送的通知" in rectify("dispatch", "--now", "2026-04-06 11:00")
    assert "无需取消" in rectify("outbox", "cancel", str(later), ok=False)

    unsure = queue(engine, 4, "wecom")
    rectify.wecom.faults.queue("timeout")
    assert f"结果不明：#{unsure}" in rectify("dispatch", "--now", "2026-04-06 12:00")
    assert "已确认送达（状态：已发送）" in rectify("outbox", "confirm", str(unsure))
    assert "只有“结果不明”的通知可确认" in rectify("outbox", "confirm", str(unsure), ok=False)

    assert "没有发送失败或结果不明的通知" in rectify("outbox", "summary", "--now", "2026-04-06 17:00")
    queue(engine, 5, "wecom", target="nope")
    rectify("dispatch", "--now", "2026-04-06 17:30")
    assert "发送失败或结果不明的通知 1 条，已生成失败汇总 1 条" in rectify("outbox", "summary", "--now", "2026-04-06 18:00")
    assert "通知状态“乱写”无效" in rectify("outbox", "list", "--status", "乱写", ok=False)
    assert "通知 #999 不存在" in rectify("outbox", "show", "999", ok=False)
