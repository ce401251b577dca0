"""整改销号审批表: one finding, its evidence and the four sign-off boxes."""
from __future__ import annotations

from pathlib import Path

from docx.enum.table import WD_CELL_VERTICAL_ALIGNMENT, WD_ROW_HEIGHT_RULE, WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm

from notices.documents.data import RecoveryKind, SignOffForm, SignOffStep
from notices.documents.gbt9704 import (
    FANGSONG, FORM_LABEL_STYLE, FORM_TEXT_STYLE, HEITI, OfficialDocument, add_run,
)
from notices.documents.wording import cn_date, enumerate_cn, sentence, yuan

FORM_TITLE = "整改销号审批表"
BOX_LABEL = {
    SignOffStep.UNIT_HEAD: ("责任单位", "意见"),
    SignOffStep.LEAD_UNIT: ("牵头单位", "审核意见"),
    SignOffStep.COORDINATOR: ("整改办", "复核意见"),
    SignOffStep.LEADER: ("领导", "审批意见"),
}
SIGNER_LABEL = {
    SignOffStep.UNIT_HEAD: "单位负责人（签字）：",
    SignOffStep.LEAD_UNIT: "牵头单位负责人（签字）：",
    SignOffStep.COORDINATOR: "复核人（签字）：",
    SignOffStep.LEADER: "审批领导（签字）：",
}
_WIDTHS = (Mm(27), Mm(51), Mm(27), Mm(51))
_BOX_HEIGHT = Mm(20)


def build_signoff_form(form: SignOffForm, path) -> Path:
    f = form.finding
    doc = OfficialDocument(f"{FORM_TITLE}（{f.number}）", form.issuer.name if form.issuer else "")
    doc.title(FORM_TITLE)
    p = doc.new_paragraph(FORM_TEXT_STYLE)
    add_run(p, f"填报单位：{f.lead_unit}")
    if form.form_number:
        add_run(p, f"\u3000\u3000编号：{form.form_number}")

    table = _Form(doc)
    table.pair("问题编号", f.number, "问题来源", f.source)
    table.pair("问题类别", f.category, "整改类型", str(f.rectification_type))
    units = f.lead_unit + (f"（配合单位：{'、'.join(f.co_units)}）" if f.co_units else "")
    table.pair("责任单位", units, "整改时限", cn_date(f.deadline))
    table.wide("问题描述", [sentence(f.description or f.summary)])
    kinds = "；".join(f"{k}{yuan(v)}元" for k in RecoveryKind if (v := f.rectified.get(k)))
    table.pair("涉及金额", f"{yuan(f.amount)}元", "已整改金额",
               f"{yuan(f.rectified_total)}元" + (f"（{kinds}）" if kinds else ""))
    table.wide("整改措施", [enumerate_cn(f.measures)])
    table.wide("整改结果", [sentence(f.result)])
    table.wide("佐证材料", [f"{i}. {e}" for i, e in enumerate(f.evidence, 1)] or ["无"])
    boxes = form.boxes
    for step in SignOffStep:
        event = boxes.get(step)
        opinion = event.opinion if event else ""
        signer = event.signer if event else ""
        signed = cn_date(event.at) if event else "\u3000\u3000年\u3000\u3000月\u3000\u3000日"
        table.box(BOX_LABEL[step], opinion, f"{SIGNER_LABEL[step]}{signer}", signed)
    return doc.save(path)


class _Form:
    """A four-column form table: label | value | label | value, or label | wide value."""

    def __init__(self, doc: OfficialDocument):
        doc.flush()
        self.table = doc.doc.add_table(rows=0, cols=4)
        self.table.style = doc.doc.styles["Table Grid"]
        self.table.alignment = WD_TABLE_ALIGNMENT.CENTER
        self.table.autofit = False
        for column, width in zip(self.table.columns, _WIDTHS):
            column.width = width

    def _row(self):
        row = self.table.add_row()
        trPr = row._tr.get_or_add_trPr()
        trPr.append(trPr.makeelement(qn("w:cantSplit"), {}))
        for cell, width in zip(row.cells, _WIDTHS):
            cell.width = width
            cell.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.CENTER
        return row

    @staticmethod
    def _fill(cell, lines, style=FORM_TEXT_STYLE, font=FANGSONG, align=None):
        first = cell.paragraphs[0]
        for i, line in enumerate(lines):
            p = first if i == 0 else cell.add_paragraph()
            p.style = style
            if align is not None:
                p.alignment = align
            add_run(p, line, font)

    def pair(self, label, value, label2, value2):
        cells = self._row().cells
        self._fill(cells[0], [label], FORM_LABEL_STYLE, HEITI)
        self._fill(cells[1], [value])
        self._fill(cells[2], [label2], FORM_LABEL_STYLE, HEITI)
        self._fill(cells[3], [value2])

    def wide(self, label, lines):
        cells = self._row().cells
        self._fill(cells[0], [label], FORM_LABEL_STYLE, HEITI)
        self._fill(cells[1].merge(cells[3]), lines)

    def box(self, label_lines, opinion, signer, signed):
        row = self._row()
        row.height, row.height_rule = _BOX_HEIGHT, WD_ROW_HEIGHT_RULE.AT_LEAST
        cells = row.cells
        self._fill(cells[0], label_lines, FORM_LABEL_STYLE, HEITI)
        value = cells[1].merge(cells[3])
        value.vertical_alignment = WD_CELL_VERTICAL_ALIGNMENT.BOTTOM
        self._fill(value, [opinion, signer, signed])
        for p in value.paragraphs[1:]:
            p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
