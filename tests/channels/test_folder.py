from integrations.channels.folder import FolderChannel
from integrations.channels.registry import build_channels
from notices.context import Attachment
from tests.channels.helpers import REPORT_NAME, make_report
from tests.fakes.samples import context


def test_notice_becomes_a_readable_utf8_file(tmp_path):
    ch = FolderChannel("outbox", tmp_path / "outbox")
    [msg] = ch.prepare("urge", context("urge"))
    result = ch.send(msg)
    assert result.ok
    [path] = (tmp_path / "outbox").glob("*.txt")
    text = path.read_text(encoding="utf-8")
    assert text.startswith("标题：整改催办通知\n收件：区卫健委 王明（手机 13800000001，邮箱 wangming@wjw.example.gov.cn）")
    assert "【2026-001】县中医院串换药品" in text and "特此通知。" in text
    assert result.reply == {"path": str(path)}


def test_sending_the_same_notice_twice_leaves_one_file(tmp_path):
    ch = FolderChannel("outbox", tmp_path)
    [msg] = ch.prepare("urge", context("urge"))
    assert ch.send(msg).vendor_id == ch.send(msg).vendor_id
    assert len(list(tmp_path.glob("*.txt"))) == 1


def test_attachments_are_copied_next_to_the_notice(tmp_path):
    report = make_report(tmp_path)
    ch = FolderChannel("outbox", tmp_path / "out")
    [msg] = ch.prepare("report_delivery", context("report_delivery", attachments=(Attachment(str(report)),)))
    assert ch.send(msg).ok
    [copy] = (tmp_path / "out").glob("*.docx")
    assert copy.name.endswith(REPORT_NAME) and copy.read_bytes() == report.read_bytes()
    assert f"附件：{copy.name}（已复制到本文件夹）" in next((tmp_path / "out").glob("*.txt")).read_text("utf-8")


def test_unwritable_folder_is_a_permanent_failure(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("x")
    ch = FolderChannel("outbox", blocker / "sub")
    result = ch.send(ch.prepare("urge", context("urge"))[0])
    assert result.outcome == "dead" and "写入文件失败" in result.errmsg


def test_folder_is_the_default_when_nothing_is_configured(tmp_path):
    registry = build_channels(None, base_dir=tmp_path, env={})
    assert registry.names() == ["outbox"]
    assert isinstance(registry.default, FolderChannel) and registry.default.folder == tmp_path / "outbox"
