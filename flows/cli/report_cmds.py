"""`rectify report …`: the Word documents, written from the database at --now.
Domain modules and python-docx are imported inside commands (fast --help)."""
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import NowOption, fail, handles_errors, open_app, parse_day, parse_now

report_app = typer.Typer(
    help="生成公文格式的 Word 文书：整改情况报告、销号审批表、督办通知单、约谈通知书、通报、问责移送函、排名表",
    no_args_is_help=True)

OutOption = Annotated[Optional[Path], typer.Option(
    "--out", help="输出文件（.docx），默认写入数据目录下的 reports/")]
SerialOption = Annotated[Optional[int], typer.Option(
    "--serial", help="发文序号，默认按发文登记自动编号（同一文书再次生成时编号不变）")]
SourceOption = Annotated[Optional[str], typer.Option("--source", help="只统计这一来源（文号或标题）的问题")]
FromOption = Annotated[Optional[str], typer.Option("--from", help="统计期间开始日期（按来源的印发日期）")]
ToOption = Annotated[Optional[str], typer.Option("--to", help="统计期间结束日期")]
FindingArg = Annotated[str, typer.Argument(help="问题编号（如 2-3），或“文号:编号”、#内部编号")]
IdArg = Annotated[int, typer.Argument(help="记录编号（见 rectify interview/circular/referral list）")]


def _period(start: str | None, end: str | None):
    if (start is None) != (end is None):
        fail("统计期间须同时给出 --from 和 --to")
    if start is None:
        return None, None
    return parse_day(start, "--from"), parse_day(end, "--to")


def _write(writer, now: str | None, *args, **kwargs) -> Path:
    """Run `writer(session, settings, now, *args, **kwargs)` in one snapshot and print the path."""
    from models.report_figures import snapshot_session

    moment = parse_now(now)
    with open_app() as app, snapshot_session(app.engine) as session:
        path = writer(session, app.settings, moment, *args, **kwargs)
    typer.echo(f"已生成：{path}")
    return path


@report_app.command("closure")
@handles_errors
def closure(
    source: SourceOption = None,
    start: FromOption = None,
    end: ToOption = None,
    title: Annotated[Optional[str], typer.Option("--title", help="报告标题，默认按统计范围生成")] = None,
    out: OutOption = None,
    serial: SerialOption = None,
    deliver: Annotated[bool, typer.Option("--deliver", help="生成后发送给分管领导（企业微信文件消息、邮件附件）")] = False,
    now: NowOption = None,
):
    """整改情况报告（一个来源、一个期间或全部问题），附件为整改销号汇总表。"""
    from notices.reports import write_closure_report

    first, last = _period(start, end)
    path = _write(write_closure_report, now, source=source, start=first, end=last, title=title, serial=serial,
                  path=out)
    if deliver:
        from models.db import transaction
        from notices.reports import deliver_report, delivery_lines

        with open_app() as app, transaction(app.engine) as session:
            lines = delivery_lines(deliver_report(session, app.settings, parse_now(now), path))
        typer.echo("\n".join(lines))


@report_app.command("signoff")
@handles_errors
def signoff(finding: FindingArg, out: OutOption = None, now: NowOption = None):
    """整改销号审批表：意见栏按已记录的销号审批填写。"""
    from notices.reports import write_signoff_form

    _write(write_signoff_form, now, finding, path=out)


@report_app.command("supervision")
@handles_errors
def supervision(finding: FindingArg, out: OutOption = None, serial: SerialOption = None, now: NowOption = None):
    """督办通知单（按问题已到的督办阶梯定为催办、黄牌督办等）。"""
    from notices.reports import write_supervision_notice

    _write(write_supervision_notice, now, finding, serial=serial, path=out)


def _record_command(name: str, writer: str, help_text: str) -> None:
    """`report <name> ID`: the document of one formal record (约谈, 通报, 问责移送)."""

    @report_app.command(name, help=help_text)
    @handles_errors
    def command(record: IdArg, out: OutOption = None, serial: SerialOption = None, now: NowOption = None):
        from notices import reports

        _write(getattr(reports, writer), now, record, serial=serial, path=out)


for _name, _writer, _help in (
    ("interview", "write_interview_notice", "约谈通知书（约谈须已安排时间、地点）。"),
    ("circular", "write_circular", "通报：通报批评逾期单位，表扬提前销号的单位，附排名表。"),
    ("referral", "write_referral", "问责移送函，附该问题完整的提醒、催办、督办、约谈、通报记录。"),
):
    _record_command(_name, _writer, _help)


@report_app.command("league")
@handles_errors
def league(source: SourceOption = None, start: FromOption = None, end: ToOption = None, out: OutOption = None,
           now: NowOption = None):
    """各责任单位整改销号情况排名表（按期销号率、逾期率）。"""
    from notices.reports import write_league_table

    first, last = _period(start, end)
    _write(write_league_table, now, source=source, start=first, end=last, path=out)
