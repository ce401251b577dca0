"""Importing an Excel/CSV ledger into the database, all or nothing.

Every row is parsed and checked, and every problem is collected (row
number, column as the file names it, value, what is wrong). Only a file
without problems is committed: rows are inserted in bulk, chunk by chunk as
they pass, inside one transaction, so memory stays flat on a 100,000-row
file; once a row fails nothing more is inserted and the transaction is
rolled back after the whole file has been checked. Findings
already registered under the same source and number are skipped, so
importing the same ledger twice does not duplicate anything.
"""
import threading
from contextlib import closing
from dataclasses import dataclass, field
from datetime import date, datetime
from queue import Full, Queue

from sqlalchemy.engine import Engine
from sqlmodel import Session

from integrations.ledger_columns import COLUMNS
from integrations.ledger_reader import LedgerRow, read_ledger
from integrations.values import (
    DeadlineCell, parse_amount, parse_bool_cell, parse_date, parse_deadline_cell, parse_text, split_names,
)
from models.calendar import WorkCalendar
from models.deadlines import DeadlineKind, DeadlineRule
from models.errors import RectifyError, ValidationError
from models.lifecycle import actor_for
from models.lookup import find_person
from models.registration import (
    Directory, FindingIn, MilestoneIn, Prepared, existing_numbers, find_source, insert_findings, prepare_finding,
)
from models.vocab import RecoveryKind, RectificationType, Role, Status, parse_choice

AMOUNT_FIELDS = {
    "recovered_fund": RecoveryKind.RECOVERED,
    "fines": RecoveryKind.FINE,
    "penalty": RecoveryKind.LIQUIDATED_DAMAGES,
    "returned_to_channel": RecoveryKind.RETURNED_TO_CHANNEL,
    "adjusted": RecoveryKind.ADJUSTED,
}
HEADERS = {column.field: column.header for column in COLUMNS}
INSERT_CHUNK = 2000  # rows written per bulk insert
PARSE_BATCH = 500  # parsed rows handed from the parsing thread at a time


def rule_from_cell(cell: DeadlineCell, anchor: date) -> DeadlineRule:
    if cell.kind == "fixed":
        return DeadlineRule.fixed(cell.on)
    return DeadlineRule(DeadlineKind(cell.kind), cell.days, anchor)


def rule_from_text(text: str, anchor: date) -> DeadlineRule:
    """A deadline as a coordinator types it: a date, "30日", "10个工作日" or "立行立改"."""
    cell = parse_deadline_cell(text, anchor.year)
    if cell is None:
        raise ValidationError("整改时限不能为空")
    return rule_from_cell(cell, anchor)


@dataclass(frozen=True)
class RowProblem:
    row_number: int
    column: str
    value: object
    problem: str

    def __str__(self) -> str:
        shown = "" if self.value is None else f"“{self.value}”"
        return f"第 {self.row_number} 行【{self.column}】{shown}：{self.problem}"


@dataclass
class ImportReport:
    file: str
    rows: int = 0
    imported: list[str] = field(default_factory=list)
    skipped_existing: list[str] = field(default_factory=list)
    created_units: list[str] = field(default_factory=list)
    created_people: list[str] = field(default_factory=list)
    unrecognised_headers: tuple[str, ...] = ()
    dry_run: bool = False


class ImportFailed(RectifyError):
    def __init__(self, file: str, problems: list[RowProblem]):
        self.problems = problems
        lines = [f"台账“{file}”有 {len(problems)} 处问题，未导入任何数据："]
        lines += [f"  {p}" for p in problems]
        super().__init__("\n".join(lines))


@dataclass
class ImportOptions:
    source: str
    actor: str
    now: datetime
    anchor: date | None = None  # day relative deadlines ("30日") count from; default: now's date
    default_year: int | None = None  # for dates written without a year ("5月20日前")
    strict: bool = False  # refuse units and people not already in the database
    dry_run: bool = False


def import_ledger(engine: Engine, path, options: ImportOptions, calendar: WorkCalendar) -> ImportReport:
    report = ImportReport(file=str(path), dry_run=options.dry_run)
    with read_ledger(path) as sheet, Session(engine, expire_on_commit=False) as session:
        report.unrecognised_headers = sheet.header.unrecognised
        labels = {f: sheet.header.labels.get(f, HEADERS.get(f, f)) for f in HEADERS}
        wan_fields = {sheet.header.columns[i] for i in sheet.header.wan_columns}
        with session.begin():
            source = find_source(session, options.source)
            actor = actor_for(session, find_person(session, options.actor))
            if actor.person.role != Role.COORDINATOR:
                raise ValidationError(f"{actor.label} 无权导入台账：仅限整改办")
            directory = Directory(session, options.now, create_missing=not options.strict)
            known = existing_numbers(session, source.id)
            pending: list[Prepared] = []
            problems: list[RowProblem] = []
            seen: dict[str, int] = {}
            with closing(_parsed_in_background(sheet, options, labels, wan_fields)) as parsed_rows:
                for row, data, row_problems in parsed_rows:
                    report.rows += 1
                    problems += row_problems
                    if data is None:
                        continue
                    number = data.number.strip()
                    if number in seen:
                        problems.append(RowProblem(row.row_number, labels["number"], number,
                                                   f"编号与第 {seen[number]} 行重复"))
                        continue
                    seen[number] = row.row_number
                    if number in known:
                        report.skipped_existing.append(number)
                        continue
                    try:
                        pending.append(prepare_finding(directory, source, data, calendar))
                    except RectifyError as exc:
                        column = labels.get(exc.field, "整行")
                        problems.append(RowProblem(row.row_number, column, data_value(row, exc.field), str(exc)))
                    if len(pending) >= INSERT_CHUNK:
                        _insert(session, pending, problems, actor, options.now, report)
            if problems:
                raise ImportFailed(sheet.path.name, problems)
            _insert(session, pending, problems, actor, options.now, report)
            report.created_units = directory.created_units
            report.created_people = directory.created_people
            if options.dry_run:
                session.rollback()
    return report


def _parsed_in_background(sheet, options: ImportOptions, labels, wan_fields):
    """(row, FindingIn or None, the row's problems) for each data row, in order.

    The rows are read and parsed by a second thread: that work needs no
    database, and it runs while the importing thread waits for PostgreSQL to
    take a chunk (COPY and foreign-key checks, outside the GIL), which takes
    about a tenth off a large import there.
    """
    batches: Queue = Queue(maxsize=8)
    stop = threading.Event()

    def hand_over(item) -> bool:
        while not stop.is_set():
            try:
                batches.put(item, timeout=0.1)
                return True
            except Full:
                continue
        return False

    def parse() -> None:
        try:
            batch = []
            for row in sheet:
                found: list[RowProblem] = []
                batch.append((row, _row_to_finding(row, options, labels, wan_fields, found), found))
                if len(batch) == PARSE_BATCH:
                    if not hand_over(batch):
                        return
                    batch = []
            hand_over(batch) and hand_over(None)
        except BaseException as error:  # re-raised in the importing thread
            hand_over(error)

    worker = threading.Thread(target=parse, name="ledger-parse", daemon=True)
    worker.start()
    try:
        while (batch := batches.get()) is not None:
            if isinstance(batch, BaseException):
                raise batch
            yield from batch
    finally:
        stop.set()
        worker.join()


def _insert(session, pending: list[Prepared], problems, actor, now: datetime, report: ImportReport) -> None:
    """Write a chunk of checked rows (none once a row has failed: all will be rolled back) and empty it."""
    if not problems:
        insert_findings(session, pending, actor, now)
    report.imported += [p.data.number.strip() for p in pending]
    pending.clear()


def _row_to_finding(row: LedgerRow, options: ImportOptions, labels, wan_fields, problems) -> FindingIn | None:
    """Parse one row; append every problem found and return None if there was any."""
    values = row.values
    found: list[RowProblem] = []
    default_year = options.default_year or options.now.year
    anchor = options.anchor or options.now.date()

    def parsed(field_name, parser, *args, **kwargs):
        try:
            return parser(values.get(field_name), *args, **kwargs)
        except ValidationError as exc:
            found.append(RowProblem(row.row_number, labels[field_name], values.get(field_name), str(exc)))
            return None

    def required(field_name, value):
        # A cell that failed to parse is already reported: it is wrong, not empty.
        if value in (None, "") and not any(p.column == labels[field_name] for p in found):
            found.append(RowProblem(row.row_number, labels[field_name], None, "不能为空"))
        return value

    def choice(field_name, enum_cls, default):
        text = parsed(field_name, parse_text)
        if not text:
            return default
        try:
            return parse_choice(enum_cls, text, labels[field_name])
        except ValidationError as exc:
            found.append(RowProblem(row.row_number, labels[field_name], text, str(exc)))
            return default

    number = required("number", parsed("number", parse_text))
    summary = parsed("summary", parse_text) or parsed("description", parse_text)
    required("summary", summary)
    lead_unit = required("lead_unit", parsed("lead_unit", parse_text))
    cell = required("deadline", parsed("deadline", parse_deadline_cell, default_year))
    closed = parsed("closed", parse_bool_cell)
    status = choice("status", Status, Status.CLOSED if closed else Status.PENDING)
    if closed and status != Status.CLOSED:
        found.append(RowProblem(row.row_number, labels["closed"], values.get("closed"), f"与状态“{status}”矛盾"))
    amounts = {}
    for field_name, kind in AMOUNT_FIELDS.items():
        amount = parsed(field_name, parse_amount, in_wan=field_name in wan_fields)
        if amount:
            amounts[kind] = amount
    data = FindingIn(
        number=str(number or ""), summary=(summary or "")[:500], category=parsed("category", parse_text) or "其他",
        lead_unit=lead_unit or "", rule=rule_from_cell(cell, anchor) if cell else DeadlineRule.fixed(anchor),
        rectification_type=choice("rectification_type", RectificationType, RectificationType.PHASED),
        description=parsed("description", parse_text),
        amount_involved=parsed("amount", parse_amount, in_wan="amount" in wan_fields),
        legal_basis=parsed("legal_basis", parse_text), directive=parsed("directive", parse_text),
        audited_unit=parsed("audited_unit", parse_text), co_units=parsed("co_units", split_names) or [],
        responsible_leader=parsed("responsible_leader", parse_text),
        responsible_person=parsed("responsible_person", parse_text),
        measures=parsed("measures", parse_text), milestones=_milestones(row, labels, default_year, found),
        remarks=parsed("remarks", parse_text), status=status, progress=parsed("progress", parse_text),
        result=parsed("result", parse_text), closed_on=parsed("closed_on", parse_date, default_year),
        amounts_rectified=amounts, evidence_references=split_evidence(parsed("evidence", parse_text)),
    )
    problems.extend(found)
    return None if found else data


def data_value(row: LedgerRow, field_name: str | None):
    return row.values.get(field_name) if field_name else None


def split_evidence(text: str | None) -> list[str]:
    if not text:
        return []
    return [part.strip() for part in text.replace("；", ";").replace("\n", ";").split(";") if part.strip()]


def _milestones(row: LedgerRow, labels, default_year: int, found: list) -> list[MilestoneIn]:
    """阶段节点 written as "2026年6月30日 完成制度修订；2026年12月31日 全面完成"."""
    text = parse_text(row.values.get("milestones"))
    milestones = []
    for part in split_evidence(text):
        head, _, title = part.partition(" ")
        try:
            due_on = parse_date(head, default_year)
        except ValidationError as exc:
            found.append(RowProblem(row.row_number, labels["milestones"], part, f"阶段节点应写成“日期 内容”：{exc}"))
            continue
        milestones.append(MilestoneIn(title=title.strip() or part, due_on=due_on))
    return milestones
