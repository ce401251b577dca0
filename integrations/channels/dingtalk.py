"""DingTalk (钉钉) custom robot.

POST {base}/robot/send?access_token=TOKEN[&timestamp=MS&sign=SIGN]. With a
signing secret (SEC…), sign = urlencode(base64(HMAC-SHA256(key=secret,
msg=f"{timestamp_ms}\\n{secret}"))), encoded exactly once; DingTalk accepts
timestamps within an hour of its clock. @mentions go in at.atMobiles /
at.atUserIds and must also appear as "@…" in the text, or DingTalk shows
no mention. Over 20/min: 130101 and the robot is throttled ~10 minutes.

Size: DingTalk publishes no limit for custom robots; it rejects bodies
over 20 000 bytes (errcode 460101 "message too long, exceed 20000
bytes"). We keep the whole JSON body within 18 000 bytes, a 10% margin.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from urllib.parse import quote_plus

from integrations.channels.base import HttpChannel, SendResult, dumps, query_value
from integrations.channels.secrets import Secret
from models.errors import ValidationError
from notices.render import RenderedMessage

DEFAULT_BASE_URL = "https://oapi.dingtalk.com"
MAX_BYTES = 18_000
MSGTYPES = {"markdown": "dingtalk_md", "text": "text"}


def dingtalk_sign(secret: str, timestamp_ms: int) -> str:
    """The `sign` query value, already URL-encoded (append as is, never encode again)."""
    digest = hmac.new(secret.encode("utf-8"), f"{timestamp_ms}\n{secret}".encode("utf-8"), hashlib.sha256).digest()
    return quote_plus(base64.b64encode(digest).decode("ascii"))


class DingTalkChannel(HttpChannel):
    type = "dingtalk"
    rate_limit_pause = 600.0
    max_bytes = MAX_BYTES

    def __init__(self, name: str, token: Secret, secret: Secret | None = None, *, msgtype: str = "markdown",
                 base_url: str = DEFAULT_BASE_URL, **options):
        if msgtype not in MSGTYPES:
            raise ValidationError(f"钉钉渠道“{name}”的消息类型“{msgtype}”无效，可选：text、markdown")
        if secret is not None and not secret.reveal().startswith("SEC"):
            raise ValidationError(f"钉钉渠道“{name}”的加签密钥应以“SEC”开头（{secret.source}）")
        super().__init__(name, base_url=base_url, credential=token, **options)
        self.token, self.secret = token, secret
        self.msgtype = msgtype
        self.fmt = MSGTYPES[msgtype]

    def payload(self, msg: RenderedMessage) -> dict:
        m = msg.mentions
        handles = [f"@{x}" for x in (*m.mobiles, *m.dingtalk_userids) if f"@{x}" not in msg.body]
        content = msg.body.rstrip("\n") + ("\n\n" + " ".join(handles) if handles else "")
        at = {"atMobiles": list(m.mobiles), "atUserIds": list(m.dingtalk_userids), "isAtAll": False}
        if self.msgtype == "markdown":
            return {"msgtype": "markdown", "markdown": {"title": msg.subject, "text": content}, "at": at}
        return {"msgtype": "text", "text": {"content": content}, "at": at}

    def payload_size(self, msg: RenderedMessage) -> int:
        return len(dumps(self.payload(msg)))

    def url(self) -> str:
        url = f"{self.base_url}/robot/send?access_token={query_value(self.token)}"
        if self.secret is not None:
            ts = int(self.wallclock() * 1000)
            url += f"&timestamp={ts}&sign={dingtalk_sign(self.secret.reveal(), ts)}"
        return url

    def send(self, msg: RenderedMessage) -> SendResult:
        return self._result(self._post(self.url(), body=dumps(self.payload(msg))))
