"""Importing the sample county's ledger: what lands in the database, the
dry run, re-importing, and strict mode."""
from datetime import date
from decimal import Decimal

import pytest
from sqlmodel import Session, select

from integrations import ledger_import
from integrations.ledger_import import ImportFailed
from models.history import events_of
from models.ledger import Finding, FindingCoUnit, Milestone, Person, Unit
from models.units import add_unit
from tests.ledger_import.conftest import ANCHOR, NOW, row_counts
from tests.samples_ledger import SAMPLE_FINDINGS, write_sample_ledger

NUMBERS = [finding.number for finding in SAMPLE_FINDINGS]
NEW_UNITS = ["县卫生局", "县民政局", "县人社局", "县教育局", "县物价局", "次丘中心卫生院", "康驿镇卫生院"]

# number -> (deadline, rule kind, days) from the report's receipt on 2025-09-25
DEADLINES = {
    "1": (date(2025, 9, 25), "immediate", None),
    "2-1": (date(2026, 6, 30), "fixed", None),
    "2-2": (date(2025, 10, 27), "natural", 30),  # day 30 is Saturday 10-25
    "2-3": (date(2025, 10, 15), "working", 10),  # across National Day and the 9-28 make-up day
    "2-4": (date(2026, 6, 30), "fixed", None),  # "6月30日前" in the default year
    "2-5": (date(2025, 10, 27), "natural", 30),
    "2-6": (date(2025, 12, 31), "fixed", None),  # an Excel date cell
    "2-7": (date(2025, 10, 9), "natural", 10),  # day 10 (10-05) is in the National Day holiday
    "2-8": (date(2026, 3, 31), "fixed", None),
    "3-1": (date(2025, 11, 24), "natural", 60),
    "3-2": (date(2025, 12, 31), "fixed", None),
    "3-3": (date(2025, 9, 25), "immediate", None),
}


@pytest.fixture(params=[ledger_import.INSERT_CHUNK, 5], ids=["one-chunk", "chunks-of-5"])
def chunked(request, monkeypatch):
    """Import in one bulk insert, or in several inside the one transaction (as large files are)."""
    monkeypatch.setattr(ledger_import, "INSERT_CHUNK", request.param)


@pytest.fixture
def ledger(tmp_path):
    return write_sample_ledger(tmp_path / "新农合审计整改台账.xlsx")


def _findings(engine) -> dict[str, Finding]:
    with Session(engine) as session:
        return {f.number: f for f in session.exec(select(Finding))}


def _unit_names(engine) -> dict[int, str]:
    with Session(engine) as session:
        return {u.id: u.name for u in session.exec(select(Unit))}


def test_sample_ledger_imports_every_finding(engine, run_import, ledger, chunked):
    report = run_import(ledger)

    assert report.rows == 12 and report.imported == NUMBERS
    assert report.skipped_existing == [] and report.unrecognised_headers == ()
    assert report.created_units == NEW_UNITS and report.created_people == []
    findings, units = _findings(engine), _unit_names(engine)
    assert sorted(findings) == sorted(NUMBERS)
    for sample in SAMPLE_FINDINGS:
        found = findings[sample.number]
        assert (found.summary, found.description, found.legal_basis, found.directive) == (
            sample.summary, sample.description, sample.legal_basis, sample.directive)
        assert found.amount_involved == sample.amount
        assert units[found.lead_unit_id] == sample.lead_unit
        assert found.rectification_type == sample.rectification_type
        assert found.status == "待整改"
        assert (found.deadline, found.deadline_kind, found.deadline_days) == DEADLINES[sample.number]
        assert found.deadline_anchor == (DEADLINES[sample.number][0] if found.deadline_kind == "fixed" else ANCHOR)
        assert (units[found.audited_unit_id] if found.audited_unit_id else None) == sample.audited_unit


def test_amounts_are_exact_in_every_written_form(engine, run_import, ledger):
    run_import(ledger)
    findings = _findings(engine)
    assert findings["2-3"].amount_involved == Decimal("9381596.00")  # "938.1596万元" under a 元 header
    assert findings["3-1"].amount_involved == Decimal("7060512.35")  # a number cell
    assert findings["3-2"].amount_involved == Decimal("181230.00")  # full-width "１８１，２３０．００"
    assert findings["2-8"].amount_involved is None  # "—"


def test_co_units_people_and_milestones(engine, run_import, ledger, chunked):
    run_import(ledger)
    findings, units = _findings(engine), _unit_names(engine)
    with Session(engine) as session:
        co_units = {}
        for link in session.exec(select(FindingCoUnit)):
            co_units.setdefault(link.finding_id, set()).add(units[link.unit_id])
        people = {p.id: (units[p.unit_id], p.name, p.role) for p in session.exec(select(Person))}
        milestones = [(m.seq, m.due_on, m.title) for m in session.exec(
            select(Milestone).where(Milestone.finding_id == findings["2-1"].id).order_by(Milestone.seq))]
        registration = events_of(session, findings["2-3"].id)
    for sample in SAMPLE_FINDINGS:
        assert co_units.get(findings[sample.number].id, set()) == set(sample.co_units)
    # the ledger names people already on file: they are linked, not duplicated
    assert people[findings["1"].responsible_leader_id] == ("县财政局", "吴局长", "单位负责人")
    assert people[findings["2-3"].responsible_person_id] == ("县新农合办公室", "李干事", "单位经办人")
    assert findings["3-1"].responsible_person_id is None
    assert milestones == [(1, date(2025, 12, 31), "制定降低结余方案"), (2, date(2026, 6, 30), "累计结余降至25%以内")]
    [event] = registration
    assert (event.action, event.actor_name, event.to_status, event.at) == ("登记", "王主任", "待整改", NOW)
    assert event.data["rule"] == "自2025年9月25日起10个工作日内" and event.data["deadline"] == "2025-10-15"


def test_new_units_get_a_kind_from_their_name(engine, run_import, ledger):
    run_import(ledger)
    with Session(engine) as session:
        kinds = {u.name: u.kind for u in session.exec(select(Unit))}
    assert kinds["次丘中心卫生院"] == kinds["康驿镇卫生院"] == "定点医疗机构"
    assert kinds["县卫生局"] == kinds["县民政局"] == "行政部门"


def test_dry_run_reports_but_writes_nothing(engine, run_import, ledger):
    before = row_counts(engine)
    report = run_import(ledger, dry_run=True)
    assert report.dry_run and report.imported == NUMBERS and report.created_units == NEW_UNITS
    assert row_counts(engine) == before


def test_reimport_skips_every_finding(engine, run_import, ledger):
    run_import(ledger)
    after_first = row_counts(engine)
    report = run_import(ledger)
    assert report.imported == [] and report.skipped_existing == NUMBERS and report.created_units == []
    assert row_counts(engine) == after_first


def test_strict_refuses_units_not_on_file(engine, run_import, ledger):
    before = row_counts(engine)
    with pytest.raises(ImportFailed) as failed:
        run_import(ledger, strict=True)
    problems = {(p.row_number, p.column, p.value) for p in failed.value.problems}
    # title, 填报 row and header are rows 1-3: finding i is on row i + 3
    assert problems == {
        (5, "配合单位", "县财政局、县卫生局"), (8, "配合单位", "县民政局"), (9, "配合单位", "县人社局、县教育局"),
        (10, "配合单位", "县卫生局"), (12, "配合单位", "县卫生局"), (13, "责任单位", "县卫生局"),
        (14, "配合单位", "县卫生局、县物价局"), (15, "被审计单位", "康驿镇卫生院"),
    }
    assert "单位“县卫生局”尚未登记" in str(failed.value)
    assert row_counts(engine) == before


def test_strict_imports_when_every_unit_is_on_file(engine, run_import, ledger):
    with Session(engine) as session, session.begin():
        for name in NEW_UNITS:
            add_unit(session, name=name, kind=None, parent=None, email=None, wecom_robot=None,
                     dingtalk_robot=None, feishu_robot=None, now=NOW)
    report = run_import(ledger, strict=True)
    assert report.imported == NUMBERS and report.created_units == []


def test_sample_without_title_rows(engine, run_import, tmp_path):
    report = run_import(write_sample_ledger(tmp_path / "台账.csv", title_rows=False), dry_run=True)
    assert report.rows == 12 and report.imported == NUMBERS
