"""WeCom (企业微信) group robot.

POST {base}/cgi-bin/webhook/send?key=KEY. Text messages @mention by mobile
(mentioned_mobile_list) or userid (mentioned_list); markdown messages only
by writing <@userid> into the content, so a recipient known only by mobile
is not @mentioned in markdown. Limits count UTF-8 bytes of the content:
text 2048, markdown 4096. Files: upload_media (multipart `media`,
5 B–20 MB) returns a media_id valid three days for this robot only, then a
`file` message carries it.
"""
from __future__ import annotations

from dataclasses import replace

from integrations.channels.base import HttpChannel, SendResult, dumps, query_value, read_attachment
from integrations.channels.secrets import Secret
from models.errors import ValidationError
from notices.context import Attachment
from notices.render import RenderedMessage

DEFAULT_BASE_URL = "https://qyapi.weixin.qq.com"
MAX_BYTES = {"text": 2048, "markdown": 4096}
FILE_MIN, FILE_MAX = 5, 20 * 1024 * 1024


class WeComChannel(HttpChannel):
    type = "wecom"
    can_send_files = True

    def __init__(self, name: str, key: Secret, *, msgtype: str = "markdown", base_url: str = DEFAULT_BASE_URL,
                 **options):
        if msgtype not in MAX_BYTES:
            raise ValidationError(f"企业微信渠道“{name}”的消息类型“{msgtype}”无效，可选：text、markdown")
        if "://" in key.reveal() or "key=" in key.reveal():
            # The whole webhook URL pasted where the key belongs: WeCom answers 93000 for ever.
            raise ValidationError(f"企业微信渠道“{name}”的 key 应只填写 webhook 地址中“key=”后面的部分")
        super().__init__(name, base_url=base_url, credential=key, **options)
        self.key = key
        self.msgtype = msgtype
        self.fmt = "wecom_md" if msgtype == "markdown" else "text"
        self.max_bytes = MAX_BYTES[msgtype]

    def _content(self, msg: RenderedMessage) -> str:
        if self.msgtype == "markdown" and msg.mentions.wecom_userids:
            return msg.body.rstrip("\n") + "\n" + " ".join(f"<@{u}>" for u in msg.mentions.wecom_userids)
        return msg.body

    def payload_size(self, msg: RenderedMessage) -> int:
        return len(self._content(msg).encode("utf-8"))

    def payload(self, msg: RenderedMessage) -> dict:
        if self.msgtype == "markdown":
            return {"msgtype": "markdown", "markdown": {"content": self._content(msg)}}
        text = {"content": msg.body}
        if msg.mentions.mobiles:
            text["mentioned_mobile_list"] = list(msg.mentions.mobiles)
        if msg.mentions.wecom_userids:
            text["mentioned_list"] = list(msg.mentions.wecom_userids)
        return {"msgtype": "text", "text": text}

    def _url(self, path: str, extra: str = "") -> str:
        return f"{self.base_url}/cgi-bin/webhook/{path}?key={query_value(self.key)}{extra}"

    def send(self, msg: RenderedMessage) -> SendResult:
        return self._result(self._post(self._url("send"), body=dumps(self.payload(msg))))

    def upload(self, attachment: Attachment) -> SendResult:
        """Upload a file; the result's vendor_id is the media_id."""
        data = read_attachment(self.name, attachment)
        if isinstance(data, SendResult):
            return data
        if not FILE_MIN <= len(data) <= FILE_MAX:
            return self._fail(f"文件“{attachment.name}”大小为 {len(data)} 字节，企业微信仅接受 5 字节至 20 MB 的文件")
        reply = self._post(self._url("upload_media", "&type=file"),
                           files={"media": (attachment.name, data, attachment.mime)})
        media_id = reply.data.get("media_id") if not isinstance(reply, SendResult) and isinstance(reply.data, dict) else None
        return self._result(reply, vendor_id=media_id)

    def send_file(self, attachment: Attachment) -> SendResult:
        uploaded = self.upload(attachment)
        if uploaded.uncertain:
            # An upload only stores the file; nothing reached the group, so trying again is safe.
            return replace(uploaded, uncertain=False, retryable=True)
        if not uploaded.ok:
            return uploaded
        body = dumps({"msgtype": "file", "file": {"media_id": uploaded.vendor_id}})
        return self._result(self._post(self._url("send"), body=body), vendor_id=uploaded.vendor_id)
