"""A clock tests move by hand, shared by our rate limiter and the fake vendors.

`sleep()` advances it instead of waiting, so a minute of traffic takes no
time; `time()` is the wall clock the vendors check signature timestamps
against, moving in step with `monotonic()`.
"""
from __future__ import annotations

import threading
import time as _time

WALL_START = 1_775_000_000.0  # 2026-03-31, an arbitrary fixed instant


class FakeClock:
    def __init__(self, start: float = 1000.0, wall: float = WALL_START):
        self._now = start
        self._wall_offset = wall - start
        self._lock = threading.Lock()
        self.slept = 0.0

    def monotonic(self) -> float:
        with self._lock:
            return self._now

    def time(self) -> float:
        with self._lock:
            return self._now + self._wall_offset

    def advance(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)

    def sleep(self, seconds: float) -> None:
        with self._lock:
            self._now += max(0.0, seconds)
            self.slept += max(0.0, seconds)


class RealClock:
    monotonic = staticmethod(_time.monotonic)
    time = staticmethod(_time.time)
    sleep = staticmethod(_time.sleep)
