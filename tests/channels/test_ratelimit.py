import threading

import pytest

from integrations.channels.ratelimit import SlidingWindowLimiter, shared_limiter, webhook_identity
from integrations.channels.secrets import Secret
from integrations.channels.wecom import WeComChannel
from tests.fakes.clock import FakeClock


def test_twenty_a_minute_then_wait_for_the_oldest_to_leave_the_window():
    clock = FakeClock()
    limiter = SlidingWindowLimiter([(20, 60.0)], clock=clock)
    for _ in range(20):
        assert limiter.try_acquire() == 0
        clock.advance(0.5)
        limiter.release()  # stamped at 1000.5, 1001.0, ... 1010.0
    assert limiter.try_acquire() == pytest.approx(1000.5 + 61 - clock.monotonic())
    clock.advance(51.49)
    assert limiter.try_acquire() > 0
    clock.advance(0.02)
    assert limiter.try_acquire() == 0


def test_acquire_sleeps_on_the_injected_clock():
    clock = FakeClock()
    limiter = SlidingWindowLimiter([(20, 60.0)], clock=clock)
    for _ in range(45):
        with limiter.slot():
            pass
    assert clock.slept == pytest.approx(2 * 61, abs=0.01)


def test_in_flight_requests_hold_their_slot():
    clock = FakeClock()
    limiter = SlidingWindowLimiter([(2, 1.0)], clock=clock, margin=0)
    limiter.acquire()
    limiter.acquire()
    assert limiter.try_acquire() > 0  # both in flight, nothing to wait out yet
    clock.advance(5)  # a slow reply: the window starts when it arrives, not when it was sent
    limiter.release()
    assert limiter.try_acquire() == pytest.approx(1.0)


def test_feishu_rules_five_a_second_and_hundred_a_minute():
    clock = FakeClock()
    limiter = SlidingWindowLimiter([(5, 1.0), (100, 60.0)], clock=clock)
    stamps = []
    for _ in range(120):
        with limiter.slot():
            stamps.append(clock.monotonic())
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps[i:] if u < t + 1.0) <= 5
        assert sum(1 for u in stamps[i:] if u < t + 60.0) <= 100


def test_pause_holds_everyone_back():
    clock = FakeClock()
    limiter = SlidingWindowLimiter([(20, 60.0)], clock=clock)
    limiter.pause(600)
    assert limiter.wait_time() == pytest.approx(600)
    with limiter.slot():
        pass
    assert clock.slept == pytest.approx(600)


def test_threads_share_one_budget():
    clock = FakeClock()
    limiter = SlidingWindowLimiter([(20, 60.0)], clock=clock)
    stamps, lock = [], threading.Lock()

    def worker():
        for _ in range(15):
            with limiter.slot():
                with lock:
                    stamps.append(clock.monotonic())

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(10)
    assert len(stamps) == 60
    stamps.sort()
    for i, t in enumerate(stamps):
        assert sum(1 for u in stamps[i:] if u < t + 60.0) <= 20


def test_channels_of_the_same_robot_share_a_limiter():
    a = WeComChannel("a", Secret("shared-robot-key-1"))
    b = WeComChannel("b", Secret("shared-robot-key-1"))
    c = WeComChannel("c", Secret("shared-robot-key-2"))
    assert a.limiter is b.limiter and a.limiter is not c.limiter
    identity = webhook_identity("wecom", "https://qyapi.weixin.qq.com", "shared-robot-key-1")
    assert "shared-robot-key-1" not in identity
    assert shared_limiter(identity, [(1, 1.0)]) is a.limiter
