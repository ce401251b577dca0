"""Fake Feishu custom bot: /open-apis/bot/v2/hook/<token>, signature in the body."""
from __future__ import annotations

import base64
import hashlib
import hmac

from werkzeug.wrappers import Request, Response

from .server import Delivery, FakeVendorServer, json_response

MAX_BODY = 20 * 1024
MSG_TYPES = {"text", "post", "image", "share_chat", "interactive"}


def expected_sign(secret: str, timestamp: str) -> str:
    key = f"{timestamp}\n{secret}".encode()
    return base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def post_text(post: dict) -> tuple[str, tuple[str, ...]]:
    """The readable text of a post message and the ids it @mentions."""
    lang = next(iter(post.values()), {})
    lines, ats = [lang.get("title", "")], []
    for paragraph in lang.get("content", []):
        line = ""
        for element in paragraph:
            if element.get("tag") == "at":
                ats.append(element.get("user_id", ""))
            else:
                line += element.get("text", "")
        lines.append(line)
    return "\n".join(lines), tuple(ats)


class FakeFeishu(FakeVendorServer):
    vendor = "feishu"
    rules = ((5, 1.0), (100, 60.0))

    def __init__(self, bots=None, keywords=None, **kwargs):
        super().__init__(**kwargs)
        self.bots = dict(bots if bots is not None else {"feishu-token-1": "feishu-secret-1"})
        self.keywords = dict(keywords or {})

    def rate_limited(self) -> Response:
        return json_response({"code": 11232, "msg": "frequency limited psm[lark.oapi.app_platform_runtime]", "data": {}})

    def error(self, request, code: int, msg: str, status: int = 200) -> Response:
        return self.reply(request, f"code:{code}", {"code": code, "msg": msg, "data": {}}, status=status)

    def handle(self, request: Request) -> Response:
        prefix = "/open-apis/bot/v2/hook/"
        token = request.path[len(prefix):] if request.path.startswith(prefix) else ""
        if token not in self.bots:
            return self.error(request, 19001, "param invalid: incoming webhook access token invalid", status=400)
        raw = request.get_data()
        if len(raw) > MAX_BODY:
            return self.error(request, 9499, "request body too large", status=400)
        body = self.read_json(request)
        if not isinstance(body, dict):
            return self.error(request, 9499, "Bad Request", status=400)
        secret = self.bots[token]
        if secret is not None:
            ts, sign = str(body.get("timestamp", "")), body.get("sign", "")
            if not ts.isdigit() or abs(int(ts) - self.clock.time()) > 3600 or \
                    not hmac.compare_digest(sign, expected_sign(secret, ts)):
                return self.error(request, 19021, "sign match fail or timestamp is not within one hour from current time")
        msg_type = body.get("msg_type")
        content = body.get("content") or {}
        if msg_type not in MSG_TYPES:
            return self.error(request, 9499, "Bad Request", status=400)
        if msg_type == "post":
            text, ats = post_text(content.get("post") or {})
        else:
            text, ats = content.get("text", ""), ()
        if not text.strip():
            return self.error(request, 9499, "Bad Request", status=400)
        words = self.keywords.get(token)
        if words and not any(w in text for w in words):
            return self.error(request, 19024, "Key Words Not Found")
        if not self.admit(token):
            return self.reply(request, "code:11232", {"code": 11232, "msg": "frequency limited", "data": {}})
        self.deliver(Delivery(token, msg_type, text, body, self.clock.monotonic(), ats))
        return self.reply(request, "ok", {"StatusCode": 0, "StatusMessage": "success", "code": 0, "msg": "success", "data": {}})
