"""The outbox: every message the bot will send, written in the same
transaction as the change that caused it, under a unique key.

A crash, a retry or a second worker can therefore neither lose a notice
(it is committed with its cause) nor create it twice (the key is unique).
The dispatcher sends pending rows and records the outcome on each.
"""
import json
from datetime import datetime
from enum import StrEnum

from pydantic import NaiveDatetime
from sqlalchemy import Index
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlmodel import Field, Session, SQLModel


class NoticeStatus(StrEnum):
    PENDING = "待发送"
    SENDING = "发送中"
    RETRY = "待重试"
    SENT = "已发送"
    UNCERTAIN = "结果不明"  # read timeout after sending: may have been delivered; not resent blindly
    DEAD = "发送失败"  # permanent error or retries exhausted; the coordinator is alerted
    CANCELLED = "已取消"


class Notice(SQLModel, table=True):
    __table_args__ = (Index("ix_notice_status_next", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    kind: str = Field(max_length=30)  # template name: reminder, urge, digest, report_delivery…
    channel: str = Field(max_length=20)  # wecom, dingtalk, feishu, email_webhook, smtp, folder
    target: str = Field(max_length=200)  # webhook name in the config, e-mail address, or folder
    recipient: str = Field(max_length=300)  # who it is for, as shown to coordinators
    context: str = "{}"  # JSON render context (see notices/context.py)
    attachment_path: str | None = None
    status: str = Field(default=NoticeStatus.PENDING, max_length=10)
    attempts: int = 0
    next_attempt_at: NaiveDatetime
    parts_sent: int = 0  # a long digest is split; parts already delivered are not resent
    last_http_status: int | None = None
    last_errcode: str | None = Field(default=None, max_length=30)
    last_error: str | None = None
    vendor_reply: str | None = None
    claimed_by: str | None = Field(default=None, max_length=100)
    claimed_at: NaiveDatetime | None = None
    created_at: NaiveDatetime
    sent_at: NaiveDatetime | None = None

    @property
    def data(self) -> dict:
        return json.loads(self.context)


def enqueue(
    session: Session, *, key: str, kind: str, channel: str, target: str, recipient: str, context: dict,
    now: datetime, attachment_path: str | None = None,
) -> int | None:
    """Add a notice unless one with `key` exists; returns the new id, or None if it existed.

    INSERT … ON CONFLICT DO NOTHING keeps this race-free when two processes
    enqueue the same key at once (no check-then-insert window).
    """
    dialect = session.get_bind().dialect.name
    insert = pg_insert if dialect == "postgresql" else sqlite_insert
    statement = insert(Notice).values(
        key=key, kind=kind, channel=channel, target=target, recipient=recipient,
        context=json.dumps(context, ensure_ascii=False, default=str), attachment_path=attachment_path,
        status=NoticeStatus.PENDING, attempts=0, next_attempt_at=now, parts_sent=0, created_at=now,
    ).on_conflict_do_nothing(index_elements=["key"]).returning(Notice.id)
    return session.execute(statement).scalar()
