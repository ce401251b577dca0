"""Feishu / Lark (飞书) custom bot.

POST {base}/open-apis/bot/v2/hook/TOKEN with JSON. Signing: HMAC-SHA256
keyed with f"{timestamp_s}\\n{secret}" over an empty message, base64; the
timestamp and sign travel in the body. Success is {"code":0}; failures
may come with HTTP 200 or 4xx, so both are checked. 5/s and 100/min per
bot (11232 when exceeded); the body, envelope included, must stay within
20 KB, which we take as 20 000 bytes.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from integrations.channels.base import HttpChannel, SendResult, dumps, query_value
from integrations.channels.secrets import Secret
from models.errors import ValidationError
from notices.render import RenderedMessage

DEFAULT_BASE_URL = "https://open.feishu.cn"
MAX_BYTES = 20_000
MSG_TYPES = {"post": "feishu_post", "text": "text"}


def feishu_sign(secret: str, timestamp_s: int) -> str:
    key = f"{timestamp_s}\n{secret}".encode("utf-8")
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode("ascii")


class FeishuChannel(HttpChannel):
    type = "feishu"
    max_bytes = MAX_BYTES

    def __init__(self, name: str, token: Secret, secret: Secret | None = None, *, msg_type: str = "post",
                 base_url: str = DEFAULT_BASE_URL, **options):
        if msg_type not in MSG_TYPES:
            raise ValidationError(f"飞书渠道“{name}”的消息类型“{msg_type}”无效，可选：text、post")
        super().__init__(name, base_url=base_url, credential=token, **options)
        self.token, self.secret = token, secret
        self.msg_type = msg_type
        self.fmt = MSG_TYPES[msg_type]

    def payload(self, msg: RenderedMessage) -> dict:
        ids = msg.mentions.feishu_open_ids
        if self.msg_type == "post":
            post = json.loads(msg.body)
            if ids:
                post["zh_cn"]["content"].append([{"tag": "at", "user_id": i} for i in ids])
            payload: dict[str, Any] = {"msg_type": "post", "content": {"post": post}}
        else:
            ats = "".join(f'<at user_id="{i}"></at>' for i in ids)
            payload = {"msg_type": "text", "content": {"text": msg.body.rstrip("\n") + (f"\n{ats}" if ats else "")}}
        if self.secret is not None:
            ts = int(self.wallclock())
            payload = {"timestamp": str(ts), "sign": feishu_sign(self.secret.reveal(), ts), **payload}
        return payload

    def payload_size(self, msg: RenderedMessage) -> int:
        return len(dumps(self.payload(msg)))

    def _vendor_code(self, data: Any) -> tuple[int | None, str]:
        if not isinstance(data, dict):
            return None, ""
        code = data.get("code", data.get("StatusCode"))
        return code, str(data.get("msg", data.get("StatusMessage", "")))

    def send(self, msg: RenderedMessage) -> SendResult:
        url = f"{self.base_url}/open-apis/bot/v2/hook/{query_value(self.token)}"
        return self._result(self._post(url, body=dumps(self.payload(msg))))
