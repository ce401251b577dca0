"""How numbers, dates and enumerations are written in the documents."""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from models.money import format_money

_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 -> 一, 12 -> 十二, 21 -> 二十一 (for 一、 headings and 一是 enumerations)."""
    if not 0 < n < 100:
        return str(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _DIGITS[tens] + "十")
    return head + (_DIGITS[ones] if ones else "")


def cn_date(d: date | datetime) -> str:
    """2026年11月22日, Arabic numerals without leading zeros (GB/T 9704)."""
    return f"{d.year}年{d.month}月{d.day}日"


def cn_datetime(d: datetime) -> str:
    return f"{cn_date(d)}{d.hour}时{d.minute:02d}分" if d.minute else f"{cn_date(d)}{d.hour}时"


def table_date(d: date | None) -> str:
    return d.isoformat() if d else ""


def yuan(amount: Decimal) -> str:
    """Amounts stay in yuan with fen everywhere, so the parts visibly add up to the totals."""
    return format_money(amount)


def percent(rate: Decimal | None) -> str:
    if rate is None:
        return "—"
    return f"{(rate * 100).quantize(Decimal('0.1'), rounding=ROUND_HALF_UP)}%"


def shares(counts: Sequence[int]) -> list[str]:
    """Percentages to one decimal that sum to exactly 100.0% (largest remainder).

    A reader adds the three outcome percentages; 33.3 + 33.3 + 33.3 would look
    like an error.
    """
    total = sum(counts)
    if not total:
        return ["—"] * len(counts)
    tenths = [c * 1000 / total for c in counts]
    floors = [int(t) for t in tenths]
    order = sorted(range(len(counts)), key=lambda i: tenths[i] - floors[i], reverse=True)
    for i in order[: 1000 - sum(floors)]:
        floors[i] += 1
    return [f"{f // 10}.{f % 10}%" for f in floors]


def enumerate_cn(items: Sequence[str]) -> str:
    """一是…；二是…。 the way measures are listed in reports."""
    parts = [f"{cn_number(i)}是{item.rstrip('。；;')}" for i, item in enumerate(items, 1)]
    return "；".join(parts) + "。" if parts else ""


def sentence(text: str) -> str:
    text = text.strip()
    return text if not text or text[-1] in "。！？；：" else text + "。"
