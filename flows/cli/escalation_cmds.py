"""The escalation ladder for coordinators: the policy, one sweep by hand, the
formal records it creates (interviews, circulars, referrals) and the
penalty track. Domain modules are imported inside commands (fast --help)."""
from datetime import datetime
from typing import Annotated, Optional

import typer

from flows.cli.common import AsOption, NowOption, fail, handles_errors, open_app, parse_day, parse_now, table

policy_app = typer.Typer(help="督办规则：查看督办阶梯，解释某个问题当前应处于哪一步", no_args_is_help=True)
interview_app = typer.Typer(help="约谈：查看、安排、登记结果、取消", no_args_is_help=True)
circular_app = typer.Typer(help="通报：查看待印发的通报名单，标记印发", no_args_is_help=True)
referral_app = typer.Typer(help="问责移送：查看、办结、取消", no_args_is_help=True)
penalty_app = typer.Typer(help="处理处罚（条例第36–41条）：登记处理决定、查看、登记收缴", no_args_is_help=True)

IdArg = Annotated[int, typer.Argument(help="记录编号（见 list）")]
CommentOption = Annotated[str, typer.Option("--comment", help="说明（必填）")]
AllOption = Annotated[bool, typer.Option("--all", help="包括已办结、已取消的记录")]


def _policy(app):
    from models.policy import policy_from_settings

    return policy_from_settings(app.settings)


def _actor(session, who: str):
    from models.lifecycle import actor_for
    from models.lookup import find_person

    return actor_for(session, find_person(session, who))


def _moment(value: str, option: str) -> datetime:
    for pattern in ("%Y-%m-%d %H:%M", "%Y-%m-%dT%H:%M"):
        try:
            return datetime.strptime(value.strip(), pattern)
        except ValueError:
            continue
    fail(f"{option} 的值“{value}”无法识别，应为 'YYYY-MM-DD HH:MM'")


# ---------------------------------------------------------------- policy

@policy_app.command("show")
@handles_errors
def policy_show():
    """显示生效的督办阶梯（默认规则及按来源、类别、单位的专门规则）。"""
    from models.policy import describe_ladder

    with open_app(check=False) as app:
        policy = _policy(app)
    typer.echo(f"默认规则（{policy.origin}）")
    typer.echo("\n".join(describe_ladder(policy.default)))
    for override in policy.overrides:
        typer.echo(f"\n{override.label}（{override.section}）")
        typer.echo("\n".join(describe_ladder(override.ladder)))
    if not policy.overrides:
        typer.echo("没有按来源、类别或单位的专门规则（可在配置项 [policy] file 指定的文件中添加，见 docs/escalation.md）。")


@policy_app.command("explain")
@handles_errors
def policy_explain(
    finding: Annotated[str, typer.Argument(help="问题编号（如 2-3），或“文号:编号”、#内部编号")],
    now: NowOption = None,
):
    """说明某个问题现在应处于督办阶梯的哪一步，以及原因。"""
    from sqlmodel import Session

    from models.lookup import find_finding
    from models.policy import explain

    moment = parse_now(now)
    with open_app() as app, Session(app.engine) as session:
        explanation = explain(session, find_finding(session, finding), moment, _policy(app), app.calendar())
    typer.echo(explanation.text)


# ---------------------------------------------------------------- sweep

PAUSE_ENV = "RECTIFY_SWEEP_PAUSE_BEFORE_NOTICES"


def _pause_before_notices(engine, seconds: float) -> None:
    """Test hook (docs/escalation.md): hold the sweep, mid-transaction, just before its
    first notice is written, so a test can SIGKILL a real sweep at a known point."""
    import sys
    import time

    from sqlalchemy import event

    def before(conn, cursor, statement, parameters, context, executemany):
        if statement.lstrip().upper().startswith("INSERT INTO NOTICE"):
            print("rectify: sweep paused before writing notices", file=sys.stderr, flush=True)
            time.sleep(seconds)

    event.listen(engine, "before_cursor_execute", before)


@handles_errors
def sweep_command(now: NowOption = None):
    """运行一次督办扫描：生成到期提醒、催办、督办、约谈、通报、问责移送及汇总通知（不会重复生成）。"""
    import os

    from models.db import transaction
    from models.sweep import run_sweep

    moment = parse_now(now)
    with open_app() as app:
        if os.environ.get(PAUSE_ENV):
            _pause_before_notices(app.engine, float(os.environ[PAUSE_ENV]))
        policy, calendar = _policy(app), app.calendar()
        with transaction(app.engine) as session:
            result = run_sweep(session, moment, policy, calendar)
    typer.echo("\n".join(result.summary_lines()))


# ---------------------------------------------------------------- interviews

@interview_app.command("list")
@handles_errors
def interview_list(all_: AllOption = False):
    """列出约谈（默认只列待安排、已安排的）。"""
    from sqlmodel import Session

    from models.escalation import list_interviews

    with open_app() as app, Session(app.engine) as session:
        rows = list_interviews(session, include_closed=all_)
    table("约谈", ["编号", "单位", "约谈对象", "状态", "涉及问题", "时间", "地点", "约谈人", "结果/说明"], [
        [r.interview.id, r.unit, r.interviewee or "（未登记单位负责人）", r.interview.status, "、".join(r.findings),
         f"{r.interview.scheduled_at:%Y-%m-%d %H:%M}" if r.interview.scheduled_at else "待定",
         r.interview.place or "待定", r.interview.interviewer or "待定", r.interview.outcome]
        for r in rows])


@interview_app.command("schedule")
@handles_errors
def interview_schedule(
    interview_id: IdArg,
    at: Annotated[str, typer.Option("--at", help="约谈时间，'YYYY-MM-DD HH:MM'")],
    place: Annotated[str, typer.Option("--place", help="约谈地点")],
    by: Annotated[str, typer.Option("--by", help="约谈人（如 县医保局局长 刘某）")],
    who: AsOption,
    now: NowOption = None,
):
    """安排约谈（时间、地点、约谈人），并向被约谈单位发出约谈通知。"""
    from models.db import transaction
    from models.escalation import schedule_interview

    moment = parse_now(now)
    when = _moment(at, "--at")
    with open_app() as app, transaction(app.engine) as session:
        interview = schedule_interview(session, interview_id, _actor(session, who), moment, at=when, place=place,
                                       interviewer=by)
    typer.echo(f"约谈 {interview.id} 已安排：{when:%Y-%m-%d %H:%M}，{interview.place}，约谈人：{interview.interviewer}；"
               f"约谈通知已进入发送队列")


def _close_interview(interview_id: int, comment: str, who: str, now: str | None, done: bool) -> None:
    from models.db import transaction
    from models.escalation import close_interview

    moment = parse_now(now)
    with open_app() as app, transaction(app.engine) as session:
        interview = close_interview(session, interview_id, _actor(session, who), moment, comment, done)
    typer.echo(f"约谈 {interview.id} {interview.status}：{interview.outcome}")


@interview_app.command("complete")
@handles_errors
def interview_complete(
    interview_id: IdArg,
    outcome: Annotated[str, typer.Option("--comment", "--outcome", help="约谈结果（必填）")],
    who: AsOption,
    now: NowOption = None,
):
    """登记约谈结果，办结约谈。"""
    _close_interview(interview_id, outcome, who, now, True)


@interview_app.command("cancel")
@handles_errors
def interview_cancel(interview_id: IdArg, comment: CommentOption, who: AsOption, now: NowOption = None):
    """取消约谈（须说明理由）。"""
    _close_interview(interview_id, comment, who, now, False)


# ---------------------------------------------------------------- circulars

@circular_app.command("list")
@handles_errors
def circular_list(all_: AllOption = False):
    """列出通报及列入的单位、问题（默认只列待印发的）。"""
    from sqlmodel import Session

    from models.escalation import list_circulars

    with open_app() as app, Session(app.engine) as session:
        circulars = list_circulars(session, include_issued=all_)
        if not circulars:
            typer.echo("没有待印发的通报。")
        for circular, entries in circulars:
            state = (f"已印发（{circular.issued_on}，{circular.doc_number or '无文号'}）"
                     if circular.issued_on else "待印发")
            table(f"通报 {circular.id}：{state}", ["单位", "问题编号", "问题摘要", "整改时限"],
                  [[unit.name, f.number, f.summary, f.deadline] for _, unit, f in entries])


@circular_app.command("issue")
@handles_errors
def circular_issue(
    circular_id: IdArg,
    who: AsOption,
    doc_number: Annotated[Optional[str], typer.Option("--doc-number", help="通报文号")] = None,
    now: NowOption = None,
):
    """标记通报已印发，并发送给被通报单位；之后的通报事项列入下一期。"""
    from models.db import transaction
    from models.escalation import issue_circular

    moment = parse_now(now)
    with open_app() as app, transaction(app.engine) as session:
        circular = issue_circular(session, circular_id, _actor(session, who), moment, doc_number)
    typer.echo(f"通报 {circular.id} 已印发（{circular.issued_on}{'，' + circular.doc_number if circular.doc_number else ''}）")


# ---------------------------------------------------------------- referrals

@referral_app.command("list")
@handles_errors
def referral_list(all_: AllOption = False):
    """列出问责移送记录（默认只列待移送的）。"""
    import json

    from sqlmodel import Session

    from models.escalation import list_referrals

    with open_app() as app, Session(app.engine) as session:
        rows = list_referrals(session, include_closed=all_)
    table("问责移送", ["编号", "单位", "问题编号", "问题摘要", "状态", "生成时间", "办理记录条数", "说明"], [
        [r.id, unit.name, f.number, f.summary, r.status, f"{r.created_at:%Y-%m-%d}",
         len(json.loads(r.snapshot).get("events", [])), r.comment] for r, unit, f in rows])


def _close_referral(referral_id: int, comment: str, who: str, now: str | None, done: bool) -> None:
    from models.db import transaction
    from models.escalation import close_referral

    moment = parse_now(now)
    with open_app() as app, transaction(app.engine) as session:
        referral = close_referral(session, referral_id, _actor(session, who), moment, comment, done)
    typer.echo(f"问责移送记录 {referral.id}：{referral.status}（{referral.comment}）")


@referral_app.command("complete")
@handles_errors
def referral_complete(referral_id: IdArg, comment: CommentOption, who: AsOption, now: NowOption = None):
    """登记已移送纪检监察机关。"""
    _close_referral(referral_id, comment, who, now, True)


@referral_app.command("cancel")
@handles_errors
def referral_cancel(referral_id: IdArg, comment: CommentOption, who: AsOption, now: NowOption = None):
    """取消问责移送（须说明理由）。"""
    _close_referral(referral_id, comment, who, now, False)


# ---------------------------------------------------------------- penalties

@penalty_app.command("add")
@handles_errors
def penalty_add(
    party: Annotated[str, typer.Option("--party", help="处理对象：定点医药机构等单位名称（第41条为个人姓名）")],
    article: Annotated[int, typer.Option("--article", help="条例条款：36、37、38、39、40、41")],
    measure: Annotated[str, typer.Option("--measure", help="责令改正、约谈、责令退回、罚款、暂停服务、解除协议")],
    who: AsOption,
    amount: Annotated[Optional[str], typer.Option("--amount", help="金额（元，可写“4.82万”）：责令退回、罚款")] = None,
    loss: Annotated[Optional[str], typer.Option("--loss", help="基金损失金额（元），按倍数计算幅度；默认取关联问题的涉及金额")] = None,
    months: Annotated[Optional[int], typer.Option("--months", help="暂停服务月数")] = None,
    finding: Annotated[Optional[str], typer.Option("--finding", help="关联的问题编号")] = None,
    decided_on: Annotated[Optional[str], typer.Option("--date", help="决定日期（默认今天）")] = None,
    doc_number: Annotated[Optional[str], typer.Option("--doc-number", help="处理决定书文号")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注")] = None,
    now: NowOption = None,
):
    """登记一项处理决定；超出法定幅度的金额或期限会被拒绝。

    例：rectify penalty add --party 县人民医院 --article 38 --measure 罚款 --amount 10.665万 --loss 7.11万 --as 王主任
    """
    from integrations.values import parse_amount
    from models.db import transaction
    from models.lookup import find_finding
    from models.money import format_money
    from models.penalties import describe, legal_range, load_rules, record_decision

    moment = parse_now(now)
    day = parse_day(decided_on, "--date") if decided_on else moment.date()
    with open_app() as app, transaction(app.engine) as session:
        # A province's discretion table (自由裁量基准) may narrow the ranges: [penalties] ranges_file.
        rules = load_rules(app.settings.path_setting("penalties", "ranges_file"))
        decision = record_decision(
            session, party=party, article=article, measure=measure, actor=_actor(session, who), now=moment,
            decided_on=day, amount=parse_amount(amount) if amount else None,
            loss=parse_amount(loss) if loss else None, months=months,
            finding=find_finding(session, finding) if finding else None, doc_number=doc_number, note=note,
            rules=rules)
        allowed = legal_range(decision.article, decision.measure, decision.loss, rules)
    typer.echo(f"已登记处理决定 {decision.id}：{decision.party}，{describe(decision)}"
               + (f"；法定幅度 {allowed.describe()}" if allowed else "")
               + (f"；基金损失 {format_money(decision.loss)} 元" if decision.loss else ""))


@penalty_app.command("list")
@handles_errors
def penalty_list(party: Annotated[Optional[str], typer.Option("--party", help="只看某个处理对象")] = None):
    """列出处理决定，以及决定金额、已收缴、未收缴。"""
    from sqlmodel import Session

    from models.money import format_money
    from models.penalties import list_decisions

    with open_app() as app, Session(app.engine) as session:
        rows = list_decisions(session, party)
    decided = sum((r.decision.amount for r in rows if r.decision.amount is not None), start=0)
    collected = sum((r.collected for r in rows), start=0)

    def money(value):
        return "" if value is None else format_money(value)

    table("处理决定", ["编号", "处理对象", "条款", "措施", "金额（元）", "期限", "已收缴（元）", "未收缴（元）", "关联问题",
                     "决定日期", "文号"], [
        [r.decision.id, r.decision.party, f"第{r.decision.article}条", r.decision.measure, money(r.decision.amount),
         f"{r.decision.months}个月" if r.decision.months else "", money(r.collected if r.decision.amount else None),
         money(r.outstanding), r.finding_number, r.decision.decided_on, r.decision.doc_number] for r in rows])
    typer.echo(f"合计：决定金额 {format_money(decided)} 元，已收缴 {format_money(collected)} 元，"
               f"未收缴 {format_money(decided - collected)} 元")


@penalty_app.command("collect")
@handles_errors
def penalty_collect(
    decision_id: IdArg,
    amount: Annotated[str, typer.Option("--amount", help="到账金额（元）")],
    who: AsOption,
    on: Annotated[Optional[str], typer.Option("--on", help="到账日期（默认今天）")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="备注，如缴款书号")] = None,
    now: NowOption = None,
):
    """登记处理决定金额的收缴到账（不能超过未缴金额）。"""
    from integrations.values import parse_amount
    from models.db import transaction
    from models.money import format_money
    from models.penalties import PenaltyDecision, collected_total, record_collection

    moment = parse_now(now)
    day = parse_day(on, "--on") if on else moment.date()
    with open_app() as app, transaction(app.engine) as session:
        record_collection(session, decision_id, parse_amount(amount), day, _actor(session, who), moment, note)
        decision = session.get(PenaltyDecision, decision_id)
        done = collected_total(session, decision_id)
    typer.echo(f"处理决定 {decision_id}：决定 {format_money(decision.amount)} 元，已收缴 {format_money(done)} 元，"
               f"未收缴 {format_money(decision.amount - done)} 元")
