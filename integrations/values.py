"""Parsers for the cell values found in real rectification ledgers.

Each parser takes a raw cell (whatever openpyxl or csv produced) and either
returns a clean Python value or raises `ValidationError` whose Chinese
message quotes the offending value; the importer adds the row and column.
Empty cells ("", "-", "无", None) parse to None so the caller decides whether
the field is required.
"""
import calendar
import re
from datetime import date, datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import NamedTuple

from models.errors import ValidationError
from models.money import to_money

# Full-width ASCII (U+FF01..U+FF5E) maps onto ASCII by a fixed offset. Only
# that block and the ideographic space are touched, so Chinese characters and
# Chinese-only punctuation such as 、。《》 pass through unchanged.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}
_HALF_WIDTH[0x3000] = ord(" ")
_HALF_WIDTH[0xFFE5] = ord("¥")  # full-width yen/yuan sign has no ASCII twin

_WHITESPACE = re.compile(r"\s+")
_EMPTY_MARKS = frozenset({"", "-", "--", "—", "——", "/", "无", "暂无"})


def normalize_text(s) -> str:
    """Full-width digits, letters and punctuation to half-width; strip the ends."""
    if s is None:
        return ""
    return str(s).translate(_HALF_WIDTH).strip()


def parse_text(value) -> str | None:
    """A text cell as the user typed it (width untouched), None when blank.

    Numbers typed into a text column come back from Excel as int or float;
    1.0 must read "1", not "1.0", for finding numbers to match on re-import.
    """
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    elif isinstance(value, datetime):
        value = value.date()
    text = str(value).strip()  # str.strip() also removes the ideographic space
    return text or None


def _compact(value) -> str:
    """normalize_text without any inner whitespace: "1, 234 万" and "3 月 5 日" occur."""
    return _WHITESPACE.sub("", normalize_text(value))


def _is_empty(text: str) -> bool:
    return text in _EMPTY_MARKS


# ---------------------------------------------------------------- amounts

_AMOUNT = re.compile(
    r"(?:人民币|RMB|¥)?"
    r"(?P<num>[+-]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?|[+-]?\.\d+)"
    r"(?P<unit>亿元|亿|万元|万|元)?"
)
_UNIT_SCALE = {"亿元": 100_000_000, "亿": 100_000_000, "万元": 10_000, "万": 10_000, "元": 1}
_WAN = 10_000


def parse_amount(value, *, in_wan: bool = False) -> Decimal | None:
    """Yuan with fen precision; None for an empty cell.

    `in_wan` says the column header is in 万元: a bare number is then scaled
    by 10,000 before rounding to the fen, while a cell carrying its own unit
    ("3000元") keeps it.
    """
    if value is None:
        return None
    if isinstance(value, bool):
        raise ValidationError(f"金额“{value}”不是数字")
    scale = _WAN if in_wan else 1
    if isinstance(value, (int, float, Decimal)):
        number = value
    else:
        text = _compact(value)
        if _is_empty(text):
            return None
        match = _AMOUNT.fullmatch(text)
        if match is None:
            raise ValidationError(f"金额“{value}”无法识别，应为数字，如 1,234.56 或 7.11万")
        number = match["num"].replace(",", "")
        if match["unit"]:
            scale = _UNIT_SCALE[match["unit"]]
    if isinstance(number, float):
        number = repr(number)  # the shortest decimal that round-trips: no binary artefacts
    try:
        exact = Decimal(number) * scale
    except InvalidOperation:
        exact = None
    if exact is None or not exact.is_finite():
        raise ValidationError(f"金额“{value}”不是有效数字")
    return to_money(exact)


# ---------------------------------------------------------------- numerals

_CN_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}
_CN_INT = re.compile(
    r"(?:(?P<h>[一二两三四五六七八九])百)?"
    r"(?:零?(?P<t>[一二三四五六七八九])?(?P<ten>十))?"
    r"(?:零?(?P<u>[一二三四五六七八九]))?"
)


def parse_chinese_int(text: str) -> int | None:
    """Arabic digits or a Chinese numeral below 1000 (三十, 十五, 一百零五)."""
    if text.isdecimal():
        return int(text)
    if (len(text) == 4 or "〇" in text or "零" in text) and all(ch in _CN_DIGITS for ch in text):
        # digit by digit, as in years written 二〇二六 or 一九九八; not 三五 ("three or five")
        return int("".join(str(_CN_DIGITS[ch]) for ch in text))
    match = _CN_INT.fullmatch(text)
    if match is None or not text:
        return None
    hundreds = _CN_DIGITS[match["h"]] if match["h"] else 0
    tens = (_CN_DIGITS[match["t"]] if match["t"] else 1) if match["ten"] else 0
    units = _CN_DIGITS[match["u"]] if match["u"] else 0
    if hundreds and match["ten"] and not match["t"]:
        return None  # 一百十 is not written; 一百一十 is
    return hundreds * 100 + tens * 10 + units


# ---------------------------------------------------------------- dates

_NUM = r"(\d+|[零〇一二两三四五六七八九十百]+)"
_DATE_CN = re.compile(rf"(?:{_NUM}年)?{_NUM}月{_NUM}[日号]?")
_DATE_CN_MONTH_END = re.compile(rf"(?:{_NUM}年)?{_NUM}月(?:底|末)")
_DATE_CN_YEAR_END = re.compile(rf"{_NUM}?年(?:底|末)")
_DATE_ISO = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
# "2026-03-05 00:00:00" is how a date cell reads once saved as CSV
_TIME_OF_DAY = re.compile(r"(?:T|\s+)\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?$")
_DATE_COMPACT = re.compile(r"(\d{4})(\d{2})(\d{2})")
_DATE_PREFIX = re.compile(r"^(?:截止到|截止于|截至|截止|于|在)")
_DATE_SUFFIX = re.compile(r"(?:之前|以前|前)?(?:完成整改|整改完成|整改到位|完成)?$")

_EXCEL_EPOCH = date(1899, 12, 30)  # 1900 system, past its fictitious 1900-02-29
# A ledger date before 1950 is a typo or a number that is not a date (say 30
# in a deadline column); refuse it rather than read it as 1900-01-30.
_SERIAL_MIN = (date(1950, 1, 1) - _EXCEL_EPOCH).days
_SERIAL_MAX = (date(9999, 12, 31) - _EXCEL_EPOCH).days


def _make_date(value, year: int, month: int, day: int) -> date:
    if year < 1950:
        raise ValidationError(f"日期“{value}”的年份{year}不合理")
    try:
        return date(year, month, day)
    except ValueError:
        raise ValidationError(f"日期“{value}”不存在（{year}年{month}月{day}日）") from None


def _month_end(value, year: int, month: int) -> date:
    if not 1 <= month <= 12:
        raise ValidationError(f"日期“{value}”不存在（{month}月）")
    return _make_date(value, year, month, calendar.monthrange(year, month)[1])


def _date_from_serial(value) -> date:
    days = int(value)
    if not _SERIAL_MIN <= days <= _SERIAL_MAX:
        raise ValidationError(f"日期“{value}”无效：不是日期，也不是合理的 Excel 日期序号")
    return _EXCEL_EPOCH + timedelta(days=days)


def _date_compact(value) -> str:
    return _compact(_TIME_OF_DAY.sub("", normalize_text(value)))


def _date_from_text(value, text: str, default_year: int) -> date | None:
    """The date in `text`, None if it is not written as a date at all."""
    if match := _DATE_ISO.fullmatch(text):
        return _make_date(value, int(match[1]), int(match[3]), int(match[4]))
    if match := _DATE_COMPACT.fullmatch(text):
        return _make_date(value, int(match[1]), int(match[2]), int(match[3]))
    core = _DATE_SUFFIX.sub("", _DATE_PREFIX.sub("", text), count=1)
    if match := _DATE_CN.fullmatch(core):
        parts = [parse_chinese_int(p) if p else default_year for p in match.groups()]
        if None not in parts:
            return _make_date(value, *parts)
    elif match := _DATE_CN_MONTH_END.fullmatch(core):
        year, month = (parse_chinese_int(p) if p else default_year for p in match.groups())
        if None not in (year, month):
            return _month_end(value, year, month)
    elif match := _DATE_CN_YEAR_END.fullmatch(core):
        year = parse_chinese_int(match[1]) if match[1] else default_year
        if year is not None:
            return _make_date(value, year, 12, 31)
    return None


def parse_date(value, default_year: int) -> date | None:
    """A calendar date; "3月5日前" without a year falls in `default_year`."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, bool):
        raise ValidationError(f"日期“{value}”无法识别")
    if isinstance(value, (int, float, Decimal)):
        if isinstance(value, int) and 19_000_101 <= value <= 99_991_231:
            return _date_from_text(value, str(value), default_year)  # 20260305 typed as a number
        return _date_from_serial(value)
    text = _date_compact(value)
    if _is_empty(text):
        return None
    parsed = _date_from_text(value, text, default_year)
    if parsed is None:
        raise ValidationError(f"日期“{value}”无法识别，应写作 2026年3月5日、3月5日 或 2026-03-05")
    return parsed


# ---------------------------------------------------------------- deadlines

class DeadlineCell(NamedTuple):
    """What a 整改时限 cell says: a fixed date or a period from the trigger."""

    kind: str  # "fixed" | "natural" | "working" | "immediate"
    days: int | None
    on: date | None


_IMMEDIATE = frozenset({"立行立改", "立即整改", "立即", "立改立行", "立查立改", "即知即改", "即查即改"})
_PERIOD = re.compile(
    r"(?:限期|期限为?|整改期限为?)?"
    rf"{_NUM}个?(工作日|自然日|日历日|日|天)"
    r"(?:之?内|以内)?(?:完成整改|整改完成|整改到位|完成|整改)?"
)


def _deadline_unknown(value) -> ValidationError:
    return ValidationError(
        f"整改时限“{value}”无法识别，应为日期（如 2026年3月5日前）、"
        f"期限（如 30日、10个工作日）或“立行立改”"
    )


def parse_deadline_cell(value, default_year: int) -> DeadlineCell | None:
    """A 整改时限 cell: a date, "30日"/"三十天", "10个工作日" or "立行立改"."""
    if value is None:
        return None
    if isinstance(value, str):
        text = _date_compact(value)
        if _is_empty(text):
            return None
        if text in _IMMEDIATE:
            return DeadlineCell("immediate", None, None)
        if match := _PERIOD.fullmatch(text):
            days = parse_chinese_int(match[1])
            if days is None or days == 0:
                raise ValidationError(f"整改时限“{value}”的天数无法识别")
            kind = "working" if match[2] == "工作日" else "natural"
            return DeadlineCell(kind, days, None)
        on = _date_from_text(value, text, default_year)
        if on is None:
            raise _deadline_unknown(value)
        return DeadlineCell("fixed", None, on)
    try:
        on = parse_date(value, default_year)
    except ValidationError:
        raise _deadline_unknown(value) from None
    return DeadlineCell("fixed", None, on)


# ---------------------------------------------------------------- flags and lists

_TRUE = frozenset({"是", "已", "√", "✓", "✔", "Y", "YES", "TRUE", "T", "1", "对"})
_FALSE = frozenset({"否", "未", "×", "✗", "✘", "X", "N", "NO", "FALSE", "F", "0"})


def parse_bool_cell(value) -> bool | None:
    """是/否, 已/未 (also 已销号/未完成), √/×, Y/N, TRUE/FALSE; None when blank."""
    if value is None:
        return None
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    text = _compact(value).upper()
    if _is_empty(text):
        return None
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    if len(text) <= 5 and text[0] in "已未" and text[1:].isalpha():
        return text[0] == "已"
    raise ValidationError(f"“{value}”不是是/否，应填 是、否、√ 或 ×")


_NAME_SEPARATORS = re.compile(r"[、，,；;/／\r\n]+")


def split_names(value) -> list[str]:
    """Unit names in one cell ("医保局、卫健局；财政局"), in order, without repeats."""
    if value is None:
        return []
    names = (part.strip() for part in _NAME_SEPARATORS.split(str(value)))
    return list(dict.fromkeys(name for name in names if name))
