"""Reading a report file (.docx or plain text) into lines, in document order.

Word documents: paragraphs and tables as they follow each other in the body
(content controls opened up), with Word's automatic list numbering written
out ("%1、" -> "一、"), since a report's outline often lives only there.
Tables come in three shapes:

- a findings table (a header naming 问题/问题描述/…): each row becomes a
  numbered finding, "1、<问题>" followed by its other cells;
- a layout table (one cell per row): its paragraphs, as if in the body;
- a data table: one line per row, cells joined by a tab; a bare number
  under a header such as "金额（万元）" gets the header's unit, so an amount
  split between its cell and the header still reads "12.5万元".

Plain text: UTF-8 (with or without BOM), UTF-16 with BOM, else GB18030.
"""
import re
import zipfile
import zlib
from pathlib import Path

from docx import Document
from docx.exceptions import PythonDocxError
from docx.opc.exceptions import OpcError
from docx.table import Table

from integrations.ledger_columns import field_for_header
from integrations.values import normalize_text, parse_chinese_int
from models.errors import ValidationError

_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .doc/.wps and password-protected .docx alike
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_TEXT_SUFFIXES = {".txt", ".text", ".md", ""}
_MIN_TEXT = 20  # fewer characters than this next to images: a scan
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f]")

# How python-docx, zipfile and lxml report a damaged package (lxml's XMLSyntaxError is a SyntaxError).
_DAMAGED = (zipfile.BadZipFile, zipfile.LargeZipFile, zlib.error, EOFError, OSError, KeyError, ValueError,
            SyntaxError, PythonDocxError, OpcError)

W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def read_lines(path) -> list[str]:
    """The report's text as lines; ValidationError with a Chinese message if it cannot be read."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"文件“{path}”不存在")
    with path.open("rb") as handle:
        head = handle.read(8)
    suffix = path.suffix.lower()
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise ValidationError(f"文件“{path.name}”设有打开密码，请在 Word 中取消密码后再导入")
        raise ValidationError(f"文件“{path.name}”是旧版 Word（.doc/.wps）格式，请在 Word 或 WPS 中另存为 .docx 后再导入")
    if head.startswith(b"PK\x03\x04") or suffix in (".docx", ".docm"):
        return _docx_lines(path)
    if head.startswith(b"%PDF"):
        raise ValidationError(f"文件“{path.name}”是 PDF，暂不支持，请提供 Word（.docx）或文本（.txt）版报告")
    if suffix not in _TEXT_SUFFIXES:
        raise ValidationError(f"文件“{path.name}”的类型（{suffix}）不支持，请提供 .docx 或 .txt 报告")
    return _decode(path.read_bytes(), path.name).splitlines()


def _decode(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        encodings = ["utf-16"]
    elif b"\x00" in data:
        raise ValidationError(f"文件“{name}”不是文本文件，请提供 .docx 或 .txt 报告")
    else:
        encodings = ["utf-8-sig", "gb18030"]
    for encoding in encodings:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        if len(_CONTROL.findall(text)) > max(2, len(text) // 100):
            break
        return text
    raise ValidationError(f"文件“{name}”不是可识别的文本（应为 UTF-8 或 GB18030 编码）")


# ---------------------------------------------------------------- .docx

def _docx_lines(path: Path) -> list[str]:
    try:
        document = Document(str(path))
        lines = _DocxReader(document).lines(document.element.body)
    except _DAMAGED as error:
        raise ValidationError(f"文件“{path.name}”无法打开，文件已损坏或不是有效的 Word 文档") from error
    text_size = sum(len(line.strip()) for line in lines)
    if text_size < _MIN_TEXT and _has_images(document):
        raise ValidationError(f"文件“{path.name}”只有图片没有文字（可能是扫描件），请提供文字版报告")
    if text_size == 0:
        raise ValidationError(f"文件“{path.name}”中没有文字内容")
    return lines


def _has_images(document) -> bool:
    body = document.element.body
    return bool(body.findall(f".//{W}drawing") or body.findall(f".//{W}pict"))


_CHINESE_DIGITS = "零一二三四五六七八九"


def _chinese(n: int) -> str:
    """1..99 as written in outlines: 一, 十, 十一, 二十三."""
    if n < 10:
        return _CHINESE_DIGITS[n]
    tens, units = divmod(n, 10)
    return ("" if tens == 1 else _CHINESE_DIGITS[tens]) + "十" + (_CHINESE_DIGITS[units] if units else "")


def _format_counter(n: int, fmt: str) -> str:
    if fmt in ("chineseCounting", "chineseCountingThousand", "ideographTraditional", "taiwaneseCounting",
               "chineseLegalSimplified") and 0 < n < 100:
        return _chinese(n)
    if fmt in ("decimalEnclosedCircle", "decimalEnclosedCircleChinese") and 0 < n <= 20:
        return chr(ord("①") + n - 1)
    if fmt == "decimalFullWidth":
        return "".join(chr(ord(d) + 0xFEE0) for d in str(n))
    if fmt == "lowerLetter":
        return chr(ord("a") + (n - 1) % 26)
    if fmt == "upperLetter":
        return chr(ord("A") + (n - 1) % 26)
    return str(n)


class _Numbering:
    """Word's automatic list labels, counted as the paragraphs come."""

    def __init__(self, document):
        self._levels: dict[str, dict[int, tuple[int, str, str]]] = {}  # numId -> ilvl -> (start, fmt, text)
        self._counters: dict[str, dict[int, int]] = {}
        self._styles = {node.get(f"{W}styleId"): node for node in document.styles.element.findall(f"{W}style")}
        try:
            root = document.part.numbering_part.element
        except (KeyError, NotImplementedError):  # no numbering part: no automatic lists
            return
        abstract = {}
        for node in root.findall(f"{W}abstractNum"):
            abstract[node.get(f"{W}abstractNumId")] = self._read_levels(node)
        for node in root.findall(f"{W}num"):
            ref = node.find(f"{W}abstractNumId")
            if ref is not None and ref.get(f"{W}val") in abstract:
                levels = dict(abstract[ref.get(f"{W}val")])
                for override in node.findall(f"{W}lvlOverride"):
                    start = override.find(f"{W}startOverride")
                    ilvl = int(override.get(f"{W}ilvl", "0"))
                    if start is not None and ilvl in levels:
                        _, fmt, text = levels[ilvl]
                        levels[ilvl] = (int(start.get(f"{W}val", "1")), fmt, text)
                self._levels[node.get(f"{W}numId")] = levels

    @staticmethod
    def _read_levels(node) -> dict[int, tuple[int, str, str]]:
        levels = {}
        for lvl in node.findall(f"{W}lvl"):
            start, fmt, text = lvl.find(f"{W}start"), lvl.find(f"{W}numFmt"), lvl.find(f"{W}lvlText")
            levels[int(lvl.get(f"{W}ilvl", "0"))] = (
                int(start.get(f"{W}val", "1")) if start is not None else 1,
                fmt.get(f"{W}val", "decimal") if fmt is not None else "decimal",
                text.get(f"{W}val", "") if text is not None else "",
            )
        return levels

    def _style_numbering(self, paragraph):
        """The list a paragraph's style (or a style it is based on) puts it in: "List Number" does."""
        style = paragraph.find(f"{W}pPr/{W}pStyle")
        style_id = style.get(f"{W}val") if style is not None else None
        for _ in range(8):  # basedOn chains are short; a cycle must not hang us
            node = self._styles.get(style_id)
            if node is None:
                return None
            if (num_pr := node.find(f"{W}pPr/{W}numPr")) is not None:
                return num_pr
            based = node.find(f"{W}basedOn")
            style_id = based.get(f"{W}val") if based is not None else None
        return None

    def label(self, paragraph) -> str:
        num_pr = paragraph.find(f"{W}pPr/{W}numPr")
        if num_pr is None:
            num_pr = self._style_numbering(paragraph)
        if num_pr is None:
            return ""
        num_id = num_pr.find(f"{W}numId")
        ilvl_node = num_pr.find(f"{W}ilvl")
        num_id = num_id.get(f"{W}val") if num_id is not None else None
        ilvl = int(ilvl_node.get(f"{W}val", "0")) if ilvl_node is not None else 0
        levels = self._levels.get(num_id)
        if not levels or ilvl not in levels:
            return ""
        counters = self._counters.setdefault(num_id, {})
        counters[ilvl] = counters.get(ilvl, levels[ilvl][0] - 1) + 1
        for deeper in [k for k in counters if k > ilvl]:
            del counters[deeper]  # a new item restarts its sub-lists
        _, fmt, text = levels[ilvl]
        if fmt in ("bullet", "none"):
            return ""

        def counter(match: re.Match) -> str:
            level = int(match[1]) - 1
            start, level_fmt, _ = levels.get(level, (1, "decimal", ""))
            return _format_counter(counters.get(level, start), level_fmt)

        return re.sub(r"%([1-9])", counter, text)


_UNIT_IN_HEADER = re.compile(r"[(\[【]\s*(?:单位\s*:?)?\s*(?P<unit>万元|亿元|元)\s*[)\]】]")
_BARE_NUMBER = re.compile(r"^-?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?$")
_UNIT_START = re.compile(r"^(?:万元|亿元|元|%)")
_SHORT_CELL = 30  # a findings-table cell this short is a value ("金额：5,000元"), longer is running text


class _DocxReader:
    def __init__(self, document):
        self._document = document
        self._numbering = _Numbering(document)
        self._seen_cells: set = set()  # cell elements already read: lxml keeps one proxy per node

    def lines(self, container) -> list[str]:
        """The lines of a body, a table cell or a content control, in order."""
        lines: list[str] = []
        for child in container.iterchildren():
            if child.tag == f"{W}p":
                lines += self._paragraph(child).split("\n")
            elif child.tag == f"{W}tbl":
                lines += self._table(child)
            elif child.tag == f"{W}sdt":
                content = child.find(f"{W}sdtContent")
                if content is not None:
                    lines += self.lines(content)
        return lines

    def _paragraph(self, element) -> str:
        """The text Word shows: runs in hyperlinks, fields, content controls and tracked
        insertions included; tracked deletions and text boxes left out."""
        runs = element.xpath(".//w:r[not(ancestor::w:del or ancestor::w:moveFrom or ancestor::w:txbxContent)]")
        return self._numbering.label(element) + "".join(run.text for run in runs)

    def _rows(self, element) -> list[list]:
        """The table's grid; a merged cell is given once, its other grid places are None."""
        rows = []
        for row in Table(element, self._document).rows:
            cells = []
            for cell in row.cells:
                if cell._tc in self._seen_cells:
                    cells.append(None)
                else:
                    self._seen_cells.add(cell._tc)
                    cells.append(cell)
            rows.append(cells)
        return rows

    def _cell_lines(self, cell) -> list[str]:
        return [line.strip() for line in self.lines(cell._tc) if line.strip()] if cell is not None else []

    def _cell_text(self, cell) -> str:
        """A data cell's paragraphs as one value; a number and its unit rejoin ("5,734" + "元")."""
        text = ""
        for line in self._cell_lines(cell):
            join = "" if not text or _UNIT_START.match(line) or normalize_text(text)[-1] in ",." else " "
            text += join + line
        return text

    def _table(self, element) -> list[str]:
        rows = [row for row in self._rows(element) if any(cell is not None for cell in row)]
        if not rows:
            return []
        if all(sum(cell is not None for cell in row) == 1 for row in rows):
            return [line for row in rows for cell in row if cell is not None for line in self._cell_lines(cell)]
        header = [self._cell_text(cell) for cell in rows[0]]
        fields = [field_for_header(text) for text in header]
        if len(rows) > 1 and ("summary" in fields or "description" in fields):
            return self._findings_table(header, fields, rows[1:])
        units = [_header_unit(text) for text in header]
        lines = ["\t".join(text for text in header if text)]
        for row in rows[1:]:
            cells = [(_with_unit(self._cell_text(cell), units[i] if i < len(units) else ""))
                     for i, cell in enumerate(row) if cell is not None]
            lines.append("\t".join(cells))
        return lines

    def _findings_table(self, header: list[str], fields: list, rows: list[list]) -> list[str]:
        """Each row as a numbered finding: "1、<问题>", then the row's other cells."""
        title_column = fields.index("summary") if "summary" in fields else fields.index("description")
        number_column = fields.index("number") if "number" in fields else None
        lines: list[str] = []
        for index, row in enumerate(rows, 1):
            cells = [self._cell_lines(cell) for cell in row]
            if not any(texts for i, texts in enumerate(cells) if i != number_column):
                continue
            number = index
            if number_column is not None and number_column < len(cells) and cells[number_column]:
                number = parse_chinese_int(normalize_text(cells[number_column][0]).rstrip("、.")) or index
            title = cells[title_column] if title_column < len(cells) else []
            lines.append(f"{number}、{title[0] if title else ''}")
            lines += title[1:]
            for i, texts in enumerate(cells):
                if i in (title_column, number_column) or not texts:
                    continue
                name = header[i] if i < len(header) else ""
                label = _UNIT_IN_HEADER.sub("", normalize_text(name)).strip()
                short = len(texts) == 1 and len(texts[0]) <= _SHORT_CELL and "。" not in texts[0]
                if short and label and (fields[i] if i < len(fields) else None) != "description":
                    lines.append(f"{label}：{_with_unit(texts[0], _header_unit(name))}")
                else:
                    lines += texts
        return lines


def _header_unit(header: str) -> str:
    match = _UNIT_IN_HEADER.search(normalize_text(header))
    return match["unit"] if match else ""


def _with_unit(text: str, unit: str) -> str:
    return text + unit if unit and _BARE_NUMBER.match(normalize_text(text).strip()) else text
