"""What the report parser proposes: plain dataclasses, no database.

`ProposedFinding` fields are named like the ledger fields of
`integrations.ledger_columns` (number, audited_unit, summary, description,
amount, legal_basis, directive, category), so a proposed finding maps onto a
ledger row column for column. Every field carries a confidence mark; a field
marked 中 or 低 also has a Chinese reason in `doubts`, which the preview shows
to the coordinator.
"""
import datetime
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum


class Confidence(StrEnum):
    HIGH = "高"
    MEDIUM = "中"
    LOW = "低"


class SectionKind(StrEnum):
    """What a top-level section (一、二、…) of a report is about."""

    BACKGROUND = "基本情况"
    CONDUCT = "审计调查实施情况"
    EVALUATION = "审计评价"
    FINDINGS = "发现的问题"
    CAUSES = "原因分析"
    ADVICE = "审计建议"
    DECISIONS = "处理意见"
    FOLLOW_UP = "整改情况"
    OTHER = "其他"


# The proposed fields, in ledger order; the keys of `confidence` and `doubts`.
FINDING_FIELDS = (
    "number", "audited_unit", "summary", "description", "amount", "legal_basis", "directive", "category",
)


@dataclass
class ProposedFinding:
    """One finding as the parser reads it, for the coordinator to check."""

    number: str  # "2-3" = group (二), finding 3; see docs/report-parser.md
    audited_unit: str | None
    summary: str
    description: str
    amount: Decimal | None
    legal_basis: str | None
    directive: str | None
    category: str
    category_words: tuple[str, ...] = ()
    confidence: dict[str, Confidence] = field(default_factory=dict)
    doubts: dict[str, str] = field(default_factory=dict)

    def mark(self, name: str, level: Confidence, reason: str | None = None) -> None:
        """Set a field's confidence; anything below 高 must say why."""
        self.confidence[name] = level
        if level is Confidence.HIGH:
            self.doubts.pop(name, None)
        else:
            self.doubts[name] = reason or "请核对"


@dataclass(frozen=True)
class ReportMetadata:
    title: str | None = None
    issuing_body: str | None = None
    audited_body: str | None = None  # when the whole report is about one body ("关于XX医院…的通报")
    doc_number: str | None = None  # the report's own 文号, e.g. 云审报〔2021〕22号
    date: datetime.date | None = None  # the report's date, when written in full
    period: str | None = None  # the period audited, as written: "20xx年至20xx年5月"


@dataclass(frozen=True)
class Section:
    number: int
    heading: str  # as written, without the numeral
    kind: SectionKind


@dataclass
class ParsedReport:
    metadata: ReportMetadata
    sections: list[Section]
    advice: str | None  # the 审计建议 section, lines joined by "\n"
    findings: list[ProposedFinding]
    warnings: list[str] = field(default_factory=list)  # report-level remarks in Chinese
