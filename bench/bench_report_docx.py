"""Benchmark: a closure report (整改情况报告) with 10,000 findings in its appendix.

Target (issue 5): at most 10 s and 500 MB peak memory for the whole report.
In the same run the appendix table alone is built twice, with our lxml
builder (notices/documents/tables.py) and the straightforward python-docx
way (table.add_row() and cell.text for each cell), and the ratio reported.

Each measurement runs in a child process: the wall time is measured around
the build and save, and the peak resident memory is the child's ru_maxrss
(it includes the interpreter, python-docx and, for the report, matplotlib).

    .venv/bin/python bench/bench_report_docx.py
    .venv/bin/python bench/bench_report_docx.py --findings 2000 --keep /tmp/reports

The findings are the twelve of the county audit sample
(tests/documents/samples.py) repeated with new numbers, 40 responsible
units and amounts that vary, so every section of the report is full size.
"""
import argparse
import dataclasses
import json
import platform
import resource
import subprocess
import sys
import tempfile
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

TARGET_SECONDS = 10
TARGET_MB = 500
UNITS = 40


def findings(n: int):
    from tests.documents.samples import county_findings

    base = county_findings()
    rows = []
    for i in range(n):
        f = base[i % len(base)]
        scale = Decimal(1 + i % 9)
        rows.append(dataclasses.replace(
            f, number=f"SJ2025-{i + 1:05d}", lead_unit=f"{f.lead_unit}（第{i % UNITS + 1}片区）",
            amount=f.amount * scale, rectified={k: v * scale for k, v in f.rectified.items()}))
    return tuple(rows)


def report(n: int):
    from notices.documents.data import summarise, unit_stats
    from tests.documents.samples import AS_OF, county_report

    rows = findings(n)
    return county_report(findings=rows, figures=summarise(rows, AS_OF), units=unit_stats(rows, AS_OF))


def child(mode: str, n: int, out: Path) -> dict:
    from notices.documents.closure_report import APPENDIX_COLUMNS, appendix_rows, appendix_table
    from notices.documents.closure_report import build_closure_report
    from notices.documents.gbt9704 import OfficialDocument

    data = report(n)
    start = time.perf_counter()
    if mode == "report":
        build_closure_report(data, out)
    elif mode == "table-lxml":
        doc = OfficialDocument()
        doc.append_block(appendix_table(doc.doc, data.findings))
        doc.save(out)
    elif mode == "table-python-docx":
        doc = OfficialDocument()
        table = doc.doc.add_table(rows=1, cols=len(APPENDIX_COLUMNS))
        table.style = doc.doc.styles["Table Grid"]
        for cell, column in zip(table.rows[0].cells, APPENDIX_COLUMNS):
            cell.text = column.title
        for values in appendix_rows(data.findings):
            for cell, value in zip(table.add_row().cells, values):
                cell.text = value
        doc.save(out)
    else:
        raise SystemExit(f"unknown mode {mode}")
    seconds = time.perf_counter() - start
    return {"mode": mode, "findings": n, "seconds": seconds, "bytes": out.stat().st_size,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run(mode: str, n: int, folder: Path) -> dict:
    out = folder / f"{mode}-{n}.docx"
    done = subprocess.run([sys.executable, __file__, "--child", mode, "--findings", str(n), "--out", str(out)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--keep", type=Path, help="folder to keep the generated .docx files in")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.child, args.findings, args.out)))
        return 0

    print(f"{platform.node()} · Python {platform.python_version()} · {args.findings:,} findings")
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        results = {mode: run(mode, args.findings, folder)
                   for mode in ("report", "table-lxml", "table-python-docx")}
    for r in results.values():
        print(f"  {r['mode']:<18} {r['seconds']:7.2f} s  {r['peak_mb']:6.0f} MB peak  "
              f"{r['bytes'] / 1e6:5.1f} MB file")
    fast, slow = results["table-lxml"], results["table-python-docx"]
    print(f"  appendix table: python-docx add_row/cell.text is {slow['seconds'] / fast['seconds']:.1f}× "
          f"slower and uses {slow['peak_mb'] / fast['peak_mb']:.1f}× the memory")
    whole = results["report"]
    ok = whole["seconds"] <= TARGET_SECONDS and whole["peak_mb"] <= TARGET_MB
    print(f"  report target ≤ {TARGET_SECONDS} s and ≤ {TARGET_MB} MB: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
