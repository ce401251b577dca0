"""Benchmark of the escalation sweep (issue 3).

With N findings of which DUE are due (open, inside the ladder window, one
step each: equal shares of the eight steps), time one sweep at `now` and
the peak memory of the process running it, on PostgreSQL and on SQLite;
compare N = 100,000 and 1,000,000 with the same due findings; and run a
naive sweep (loads every open finding into Python, decides there, then
writes the same records and digests) on the same data for the ratio.

Non-due findings: 60 % closed with past deadlines, 40 % open with
deadlines beyond the reminder window. Data is generated with one bulk
INSERT … SELECT (generate_series / a recursive CTE), not the ORM.

Each measured sweep runs in a fresh child process (peak RSS = that
process's ru_maxrss, imports included) and commits; the parent then
deletes what it created so the next run sees the same data.

    .venv/bin/python bench/bench_sweep.py                       # both sizes, both databases, 3 runs
    .venv/bin/python bench/bench_sweep.py --sizes 100000 --backends sqlite --runs 1
"""
import argparse
import json
import resource
import statistics
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

NOW = datetime(2026, 4, 15, 9, 0)  # a Wednesday in an ordinary working week
UNITS = 500
from bench.common import fresh_database  # noqa: E402


# ---------------------------------------------------------------- data

def due_deadlines(policy, calendar) -> list[date]:
    """One deadline per step of the default ladder, such that the step is due at NOW."""
    today = NOW.date()
    return [step.cutoff(today, calendar) for step in policy.default.steps]


def generate(engine, total: int, due: int) -> float:
    from sqlalchemy import insert, text

    from models.calendar import WorkCalendar
    from models.ledger import Person, Source, Unit
    from models.policy import load_policy

    started = time.perf_counter()
    pg = engine.dialect.name == "postgresql"
    created = NOW - timedelta(days=200)
    with engine.begin() as conn:
        conn.execute(insert(Source), [{"kind": "审计", "title": "基金专项审计（基准测试）", "created_at": created}])
        # Every row names the same columns: an executemany takes its columns from the first row.
        units = [{"name": "县医保局", "kind": "行政部门", "created_at": created, "wecom_robot": None, "email": None}]
        for i in range(UNITS):
            units.append({"name": f"责任单位{i:04d}", "kind": "定点医疗机构", "created_at": created,
                          "wecom_robot": f"robot{i}" if i % 5 == 0 else None,
                          "email": f"unit{i}@example.gov.cn" if i % 5 in (1, 2) else None})
        conn.execute(insert(Unit), units)
        people = [{"name": "王主任", "unit_id": 1, "role": "整改办", "mobile": "13800000001", "active": True},
                  {"name": "刘局长", "unit_id": 1, "role": "分管领导", "mobile": "13800000002", "active": True}]
        for i in range(UNITS):
            people += [{"name": f"经办人{i}", "unit_id": 2 + i, "role": "单位经办人", "mobile": f"139{i:08d}", "active": True},
                       {"name": f"负责人{i}", "unit_id": 2 + i, "role": "单位负责人", "mobile": f"137{i:08d}", "active": True}]
        conn.execute(insert(Person), people)
        # Fresh database: ids are 1.. in insertion order; the bulk insert below relies on it.
        assert conn.execute(text("SELECT max(id) FROM person")).scalar() == 2 + 2 * UNITS
        category = conn.execute(text("SELECT min(id) FROM category")).scalar()
        deadlines = due_deadlines(load_policy(), WorkCalendar())
        cases = " ".join(f"WHEN {k} THEN :d{k}" for k in range(len(deadlines)))
        if pg:
            series = "FROM generate_series(1, :n) AS s(g)"
            past, future = "CAST(:t AS date) - (1 + g % 400)", "CAST(:t AS date) + (8 + g % 300)"
            prefix = ""
        else:
            series = "FROM s"
            past = "date(:t, '-' || (1 + g % 400) || ' days')"
            future = "date(:t, '+' || (8 + g % 300) || ' days')"
            prefix = "WITH RECURSIVE s(g) AS (SELECT 1 UNION ALL SELECT g + 1 FROM s WHERE g < :n) "
        conn.execute(text(
            prefix +
            "INSERT INTO finding (source_id, number, category_id, summary, rectification_type, lead_unit_id,"
            " responsible_person_id, responsible_leader_id, deadline, deadline_kind, status, cycle,"
            " created_at, updated_at) "
            f"SELECT 1, 'B-' || g, {category}, '问题' || g || '：重复收费、串换项目', '分阶段整改', 2 + g % {UNITS},"
            f" 3 + 2 * (g % {UNITS}), 4 + 2 * (g % {UNITS}),"
            f" CASE WHEN g <= :due THEN (CASE g % {len(deadlines)} {cases} END)"
            f" WHEN g % 5 < 3 THEN {past} ELSE {future} END,"
            " 'fixed', CASE WHEN g <= :due THEN '待整改' WHEN g % 5 < 3 THEN '已销号' ELSE '整改中' END, 1, :c, :c "
            + series),
            {"n": total, "due": due, "t": NOW.date(), "c": created, **{f"d{k}": d for k, d in enumerate(deadlines)}})
        # Registration events of the due findings: the bot's formal acts extend these chains.
        conn.execute(text(
            "INSERT INTO finding_event (finding_id, seq, at, actor_id, actor_name, actor_role, action, to_status,"
            " payload, prev_hash, hash) SELECT id, 1, created_at, 1, '王主任', '整改办', '登记', status, '{}',"
            f" '{'0' * 64}', '{'b' * 64}' FROM finding WHERE status = '待整改'"))
    with engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    return time.perf_counter() - started


RESET = ("interview_item", "circular_entry", "referral", "interview", "circular", "escalation", "notice")


def reset(engine) -> None:
    from sqlalchemy import text

    with engine.begin() as conn:
        for table in RESET:
            conn.execute(text(f"DELETE FROM {table}"))
        conn.execute(text("DELETE FROM finding_event WHERE actor_id IS NULL"))
    if engine.dialect.name == "postgresql":
        with engine.connect() as conn:
            conn.execution_options(isolation_level="AUTOCOMMIT").execute(
                text(f"VACUUM ANALYZE {', '.join(RESET)}, finding_event"))


# ---------------------------------------------------------------- the two sweeps (child process)

def naive_sweep(session, now, policy, calendar):
    """What a first version would do: every open finding as an object, the ladder applied in Python."""
    from sqlalchemy import insert
    from sqlmodel import select

    from models.escalation import Escalation
    from models.ledger import ExtensionRequest, Finding
    from models.sweep import SweepResult, complete_sweep, new_sweep_id
    from models.vocab import OPEN_WORK_STATUSES, ExtensionStatus

    sweep_id = new_sweep_id(now)
    resolved = policy.resolve(session)
    variants = resolved.variants()
    labels = {v.override: v.label for v in variants}
    cutoffs = {v.label: list(reversed(v.ladder.cutoffs(now.date(), calendar))) for v in variants}
    paused = set(session.exec(select(ExtensionRequest.finding_id).where(
        ExtensionRequest.status == ExtensionStatus.PENDING)))
    done = set(session.exec(select(Escalation.finding_id, Escalation.step, Escalation.cycle)))
    rows = []
    for finding in session.exec(select(Finding).where(Finding.status.in_(OPEN_WORK_STATUSES))):
        if finding.id in paused:
            continue
        label = labels[resolved.for_finding(finding)[0]]
        step = next((s for s, cutoff in cutoffs[label] if finding.deadline <= cutoff), None)
        if step is None or (finding.id, step.id, finding.cycle) in done:
            continue
        rows.append({"finding_id": finding.id, "step": step.id, "cycle": finding.cycle,
                     "unit_id": finding.lead_unit_id, "deadline": finding.deadline, "scope": label,
                     "sweep_id": sweep_id, "created_at": now})
    if not rows:
        return SweepResult(sweep_id, now)
    session.execute(insert(Escalation), rows)
    return complete_sweep(session, now, calendar, sweep_id, variants)


def child(url: str, mode: str) -> None:
    from models.calendar import WorkCalendar
    from models.db import make_engine, transaction
    from models.policy import load_policy
    from models.sweep import run_sweep

    engine = make_engine(url)
    policy, calendar = load_policy(), WorkCalendar()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    started = time.perf_counter()
    with transaction(engine) as session:
        sweep = run_sweep if mode == "sweep" else naive_sweep
        result = sweep(session, NOW, policy, calendar)
    elapsed = time.perf_counter() - started
    print(json.dumps({"seconds": elapsed, "created": len(result.created), "notices": len(result.notices),
                      "rss_before_mb": rss_before,
                      "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}))


def measure(url: str, mode: str) -> dict:
    out = subprocess.run([sys.executable, __file__, "--child", mode, "--url", url], capture_output=True, text=True,
                         check=True, cwd=ROOT)
    return json.loads(out.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------- driver

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--backends", default="postgresql,sqlite")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--skip-naive", action="store_true")
    parser.add_argument("--workdir", default="/tmp")
    parser.add_argument("--child", choices=("sweep", "naive"))
    parser.add_argument("--url")
    args = parser.parse_args()
    if args.child:
        child(args.url, args.child)
        return

    from models.db import make_engine, upgrade

    results = []
    for backend in args.backends.split(","):
        for total in (int(s) for s in args.sizes.split(",")):
            url = fresh_database(backend, f"rectify_bench_{total}", Path(args.workdir))
            engine = make_engine(url)
            upgrade(engine)
            seconds = generate(engine, total, args.due)
            print(f"{backend} {total:,}: generated in {seconds:.1f} s", file=sys.stderr, flush=True)
            for mode in ("sweep",) + (() if args.skip_naive else ("naive",)):
                runs = []
                for _ in range(args.runs):
                    runs.append(measure(url, mode))
                    reset(engine)
                assert len({r["created"] for r in runs}) == 1 and runs[0]["created"] == args.due, runs
                row = {"backend": backend, "total": total, "mode": mode, "created": runs[0]["created"],
                       "notices": runs[0]["notices"],
                       "seconds": statistics.median(r["seconds"] for r in runs),
                       "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                       "rss_before_mb": runs[0]["rss_before_mb"]}
                results.append(row)
                print(json.dumps(row), file=sys.stderr, flush=True)
            engine.dispose()

    print("| database | findings | sweep | created | notices | time (median) | peak RSS |")
    print("|---|---:|---|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['backend']} | {r['total']:,} | {r['mode']} | {r['created']:,} | {r['notices']} "
              f"| {r['seconds']:.2f} s | {r['peak_rss_mb']:.0f} MB |")
    print()
    for backend in args.backends.split(","):
        mine = {(r["total"], r["mode"]): r["seconds"] for r in results if r["backend"] == backend}
        sizes = sorted({t for t, _ in mine})
        if len(sizes) > 1 and (sizes[0], "sweep") in mine:
            print(f"- {backend}: {sizes[-1]:,} vs {sizes[0]:,} findings, same {args.due:,} due: "
                  f"ratio {mine[(sizes[-1], 'sweep')] / mine[(sizes[0], 'sweep')]:.2f}")
        for total in sizes:
            if (total, "naive") in mine:
                print(f"- {backend}, {total:,} findings: naive / set-based = "
                      f"{mine[(total, 'naive')] / mine[(total, 'sweep')]:.1f}×")


if __name__ == "__main__":
    main()
