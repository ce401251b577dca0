"""Large tables written straight as WordprocessingML.

python-docx builds a table cell by cell through proxy objects (add_row,
row.cells, cell.text), which costs milliseconds per row. Here every row is
rendered from per-column fragments prepared once, joined into one string
and parsed by lxml in a single pass: a 10,000-row appendix takes about a
second (see docs/documents.md for the measured figures).

The header row is marked w:tblHeader so Word and LibreOffice repeat it on
every page; rows are w:cantSplit so a finding never straddles two pages.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Length

from notices.documents.gbt9704 import FANGSONG, HEITI, TABLE_HEADER_STYLE, TABLE_TEXT_STYLE, Font

_ALIGN = {"left": "left", "center": "center", "right": "right"}

# Characters XML 1.0 forbids (a pasted ledger may contain them) are dropped, not fatal.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\t"): " ",
            ord("\r"): None, **{c: None for c in range(0x20) if c not in (9, 10, 13)},
            0xFFFE: None, 0xFFFF: None}


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # share of the table width
    align: str = "left"

    def __post_init__(self):
        if self.align not in _ALIGN:
            raise ValueError(f"unknown alignment {self.align!r}")


def _escape(text: str) -> str:
    return text.translate(_ESCAPES)


def _rpr(font: Font, size: Length | None) -> str:
    sz = f'<w:sz w:val="{round(size.pt * 2)}"/><w:szCs w:val="{round(size.pt * 2)}"/>' if size else ""
    return (f'<w:rPr><w:rFonts w:ascii="{font.name}" w:hAnsi="{font.name}" '
            f'w:eastAsia="{font.name}" w:hint="eastAsia"/>{sz}</w:rPr>')


class _CellFragments:
    """Opening and closing XML of one column's cells, so a cell is prefix + text + suffix."""

    def __init__(self, width: int, style_id: str, align: str, font: Font, size: Length | None):
        self.open = (f'<w:tc><w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/>'
                     f'</w:tcPr><w:p><w:pPr><w:pStyle w:val="{style_id}"/><w:jc w:val="{align}"/>'
                     f'</w:pPr>')
        self.run_open = f'<w:r>{_rpr(font, size)}<w:t xml:space="preserve">'
        self.line_break = f'</w:t><w:br/><w:t xml:space="preserve">'
        self.close = "</w:p></w:tc>"

    def render(self, text: str) -> str:
        if not text:
            return self.open + self.close
        text = _escape(text)
        if "\n" in text:
            text = text.replace("\n", self.line_break)
        return f"{self.open}{self.run_open}{text}</w:t></w:r>{self.close}"


def build_table(
    document,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    width: Length,
    *,
    total_row: Sequence[str] | None = None,
    font: Font = FANGSONG,
    header_font: Font = HEITI,
    size: Length | None = None,
):
    """A w:tbl element (python-docx's own element class) ready to append to `document`'s body.

    `rows` yields one sequence of cell strings per row, as many as `columns`; `size`
    overrides the table styles' 5号 (a wide appendix uses 小五).
    """
    styles = document.styles
    text_style = styles[TABLE_TEXT_STYLE].style_id
    header_style = styles[TABLE_HEADER_STYLE].style_id
    total_weight = sum(c.weight for c in columns)
    widths = [int(width.twips * c.weight / total_weight) for c in columns]
    header = [_CellFragments(w, header_style, "center", header_font, size) for w in widths]
    body = [_CellFragments(w, text_style, _ALIGN[c.align], font, size)
            for w, c in zip(widths, columns)]
    n = len(columns)

    parts = [
        f'<w:tbl {nsdecls("w")}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/>'
        f'<w:jc w:val="center"/><w:tblBorders>',
        *(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
          for side in ("top", "left", "bottom", "right", "insideH", "insideV")),
        '</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
        '<w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>',
        *(f'<w:gridCol w:w="{w}"/>' for w in widths),
        '</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>',
        *(f.render(c.title) for f, c in zip(header, columns)),
        "</w:tr>",
    ]
    row_open = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
    append = parts.append
    for number, row in enumerate(rows, 1):
        if len(row) != n:
            raise ValueError(f"row {number} has {len(row)} cells, expected {n}")
        append(row_open)
        append("".join([f.render(text) for f, text in zip(body, row)]))
        append("</w:tr>")
    if total_row is not None:
        # The 合计 row in 黑体, aligned like the columns it sums.
        totals = [_CellFragments(w, text_style, _ALIGN[c.align], header_font, size)
                  for w, c in zip(widths, columns)]
        append(row_open + "".join(f.render(t) for f, t in zip(totals, total_row)) + "</w:tr>")
    append("</w:tbl>")
    return parse_xml("".join(parts))
