"""Fake DingTalk custom robot: /robot/send with access_token, optional signing and keywords."""
from __future__ import annotations

import base64
import hashlib
import hmac

from werkzeug.wrappers import Request, Response

from .server import Delivery, FakeVendorServer, json_response

MSGTYPES = {"text", "link", "markdown", "actionCard", "feedCard"}
MAX_BODY = 20_000
THROTTLE = 600.0  # DingTalk throttles a robot ~10 minutes after it exceeds 20/min


def expected_sign(secret: str, timestamp: str) -> str:
    """The signature before URL encoding (what the server sees once the query is decoded)."""
    digest = hmac.new(secret.encode(), f"{timestamp}\n{secret}".encode(), hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


class FakeDingTalk(FakeVendorServer):
    vendor = "dingtalk"
    rules = ((20, 60.0),)

    def __init__(self, robots=None, keywords=None, **kwargs):
        super().__init__(**kwargs)
        # token -> signing secret (None: no signing)
        self.robots = dict(robots if robots is not None else {"ding-token-1": "SEC" + "0123456789abcdef" * 4})
        self.keywords = dict(keywords or {})  # token -> words of which one must appear
        self.throttled_until: dict[str, float] = {}

    def rate_limited(self) -> Response:
        return json_response({"errcode": 130101, "errmsg": "send too fast, exceed 20 times per minute"})

    def error(self, request, code: int, msg: str) -> Response:
        return self.reply(request, f"errcode:{code}", {"errcode": code, "errmsg": msg})

    def handle(self, request: Request) -> Response:
        token = request.args.get("access_token", "")
        if request.path != "/robot/send" or token not in self.robots:
            return self.error(request, 300001, "token is not exist")
        secret = self.robots[token]
        if secret is not None:
            ts, sign = request.args.get("timestamp", ""), request.args.get("sign", "")
            if not ts.isdigit() or abs(int(ts) / 1000 - self.clock.time()) > 3600:
                return self.error(request, 310000, "invalid timestamp")
            if not hmac.compare_digest(sign, expected_sign(secret, ts)):
                return self.error(request, 310000, "sign not match, more: [https://ding-doc.dingtalk.com/doc#/serverapi2/qf2nxq]")
        raw = request.get_data()
        if len(raw) > MAX_BODY:
            return self.error(request, 460101, "message too long, exceed 20000 bytes")
        body = self.read_json(request)
        if not isinstance(body, dict) or body.get("msgtype") not in MSGTYPES:
            return self.error(request, 40035, "缺少参数 json")
        msgtype = body["msgtype"]
        part = body.get(msgtype) or {}
        content = (part.get("title", "") + "\n" if msgtype != "text" else "") + (part.get("content") or part.get("text") or "")
        if not content.strip():
            return self.error(request, 40035, "缺少参数 content")
        words = self.keywords.get(token)
        if words and not any(w in content for w in words):
            return self.error(request, 310000, "keywords not in content")
        now = self.clock.monotonic()
        if self.throttled_until.get(token, 0) > now or not self.admit(token):
            self.throttled_until[token] = max(self.throttled_until.get(token, 0), now + THROTTLE)
            return self.error(request, 130101, "send too fast, exceed 20 times per minute")
        at = body.get("at") or {}
        mentions = tuple(at.get("atMobiles", ())) + tuple(at.get("atUserIds", ()))
        self.deliver(Delivery(token, msgtype, content, body, now, mentions))
        return self.reply(request, "ok", {"errcode": 0, "errmsg": "ok"})
