"""What a notice says, as plain data: the render context of every template.

A context is built when a notice is queued and rendered when it is sent,
possibly in another process much later, so it must survive a trip through
JSON (`to_dict` / `from_dict`) without losing anything a template shows.
Dates travel as ISO strings; the template filters accept both forms.
"""
from __future__ import annotations

import json
import mimetypes
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, datetime
from pathlib import Path
from typing import Any

from models.errors import ValidationError

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
mimetypes.add_type(DOCX_MIME, ".docx")

# kind -> Chinese name. The digest groups items by their `step`, which is one of these.
KINDS: dict[str, str] = {
    "reminder": "整改到期提醒",
    "urge": "整改催办通知",
    "supervise": "督办通知",
    "interview": "约谈通知",
    "circular": "整改情况通报",
    "referral": "问责移送",
    "signoff_returned": "销号申请退回补充通知",
    "signoff_closed": "整改销号通知",
    "extension_decision": "延期申请审批结果通知",
    "report_delivery": "报告送达通知",
    "failure_summary": "消息发送失败汇总",
    "dead_letter_alert": "消息发送失败告警",
    "digest": "整改事项汇总通知",
}

# Extra fields a kind cannot be rendered without (checked before rendering).
REQUIRED_EXTRA: dict[str, tuple[str, ...]] = {
    "interview": ("interview_at", "place", "interviewer"),
    "signoff_returned": ("reason",),
    "extension_decision": ("approved",),
    "report_delivery": ("report_title",),
    "failure_summary": ("failures",),
    "dead_letter_alert": ("notice_id", "channel", "errmsg"),
}


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def _date(value: str | date | None) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(value)


def _jsonable(value: Any) -> Any:
    """Extra values as JSON: dates become ISO strings, tuples lists."""
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    raise ValidationError(f"通知附加字段的值“{value!r}”无法保存为 JSON")


@dataclass(frozen=True)
class Recipient:
    """Who a notice is addressed to; the ids are for @mentions on each channel."""

    name: str
    unit: str
    mobile: str | None = None
    wecom_userid: str | None = None
    dingtalk_userid: str | None = None
    feishu_open_id: str | None = None
    email: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Recipient:
        return cls(**data)


@dataclass(frozen=True)
class Contact:
    """Whom to call with questions (usually a person in the coordinating office)."""

    name: str
    phone: str | None = None
    email: str | None = None
    office: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Contact:
        return cls(**data)


@dataclass(frozen=True)
class NoticeItem:
    """One finding as a notice shows it.

    `days_left` is counted by the caller (deadlines are a domain rule):
    negative means overdue by that many days, None means no deadline.
    `step` is the notice kind that this item is at (digest groups by it).
    """

    finding_number: str
    summary: str
    unit: str
    deadline: date | None
    days_left: int | None
    step: str
    demand: str

    def to_dict(self) -> dict:
        data = asdict(self)
        data["deadline"] = _iso(self.deadline)
        return data

    @classmethod
    def from_dict(cls, data: dict) -> NoticeItem:
        return cls(**{**data, "deadline": _date(data.get("deadline"))})


@dataclass(frozen=True)
class Attachment:
    """A file sent with a notice, by path: the bytes are read at send time."""

    path: str
    filename: str | None = None
    content_type: str | None = None

    @property
    def name(self) -> str:
        return self.filename or Path(self.path).name

    @property
    def mime(self) -> str:
        return self.content_type or mimetypes.guess_type(self.name)[0] or "application/octet-stream"

    def read_bytes(self) -> bytes:
        return Path(self.path).read_bytes()

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict) -> Attachment:
        return cls(**data)


@dataclass(frozen=True)
class NoticeContext:
    """Everything a template may use.

    `issued_on` is the date printed on the notice and the base for nothing
    else (templates never read the clock). `respond_by` fills "请于…前".
    `extra` holds kind-specific values (see REQUIRED_EXTRA), JSON-able.
    """

    kind: str
    recipient: Recipient
    office: str
    issued_on: date
    items: tuple[NoticeItem, ...] = ()
    contact: Contact | None = None
    respond_by: date | None = None
    doc_number: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)
    attachments: tuple[Attachment, ...] = ()

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValidationError(f"未知的通知类型“{self.kind}”，可选：{'、'.join(KINDS)}")
        # Lists are accepted for convenience; tuples keep the context hashable-ish and immutable.
        object.__setattr__(self, "items", tuple(self.items))
        object.__setattr__(self, "attachments", tuple(self.attachments))
        missing = [k for k in REQUIRED_EXTRA.get(self.kind, ()) if k not in self.extra]
        if missing:
            raise ValidationError(f"“{KINDS[self.kind]}”缺少附加字段：{'、'.join(missing)}")

    def with_items(self, items) -> NoticeContext:
        return replace(self, items=tuple(items))

    def to_dict(self) -> dict:
        return {
            "kind": self.kind,
            "recipient": self.recipient.to_dict(),
            "office": self.office,
            "issued_on": _iso(self.issued_on),
            "items": [i.to_dict() for i in self.items],
            "contact": self.contact.to_dict() if self.contact else None,
            "respond_by": _iso(self.respond_by),
            "doc_number": self.doc_number,
            "extra": _jsonable(self.extra),
            "attachments": [a.to_dict() for a in self.attachments],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, sort_keys=True)

    @classmethod
    def from_dict(cls, data: dict) -> NoticeContext:
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValidationError(f"通知内容含未知字段：{'、'.join(sorted(unknown))}")
        return cls(
            kind=data["kind"],
            recipient=Recipient.from_dict(data["recipient"]),
            office=data["office"],
            issued_on=_date(data["issued_on"]),
            items=tuple(NoticeItem.from_dict(i) for i in data.get("items", ())),
            contact=Contact.from_dict(data["contact"]) if data.get("contact") else None,
            respond_by=_date(data.get("respond_by")),
            doc_number=data.get("doc_number"),
            extra=dict(data.get("extra") or {}),
            attachments=tuple(Attachment.from_dict(a) for a in data.get("attachments", ())),
        )

    @classmethod
    def from_json(cls, text: str) -> NoticeContext:
        return cls.from_dict(json.loads(text))
