"""Small builders shared by the channel tests."""
from __future__ import annotations

import socket
from pathlib import Path

import docx

from integrations.channels.ratelimit import VENDOR_RULES, SlidingWindowLimiter

REPORT_NAME = "2026年第一季度整改情况报告.docx"
def no_limit() -> SlidingWindowLimiter:
    """A limiter that never waits (fresh each time: a rate-limit reply pauses the limiter it came through)."""
    return SlidingWindowLimiter([(100_000, 1.0)])
FAST_TIMEOUT = (2.0, 0.4)  # read timeout well under the fakes' slow reply


def vendor_limiter(vendor: str, clock) -> SlidingWindowLimiter:
    return SlidingWindowLimiter(VENDOR_RULES[vendor], clock=clock)


def closed_port() -> int:
    """A port nothing listens on (connection refused)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def make_report(folder: Path) -> Path:
    document = docx.Document()
    document.add_heading("2026年第一季度整改情况报告", 0)
    document.add_paragraph("一、总体情况：问题共计5个，已整改3个。")
    path = folder / REPORT_NAME
    document.save(path)
    return path
