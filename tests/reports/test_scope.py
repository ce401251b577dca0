"""Findings from several sources, and an empty ledger."""
from datetime import date, datetime

from docx import Document

from models.db import transaction
from models.report_figures import Scope, finding_rows, snapshot_session, split_measures
from models.settings import Settings
from models.sources import add_source
from notices.reports import periodic_report, write_closure_report
from tests.documents.helpers import body_text
from tests.factories import build_world
from tests.reports.scenario import DOCUMENTS

NOW = datetime(2026, 3, 2, 9, 0)


def settings(engine, tmp_path) -> Settings:
    return Settings(database_url=str(engine.url), data_dir=tmp_path, config={"documents": dict(DOCUMENTS)})


def test_numbers_are_qualified_when_sources_share_them(engine, tmp_path):
    with transaction(engine) as session:
        world = build_world(session, NOW)
        world.finding("2-3")
        world.source = add_source(session, title="XX县定点医疗机构飞行检查", kind="飞行检查", doc_number="X医保检〔2026〕1号",
                                  issuer="XX市医疗保障局", issued_on=date(2026, 2, 25), now=NOW)
        world.finding("2-3", lead_unit="县人民医院", summary="飞行检查：超标准收费")
    with snapshot_session(engine) as session:
        numbers = [r.number for r in finding_rows(session, Scope(), NOW.date())]
        path = write_closure_report(session, settings(engine, tmp_path), NOW, path=tmp_path / "all.docx")
    assert numbers == ["X审调〔2026〕3号:2-3", "X医保检〔2026〕1号:2-3"]
    text = body_text(Document(path))
    assert "关于医疗保障基金审计和检查发现问题整改情况的报告" in text
    assert "（X审调〔2026〕3号）" in text and "（X医保检〔2026〕1号）" in text and "共涉及问题2个" in text


def test_periodic_report_on_an_empty_ledger(engine, tmp_path):
    assert periodic_report(engine, settings(engine, tmp_path), NOW) == ["台账中没有问题，本期不生成整改情况报告。"]
    assert not (tmp_path / "reports").exists()


def test_measures_as_units_write_them_become_enumerated_items():
    assert split_measures("一是调整资金拨付流程；二是建立配套资金预拨机制") == ("调整资金拨付流程", "建立配套资金预拨机制")
    assert split_measures("一是调整流程，二是建立机制。") == ("调整流程", "建立机制")
    assert split_measures("1. 清理；2. 建立\n3、公示") == ("清理", "建立", "公示")
    assert split_measures("清理重复参保人员，建立比对机制") == ("清理重复参保人员，建立比对机制",)
    assert split_measures(None) == ()
