"""Notices caused by single events, queued in the caller's transaction.

- Sign-off results and extension decisions go to the finding's lead unit
  (its routes, the responsible person @mentioned), keyed
  f"event:{event_id}:{channel}:{target}": committed with the event that
  caused them, once per event whatever retries or second workers do.
- A dead-lettered notice alerts the coordinators (整改办) through another
  channel than the one that failed: their e-mail, else the outbox folder;
  an alert or a failure summary that fails alerts nobody (no alert loop,
  the next daily summary lists it).
- The daily failure summary lists to the coordinators what ended 发送失败
  or 结果不明 since the previous summary; one per route per day.

"When a terminal notice ended" is its `claimed_at`: the dispatcher stamps
it when it records the outcome (see integrations/dispatch.py).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import func
from sqlmodel import Session, select

from models.history import FindingEvent
from models.ledger import Finding, Person, Unit
from models.outbox import Notice, NoticeStatus, enqueue
from models.routing import FOLDER_TARGET, Route, routes_for
from models.vocab import Role, Status
from notices.context import NoticeContext, Recipient
from notices.render import cn_datetime

MAIL_CHANNELS = frozenset({"smtp", "email_webhook", "email"})
# Notices about notices: when they fail, nobody is alerted (the daily summary lists them).
ABOUT_NOTICES = frozenset({"dead_letter_alert", "failure_summary"})
# Who sent a request back, as "经…，不符合销号条件" reads it (the status it was waiting in).
RETURNED_BY = {
    Status.SUBMITTED: "单位负责人审核", Status.LEAD_REVIEW: "牵头单位审核",
    Status.COORDINATOR_REVIEW: "整改办复核", Status.LEADER_APPROVAL: "领导审批",
}
DEMANDS = {
    "signoff_returned": "按退回意见补充完善整改措施和佐证材料后重新申请销号",
    "signoff_closed": "巩固整改成果，防止问题反弹",
    "extension_approved": "按批准的新时限完成整改",
    "extension_rejected": "按原定时限完成整改",
}


def _sweep_helpers():
    # models.sweep imports models.escalation, which imports models.lifecycle,
    # which imports this module: import at call time to break the cycle.
    from models import sweep

    return sweep


# ---------------------------------------------------------------- lifecycle events

def _event_notice(finding: Finding, event: FindingEvent) -> tuple[str, dict, str] | None:
    """(kind, extra, demand) for an event the lead unit must hear of, else None."""
    from models.lifecycle import Action  # at call time: models.lifecycle imports this module

    data = event.data
    if event.action == Action.RETURN:
        step = data.get("returned_at_step")
        return "signoff_returned", {"reason": event.comment or "", "returned_by": RETURNED_BY.get(step, step)}, \
            DEMANDS["signoff_returned"]
    if event.action == Action.APPROVE and event.to_status == Status.CLOSED:
        return "signoff_closed", {"closed_on": finding.closed_on}, DEMANDS["signoff_closed"]
    if event.action in (Action.APPROVE_EXTENSION, Action.REJECT_EXTENSION):
        approved = event.action == Action.APPROVE_EXTENSION
        extra = {"approved": approved, "old_deadline": data.get("old_deadline"),
                 "new_deadline": data.get("new_deadline"), "reason": event.comment or ""}
        return "extension_decision", extra, DEMANDS["extension_approved" if approved else "extension_rejected"]
    return None


def queue_event_notice(session: Session, finding: Finding, event: FindingEvent, now: datetime) -> list[str]:
    """Queue the notice `event` calls for (sign-off returned or closed, extension decided)
    to the lead unit, one per route; returns the keys (none for other events)."""
    what = _event_notice(finding, event)
    if what is None:
        return []
    kind, extra, demand = what
    sweep = _sweep_helpers()
    unit = session.get(Unit, finding.lead_unit_id)
    person = session.get(Person, finding.responsible_person_id) if finding.responsible_person_id else None
    office = sweep.Office(session)
    today = now.date()
    item = sweep.notice_item(finding.number, finding.summary, unit.name, finding.deadline, today, kind, demand)
    context = NoticeContext(
        kind=kind, recipient=sweep.recipient_of(person, unit), office=office.name, issued_on=today, items=[item],
        contact=office.contact, respond_by=finding.deadline if kind == "extension_decision" else None,
        extra={**extra, "event_id": event.id, "finding_id": finding.id},
    )
    shown = unit.name + (f"（{person.name}）" if person else "")
    keys = []
    for route in dict.fromkeys(routes_for(unit, person)):
        key = f"event:{event.id}:{route.channel}:{route.target}"
        enqueue(session, key=key, kind=kind, channel=route.channel, target=route.target, recipient=shown,
                context=context.to_dict(), now=now)
        keys.append(key)
    return keys


# ---------------------------------------------------------------- coordinators

def _coordinator_routes(session: Session, avoid_mail: bool) -> list[tuple[Route, Recipient]]:
    """Each coordinator's e-mail (unless mail is what failed), else the folder; deduplicated."""
    sweep = _sweep_helpers()
    routes: dict[Route, Recipient] = {}
    coordinators = sweep.Office(session).coordinators
    for person in coordinators:
        unit = session.get(Unit, person.unit_id)
        route = Route("smtp", person.email) if person.email and not avoid_mail else Route("folder", FOLDER_TARGET)
        routes.setdefault(route, sweep.recipient_of(person, unit))
    if not routes:
        routes[Route("folder", FOLDER_TARGET)] = Recipient(name=str(Role.COORDINATOR), unit=str(Role.COORDINATOR))
    return list(routes.items())


def _failure_row(notice: Notice) -> dict:
    return {"notice_id": notice.id, "recipient": notice.recipient, "channel": f"{notice.channel}:{notice.target}",
            "kind": notice.kind, "attempts": notice.attempts,
            "state": "uncertain" if notice.status == NoticeStatus.UNCERTAIN else "dead",
            "errcode": notice.last_errcode, "errmsg": notice.last_error or ""}


def queue_dead_letter_alert(session: Session, notice: Notice, now: datetime) -> list[str]:
    """Alert the coordinators that `notice` is dead-lettered; returns the keys queued."""
    if notice.kind in ABOUT_NOTICES:
        return []
    office = _sweep_helpers().Office(session)
    extra = {**_failure_row(notice), "channel": f"{notice.channel}:{notice.target}"}
    keys = []
    for route, recipient in _coordinator_routes(session, avoid_mail=notice.channel in MAIL_CHANNELS):
        if (route.channel, route.target) == (notice.channel, notice.target):
            route = Route("folder", FOLDER_TARGET)
        context = NoticeContext(kind="dead_letter_alert", recipient=recipient, office=office.name,
                                issued_on=now.date(), extra=extra)
        key = f"dead_letter:{notice.id}:{now:%Y%m%dT%H%M%S}:{route.channel}:{route.target}"
        enqueue(session, key=key, kind="dead_letter_alert", channel=route.channel, target=route.target,
                recipient=f"{recipient.unit} {recipient.name}".strip(), context=context.to_dict(), now=now)
        keys.append(key)
    return keys


@dataclass
class FailureSummary:
    since: datetime | None
    failures: list[dict] = field(default_factory=list)
    keys: list[str] = field(default_factory=list)

    def summary_lines(self) -> list[str]:
        since = f"自{self.since:%Y-%m-%d %H:%M}以来" if self.since else "迄今"
        if not self.failures:
            return [f"{since}没有发送失败或结果不明的通知，未生成失败汇总。"]
        lines = [f"{since}发送失败或结果不明的通知 {len(self.failures)} 条，已生成失败汇总 {len(self.keys)} 条。"]
        if self.failures and not self.keys:
            lines.append("今日的失败汇总已生成过，其后的失败将列入明日汇总。")
        return lines


def failure_summary(session: Session, now: datetime) -> FailureSummary:
    """Queue one failure_summary per coordinator route (key per day) listing the notices that
    ended 发送失败 or 结果不明 since the previous summary; nothing when there are none."""
    since = session.exec(select(func.max(Notice.created_at)).where(Notice.kind == "failure_summary")).one()
    query = select(Notice).where(Notice.status.in_([NoticeStatus.DEAD, NoticeStatus.UNCERTAIN]),
                                 Notice.claimed_at <= now)
    if since is not None:
        query = query.where(Notice.claimed_at > since)
    result = FailureSummary(since, [_failure_row(n) for n in session.exec(query.order_by(Notice.id))])
    if not result.failures:
        return result
    office = _sweep_helpers().Office(session)
    period = f"{cn_datetime(since)}至{cn_datetime(now)}" if since else None
    for route, recipient in _coordinator_routes(session, avoid_mail=False):
        context = NoticeContext(kind="failure_summary", recipient=recipient, office=office.name,
                                issued_on=now.date(), contact=None,
                                extra={"failures": result.failures, **({"period": period} if period else {})})
        key = f"failure_summary:{now:%Y-%m-%d}:{route.channel}:{route.target}"
        if enqueue(session, key=key, kind="failure_summary", channel=route.channel, target=route.target,
                   recipient=f"{recipient.unit} {recipient.name}".strip(), context=context.to_dict(),
                   now=now) is not None:
            result.keys.append(key)
    return result
