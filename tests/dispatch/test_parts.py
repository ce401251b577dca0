"""Long notices split into parts, files robots carry separately, e-mail with
a .docx: what was delivered survives a failure midway and is not resent."""
from datetime import timedelta

import docx

from integrations.channels.smtp import SmtpChannel
from integrations.dispatch import dispatch, read_log
from models.outbox import NoticeStatus
from notices.context import DOCX_MIME
from tests.channels.helpers import REPORT_NAME, make_report
from tests.dispatch.conftest import NOW, make_registry, marked_context, notice, queue


def run(engine, registry, clock, now=NOW):
    return dispatch(engine, now, registry, worker_id="t", clock=clock)


def test_parts_already_delivered_are_not_resent_after_a_failure(engine, vendors, fake_clock):
    v = vendors()
    channel = v.registry.get("wjw")
    parts = channel.prepare("digest", marked_context(1, "digest", items=50))
    assert len(parts) >= 3
    notice_id = queue(engine, 1, kind="digest", items=50)
    v.wecom.faults.queue(None, "500")  # part 1 arrives, part 2 meets a server error
    assert run(engine, v.registry, fake_clock).retry == [notice_id]
    row = notice(engine, notice_id)
    assert (row.status, row.parts_sent, row.attempts) == (NoticeStatus.RETRY, 1, 1)
    assert [e["step"] for e in read_log(row)] == [f"第1/{len(parts)}部分", f"第2/{len(parts)}部分"]
    assert run(engine, v.registry, fake_clock, NOW + timedelta(minutes=2)).sent == [notice_id]
    row = notice(engine, notice_id)
    assert (row.status, row.parts_sent, row.attempts) == (NoticeStatus.SENT, len(parts), 2)
    got = [d.content for d in v.wecom.deliveries]
    assert len(got) == len(parts)
    for i, content in enumerate(got, 1):
        assert f"（第{i}/{len(parts)}部分）" in content and len(content.encode()) <= 4096
    # Every finding reached the group exactly once, none cut in half.
    for i in range(50):
        assert sum(f"第{i + 1}项" in c for c in got) == 1


def test_wecom_report_is_uploaded_and_sent_as_a_file_once(engine, vendors, fake_clock, tmp_path):
    v = vendors()
    path = make_report(tmp_path)
    notice_id = queue(engine, 1, kind="report_delivery", attachment_path=str(path))
    v.wecom.faults.queue(None, None, "500")  # message ok, upload ok, the file message fails
    run(engine, v.registry, fake_clock)
    row = notice(engine, notice_id)
    assert (row.status, row.parts_sent) == (NoticeStatus.RETRY, 1)
    run(engine, v.registry, fake_clock, NOW + timedelta(minutes=2))
    row = notice(engine, notice_id)
    assert (row.status, row.parts_sent, row.attempts) == (NoticeStatus.SENT, 2, 2)
    assert [d.msgtype for d in v.wecom.deliveries] == ["markdown", "file"]
    assert REPORT_NAME in v.wecom.deliveries[0].content  # the message names the file that follows
    media_id = v.wecom.deliveries[1].payload["file"]["media_id"]
    key, filename, data = v.wecom.media[media_id]
    assert (key, filename, data) == ("wecom-key-1", REPORT_NAME, path.read_bytes())
    (tmp_path / "back.docx").write_bytes(data)
    assert docx.Document(tmp_path / "back.docx").paragraphs[0].text == "2026年第一季度整改情况报告"
    assert [e["step"] for e in read_log(row)] == ["消息", f"文件 {REPORT_NAME}", f"文件 {REPORT_NAME}"]


def test_smtp_mail_with_chinese_subject_and_docx(engine, make_smtp, fake_clock, tmp_path):
    server = make_smtp()
    smtp = SmtpChannel("mail", host="127.0.0.1", port=server.port, security="none", sender="zgb@example.gov.cn",
                       sender_name="区医保基金整改办", timeout=5)
    registry = make_registry(fake_clock, tmp_path / "outbox", extra=[smtp])
    path = make_report(tmp_path)
    notice_id = queue(engine, 1, "smtp", kind="report_delivery", target="ke@wjw.example.gov.cn",
                      attachment_path=str(path))
    assert run(engine, registry, fake_clock).sent == [notice_id]
    [mail] = server.received
    assert mail.rcpt_tos == ["ke@wjw.example.gov.cn"]  # the route's address, not the context's
    message = mail.message
    assert message["Subject"] == "报告送达通知"
    assert "区医保基金整改办" in message["From"]
    [attachment] = list(message.iter_attachments())
    assert (attachment.get_filename(), attachment.get_content_type()) == (REPORT_NAME, DOCX_MIME)
    assert attachment.get_content() == path.read_bytes()
    text = message.get_body(("plain",)).get_content()
    assert "【N0001】" in text and REPORT_NAME in text
    row = notice(engine, notice_id)
    assert row.status == NoticeStatus.SENT and row.last_errcode == "250"
