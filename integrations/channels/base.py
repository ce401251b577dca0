"""The small interface every channel implements, and the result of a send.

A dispatcher renders a stored NoticeContext through the channel
(`channel.prepare(kind, context)` gives the messages, already split to the
channel's byte limit) and sends each (`channel.send(msg)`), recording the
`SendResult`. Files that robots carry as separate messages (the WeCom
.docx) go through `channel.send_file(attachment)`; e-mail and the folder
carry a message's attachments inside the message itself.

Outcomes (`SendResult.outcome`):
  sent       delivered (the vendor said so)
  retry      not delivered, worth retrying with backoff: rate limits
             (45009, 130101, 11232, HTTP 429), busy (-1), HTTP 5xx,
             connection refused / connect timeout
  dead       not delivered and retrying cannot help: bad key or token,
             bad signature or keyword (310000, 19021/19022/19024), bad
             payload (40008, 45002, 44004, 40007, 9499…), any other
             non-zero vendor code or 4xx: dead-letter and alert a coordinator
  uncertain  the request went out but no reply came (read timeout, the
             connection dropped after sending, a reply we cannot read). The
             robot APIs have no idempotency key, so it may have been
             delivered. We do NOT resend automatically: the dispatcher marks
             the notice uncertain and a coordinator checks the group and
             either confirms it or resends (`rectify outbox retry`). A
             duplicate teaches people to mute the robot; a coordinator's
             look costs a minute.
"""
from __future__ import annotations

import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

import requests
import urllib3

from integrations.channels.ratelimit import (
    VENDOR_RULES,
    SlidingWindowLimiter,
    shared_limiter,
    webhook_identity,
)
from integrations.channels.secrets import Secret, log, redact
from notices.context import Attachment, NoticeContext
from notices.render import RenderedMessage, body_bytes, split_for_channel

RATE_LIMIT_CODES = frozenset({45009, 130101, 11232})
BUSY_CODES = frozenset({-1})
# Listed for documentation and tests: every non-zero code not retryable is permanent anyway.
PERMANENT_CODES = frozenset({
    93000, 40008, 45002, 44004, 40007, 40058,       # WeCom (40058: live WeCom's "exceed max length")
    310000, 300001, 460101,                         # DingTalk (460101: message too long)
    19021, 19022, 19024, 9499,                      # Feishu
})

DEFAULT_TIMEOUT = (5.0, 15.0)  # (connect, read) seconds


@dataclass(frozen=True)
class SendResult:
    ok: bool
    channel: str
    http_status: int | None = None
    errcode: int | None = None
    errmsg: str = ""
    retryable: bool = False
    uncertain: bool = False
    rate_limited: bool = False
    retry_after: float | None = None  # seconds the vendor (or we) suggest waiting
    reply: Any = None                 # the vendor's reply (parsed JSON or text), redacted
    vendor_id: str | None = None      # media_id of an upload, message id of an e-mail API

    def __post_init__(self):
        # Whatever a vendor or an exception said, no credential leaves a result.
        object.__setattr__(self, "errmsg", redact(self.errmsg or ""))
        object.__setattr__(self, "reply", redact(self.reply))

    @property
    def outcome(self) -> str:
        if self.ok:
            return "sent"
        if self.uncertain:
            return "uncertain"
        return "retry" if self.retryable else "dead"

    def to_dict(self) -> dict:
        data = asdict(self)
        data["outcome"] = self.outcome
        return data


def classify(channel: str, *, http_status: int | None, errcode: int | None, errmsg: str = "",
             reply: Any = None, retry_after: float | None = None, vendor_id: str | None = None) -> SendResult:
    """Decide a reply's outcome from both the HTTP status and the vendor code."""
    common = dict(channel=channel, http_status=http_status, errcode=errcode, errmsg=errmsg,
                  reply=reply, vendor_id=vendor_id)
    if http_status is not None and 200 <= http_status < 300 and errcode in (0, None):
        return SendResult(ok=True, **common)
    if errcode in RATE_LIMIT_CODES or http_status == 429:
        return SendResult(ok=False, retryable=True, rate_limited=True, retry_after=retry_after, **common)
    if errcode in PERMANENT_CODES:
        return SendResult(ok=False, **common)
    if errcode in BUSY_CODES or (http_status is not None and http_status >= 500):
        return SendResult(ok=False, retryable=True, retry_after=retry_after, **common)
    return SendResult(ok=False, **common)


def from_exception(channel: str, exc: BaseException, *, sent: bool) -> SendResult:
    """A transport failure: retryable if the request never left, uncertain if it may have."""
    text = f"{type(exc).__name__}: {exc}"
    if sent:
        return SendResult(ok=False, channel=channel, errmsg=f"请求已发出但未收到答复，可能已送达（{text}）",
                          uncertain=True)
    return SendResult(ok=False, channel=channel, errmsg=f"连接失败（{text}）", retryable=True)


def request_was_sent(exc: requests.RequestException) -> bool:
    """Did the bytes leave before this requests exception? Connect failures: no.
    A read timeout or a connection dropped mid-exchange: perhaps."""
    if isinstance(exc, (requests.ConnectTimeout, requests.exceptions.InvalidURL,
                        requests.exceptions.MissingSchema, requests.exceptions.InvalidSchema)):
        return False
    if isinstance(exc, requests.ReadTimeout):
        return True
    if isinstance(exc, requests.ConnectionError):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        return isinstance(reason, urllib3.exceptions.ProtocolError)
    return True


class Channel(ABC):
    """One configured destination (a robot, a mailbox, a folder)."""

    type: ClassVar[str]
    inline_attachments: ClassVar[bool] = False  # attachments travel inside send(msg)
    can_send_files: ClassVar[bool] = False      # send_file() works

    fmt: str = "text"
    max_bytes: int | None = None

    def __init__(self, name: str):
        self.name = name

    def __repr__(self) -> str:
        return redact(f"<{type(self).__name__} {self.name!r} fmt={self.fmt}>")

    def payload_size(self, msg: RenderedMessage) -> int:
        """Bytes of `msg` as the vendor counts them against `max_bytes`."""
        return body_bytes(msg)

    def prepare(self, kind: str, context: NoticeContext, override_dir=None) -> list[RenderedMessage]:
        """Render in this channel's format, split to fit its limit."""
        return split_for_channel(kind, self.fmt, context, self.max_bytes, size=self.payload_size,
                                 override_dir=override_dir)

    @abstractmethod
    def send(self, msg: RenderedMessage) -> SendResult: ...

    def send_file(self, attachment: Attachment) -> SendResult:
        return SendResult(ok=False, channel=self.name, errmsg=f"渠道“{self.name}”不支持单独发送文件")

    def _fail(self, errmsg: str) -> SendResult:
        """A message this channel refuses before sending (permanent)."""
        return SendResult(ok=False, channel=self.name, errmsg=errmsg)

    def _no_address(self, msg: RenderedMessage) -> SendResult | None:
        if msg.recipient.email:
            return None
        return self._fail(f"收件人“{msg.recipient.unit} {msg.recipient.name}”未登记电子邮箱")


def dumps(payload: dict) -> bytes:
    # UTF-8, not \uXXXX escapes: vendors count bytes, and escapes would double them.
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


@dataclass
class HttpReply:
    status: int
    data: Any
    headers: dict = field(default_factory=dict)


class HttpChannel(Channel):
    """A channel over HTTP: one session per thread, the webhook's shared limiter,
    JSON in and out, and transport errors turned into results."""

    rate_limit_pause: ClassVar[float] = 60.0  # how long to hold back after the vendor's rate-limit reply

    def __init__(self, name: str, *, base_url: str, credential: Secret | None, timeout=DEFAULT_TIMEOUT,
                 limiter: SlidingWindowLimiter | None = None, wallclock: Callable[[], float] = time.time,
                 rate_limit_pause: float | None = None):
        super().__init__(name)
        if rate_limit_pause is not None:
            self.rate_limit_pause = rate_limit_pause
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.wallclock = wallclock  # for signatures: vendors check timestamps against their clock
        rules = VENDOR_RULES.get(self.type)
        if limiter is None and rules:
            secret = credential.reveal() if credential else ""
            limiter = shared_limiter(webhook_identity(self.type, self.base_url, secret), rules)
        self.limiter = limiter
        self._local = threading.local()

    def __repr__(self) -> str:
        return redact(f"<{type(self).__name__} {self.name!r} base_url={self.base_url!r} fmt={self.fmt}>")

    @property
    def session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
        return session

    def _vendor_code(self, data: Any) -> tuple[int | None, str]:
        if isinstance(data, dict):
            return data.get("errcode"), str(data.get("errmsg", ""))
        return None, ""

    def _post(self, url: str, *, body: bytes | None = None, files=None, headers=None) -> HttpReply | SendResult:
        """POST through the limiter; a transport failure comes back as a SendResult."""
        hdrs = {"Content-Type": "application/json; charset=utf-8"} if body is not None else {}
        hdrs.update(headers or {})
        try:
            if self.limiter is not None:
                self.limiter.acquire()
            try:
                response = self.session.post(url, data=body, files=files, headers=hdrs, timeout=self.timeout)
            finally:
                if self.limiter is not None:
                    self.limiter.release()
        except requests.RequestException as exc:
            result = from_exception(self.name, exc, sent=request_was_sent(exc))
            log.warning("%s 发送失败：%s", self.name, result.errmsg)
            return result
        try:
            data = response.json() if response.content else None
        except ValueError:
            data = response.text
        return HttpReply(response.status_code, data, dict(response.headers))

    def _result(self, reply: HttpReply | SendResult, *, vendor_id: str | None = None) -> SendResult:
        if isinstance(reply, SendResult):
            return reply
        errcode, errmsg = self._vendor_code(reply.data)
        if reply.status == 200 and not isinstance(reply.data, dict):
            # A 200 we cannot read (a proxy's page?) says nothing about delivery.
            return SendResult(ok=False, channel=self.name, http_status=reply.status, uncertain=True,
                              errmsg="答复无法解析，无法确认是否送达", reply=reply.data)
        retry_after = _retry_after(reply.headers)
        if errcode in RATE_LIMIT_CODES or reply.status == 429:
            retry_after = retry_after or self.rate_limit_pause
            if self.limiter is not None:
                self.limiter.pause(retry_after)
        result = classify(self.name, http_status=reply.status, errcode=errcode, errmsg=errmsg,
                          reply=reply.data, retry_after=retry_after, vendor_id=vendor_id)
        log.info("%s 发送结果：%s（HTTP %s，代码 %s %s）", self.name, result.outcome, reply.status, errcode, errmsg)
        return result


def _retry_after(headers: dict) -> float | None:
    value = {k.lower(): v for k, v in headers.items()}.get("retry-after")
    try:
        return float(value) if value is not None else None
    except ValueError:
        return None


def query_value(secret: Secret) -> str:
    return quote(secret.reveal(), safe="")


def read_attachment(channel: str, attachment: Attachment) -> bytes | SendResult:
    try:
        return attachment.read_bytes()
    except OSError as exc:
        return SendResult(ok=False, channel=channel, errmsg=f"附件“{attachment.name}”无法读取：{exc.strerror}")
