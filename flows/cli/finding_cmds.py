"""Findings: register one, look at them, and walk them through sign-off."""
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import AsOption, NowOption, handles_errors, open_app, parse_day, parse_now, table

finding_app = typer.Typer(help="整改问题：登记、查看、办理（进展、佐证、申请销号、审核、延期、重新打开）", no_args_is_help=True)

FindingArg = Annotated[str, typer.Argument(help="问题编号（如 2-3），多个来源重号时写“文号:编号”，或 #内部编号")]
CommentOption = Annotated[Optional[str], typer.Option("--comment", help="意见或说明")]
# Ledger fields that `finding add` and `finding update` both take.
FromOption = Annotated[Optional[str], typer.Option("--from", help="期限起算日（默认今天）")]
CoUnitOption = Annotated[Optional[list[str]], typer.Option("--co-unit", help="配合单位，可多次指定（更正时整体替换）")]
AuditedUnitOption = Annotated[Optional[str], typer.Option("--audited-unit", help="被检查单位（如定点医疗机构）")]
AmountOption = Annotated[Optional[str], typer.Option("--amount", help="涉及金额（元，可写“7.11万”）")]
DescriptionOption = Annotated[Optional[str], typer.Option("--description", help="具体描述")]
LegalBasisOption = Annotated[Optional[str], typer.Option("--legal-basis", help="定性依据")]
DirectiveOption = Annotated[Optional[str], typer.Option("--directive", help="整改要求/处理决定")]
LeaderOption = Annotated[Optional[str], typer.Option("--leader", help="责任领导（牵头单位负责人）")]
PersonOption = Annotated[Optional[str], typer.Option("--person", help="责任人（牵头单位经办人）")]


def _act(ref: str, who: str, now: str | None, do):
    """Run one lifecycle action in its own transaction: find the finding and
    the actor, call `do(app, session, finding, actor, now)`, commit."""
    from models.db import transaction
    from models.lifecycle import actor_for
    from models.lookup import find_finding, find_person

    moment = parse_now(now)
    with open_app() as app, transaction(app.engine) as session:
        finding = find_finding(session, ref)
        actor = actor_for(session, find_person(session, who))
        message = do(app, session, finding, actor, moment)
    typer.echo(message)


@finding_app.command("add")
@handles_errors
def finding_add(
    source: Annotated[str, typer.Option("--source", help="问题来源名称或文号")],
    number: Annotated[str, typer.Option("--number", help="问题编号（在该来源内唯一）")],
    summary: Annotated[str, typer.Option("--summary", help="问题摘要")],
    category: Annotated[str, typer.Option("--category", help="问题类别（rectify category list）")],
    lead_unit: Annotated[str, typer.Option("--lead-unit", help="牵头单位")],
    deadline: Annotated[str, typer.Option("--deadline", help="整改时限：日期（2026-06-30）、“30日”、“10个工作日”或“立行立改”")],
    who: AsOption,
    start_from: FromOption = None,
    co_unit: CoUnitOption = None,
    audited_unit: AuditedUnitOption = None,
    amount: AmountOption = None,
    description: DescriptionOption = None,
    legal_basis: LegalBasisOption = None,
    directive: DirectiveOption = None,
    rectification_type: Annotated[str, typer.Option("--type", help="立行立改、分阶段整改、持续整改")] = "分阶段整改",
    leader: LeaderOption = None,
    person: PersonOption = None,
    measures: Annotated[Optional[str], typer.Option("--measures", help="整改措施")] = None,
    now: NowOption = None,
):
    """登记一条问题。

    例：rectify finding add --source 云审报〔2021〕22号 --number 1 --summary 配套资金拨付不及时
    --category 配套资金拨付不及时 --lead-unit 区财政局 --deadline 30日 --as 王主任
    """
    from integrations.ledger_import import rule_from_text
    from integrations.values import parse_amount
    from models.db import transaction
    from models.lifecycle import actor_for
    from models.lookup import find_person
    from models.registration import Directory, FindingIn, find_source, register_finding
    from models.vocab import RectificationType, Role, parse_choice

    moment = parse_now(now)
    anchor = parse_day(start_from, "--from") if start_from else moment.date()
    with open_app() as app, transaction(app.engine) as session:
        actor = actor_for(session, find_person(session, who))
        if actor.person.role != Role.COORDINATOR:
            from models.errors import PermissionDenied

            raise PermissionDenied(f"{actor.label} 无权登记问题：仅限整改办")
        data = FindingIn(
            number=number.strip(), summary=summary, category=category, lead_unit=lead_unit,
            rule=rule_from_text(deadline, anchor), co_units=co_unit or [], audited_unit=audited_unit,
            amount_involved=parse_amount(amount) if amount else None, description=description,
            legal_basis=legal_basis, directive=directive,
            rectification_type=parse_choice(RectificationType, rectification_type, "整改类型"),
            responsible_leader=leader, responsible_person=person, measures=measures,
        )
        directory = Directory(session, moment)
        finding = register_finding(session, directory, find_source(session, source), data, actor, moment, app.calendar())
        typer.echo(f"已登记问题 {finding.number}：{finding.summary}，整改期限 {finding.deadline}（{data.rule.describe()}）")
        for name in directory.created_units:
            typer.echo(f"  新建单位：{name}")


@finding_app.command("update")
@handles_errors
def finding_update(
    ref: FindingArg, who: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="更正理由（必填，记入办理记录）")],
    summary: Annotated[Optional[str], typer.Option("--summary", help="问题摘要")] = None,
    category: Annotated[Optional[str], typer.Option("--category", help="问题类别")] = None,
    lead_unit: Annotated[Optional[str], typer.Option("--lead-unit", help="牵头单位（须已登记）")] = None,
    co_unit: CoUnitOption = None,
    audited_unit: AuditedUnitOption = None,
    leader: LeaderOption = None,
    person: PersonOption = None,
    deadline: Annotated[Optional[str], typer.Option("--deadline", help="新的整改时限：日期、“30日”、“10个工作日”")] = None,
    start_from: FromOption = None,
    amount: AmountOption = None,
    rectification_type: Annotated[Optional[str], typer.Option("--type", help="立行立改、分阶段整改、持续整改")] = None,
    description: DescriptionOption = None,
    legal_basis: LegalBasisOption = None,
    directive: DirectiveOption = None,
    remarks: Annotated[Optional[str], typer.Option("--remarks", help="备注")] = None,
    now: NowOption = None,
):
    """整改办更正登记信息或重新分派（不在审核中、未销号的问题）；每项改动的原值和新值记入办理记录。

    例：rectify finding update 2-4 --lead-unit 县民政局 --person 马干事 --reason 职责调整 --as 王主任
    """
    from integrations.ledger_import import rule_from_text
    from integrations.values import parse_amount
    from models.corrections import Correction, correct_finding
    from models.vocab import RectificationType, parse_choice

    def do(app, session, finding, actor, moment):
        anchor = parse_day(start_from, "--from") if start_from else moment.date()
        correction = Correction(
            summary=summary, description=description, category=category,
            amount_involved=parse_amount(amount) if amount else None, legal_basis=legal_basis, directive=directive,
            rectification_type=parse_choice(RectificationType, rectification_type, "整改类型") if rectification_type else None,
            lead_unit=lead_unit, co_units=co_unit, audited_unit=audited_unit, responsible_leader=leader,
            responsible_person=person, rule=rule_from_text(deadline, anchor) if deadline else None, remarks=remarks,
            reason=reason,
        )
        event = correct_finding(session, finding, actor, moment, correction, app.calendar())
        if event is None:
            return f"问题 {finding.number} 的登记信息与所填内容相同，未作改动。"
        lines = [f"已更正问题 {finding.number}："]
        lines += [f"  {label}：{old} → {new}" for label, (old, new) in event.data["changes"].items()]
        return "\n".join(lines)

    _act(ref, who, now, do)


@finding_app.command("list")
@handles_errors
def finding_list(
    status: Annotated[Optional[str], typer.Option("--status", help="按状态筛选，如 整改中")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help="按牵头单位筛选")] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="只看已逾期未销号的")] = False,
    now: NowOption = None,
):
    """列出问题（台账视图）。"""
    from sqlmodel import select

    from models.db import transaction
    from models.ledger import Finding, Unit
    from models.vocab import Status

    today = parse_now(now).date()
    with open_app() as app, transaction(app.engine) as session:
        query = select(Finding, Unit).join(Unit, Unit.id == Finding.lead_unit_id).order_by(Finding.id)
        if status:
            query = query.where(Finding.status == status)
        if unit:
            query = query.where(Unit.name == unit)
        if overdue:
            query = query.where(Finding.status != Status.CLOSED, Finding.deadline < today)
        rows = []
        for finding, lead in session.exec(query):
            days = (finding.deadline - today).days
            due = "" if finding.status == Status.CLOSED else (f"逾期{-days}天" if days < 0 else f"剩{days}天")
            rows.append([finding.number, finding.summary[:30], lead.name, finding.status, finding.deadline, due])
    table(f"整改问题（{today}）", ["编号", "问题摘要", "牵头单位", "状态", "整改期限", "时限"], rows)


@finding_app.command("show")
@handles_errors
def finding_show(ref: FindingArg):
    """显示一条问题的台账信息。"""
    from flows.cli.views import finding_card
    from models.db import transaction
    from models.lookup import find_finding

    with open_app() as app, transaction(app.engine) as session:
        typer.echo(finding_card(session, find_finding(session, ref), app.calendar()))


@finding_app.command("history")
@handles_errors
def finding_history(ref: FindingArg):
    """以时间线显示一条问题的全部办理记录，并校验记录链是否完整。"""
    from flows.cli.views import timeline
    from models.db import transaction
    from models.lookup import find_finding

    with open_app() as app, transaction(app.engine) as session:
        typer.echo(timeline(session, find_finding(session, ref)))


@finding_app.command("start")
@handles_errors
def finding_start(ref: FindingArg, who: AsOption, comment: CommentOption = None, now: NowOption = None):
    """责任单位开始整改（待整改 → 整改中）。"""
    from models.lifecycle import start

    def do(app, session, finding, actor, moment):
        start(session, finding, actor, moment, comment)
        return f"问题 {finding.number} 已进入整改中。"

    _act(ref, who, now, do)


@finding_app.command("progress")
@handles_errors
def finding_progress(
    ref: FindingArg, text: Annotated[str, typer.Argument(help="进展说明")], who: AsOption,
    partial: Annotated[bool, typer.Option("--partial", help="报部分整改（整改中 → 部分整改）")] = False,
    now: NowOption = None,
):
    """报送整改进展；--partial 表示已部分整改。"""
    from models.lifecycle import report_progress

    def do(app, session, finding, actor, moment):
        report_progress(session, finding, actor, moment, text, partial=partial)
        return f"问题 {finding.number} 已记录进展（状态：{finding.status}）。"

    _act(ref, who, now, do)


@finding_app.command("evidence")
@handles_errors
def finding_evidence(
    ref: FindingArg, who: AsOption,
    file: Annotated[Optional[Path], typer.Option("--file", help="佐证材料文件（保存副本并记录 SHA-256）")] = None,
    reference: Annotated[Optional[str], typer.Option("--ref", help="不留存文件时的引用，如档案号、文号")] = None,
    name: Annotated[Optional[str], typer.Option("--name", help="材料名称")] = None,
    now: NowOption = None,
):
    """上传佐证材料（文件或引用）。"""
    from models.lifecycle import add_evidence

    def do(app, session, finding, actor, moment):
        evidence = add_evidence(session, finding, actor, moment, app.settings.data_dir, file=file,
                                reference=reference, name=name)
        digest = f"，SHA-256 {evidence.sha256[:12]}…" if evidence.sha256 else ""
        return f"问题 {finding.number} 已添加佐证材料：{evidence.name}{digest}"

    _act(ref, who, now, do)


@finding_app.command("amount")
@handles_errors
def finding_amount(
    ref: FindingArg, who: AsOption,
    kind: Annotated[str, typer.Option("--kind", help="追回/退回基金、罚款、违约金、归还原渠道、调账")],
    amount: Annotated[str, typer.Option("--amount", help="金额（元，可写“1.2万”）")],
    on: Annotated[Optional[str], typer.Option("--date", help="到账日期（默认今天）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注，如缴款书号")] = None,
    now: NowOption = None,
):
    """登记已整改金额（按去向分列）。"""
    from integrations.values import parse_amount
    from models.lifecycle import rectified_total, record_amount
    from models.money import format_money
    from models.vocab import RecoveryKind, parse_choice

    def do(app, session, finding, actor, moment):
        value = parse_amount(amount)
        if value is None:
            from models.errors import ValidationError

            raise ValidationError(f"金额“{amount}”为空")
        record_amount(session, finding, actor, moment, parse_choice(RecoveryKind, kind, "金额类型"), value,
                      parse_day(on, "--date") if on else moment.date(), note)
        return f"问题 {finding.number} 已登记{kind} {format_money(value)} 元，累计已整改 {format_money(rectified_total(session, finding.id))} 元。"

    _act(ref, who, now, do)


@finding_app.command("milestone-done")
@handles_errors
def finding_milestone_done(ref: FindingArg, seq: Annotated[int, typer.Argument(help="阶段节点序号")],
                           who: AsOption, now: NowOption = None):
    """标记一个阶段节点已完成。"""
    from models.lifecycle import complete_milestone

    def do(app, session, finding, actor, moment):
        complete_milestone(session, finding, actor, moment, seq)
        return f"问题 {finding.number} 第 {seq} 个阶段节点已完成。"

    _act(ref, who, now, do)


@finding_app.command("submit")
@handles_errors
def finding_submit(
    ref: FindingArg, who: AsOption,
    measures: Annotated[Optional[str], typer.Option("--measures", help="整改措施")] = None,
    result: Annotated[Optional[str], typer.Option("--result", help="整改结果")] = None,
    comment: CommentOption = None, now: NowOption = None,
):
    """申请销号（须有整改措施、整改结果和至少一份佐证材料）。"""
    from models.lifecycle import submit

    def do(app, session, finding, actor, moment):
        submit(session, finding, actor, moment, measures, result, comment)
        return f"问题 {finding.number} 已申请销号，下一步：{finding.status}。"

    _act(ref, who, now, do)


@finding_app.command("approve")
@handles_errors
def finding_approve(
    ref: FindingArg, who: AsOption, comment: CommentOption = None,
    shortfall_reason: Annotated[Optional[str], typer.Option(
        "--shortfall-reason", help="已整改金额少于问题资金时，说明可以销号的理由")] = None,
    now: NowOption = None,
):
    """审核通过当前环节：单位负责人承诺 → 牵头单位审核 → 整改办复核 → 领导审批（销号）。"""
    from models.lifecycle import approve_step
    from models.vocab import Status

    def do(app, session, finding, actor, moment):
        event = approve_step(session, finding, actor, moment, comment, shortfall_reason)
        if finding.status == Status.CLOSED:
            return f"问题 {finding.number} 已销号（{finding.closed_on}）。"
        return f"问题 {finding.number}：{event.action}，转入{finding.status}。"

    _act(ref, who, now, do)


@finding_app.command("return")
@handles_errors
def finding_return(ref: FindingArg, who: AsOption,
                   reason: Annotated[str, typer.Option("--reason", help="退回理由（必填）")], now: NowOption = None):
    """退回补充：把销号申请退回责任单位。"""
    from models.lifecycle import return_for_more

    def do(app, session, finding, actor, moment):
        return_for_more(session, finding, actor, moment, reason)
        return f"问题 {finding.number} 已退回补充：{reason}"

    _act(ref, who, now, do)


@finding_app.command("extend")
@handles_errors
def finding_extend(ref: FindingArg, who: AsOption,
                   to: Annotated[str, typer.Option("--to", help="申请的新期限")],
                   reason: Annotated[str, typer.Option("--reason", help="延期理由（必填）")], now: NowOption = None):
    """申请延期。"""
    from models.lifecycle import request_extension

    def do(app, session, finding, actor, moment):
        request_extension(session, finding, actor, moment, parse_day(to, "--to"), reason)
        return f"问题 {finding.number} 已提交延期申请，待整改办或分管领导审批。"

    _act(ref, who, now, do)


@finding_app.command("extension")
@handles_errors
def finding_extension(
    ref: FindingArg, decision: Annotated[str, typer.Argument(help="approve（批准）或 reject（不予批准）")],
    who: AsOption, comment: CommentOption = None, now: NowOption = None,
):
    """审批延期申请。"""
    from models.errors import ValidationError
    from models.lifecycle import decide_extension

    if decision not in ("approve", "reject", "批准", "不予批准"):
        raise ValidationError(f"审批结论“{decision}”无效，应为 approve 或 reject")
    approve = decision in ("approve", "批准")

    def do(app, session, finding, actor, moment):
        request = decide_extension(session, finding, actor, moment, approve, comment)
        if approve:
            return f"已批准问题 {finding.number} 延期至 {request.new_deadline}，提醒与督办按新期限重新计算。"
        return f"问题 {finding.number} 的延期申请未获批准，仍按 {finding.deadline} 办理。"

    _act(ref, who, now, do)


@finding_app.command("reopen")
@handles_errors
def finding_reopen(
    ref: FindingArg, who: AsOption,
    reason: Annotated[str, typer.Option("--reason", help="重新打开的理由（如回头看发现问题反弹）")],
    deadline: Annotated[str, typer.Option("--deadline", help="新的整改时限：日期、“30日”或“10个工作日”")],
    now: NowOption = None,
):
    """重新打开已销号的问题（回头看）。"""
    from integrations.ledger_import import rule_from_text
    from models.lifecycle import reopen

    def do(app, session, finding, actor, moment):
        reopen(session, finding, actor, moment, reason, rule_from_text(deadline, moment.date()), app.calendar())
        return f"问题 {finding.number} 已重新打开，新期限 {finding.deadline}。"

    _act(ref, who, now, do)
