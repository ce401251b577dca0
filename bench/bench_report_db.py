"""Benchmark: the closure report end to end, from a 10,000-finding database to the .docx.

Target (issue 5): at most 10 s and 500 MB peak memory for the whole report.
bench_report_docx.py measures the Word part alone from ready-made
dataclasses; this one adds the database: the headline aggregates in SQL and
the appendix rows (findings with source, category and lead unit, money by
kind, co-units, evidence, extensions, escalations: a fixed number of
set-based queries whatever the size), read in one snapshot
(notices.reports.write_closure_report, what `rectify report closure` runs).

The database is generated with bulk inserts (not measured): the twelve
findings of the county audit sample repeated with new numbers over 40 lead
units, deadlines spread over 2026, 60 % closed (with their five sign-off
events, money restored by kind and two pieces of evidence), the rest in
progress, partly done or not started, overdue ones escalated, some extended.

Each measurement runs in a child process: wall time around opening the
database, querying, building and saving; peak memory is the child's
ru_maxrss (interpreter, SQLAlchemy, python-docx and matplotlib included).

    .venv/bin/python bench/bench_report_db.py                       # SQLite and PostgreSQL, 3 runs
    .venv/bin/python bench/bench_report_db.py --backends sqlite --findings 2000 --runs 1 --keep /tmp/r
"""
import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 11, 20, 17, 0)
REGISTERED = datetime(2026, 1, 5, 9, 0)
UNITS = 40
TARGET_SECONDS = 10
TARGET_MB = 500
from bench.common import fresh_database  # noqa: E402
DOCUMENTS = {"issuer": "XX县医疗保障局", "doc_prefix": "X医保", "addressee": "县人民政府"}
SIGN_OFF = (("申请销号", "单位经办人"), ("单位负责人承诺", "单位负责人"), ("牵头单位审核通过", "牵头单位审核人"),
            ("整改办复核通过", "整改办"), ("领导审批通过", "分管领导"))


# ---------------------------------------------------------------- data

def generate(engine, n: int) -> None:
    from sqlalchemy import insert, select

    from models.escalation import Escalation
    from models.history import FindingEvent
    from models.ledger import (
        Category, Evidence, ExtensionRequest, Finding, FindingCoUnit, Person, Recovery, Source, Unit,
    )
    from tests.documents.samples import county_findings

    samples = county_findings()
    with engine.begin() as conn:
        conn.execute(insert(Source), [{"kind": "审计", "title": "XX县新型农村合作医疗基金专项审计调查（基准测试）",
                                       "doc_number": "X审调〔2026〕3号", "issuer": "XX县审计局",
                                       "issued_on": date(2026, 1, 2), "created_at": REGISTERED}])
        conn.execute(insert(Unit), [{"name": "县医疗保障局", "kind": "行政部门", "created_at": REGISTERED}] + [
            {"name": f"责任单位{i + 1:02d}", "kind": "定点医疗机构", "created_at": REGISTERED} for i in range(UNITS)])
        conn.execute(insert(Person), [{"name": "王主任", "unit_id": 1, "role": "整改办", "active": True},
                                      {"name": "刘局长", "unit_id": 1, "role": "分管领导", "active": True}])
        categories = dict(conn.execute(select(Category.name, Category.id)).all())
        findings, ids = [], range(1, n + 1)  # a fresh database hands out ids 1.. in insertion order
        recoveries, evidence, co_units, extensions, events, escalations = [], [], [], [], [], []
        for i in ids:
            base = samples[i % len(samples)]
            deadline = date(2026, 3, 1) + timedelta(days=(i * 37) % 300)
            past = deadline < NOW.date()
            roll = (i * 7919) % 100
            if roll < (70 if past else 30):
                status, late = "已销号", past and roll < 10
                closed_on = deadline + timedelta(days=5) if late else deadline - timedelta(days=1 + i % 20)
                closed_on = min(closed_on, NOW.date() - timedelta(days=1 + i % 20))  # closed before the report
            else:
                status, closed_on = ("整改中", "部分整改", "待整改")[roll % 3], None
            amount = base.amount * (1 + i % 9) if base.amount else None
            findings.append({
                "source_id": 1, "number": f"SJ-{i:05d}", "category_id": categories[base.category],
                "summary": base.summary, "description": base.description, "amount_involved": amount,
                "rectification_type": str(base.rectification_type), "lead_unit_id": 2 + i % UNITS,
                "measures": "；".join(base.measures) or None, "result": base.result or None,
                "progress": None if status == "已销号" else base.result or None,
                "deadline": deadline, "deadline_kind": "fixed", "status": status, "cycle": 1,
                "closed_on": closed_on, "created_at": REGISTERED, "updated_at": REGISTERED})
            events.append(_event(i, 1, REGISTERED, "登记", "整改办", None, "待整改"))
            if i % 3 == 0:
                co_units.append({"finding_id": i, "unit_id": 2 + (i + 1) % UNITS})
            if status == "已销号":
                at = datetime.combine(closed_on, datetime.min.time()).replace(hour=10)
                for seq, (action, role) in enumerate(SIGN_OFF, start=2):
                    events.append(_event(i, seq, at + timedelta(minutes=30 * seq), action, role, None, None))
                evidence += [{"finding_id": i, "name": name, "reference": name, "added_by_id": 1, "added_at": at}
                             for name in (base.evidence or ("整改报告",))[:2]]
                if amount:
                    part = (amount * Decimal("0.7")).quantize(Decimal("0.01"))
                    recoveries += [_money(i, "追回/退回基金", part, at), _money(i, "归还原渠道", amount - part, at)]
                    if i % 10 == 0:
                        recoveries.append(_money(i, "罚款", amount / 10, at))
            else:
                if amount and status == "部分整改":
                    recoveries.append(_money(i, "追回/退回基金", (amount / 2).quantize(Decimal("0.01")), REGISTERED))
                if i % 25 == 0:
                    extensions.append({"finding_id": i, "requested_by_id": 1, "requested_at": REGISTERED,
                                       "old_deadline": deadline - timedelta(days=30), "new_deadline": deadline,
                                       "reason": "需省级信息系统配合调整", "status": "已批准", "decided_by_id": 1,
                                       "decided_at": REGISTERED})
                if past:
                    escalations += [{"finding_id": i, "step": step, "cycle": 1, "unit_id": 2 + i % UNITS,
                                     "deadline": deadline, "scope": "默认规则", "sweep_id": f"bench-{step}",
                                     "created_at": datetime.combine(deadline + timedelta(days=days), datetime.min.time())}
                                    for step, days in (("urge", 1), ("supervise", 5)) if deadline + timedelta(days=days) < NOW.date()]
        for table, rows in ((Finding, findings), (FindingEvent, events), (FindingCoUnit, co_units),
                            (Evidence, evidence), (Recovery, recoveries), (ExtensionRequest, extensions),
                            (Escalation, escalations)):
            for start in range(0, len(rows), 5000):
                conn.execute(insert(table), rows[start:start + 5000])


def _event(finding_id, seq, at, action, role, from_status, to_status) -> dict:
    return {"finding_id": finding_id, "seq": seq, "at": at, "actor_id": None, "actor_name": "基准测试",
            "actor_role": role, "action": action, "from_status": from_status, "to_status": to_status,
            "payload": "{}", "prev_hash": "0" * 64, "hash": "0" * 64}


def _money(finding_id, kind, amount, at) -> dict:
    return {"finding_id": finding_id, "kind": kind, "amount": amount, "on_date": at.date(), "recorded_by_id": 1,
            "recorded_at": at}


# ---------------------------------------------------------------- measurement

def child(url: str, out: Path) -> dict:
    started = time.perf_counter()
    from models.db import make_engine
    from models.report_figures import snapshot_session
    from models.settings import Settings
    from notices.documents.closure_report import build_closure_report
    from notices.reports import closure_report

    imported = time.perf_counter()
    engine = make_engine(url)
    settings = Settings(database_url=url, data_dir=out.parent, config={"documents": DOCUMENTS})
    with snapshot_session(engine) as session:
        report, _ = closure_report(session, settings, NOW)
    queried = time.perf_counter()
    build_closure_report(report, out)
    done = time.perf_counter()
    return {"findings": report.figures.total, "query_s": queried - imported, "build_s": done - queried,
            "total_s": done - imported, "imports_s": imported - started, "bytes": out.stat().st_size,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def measure(url: str, out: Path) -> dict:
    done = subprocess.run([sys.executable, __file__, "--child", "--url", url, "--out", str(out)],
                          capture_output=True, text=True, check=True, cwd=ROOT)
    return json.loads(done.stdout.strip().splitlines()[-1])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--findings", type=int, default=10_000)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="folder to keep the databases and .docx files in")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--out", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.url, args.out)))
        return 0

    from models.db import make_engine, upgrade

    print(f"{platform.node()} · Python {platform.python_version()} · {args.findings:,} findings")
    ok = True
    with tempfile.TemporaryDirectory() as tmp:
        folder = args.keep or Path(tmp)
        folder.mkdir(parents=True, exist_ok=True)
        for backend in args.backends.split(","):
            try:
                url = fresh_database(backend, f"rectify_bench_report_{args.findings}", folder)
            except Exception as exc:  # no server: report and go on with the other backend
                print(f"  {backend}: skipped ({exc.__class__.__name__})")
                continue
            engine = make_engine(url)
            upgrade(engine)
            started = time.perf_counter()
            generate(engine, args.findings)
            engine.dispose()
            print(f"  {backend}: generated in {time.perf_counter() - started:.1f} s", flush=True)
            runs = [measure(url, folder / f"report-{backend}-{args.findings}.docx") for _ in range(args.runs)]
            assert all(r["findings"] == args.findings for r in runs), runs
            median = {key: statistics.median(r[key] for r in runs) for key in ("query_s", "build_s", "total_s")}
            peak = max(r["peak_mb"] for r in runs)
            print(f"  {backend:<10} total {median['total_s']:5.2f} s (queries {median['query_s']:.2f} s, "
                  f"Word {median['build_s']:.2f} s; runs {', '.join(format(r['total_s'], '.2f') for r in runs)}) "
                  f"{peak:4.0f} MB peak  {runs[0]['bytes'] / 1e6:4.1f} MB file  "
                  f"(+ imports {statistics.median(r['imports_s'] for r in runs):.1f} s)")
            ok &= median["total_s"] <= TARGET_SECONDS and peak <= TARGET_MB
    print(f"  target ≤ {TARGET_SECONDS} s and ≤ {TARGET_MB} MB: {'met' if ok else 'MISSED'}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
