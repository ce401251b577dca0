"""What every fake vendor shares: a threaded HTTP server on 127.0.0.1, a
record of deliveries, per-robot sliding-window limits on the injected
clock, and deterministic fault injection."""
from __future__ import annotations

import json
from abc import ABC, abstractmethod
import random
import threading
import time
from collections import deque
from dataclasses import dataclass
from typing import Any

from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

from .clock import RealClock

FAULT_KINDS = ("500", "timeout", "ratelimit")


@dataclass
class Delivery:
    """One message the vendor accepted (what would appear in the group or mailbox)."""

    robot: str          # key / token / api key the message was sent with
    msgtype: str
    content: str        # the text a reader sees (title + body where the vendor has both)
    payload: Any        # the JSON body as received
    at: float           # server clock (monotonic) at acceptance
    mentions: tuple[str, ...] = ()


class Faults:
    """Decides, per request and in arrival order, whether to misbehave.

    `rate` of requests fail with a kind drawn from `kinds`, reproducibly for a
    `seed`. `queue()` forces the next requests' faults explicitly. A "timeout"
    delays the reply by `delay` real seconds; with `deliver_on_timeout` the
    message is delivered first (the dangerous case: the client gives up on a
    message that did arrive).
    """

    def __init__(self, rate: float = 0.0, kinds=FAULT_KINDS, seed: int = 0, delay: float = 1.0,
                 deliver_on_timeout: bool = True):
        self.rate, self.kinds, self.delay = rate, tuple(kinds), delay
        self.deliver_on_timeout = deliver_on_timeout
        self._rng = random.Random(seed)
        self._queued: deque[str | None] = deque()
        self._lock = threading.Lock()
        self.injected: list[str] = []

    def queue(self, *kinds: str | None) -> None:
        with self._lock:
            self._queued.extend(kinds)

    def next(self) -> str | None:
        with self._lock:
            if self._queued:
                kind = self._queued.popleft()
            elif self.rate and self._rng.random() < self.rate:
                kind = self._rng.choice(self.kinds)
            else:
                kind = None
            if kind:
                self.injected.append(kind)
            return kind


class Window:
    """Vendor-side limits per robot: at most n accepted requests in any `window` seconds."""

    def __init__(self, clock, rules):
        self.clock, self.rules = clock, tuple(rules)
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def admit(self, robot: str) -> bool:
        with self._lock:
            now = self.clock.monotonic()
            hits = self._hits.setdefault(robot, deque())
            longest = max(w for _, w in self.rules)
            while hits and hits[0] <= now - longest:
                hits.popleft()
            for n, w in self.rules:
                if sum(1 for t in hits if t > now - w) >= n:
                    return False
            hits.append(now)
            return True


class _QuietHandler(WSGIRequestHandler):
    """The vendor's access log is not ours (and would print keys that tests check we never log)."""

    def log_request(self, *args, **kwargs):
        pass


def json_response(data: dict, status: int = 200, headers: dict | None = None) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status=status, headers=headers,
                    content_type="application/json; charset=utf-8")


class FakeVendorServer(ABC):
    vendor = "fake"
    rules: tuple = ()  # vendor limits, (n, seconds)

    def __init__(self, *, clock=None, faults: Faults | None = None, limits: bool = True):
        self.clock = clock or RealClock()
        self.faults = faults or Faults()
        self.window = Window(self.clock, self.rules) if (limits and self.rules) else None
        self.deliveries: list[Delivery] = []
        self.requests: list[tuple[str, str]] = []  # (path, what happened)
        self._lock = threading.Lock()
        self._server = None
        self._thread = None

    # -- lifecycle
    def start(self):
        self._server = make_server("127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler)
        self._thread = threading.Thread(target=self._server.serve_forever, kwargs={"poll_interval": 0.05}, name=f"fake-{self.vendor}", daemon=True)
        self._thread.start()
        return self

    def stop(self):
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self):
        return self.start()

    def __exit__(self, *exc):
        self.stop()

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host}:{port}"

    # -- recording
    def record(self, what: str, request: Request) -> None:
        with self._lock:
            self.requests.append((request.path, what))

    def deliver(self, delivery: Delivery) -> None:
        with self._lock:
            self.deliveries.append(delivery)

    def outcomes(self) -> list[str]:
        return [what for _, what in self.requests]

    # -- request handling
    def _wsgi(self, environ, start_response):
        request = Request(environ)
        fault = self.faults.next()
        if fault == "500":
            self.record("fault:500", request)
            response = Response("Internal Server Error", status=500)
        elif fault == "ratelimit":
            self.record("fault:ratelimit", request)
            response = self.rate_limited()
        elif fault == "timeout" and not self.faults.deliver_on_timeout:
            self.record("fault:timeout", request)
            time.sleep(self.faults.delay)
            response = Response("Gateway Timeout", status=504)
        else:
            response = self.handle(request)
            if fault == "timeout":
                self.record("fault:timeout-after-delivery", request)
                time.sleep(self.faults.delay)
        return response(environ, start_response)

    def admit(self, robot: str) -> bool:
        return self.window is None or self.window.admit(robot)

    @abstractmethod
    def handle(self, request: Request) -> Response:
        """The vendor's answer to one request (each fake implements its API)."""

    @abstractmethod
    def rate_limited(self) -> Response:
        """The vendor's reply when a robot is over its rate limit."""

    def reply(self, request: Request, what: str, data: dict, status: int = 200, headers=None) -> Response:
        self.record(what, request)
        return json_response(data, status, headers)

    def read_json(self, request: Request):
        try:
            return json.loads(request.get_data().decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            return None
