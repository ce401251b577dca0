"""End to end: the sample audit report, as .txt and turned into .docx, against
expectations written by hand (expected_sample.py)."""
import pytest

from integrations.report_parser import Confidence, parse_report

from .documents import write_docx
from .expected_sample import (
    ADVICE_FIRST, ADVICE_LAST, ADVICE_LINES, EXPECTED_FINDINGS, EXPECTED_METADATA, EXPECTED_SECTION_KINDS,
    FIELDS, MASKED, SAMPLE, observed,
)


def _sample_lines() -> list[str]:
    return SAMPLE.read_text(encoding="utf-8").split("\n")


def _as_table(lines: list[str]) -> list:
    """Group (三)'s three findings moved into a findings table (序号 | 问题 | 具体情况)."""
    start = next(i for i, line in enumerate(lines) if line.startswith("(三)定点医疗机构"))
    end = next(i for i, line in enumerate(lines) if line.startswith("通过对XX县新农合基金"))
    body = [line for line in lines[start + 1:end] if line.strip()]
    rows = [["序号", "问题", "具体情况"]]
    for heading, text in zip(body[::2], body[1::2]):
        number, title = heading.split("、", 1)
        rows.append([number, title, text])
    return [*lines[:start + 1], rows, *lines[end:]]


@pytest.fixture(scope="module")
def variants(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    lines = _sample_lines()
    return {
        "txt": parse_report(SAMPLE),
        "docx": parse_report(write_docx(folder / "report.docx", lines)),
        "docx-table": parse_report(write_docx(folder / "report-table.docx", _as_table(lines))),
    }


@pytest.mark.parametrize("variant", ["txt", "docx", "docx-table"])
def test_findings_match_the_hand_written_expectations(variants, variant):
    report = variants[variant]
    assert [f.number for f in report.findings] == [e.number for e in EXPECTED_FINDINGS]
    for finding, expected in zip(report.findings, EXPECTED_FINDINGS):
        for name in FIELDS:
            assert observed(finding, name) == getattr(expected, name), (finding.number, name)


@pytest.mark.parametrize("variant", ["txt", "docx", "docx-table"])
def test_findings_per_audited_body(variants, variant):
    bodies = [f.audited_unit for f in variants[variant].findings]
    assert bodies == ["财政部门"] + ["新农合办公室"] * 8 + ["定点医疗机构"] * 3


def test_sub_points_stay_in_their_finding(variants):
    last = variants["docx"].findings[8]
    assert last.summary == "新农合数据库操作系统存在的问题"
    assert [line[:3] for line in last.description.split("\n")] == ["(1)", "(2)", "(3)", "建议县"]


def test_metadata_sections_and_advice(variants):
    report = variants["docx"]
    assert {name: getattr(report.metadata, name) for name in EXPECTED_METADATA} == EXPECTED_METADATA
    assert [s.kind for s in report.sections] == EXPECTED_SECTION_KINDS
    advice = report.advice.split("\n")
    assert advice[0].startswith(ADVICE_FIRST) and len(advice) == ADVICE_LINES
    assert advice[-1].endswith(ADVICE_LAST)


def test_background_and_cause_sections_yield_no_findings(variants):
    texts = [f.description for f in variants["txt"].findings]
    assert not any("经办机构设立" in t or "主要原因" in t or "完善管理体制建设" in t for t in texts)


def test_doubtful_fields_carry_a_mark_and_a_reason(variants):
    for finding in variants["txt"].findings:
        assert set(finding.confidence) == set(FIELDS)
        for name, level in finding.confidence.items():
            assert (level is Confidence.HIGH) == (name not in finding.doubts)
    first = variants["txt"].findings[0]
    assert first.amount is None and first.confidence["amount"] is Confidence.LOW
    assert "14,891,元" in first.doubts["amount"] and "补录" in first.doubts["amount"]
    assert first.confidence["summary"] is Confidence.MEDIUM  # taken from the first sentence
    seventh = variants["txt"].findings[7]
    assert seventh.legal_basis is None and "定性依据" in seventh.doubts["legal_basis"]
    assert MASKED == observed(variants["txt"].findings[1], "amount")


def test_categories_come_with_the_words_that_matched(variants):
    finding = variants["txt"].findings[9]
    assert (finding.category, finding.category_words) == ("超标准收费", ("加成率",))
