"""Faults: flaky vendors, a dispatcher killed mid-batch, two dispatchers at
once. Nothing is lost, and nothing reaches a group twice (a notice marked
结果不明 may have arrived once; it is never resent by itself)."""
import os
import signal
import subprocess
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

from integrations.dispatch import dispatch
from models.outbox import NoticeStatus
from tests.dispatch.conftest import NOW, SLOW, make_registry, notices, queue
from tests.fakes.clock import RealClock
from tests.fakes.server import Faults

ROOT = Path(__file__).resolve().parents[2]
SEEDS = {"wecom": 11, "dingtalk": 12, "feishu": 13, "mailapi": 14}


def items_of(row) -> int:
    return len(row.data["items"])


def test_thirty_percent_faults_end_sent_or_dead_letter_none_lost_none_doubled(engine, vendors, fake_clock):
    v = vendors(faults=lambda name: Faults(rate=0.3, seed=SEEDS[name], delay=SLOW))
    channels = ("wecom", "dingtalk", "feishu", "smtp")
    for n in range(40):
        queue(engine, n, channels[n % 4], kind="digest" if n % 5 == 0 else "urge", items=12 if n % 5 == 0 else 1)
    moment = NOW
    for _ in range(15):
        result = dispatch(engine, moment, v.registry, worker_id="w", clock=fake_clock)
        if not (result.sent or result.retry or result.dead or result.uncertain):
            break
        moment += timedelta(hours=1)
    rows = [r for r in notices(engine) if r.kind not in ("dead_letter_alert",)]
    assert len(rows) == 40
    states = {r.status for r in rows}
    assert states <= {NoticeStatus.SENT, NoticeStatus.DEAD, NoticeStatus.UNCERTAIN}, states
    injected = {k for s in v.servers().values() for k in s.faults.injected}
    assert injected == {"500", "timeout", "ratelimit"}
    delivered = v.delivered()
    for row in rows:
        count = delivered[f"{int(row.key.split(':')[1]):04d}"]
        if row.status == NoticeStatus.SENT:
            assert count == items_of(row), (row.id, row.vendor_reply)
        else:  # 结果不明 after a timeout: perhaps delivered, once; never resent
            assert count <= items_of(row), (row.id, row.status)
    uncertain = [r for r in rows if r.status == NoticeStatus.UNCERTAIN]
    assert uncertain and all("可能已送达" in r.last_error for r in uncertain)
    assert sum(r.status == NoticeStatus.SENT for r in rows) >= 30


def wait_for(condition, seconds=20.0):
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.02)


def test_dispatcher_killed_mid_batch_is_finished_by_the_next_run(engine, make_fake, fake_clock, tmp_path):
    slow = make_fake("wecom", clock=RealClock(), limits=False,
                     faults=Faults(rate=1.0, kinds=("timeout",), delay=0.25))  # every reply takes 0.25 s
    ids = [queue(engine, n) for n in range(12)]
    url = engine.url.render_as_string(hide_password=False)
    worker = subprocess.Popen([sys.executable, "-m", "tests.dispatch.worker", url, slow.url, NOW.isoformat()],
                              cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    try:
        wait_for(lambda: len(slow.deliveries) >= 4)
        worker.send_signal(signal.SIGKILL)
    finally:
        worker.wait(10)
    assert worker.returncode == -signal.SIGKILL
    slow.faults.rate = 0.0
    registry = make_registry(fake_clock, tmp_path / "outbox", wecom=slow)
    before = {r.id: (r.status, r.claimed_by) for r in notices(engine)}
    held = [i for i, (status, by) in before.items() if by == "doomed" and status == NoticeStatus.PENDING]
    assert held, before  # the killed dispatcher had claimed a batch it did not finish

    # A minute later its claims still look alive: the next run leaves them alone.
    soon = dispatch(engine, NOW + timedelta(minutes=1), registry, worker_id="next", clock=fake_clock)
    assert not set(soon.sent) & set(held) and soon.recovered == []
    # Once they are stale, the next run takes the batch over and finishes it.
    later = dispatch(engine, NOW + timedelta(minutes=11), registry, worker_id="later", clock=fake_clock)
    assert set(held) <= set(later.sent)
    rows = {r.id: r for r in notices(engine)}
    sending = [i for i, (status, _) in before.items() if status == NoticeStatus.SENDING]
    assert later.recovered == sending and len(sending) <= 1
    for notice_id in ids:
        row = rows[notice_id]
        count = sum(f"【N{int(row.key.split(':')[1]):04d}】" in d.content for d in slow.deliveries)
        if notice_id in sending:  # it was on the wire when the process died
            assert row.status == NoticeStatus.UNCERTAIN and count <= 1
        else:
            assert row.status == NoticeStatus.SENT and count == 1, (notice_id, count)


def test_two_dispatchers_at_once_never_send_one_notice_twice(engine, vendors, fake_clock):
    v = vendors(faults=lambda name: Faults(rate=1.0, kinds=("timeout",), delay=0.01))  # slow enough to overlap
    channels = ("wecom", "dingtalk", "feishu", "smtp")
    for n in range(40):
        queue(engine, n, channels[n % 4])
    start = threading.Barrier(2)
    results = {}

    def worker(name):
        start.wait()
        results[name] = dispatch(engine, NOW, v.registry, worker_id=name, batch=3, clock=fake_clock)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    rows = notices(engine)
    assert {r.status for r in rows} == {NoticeStatus.SENT}
    assert sorted(results["w0"].sent + results["w1"].sent) == [r.id for r in rows]
    assert results["w0"].sent and results["w1"].sent  # both took part
    assert v.delivered() == {f"{n:04d}": 1 for n in range(40)}
