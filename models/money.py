"""Money: exact yuan amounts with fen precision.

Amounts are `Decimal` in Python and whole fen (BIGINT) in the database, so
sums in SQL are exact on SQLite too (SQLite has no exact NUMERIC type).
"""
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from sqlalchemy import BigInteger
from sqlalchemy.types import TypeDecorator

from models.errors import ValidationError

FEN = Decimal("0.01")


def to_money(value) -> Decimal:
    """Return `value` as yuan rounded to the fen; refuse floats' cousins like NaN."""
    if isinstance(value, float):
        value = repr(value)
    try:
        amount = Decimal(str(value)).quantize(FEN, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        raise ValidationError(f"金额“{value}”不是有效数字") from None
    if not amount.is_finite():
        raise ValidationError(f"金额“{value}”不是有效数字")
    return amount


def format_money(amount: Decimal | None) -> str:
    """12345.6 -> '12,345.60' (the way ledgers and reports print yuan)."""
    if amount is None:
        return ""
    return f"{amount:,.2f}"


class Fen(TypeDecorator):
    """Stores a yuan `Decimal` as an integer number of fen."""

    impl = BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return int(to_money(value) * 100)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        return (Decimal(value) / 100).quantize(FEN)
