"""Chinese text views of a finding for the terminal."""
from sqlmodel import Session, select

from models.calendar import WorkCalendar
from models.deadlines import DeadlineKind, DeadlineRule, explain_deadline
from models.history import events_of, verify_chain
from models.ledger import Category, Evidence, Finding, FindingCoUnit, Milestone, Person, Recovery, Source, Unit
from models.lifecycle import rectified_total
from models.money import format_money


def _name(session: Session, model, key) -> str:
    row = session.get(model, key) if key else None
    return row.name if row else ""


def finding_card(session: Session, finding: Finding, calendar: WorkCalendar) -> str:
    source = session.get(Source, finding.source_id)
    co_units = session.exec(select(Unit.name).join(FindingCoUnit, FindingCoUnit.unit_id == Unit.id)
                            .where(FindingCoUnit.finding_id == finding.id))
    rule = DeadlineRule(DeadlineKind(finding.deadline_kind), finding.deadline_days, finding.deadline_anchor)
    lines = [
        f"问题 {finding.number}：{finding.summary}",
        f"  来源：{source.title}（{source.kind}{'，' + source.doc_number if source.doc_number else ''}）",
        f"  类别：{_name(session, Category, finding.category_id)}    整改类型：{finding.rectification_type}",
        f"  状态：{finding.status}    整改期限：{finding.deadline}（{explain_deadline(rule, calendar)}）",
        f"  牵头单位：{_name(session, Unit, finding.lead_unit_id)}    配合单位：{'、'.join(co_units) or '无'}",
        f"  责任领导：{_name(session, Person, finding.responsible_leader_id) or '未定'}    "
        f"责任人：{_name(session, Person, finding.responsible_person_id) or '未定'}",
    ]
    if finding.audited_unit_id:
        lines.append(f"  被检查单位：{_name(session, Unit, finding.audited_unit_id)}")
    lines.append(f"  涉及金额：{format_money(finding.amount_involved) or '无'} 元    "
                 f"已整改金额：{format_money(rectified_total(session, finding.id))} 元")
    for recovery in session.exec(select(Recovery).where(Recovery.finding_id == finding.id).order_by(Recovery.id)):
        lines.append(f"    · {recovery.kind} {format_money(recovery.amount)} 元（{recovery.on_date}）{recovery.note or ''}")
    for label, value in (("具体描述", finding.description), ("定性依据", finding.legal_basis),
                         ("整改要求", finding.directive), ("整改措施", finding.measures),
                         ("整改进展", finding.progress), ("整改结果", finding.result)):
        if value:
            lines.append(f"  {label}：{value}")
    for milestone in session.exec(select(Milestone).where(Milestone.finding_id == finding.id).order_by(Milestone.seq)):
        done = f"已完成（{milestone.done_on}）" if milestone.done_on else "未完成"
        lines.append(f"  阶段节点 {milestone.seq}：{milestone.title}，{milestone.due_on} 前，{done}")
    for evidence in session.exec(select(Evidence).where(Evidence.finding_id == finding.id).order_by(Evidence.id)):
        detail = f"SHA-256 {evidence.sha256}" if evidence.sha256 else f"引用 {evidence.reference}"
        lines.append(f"  佐证材料：{evidence.name}（{detail}）")
    if finding.closed_on:
        lines.append(f"  销号日期：{finding.closed_on}")
    return "\n".join(lines)


def timeline(session: Session, finding: Finding) -> str:
    events = events_of(session, finding.id)
    lines = [f"问题 {finding.number}：{finding.summary}（当前状态：{finding.status}）"]
    for event in events:
        change = f"{event.from_status or '—'} → {event.to_status}" if event.from_status != event.to_status else event.to_status
        lines.append(f"{event.at:%Y-%m-%d %H:%M}  {event.action:<8} {event.actor_name}（{event.actor_role}）  {change}")
        if event.comment:
            lines.append(f"                    {event.comment}")
        for attachment in event.data.get("attachments", []):
            lines.append(f"                    附件：{attachment['name']}")
    broken = verify_chain(events)
    lines.append("记录链校验：" + (f"异常！{broken.problem}" if broken else f"完整（共 {len(events)} 条记录）"))
    return "\n".join(lines)
