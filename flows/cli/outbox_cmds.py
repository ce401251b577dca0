"""The outbox for coordinators: what is waiting, sent or failed, one notice in
full, retry / cancel / confirm by hand, the daily failure summary, and one
dispatch run. Domain modules are imported inside commands (fast --help)."""
from typing import Annotated, Optional

import typer

from flows.cli.common import NowOption, handles_errors, open_app, parse_now, table

outbox_app = typer.Typer(help="通知发件箱：查看、重发、取消、确认送达、失败汇总", no_args_is_help=True)

IdArg = Annotated[int, typer.Argument(help="通知编号（见 rectify outbox list）")]


def _short(text: str | None, n: int = 40) -> str:
    text = (text or "").replace("\n", " ")
    return text if len(text) <= n else text[:n] + "…"


@outbox_app.command("list")
@handles_errors
def outbox_list(
    status: Annotated[Optional[str], typer.Option(
        "--status", help="只看某一状态：待发送、发送中、待重试、已发送、结果不明、发送失败、已取消")] = None,
    kind: Annotated[Optional[str], typer.Option("--kind", help="只看某一类型（如 digest、urge、dead_letter_alert）")] = None,
    limit: Annotated[int, typer.Option("--limit", help="最多显示条数（最新的在前）")] = 50,
):
    """列出发件箱中的通知（默认最新 50 条）。"""
    from sqlmodel import Session, select

    from integrations.channels.secrets import redact
    from models.outbox import Notice, NoticeStatus
    from models.vocab import parse_choice
    from notices.context import KINDS

    query = select(Notice).order_by(Notice.id.desc()).limit(limit)
    if status:
        query = query.where(Notice.status == parse_choice(NoticeStatus, status, "通知状态"))
    if kind:
        query = query.where(Notice.kind == kind)
    with open_app() as app, Session(app.engine) as session:
        rows = session.exec(query).all()
    if not rows:
        typer.echo("发件箱中没有符合条件的通知。")
        return
    table("通知发件箱", ["编号", "状态", "类型", "渠道", "收件", "尝试", "下次尝试/发送时间", "最近错误"], [
        [n.id, n.status, KINDS.get(n.kind, n.kind), f"{n.channel}:{n.target}", _short(n.recipient, 30), n.attempts,
         f"{(n.sent_at or n.next_attempt_at):%Y-%m-%d %H:%M}",
         redact(_short(" ".join(x for x in (n.last_errcode, n.last_error) if x)))]
        for n in rows])


@outbox_app.command("show")
@handles_errors
def outbox_show(notice_id: IdArg):
    """显示一条通知：状态、内容（纯文本）、每次发送的渠道答复（密钥已隐去）。"""
    from sqlmodel import Session

    from integrations.dispatch import notice_card
    from models.errors import ValidationError
    from models.outbox import Notice

    with open_app() as app, Session(app.engine) as session:
        notice = session.get(Notice, notice_id)
        if notice is None:
            raise ValidationError(f"通知 #{notice_id} 不存在")
        typer.echo(notice_card(notice, app.settings.path_setting("notices", "templates_dir")))


def _by_hand(notice_id: int, now: str | None, action, done: str) -> None:
    from models.db import transaction

    moment = parse_now(now)
    with open_app() as app, transaction(app.engine) as session:
        notice = action(session, notice_id, moment)
        status = notice.status
    typer.echo(done.format(id=notice_id, status=status))


@outbox_app.command("retry")
@handles_errors
def outbox_retry(notice_id: IdArg, now: NowOption = None):
    """重新发送一条通知（发送失败的，在修正渠道配置后；结果不明的，在核实对方未收到后）。"""
    from integrations.dispatch import retry_notice

    _by_hand(notice_id, now, retry_notice,
             "通知 #{id} 已重新排队（状态：{status}），将在下次发送时发出（或立即运行 rectify dispatch）。")


@outbox_app.command("cancel")
@handles_errors
def outbox_cancel(notice_id: IdArg, now: NowOption = None):
    """取消一条尚未发出的通知（或不再重发的失败通知）。"""
    from integrations.dispatch import cancel_notice

    _by_hand(notice_id, now, cancel_notice, "通知 #{id} 已取消（状态：{status}）。")


@outbox_app.command("confirm")
@handles_errors
def outbox_confirm(notice_id: IdArg, now: NowOption = None):
    """确认一条“结果不明”的通知对方已收到（在群内或邮箱中核实后），记为已发送。"""
    from integrations.dispatch import confirm_notice

    _by_hand(notice_id, now, confirm_notice, "通知 #{id} 已确认送达（状态：{status}）。")


@outbox_app.command("summary")
@handles_errors
def outbox_summary(now: NowOption = None):
    """生成发送失败汇总（自上次汇总以来发送失败、结果不明的通知），发给整改办；每天一份。"""
    from models.db import transaction
    from models.notify import failure_summary

    moment = parse_now(now)
    with open_app() as app, transaction(app.engine) as session:
        result = failure_summary(session, moment)
    typer.echo("\n".join(result.summary_lines()))


@handles_errors
def dispatch_command(
    now: NowOption = None,
    limit: Annotated[Optional[int], typer.Option("--limit", help="本次最多处理的通知条数")] = None,
):
    """发送到期的通知（运行一次），记录每条的结果，并显示汇总。"""
    from integrations.dispatch import dispatch_from_settings

    moment = parse_now(now)
    with open_app() as app:
        result = dispatch_from_settings(app.engine, app.settings, moment, limit=limit)
    typer.echo("\n".join(result.summary_lines()))
