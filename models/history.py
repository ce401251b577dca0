"""The append-only, tamper-evident history of each finding.

Every change to a finding is one event. Each event carries the hash of the
previous event of the same finding (a hash chain), so editing or deleting
any event in the database breaks verification from that point on.
"""
import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from types import SimpleNamespace

from pydantic import NaiveDatetime
from sqlalchemy import UniqueConstraint
from sqlmodel import Field, Session, SQLModel, select

GENESIS_HASH = "0" * 64


class FindingEvent(SQLModel, table=True):
    __tablename__ = "finding_event"
    __table_args__ = (UniqueConstraint("finding_id", "seq", name="uq_event_finding_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    finding_id: int = Field(foreign_key="finding.id", index=True)
    seq: int
    at: NaiveDatetime
    actor_id: int | None = Field(default=None, foreign_key="person.id")  # None: the bot itself
    actor_name: str = Field(max_length=100)
    actor_role: str = Field(max_length=20)
    action: str = Field(max_length=30)  # Action value, e.g. 申请销号
    from_status: str | None = Field(default=None, max_length=20)
    to_status: str | None = Field(default=None, max_length=20)
    comment: str | None = None
    payload: str = "{}"  # JSON: attachments, amounts, old/new deadline…
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)

    @property
    def data(self) -> dict:
        return json.loads(self.payload)


def _digest(event: FindingEvent) -> str:
    body = [
        event.finding_id, event.seq, event.at.isoformat(timespec="seconds"), event.actor_id,
        event.actor_name, event.actor_role, event.action, event.from_status, event.to_status,
        event.comment, event.payload, event.prev_hash,
    ]
    canonical = json.dumps(body, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def append_event(
    session: Session, *, finding_id: int, at: datetime, actor_id: int | None, actor_name: str,
    actor_role: str, action: str, from_status: str | None, to_status: str | None,
    comment: str | None = None, payload: dict | None = None,
) -> FindingEvent:
    last = session.exec(
        select(FindingEvent.seq, FindingEvent.hash)
        .where(FindingEvent.finding_id == finding_id)
        .order_by(FindingEvent.seq.desc())
        .limit(1)
    ).first()
    seq, prev_hash = (last[0] + 1, last[1]) if last else (1, GENESIS_HASH)
    event = FindingEvent(
        finding_id=finding_id, seq=seq, at=at.replace(microsecond=0), actor_id=actor_id,
        actor_name=actor_name, actor_role=actor_role, action=action, from_status=from_status,
        to_status=to_status, comment=comment,
        payload=_payload_json(payload),
        prev_hash=prev_hash, hash="",
    )
    event.hash = _digest(event)
    session.add(event)
    session.flush()
    return event


def event_values(*, finding_id: int, seq: int, prev_hash: str, at: datetime, actor_id: int | None,
                 actor_name: str, actor_role: str, action: str, from_status: str | None, to_status: str | None,
                 comment: str | None = None, payload: dict | None = None) -> dict:
    """Column values of one chained event, hashed exactly as append_event does, for bulk inserts.

    A plain namespace is hashed, not a FindingEvent: building 100,000 ORM
    objects only to hash them was a third of a large import's time.
    """
    values = dict(
        finding_id=finding_id, seq=seq, at=at.replace(microsecond=0), actor_id=actor_id, actor_name=actor_name,
        actor_role=actor_role, action=action, from_status=from_status, to_status=to_status, comment=comment,
        payload=_payload_json(payload), prev_hash=prev_hash,
    )
    values["hash"] = _digest(SimpleNamespace(**values))
    return values


def first_event_values(**fields) -> dict:
    """A new finding's first event (no chain to read yet)."""
    return event_values(seq=1, prev_hash=GENESIS_HASH, from_status=None, **fields)


def _payload_json(payload: dict | None) -> str:
    return json.dumps(payload or {}, ensure_ascii=False, sort_keys=True, default=str)


def events_of(session: Session, finding_id: int) -> list[FindingEvent]:
    return list(session.exec(
        select(FindingEvent).where(FindingEvent.finding_id == finding_id).order_by(FindingEvent.seq)
    ))


@dataclass(frozen=True)
class ChainBreak:
    finding_id: int
    seq: int
    problem: str  # Chinese, for the verify command


def verify_chain(events: list[FindingEvent]) -> ChainBreak | None:
    """The first place where one finding's chain does not hold, or None."""
    prev_hash = GENESIS_HASH
    for expected_seq, event in enumerate(events, start=1):
        if event.seq != expected_seq:
            return ChainBreak(event.finding_id, expected_seq, f"缺少第 {expected_seq} 条记录（记录被删除）")
        if event.prev_hash != prev_hash:
            return ChainBreak(event.finding_id, event.seq, f"第 {event.seq} 条记录的前序哈希不符（前一条记录被改动或删除）")
        if _digest(event) != event.hash:
            return ChainBreak(event.finding_id, event.seq, f"第 {event.seq} 条记录内容与哈希不符（记录被改动）")
        prev_hash = event.hash
    return None


def verify_all(session: Session, finding_ids: list[int] | None = None) -> tuple[int, list[ChainBreak]]:
    """Verify the chains of the given findings (all by default): (events checked, breaks)."""
    query = select(FindingEvent).order_by(FindingEvent.finding_id, FindingEvent.seq)
    if finding_ids is not None:
        query = query.where(FindingEvent.finding_id.in_(finding_ids))
    breaks: list[ChainBreak] = []
    checked = 0
    current: list[FindingEvent] = []
    for event in session.exec(query):
        checked += 1
        if current and current[0].finding_id != event.finding_id:
            _collect(current, breaks)
            current = []
        current.append(event)
    if current:
        _collect(current, breaks)
    return checked, breaks


def _collect(events, breaks):
    found = verify_chain(events)
    if found:
        breaks.append(found)
