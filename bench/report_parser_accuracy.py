"""Accuracy of the report parser on the sample audit report.

Runs `parse_report` on the sample (.txt, and as a .docx with one paragraph
per line) and compares each proposed field with the hand-written
expectations in tests/report_parser/expected_sample.py.

For each field: precision = right values / values proposed, recall = right
values / values expected (empty values count in neither); "exact" = findings
whose field is exactly as expected, empties included. An amount masked in the
source counts as a value when it is left empty *and* flagged.

    .venv/bin/python bench/report_parser_accuracy.py
"""
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # for tests.report_parser

from integrations.report_parser import parse_report
from tests.report_parser.documents import write_docx
from tests.report_parser.expected_sample import EXPECTED_FINDINGS, FIELDS, SAMPLE, observed


def _ratio(part: int, whole: int) -> str:
    return f"{part}/{whole} = {part / whole:.0%}" if whole else "n/a"


def measure(path: Path) -> list[str]:
    report = parse_report(path)
    proposed = {f.number: f for f in report.findings}
    expected = {e.number: e for e in EXPECTED_FINDINGS}
    matched = [(proposed[n], expected[n]) for n in expected if n in proposed]
    rows = [f"{path.name}: findings found {len(proposed)}, expected {len(expected)}, matched {len(matched)}",
            f"  findings   precision {_ratio(len(matched), len(proposed))}, recall {_ratio(len(matched), len(expected))}"]
    for name in FIELDS:
        given = sum(1 for f in proposed.values() if observed(f, name) not in (None, ""))
        wanted = sum(1 for e in expected.values() if getattr(e, name) not in (None, ""))
        right = sum(1 for f, e in matched if getattr(e, name) not in (None, "") and observed(f, name) == getattr(e, name))
        exact = sum(1 for f, e in matched if observed(f, name) == getattr(e, name))
        rows.append(f"  {name:<13}precision {_ratio(right, given):<14} recall {_ratio(right, wanted):<14}"
                    f" exact {_ratio(exact, len(expected))}")
    return rows


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        lines = SAMPLE.read_text(encoding="utf-8").split("\n")
        docx = write_docx(Path(folder) / "audit-report-county-ncms-fund.docx", lines)
        for path in (SAMPLE, docx):
            print("\n".join(measure(path)))


if __name__ == "__main__":
    main()
