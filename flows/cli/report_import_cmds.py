"""`rectify import-report`: findings straight from the audit report."""
from pathlib import Path
from typing import Annotated, Optional

import typer

from flows.cli.common import AsOption, NowOption, fail, handles_errors, open_app, parse_day, parse_now


@handles_errors
def import_report_command(
    file: Annotated[Path, typer.Argument(help="审计或检查报告（.docx 或 .txt）")],
    source: Annotated[str, typer.Option("--source", help="问题来源名称或文号；未登记的按报告信息新建")],
    who: AsOption,
    yes: Annotated[bool, typer.Option("--yes", help="确认导入：把草稿中的问题登记入库（不加则只预览）")] = False,
    draft: Annotated[Optional[Path], typer.Option(
        "--draft", help="台账草稿（.xlsx）保存位置，默认为报告旁的“<报告名>-台账草稿.xlsx”")] = None,
    lead_unit: Annotated[Optional[str], typer.Option(
        "--lead-unit", help="所有问题的牵头单位（默认按配置或被检查单位的主管单位确定）")] = None,
    deadline: Annotated[Optional[str], typer.Option(
        "--deadline", help="整改时限，如“60日”“10个工作日”“2026年6月30日”（默认取配置，否则 60日）")] = None,
    start_from: Annotated[Optional[str], typer.Option("--from", help="“60日”类期限的起算日（默认今天）")] = None,
    kind: Annotated[str, typer.Option("--kind", help="新建问题来源时的来源类型")] = "审计",
    now: NowOption = None,
):
    """从审计/检查报告中识别问题，生成台账草稿供核对；加 --yes 才登记入库。

    草稿的列与 rectify ledger import 相同（末两列“置信度”“存疑说明”导入时忽略），
    也可修改草稿后用 rectify ledger import 导入。

    例：rectify import-report 审计报告.docx --source 云审报〔2021〕22号 --as 王主任
    """
    from integrations.ledger_import import ImportFailed, ImportOptions, import_ledger
    from integrations.report_import import ReportDefaults, confirm, default_draft_path, propose, write_draft
    from integrations.report_parser import parse_report

    moment = parse_now(now)
    anchor = parse_day(start_from, "--from") if start_from else None
    report = parse_report(file)  # refuses scans, damaged files and non-reports before anything is written
    with open_app() as app:
        defaults = ReportDefaults.from_config(app.settings.section("import_report"), lead_unit=lead_unit,
                                              deadline=deadline)
        proposal = propose(app.engine, report, source=source, actor=who, defaults=defaults, kind=kind)
        draft_path = write_draft(proposal, draft or default_draft_path(file))
        _show_proposal(file, proposal, defaults, anchor or moment.date())
        typer.echo(f"台账草稿：{draft_path}（列与 rectify ledger import 相同；“置信度”“存疑说明”两列导入时忽略）")
        if not yes:
            if proposal.source is not None:
                options = ImportOptions(source=source, actor=who, now=moment, anchor=anchor, dry_run=True)
                try:
                    _show_import(import_ledger(app.engine, draft_path, options, app.calendar()))
                except ImportFailed as refused:
                    typer.echo(f"草稿尚有 {len(refused.problems)} 处须修改后才能导入：")
                    for problem in refused.problems:
                        typer.echo(f"  {problem}")
            typer.echo("【预览】未写入数据库。核对无误后在原命令后加 --yes 确认导入；"
                       "或修改草稿后用 rectify ledger import 导入"
                       + ("（先用 rectify source add 登记该来源）。" if proposal.source is None else "。"))
            return
        try:
            done = confirm(app.engine, proposal, draft_path, actor=who, now=moment, calendar=app.calendar(),
                           anchor=anchor)
        except ImportFailed as refused:
            fail(f"{refused}\n草稿已保存在 {draft_path}，修改后可用 rectify ledger import 导入。")
    if done.created_source:
        typer.echo(f"已新建问题来源{done.created_source.describe()}。")
    _show_import(done.imported)
    if done.advice_attached:
        typer.echo(f"已将报告的审计建议记入问题来源“{source}”。")


def _show_proposal(file: Path, proposal, defaults, anchor) -> None:
    from models.money import format_money

    report = proposal.report
    doubtful = sum(1 for row in proposal.rows if row.finding.doubts)
    typer.echo(f"报告“{file.name}”：识别出 {len(proposal.rows)} 条问题，其中 {doubtful} 条有存疑字段。")
    meta = report.metadata
    facts = [f"{label}：{value}" for label, value in (
        ("标题", meta.title), ("发文机关", meta.issuing_body), ("文号", meta.doc_number), ("日期", meta.date),
        ("审计期间", meta.period)) if value]
    if facts:
        typer.echo("  " + "；".join(facts))
    for warning in report.warnings:
        typer.echo(f"  提示：{warning}")
    if proposal.source is not None:
        typer.echo(f"问题来源：“{proposal.source.title}”（已登记）")
    else:
        typer.echo(f"问题来源：“{proposal.source_name}”尚未登记，确认导入时将按报告信息新建"
                   f"{proposal.new_source.describe()}")
    rules = {}
    for row in proposal.rows:
        rules.setdefault((row.finding.audited_unit, row.lead_unit, row.lead_rule), None)
    typer.echo("牵头单位：" + "；".join(
        f"{body or '（未识别）'} → {lead or '（待填写）'}" + (f"（{rule}）" if rule else "")
        for body, lead, rule in rules))
    typer.echo(f"整改时限：{defaults.deadline}（期限自 {anchor} 起算）")
    from rich.console import Console
    from rich.table import Table

    grid = Table(title="拟登记的问题（请核对；置信度“中”“低”的字段见存疑说明）", title_justify="left",
                 show_lines=True)
    for header in ("编号", "被检查单位", "问题摘要", "涉及金额（元）", "问题类别", "牵头单位", "置信度", "存疑说明"):
        # the summary and the reasons take the width left; the short columns keep theirs
        grid.add_column(header, overflow="fold", ratio={"问题摘要": 2, "存疑说明": 5}.get(header))
    for row in proposal.rows:
        finding = row.finding
        amount = format_money(finding.amount) or ("（缺失）" if "amount" in finding.doubts else "")
        grid.add_row(finding.number, finding.audited_unit or "", finding.summary, amount, finding.category,
                     row.lead_unit or "", row.marks(), row.doubts())
    Console(highlight=False).print(grid)


def _show_import(imported) -> None:
    from integrations.report_import import DRAFT_EXTRA_HEADERS

    prefix = "试导入：将" if imported.dry_run else "已"
    typer.echo(f"{prefix}登记 {len(imported.imported)} 条问题，已存在未重复登记 {len(imported.skipped_existing)} 条。")
    created = "将新建" if imported.dry_run else "新建"
    if imported.created_units:
        typer.echo(f"  {created}单位：{'、'.join(imported.created_units)}")
    if imported.created_people:
        typer.echo(f"  {created}人员：{'、'.join(imported.created_people)}")
    ignored = [name for name in imported.unrecognised_headers if name not in DRAFT_EXTRA_HEADERS]
    if ignored:
        typer.echo(f"  草稿中未识别的列（已忽略）：{'、'.join(ignored)}")
