"""Reading a ledger file (.xlsx or .csv) into rows keyed by ledger field.

Nothing here touches the database: the importer validates `LedgerRow.values`
with `integrations.values` and writes. Rows stream from the file, so a
100,000-row workbook is never held in memory; iterating a `LedgerSheet`
again re-reads the file, which lets the importer validate every row before
writing any.
"""
import codecs
import csv
import posixpath
import re
import zipfile
from collections.abc import Iterator, Sequence
from datetime import datetime
from itertools import islice
from pathlib import Path
from typing import NamedTuple, Self
from xml.etree import ElementTree
from xml.parsers import expat

from integrations.ledger_columns import HeaderMatch, locate_header
from models.errors import ValidationError

_SCAN_ROWS = 15
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx alike
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
_WHITESPACE = re.compile(r"\s+")
_END_MARKS = re.compile(r"^(?:合计|总计|小计|填报人|填表人|制表人|审核人|注[:：]|说明[:：])")


class LedgerRow(NamedTuple):
    row_number: int  # 1-based, as the user sees it in Excel (the record number in a CSV)
    values: dict[str, object]  # field -> raw cell value, None when blank


class LedgerSheet:
    """An open ledger: its header and its data rows (iterate for `LedgerRow`s)."""

    def __init__(self, path: Path, sheet_name: str | None, header: HeaderMatch, source):
        self.path = path
        self.sheet_name = sheet_name
        self.header = header
        self._source = source  # callable returning a fresh iterator of raw rows

    def __iter__(self) -> Iterator[LedgerRow]:
        try:
            yield from _data_rows(self._source(), self.header)
        except ValidationError:
            raise
        except Exception as error:  # a workbook can be corrupt past the part we already read
            raise ValidationError(f"文件“{self.path.name}”读取失败，文件可能已损坏：{error}") from error

    def close(self) -> None:
        self._source.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def read_ledger(path) -> LedgerSheet:
    """Open a .xlsx or .csv ledger and find its header; ValidationError if unreadable."""
    path = Path(path)
    if not path.is_file():
        raise ValidationError(f"文件“{path}”不存在")
    suffix = path.suffix.lower()
    if suffix == ".xlsx":
        source, sheet_name = _open_xlsx(path)
    elif suffix == ".csv":
        try:
            source, sheet_name = _CsvSource(path), None
        except OSError as error:
            raise ValidationError(f"文件“{path.name}”无法读取：{error.strerror or error}") from None
    elif suffix == ".xls":
        raise ValidationError(f"文件“{path.name}”是旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入")
    else:
        raise ValidationError(f"文件“{path.name}”不是 .xlsx 或 .csv 台账，无法导入")
    rows = source()
    try:
        header = locate_header(islice(rows, _SCAN_ROWS + 1), max_scan=_SCAN_ROWS)
    except ValidationError as error:
        source.close()
        where = f"（工作表“{sheet_name}”）" if sheet_name else ""
        raise ValidationError(f"文件“{path.name}”{where}：{error}") from None
    except Exception as error:
        source.close()
        raise ValidationError(f"文件“{path.name}”读取失败，文件可能已损坏：{error}") from error
    finally:
        rows.close()  # the header scan stops early; release the file now
    return LedgerSheet(path, sheet_name, header, source)


def _data_rows(rows: Iterator[Sequence[object]], header: HeaderMatch) -> Iterator[LedgerRow]:
    """The rows below the header, blank rows and a trailing 合计/footer dropped.

    A 合计 (or 填报人：…) row ends the table only if no numbered row follows
    it; until that is known it and the unnumbered rows after it wait in
    `pending`, so a 小计 row in mid-table still reaches the importer (which
    reports it) instead of silently vanishing.
    """
    layout = sorted(header.columns.items())
    pending: list[LedgerRow] = []
    for row_number, row in enumerate(rows, start=1):
        if row_number <= header.data_row:
            continue
        width = len(row)
        values = {}
        blank = True
        for index, found in layout:
            cell = row[index] if index < width else None
            if cell.__class__ is str:
                cell = cell.strip() or None
            if cell is not None:
                blank = False
            values[found] = cell
        if blank:
            continue
        item = LedgerRow(row_number, values)
        if pending or _ends_table(row):
            if values["number"] is not None and not _ends_table(row):
                yield from pending
                pending.clear()
                yield item
            else:
                pending.append(item)
            continue
        yield item


def _ends_table(row: Sequence[object]) -> bool:
    """A 合计/总计 line or a footer such as 填报人：… (judged by the row's first filled cell)."""
    for cell in row:
        if cell is None:
            continue
        if cell.__class__ is not str:
            return False
        if cell.strip():
            return bool(_END_MARKS.match(_WHITESPACE.sub("", cell)))
    return False


# ---------------------------------------------------------------- .xlsx
#
# openpyxl's read-only mode takes ~30 s for 100,000 rows (it builds an object
# per cell, and more when strings are inline, as openpyxl itself writes them),
# so worksheets are streamed here with expat, using openpyxl only for its
# number-format and date helpers. Only what a ledger needs is read: cell
# values (cached results for formulas, as data_only=True gives), shared
# strings, date styles, sheet names and visibility.

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_MAIN = f"{{{_MAIN_NS}}}"
_REL_ID = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}id"
_PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}Relationship"
# expat names elements "<namespace> <local name>" with namespace_separator=" "
_ROW, _CELL, _VALUE, _TEXT, _PHONETIC, _STRING_ITEM = (
    f"{_MAIN_NS} {name}" for name in ("row", "c", "v", "t", "rPh", "si")
)
_XML_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
# Locale formats Chinese Excel leaves implicit (ECMA-376 18.8.30: ids 27-36 and
# 50-58 are dates such as yyyy"年"m"月"d"日" in zh-CN); without them such
# cells would read as bare serial numbers.
_CJK_DATE_FORMATS = frozenset(range(27, 37)) | frozenset(range(50, 59))
_CHUNK = 1 << 16


def _xml(archive: zipfile.ZipFile, part: str) -> ElementTree.Element:
    with archive.open(part) as stream:
        return ElementTree.parse(stream).getroot()


def _relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """rId -> (type, part name) for the relationships of `part` ("" for the package)."""
    folder, _, name = part.rpartition("/")
    rels_part = f"{folder}/_rels/{name}.rels" if folder else f"_rels/{name}.rels"
    if rels_part not in archive.namelist():
        return {}
    found = {}
    for rel in _xml(archive, rels_part).iter(_PKG_REL):
        target = rel.get("Target", "")
        target = target[1:] if target.startswith("/") else f"{folder}/{target}".lstrip("/")
        found[rel.get("Id")] = (rel.get("Type", "").rpartition("/")[2], posixpath.normpath(target))
    return found


def _expat():
    parser = expat.ParserCreate(namespace_separator=" ")
    parser.buffer_text = True
    return parser


def _unescape(text: str) -> str:
    """Excel writes control characters as _xHHHH_ (e.g. _x000D_ for a carriage return)."""
    return _XML_ESCAPE.sub(lambda m: chr(int(m[1], 16)), text) if "_x" in text else text


def _shared_strings(archive: zipfile.ZipFile, part: str | None) -> list[str]:
    if part is None:
        return []
    strings: list[str] = []
    pieces: list[str] = []
    parser = _expat()

    def start(name, attrs):
        if name == _TEXT:
            parser.CharacterDataHandler = pieces.append
        elif name == _PHONETIC:
            parser.StartElementHandler = None  # the reading aid's own <t> is not the text
            parser.EndElementHandler = end_phonetic

    def end(name):
        if name == _TEXT:
            parser.CharacterDataHandler = None
        elif name == _STRING_ITEM:
            strings.append(_unescape("".join(pieces)))
            pieces.clear()

    def end_phonetic(name):
        if name == _PHONETIC:
            parser.StartElementHandler, parser.EndElementHandler = start, end

    parser.StartElementHandler, parser.EndElementHandler = start, end
    with archive.open(part) as stream:
        parser.ParseFile(stream)
    return strings


def _date_styles(archive: zipfile.ZipFile, part: str | None) -> frozenset[str]:
    """Indices (as written in c/@s) of the cell formats that display dates."""
    if part is None:
        return frozenset()
    from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format

    styles = _xml(archive, part)
    custom = {int(fmt.get("numFmtId")): fmt.get("formatCode", "") for fmt in styles.iter(_MAIN + "numFmt")}
    cell_formats = styles.find(_MAIN + "cellXfs")
    dates = set()
    for index, xf in enumerate(cell_formats if cell_formats is not None else ()):
        fmt_id = int(xf.get("numFmtId", 0))
        if fmt_id in custom:
            is_date = is_date_format(custom[fmt_id])
        else:
            is_date = fmt_id in _CJK_DATE_FORMATS or is_date_format(BUILTIN_FORMATS.get(fmt_id, ""))
        if is_date:
            dates.add(str(index))
    return frozenset(dates)


def _open_xlsx(path: Path):
    with path.open("rb") as handle:
        head = handle.read(len(_OLE_MAGIC))
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise ValidationError(f"文件“{path.name}”设有打开密码，请在 Excel 中取消密码后再导入")
        raise ValidationError(f"文件“{path.name}”实为旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入")
    try:
        archive = zipfile.ZipFile(path)
    except (zipfile.BadZipFile, OSError):
        raise ValidationError(f"文件“{path.name}”不是有效的 .xlsx 文件，可能已损坏") from None
    try:
        source = _XlsxSource(archive, path.name)
    except ValidationError:
        archive.close()
        raise
    except Exception as error:
        archive.close()
        raise ValidationError(f"文件“{path.name}”无法打开，文件可能已损坏：{error}") from error
    return source, source.sheet_name


class _XlsxSource:
    """One worksheet of a workbook, re-readable as a stream of rows of cell values."""

    def __init__(self, archive: zipfile.ZipFile, file_name: str):
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        self._archive = archive
        package = _relationships(archive, "")
        book_part = next((part for kind, part in package.values() if kind == "officeDocument"), "xl/workbook.xml")
        book = _xml(archive, book_part)
        parts = _relationships(archive, book_part)
        sheets = [
            (sheet.get("name"), parts[sheet.get(_REL_ID)][1])
            for sheet in book.iter(_MAIN + "sheet")
            if sheet.get("state", "visible") == "visible" and parts.get(sheet.get(_REL_ID), ("",))[0] == "worksheet"
        ]
        if not sheets:
            raise ValidationError(f"文件“{file_name}”中没有可见的工作表")
        self.sheet_name, self._sheet_part = next((s for s in sheets if "台账" in s[0]), sheets[0])
        by_kind = {kind: part for kind, part in parts.values()}
        self._strings = _shared_strings(archive, by_kind.get("sharedStrings"))
        self._date_styles = _date_styles(archive, by_kind.get("styles"))
        properties = book.find(_MAIN + "workbookPr")
        in_1904 = properties is not None and properties.get("date1904") in ("1", "true")
        self._epoch = CALENDAR_MAC_1904 if in_1904 else CALENDAR_WINDOWS_1900

    def __call__(self) -> Iterator[Sequence[object]]:
        """Rows in order, as lists of values (None for an empty cell; () for an empty row).

        The expat callbacks run per element, hundreds of thousands of times a
        second, so they are kept flat: text is collected by pointing expat's
        character handler at a list's append only while inside <v> or <t>.
        """
        from openpyxl.utils.cell import column_index_from_string
        from openpyxl.utils.datetime import from_excel

        strings, date_styles, epoch = self._strings, self._date_styles, self._epoch
        parser = _expat()
        done: list[tuple[int, list[object]]] = []
        columns: dict[str, int] = {}
        pieces: list[str] = []
        row_number, cells, position, kind, style = 0, [], 0, "n", None

        def start(name, attrs):
            nonlocal row_number, cells, position, kind, style
            if name == _CELL:
                ref = attrs.get("r")
                if ref:
                    letters = ref.rstrip("0123456789")
                    position = columns.get(letters)
                    if position is None:
                        position = columns[letters] = column_index_from_string(letters) - 1
                kind = attrs.get("t", "n")
                style = attrs.get("s")
            elif name == _VALUE or name == _TEXT:
                parser.CharacterDataHandler = pieces.append
            elif name == _ROW:
                written = attrs.get("r")
                row_number = int(written) if written else 0
                cells, position = [], 0
            elif name == _PHONETIC:
                parser.StartElementHandler = None
                parser.EndElementHandler = end_phonetic

        def end(name):
            nonlocal position
            if name == _VALUE or name == _TEXT:
                parser.CharacterDataHandler = None
            elif name == _CELL:
                if pieces:
                    value = cell_value(kind, "".join(pieces), style)
                    pieces.clear()
                    if value is not None:
                        if position == len(cells):
                            cells.append(value)
                        else:
                            if position > len(cells):
                                cells.extend([None] * (position + 1 - len(cells)))
                            cells[position] = value
                position += 1
            elif name == _ROW:
                done.append((row_number, cells))

        def end_phonetic(name):
            if name == _PHONETIC:
                parser.StartElementHandler, parser.EndElementHandler = start, end

        def cell_value(kind: str, text: str, style):
            if kind == "s":
                return strings[int(text)]
            if kind == "n":
                number = float(text) if ("." in text or "E" in text or "e" in text) else int(text)
                if style in date_styles:
                    try:
                        return from_excel(number, epoch)
                    except (OverflowError, ValueError):
                        return number  # a "date" Excel itself cannot show: let the parser name it
                return number
            if kind == "inlineStr":
                return _unescape(text) or None
            if kind == "b":
                return text in ("1", "true")
            if kind == "d":
                return datetime.fromisoformat(text)
            return text or None  # "str" (a formula's text result) and "e" (#N/A, #VALUE!, …)

        parser.StartElementHandler, parser.EndElementHandler = start, end
        expected = 1
        with self._archive.open(self._sheet_part) as stream:
            while True:
                chunk = stream.read(_CHUNK)
                parser.Parse(chunk, not chunk)
                for number, row in done:
                    number = number or expected
                    while expected < number:  # rows with nothing in them are not written at all
                        yield ()
                        expected += 1
                    yield row
                    expected = number + 1
                done.clear()
                if not chunk:
                    return

    def close(self) -> None:
        self._archive.close()


# ---------------------------------------------------------------- .csv

class _CsvSource:
    def __init__(self, path: Path):
        self._path = path
        self._encoding = _csv_encoding(path)
        with path.open(encoding=self._encoding, newline="") as handle:
            sample = handle.read(64 * 1024)
        self._dialect = _csv_dialect(sample)

    def __call__(self) -> Iterator[Sequence[object]]:
        with self._path.open(encoding=self._encoding, newline="") as handle:
            yield from csv.reader(handle, self._dialect)

    def close(self) -> None:
        """Nothing stays open between iterations of a CSV file."""


def _csv_encoding(path: Path) -> str:
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030.

    Excel's "Unicode text" export is UTF-16 with a BOM; that is recognised too.
    """
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        if handle.read(2) in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
            return "utf-16"
        handle.seek(0)
        try:
            while chunk := handle.read(1 << 20):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return "gb18030"
    return "utf-8-sig"


def _csv_dialect(sample: str) -> str:
    lines = sample.splitlines()[:_SCAN_ROWS + 1]
    tabs = sum(line.count("\t") for line in lines)
    commas = sum(line.count(",") for line in lines)
    return "excel-tab" if tabs > commas else "excel"
