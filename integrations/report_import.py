"""From an audit report to ledger rows: the glue behind `rectify import-report`.

The parser (integrations.report_parser) proposes the findings; this module
completes each into a ledger row (lead unit and deadline by the rules below),
writes the rows as an .xlsx draft in the ledger import's columns, and, once
the coordinator confirms, imports that very draft with `import_ledger`, so a
confirmed report and an edited draft take the same path into the database.

Lead unit of a finding, first rule that gives one (docs/report-parser.md):
  1. `--lead-unit` on the command line (every finding of the report);
  2. config `[import_report.lead_units]`: audited body as the report names it
     -> lead unit;
  3. the audited body's supervising unit (Unit.parent), when the body is a
     registered unit that has one;
  4. config `[import_report] lead_unit`;
  5. the audited body itself (marked 中: to be checked).
A finding without an audited body and no default gets none: the draft shows
the cell empty and flagged, and the import refuses it until it is filled.
Deadline: `--deadline`, else `[import_report] default_deadline`, else 60日,
counted from `--from` (default: today) as in the ledger import.
"""
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import delete
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from integrations.ledger_columns import BY_FIELD, COLUMNS
from integrations.ledger_import import ImportOptions, ImportReport, import_ledger
from integrations.report_parser import Confidence, ParsedReport, ProposedFinding
from integrations.report_parser.recognisers import find_doc_numbers
from integrations.values import normalize_text, parse_deadline_cell
from models.calendar import WorkCalendar
from models.errors import ValidationError
from models.ledger import Source, Unit
from models.lifecycle import actor_for
from models.lookup import find_person
from models.registration import find_source
from models.sources import add_source
from models.vocab import Role, SourceKind, parse_choice

BUILTIN_DEADLINE = "60日"
# Trailing draft columns for the coordinator's eyes only: no ledger column has
# these names or aliases, so the ledger import leaves them out.
CONFIDENCE_HEADER = "置信度"
DOUBTS_HEADER = "存疑说明"
DRAFT_EXTRA_HEADERS = (CONFIDENCE_HEADER, DOUBTS_HEADER)
DRAFT_SHEET = "整改台账"

_LEAD_BY_OPTION = "命令行 --lead-unit"
_LEAD_BY_MAPPING = "配置 import_report.lead_units"
_LEAD_BY_PARENT = "被检查单位的主管单位"
_LEAD_BY_DEFAULT = "配置 import_report.lead_unit"
_LEAD_BY_ITSELF = "被检查单位本身"


@dataclass(frozen=True)
class ReportDefaults:
    """What the report does not say: the lead unit and the deadline."""

    deadline: str = BUILTIN_DEADLINE
    lead_unit: str | None = None  # --lead-unit: every finding
    lead_units: Mapping[str, str] = field(default_factory=dict)  # audited body -> lead unit
    fallback_lead_unit: str | None = None  # [import_report] lead_unit

    @classmethod
    def from_config(cls, section: Mapping, *, lead_unit: str | None = None,
                    deadline: str | None = None) -> "ReportDefaults":
        """Defaults from the `[import_report]` config section, overridden by the command line."""
        where = "配置文件 [import_report]"
        configured = section.get("default_deadline")
        if configured is not None and not isinstance(configured, str):
            raise ValidationError(f"{where} default_deadline 应为文字，如 \"60日\"")
        fallback = section.get("lead_unit")
        if fallback is not None and (not isinstance(fallback, str) or not fallback.strip()):
            raise ValidationError(f"{where} lead_unit 应为单位名称")
        mapping = section.get("lead_units", {})
        if not isinstance(mapping, Mapping) or not all(
                isinstance(value, str) and value.strip() for value in mapping.values()):
            raise ValidationError(f"{where} 的 lead_units 应为“被检查单位 = 牵头单位”的对照表")
        if deadline is not None:
            _check_deadline(deadline, "--deadline")
        elif configured is not None:
            _check_deadline(configured, f"{where} default_deadline")
        return cls(
            deadline=(deadline or configured or BUILTIN_DEADLINE).strip(),
            lead_unit=lead_unit.strip() if lead_unit and lead_unit.strip() else None,
            lead_units={name.strip(): value.strip() for name, value in mapping.items()},
            fallback_lead_unit=fallback.strip() if fallback else None,
        )


def _check_deadline(text: str, where: str) -> None:
    try:
        cell = parse_deadline_cell(text, 2000)  # the year only matters for dates without one
    except ValidationError as error:
        raise ValidationError(f"{where}：{error}") from None
    if cell is None:
        raise ValidationError(f"{where} 不能为空")


@dataclass
class DraftRow:
    """A proposed finding completed into a ledger row (lead unit, deadline)."""

    finding: ProposedFinding  # its confidence/doubts also cover "lead_unit"
    lead_unit: str | None
    lead_rule: str | None  # which rule chose the lead unit, in Chinese
    deadline: str

    def marks(self) -> str:
        """"低：涉及金额；中：问题描述", or "高" when nothing is in doubt."""
        parts = []
        for level in (Confidence.LOW, Confidence.MEDIUM):
            names = [BY_FIELD[name].header for name, mark in self.finding.confidence.items() if mark is level]
            if names:
                parts.append(f"{level}：{'、'.join(names)}")
        return "；".join(parts) or str(Confidence.HIGH)

    def doubts(self) -> str:
        return "\n".join(f"{BY_FIELD[name].header}：{reason}" for name, reason in self.finding.doubts.items())


@dataclass(frozen=True)
class NewSource:
    """The source to create from the report's metadata when --source names none."""

    title: str
    kind: str
    doc_number: str | None
    issuer: str | None
    issued_on: date | None

    def describe(self) -> str:
        details = [self.kind, self.doc_number and f"文号 {self.doc_number}",
                   self.issuer and f"发文机关 {self.issuer}", self.issued_on and f"日期 {self.issued_on}"]
        return f"“{self.title}”（{'，'.join(d for d in details if d)}）"


@dataclass
class Proposal:
    report: ParsedReport
    source_name: str  # as given with --source
    source: Source | None  # the registered source, None when it is to be created
    new_source: NewSource | None
    rows: list[DraftRow]
    source_kind: str  # for the draft's 问题来源 column
    source_doc: str | None


def propose(engine: Engine, report: ParsedReport, *, source: str, actor: str, defaults: ReportDefaults,
            kind: str = SourceKind.AUDIT) -> Proposal:
    """Complete the parsed findings into ledger rows; reads the database, writes nothing."""
    source = source.strip()
    if not source:
        raise ValidationError("--source 不能为空")
    with Session(engine) as session:
        person = find_person(session, actor)
        if person.role != Role.COORDINATOR:
            raise ValidationError(f"{actor_for(session, person).label} 无权导入台账：仅限整改办")
        try:
            existing = find_source(session, source)
        except ValidationError:
            existing = None
        bodies = {f.audited_unit for f in report.findings if f.audited_unit}
        parents = _supervisors(session, bodies)
    new_source = None if existing else _new_source(source, report, parse_choice(SourceKind, kind, "来源类型"))
    rows = [_draft_row(finding, defaults, parents) for finding in report.findings]
    described = existing or new_source
    return Proposal(report, source, existing, new_source, rows, described.kind, described.doc_number)


def _supervisors(session: Session, names: set[str]) -> dict[str, str]:
    """Registered units among `names` -> their supervising unit's name (those with one)."""
    if not names:
        return {}
    units = list(session.exec(select(Unit).where(Unit.name.in_(sorted(names)), Unit.parent_id.is_not(None))))
    return {unit.name: session.get(Unit, unit.parent_id).name for unit in units}


def lead_unit_for(body: str | None, defaults: ReportDefaults, supervisors: Mapping[str, str]):
    """(lead unit, rule that chose it) for a finding about `body`; (None, None) when no rule applies."""
    if defaults.lead_unit:
        return defaults.lead_unit, _LEAD_BY_OPTION
    if body and body in defaults.lead_units:
        return defaults.lead_units[body], _LEAD_BY_MAPPING
    if body and body in supervisors:
        return supervisors[body], _LEAD_BY_PARENT
    if defaults.fallback_lead_unit:
        return defaults.fallback_lead_unit, _LEAD_BY_DEFAULT
    if body:
        return body, _LEAD_BY_ITSELF
    return None, None


def _draft_row(finding: ProposedFinding, defaults: ReportDefaults, supervisors: Mapping[str, str]) -> DraftRow:
    lead, rule = lead_unit_for(finding.audited_unit, defaults, supervisors)
    if rule == _LEAD_BY_ITSELF:
        finding.mark("lead_unit", Confidence.MEDIUM, "被检查单位未登记主管单位，也未配置默认牵头单位，暂以被检查单位为牵头单位，请核对")
    elif lead is None:
        finding.mark("lead_unit", Confidence.LOW, "未识别被检查单位，也未配置默认牵头单位，请填写")
    else:
        finding.mark("lead_unit", Confidence.HIGH)
    return DraftRow(finding, lead, rule, defaults.deadline)


def _new_source(name: str, report: ParsedReport, kind: SourceKind) -> NewSource:
    """The source --source names, from the report's metadata.

    `name` stays the title or the 文号, so the same --source finds the source
    later (`rectify ledger import --source …`).
    """
    meta = report.metadata
    is_doc_number = find_doc_numbers(name) == [name] or (
        meta.doc_number is not None and normalize_text(meta.doc_number) == normalize_text(name))
    if is_doc_number:
        return NewSource(meta.title or name, kind, name, meta.issuing_body, meta.date)
    return NewSource(name, kind, meta.doc_number, meta.issuing_body, meta.date)


# ---------------------------------------------------------------- the draft

def default_draft_path(report_path: Path) -> Path:
    """"<report>-台账草稿.xlsx" beside the report; never an existing file (it may hold the coordinator's edits)."""
    report_path = Path(report_path)
    path = report_path.with_name(f"{report_path.stem}-台账草稿.xlsx")
    counter = 2
    while path.exists():
        path = report_path.with_name(f"{report_path.stem}-台账草稿({counter}).xlsx")
        counter += 1
    return path


_WIDTHS = {"summary": 28, "description": 60, "legal_basis": 40, "directive": 30, "audited_unit": 16,
           "lead_unit": 16, "category": 14, "amount": 14, "source_doc": 18}
_FILLS = {Confidence.MEDIUM: "FFF2CC", Confidence.LOW: "F8CBAD"}  # light yellow, light red


def draft_values(proposal: Proposal, row: DraftRow) -> list:
    """One draft row: the ledger columns in COLUMNS order, then 置信度 and 存疑说明."""
    finding = row.finding
    values = {
        "number": finding.number, "source_kind": proposal.source_kind, "source_doc": proposal.source_doc,
        "category": finding.category, "summary": finding.summary, "description": finding.description,
        "amount": finding.amount, "legal_basis": finding.legal_basis, "directive": finding.directive,
        "audited_unit": finding.audited_unit, "lead_unit": row.lead_unit, "deadline": row.deadline,
    }
    return [values.get(column.field) for column in COLUMNS] + [row.marks(), row.doubts() or None]


def write_draft(proposal: Proposal, path: Path) -> Path:
    """Write the draft ledger (.xlsx): doubtful cells shaded, report details on a second sheet."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise ValidationError(f"台账草稿“{path.name}”须为 .xlsx 文件")

    def clean(value):
        return ILLEGAL_CHARACTERS_RE.sub("", value) if isinstance(value, str) else value

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DRAFT_SHEET
    sheet.append([column.header for column in COLUMNS] + list(DRAFT_EXTRA_HEADERS))
    position = {column.field: index for index, column in enumerate(COLUMNS, start=1)}
    wrap = Alignment(wrap_text=True, vertical="top")
    for row in proposal.rows:
        sheet.append([clean(value) for value in draft_values(proposal, row)])
        for name, mark in row.finding.confidence.items():
            if mark in _FILLS:
                sheet.cell(sheet.max_row, position[name]).fill = PatternFill("solid", fgColor=_FILLS[mark])
        sheet.cell(sheet.max_row, position["amount"]).number_format = "#,##0.00"
        for cell in sheet[sheet.max_row]:
            cell.alignment = wrap
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for field_name, width in _WIDTHS.items():
        sheet.column_dimensions[get_column_letter(position[field_name])].width = width
    sheet.column_dimensions[get_column_letter(len(COLUMNS) + 2)].width = 50
    sheet.freeze_panes = "B2"

    about = workbook.create_sheet("报告信息")
    meta = proposal.report.metadata
    for label, value in (("来源", proposal.source_name), ("标题", meta.title), ("发文机关", meta.issuing_body),
                         ("文号", meta.doc_number), ("日期", meta.date), ("审计期间", meta.period),
                         ("提示", "\n".join(proposal.report.warnings) or None),
                         ("审计建议", proposal.report.advice)):
        about.append([label, clean(value)])
    about.column_dimensions["B"].width = 100
    try:
        workbook.save(path)
    except OSError as error:
        raise ValidationError(f"台账草稿“{path}”无法写入：{error.strerror or error}") from None
    return path


# ---------------------------------------------------------------- confirming

@dataclass
class Confirmed:
    imported: ImportReport
    created_source: NewSource | None
    advice_attached: bool


def confirm(engine: Engine, proposal: Proposal, draft: Path, *, actor: str, now: datetime, calendar: WorkCalendar,
            anchor=None) -> Confirmed:
    """Register the draft's findings through the ledger import, all or nothing.

    A source to be created is created first (the import needs it) and taken
    away again if the import refuses the draft, so a refusal writes nothing.
    The report's 审计建议 goes to the source when it has none.
    """
    created_id = None
    if proposal.new_source is not None:
        created_id = _create_source(engine, proposal.new_source, proposal.report.advice, now)
    options = ImportOptions(source=proposal.source_name, actor=actor, now=now, anchor=anchor)
    try:
        imported = import_ledger(engine, draft, options, calendar)
    except BaseException:
        if created_id is not None:
            with Session(engine) as session, session.begin():
                session.execute(delete(Source).where(Source.id == created_id))
        raise
    advice_attached = created_id is not None and bool(proposal.report.advice)
    if created_id is None and proposal.report.advice:
        advice_attached = _attach_advice(engine, proposal.source_name, proposal.report.advice)
    return Confirmed(imported, proposal.new_source, advice_attached)


def _create_source(engine: Engine, new: NewSource, advice: str | None, now: datetime) -> int:
    with Session(engine) as session, session.begin():
        return add_source(session, title=new.title, kind=new.kind, doc_number=new.doc_number, issuer=new.issuer,
                          issued_on=new.issued_on, now=now, advice=advice).id


def _attach_advice(engine: Engine, source_name: str, advice: str) -> bool:
    with Session(engine) as session, session.begin():
        source = find_source(session, source_name)
        if source.advice:
            return False
        source.advice = advice
        session.add(source)
    return True
