"""E-mail over SMTP with the standard library.

Implicit TLS (`security="ssl"`, port 465), STARTTLS (`"starttls"`, port
587) or plain (`"none"`, for a relay on localhost). The message is built
with `email.message.EmailMessage`, which encodes Chinese subjects and
display names (RFC 2047) and attachment filenames (RFC 2231).

Outcomes: a refusal with a 4xx code is retried, 5xx is permanent; failing
to connect is retried; losing the connection while the message itself is
being transferred (DATA) is uncertain: the server may have queued it.
"""
from __future__ import annotations

import smtplib
import socket
import ssl
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP as SMTP_POLICY
from email.utils import formatdate, make_msgid

from integrations.channels.base import Channel, SendResult, read_attachment
from integrations.channels.secrets import Secret, log
from models.errors import ValidationError
from notices.render import RenderedMessage

SECURITY = ("ssl", "starttls", "none")


class SmtpChannel(Channel):
    type = "smtp"
    inline_attachments = True
    fmt = "email"

    def __init__(self, name: str, *, host: str, sender: str, port: int | None = None, security: str = "ssl",
                 username: str | None = None, password: Secret | None = None, sender_name: str = "",
                 timeout: float = 30.0, ca_file: str | None = None):
        super().__init__(name)
        if security not in SECURITY:
            raise ValidationError(f"邮件渠道“{name}”的加密方式“{security}”无效，可选：{'、'.join(SECURITY)}")
        if password is not None and security == "none" and host not in ("127.0.0.1", "localhost", "::1"):
            raise ValidationError(f"邮件渠道“{name}”不加密时不得向远程服务器“{host}”发送密码")
        self.host, self.security = host, security
        self.port = port or {"ssl": 465, "starttls": 587, "none": 25}[security]
        self.username, self.password = username, password
        self.sender, self.sender_name = sender, sender_name
        self.timeout = timeout
        self.ca_file = ca_file

    def __repr__(self) -> str:
        return f"<SmtpChannel {self.name!r} {self.security}://{self.host}:{self.port} user={self.username!r}>"

    def build(self, msg: RenderedMessage) -> EmailMessage | SendResult:
        mail = EmailMessage()
        mail["Subject"] = msg.subject
        mail["From"] = Address(self.sender_name, addr_spec=self.sender)
        mail["To"] = Address(msg.recipient.name or msg.recipient.unit, addr_spec=msg.recipient.email)
        mail["Date"] = formatdate(localtime=True)
        mail["Message-ID"] = make_msgid(domain=self.sender.rpartition("@")[2] or None)
        mail.set_content(msg.text or msg.body)
        if msg.fmt == "email":
            mail.add_alternative(msg.body, subtype="html")
        for att in msg.attachments:
            data = read_attachment(self.name, att)
            if isinstance(data, SendResult):
                return data
            maintype, _, subtype = att.mime.partition("/")
            mail.add_attachment(data, maintype=maintype, subtype=subtype, filename=att.name)
        return mail

    def _connect(self) -> smtplib.SMTP:
        context = ssl.create_default_context(cafile=self.ca_file)
        if self.security == "ssl":
            smtp = smtplib.SMTP_SSL(self.host, self.port, timeout=self.timeout, context=context)
        else:
            smtp = smtplib.SMTP(self.host, self.port, timeout=self.timeout)
        try:
            smtp.ehlo()
            if self.security == "starttls":
                smtp.starttls(context=context)
                smtp.ehlo()
            if self.username and self.password is not None:
                smtp.login(self.username, self.password.reveal())
        except BaseException:
            smtp.close()
            raise
        return smtp

    def send(self, msg: RenderedMessage) -> SendResult:
        refused = self._no_address(msg)
        if refused:
            return refused
        mail = self.build(msg)
        if isinstance(mail, SendResult):
            return mail
        in_data = False
        try:
            smtp = self._connect()
            try:
                code, reply = smtp.mail(self.sender)
                if code != 250:
                    return self._refused(code, reply)
                code, reply = smtp.rcpt(msg.recipient.email)
                if code not in (250, 251):
                    return self._refused(code, reply)
                in_data = True
                code, reply = smtp.data(mail.as_bytes(policy=SMTP_POLICY))
            finally:
                try:
                    smtp.quit()
                except (smtplib.SMTPException, OSError):
                    smtp.close()  # the message is already accepted or already failed
        except smtplib.SMTPAuthenticationError as exc:
            return self._refused(exc.smtp_code, exc.smtp_error, prefix="登录失败：")
        except smtplib.SMTPResponseException as exc:
            return self._refused(exc.smtp_code, exc.smtp_error)
        except smtplib.SMTPNotSupportedError as exc:
            return self._fail(f"邮件服务器不支持所需功能（{exc}），请检查加密方式与登录设置")
        except ssl.SSLCertVerificationError as exc:
            return self._fail(f"邮件服务器证书校验失败：{exc.verify_message}")
        except (smtplib.SMTPServerDisconnected, OSError, socket.timeout) as exc:
            if in_data:
                return SendResult(ok=False, channel=self.name, uncertain=True,
                                  errmsg=f"传送邮件内容时连接中断，可能已送达（{type(exc).__name__}: {exc}）")
            return SendResult(ok=False, channel=self.name, retryable=True,
                              errmsg=f"连接邮件服务器失败（{type(exc).__name__}: {exc}）")
        log.info("%s 邮件已送达服务器：%s %s", self.name, code, reply.decode("utf-8", "replace"))
        return SendResult(ok=True, channel=self.name, errcode=code, errmsg=reply.decode("utf-8", "replace"),
                          vendor_id=str(mail["Message-ID"]))

    def _refused(self, code: int, reply, prefix: str = "") -> SendResult:
        text = reply.decode("utf-8", "replace") if isinstance(reply, bytes) else str(reply)
        result = SendResult(ok=False, channel=self.name, errcode=code, errmsg=f"{prefix}{code} {text}",
                            retryable=400 <= code < 500)
        log.warning("%s 邮件被拒：%s", self.name, result.errmsg)
        return result
