"""Dispatch: send what the outbox holds and record on each notice what happened.

One run (`dispatch(engine, now, registry, worker_id=…)`):

1. Recover: a notice left 发送中 for longer than `stale_after` belongs to a
   dispatcher that died between marking it and recording the reply. The
   request may have reached the group, so it becomes 结果不明 — the same
   policy as a read timeout: no robot API has an idempotency key, so we do
   not resend blindly; a coordinator checks the group and runs
   `rectify outbox retry ID` (not delivered) or `rectify outbox confirm ID`
   (delivered).
2. Claim due notices (待发送/待重试, next_attempt_at ≤ now) in short
   transactions of `batch` rows: SELECT … FOR UPDATE SKIP LOCKED on
   PostgreSQL (concurrent dispatchers take disjoint rows), BEGIN IMMEDIATE
   on SQLite (claims are serialised). A claim stamps claimed_by/claimed_at;
   a claim older than `stale_after` (its dispatcher was killed before
   sending) is taken over by the next run, which finishes the batch.
3. Send each claimed notice: one transaction marks it 发送中 (attempts + 1)
   only if this dispatcher still holds the claim and it is still due — a
   compare-and-set, so two dispatchers can never both send one notice,
   even one whose claim went stale — and commits just before the first
   request. The notice is rendered and split by its channel; the parts not
   yet sent (parts_sent) go out one by one, parts_sent committed after
   each, then attachments robots carry as separate messages (the WeCom
   .docx: upload + file message; e-mail and the folder carry them inline).
4. Record the outcome (only while still holding the claim):
     sent       已发送, sent_at
     retry      待重试 at now + backoff: rate limits wait what the vendor
                asks (Retry-After) and at least a minute (ten for DingTalk,
                which throttles a robot that long); other errors 1, 2, 4 …
                minutes up to an hour; after `max_attempts` tries 发送失败
     dead       发送失败, and a dead_letter_alert to the coordinators by
                another channel (models/notify.py), same transaction
     uncertain  结果不明 (see 1.)
   with attempts, HTTP status, vendor code and message, and a log of every
   request's reply (redacted) in vendor_reply. claimed_at then says when
   the outcome was recorded (the daily failure summary reads it).

Time is a parameter: `now` is when the run starts; the run's own clock
(`clock.monotonic()`, the rate limiter's clock in tests) moves it forward
for the times it records. Within a run, a notice is tried at most once.
While a robot's rate limit makes its next message wait, notices for other
channels go first; the run sleeps only when every remaining one must wait.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import uuid
from collections import deque
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from pathlib import Path

from sqlalchemy import or_, update
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from integrations.channels.base import Channel, SendResult
from integrations.channels.folder import FolderChannel
from integrations.channels.ratelimit import SYSTEM_CLOCK, Clock
from integrations.channels.registry import DEFAULT_NAME, ChannelRegistry, build_channels
from integrations.channels.secrets import redact
from models.db import transaction
from models.errors import InvalidTransition, RectifyError, ValidationError
from models.notify import ABOUT_NOTICES, MAIL_CHANNELS, queue_dead_letter_alert
from models.outbox import Notice, NoticeStatus
from notices.context import KINDS, Attachment, NoticeContext
from notices.render import RenderedMessage, render

log = logging.getLogger("rectify.dispatch")

DUE = (NoticeStatus.PENDING, NoticeStatus.RETRY)
LOG_KEEP = 30           # request records kept per notice (the latest)
REPLY_CHARS = 1000      # of each vendor reply kept in the log
STALE_MESSAGE = "发送过程中程序中断（进程退出或被终止），无法确认是否已送达"


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int = 8
    first_delay: float = 60.0          # seconds before the first retry; doubles after each failure
    max_delay: float = 3600.0
    rate_limit_delay: float = 60.0
    vendor_rate_limit_delay: tuple[tuple[str, float], ...] = (("dingtalk", 600.0),)
    stale_after: timedelta = timedelta(minutes=10)

    def delay(self, attempts: int, result: SendResult, channel_type: str) -> float:
        if result.rate_limited:
            wait = dict(self.vendor_rate_limit_delay).get(channel_type, self.rate_limit_delay)
        else:
            wait = min(self.max_delay, self.first_delay * 2 ** max(0, attempts - 1))
        return max(wait, result.retry_after or 0.0)

    @classmethod
    def from_settings(cls, section: dict) -> RetryPolicy:
        """From the `[dispatch]` table: max_attempts, first_retry_seconds, max_retry_seconds, stale_after_minutes."""
        known = {"max_attempts", "first_retry_seconds", "max_retry_seconds", "stale_after_minutes", "batch"}
        unknown = set(section) - known
        if unknown:
            raise ValidationError(f"[dispatch] 含未知设置：{'、'.join(sorted(unknown))}，可选：{'、'.join(sorted(known))}")
        for key, value in section.items():
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValidationError(f"[dispatch] {key} 应为正整数（收到：{value!r}）")
        policy = cls()
        return replace(
            policy,
            max_attempts=section.get("max_attempts", policy.max_attempts),
            first_delay=float(section.get("first_retry_seconds", policy.first_delay)),
            max_delay=float(section.get("max_retry_seconds", policy.max_delay)),
            stale_after=timedelta(minutes=section["stale_after_minutes"]) if "stale_after_minutes" in section
            else policy.stale_after,
        )


@dataclass
class DispatchResult:
    worker_id: str
    now: datetime
    sent: list[int] = field(default_factory=list)
    retry: list[int] = field(default_factory=list)
    dead: list[int] = field(default_factory=list)
    uncertain: list[int] = field(default_factory=list)
    recovered: list[int] = field(default_factory=list)  # left 发送中 by a dead dispatcher → 结果不明
    skipped: int = 0      # claimed, but taken over, cancelled or retried by hand before sending
    messages: int = 0     # requests the vendors accepted (parts and files)
    alerts: int = 0       # dead-letter alerts queued

    def summary_lines(self) -> list[str]:
        lines = [f"通知发送（{self.now:%Y-%m-%d %H:%M}，发送进程 {self.worker_id}）"]
        tried = len(self.sent) + len(self.retry) + len(self.dead) + len(self.uncertain)
        if not tried and not self.recovered:
            lines.append("没有到期待发送的通知。")
            return lines
        lines.append(f"处理通知 {tried} 条：已发送 {len(self.sent)}（共 {self.messages} 条消息），"
                     f"待重试 {len(self.retry)}，发送失败 {len(self.dead)}，结果不明 {len(self.uncertain)}")
        if self.recovered:
            lines.append(f"上次发送中断、无法确认是否送达的通知 {len(self.recovered)} 条，已标记为结果不明："
                         + "、".join(f"#{i}" for i in self.recovered))
        if self.dead:
            lines.append(f"发送失败：{'、'.join(f'#{i}' for i in self.dead)}（已生成告警 {self.alerts} 条，"
                         "查看：rectify outbox show 编号）")
        if self.uncertain:
            lines.append(f"结果不明：{'、'.join(f'#{i}' for i in self.uncertain)}（请在群内或邮箱核实："
                         "未收到则 rectify outbox retry 编号，已收到则 rectify outbox confirm 编号）")
        if self.skipped:
            lines.append(f"另有 {self.skipped} 条已被其他发送进程处理或被人工取消，未重复发送")
        return lines


@dataclass(frozen=True)
class _Step:
    label: str
    message: RenderedMessage | None = None
    attachment: Attachment | None = None


# ---------------------------------------------------------------- channels

def resolve_channel(registry: ChannelRegistry, notice: Notice) -> Channel | str:
    """The configured channel that carries `notice`, or why there is none (Chinese).

    Robots by the name the unit registered; e-mail by the configured mail
    channel (smtp before email_webhook when the notice asks for smtp); the
    folder by name, else the default folder. With nothing but folders
    configured (a fresh machine) everything goes to the folder, and so do
    notices about notices when their channel is missing: an alert must land
    somewhere.
    """
    folders = [c for c in registry if c.type == "folder"]
    fallback = registry.default if registry.default.type == "folder" else (folders[0] if folders else None)
    may_fall_back = len(folders) == len(registry.names()) or notice.kind in ABOUT_NOTICES
    if notice.channel in MAIL_CHANNELS:
        mail = ([c for c in registry if c.type == notice.channel]
                or [c for c in registry if c.type in MAIL_CHANNELS])
        if mail:
            return mail[0]
        missing = "未配置邮件渠道（smtp 或 email_webhook），无法发送电子邮件"
    elif notice.channel == "folder":
        if notice.target in registry and registry.get(notice.target).type == "folder":
            return registry.get(notice.target)
        may_fall_back = True
        missing = "未配置发件箱文件夹（folder）渠道"
    else:
        if notice.target in registry:
            return registry.get(notice.target)
        missing = f"渠道“{notice.target}”（{notice.channel}）未在配置文件 [channels] 中登记"
    return fallback if (may_fall_back and fallback is not None) else missing


def channels_from_settings(settings) -> ChannelRegistry:
    """The `[channels]` of the configuration, plus the outbox folder (data_dir/outbox) when no
    folder is configured: dead-letter alerts fall back to it."""
    base = settings.config_path.parent if settings.config_path else Path.cwd()
    outbox = settings.data_dir / "outbox"
    registry = build_channels(settings.section("channels"), base_dir=base, default_folder=outbox)
    if any(c.type == "folder" for c in registry):
        return registry
    channels = {c.name: c for c in registry}
    name = DEFAULT_NAME if DEFAULT_NAME not in channels else f"{DEFAULT_NAME}_folder"
    channels[name] = FolderChannel(name, outbox)
    return ChannelRegistry(channels, registry.default_name)


def _limiter(channel: Channel | str):
    return getattr(channel, "limiter", None)


def _wait_time(channel: Channel | str) -> float:
    limiter = _limiter(channel)
    return limiter.wait_time() if limiter is not None else 0.0


def _await_slot(channel: Channel | str) -> None:
    """Wait (on the limiter's clock) until the channel may send, so the notice is not
    marked 发送中 while it merely queues behind the rate limit."""
    limiter = _limiter(channel)
    while limiter is not None and (wait := limiter.wait_time()) > 0:
        limiter.clock.sleep(wait)


# ---------------------------------------------------------------- the log in vendor_reply

def read_log(notice: Notice) -> list[dict]:
    """The request log of a notice (oldest first); a reply stored as plain text becomes one entry."""
    if not notice.vendor_reply:
        return []
    try:
        entries = json.loads(notice.vendor_reply)
    except ValueError:
        return [{"reply": notice.vendor_reply}]
    return entries if isinstance(entries, list) else [{"reply": entries}]


def _dump_log(entries: list[dict]) -> str:
    return json.dumps(entries[-LOG_KEEP:], ensure_ascii=False, default=str)


def _short(reply):
    text = reply if isinstance(reply, str) else json.dumps(reply, ensure_ascii=False, default=str)
    return redact(text if len(text) <= REPLY_CHARS else text[:REPLY_CHARS] + "…")


def _entry(at: datetime, attempt: int, step: str, result: SendResult) -> dict:
    entry = {"at": at.isoformat(sep=" ", timespec="seconds"), "attempt": attempt, "step": step,
             "outcome": result.outcome, "http_status": result.http_status, "errcode": result.errcode,
             "errmsg": result.errmsg}
    if result.reply is not None:
        entry["reply"] = _short(result.reply)
    if result.vendor_id:
        entry["vendor_id"] = result.vendor_id
    return entry


# ---------------------------------------------------------------- one run

class _Run:
    def __init__(self, engine: Engine, now: datetime, registry: ChannelRegistry, worker_id: str, override_dir,
                 policy: RetryPolicy, clock: Clock):
        self.engine, self.now, self.registry = engine, now, registry
        self.worker_id, self.override_dir = worker_id, override_dir
        self.policy, self.clock = policy, clock
        self.started = clock.monotonic()
        self.result = DispatchResult(worker_id, now)

    def moment(self) -> datetime:
        return self.now + timedelta(seconds=self.clock.monotonic() - self.started)

    def mine(self, notice_id: int):
        return (Notice.id == notice_id) & (Notice.claimed_by == self.worker_id)

    # -- 1. recover
    def recover(self) -> None:
        moment = self.moment()
        with transaction(self.engine) as session:
            rows = session.execute(
                update(Notice).where(Notice.status == NoticeStatus.SENDING,
                                     Notice.claimed_at < moment - self.policy.stale_after)
                .values(status=NoticeStatus.UNCERTAIN, last_error=STALE_MESSAGE, claimed_at=moment)
                .returning(Notice.id)).scalars().all()
        self.result.recovered = sorted(rows)
        if rows:
            log.warning("发送中断的通知已标记为结果不明：%s", rows)

    # -- 2. claim
    def claim(self, n: int) -> list[int]:
        moment = self.moment()
        with transaction(self.engine) as session:
            ids = session.exec(
                select(Notice.id)
                .where(Notice.status.in_(DUE), Notice.next_attempt_at <= self.now,
                       or_(Notice.claimed_by.is_(None), Notice.claimed_at < moment - self.policy.stale_after))
                .order_by(Notice.next_attempt_at, Notice.id).limit(n)
                .with_for_update(skip_locked=True)).all()
            if ids:
                session.execute(update(Notice).where(Notice.id.in_(ids))
                                .values(claimed_by=self.worker_id, claimed_at=moment))
        return list(ids)

    # -- 3. send
    def process(self, ids: list[int]) -> None:
        with Session(self.engine) as session:
            rows = session.exec(select(Notice).where(Notice.id.in_(ids), Notice.claimed_by == self.worker_id)
                                .order_by(Notice.id)).all()
            session.expunge_all()
        jobs = deque((row, resolve_channel(self.registry, row)) for row in rows)
        while jobs:
            for _ in range(len(jobs)):
                row, channel = jobs.popleft()
                if _wait_time(channel) > 0:
                    jobs.append((row, channel))
                else:
                    self.send(row, channel)
            if jobs:  # every one left waits for its robot's rate limit: sleep until the first may go
                wait, channel = min(((_wait_time(c), c) for _, c in jobs), key=lambda w: w[0])
                if wait > 0:
                    _limiter(channel).clock.sleep(wait)

    def prepare(self, row: Notice, channel: Channel) -> list[_Step]:
        context = NoticeContext.from_dict(row.data)
        attachments = context.attachments
        if row.attachment_path and all(a.path != row.attachment_path for a in attachments):
            attachments += (Attachment(row.attachment_path),)
        recipient = context.recipient
        if channel.type in MAIL_CHANNELS and row.channel in MAIL_CHANNELS and "@" in row.target:
            recipient = replace(recipient, email=row.target)  # the route's address is the one to use
        context = replace(context, attachments=attachments, recipient=recipient)
        messages = channel.prepare(row.kind, context, override_dir=self.override_dir)
        steps = [_Step(f"第{m.part}/{m.parts}部分" if m.parts > 1 else "消息", message=m) for m in messages]
        if not channel.inline_attachments and channel.can_send_files:
            steps += [_Step(f"文件 {a.name}", attachment=a) for a in attachments]
        return steps

    def send(self, row: Notice, channel: Channel | str) -> None:
        _await_slot(channel)
        with transaction(self.engine) as session:
            claimed = session.execute(
                update(Notice).where(self.mine(row.id), Notice.status.in_(DUE))
                .values(status=NoticeStatus.SENDING, attempts=Notice.attempts + 1, claimed_at=self.moment())
                .returning(Notice.attempts, Notice.parts_sent)).first()
        if claimed is None:
            self.result.skipped += 1
            return
        attempts, parts_sent = claimed
        entries = read_log(row)
        try:
            if isinstance(channel, str):
                raise ValidationError(channel)
            steps = self.prepare(row, channel)
        except RectifyError as exc:
            result = SendResult(ok=False, channel=str(getattr(channel, "name", row.target)), errmsg=str(exc))
            entries.append(_entry(self.moment(), attempts, "准备", result))
            self.finish(row, attempts, parts_sent, entries, result, channel)
            return
        result = None
        for index in range(parts_sent, len(steps)):
            step = steps[index]
            _await_slot(channel)
            try:
                result = (channel.send(step.message) if step.message is not None
                          else channel.send_file(step.attachment))
            except Exception as exc:  # a channel's bug: the request may have left, so never resend blindly
                log.exception("通知 #%s 发送时出现程序错误", row.id)
                result = SendResult(ok=False, channel=channel.name, uncertain=True,
                                    errmsg=f"发送时出现程序错误，无法确认是否送达（{type(exc).__name__}: {exc}）")
            entries.append(_entry(self.moment(), attempts, step.label, result))
            if not result.ok:
                break
            self.result.messages += 1
            parts_sent = index + 1
            if parts_sent < len(steps):
                with transaction(self.engine) as session:
                    session.execute(update(Notice).where(self.mine(row.id))
                                    .values(parts_sent=parts_sent, vendor_reply=_dump_log(entries)))
        self.finish(row, attempts, parts_sent, entries, result, channel)

    # -- 4. record
    def finish(self, row: Notice, attempts: int, parts_sent: int, entries: list[dict], result: SendResult | None,
               channel: Channel | str) -> None:
        moment = self.moment()
        values = dict(claimed_at=moment, parts_sent=parts_sent, vendor_reply=_dump_log(entries))
        outcome = "sent"
        if result is not None:
            outcome = result.outcome
            values.update(last_http_status=result.http_status,
                          last_errcode=None if result.errcode is None else str(result.errcode)[:30],
                          last_error=result.errmsg or None)
        if outcome == "retry" and attempts >= self.policy.max_attempts:
            outcome = "dead"
            values["last_error"] = f"已尝试 {attempts} 次仍未成功，不再自动重试。最后一次：{result.errmsg}"
        if outcome == "sent":
            values.update(status=NoticeStatus.SENT, sent_at=moment, last_error=None)
        elif outcome == "retry":
            delay = self.policy.delay(attempts, result, getattr(channel, "type", ""))
            values.update(status=NoticeStatus.RETRY, next_attempt_at=moment + timedelta(seconds=delay),
                          claimed_by=None)
        else:
            values["status"] = NoticeStatus.DEAD if outcome == "dead" else NoticeStatus.UNCERTAIN
        with transaction(self.engine) as session:
            # Still ours? (stale recovery may have marked it 结果不明 meanwhile: we know better, overwrite;
            # a coordinator's retry or cancel cleared the claim: theirs stands.)
            recorded = session.execute(
                update(Notice).where(self.mine(row.id),
                                     Notice.status.in_((NoticeStatus.SENDING, NoticeStatus.UNCERTAIN)))
                .values(**values).returning(Notice.id)).first()
            if recorded is None:
                log.warning("通知 #%s 在发送期间被人工处理，未记录本次结果（%s）", row.id, outcome)
                return
            if outcome == "dead":  # queued as of the run's start, so this run sends it too
                self.result.alerts += len(queue_dead_letter_alert(session, session.get(Notice, row.id), self.now))
        getattr(self.result, outcome).append(row.id)

    def release(self) -> None:
        """Claims this run took but did not send (none unless it stopped early) go back at once."""
        with transaction(self.engine) as session:
            session.execute(update(Notice).where(Notice.claimed_by == self.worker_id, Notice.status.in_(DUE))
                            .values(claimed_by=None, claimed_at=None))


def default_worker_id() -> str:
    return f"{socket.gethostname()[:60]}-{os.getpid()}-{uuid.uuid4().hex[:6]}"


def dispatch(engine: Engine, now: datetime, registry: ChannelRegistry, *, worker_id: str | None = None,
             batch: int = 20, override_dir: str | Path | None = None, policy: RetryPolicy | None = None,
             clock: Clock = SYSTEM_CLOCK, limit: int | None = None) -> DispatchResult:
    """One dispatch run at `now` (see the module docstring). `limit` caps the notices tried."""
    if batch < 1:
        raise ValidationError(f"每批认领数量应为正整数（收到：{batch}）")
    run = _Run(engine, now, registry, worker_id or default_worker_id(), override_dir, policy or RetryPolicy(), clock)
    run.recover()
    tried = 0
    try:
        while limit is None or tried < limit:
            ids = run.claim(batch if limit is None else min(batch, limit - tried))
            if not ids:
                break
            run.process(ids)
            tried += len(ids)
    finally:
        run.release()
    return run.result


def dispatch_from_settings(engine: Engine, settings, now: datetime, *, worker_id: str | None = None,
                           limit: int | None = None) -> DispatchResult:
    """One run with what the configuration says: [channels], [dispatch] (retry policy, batch)
    and [notices] templates_dir (the coordinators' template overrides)."""
    section = settings.section("dispatch")
    return dispatch(engine, now, channels_from_settings(settings), worker_id=worker_id,
                    batch=section.get("batch", 20), policy=RetryPolicy.from_settings(section),
                    override_dir=settings.path_setting("notices", "templates_dir"), limit=limit)


# ---------------------------------------------------------------- coordinators' view and hands

OUTCOME_LABELS = {"sent": "已送达", "retry": "失败，待重试", "dead": "失败，不再重试", "uncertain": "结果不明"}


def _when(value: datetime | None) -> str:
    return f"{value:%Y-%m-%d %H:%M:%S}" if value else "—"


def _entry_line(entry: dict) -> str:
    head = " ".join(x for x in (entry.get("at", ""), f"第{entry['attempt']}次" if entry.get("attempt") else "",
                                entry.get("step", "")) if x)
    outcome = entry.get("outcome", "")
    parts = [f"{head}：{OUTCOME_LABELS.get(outcome, outcome)}"]
    if entry.get("http_status") is not None:
        parts.append(f"HTTP {entry['http_status']}")
    if entry.get("errcode") is not None or entry.get("errmsg"):
        parts.append(f"代码 {entry.get('errcode', '—')} {entry.get('errmsg', '')}".rstrip())
    if entry.get("reply"):
        parts.append(f"答复 {entry['reply']}")
    return redact("，".join(parts))


def notice_card(notice: Notice, override_dir=None) -> str:
    """What `rectify outbox show` prints: the row, the notice as plain text, every request's reply.
    Everything stored was redacted when stored; it is redacted again on the way out."""
    lines = [
        f"通知 #{notice.id}  {KINDS.get(notice.kind, notice.kind)}（{notice.kind}）",
        f"  状态：{notice.status}    尝试次数：{notice.attempts}    已发送部分：{notice.parts_sent}",
        f"  渠道：{notice.channel}:{notice.target}    收件：{notice.recipient}",
        f"  生成：{_when(notice.created_at)}    下次尝试：{_when(notice.next_attempt_at)}    "
        f"发送时间：{_when(notice.sent_at)}",
        f"  标识：{notice.key}",
    ]
    if notice.claimed_by:
        lines.append(f"  发送进程：{notice.claimed_by}（{_when(notice.claimed_at)}）")
    if notice.attachment_path:
        lines.append(f"  附件：{notice.attachment_path}")
    if notice.last_error or notice.last_http_status is not None:
        lines.append(f"  最近结果：HTTP {notice.last_http_status if notice.last_http_status is not None else '—'}，"
                     f"代码 {notice.last_errcode or '—'}，{notice.last_error or '无错误'}")
    lines.append("—— 通知内容（纯文本）——")
    try:
        context = NoticeContext.from_dict(notice.data)
        lines.append(render(notice.kind, "text", context, override_dir).body.rstrip())
    except (RectifyError, ValueError, KeyError, TypeError) as exc:
        lines.append(f"（内容无法显示：{exc}）")
    lines.append("—— 发送记录 ——")
    lines.extend([_entry_line(e) for e in read_log(notice)] or ["（尚未发送）"])
    return redact("\n".join(lines))

def _locked(session: Session, notice_id: int) -> Notice:
    notice = session.get(Notice, notice_id, with_for_update=True)
    if notice is None:
        raise ValidationError(f"通知 #{notice_id} 不存在")
    return notice


def _by_hand(notice: Notice, now: datetime, event: str, status: NoticeStatus) -> None:
    entries = read_log(notice)
    entries.append({"at": now.isoformat(sep=" ", timespec="seconds"), "step": event,
                    "outcome": f"{notice.status} → {status}"})
    notice.vendor_reply = _dump_log(entries)
    notice.status = status
    notice.claimed_by = None


def retry_notice(session: Session, notice_id: int, now: datetime) -> Notice:
    """Queue a notice again now with a fresh retry budget (after a coordinator checked a
    结果不明 one was not delivered, or fixed the channel of a 发送失败 one)."""
    notice = _locked(session, notice_id)
    if notice.status == NoticeStatus.SENT:
        raise InvalidTransition(f"通知 #{notice_id} 已于 {notice.sent_at:%Y-%m-%d %H:%M} 发送成功，重发将造成重复")
    if notice.status == NoticeStatus.SENDING:
        raise InvalidTransition(f"通知 #{notice_id} 正在发送，请稍后查看结果")
    _by_hand(notice, now, "人工重发", NoticeStatus.PENDING)
    notice.attempts = 0
    notice.next_attempt_at = now
    notice.claimed_at = None
    session.add(notice)
    return notice


def cancel_notice(session: Session, notice_id: int, now: datetime) -> Notice:
    notice = _locked(session, notice_id)
    if notice.status in (NoticeStatus.SENT, NoticeStatus.CANCELLED):
        raise InvalidTransition(f"通知 #{notice_id} 状态为“{notice.status}”，无需取消")
    if notice.status == NoticeStatus.SENDING:
        raise InvalidTransition(f"通知 #{notice_id} 正在发送，不能取消，请稍后查看结果")
    _by_hand(notice, now, "人工取消", NoticeStatus.CANCELLED)
    session.add(notice)
    return notice


def confirm_notice(session: Session, notice_id: int, now: datetime) -> Notice:
    """A coordinator saw a 结果不明 notice in the group or mailbox: record it as sent."""
    notice = _locked(session, notice_id)
    if notice.status != NoticeStatus.UNCERTAIN:
        raise InvalidTransition(f"通知 #{notice_id} 状态为“{notice.status}”，只有“结果不明”的通知可确认已送达")
    _by_hand(notice, now, "人工确认已送达", NoticeStatus.SENT)
    notice.sent_at = now
    session.add(notice)
    return notice
