import base64
from dataclasses import replace

import pytest

from integrations.channels.email_webhook import EmailWebhookChannel
from integrations.channels.secrets import Secret
from integrations.channels.smtp import SmtpChannel
from notices.context import DOCX_MIME, Attachment
from tests.channels.helpers import FAST_TIMEOUT, no_limit, REPORT_NAME, closed_port, make_report
from tests.fakes.samples import UNIT, context

SENDER, SENDER_NAME = "zgb@example.gov.cn", "区医保基金整改办"
SMTP_USER, SMTP_PASSWORD = "zgb", "smtp-pass-Q7#x"


def report_messages(channel, tmp_path):
    path = make_report(tmp_path)
    ctx = context("report_delivery", attachments=(Attachment(str(path)),))
    [msg] = channel.prepare("report_delivery", ctx)
    return msg, path


# ---- e-mail API (SendGrid shape) -------------------------------------------

def api_channel(server, key="SG.fake-key-1"):
    return EmailWebhookChannel("mail", Secret(key), sender=SENDER, sender_name=SENDER_NAME, base_url=server.url,
                               limiter=no_limit(), timeout=FAST_TIMEOUT)


def test_mail_api_accepts_notice_with_docx(fake_mail_api, tmp_path):
    ch = api_channel(fake_mail_api)
    msg, path = report_messages(ch, tmp_path)
    result = ch.send(msg)
    assert (result.outcome, result.http_status, result.vendor_id) == ("sent", 202, "msg-1")
    [got] = fake_mail_api.deliveries
    body = got.payload
    assert body["subject"] == "报告送达通知"
    assert body["personalizations"] == [{"to": [{"email": UNIT.email, "name": "王明"}]}]
    assert body["from"] == {"email": SENDER, "name": SENDER_NAME}
    assert [c["type"] for c in body["content"]] == ["text/plain", "text/html"]
    assert "现将《2026年第一季度整改情况报告》送达你单位，详见附件（" + REPORT_NAME + "）" in body["content"][0]["value"]
    [att] = body["attachments"]
    assert (att["filename"], att["type"]) == (REPORT_NAME, DOCX_MIME)
    assert base64.b64decode(att["content"]) == path.read_bytes()


def test_mail_api_bad_key_is_permanent_and_429_retryable(make_fake, tmp_path):
    server = make_fake("mailapi", per_minute=1)
    msg = api_channel(server).prepare("urge", context("urge"))[0]
    bad = api_channel(server, key="SG.wrong").send(msg)
    assert (bad.outcome, bad.http_status) == ("dead", 401) and "invalid" in bad.errmsg
    assert api_channel(server).send(msg).ok
    limited = api_channel(server).send(msg)
    assert (limited.outcome, limited.http_status, limited.rate_limited, limited.retry_after) == ("retry", 429, True, 30.0)
    server.faults.queue("500")
    assert api_channel(server).send(msg).outcome == "retry"


def test_recipient_without_email_is_refused_before_sending(fake_mail_api):
    ch = api_channel(fake_mail_api)
    msg = ch.prepare("urge", context("urge", recipient=replace(UNIT, email=None)))[0]
    result = ch.send(msg)
    assert result.outcome == "dead" and "未登记电子邮箱" in result.errmsg
    assert fake_mail_api.requests == []


# ---- SMTP ---------------------------------------------------------------------

def smtp_channel(server, security, cert=None, password=SMTP_PASSWORD, port=None):
    return SmtpChannel("smtp", host="127.0.0.1", port=port or server.port, security=security, username=SMTP_USER,
                       password=Secret(password), sender=SENDER, sender_name=SENDER_NAME, timeout=5,
                       ca_file=str(cert[0]) if cert else None)


@pytest.mark.parametrize("security", ["starttls", "ssl"])
def test_smtp_delivers_chinese_subject_and_docx_filename_intact(make_smtp, smtp_cert, tmp_path, security):
    server = make_smtp(cert=smtp_cert, implicit_tls=security == "ssl", username=SMTP_USER, password=SMTP_PASSWORD)
    ch = smtp_channel(server, security, smtp_cert)
    msg, path = report_messages(ch, tmp_path)
    result = ch.send(msg)
    assert (result.outcome, result.errcode) == ("sent", 250)
    [got] = server.received
    assert got.rcpt_tos == [UNIT.email] and got.mail_from == SENDER
    raw_headers = got.data.split(b"\r\n\r\n", 1)[0]
    assert b"=?utf-8?" in raw_headers.lower() and "报告".encode() not in raw_headers  # encoded, not raw 8-bit
    mail = got.message
    assert mail["Subject"] == "报告送达通知"
    assert mail["From"].addresses[0].display_name == SENDER_NAME
    assert mail["To"].addresses[0].display_name == "王明"
    assert "现将《2026年第一季度整改情况报告》送达你单位" in mail.get_body(("plain",)).get_content()
    assert "<h2" in mail.get_body(("html",)).get_content()
    [attachment] = list(mail.iter_attachments())
    assert attachment.get_filename() == REPORT_NAME
    assert attachment.get_content_type() == DOCX_MIME
    assert attachment.get_content() == path.read_bytes()
    assert server.auth_attempts == [(SMTP_USER, True)]


def test_smtp_wrong_password_is_permanent(make_smtp, smtp_cert):
    server = make_smtp(cert=smtp_cert, username=SMTP_USER, password=SMTP_PASSWORD)
    ch = smtp_channel(server, "starttls", smtp_cert, password="not-it-123")
    result = ch.send(ch.prepare("urge", context("urge"))[0])
    assert (result.outcome, result.errcode) == ("dead", 535) and result.errmsg.startswith("登录失败")
    assert "not-it-123" not in repr(result) + repr(ch)
    assert server.received == []


def test_smtp_untrusted_certificate_is_permanent(make_smtp, smtp_cert):
    server = make_smtp(cert=smtp_cert, username=SMTP_USER, password=SMTP_PASSWORD)
    ch = smtp_channel(server, "starttls", cert=None)
    result = ch.send(ch.prepare("urge", context("urge"))[0])
    assert result.outcome == "dead" and "证书校验失败" in result.errmsg


def test_smtp_connection_refused_is_retryable(make_smtp):
    ch = smtp_channel(None, "starttls", port=closed_port())
    result = ch.send(ch.prepare("urge", context("urge"))[0])
    assert (result.outcome, result.retryable) == ("retry", True)
