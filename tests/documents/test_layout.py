"""GB/T 9704 layout of every generated document, read back with python-docx."""
import pytest
from docx.enum.section import WD_ORIENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from lxml import etree

from tests.documents.conftest import BUILDERS
from tests.documents.helpers import east_asia_font, style_east_asia

ALL = sorted(BUILDERS)


@pytest.mark.parametrize("name", ALL)
def test_a4_portrait_with_official_margins(docs, name):
    section = docs[name].sections[0]
    assert section.orientation == WD_ORIENT.PORTRAIT
    assert section.page_width.mm == pytest.approx(210, abs=0.1)
    assert section.page_height.mm == pytest.approx(297, abs=0.1)
    margins = (section.top_margin, section.bottom_margin, section.left_margin, section.right_margin)
    assert [round(m.mm, 1) for m in margins] == [37.0, 35.0, 28.0, 26.0]
    # Type area 156 × 225 mm.
    assert (section.page_width - section.left_margin - section.right_margin) == pytest.approx(Mm(156), abs=Mm(0.1))


@pytest.mark.parametrize("name", ALL)
def test_body_style_is_fangsong_16pt_22_lines_indented_two_characters(docs, name):
    normal = docs[name].styles["Normal"]
    assert normal.font.size == Pt(16)
    assert style_east_asia(normal) == "仿宋_GB2312"
    pf = normal.paragraph_format
    assert pf.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    type_area_height = Mm(225)
    assert int(type_area_height / pf.line_spacing) == 22
    ind = normal.element.find(qn("w:pPr")).find(qn("w:ind"))
    assert ind.get(qn("w:firstLineChars")) == "200"
    assert pf.first_line_indent == Pt(32)
    # 28 characters of 16 pt on a 156 mm line: each is condensed a little.
    spacing = normal.element.find(qn("w:rPr")).find(qn("w:spacing"))
    assert 28 * (16 + int(spacing.get(qn("w:val"))) / 20) <= Mm(156).pt


@pytest.mark.parametrize("name", ALL)
def test_title_and_heading_fonts_are_named_for_east_asian_text(docs, name):
    styles = docs[name].styles
    expected = {
        "Title": ("方正小标宋简体", Pt(22), False),
        "Heading 1": ("黑体", Pt(16), False),
        "Heading 2": ("楷体_GB2312", Pt(16), False),
        "Heading 3": ("仿宋_GB2312", Pt(16), True),
        "Heading 4": ("仿宋_GB2312", Pt(16), False),
    }
    for style_name, (font, size, bold) in expected.items():
        style = styles[style_name]
        assert style_east_asia(style) == font, style_name
        assert style.font.name == font, style_name  # Latin slots too, no theme font
        assert style.font.size == size
        assert bool(style.font.bold) is bold
    assert styles["Title"].paragraph_format.alignment == WD_ALIGN_PARAGRAPH.CENTER


@pytest.mark.parametrize("name", ALL)
def test_every_run_outside_body_tables_names_its_east_asian_font(docs, name):
    body = docs[name].element.body
    runs = [r for r in body.iter(qn("w:r")) if r.findtext(qn("w:t"))]
    assert runs
    for run in runs:
        in_table = any(a.tag == qn("w:tbl") for a in run.iterancestors())
        header_row = in_table and run.xpath("ancestor::w:tr[1]/w:trPr/w:tblHeader")
        if not in_table or header_row:
            assert east_asia_font(run), etree.tostring(run, encoding="unicode")[:200]


@pytest.mark.parametrize("name", ALL)
def test_table_cells_take_an_east_asian_font_from_their_style(docs, name):
    doc = docs[name]
    for table in doc.tables:
        for row in table.rows:
            for cell in row.cells:
                for p in cell.paragraphs:
                    assert style_east_asia(p.style) in {"仿宋_GB2312", "黑体"}, p.style.name


@pytest.mark.parametrize("name", ALL)
def test_page_numbers_alternate_sides_in_songti_4hao(docs, name):
    doc = docs[name]
    assert doc.settings.odd_and_even_pages_header_footer
    section = doc.sections[0]
    for footer, align, side in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT, "right"),
                                (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT, "left")):
        p = footer.paragraphs[0]
        assert p.alignment == align
        assert getattr(p.paragraph_format, f"{side}_indent") == Pt(14)  # 空一字
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert "PAGE" in "".join(t.text for t in p._p.iter(qn("w:instrText")))
        for run in p.runs:
            assert east_asia_font(run._r) == "宋体"
            assert (run.font.size or p.style.font.size) == Pt(14)


def test_fonts_missing_on_the_reader_s_machine_have_declared_fallbacks(generated):
    import zipfile

    with zipfile.ZipFile(generated["report"]) as z:
        table = etree.fromstring(z.read("word/fontTable.xml"))
    fonts = {f.get(qn("w:name")): f for f in table.findall(qn("w:font"))}
    for name, fallback in (("方正小标宋简体", "华文中宋"), ("仿宋_GB2312", "仿宋"), ("楷体_GB2312", "楷体")):
        assert fonts[name].find(qn("w:altName")).get(qn("w:val")) == fallback
        assert fonts[name].find(qn("w:charset")).get(qn("w:val")) == "86"  # GB2312


def test_chinese_is_the_east_asian_language(docs):
    settings = docs["report"].settings.element
    assert settings.find(qn("w:themeFontLang")).get(qn("w:eastAsia")) == "zh-CN"
    defaults = docs["report"].styles.element.find(qn("w:docDefaults"))
    assert defaults.find(".//" + qn("w:lang")).get(qn("w:eastAsia")) == "zh-CN"


@pytest.mark.parametrize("name", ["report", "circular", "supervision", "interview", "referral"])
def test_document_number_uses_hexagonal_brackets(docs, name):
    text = "\n".join(p.text for p in docs[name].paragraphs[:6])
    assert "〔2026〕" in text and "号" in text
    assert "[2026]" not in text and "（2026）" not in text


@pytest.mark.parametrize("name", ["report", "circular", "supervision", "interview", "referral"])
def test_signature_and_date_at_the_right(docs, name):
    paragraphs = [p for p in docs[name].paragraphs if p.text == "2026年11月22日"]
    assert len(paragraphs) == 1
    date = paragraphs[0]
    assert date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert date.paragraph_format.right_indent == Pt(64)  # 右空四字
    signature = date._p.getprevious()
    assert signature.xpath("string(.)").startswith("XX县")
    # The 署名 keeps with the date, and the text before keeps with the 署名.
    assert signature.pPr.keepNext_val
