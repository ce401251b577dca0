"""The same ledger as GB18030 CSV, and export → import round trips."""
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from integrations.ledger_export import export_ledger, ledger_rows
from models import lifecycle
from models.ledger import Finding
from models.registration import find_source
from models.sources import add_source
from models.vocab import RecoveryKind
from tests.ledger_import.conftest import NOW, SOURCE
from tests.samples_ledger import write_sample_ledger

COPY = "新农合专项审计调查（台账副本）"


def _add_source(engine, title: str) -> None:
    with Session(engine) as session, session.begin():
        add_source(session, title=title, kind="审计", doc_number=None, issuer="XX县审计局", issued_on=None, now=NOW)


def _ledger(engine, title: str) -> list[dict]:
    """The findings of one source as the export shows them, minus the source itself."""
    with Session(engine) as session:
        rows = list(ledger_rows(session, find_source(session, title).id))
    return [{k: v for k, v in row.items() if k not in ("source_kind", "source_doc")} for row in rows]


def test_gb18030_csv_imports_like_the_workbook(engine, run_import, tmp_path):
    csv_file = write_sample_ledger(tmp_path / "台账.csv")
    with pytest.raises(UnicodeDecodeError):
        csv_file.read_text(encoding="utf-8")
    run_import(write_sample_ledger(tmp_path / "台账.xlsx"))
    _add_source(engine, COPY)
    report = run_import(csv_file, source=COPY)
    assert len(report.imported) == 12 and report.created_units == []
    assert _ledger(engine, COPY) == _ledger(engine, SOURCE)


def _work_on_findings(engine, world) -> None:
    """Take the imported sample through the statuses a ledger can carry."""
    later = NOW + timedelta(days=14)
    with Session(engine, expire_on_commit=False) as session, session.begin():
        world.session = session
        findings = {f.number: f for f in session.exec(select(Finding))}
        clerk, head, reviewer = world.actor("李干事"), world.actor("赵主任"), world.actor("孙科长")
        lifecycle.start(session, findings["2-2"], clerk, later, "已暂停CT费等项目的统筹支付")
        lifecycle.report_progress(session, findings["2-4"], clerk, later, "已与民政局完成救助对象名单比对", partial=True)
        drugs = findings["2-3"]
        lifecycle.start(session, drugs, clerk, later)
        lifecycle.record_amount(session, drugs, clerk, later, RecoveryKind.RECOVERED, "8912300.00", later.date())
        lifecycle.record_amount(session, drugs, clerk, later, RecoveryKind.ADJUSTED, "469296.00", later.date())
        lifecycle.add_evidence(session, drugs, clerk, later, data_dir=None, reference="追回款银行回单（X农合〔2025〕12号）")
        lifecycle.submit(session, drugs, clerk, later, "按医疗机构级别重设药品报销标识，追回越级报销基金",
                         "越级报销基金已全部追回或调账")
        for actor in (head, reviewer, world.actor("王主任"), world.actor("刘局长")):
            lifecycle.approve_step(session, drugs, actor, later + timedelta(days=1))


@pytest.mark.parametrize("suffix", [".xlsx", ".csv"])
def test_export_then_import_gives_the_same_ledger(engine, world, run_import, tmp_path, suffix):
    run_import(write_sample_ledger(tmp_path / "台账.xlsx"))
    _work_on_findings(engine, world)
    exported = tmp_path / f"导出台账{suffix}"
    with Session(engine) as session:
        assert export_ledger(session, exported, find_source(session, SOURCE).id) == 12

    _add_source(engine, COPY)
    report = run_import(exported, source=COPY)
    assert len(report.imported) == 12 and report.created_units == [] and report.unrecognised_headers == ()
    original, copy = _ledger(engine, SOURCE), _ledger(engine, COPY)
    assert copy == original
    by_number = {row["number"]: row for row in copy}
    assert [by_number[n]["status"] for n in ("2-2", "2-3", "2-4", "1")] == ["整改中", "已销号", "部分整改", "待整改"]
    closed = by_number["2-3"]
    assert closed["closed_on"] == date(2025, 10, 11)
    assert (str(closed["recovered_fund"]), str(closed["adjusted"])) == ("8912300.00", "469296.00")
    assert closed["evidence"] == "追回款银行回单（X农合〔2025〕12号）"
