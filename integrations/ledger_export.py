"""Exporting the ledger as .xlsx or .csv, in the import's columns, so a
coordinator can edit the file and import it again (round trip)."""
import csv
from collections import defaultdict
from pathlib import Path

from sqlmodel import Session, select

from integrations.ledger_columns import COLUMNS
from integrations.ledger_import import AMOUNT_FIELDS
from models.errors import ValidationError
from models.ledger import Category, Evidence, Finding, FindingCoUnit, Milestone, Person, Recovery, Source, Unit
from models.vocab import Status


def ledger_rows(session: Session, source_id: int | None = None):
    """One dict per finding, keyed by ledger field, in ledger order."""
    query = select(Finding).order_by(Finding.source_id, Finding.id)
    if source_id is not None:
        query = query.where(Finding.source_id == source_id)
    findings = list(session.exec(query))
    ids = [f.id for f in findings]
    units = {u.id: u.name for u in session.exec(select(Unit))}
    people = {p.id: p.name for p in session.exec(select(Person))}
    categories = {c.id: c.name for c in session.exec(select(Category))}
    sources = {s.id: s for s in session.exec(select(Source))}
    co_units, milestones, evidence = defaultdict(list), defaultdict(list), defaultdict(list)
    amounts = defaultdict(lambda: defaultdict(int))
    for link in _children(session, FindingCoUnit, ids):
        co_units[link.finding_id].append(units[link.unit_id])
    for milestone in _children(session, Milestone, ids, Milestone.seq):
        milestones[milestone.finding_id].append(f"{milestone.due_on.isoformat()} {milestone.title}")
    for item in _children(session, Evidence, ids, Evidence.id):
        evidence[item.finding_id].append(item.name)
    for recovery in _children(session, Recovery, ids):
        amounts[recovery.finding_id][recovery.kind] += recovery.amount
    for finding in findings:
        source = sources[finding.source_id]
        row = {
            "number": finding.number, "source_kind": source.kind, "source_doc": source.doc_number,
            "category": categories[finding.category_id], "summary": finding.summary,
            "description": finding.description, "amount": finding.amount_involved,
            "legal_basis": finding.legal_basis, "directive": finding.directive,
            "rectification_type": finding.rectification_type,
            "audited_unit": units.get(finding.audited_unit_id), "lead_unit": units[finding.lead_unit_id],
            "co_units": "、".join(co_units[finding.id]) or None,
            "responsible_leader": people.get(finding.responsible_leader_id),
            "responsible_person": people.get(finding.responsible_person_id),
            "measures": finding.measures, "deadline": finding.deadline,
            "milestones": "；".join(milestones[finding.id]) or None, "progress": finding.progress,
            "result": finding.result, "evidence": "；".join(evidence[finding.id]) or None,
            "status": finding.status, "closed": "是" if finding.status == Status.CLOSED else "否",
            "closed_on": finding.closed_on, "remarks": finding.remarks,
        }
        for field_name, kind in AMOUNT_FIELDS.items():
            row[field_name] = amounts[finding.id].get(kind)
        yield row


def _children(session, model, ids, order=None):
    """Rows of `model` for the given findings, fetched in chunks (IN lists stay small)."""
    for start in range(0, len(ids), 5000):
        query = select(model).where(model.finding_id.in_(ids[start:start + 5000]))
        if order is not None:
            query = query.order_by(model.finding_id, order)
        yield from session.exec(query)


def export_ledger(session: Session, path: Path, source_id: int | None = None) -> int:
    """Write the ledger to `path` (.xlsx or .csv); returns the number of findings written."""
    suffix = path.suffix.lower()
    if suffix not in (".xlsx", ".csv"):
        raise ValidationError(f"导出文件“{path.name}”须为 .xlsx 或 .csv")
    headers = [column.header for column in COLUMNS]
    rows = ([row[column.field] for column in COLUMNS] for row in ledger_rows(session, source_id))
    count = 0
    if suffix == ".csv":
        with path.open("w", encoding="utf-8-sig", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers)
            for row in rows:
                writer.writerow(["" if value is None else value for value in row])
                count += 1
        return count
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("整改台账")
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
        count += 1
    workbook.save(path)
    return count
