"""Sliding-window rate limiting per webhook, shared by every sender in a process.

A send holds a slot while its request is in flight; the slot is stamped
with the time the reply arrived, and the window is counted from those
stamps. The vendor received the request before we got its reply, so a
window counted from our reply times always contains the vendor's: however
slow one request was, the vendor never sees more than `limit` in its
window. A small margin covers vendors that count in whole seconds.

Vendor limits (see docs/../shared/domain/channels.md): 20/min per WeCom or
DingTalk robot; 5/s and 100/min per Feishu bot.

The clock is a parameter (`monotonic()` and `sleep()`), so tests can run a
minute of traffic without waiting for it.
"""
from __future__ import annotations

import hashlib
import threading
import time
from bisect import bisect_right
from collections import deque
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Protocol

Rule = tuple[int, float]  # (at most n requests, per window seconds)

VENDOR_RULES: dict[str, tuple[Rule, ...]] = {
    "wecom": ((20, 60.0),),
    "dingtalk": ((20, 60.0),),
    "feishu": ((5, 1.0), (100, 60.0)),
}

# While every slot is held by an in-flight request there is no stamp to wait
# for; re-check this often (real time: in-flight requests run in real time).
_INFLIGHT_POLL = 0.05


class Clock(Protocol):
    def monotonic(self) -> float: ...
    def sleep(self, seconds: float) -> None: ...


class SystemClock:
    monotonic = staticmethod(time.monotonic)
    sleep = staticmethod(time.sleep)


SYSTEM_CLOCK = SystemClock()


class SlidingWindowLimiter:
    def __init__(self, rules: Sequence[Rule], *, clock: Clock = SYSTEM_CLOCK, margin: float | None = None):
        if not rules:
            raise ValueError("a limiter needs at least one rule")
        self.rules = tuple((int(n), float(w)) for n, w in rules)
        self.clock = clock
        # Default margin: a tenth of the window, at most a second.
        self._margins = tuple(min(1.0, w / 10) if margin is None else margin for _, w in self.rules)
        self._horizon = max(w + m for (_, w), m in zip(self.rules, self._margins))
        self._done: deque[float] = deque()  # reply times, non-decreasing (stamped under the lock)
        self._inflight = 0
        self._paused_until = float("-inf")
        self._cond = threading.Condition()

    def __repr__(self) -> str:
        return f"<SlidingWindowLimiter rules={self.rules}>"

    def _wait_locked(self, now: float) -> float | None:
        """Seconds until a slot frees up; 0 = free now; None = wait for an in-flight reply."""
        while self._done and self._done[0] <= now - self._horizon:
            self._done.popleft()
        wait = max(0.0, self._paused_until - now)
        stamps = list(self._done)
        for (limit, window), margin in zip(self.rules, self._margins):
            span = window + margin
            recent = stamps[bisect_right(stamps, now - span):]
            excess = self._inflight + len(recent) - limit + 1
            if excess <= 0:
                continue
            if excess > len(recent):
                return None
            wait = max(wait, recent[excess - 1] + span - now)
        return wait

    def wait_time(self) -> float:
        """How long `acquire()` would block now (0 if a slot is free); does not take a slot."""
        with self._cond:
            wait = self._wait_locked(self.clock.monotonic())
        return _INFLIGHT_POLL if wait is None else wait

    def try_acquire(self) -> float:
        """Take a slot and return 0, or return the seconds to wait without taking one."""
        with self._cond:
            wait = self._wait_locked(self.clock.monotonic())
            if wait == 0:
                self._inflight += 1
                return 0.0
        return _INFLIGHT_POLL if wait is None else wait

    def acquire(self) -> None:
        """Block until a slot is free and take it; pair with `release()`."""
        while True:
            with self._cond:
                wait = self._wait_locked(self.clock.monotonic())
                if wait == 0:
                    self._inflight += 1
                    return
                if wait is None:
                    self._cond.wait(_INFLIGHT_POLL)
                    continue
            self.clock.sleep(wait)

    def release(self) -> None:
        with self._cond:
            self._inflight -= 1
            self._done.append(self.clock.monotonic())
            self._cond.notify_all()

    @contextmanager
    def slot(self) -> Iterator[None]:
        self.acquire()
        try:
            yield
        finally:
            self.release()

    def pause(self, seconds: float) -> None:
        """Hold every sender back for `seconds` (the vendor said we are over its limit)."""
        with self._cond:
            self._paused_until = max(self._paused_until, self.clock.monotonic() + seconds)


_shared: dict[str, SlidingWindowLimiter] = {}
_shared_lock = threading.Lock()


def webhook_identity(kind: str, base_url: str, credential: str) -> str:
    """A name for one webhook that does not reveal its credential."""
    digest = hashlib.sha256(f"{kind}\n{base_url.rstrip('/')}\n{credential}".encode()).hexdigest()[:16]
    return f"{kind}:{digest}"


def shared_limiter(identity: str, rules: Sequence[Rule], *, clock: Clock = SYSTEM_CLOCK) -> SlidingWindowLimiter:
    """The process-wide limiter of one webhook: channels configured twice with
    the same robot (under two names) still share one budget."""
    with _shared_lock:
        limiter = _shared.get(identity)
        if limiter is None:
            limiter = _shared[identity] = SlidingWindowLimiter(rules, clock=clock)
        return limiter
