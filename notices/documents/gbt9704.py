"""The official document format, GB/T 9704-2012 《党政机关公文格式》, on python-docx.

`OfficialDocument` sets up an A4 document (margins, 22 lines of 28
characters, styles with explicit East-Asian font names, "— N —" page
numbers alternating sides) and offers the building blocks of a 公文:
版头, title, addressee, headings, body, attachment note, signature and
attachment pages. The document modules compose these.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import date
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING, WD_TAB_ALIGNMENT
from docx.oxml import parse_xml
from docx.oxml.ns import nsdecls, qn
from docx.shared import Emu, Mm, Pt, RGBColor
from docx.text.paragraph import Paragraph
from lxml import etree

from notices.documents.data import DocHeader
from notices.documents.wording import cn_date

PAGE_WIDTH, PAGE_HEIGHT = Mm(210), Mm(297)
MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT = Mm(37), Mm(35), Mm(28), Mm(26)
TYPE_AREA_WIDTH = Emu(PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT)  # 156 mm
TYPE_AREA_HEIGHT = Emu(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)  # 225 mm
LINES_PER_PAGE, CHARS_PER_LINE = 22, 28
# 225 mm / 22 lines = 28.98 pt; Word stores twentieths of a point: 28.95 pt keeps 22 lines.
LINE_PITCH = Pt(math.floor(TYPE_AREA_HEIGHT.pt / LINES_PER_PAGE * 20) / 20)
BODY_SIZE = Pt(16)  # 3号
# 28 characters of 16 pt need 448 pt but the line is 442 pt: condense each by ¼ pt
# (twentieths of a point). A character grid would do it in Word, but LibreOffice then
# gives each character two grid cells.
BODY_CHAR_SPACING = math.floor((TYPE_AREA_WIDTH.pt / CHARS_PER_LINE - BODY_SIZE.pt) * 20)
TITLE_SIZE = Pt(22)  # 2号
PAGE_NUMBER_SIZE = Pt(14)  # 4号
TABLE_SIZE = Pt(10.5)  # 5号
SMALL_TABLE_SIZE = Pt(9)  # 小五, for wide landscape tables
FORM_SIZE = Pt(12)  # 小四
# Page number sits 7 mm below the type area: footer distance = bottom margin - 7 mm - one 4号 line.
FOOTER_DISTANCE = Emu(MARGIN_BOTTOM - Mm(7) - PAGE_NUMBER_SIZE)
RED = RGBColor(0xFF, 0x00, 0x00)
_BATCH = 2000  # paragraphs parsed at once
_PENDING = object()  # _last_text while the last paragraph is still text


@dataclass(frozen=True)
class Font:
    name: str  # declared in w:rFonts (w:eastAsia and the Latin slots)
    fallback: str  # w:altName in the font table, for machines without `name`
    panose: str
    family: str  # w:family of the font table: roman / modern / script


FANGSONG = Font("仿宋_GB2312", "仿宋", "02010609060101010101", "modern")
KAITI = Font("楷体_GB2312", "楷体", "02010609060101010101", "modern")
HEITI = Font("黑体", "SimHei", "02010609060101010101", "modern")
XIAOBIAOSONG = Font("方正小标宋简体", "华文中宋", "02000000000000000000", "script")
SONGTI = Font("宋体", "SimSun", "02010600030101010101", "auto")
FONTS = (FANGSONG, KAITI, HEITI, XIAOBIAOSONG, SONGTI)


def set_run_fonts(rPr, font: Font) -> None:
    """Name the font in every slot, East-Asian included, replacing theme fonts."""
    for old in rPr.findall(qn("w:rFonts")):
        rPr.remove(old)
    rFonts = rPr.makeelement(qn("w:rFonts"), {
        qn("w:ascii"): font.name, qn("w:hAnsi"): font.name,
        qn("w:eastAsia"): font.name, qn("w:cs"): font.name, qn("w:hint"): "eastAsia"})
    rPr.insert(0, rFonts)


_W_NS = nsdecls("w")
# Characters XML 1.0 forbids (a pasted ledger may contain them) are dropped, not fatal.
_ESCAPES = {ord("&"): "&amp;", ord("<"): "&lt;", ord(">"): "&gt;", ord("\t"): " ",
            ord("\r"): None, **{c: None for c in range(0x20) if c not in (9, 10, 13)},
            0xFFFE: None, 0xFFFF: None}


def escape_text(text: str) -> str:
    return text.translate(_ESCAPES)


def run_xml(text: str, font: Font, *, style_font: Font = FANGSONG, bold: bool = False) -> str:
    """A run naming its East-Asian font; Latin slots too where it differs from its style's font.

    Runs stay lean because a long report has ~100,000 of them and every attribute
    is a node in memory; the style names all slots anyway.
    """
    latin = "" if font is style_font else f'w:ascii="{font.name}" w:hAnsi="{font.name}" '
    text = escape_text(text)
    space = ' xml:space="preserve"' if text[:1] == " " or text[-1:] == " " else ""
    return (f'<w:r><w:rPr><w:rFonts {latin}w:eastAsia="{font.name}"/>{"<w:b/>" if bold else ""}'
            f'</w:rPr><w:t{space}>{text}</w:t></w:r>')


def add_run(paragraph, text: str, font: Font = FANGSONG, *, size=None, bold=None, color=None):
    run = paragraph.add_run(text)
    set_run_fonts(run._r.get_or_add_rPr(), font)
    if size is not None:
        run.font.size = size
    if bold is not None:
        run.font.bold = bold
    if color is not None:
        run.font.color.rgb = color
    return run


@dataclass(frozen=True)
class _StyleSpec:
    name: str
    font: Font
    size: Pt
    bold: bool = False
    align: WD_ALIGN_PARAGRAPH = WD_ALIGN_PARAGRAPH.JUSTIFY
    indent_chars: int = 2
    exact_line: Pt | None = LINE_PITCH
    outline_level: int | None = None
    snap_to_grid: bool = True


BODY_STYLE = "Normal"
TITLE_STYLE = "Title"
HEADING_STYLES = ("Heading 1", "Heading 2", "Heading 3", "Heading 4")
_TABLE_ALIGNMENTS = {"left": ("", WD_ALIGN_PARAGRAPH.LEFT), "center": ("居中", WD_ALIGN_PARAGRAPH.CENTER),
                     "right": ("居右", WD_ALIGN_PARAGRAPH.RIGHT)}
TABLE_ALIGNMENTS = tuple(_TABLE_ALIGNMENTS)


def table_text_style(align: str = "left", *, small: bool = False) -> str:
    """Cells are aligned by style, not per cell: a w:jc in each of 100,000 cells costs memory."""
    return f"表格文字{_TABLE_ALIGNMENTS[align][0]}{'（小五）' if small else ''}"


def table_header_style(*, small: bool = False) -> str:
    return f"表格标题行{'（小五）' if small else ''}"


TABLE_TEXT_STYLE = table_text_style()
FORM_TEXT_STYLE = "表单文字"
FORM_LABEL_STYLE = "表单栏目"
PAGE_NUMBER_STYLE = "页码"

_STYLES = (
    _StyleSpec(BODY_STYLE, FANGSONG, BODY_SIZE),
    _StyleSpec(TITLE_STYLE, XIAOBIAOSONG, TITLE_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent_chars=0, exact_line=Pt(35)),
    # "一、" 黑体, "（一）" 楷体, "1." 仿宋 bold, "（1）" 仿宋; all indented like the body.
    _StyleSpec(HEADING_STYLES[0], HEITI, BODY_SIZE, outline_level=0),
    _StyleSpec(HEADING_STYLES[1], KAITI, BODY_SIZE, outline_level=1),
    _StyleSpec(HEADING_STYLES[2], FANGSONG, BODY_SIZE, bold=True, outline_level=2),
    _StyleSpec(HEADING_STYLES[3], FANGSONG, BODY_SIZE, outline_level=3),
    *(_StyleSpec(table_text_style(align, small=small), FANGSONG,
                 SMALL_TABLE_SIZE if small else TABLE_SIZE, align=alignment, indent_chars=0,
                 exact_line=None, snap_to_grid=False)
      for small in (False, True) for align, (_, alignment) in _TABLE_ALIGNMENTS.items()),
    *(_StyleSpec(table_header_style(small=small), HEITI, SMALL_TABLE_SIZE if small else TABLE_SIZE,
                 align=WD_ALIGN_PARAGRAPH.CENTER, indent_chars=0, exact_line=None,
                 snap_to_grid=False)
      for small in (False, True)),
    _StyleSpec(FORM_TEXT_STYLE, FANGSONG, FORM_SIZE, align=WD_ALIGN_PARAGRAPH.LEFT,
               indent_chars=0, exact_line=Pt(18), snap_to_grid=False),
    _StyleSpec(FORM_LABEL_STYLE, HEITI, FORM_SIZE, align=WD_ALIGN_PARAGRAPH.CENTER,
               indent_chars=0, exact_line=Pt(18), snap_to_grid=False),
    _StyleSpec(PAGE_NUMBER_STYLE, SONGTI, PAGE_NUMBER_SIZE, align=WD_ALIGN_PARAGRAPH.RIGHT,
               indent_chars=0, exact_line=None, snap_to_grid=False),
)

_SPECS = {spec.name: spec for spec in _STYLES}


def _apply_style(styles, spec: _StyleSpec) -> None:
    try:
        style = styles[spec.name]
    except KeyError:
        style = styles.add_style(spec.name, WD_STYLE_TYPE.PARAGRAPH)
        style.base_style = styles[BODY_STYLE]
        style.quick_style = True
    element = style.element
    # Start from nothing: the template's theme fonts, colours and borders must not leak in.
    for tag in ("w:pPr", "w:rPr"):
        for old in element.findall(qn(tag)):
            element.remove(old)
    pf = style.paragraph_format
    pf.alignment = spec.align
    pf.space_before = pf.space_after = Pt(0)
    pf.widow_control = True
    if spec.exact_line is not None:
        pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
        pf.line_spacing = spec.exact_line
    else:
        pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
    pPr = element.get_or_add_pPr()
    if spec.outline_level is not None:
        pf.keep_with_next = True
        pPr.append(pPr.makeelement(qn("w:outlineLvl"), {qn("w:val"): str(spec.outline_level)}))
    if not spec.snap_to_grid:
        pPr.append(pPr.makeelement(qn("w:snapToGrid"), {qn("w:val"): "0"}))
    ind = pPr.makeelement(qn("w:ind"), {
        qn("w:firstLineChars"): str(spec.indent_chars * 100),
        qn("w:firstLine"): str(int(spec.size.pt * 20 * spec.indent_chars))})
    pPr.append(ind)
    _sort_children(pPr, _PPR_ORDER)
    font = style.font
    set_run_fonts(element.get_or_add_rPr(), spec.font)
    font.size = spec.size
    font.bold = spec.bold
    font.italic = False
    font.color.rgb = RGBColor(0, 0, 0)
    # Styles based on Normal would inherit its condensed spacing; only 3号 text needs it.
    spacing = BODY_CHAR_SPACING if spec.size == BODY_SIZE else 0
    rPr = element.rPr
    rPr.sz.addprevious(rPr.makeelement(qn("w:spacing"), {qn("w:val"): str(spacing)}))


# CT_PPr child order (ECMA-376 17.3.1.26), for the elements set here.
_PPR_ORDER = ("pStyle", "keepNext", "keepLines", "pageBreakBefore", "widowControl", "pBdr",
              "shd", "tabs", "snapToGrid", "spacing", "ind", "jc", "outlineLvl")


def _sort_children(parent, order) -> None:
    rank = {qn(f"w:{name}"): i for i, name in enumerate(order)}
    children = sorted(parent, key=lambda c: rank.get(c.tag, len(order)))
    for child in children:
        parent.append(child)


_FONT_TABLE = "/word/fontTable.xml"


def _declare_fonts(document) -> None:
    """Add the Chinese fonts, with fallbacks, to the font table.

    Word substitutes a missing font from the table's w:altName, charset 86
    (GB2312) and panose class, so a machine without 方正小标宋简体 shows 华文中宋
    rather than a Latin font.
    """
    part = next(p for p in document.part.package.iter_parts() if p.partname == _FONT_TABLE)
    root = etree.fromstring(part.blob)
    for font in FONTS:
        root.append(parse_xml(
            f'<w:font {nsdecls("w")} w:name="{font.name}">'
            f'<w:altName w:val="{font.fallback}"/><w:panose1 w:val="{font.panose}"/>'
            f'<w:charset w:val="86"/><w:family w:val="{font.family}"/><w:pitch w:val="variable"/>'
            f'</w:font>'))
    part._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)


def _set_document_defaults(document) -> None:
    styles_el = document.styles.element
    rPr = styles_el.find(qn("w:docDefaults")).find(qn("w:rPrDefault")).find(qn("w:rPr"))
    set_run_fonts(rPr, FANGSONG)
    for lang in rPr.findall(qn("w:lang")):
        rPr.remove(lang)
    rPr.append(rPr.makeelement(qn("w:lang"), {
        qn("w:val"): "en-US", qn("w:eastAsia"): "zh-CN", qn("w:bidi"): "ar-SA"}))
    settings = document.settings.element
    for lang in settings.findall(qn("w:themeFontLang")):
        lang.set(qn("w:eastAsia"), "zh-CN")
    # Odd pages carry the page number on the right, even pages on the left.
    document.settings.odd_and_even_pages_header_footer = True


def _page_number_paragraph(paragraph, align) -> None:
    paragraph.style = PAGE_NUMBER_STYLE
    paragraph.alignment = align
    pf = paragraph.paragraph_format
    # "单页码居右空一字，双页码居左空一字"
    if align == WD_ALIGN_PARAGRAPH.RIGHT:
        pf.right_indent = PAGE_NUMBER_SIZE
    else:
        pf.left_indent = PAGE_NUMBER_SIZE
    add_run(paragraph, "— ", SONGTI)
    # A PAGE field, one field character per run as Word writes it; "1" is the cached result.
    for kind, text in (("begin", None), (None, " PAGE "), ("separate", None), (None, "1"), ("end", None)):
        r = add_run(paragraph, "", SONGTI)._r
        if kind is not None:
            r.append(r.makeelement(qn("w:fldChar"), {qn("w:fldCharType"): kind}))
        elif text == " PAGE ":
            instr = r.makeelement(qn("w:instrText"), {qn("xml:space"): "preserve"})
            instr.text = text
            r.append(instr)
        else:
            r.text = text
    add_run(paragraph, " —", SONGTI)


def _set_doc_grid(section, lines: bool) -> None:
    sectPr = section._sectPr
    for grid in sectPr.findall(qn("w:docGrid")):
        sectPr.remove(grid)
    attrs = {qn("w:linePitch"): str(int(LINE_PITCH.pt * 20))}
    if lines:
        attrs[qn("w:type")] = "lines"
    sectPr.append(sectPr.makeelement(qn("w:docGrid"), attrs))


def set_portrait(section) -> None:
    _set_page(section, WD_ORIENT.PORTRAIT, (PAGE_WIDTH, PAGE_HEIGHT),
              (MARGIN_TOP, MARGIN_BOTTOM, MARGIN_LEFT, MARGIN_RIGHT), FOOTER_DISTANCE, lines=True)


def set_landscape(section) -> None:
    """The portrait page turned: its left (binding) edge becomes the top of the table."""
    _set_page(section, WD_ORIENT.LANDSCAPE, (PAGE_HEIGHT, PAGE_WIDTH),
              (MARGIN_LEFT, MARGIN_RIGHT, MARGIN_TOP, MARGIN_BOTTOM), Mm(12), lines=False)


def _set_page(section, orientation, size, margins, footer_distance, *, lines: bool) -> None:
    section.orientation = orientation
    section.page_width, section.page_height = size
    section.top_margin, section.bottom_margin, section.left_margin, section.right_margin = margins
    section.header_distance = Mm(15)
    section.footer_distance = footer_distance
    section.gutter = 0
    _set_doc_grid(section, lines=lines)


def landscape_width():
    return Emu(PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM)


def text_width(text: str) -> float:
    """Width in full-width characters: CJK counts 1, ASCII ½."""
    return sum(0.5 if ord(c) < 0x2E80 else 1 for c in text)


class OfficialDocument:
    """A 公文 being written top to bottom."""

    def __init__(self, title_for_properties: str = "", author: str = ""):
        self.doc = Document()
        _set_document_defaults(self.doc)
        for spec in _STYLES:
            _apply_style(self.doc.styles, spec)
        _declare_fonts(self.doc)
        section = self.doc.sections[0]
        set_portrait(section)
        _page_number_paragraph(section.footer.paragraphs[0], WD_ALIGN_PARAGRAPH.RIGHT)
        _page_number_paragraph(section.even_page_footer.paragraphs[0], WD_ALIGN_PARAGRAPH.LEFT)
        props = self.doc.core_properties
        props.title, props.author, props.comments = title_for_properties, author, ""
        props.last_modified_by = author
        self._last_text = None  # the last body element written, kept with the signature
        self._style_ids = {spec.name: self.doc.styles[spec.name].style_id for spec in _STYLES}
        self._pending: list[str] = []  # paragraphs not yet parsed, see _append_paragraph

    @classmethod
    def opening(cls, header: DocHeader, title: str, *, letter: bool = False, addressee: str = ""):
        """A new document with its 版头, title and 主送机关 written."""
        doc = cls(title, header.issuer.name)
        doc.letterhead(header, letter=letter)
        doc.title(title)
        doc.addressee(addressee or header.to)
        return doc

    # -- 版头 -------------------------------------------------------------
    def letterhead(self, header: DocHeader, *, letter: bool = False) -> None:
        """发文机关标志 in red, 发文字号 (with 签发人 for reports sent up), red line.

        `letter` is the 信函格式 of notices and 函: the mark is the body's name without 文件.
        """
        mark = header.issuer.name if letter else header.issuer.letterhead_text
        # As large as fits on one line, at most 初号 (42 pt).
        size = Pt(min(42, int(TYPE_AREA_WIDTH.pt * 0.96 / max(text_width(mark), 1))))
        p = self._plain(WD_ALIGN_PARAGRAPH.CENTER, exact=Pt(size.pt * 1.25))
        p.paragraph_format.space_before = Pt(12)
        add_run(p, mark, XIAOBIAOSONG, size=size, color=RED)
        self.blank()
        self.blank()
        p = self._plain(WD_ALIGN_PARAGRAPH.CENTER)
        if header.signer:
            p.alignment = WD_ALIGN_PARAGRAPH.LEFT
            p.paragraph_format.left_indent = BODY_SIZE
            p.paragraph_format.tab_stops.add_tab_stop(Emu(TYPE_AREA_WIDTH - BODY_SIZE), WD_TAB_ALIGNMENT.RIGHT)
            add_run(p, header.doc_number)
            add_run(p, "\t签发人：")
            add_run(p, header.signer, KAITI)
        else:
            add_run(p, header.doc_number)
        _red_rule(p)
        self.blank()

    # -- 主体 -------------------------------------------------------------
    def title(self, text: str) -> None:
        add_run(self.new_paragraph(TITLE_STYLE), text, XIAOBIAOSONG)

    def addressee(self, text: str) -> None:
        self.blank()
        p = self._plain(WD_ALIGN_PARAGRAPH.LEFT)
        add_run(p, text.rstrip("：:") + "：")

    def heading(self, level: int, text: str) -> None:
        """level 1 "一、" 黑体, 2 "（一）" 楷体, 3 "1." 仿宋 bold, 4 "（1）" 仿宋."""
        spec = _SPECS[HEADING_STYLES[level - 1]]
        self._append_paragraph(spec.name, run_xml(text, spec.font, style_font=spec.font))

    def paragraph(self, text: str, lead: str = "", lead_level: int = 2) -> None:
        """A body paragraph; `lead` starts it in a heading font ("（一）总体进展。…")."""
        runs = run_xml(text, FANGSONG)
        if lead:
            spec = _SPECS[HEADING_STYLES[lead_level - 1]]
            runs = run_xml(lead, spec.font, bold=spec.bold) + runs
        self._append_paragraph(BODY_STYLE, runs)

    def _append_paragraph(self, style_name: str, runs: str) -> None:
        # python-docx looks the style up by name and searches the body for w:sectPr on every
        # add_paragraph (milliseconds each, quadratic overall); a long report has tens of
        # thousands of paragraphs, so they are collected as text and parsed in batches.
        self._pending.append(f'<w:p><w:pPr><w:pStyle w:val="{self._style_ids[style_name]}"/>'
                             f'</w:pPr>{runs}</w:p>')
        self._last_text = _PENDING
        if len(self._pending) >= _BATCH:
            self.flush()

    def flush(self) -> None:
        """Parse the collected paragraphs and move them before the sectPr (the body's last child)."""
        if not self._pending:
            return
        batch = parse_xml(f'<w:body {_W_NS}>{"".join(self._pending)}</w:body>')
        self._pending.clear()
        sectPr = self.doc.element.body[-1]
        for element in list(batch):
            sectPr.addprevious(element)
        if self._last_text is _PENDING:
            self._last_text = sectPr.getprevious()

    def new_paragraph(self, style_name: str = BODY_STYLE):
        """A python-docx Paragraph at the end of the body, without add_paragraph's searches."""
        self.flush()
        element = parse_xml(f'<w:p {_W_NS}><w:pPr><w:pStyle w:val="{self._style_ids[style_name]}"/>'
                            f'</w:pPr></w:p>')
        self.doc.element.body[-1].addprevious(element)
        return Paragraph(element, self.doc._body)

    def blank(self) -> None:
        self._plain(WD_ALIGN_PARAGRAPH.LEFT)

    def picture(self, png: bytes, width, caption: str = "") -> None:
        p = self._plain(WD_ALIGN_PARAGRAPH.CENTER, exact=None)
        p.paragraph_format.keep_with_next = bool(caption)
        p.add_run().add_picture(BytesIO(png), width=width)
        if caption:
            c = self._plain(WD_ALIGN_PARAGRAPH.CENTER)
            add_run(c, caption, KAITI)

    def attachment_note(self, names: list[str]) -> None:
        """附件：1. …, the following items aligned under the first name."""
        if not names:
            return
        self.blank()
        for i, name in enumerate(names, 1):
            p = self.new_paragraph()
            label = f"{i}. {name}" if len(names) > 1 else name
            if i == 1:
                add_run(p, "附件：" + label)
            else:
                no_first_line_indent(p)
                p.paragraph_format.left_indent = BODY_SIZE * 5
                add_run(p, label)

    def signature(self, signed_by: str, on: date) -> None:
        """署名 centred over the date; the date 右空四字."""
        date_text = cn_date(on)
        self.blank()
        self.blank()
        offset = 4 + (text_width(date_text) - text_width(signed_by)) / 2
        for text, right in ((signed_by, max(0.0, offset)), (date_text, 4)):
            p = self._plain(WD_ALIGN_PARAGRAPH.RIGHT)
            p.paragraph_format.right_indent = Pt(BODY_SIZE.pt * right)
            add_run(p, text)
        self._keep_tail_with_next()

    # -- 附件 -------------------------------------------------------------
    def attachment_page(self, label: str, title: str, *, landscape: bool = False) -> None:
        """Start an attachment on a new page: "附件1" top left in 黑体, then its title."""
        self.flush()
        if landscape:
            section = self.doc.add_section(WD_SECTION.NEW_PAGE)
            set_landscape(section)
        p = self._plain(WD_ALIGN_PARAGRAPH.LEFT)
        p.paragraph_format.page_break_before = not landscape
        add_run(p, label, HEITI)
        self.blank()
        self.title(title)
        self.blank()

    def note(self, text: str) -> None:
        """A small unindented line under a title, e.g. the statistics cut-off."""
        p = self._plain(WD_ALIGN_PARAGRAPH.CENTER)
        add_run(p, text, KAITI)

    def append_block(self, element) -> None:
        """Insert a ready-made block element (a w:tbl) at the end of the body."""
        self.flush()
        self.doc.element.body[-1].addprevious(element)
        self._last_text = element

    def _keep_tail_with_next(self) -> None:
        """Keep the end of the text with what follows, so the signature never stands alone on a page.

        GB/T 9704 forbids a 成文日期 page without body text; Word and LibreOffice move the
        last lines of the body over with the signature instead.
        """
        self.flush()
        if self._last_text is None:
            return
        tail = []
        element = self.doc.element.body[-1].getprevious().getprevious()  # the 署名, not the date
        while element is not None:
            tail.append(element)
            if element is self._last_text:
                break
            element = element.getprevious()
        for element in tail:
            if element.tag == qn("w:tbl"):
                paragraphs = element.findall(qn("w:tr"))[-1].iter(qn("w:p"))
            elif element.tag == qn("w:p"):
                paragraphs = [element]
            else:
                continue
            for p in paragraphs:
                p.get_or_add_pPr().keepNext_val = True

    def save(self, path) -> Path:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        self.flush()
        self.doc.save(path)
        return path

    # -- helpers ----------------------------------------------------------
    def _plain(self, align, exact=LINE_PITCH):
        """A paragraph in the body font without the first-line indent."""
        p = self.new_paragraph()
        p.alignment = align
        no_first_line_indent(p)
        pf = p.paragraph_format
        if exact is None:
            pf.line_spacing_rule = WD_LINE_SPACING.SINGLE
        elif exact != LINE_PITCH:
            pf.line_spacing_rule = WD_LINE_SPACING.EXACTLY
            pf.line_spacing = exact
        return p


def no_first_line_indent(paragraph) -> None:
    # The style indents by characters (w:firstLineChars), which wins over w:firstLine.
    paragraph.paragraph_format.first_line_indent = Pt(0)
    paragraph._p.pPr.find(qn("w:ind")).set(qn("w:firstLineChars"), "0")


def _red_rule(paragraph) -> None:
    pPr = paragraph._p.get_or_add_pPr()
    pPr.append(parse_xml(
        f'<w:pBdr {nsdecls("w")}><w:bottom w:val="single" w:sz="12" w:space="11" '
        f'w:color="FF0000"/></w:pBdr>'))
    _sort_children(pPr, _PPR_ORDER)


