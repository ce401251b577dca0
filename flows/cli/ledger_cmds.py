"""Ledger files: import from and export to Excel/CSV."""
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import AsOption, NowOption, handles_errors, open_app, parse_day, parse_now

ledger_app = typer.Typer(help="整改台账：从 Excel/CSV 批量导入、导出", no_args_is_help=True)


@ledger_app.command("import")
@handles_errors
def ledger_import(
    file: Annotated[Path, typer.Argument(help="台账文件（.xlsx 或 .csv）")],
    source: Annotated[str, typer.Option("--source", help="问题来源名称或文号（先用 rectify source add 登记）")],
    who: AsOption,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="只检查并显示将导入的内容，不写入")] = False,
    strict: Annotated[bool, typer.Option("--strict", help="台账中出现未登记的单位或人员时报错，而不是自动新建")] = False,
    start_from: Annotated[Optional[str], typer.Option("--from", help="“30日”“10个工作日”类期限的起算日（默认今天）")] = None,
    year: Annotated[Optional[int], typer.Option("--year", help="台账中不带年份的日期（如“5月20日前”）所属年份")] = None,
    now: NowOption = None,
):
    """导入整改台账：全部行无误才导入，有错则列出每一处（行号、列、问题），不写入任何数据。

    例：rectify ledger import 台账.xlsx --source 云审报〔2021〕22号 --as 王主任 --dry-run
    """
    from integrations.ledger_import import ImportOptions, import_ledger

    moment = parse_now(now)
    options = ImportOptions(source=source, actor=who, now=moment, strict=strict, dry_run=dry_run,
                            anchor=parse_day(start_from, "--from") if start_from else None, default_year=year)
    with open_app() as app:
        report = import_ledger(app.engine, file, options, app.calendar())
    verb = "将导入" if dry_run else "已导入"
    typer.echo(f"{'【试导入，未写入】' if dry_run else ''}台账 {file.name}：共 {report.rows} 行，"
               f"{verb} {len(report.imported)} 条，已存在跳过 {len(report.skipped_existing)} 条。")
    if report.skipped_existing:
        typer.echo(f"  已存在（未重复导入）：{'、'.join(report.skipped_existing[:20])}"
                   + (" 等" if len(report.skipped_existing) > 20 else ""))
    for name in report.created_units:
        typer.echo(f"  {'将新建' if dry_run else '新建'}单位：{name}")
    for name in report.created_people:
        typer.echo(f"  {'将新建' if dry_run else '新建'}人员：{name}")
    if report.unrecognised_headers:
        typer.echo(f"  未识别的列（已忽略）：{'、'.join(report.unrecognised_headers)}")


@ledger_app.command("export")
@handles_errors
def ledger_export(
    file: Annotated[Path, typer.Argument(help="导出文件（.xlsx 或 .csv）")],
    source: Annotated[Optional[str], typer.Option("--source", help="只导出该来源的问题")] = None,
):
    """导出整改台账（列与导入相同，可修改后再导入）。"""
    from integrations.ledger_export import export_ledger
    from models.db import transaction
    from models.registration import find_source

    with open_app() as app, transaction(app.engine) as session:
        source_id = find_source(session, source).id if source else None
        count = export_ledger(session, file, source_id)
    typer.echo(f"已导出 {count} 条问题到 {file}。")
