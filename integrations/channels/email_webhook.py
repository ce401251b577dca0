"""E-mail through an HTTP mail API in SendGrid's shape.

POST {base}/v3/mail/send with `Authorization: Bearer KEY` and a JSON body
(personalizations, from, subject, content text/plain + text/html,
attachments as base64). 202 = accepted; 429 = rate limited (Retry-After);
other 4xx = permanent (bad key, bad payload); 5xx = retry.
"""
from __future__ import annotations

import base64
from typing import Any

from integrations.channels.base import HttpChannel, SendResult, dumps, read_attachment
from integrations.channels.secrets import Secret
from notices.render import RenderedMessage

DEFAULT_BASE_URL = "https://api.sendgrid.com"


class EmailWebhookChannel(HttpChannel):
    type = "email_webhook"
    inline_attachments = True
    fmt = "email"

    def __init__(self, name: str, api_key: Secret, *, sender: str, sender_name: str = "",
                 base_url: str = DEFAULT_BASE_URL, path: str = "/v3/mail/send", **options):
        super().__init__(name, base_url=base_url, credential=api_key, **options)
        self.api_key = api_key
        self.sender, self.sender_name = sender, sender_name
        self.path = path

    def payload(self, msg: RenderedMessage) -> dict | SendResult:
        to = {"email": msg.recipient.email, "name": msg.recipient.name}
        sender = {"email": self.sender, **({"name": self.sender_name} if self.sender_name else {})}
        body: dict[str, Any] = {
            "personalizations": [{"to": [to]}],
            "from": sender,
            "subject": msg.subject,
            "content": [{"type": "text/plain", "value": msg.text or msg.body},
                        {"type": "text/html", "value": msg.body}],
        }
        files = []
        for att in msg.attachments:
            data = read_attachment(self.name, att)
            if isinstance(data, SendResult):
                return data
            files.append({"content": base64.b64encode(data).decode("ascii"), "filename": att.name,
                          "type": att.mime, "disposition": "attachment"})
        if files:
            body["attachments"] = files
        return body

    def _vendor_code(self, data: Any) -> tuple[int | None, str]:
        if isinstance(data, dict) and data.get("errors"):
            return None, "；".join(str(e.get("message", e)) for e in data["errors"])
        return None, ""

    def send(self, msg: RenderedMessage) -> SendResult:
        refused = self._no_address(msg)
        if refused:
            return refused
        payload = self.payload(msg)
        if isinstance(payload, SendResult):
            return payload
        reply = self._post(self.base_url + self.path, body=dumps(payload),
                           headers={"Authorization": f"Bearer {self.api_key.reveal()}"})
        message_id = None if isinstance(reply, SendResult) else reply.headers.get("X-Message-Id")
        return self._result(reply, vendor_id=message_id)
