"""Malformed and random input, in text and in documents: the parser either
proposes findings or refuses with ValidationError, never anything else, and
writes nothing."""
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings, strategies as st

from integrations.report_parser import FINDING_FIELDS, ParsedReport, parse_lines, parse_report
from models.errors import ValidationError

from .documents import write_docx
from .expected_sample import SAMPLE

SAMPLE_LINES = [line for line in SAMPLE.read_text(encoding="utf-8").split("\n") if line.strip()]

# Characters that drive the recognisers: numerals, brackets, units, quotes, keywords' pieces.
_ALPHABET = st.sampled_from(list(
    "一二三四五六七八九十、，,。.．:：;；()（）[]〔〕【】《》<>“”‘’\"0123456789０１２３４５６７８９"
    "元万亿%％xX×*号第条款项规定之不符合违反责令建议要求审计检查问题存在部门办公室医院局\n\t \u3000①⑴㈠"
))
_TEXT = st.text(_ALPHABET, max_size=80) | st.text(max_size=40)
_LINE = _TEXT | st.sampled_from(SAMPLE_LINES)


def _check(report) -> None:
    assert isinstance(report, ParsedReport) and report.findings
    for finding in report.findings:
        assert finding.number and set(finding.confidence) == set(FINDING_FIELDS)
        assert all(finding.confidence[name].value in "中低" for name in finding.doubts)


def _parse(lines) -> None:
    try:
        report = parse_lines(lines)
    except ValidationError as error:
        assert str(error)
        return
    _check(report)


@settings(max_examples=150, deadline=None)
@given(st.lists(_LINE, max_size=30))
def test_random_lines_never_crash(lines):
    _parse(lines)


@st.composite
def _mangled_sample(draw):
    """The sample with lines dropped, swapped, cut short or spliced with noise."""
    lines = draw(st.lists(st.sampled_from(SAMPLE_LINES), min_size=1, max_size=40))
    cut = draw(st.integers(0, 200))
    noise = draw(_TEXT)
    index = draw(st.integers(0, len(lines) - 1))
    lines[index] = lines[index][:cut] + noise
    return lines


@settings(max_examples=150, deadline=None)
@given(_mangled_sample())
def test_mangled_sample_never_crashes(lines):
    _parse(lines)


# What a Word document can hold: no control characters but tab and line break.
_XML_TEXT = st.text(_ALPHABET, max_size=80) | st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Cn"), whitelist_characters="\t\n"), max_size=40)
_DOC_LINE = _XML_TEXT | st.sampled_from(SAMPLE_LINES)
_CELL = _DOC_LINE | st.lists(_DOC_LINE, max_size=3)
_TABLE = st.lists(st.lists(_CELL, min_size=1, max_size=4), min_size=1, max_size=4)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_DOC_LINE | _TABLE, max_size=12))
def test_random_documents_never_crash_and_write_nothing(blocks):
    with tempfile.TemporaryDirectory() as folder:
        path = write_docx(Path(folder) / "report.docx", blocks)
        try:
            _check(parse_report(path))
        except ValidationError as error:
            assert "report.docx" in str(error)
        assert [p.name for p in Path(folder).iterdir()] == ["report.docx"]


_GOOD_DOCX = None


def _good_docx_bytes() -> bytes:
    global _GOOD_DOCX
    if _GOOD_DOCX is None:
        with tempfile.TemporaryDirectory() as folder:
            _GOOD_DOCX = write_docx(Path(folder) / "good.docx", SAMPLE_LINES[:60]).read_bytes()
    return _GOOD_DOCX


@settings(max_examples=60, deadline=None)
@given(st.data())
def test_damaged_documents_never_crash(data):
    raw = bytearray(_good_docx_bytes())
    for _ in range(data.draw(st.integers(1, 8))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    raw = raw[: data.draw(st.integers(0, len(raw)))]
    suffix = data.draw(st.sampled_from([".docx", ".txt", ""]))
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report{suffix}"
        path.write_bytes(bytes(raw))
        try:
            _check(parse_report(path))
        except ValidationError:
            pass


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=2000), st.sampled_from([".docx", ".txt", ".doc", ".md"]))
def test_random_bytes_never_crash(data, suffix):
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"report{suffix}"
        path.write_bytes(data)
        try:
            _check(parse_report(path))
        except ValidationError:
            pass
