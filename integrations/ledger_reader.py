"""Reading a ledger file (.xlsx or .csv) into rows keyed by ledger field.

Nothing here touches the database: the importer validates `LedgerRow.values`
with `integrations.values` and writes. Rows stream from the file, so a
100,000-row workbook is never held in memory; iterating a `LedgerSheet`
again re-reads the file, which lets the importer validate every row before
writing any.
"""
import codecs
import csv
import re
import zipfile
from collections.abc import Iterator, Sequence
from itertools import islice
from pathlib import Path
from typing import NamedTuple

from integrations.ledger_columns import HeaderMatch, locate_header
from models.errors import ValidationError

_SCAN_ROWS = 15
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # .xls and password-protected .xlsx alike
_ENCRYPTED_STREAM = "EncryptedPackage".encode("utf-16-le")
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

    def __enter__(self) -> "LedgerSheet":
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
        source, sheet_name = _CsvSource(path), None
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
    first = next((cell for cell in row if cell is not None and str(cell).strip()), None)
    return isinstance(first, str) and bool(_END_MARKS.match(re.sub(r"\s+", "", first)))


# ---------------------------------------------------------------- .xlsx

def _open_xlsx(path: Path):
    with path.open("rb") as handle:
        head = handle.read(len(_OLE_MAGIC))
    if head == _OLE_MAGIC:
        if _ENCRYPTED_STREAM in path.read_bytes():
            raise ValidationError(f"文件“{path.name}”设有打开密码，请在 Excel 中取消密码后再导入")
        raise ValidationError(f"文件“{path.name}”实为旧版 .xls 格式，请在 Excel 中另存为 .xlsx 后再导入")
    if not zipfile.is_zipfile(path):
        raise ValidationError(f"文件“{path.name}”不是有效的 .xlsx 文件，可能已损坏")
    from openpyxl import load_workbook  # not needed for CSV imports, and slow to import

    try:
        workbook = load_workbook(path, read_only=True, data_only=True)
    except Exception as error:
        raise ValidationError(f"文件“{path.name}”无法打开，文件可能已损坏：{error}") from error
    visible = [sheet for sheet in workbook.worksheets if sheet.sheet_state == "visible"]
    if not visible:
        workbook.close()
        raise ValidationError(f"文件“{path.name}”中没有可见的工作表")
    sheet = next((s for s in visible if "台账" in s.title), visible[0])
    # Some writers record a wrong <dimension>; trusting it would cut rows or columns.
    sheet.reset_dimensions()
    return _XlsxSource(workbook, sheet), sheet.title


class _XlsxSource:
    def __init__(self, workbook, sheet):
        self._workbook = workbook
        self._sheet = sheet

    def __call__(self) -> Iterator[Sequence[object]]:
        return self._sheet.iter_rows(min_row=1, values_only=True)

    def close(self) -> None:
        self._workbook.close()


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
    """UTF-8 (with or without BOM) if the whole file decodes as such, else GB18030."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
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
