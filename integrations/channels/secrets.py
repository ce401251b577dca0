"""Secrets (robot keys, tokens, signing secrets, passwords) and their redaction.

A secret's value lives only inside a `Secret`; every value ever wrapped is
remembered, and `redact()` replaces any of them (and anything shaped like
a credential in a URL or header) in a text before it is logged, stored in
a result, or shown in a repr or error. Channels call `redact()` on every
text that leaves them; a logging filter does the same for urllib3's debug
lines, which print request URLs (and so the WeCom key and DingTalk token).
"""
from __future__ import annotations

import logging
import re
import threading
from typing import Any

MASK = "***"

_known: set[str] = set()
_known_lock = threading.Lock()
_pattern: re.Pattern | None = None

# Credentials that travel in URLs or headers, redacted even if never wrapped
# (e.g. a key pasted into an error message by a proxy).
_SHAPES = [
    (re.compile(r"(?i)\b(key|access_token|token|sign|api_key|secret)=([^&\s\"'<>]+)"), r"\1=" + MASK),
    (re.compile(r"(/open-apis/bot/v2/hook/)([^/?\s\"'<>]+)"), r"\1" + MASK),
    (re.compile(r"(?i)\b(bearer\s+)([^\s\"',]+)"), r"\1" + MASK),
    (re.compile(r"(?i)(\"(?:sign|secret|password|api_key)\"\s*:\s*\")([^\"]*)(\")"), r"\1" + MASK + r"\3"),
]


class Secret:
    """A credential. `reveal()` is the only way to read it; str/repr show a mask."""

    __slots__ = ("_value", "source")

    def __init__(self, value: str, source: str = ""):
        if not isinstance(value, str) or not value:
            raise ValueError("secret must be a non-empty string")
        self._value = value
        self.source = source  # where it came from, e.g. "env:RECTIFY_WECOM_KEY" (safe to show)
        _remember(value)

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return f"Secret({self.source or MASK})"

    __str__ = __repr__

    def __eq__(self, other) -> bool:
        return isinstance(other, Secret) and other._value == self._value

    def __hash__(self) -> int:
        return hash(("Secret", self._value))

    def __reduce__(self):
        raise TypeError("secrets are not pickled")


def _remember(value: str) -> None:
    global _pattern
    with _known_lock:
        if value in _known:
            return
        _known.add(value)
        _pattern = None  # rebuilt on the next redact(): loading 500 channels compiles it once, not 500 times


def _known_pattern() -> re.Pattern | None:
    global _pattern
    with _known_lock:
        if _pattern is None and _known:
            # Longest first so a secret containing another is masked whole.
            alternatives = sorted(_known, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(v) for v in alternatives))
        return _pattern


def redact(value: Any) -> Any:
    """Mask every known secret and credential-shaped substring in `value`.

    Strings are redacted; dicts, lists and tuples are redacted recursively;
    anything else is returned unchanged.
    """
    if isinstance(value, str):
        pattern = _known_pattern()
        if pattern is not None:
            value = pattern.sub(MASK, value)
        for shape, replacement in _SHAPES:
            value = shape.sub(replacement, value)
        return value
    if isinstance(value, dict):
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return type(value)(redact(v) for v in value)
    return value


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with secrets masked (attach to loggers or handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a broken format string is logging's problem, not a leak
            return True
        record.msg, record.args = redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True


_filter = RedactingFilter()
log = logging.getLogger("rectify.channels")
for _name in ("rectify.channels", "urllib3.connectionpool", "urllib3.connection"):
    logging.getLogger(_name).addFilter(_filter)
