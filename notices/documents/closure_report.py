"""整改情况报告: the closure report sent up to leadership."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from docx.shared import Mm

from notices.documents import charts
from notices.documents.data import (
    ZERO, RecoveryKind, ClosureReport, FindingRow, Outcome, RectificationType, UnitStats,
)
from notices.documents.gbt9704 import TYPE_AREA_WIDTH, OfficialDocument, landscape_width
from notices.documents.tables import Column, build_table
from notices.documents.wording import (
    cn_date, cn_number, enumerate_cn, percent, sentence, shares, table_date, yuan,
)

APPENDIX_TITLE = "整改销号汇总表"
# Weights in mm of the 225 mm landscape line, set in 小五: dates and amounts fit on one line
# even where the reader's machine substitutes a wider font for the digits.
APPENDIX_COLUMNS = (
    Column("序号", 9, "center"), Column("问题类别", 15), Column("问题摘要", 24),
    Column("涉及金额（元）", 26, "right"), Column("已整改金额（元）", 26, "right"),
    Column("责任单位", 18), Column("整改类型", 15, "center"), Column("整改时限", 22, "center"),
    Column("状态", 15, "center"), Column("销号日期", 22, "center"), Column("佐证材料", 22),
    Column("备注", 11),
)
UNIT_COLUMNS = (
    Column("责任单位", 20), Column("问题数", 8, "center"), Column("已销号", 8, "center"),
    Column("正在整改", 8, "center"), Column("逾期未销号", 9, "center"),
    Column("按期销号率", 10, "center"),
)
SECTION_HEADINGS = ("一、总体情况", "二、逐项整改情况", "三、尚未整改到位的问题及原因", "四、下一步工作")


def build_closure_report(report: ClosureReport, path) -> Path:
    """Write the report as .docx at `path` and return the path."""
    header = report.header
    doc = OfficialDocument.opening(header, report.title)
    doc.paragraph(_background(report))

    doc.heading(1, SECTION_HEADINGS[0])
    for text in report.organisation:
        doc.paragraph(sentence(text))
    _overview(doc, report)

    doc.heading(1, SECTION_HEADINGS[1])
    _item_by_item(doc, report.findings, report.as_of)

    doc.heading(1, SECTION_HEADINGS[2])
    _unfinished(doc, report)

    doc.heading(1, SECTION_HEADINGS[3])
    for i, text in enumerate(report.next_steps, 1):
        doc.paragraph(sentence(text), lead=f"（{cn_number(i)}）")

    doc.attachment_note([APPENDIX_TITLE])
    doc.signature(header.issuer.signed_by, header.issued_on)

    doc.attachment_page("附件", APPENDIX_TITLE, landscape=True)
    doc.note(f"（统计截至{cn_date(report.as_of)}）")
    doc.append_block(appendix_table(doc.doc, report.findings))
    return doc.save(path)


def _background(report: ClosureReport) -> str:
    issuer = report.header.issuer
    if report.sources:
        cited = "、".join(
            f"{s.issuing_body}《{s.title}》" + (f"（{s.doc_number}）" if s.doc_number else "")
            for s in report.sources)
        scope = f"根据{cited}指出的问题"
    elif report.period:
        start, end = report.period
        scope = f"针对{cn_date(start)}至{cn_date(end)}各类审计、检查发现的医保基金问题"
    else:
        scope = "针对各类审计、检查发现的医保基金问题"
    return (f"{scope}，{issuer.name}高度重视，逐项建立整改台账，明确责任单位、整改措施和完成时限，"
            f"实行整改销号管理。现将截至{cn_date(report.as_of)}的整改情况报告如下：")


def _overview(doc: OfficialDocument, report: ClosureReport) -> None:
    fig = report.figures
    counts = [fig.by_outcome[o] for o in Outcome]
    pct = shares(counts)
    closed, in_progress, not_started = counts
    on_time_rate = percent(Decimal(fig.closed_on_time) / fig.due if fig.due else None)
    types = "、".join(f"{t}{fig.by_type[t]}个" for t in RectificationType)
    doc.paragraph(
        f"共涉及问题{fig.total}个。截至{cn_date(report.as_of)}，已整改{closed}个，占{pct[0]}；"
        f"正在整改（含部分整改）{in_progress}个，占{pct[1]}；未整改{not_started}个，占{pct[2]}。"
        f"已到整改时限或已销号的问题{fig.due}个，其中按期销号{fig.closed_on_time}个，"
        f"按期销号率{on_time_rate}。按整改类型分，{types}。",
        lead="（一）整改总体进展。")
    png = charts.progress_by_unit(report.units) if report.chart else None
    if png is not None:
        doc.picture(png, Mm(150), caption="图1  各责任单位整改进度")
    else:
        doc.append_block(unit_table(doc.doc, report.units, TYPE_AREA_WIDTH))

    kinds = "、".join(f"{k}{yuan(fig.rectified_by_kind[k])}元"
                      for k in RecoveryKind if fig.rectified_by_kind.get(k))
    doc.paragraph(
        f"审计（检查）指出问题资金{yuan(fig.problem_amount)}元，整改到位资金{yuan(fig.rectified_amount)}元"
        + (f"，其中{kinds}" if kinds else "")
        + f"；未整改资金{yuan(fig.unrectified_amount)}元，问题资金追回率{percent(fig.recovery_rate)}。",
        lead="（二）资金整改情况。")

    e = report.enforcement
    accountable = f"，问责{e.people_held_accountable}人" if e.people_held_accountable is not None else ""
    rules = f"；建立完善制度{e.rules_made}项" if e.rules_made is not None else ""
    doc.paragraph(
        f"开展约谈{e.interviews}次、通报{e.circulars}次，移送问责线索{e.referrals}件{accountable}{rules}。",
        lead="（三）督办问责情况。")
    doc.paragraph(
        f"对定点医药机构作出行政处罚决定{e.penalty_decisions}件，决定罚没金额{yuan(e.penalties_decided)}元，"
        f"已收缴{yuan(e.penalties_collected)}元。",
        lead="（四）行政处罚情况。")


def _item_by_item(doc: OfficialDocument, findings: Sequence[FindingRow], as_of) -> None:
    groups: dict[str, list[FindingRow]] = {}
    for f in findings:
        groups.setdefault(f.category, []).append(f)
    for g, (category, items) in enumerate(groups.items(), 1):
        doc.heading(2, f"（{cn_number(g)}）{category}（{len(items)}个）")
        for i, f in enumerate(items, 1):
            doc.heading(3, f"{i}. {f.summary}")
            problem = sentence(f.description or f.summary)
            money = f"涉及金额{yuan(f.amount)}元，" if f.amount else ""
            doc.paragraph(f"{problem}{money}整改时限{cn_date(f.deadline)}，责任单位{f.lead_unit}。",
                          lead="问题：", lead_level=3)
            if f.measures:
                doc.paragraph(enumerate_cn(f.measures), lead="整改措施：", lead_level=3)
            doc.paragraph(_result_text(f, as_of), lead="整改结果：", lead_level=3)


def _result_text(f: FindingRow, as_of) -> str:
    parts = [sentence(f.result)] if f.result else []
    if f.rectified_total:
        parts.append(f"已整改金额{yuan(f.rectified_total)}元。")
    if f.closed_on is not None:
        parts.append(f"已于{cn_date(f.closed_on)}销号。")
    elif f.deadline < as_of:
        parts.append(f"已逾期{f.days_overdue(as_of)}天，{f.outcome}。")
    else:
        parts.append(f"{f.outcome}。")
    return "".join(parts)


def _unfinished(doc: OfficialDocument, report: ClosureReport) -> None:
    open_items = [f for f in report.findings if f.outcome is not Outcome.CLOSED]
    if not open_items:
        doc.paragraph(f"截至{cn_date(report.as_of)}，所列问题均已整改到位。")
        return
    for i, f in enumerate(open_items, 1):
        doc.heading(2, f"（{cn_number(i)}）{f.summary}（{f.lead_unit}，{f.outcome}）")
        doc.paragraph(sentence(f.reason or "原因尚未报送"), lead="原因：", lead_level=3)
        due = f.planned_on or f.deadline
        plan = sentence(f.plan) if f.plan else ""
        # A date already past is no plan: the finding is overdue and must be finished now.
        then = f"计划于{cn_date(due)}前整改到位。" if due >= report.as_of else "责令立即整改到位。"
        doc.paragraph(f"{plan}{then}", lead="下一步：", lead_level=3)


def appendix_rows(findings: Sequence[FindingRow]):
    for i, f in enumerate(findings, 1):
        yield (
            str(i), f.category, f.summary, yuan(f.amount) if f.amount else "—",
            yuan(f.rectified_total) if f.rectified_total else "—", f.lead_unit,
            str(f.rectification_type), table_date(f.deadline), f.status_text,
            table_date(f.closed_on), "\n".join(f.evidence), f.remark,
        )


def appendix_table(document, findings: Sequence[FindingRow]):
    total = ("合计", "", f"共{len(findings)}个问题",
             yuan(sum((f.amount for f in findings), ZERO)),
             yuan(sum((f.rectified_total for f in findings), ZERO)),
             "", "", "", "", "", "", "")
    return build_table(document, APPENDIX_COLUMNS, appendix_rows(findings), landscape_width(),
                       total_row=total, small=True)


def unit_table(document, units: Sequence[UnitStats], width):
    rows = ((u.unit, str(u.total), str(u.closed), str(u.in_progress), str(u.overdue),
             percent(u.on_time_rate)) for u in units)
    return build_table(document, UNIT_COLUMNS, rows, width)
