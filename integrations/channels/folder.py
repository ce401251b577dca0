"""The default channel: each notice becomes a readable UTF-8 file in a folder.

So `rectify run` and `rectify demo` work with no network. A file is named
after what it says (kind, unit, a hash of the content): sending the same
message twice rewrites the same file instead of adding a second one.
Attachments are copied next to it.
"""
from __future__ import annotations

import hashlib
import os
import re
import shutil
from pathlib import Path

from integrations.channels.base import Channel, SendResult
from notices.render import RenderedMessage

_UNSAFE = re.compile(r'[\\/:*?"<>|\s]+')


class FolderChannel(Channel):
    type = "folder"
    inline_attachments = True
    fmt = "text"

    def __init__(self, name: str, folder: str | Path):
        super().__init__(name)
        self.folder = Path(folder)

    def __repr__(self) -> str:
        return f"<FolderChannel {self.name!r} {str(self.folder)!r}>"

    def path_for(self, msg: RenderedMessage) -> Path:
        digest = hashlib.sha256(f"{msg.subject}\n{msg.body}".encode()).hexdigest()[:12]
        unit = _UNSAFE.sub("_", msg.recipient.unit)[:40]
        return self.folder / f"{msg.kind}-{unit}-{digest}.txt"

    def render_file(self, msg: RenderedMessage, copied: list[str]) -> str:
        r = msg.recipient
        reach = "，".join(x for x in (r.mobile and f"手机 {r.mobile}", r.email and f"邮箱 {r.email}") if x)
        head = [f"标题：{msg.subject}", f"收件：{r.unit} {r.name}" + (f"（{reach}）" if reach else "")]
        if copied:
            head.append("附件：" + "、".join(copied) + "（已复制到本文件夹）")
        return "\n".join(head) + "\n" + "-" * 40 + "\n" + (msg.text or msg.body)

    def send(self, msg: RenderedMessage) -> SendResult:
        path = self.path_for(msg)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            copied = []
            for att in msg.attachments:
                target = path.with_name(f"{path.stem}-{att.name}")
                shutil.copyfile(att.path, target)
                copied.append(target.name)
            tmp = path.with_suffix(".tmp")
            tmp.write_text(self.render_file(msg, copied), encoding="utf-8")
            os.replace(tmp, path)  # a reader never sees half a notice
        except OSError as exc:
            retry = not isinstance(exc, (PermissionError, FileNotFoundError, IsADirectoryError, NotADirectoryError))
            return SendResult(ok=False, channel=self.name, retryable=retry,
                              errmsg=f"写入文件失败：{exc.strerror or exc}（{exc.filename or path}）")
        return SendResult(ok=True, channel=self.name, reply={"path": str(path)}, vendor_id=path.name)
