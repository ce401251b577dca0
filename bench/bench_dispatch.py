"""Benchmark of the dispatcher (issue 4).

A. As the sweep makes them: 10,000 due findings for 500 units (the data of
   bench_sweep.py: a fifth of the units with a WeCom robot, two fifths with
   an e-mail address, the rest with nothing, i.e. the outbox folder), one
   sweep, then one dispatch run against local fakes that enforce no limit.
   Counts the notices (digests) and the messages actually sent, per unit and
   channel, and times the run.
B. Throughput: 10,000 single notices (no digests) for the same 500 units'
   robots, one run, no rate limit: the dispatcher's own cost per notice.
C. Rate limits: 100 notices each to one WeCom robot, one DingTalk robot and
   one Feishu bot whose fakes enforce 20/min, 20/min and 5/s + 100/min on a
   fake clock shared with our limiters: how many requests the vendors
   rejected (must be 0) and how much (fake) time the run needed.

    .venv/bin/python bench/bench_dispatch.py                         # both databases
    .venv/bin/python bench/bench_dispatch.py --backends sqlite --parts A,C
"""
import argparse
import statistics
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from bench_sweep import NOW, UNITS, database, generate  # noqa: E402

REJECTIONS = {"errcode:45009", "errcode:130101", "code:11232", "http:429",
              "fault:ratelimit"}


def unlimited():
    from integrations.channels.ratelimit import SlidingWindowLimiter

    return SlidingWindowLimiter([(10**9, 1.0)])


def wecom_channels(server, names_keys, limiter_for):
    from integrations.channels.secrets import Secret
    from integrations.channels.wecom import WeComChannel

    return [WeComChannel(name, Secret(key), base_url=server.url, limiter=limiter_for("wecom"))
            for name, key in names_keys]


def registry_of(channels, folder):
    from integrations.channels.folder import FolderChannel
    from integrations.channels.registry import ChannelRegistry

    channels = [FolderChannel("outbox", folder), *channels]
    return ChannelRegistry({c.name: c for c in channels}, "outbox")


def fresh(backend: str, workdir: Path, tag: str):
    from models.db import make_engine, upgrade

    url = database(backend, f"dispatch_{tag}", workdir)
    engine = make_engine(url)
    upgrade(engine)
    return engine


# ---------------------------------------------------------------- A. digests from a sweep

def part_a(backend: str, workdir: Path) -> dict:
    from sqlalchemy import text
    from sqlmodel import Session, select

    from integrations.channels.email_webhook import EmailWebhookChannel
    from integrations.channels.secrets import Secret
    from integrations.dispatch import dispatch
    from models.calendar import WorkCalendar
    from models.db import transaction
    from models.outbox import Notice, NoticeStatus
    from models.policy import load_policy
    from models.sweep import run_sweep
    from tests.fakes.mailapi import FakeMailApi
    from tests.fakes.wecom import FakeWeCom

    engine = fresh(backend, workdir, "a")
    generate(engine, 10_000, 10_000)
    with engine.begin() as conn:
        # generate() builds the unit rows for one executemany whose first row has no robot or
        # e-mail column, so none is stored: give unit i its route here (ids: 县医保局 is 1, unit i is 2 + i).
        conn.execute(text("UPDATE unit SET wecom_robot = 'robot' || CAST(id - 2 AS VARCHAR(10)) "
                          "WHERE id > 1 AND (id - 2) % 5 = 0"))
        conn.execute(text("UPDATE unit SET email = 'unit' || CAST(id - 2 AS VARCHAR(10)) || '@example.gov.cn' "
                          "WHERE id > 1 AND (id - 2) % 5 IN (1, 2)"))
    started = time.perf_counter()
    with transaction(engine) as session:
        sweep = run_sweep(session, NOW, load_policy(), WorkCalendar())
    sweep_seconds = time.perf_counter() - started
    robots = [(f"robot{i}", f"key-{i}") for i in range(0, UNITS, 5)]
    with FakeWeCom(keys=[k for _, k in robots], limits=False) as wecom, FakeMailApi() as mail, \
            tempfile.TemporaryDirectory() as folder:
        registry = registry_of(wecom_channels(wecom, robots, lambda _: unlimited()) + [
            EmailWebhookChannel("mail", Secret("SG.fake-key-1"), sender="zgb@example.gov.cn", base_url=mail.url)],
            Path(folder))
        started = time.perf_counter()
        result = dispatch(engine, NOW, registry, worker_id="bench", batch=50)
        seconds = time.perf_counter() - started
        files = len(list(Path(folder).glob("*.txt")))
        with Session(engine) as session:
            rows = session.exec(select(Notice)).all()
        per_route = Counter((n.channel, n.target, n.recipient) for n in rows)
        robot_messages = Counter(d.robot for d in wecom.deliveries)
        mail_messages = Counter(t for d in mail.deliveries for t in d.mentions)
        assert all(n.status == NoticeStatus.SENT for n in rows), Counter(n.status for n in rows)
        engine.dispose()
        return {
            "escalations": len(sweep.created), "notices": len(rows), "sweep_s": sweep_seconds,
            "max_notices_per_route": max(per_route.values()),
            "messages": result.messages, "wecom_messages": len(wecom.deliveries), "mails": len(mail.deliveries),
            "files": files, "max_per_robot": max(robot_messages.values()),
            "median_per_robot": statistics.median(robot_messages.values()),
            "max_per_mailbox": max(mail_messages.values()), "seconds": seconds,
        }


# ---------------------------------------------------------------- B. throughput

def part_b(backend: str, workdir: Path, n: int = 10_000) -> dict:
    from sqlalchemy import insert

    from integrations.dispatch import dispatch
    from models.outbox import Notice
    from tests.fakes.samples import context, item
    from tests.fakes.wecom import FakeWeCom

    engine = fresh(backend, workdir, "b")
    robots = [(f"robot{i}", f"key-{i}") for i in range(UNITS)]
    rows = []
    for k in range(n):
        name, _ = robots[k % UNITS]
        ctx = context("urge", items=[item(k)]).to_json()
        rows.append({"key": f"bench:{k}", "kind": "urge", "channel": "wecom", "target": name, "recipient": name,
                     "context": ctx, "status": "待发送", "attempts": 0, "next_attempt_at": NOW, "parts_sent": 0,
                     "created_at": NOW})
    with engine.begin() as conn:
        conn.execute(insert(Notice), rows)
    with FakeWeCom(keys=[k for _, k in robots], limits=False) as wecom, tempfile.TemporaryDirectory() as folder:
        registry = registry_of(wecom_channels(wecom, robots, lambda _: unlimited()), Path(folder))
        started = time.perf_counter()
        result = dispatch(engine, NOW, registry, worker_id="bench", batch=50)
        seconds = time.perf_counter() - started
        assert len(result.sent) == n and len(wecom.deliveries) == n
    engine.dispose()
    return {"notices": n, "seconds": seconds, "per_second": n / seconds}


# ---------------------------------------------------------------- C. vendor limits on a fake clock

def part_c(backend: str, workdir: Path, per_robot: int = 100) -> dict:
    from integrations.channels.dingtalk import DingTalkChannel
    from integrations.channels.feishu import FeishuChannel
    from integrations.channels.ratelimit import VENDOR_RULES, SlidingWindowLimiter
    from integrations.channels.secrets import Secret
    from integrations.dispatch import dispatch
    from models.db import transaction
    from models.outbox import enqueue
    from tests.fakes.clock import FakeClock
    from tests.fakes.dingtalk import FakeDingTalk
    from tests.fakes.feishu import FakeFeishu
    from tests.fakes.samples import context, item
    from tests.fakes.wecom import FakeWeCom

    engine = fresh(backend, workdir, "c")
    clock = FakeClock()
    limited = lambda vendor: SlidingWindowLimiter(VENDOR_RULES[vendor], clock=clock)  # noqa: E731
    secret = "SEC" + "0123456789abcdef" * 4
    with FakeWeCom(clock=clock) as wecom, FakeDingTalk(clock=clock) as ding, FakeFeishu(clock=clock) as feishu, \
            tempfile.TemporaryDirectory() as folder:
        channels = wecom_channels(wecom, [("wjw", "wecom-key-1")], limited) + [
            DingTalkChannel("cz", Secret("ding-token-1"), Secret(secret), base_url=ding.url,
                            limiter=limited("dingtalk"), wallclock=clock.time),
            FeishuChannel("rmyy", Secret("feishu-token-1"), Secret("feishu-secret-1"), base_url=feishu.url,
                          limiter=limited("feishu"), wallclock=clock.time)]
        registry = registry_of(channels, Path(folder))
        with transaction(engine) as session:
            for k in range(per_robot):
                for channel, target in (("wecom", "wjw"), ("dingtalk", "cz"), ("feishu", "rmyy")):
                    enqueue(session, key=f"c:{k}:{channel}", kind="urge", channel=channel, target=target,
                            recipient=target, context=context("urge", items=[item(k)]).to_dict(), now=NOW)
        started, fake_start = time.perf_counter(), clock.monotonic()
        result = dispatch(engine, NOW, registry, worker_id="bench", clock=clock)
        seconds, fake_seconds = time.perf_counter() - started, clock.monotonic() - fake_start
        servers = {"wecom": wecom, "dingtalk": ding, "feishu": feishu}
        rejected = {name: sum(o in REJECTIONS for o in s.outcomes()) for name, s in servers.items()}
        delivered = {name: len(s.deliveries) for name, s in servers.items()}
    engine.dispose()
    return {"sent": len(result.sent), "retry": len(result.retry), "rejected": rejected, "delivered": delivered,
            "fake_minutes": fake_seconds / 60, "seconds": seconds}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--backends", default="sqlite,postgresql")
    parser.add_argument("--parts", default="A,B,C")
    parser.add_argument("--workdir", default="/tmp")
    args = parser.parse_args()
    parts = set(args.parts.split(","))
    for backend in args.backends.split(","):
        workdir = Path(args.workdir)
        if "A" in parts:
            a = part_a(backend, workdir)
            print(f"[{backend}] A. sweep of {a['escalations']:,} due findings for {UNITS} units "
                  f"({a['sweep_s']:.1f} s): {a['notices']} digest notices, at most {a['max_notices_per_route']} "
                  f"per unit and channel; dispatch sent {a['messages']} messages "
                  f"({a['wecom_messages']} to {UNITS // 5} WeCom robots: median {a['median_per_robot']:.0f}, "
                  f"max {a['max_per_robot']} per robot; "
                  f"{a['mails']} e-mails, max {a['max_per_mailbox']} per mailbox; {a['files']} folder files) "
                  f"in {a['seconds']:.2f} s", flush=True)
        if "B" in parts:
            b = part_b(backend, workdir)
            print(f"[{backend}] B. {b['notices']:,} single notices to {UNITS} robots, no rate limit: "
                  f"{b['seconds']:.1f} s ({b['per_second']:.0f} notices/s)", flush=True)
        if "C" in parts:
            c = part_c(backend, workdir)
            print(f"[{backend}] C. 3 × 100 notices to robots enforcing their limits (fake clock): sent {c['sent']}, "
                  f"retry {c['retry']}, vendor rejections {c['rejected']}, delivered {c['delivered']}, "
                  f"{c['fake_minutes']:.1f} fake minutes in {c['seconds']:.1f} s", flush=True)


if __name__ == "__main__":
    main()
