"""Building real report files for the tests: .docx through python-docx, a
PNG for scanned pages, and an OLE2 compound file like the one Word writes
for a password-protected .docx."""
import struct
import zlib
from io import BytesIO
from pathlib import Path

from docx import Document
from docx.oxml import parse_xml

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"

Cell = str | list[str]  # one paragraph, or several
Block = str | list[list[Cell]]  # a paragraph, or a table given row by row


def write_docx(path: Path, blocks: list[Block]) -> Path:
    """A .docx holding the blocks in order: strings as paragraphs, lists as tables."""
    document = Document()
    for block in blocks:
        if isinstance(block, str):
            document.add_paragraph(block)
            continue
        width = max(len(row) for row in block)
        table = document.add_table(rows=len(block), cols=width)
        for row, cells in zip(table.rows, block):
            for cell, value in zip(row.cells, cells):
                paragraphs = [value] if isinstance(value, str) else value
                cell.text = paragraphs[0] if paragraphs else ""
                for extra in paragraphs[1:]:
                    cell.add_paragraph(extra)
    document.save(str(path))
    return path


def add_chinese_numbering(document, num_id: int, levels: list[tuple[str, str]]) -> None:
    """Define list `num_id` with one (numFmt, lvlText) per level, as WPS writes 一、 and （一）."""
    numbering = document.part.numbering_part.element
    lvls = "".join(
        f'<w:lvl w:ilvl="{i}"><w:start w:val="1"/><w:numFmt w:val="{fmt}"/><w:lvlText w:val="{text}"/></w:lvl>'
        for i, (fmt, text) in enumerate(levels)
    )
    numbering.insert(0, parse_xml(f'<w:abstractNum xmlns:w="{W_NS}" w:abstractNumId="{num_id}">{lvls}</w:abstractNum>'))
    numbering.append(parse_xml(
        f'<w:num xmlns:w="{W_NS}" w:numId="{num_id}"><w:abstractNumId w:val="{num_id}"/></w:num>'))


def number_paragraph(paragraph, num_id: int, level: int) -> None:
    p_pr = paragraph._p.get_or_add_pPr()
    p_pr.append(parse_xml(
        f'<w:numPr xmlns:w="{W_NS}"><w:ilvl w:val="{level}"/><w:numId w:val="{num_id}"/></w:numPr>'))


def png_bytes(width: int = 8, height: int = 8) -> bytes:
    """A small grey PNG, standing in for a scanned page."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))

    rows = b"".join(b"\x00" + b"\x80" * width for _ in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


def write_scanned_docx(path: Path, pages: int = 2) -> Path:
    document = Document()
    for _ in range(pages):
        document.add_picture(BytesIO(png_bytes()))
    document.save(str(path))
    return path


_FREE, _END, _FAT_SECTOR, _NO_STREAM = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD, 0xFFFFFFFF


def _directory_entry(name: str, kind: int, start: int, size: int, child: int = _NO_STREAM,
                     right: int = _NO_STREAM) -> bytes:
    encoded = (name + "\0").encode("utf-16-le")
    return (encoded.ljust(64, b"\0") + struct.pack("<HBB", len(encoded), kind, 1)
            + struct.pack("<III", _NO_STREAM, right, child) + bytes(16 + 4 + 16) + struct.pack("<IQ", start, size))


def compound_file(streams: dict[str, bytes]) -> bytes:
    """An OLE2 compound file (version 3, 512-byte sectors) holding `streams` in regular sectors."""
    fat = [_FAT_SECTOR, _END]  # sector 0: the FAT, sector 1: the directory
    entries, data = [], b""
    for index, (name, payload) in enumerate(streams.items()):
        payload = payload.ljust(max(4096, -(-len(payload) // 512) * 512), b"\0")  # past the mini-stream cutoff
        start, count = len(fat), len(payload) // 512
        fat += [start + i + 1 for i in range(count - 1)] + [_END]
        more = index + 2 if index + 1 < len(streams) else _NO_STREAM
        entries.append(_directory_entry(name, 2, start, len(payload), right=more))
        data += payload
    assert len(fat) <= 128, "one FAT sector is enough for the tests"
    directory = _directory_entry("Root Entry", 5, _END, 0, child=1) + b"".join(entries)
    directory = directory.ljust(512, b"\0")
    header = (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + struct.pack("<HHHHH", 0x3E, 3, 0xFFFE, 9, 6)
              + bytes(6) + struct.pack("<9I", 0, 1, 1, 0, 4096, _END, 0, _END, 0)
              + struct.pack("<I", 0) + struct.pack("<I", _FREE) * 108)
    return header + struct.pack("<128I", *(fat + [_FREE] * (128 - len(fat)))) + directory + data


def write_encrypted_docx(path: Path) -> Path:
    """What Word saves for a .docx with an open password: the package encrypted inside OLE2 streams."""
    path.write_bytes(compound_file({
        "EncryptionInfo": struct.pack("<HHI", 4, 4, 0x40) + b"<encryption/>",
        "EncryptedPackage": struct.pack("<Q", 4096) + bytes(range(256)) * 8,
    }))
    return path
