"""Fake SendGrid-style mail API: POST /v3/mail/send, bearer key, 202 on success."""
from __future__ import annotations

import base64
import itertools

from werkzeug.wrappers import Request, Response

from .server import Delivery, FakeVendorServer, json_response


class FakeMailApi(FakeVendorServer):
    vendor = "mailapi"

    def __init__(self, api_keys=("SG.fake-key-1",), per_minute: int | None = None, **kwargs):
        if per_minute:
            self.rules = ((per_minute, 60.0),)
        super().__init__(**kwargs)
        self.api_keys = set(api_keys)
        self._ids = itertools.count(1)

    def rate_limited(self) -> Response:
        return json_response({"errors": [{"message": "too many requests"}]}, 429, {"Retry-After": "30"})

    def errors(self, request, status: int, message: str, field: str | None = None) -> Response:
        return self.reply(request, f"http:{status}", {"errors": [{"message": message, "field": field}]}, status)

    def handle(self, request: Request) -> Response:
        if request.path != "/v3/mail/send":
            return self.errors(request, 404, "not found")
        auth = request.headers.get("Authorization", "")
        key = auth[7:] if auth.startswith("Bearer ") else ""
        if key not in self.api_keys:
            return self.errors(request, 401, "The provided authorization grant is invalid, expired, or revoked")
        body = self.read_json(request)
        if not isinstance(body, dict):
            return self.errors(request, 400, "Bad Request")
        for field in ("personalizations", "from", "subject", "content"):
            if not body.get(field):
                return self.errors(request, 400, f"The {field} field is required.", field)
        for att in body.get("attachments", ()):
            try:
                base64.b64decode(att["content"], validate=True)
            except (KeyError, ValueError):
                return self.errors(request, 400, "The attachment content must be base64 encoded.", "attachments")
        if not self.admit(key):
            self.record("http:429", request)
            return self.rate_limited()
        to = tuple(t["email"] for p in body["personalizations"] for t in p.get("to", ()))
        text = next((c["value"] for c in body["content"] if c.get("type") == "text/plain"), "")
        self.deliver(Delivery(key, "mail", body["subject"] + "\n" + text, body, self.clock.monotonic(), to))
        self.record("accepted", request)
        return Response(status=202, headers={"X-Message-Id": f"msg-{next(self._ids)}"})
