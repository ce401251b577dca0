"""Pieces shared by the notices: the table of overdue findings, the contact line."""
from __future__ import annotations

from collections.abc import Sequence

from notices.documents.data import OverdueItem
from notices.documents.gbt9704 import TYPE_AREA_WIDTH, OfficialDocument
from notices.documents.tables import Column, build_table
from notices.documents.wording import table_date

OVERDUE_COLUMNS = (
    Column("序号", 6, "center"), Column("问题编号", 14, "center"), Column("问题摘要", 36),
    Column("整改时限", 14, "center"), Column("逾期天数", 10, "center"), Column("当前状态", 12, "center"),
)


def overdue_table(doc: OfficialDocument, items: Sequence[OverdueItem]) -> None:
    rows = ((str(i), it.finding.number, it.finding.summary, table_date(it.finding.deadline),
             f"{it.days_overdue}天" if it.days_overdue else "未逾期", it.finding.status_text)
            for i, it in enumerate(items, 1))
    doc.append_block(build_table(doc.doc, OVERDUE_COLUMNS, rows, TYPE_AREA_WIDTH))


def contact_line(doc: OfficialDocument, contact: str) -> None:
    if contact:
        doc.paragraph(f"联系人：{contact}")
