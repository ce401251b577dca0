"""Large tables written straight as WordprocessingML.

python-docx builds a table cell by cell through proxy objects (add_row,
row.cells, cell.text), which costs milliseconds per row. Here every row is
rendered from per-column fragments prepared once and parsed by lxml in
batches of rows, which are moved into one w:tbl: a 10,000-row appendix
takes about a second (docs/documents.md has the measured figures).

Cells are kept lean because the parsed tree, not the text, is what costs
memory (about 1.5 KB per cell as written here, 5 KB with the usual per-cell
width, alignment, vertical alignment and font declaration): widths live in
the w:tblGrid of a fixed-layout table (and on the header row); font (with
its w:eastAsia name), size, spacing and alignment in the cell's paragraph
style, one per alignment; only header and total rows name fonts on runs.

The header row is marked w:tblHeader so Word and LibreOffice repeat it on
every page; rows are w:cantSplit so a row never straddles two pages.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from itertools import islice

from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls
from docx.shared import Length

from notices.documents.gbt9704 import (
    HEITI, TABLE_ALIGNMENTS, Font, escape_text, table_header_style, table_text_style,
)

_W = nsdecls("w")
_ROWS_PER_BATCH = 500


@dataclass(frozen=True)
class Column:
    title: str
    weight: float  # share of the table width
    align: str = "left"

    def __post_init__(self):
        if self.align not in TABLE_ALIGNMENTS:
            raise ValueError(f"unknown alignment {self.align!r}")


class _CellFragments:
    """Opening and closing XML of one column's cells, so a cell is prefix + text + suffix."""

    def __init__(self, style_id: str, font: Font | None = None, width: int | None = None):
        tc_pr = f'<w:tcPr><w:tcW w:w="{width}" w:type="dxa"/><w:vAlign w:val="center"/></w:tcPr>' \
            if width else ""
        self.open = f'<w:tc>{tc_pr}<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr><w:r>'
        # Body cells take their font from the style; header and total rows name it on the run.
        r_pr = f'<w:rPr><w:rFonts w:ascii="{font.name}" w:hAnsi="{font.name}" ' \
            f'w:eastAsia="{font.name}"/></w:rPr>' if font else ""
        self.run_open = f"{r_pr}<w:t>"
        self.run_open_spaced = f'{r_pr}<w:t xml:space="preserve">'
        self.line_break = '</w:t><w:br/><w:t xml:space="preserve">'
        self.empty = f'<w:tc>{tc_pr}<w:p><w:pPr><w:pStyle w:val="{style_id}"/></w:pPr></w:p></w:tc>'

    def render(self, text: str) -> str:
        if not text:
            return self.empty
        text = escape_text(text)
        run_open = self.run_open
        if "\n" in text:
            text = text.replace("\n", self.line_break)
            run_open = self.run_open_spaced
        elif text[0] == " " or text[-1] == " ":
            run_open = self.run_open_spaced
        return f"{self.open}{run_open}{text}</w:t></w:r></w:p></w:tc>"


def build_table(
    document,
    columns: Sequence[Column],
    rows: Iterable[Sequence[str]],
    width: Length,
    *,
    total_row: Sequence[str] | None = None,
    small: bool = False,
    header_font: Font = HEITI,
):
    """A w:tbl element (python-docx's own element class) ready to append to `document`'s body.

    `rows` yields one sequence of cell strings per row, as many as `columns`; `small`
    sets the table in 小五 instead of 五号, for wide landscape tables.
    """
    styles = document.styles
    text_styles = [styles[table_text_style(c.align, small=small)].style_id for c in columns]
    header_style = styles[table_header_style(small=small)].style_id
    total_weight = sum(c.weight for c in columns)
    widths = [int(width.twips * c.weight / total_weight) for c in columns]
    header = [_CellFragments(header_style, header_font, w) for w in widths]
    body = [_CellFragments(style) for style in text_styles]
    borders = "".join(f'<w:{side} w:val="single" w:sz="4" w:space="0" w:color="000000"/>'
                      for side in ("top", "left", "bottom", "right", "insideH", "insideV"))
    table = parse_xml(
        f'<w:tbl {_W}><w:tblPr><w:tblW w:w="{sum(widths)}" w:type="dxa"/><w:jc w:val="center"/>'
        f'<w:tblBorders>{borders}</w:tblBorders><w:tblLayout w:type="fixed"/><w:tblCellMar>'
        '<w:left w:w="57" w:type="dxa"/><w:right w:w="57" w:type="dxa"/></w:tblCellMar>'
        '<w:tblLook w:val="04A0" w:firstRow="1" w:lastRow="0" w:firstColumn="0" w:lastColumn="0" '
        'w:noHBand="1" w:noVBand="1"/></w:tblPr><w:tblGrid>'
        + "".join(f'<w:gridCol w:w="{w}"/>' for w in widths)
        + '</w:tblGrid><w:tr><w:trPr><w:cantSplit/><w:tblHeader/></w:trPr>'
        + "".join(f.render(c.title) for f, c in zip(header, columns))
        + "</w:tr></w:tbl>")

    n = len(columns)
    row_open = "<w:tr><w:trPr><w:cantSplit/></w:trPr>"
    rows = iter(rows)
    done = 0
    while batch := list(islice(rows, _ROWS_PER_BATCH)):
        parts = []
        for number, row in enumerate(batch, done + 1):
            if len(row) != n:
                raise ValueError(f"row {number} has {len(row)} cells, expected {n}")
            parts.append(row_open + "".join([f.render(text) for f, text in zip(body, row)]) + "</w:tr>")
        done += len(batch)
        _move_rows(table, parts)
    if total_row is not None:
        # The 合计 row in 黑体, aligned like the columns it sums.
        totals = [_CellFragments(style, header_font) for style in text_styles]
        _move_rows(table, [row_open + "".join(f.render(t) for f, t in zip(totals, total_row))
                           + "</w:tr>"])
    return table


def _move_rows(table, rows_xml: list[str]) -> None:
    for tr in list(parse_xml(f'<w:tbl {_W}>{"".join(rows_xml)}</w:tbl>')):
        table.append(tr)
