"""A real SMTP server (aiosmtpd) on 127.0.0.1 that keeps what it receives.

Modes: plain, STARTTLS (`tls=`) or implicit TLS (`implicit_tls=True`);
optional AUTH with one username/password. The certificate is self-signed
for 127.0.0.1; clients trust it through `ca_file`.
"""
from __future__ import annotations

import datetime
import ipaddress
import socket
import ssl
import warnings
from dataclasses import dataclass
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


def make_certificate(folder: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (cert path, key path)."""
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False)
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "smtp-cert.pem", folder / "smtp-key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


@dataclass
class ReceivedMail:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self) -> EmailMessage:
        return message_from_bytes(self.data, policy=default_policy)


class _Handler:
    def __init__(self, box: list[ReceivedMail]):
        self.box = box

    async def handle_DATA(self, server, session, envelope):
        self.box.append(ReceivedMail(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content
                                     or envelope.content))
        return "250 OK queued"


class _Controller(Controller):
    def factory(self):
        # Implicit TLS with AUTH: aiosmtpd cannot tell the link is TLS and warns on every connection.
        with warnings.catch_warnings():
            warnings.filterwarnings("ignore", "Requiring AUTH while not requiring TLS")
            return super().factory()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class FakeSmtp:
    def __init__(self, *, cert: tuple[Path, Path] | None = None, implicit_tls: bool = False,
                 username: str | None = None, password: str | None = None):
        self.received: list[ReceivedMail] = []
        self.auth_attempts: list[tuple[str, bool]] = []
        self.username, self.password = username, password
        kwargs = {}
        context = None
        if cert:
            context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            context.load_cert_chain(*map(str, cert))
        if implicit_tls:
            kwargs["ssl_context"] = context
            kwargs["auth_require_tls"] = False  # aiosmtpd only recognises STARTTLS as TLS; this link is TLS throughout
        elif context is not None:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
        if username:
            kwargs["authenticator"] = self._authenticate
            kwargs["auth_required"] = True
        self.port = _free_port()
        self.controller = _Controller(_Handler(self.received), hostname="127.0.0.1", port=self.port, **kwargs)

    def _authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = (isinstance(auth_data, LoginPassword) and auth_data.login.decode() == self.username
              and auth_data.password.decode() == self.password)
        self.auth_attempts.append((auth_data.login.decode() if isinstance(auth_data, LoginPassword) else "?", ok))
        return AuthResult(success=ok, handled=False)  # handled=False: aiosmtpd answers 535 itself

    def start(self):
        self.controller.start()
        return self

    def stop(self):
        self.controller.stop()

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()
