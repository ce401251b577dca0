"""Recognising the findings of an audit or inspection report (.docx, .txt).

`parse_report(path)` reads the file and proposes one `ProposedFinding` per
finding, named like the ledger fields, with a confidence mark per field and
a Chinese reason for each doubtful one. Nothing is written anywhere: the
coordinator checks the proposal first. See docs/report-parser.md.
"""
from collections.abc import Iterable
from pathlib import Path

from integrations.report_parser.model import (
    FINDING_FIELDS, Confidence, ParsedReport, ProposedFinding, ReportMetadata, Section, SectionKind,
)
from integrations.report_parser.reader import read_lines
from integrations.report_parser.structure import parse_lines
from models.categories import SEED_CATEGORIES
from models.errors import ValidationError

__all__ = [
    "FINDING_FIELDS", "Confidence", "ParsedReport", "ProposedFinding", "ReportMetadata", "Section",
    "SectionKind", "parse_lines", "parse_report", "read_lines",
]


def parse_report(path, categories: Iterable = SEED_CATEGORIES) -> ParsedReport:
    """Read and parse a report file; ValidationError (naming the file) if it holds no findings."""
    lines = read_lines(path)
    try:
        return parse_lines(lines, categories)
    except ValidationError as error:
        raise ValidationError(f"文件“{Path(path).name}”：{error}") from None
