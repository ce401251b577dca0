"""Fake WeCom group robot: /cgi-bin/webhook/send and /cgi-bin/webhook/upload_media."""
from __future__ import annotations

import itertools

from werkzeug.wrappers import Request, Response

from .server import Delivery, FakeVendorServer, json_response

LIMITS = {"text": 2048, "markdown": 4096}
MSGTYPES = {"text", "markdown", "markdown_v2", "image", "news", "file", "voice", "template_card"}
FILE_MIN, FILE_MAX = 5, 20 * 1024 * 1024


class FakeWeCom(FakeVendorServer):
    vendor = "wecom"
    rules = ((20, 60.0),)

    def __init__(self, keys=("wecom-key-1",), **kwargs):
        super().__init__(**kwargs)
        self.keys = set(keys)
        self.media: dict[str, tuple[str, str, bytes]] = {}  # media_id -> (key, filename, bytes)
        self._ids = itertools.count(1)

    def rate_limited(self) -> Response:
        return json_response({"errcode": 45009, "errmsg": "api freq out of limit"})

    def error(self, request, code: int, msg: str) -> Response:
        return self.reply(request, f"errcode:{code}", {"errcode": code, "errmsg": msg})

    def handle(self, request: Request) -> Response:
        key = request.args.get("key", "")
        if request.method != "POST":
            return self.error(request, 43004, "require POST method")
        if key not in self.keys:
            return self.error(request, 93000, "invalid webhook url, hint: key not found")
        if request.path == "/cgi-bin/webhook/upload_media":
            return self.upload(request, key)
        if request.path != "/cgi-bin/webhook/send":
            return self.reply(request, "404", {"errcode": 404, "errmsg": "not found"}, status=404)
        body = self.read_json(request)
        if not isinstance(body, dict):
            return self.error(request, 40058, "invalid Request Parameter")
        msgtype = body.get("msgtype")
        if msgtype not in MSGTYPES:
            return self.error(request, 40008, "invalid message type")
        part = body.get(msgtype) or {}
        if msgtype == "file":
            media = self.media.get(part.get("media_id", ""))
            if media is None or media[0] != key:
                return self.error(request, 40007, "invalid media_id")
            content, mentions = media[1], ()
        else:
            content = part.get("content", "")
            mentions = tuple(part.get("mentioned_mobile_list", ())) + tuple(part.get("mentioned_list", ()))
            if not content.strip():
                return self.error(request, 44004, "empty content")
            if len(content.encode("utf-8")) > LIMITS.get(msgtype, 4096):
                return self.error(request, 45002, f"content size out of limit, {msgtype}.content exceed max length")
        if not self.admit(key):
            return self.reply(request, "errcode:45009", {"errcode": 45009, "errmsg": "api freq out of limit"})
        self.deliver(Delivery(key, msgtype, content, body, self.clock.monotonic(), mentions))
        return self.reply(request, "ok", {"errcode": 0, "errmsg": "ok"})

    def upload(self, request: Request, key: str) -> Response:
        if request.args.get("type") not in ("file", "voice"):
            return self.error(request, 40004, "invalid media type")
        media = request.files.get("media")
        if media is None:
            return self.error(request, 44001, "empty media data")
        data = media.read()
        if not FILE_MIN <= len(data) <= FILE_MAX:
            return self.error(request, 40006, "invalid file size")
        media_id = f"media-{next(self._ids)}"
        self.media[media_id] = (key, media.filename, data)
        return self.reply(request, "uploaded", {"errcode": 0, "errmsg": "ok", "type": "file",
                                                "media_id": media_id, "created_at": str(int(self.clock.time()))})
