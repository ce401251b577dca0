"""Reading generated documents back the way a person sees them."""
from docx.oxml.ns import qn


def body_text(doc) -> str:
    """All paragraph text outside tables, one paragraph per line."""
    return "\n".join(p.text for p in doc.paragraphs)


def paragraphs_in(doc, style_name: str) -> list[str]:
    return [p.text for p in doc.paragraphs if p.style.name == style_name]


def table_rows(table) -> list[list[str]]:
    return [[cell.text for cell in row.cells] for row in table.rows]


def east_asia_font(element) -> str | None:
    r_fonts = element.find(qn("w:rPr") + "/" + qn("w:rFonts")) if element.tag == qn("w:r") \
        else element.find(qn("w:rFonts"))
    return None if r_fonts is None else r_fonts.get(qn("w:eastAsia"))


def style_east_asia(style) -> str | None:
    return east_asia_font(style.element.find(qn("w:rPr")))
