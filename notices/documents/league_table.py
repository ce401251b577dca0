"""各责任单位整改销号情况排名表 (unit league table) for assessment."""
from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from pathlib import Path

from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Mm

from notices.documents import charts
from notices.documents.data import LeagueTable, UnitStats
from notices.documents.gbt9704 import TABLE_TEXT_STYLE, TYPE_AREA_WIDTH, OfficialDocument, add_run
from notices.documents.tables import Column, build_table
from notices.documents.wording import cn_date, percent

LEAGUE_COLUMNS = (
    Column("排名", 6, "center"), Column("责任单位", 20), Column("问题数", 7, "center"),
    Column("已销号", 7, "center"), Column("其中按期", 7, "center"), Column("逾期销号", 7, "center"),
    Column("正在整改", 7, "center"), Column("逾期未销号", 8, "center"),
    Column("按期销号率", 10, "center"), Column("逾期率", 9, "center"),
)
EXPLANATION = (
    "说明：1. 应销号数为已销号和已过整改时限未销号的问题数；按期销号率＝按期销号数÷应销号数；"
    "逾期率＝（逾期销号数＋逾期未销号数）÷应销号数。2. 按按期销号率由高到低排名，相同的按逾期率由低到高；"
    "暂无应销号问题的单位不参与排名。"
)


def ranked(units: Sequence[UnitStats]) -> list[tuple[int | None, UnitStats]]:
    """Rank by on-time rate, then overdue rate; equal rates share a rank; nothing due: no rank."""
    rated = sorted((u for u in units if u.due),
                   key=lambda u: (-u.on_time_rate, u.overdue_rate, u.unit))
    result: list[tuple[int | None, UnitStats]] = []
    previous: tuple[Decimal, Decimal] | None = None
    rank = 0
    for position, u in enumerate(rated, 1):
        key = (u.on_time_rate, u.overdue_rate)
        if key != previous:
            rank, previous = position, key
        result.append((rank, u))
    result.extend((None, u) for u in sorted(units, key=lambda u: u.unit) if not u.due)
    return result


def league_block(doc: OfficialDocument, units: Sequence[UnitStats]) -> None:
    rows = ((str(rank) if rank else "—", u.unit, str(u.total), str(u.closed), str(u.closed_on_time),
             str(u.closed_late), str(u.in_progress), str(u.overdue), percent(u.on_time_rate),
             percent(u.overdue_rate)) for rank, u in ranked(units))
    totals = [sum(getattr(u, name) for u in units)
              for name in ("total", "closed", "closed_on_time", "closed_late", "in_progress", "overdue")]
    due = totals[1] + totals[5]
    total_row = ("", "合计", *map(str, totals),
                 percent(Decimal(totals[2]) / due if due else None),
                 percent(Decimal(totals[3] + totals[5]) / due if due else None))
    doc.append_block(build_table(doc.doc, LEAGUE_COLUMNS, rows, TYPE_AREA_WIDTH, total_row=total_row))
    doc.blank()
    p = doc.new_paragraph(TABLE_TEXT_STYLE)
    add_run(p, EXPLANATION)


def build_league_table(table: LeagueTable, path) -> Path:
    doc = OfficialDocument(table.title, table.compiled_by)
    doc.title(table.title)
    doc.note(f"（统计截至{cn_date(table.as_of)}）")
    doc.blank()
    league_block(doc, table.units)
    png = charts.progress_by_unit(table.units)
    if png is not None:
        doc.blank()
        doc.picture(png, Mm(150), caption="各责任单位整改进度")
    doc.blank()
    p = doc.new_paragraph(TABLE_TEXT_STYLE)
    p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    add_run(p, f"制表单位：{table.compiled_by}\u3000\u3000制表日期：{cn_date(table.compiled_on)}")
    return doc.save(path)
