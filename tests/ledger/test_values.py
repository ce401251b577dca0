"""Cell parsers: the spellings real ledgers use, and errors that name the value."""
from datetime import date, datetime
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from integrations.values import (
    DeadlineCell,
    normalize_text,
    parse_amount,
    parse_bool_cell,
    parse_date,
    parse_deadline_cell,
    parse_text,
    split_names,
)
from models.errors import ValidationError

FULL_WIDTH_DIGITS = str.maketrans("0123456789.,", "０１２３４５６７８９．，")


# ---------------------------------------------------------------- text

@pytest.mark.parametrize("raw, expected", [
    ("\u3000（一）问题：ＡＢＣ，１２３。\u3000", "(一)问题:ABC,123。"),
    ("  县医保局、县卫健局 ", "县医保局、县卫健局"),
    ("鲁卫农卫发〔2017〕8号", "鲁卫农卫发〔2017〕8号"),  # Chinese brackets are not full-width ASCII
    (None, ""),
    (12, "12"),
])
def test_normalize_text(raw, expected):
    assert normalize_text(raw) == expected


def test_normalize_text_keeps_length_of_stripped_text():
    text = "问题：重复收费１２，３４５．６元（见附件）"
    assert len(normalize_text(text)) == len(text)


@pytest.mark.parametrize("raw, expected", [
    (1.0, "1"), (12, "12"), ("  A-01\u3000", "A-01"), ("", None), ("\u3000 ", None), (None, None),
    (datetime(2026, 3, 5, 0, 0), "2026-03-05"), ("（一）", "（一）"),
])
def test_parse_text(raw, expected):
    assert parse_text(raw) == expected


# ---------------------------------------------------------------- amounts

@pytest.mark.parametrize("raw, expected", [
    ("1,234.56", "1234.56"),
    ("1,234.56万元", "12345600.00"),
    ("7.11万", "71100.00"),
    ("3亿元", "300000000.00"),
    ("12,345元", "12345.00"),
    ("￥1,200.00", "1200.00"),
    ("¥1,200", "1200.00"),
    ("１２３４．５", "1234.50"),
    ("１，２３４．５６万元", "12345600.00"),
    ("1, 234.56 万 元", "12345600.00"),
    ("人民币3,000元", "3000.00"),
    ("-1,500.5", "-1500.50"),
    ("0", "0.00"),
    ("1.005", "1.01"),  # half-up to the fen
    (1234, "1234.00"),
    (0.1 + 0.2, "0.30"),
    (1234.565, "1234.57"),  # repr is 1234.565, not the binary 1234.5649999…
    (Decimal("71.1"), "71.10"),
])
def test_parse_amount(raw, expected):
    assert parse_amount(raw) == Decimal(expected)


@pytest.mark.parametrize("raw", [None, "", "-", "—", "无", "  ", "/"])
def test_parse_amount_empty(raw):
    assert parse_amount(raw) is None


@pytest.mark.parametrize("raw, expected", [
    (7.11, "71100.00"),
    ("7.11", "71100.00"),
    (1.234567, "12345.67"),  # scaled before rounding: no fen lost
    ("5000元", "5000.00"),  # the cell's own unit wins over the header's
    ("0.5亿元", "50000000.00"),
])
def test_parse_amount_in_wan_column(raw, expected):
    assert parse_amount(raw, in_wan=True) == Decimal(expected)


@pytest.mark.parametrize("raw", ["约一千元", "12..3", "1,23", "12元5角", "一千", "1.2.3", "12%", True, float("nan")])
def test_parse_amount_rejects_garbage_naming_it(raw):
    with pytest.raises(ValidationError) as error:
        parse_amount(raw)
    assert str(raw) in str(error.value)


@given(st.decimals(min_value=-10**9, max_value=10**9, places=2, allow_nan=False))
def test_parse_amount_reads_back_what_ledgers_print(amount):
    printed = f"{amount:,.2f}"
    assert parse_amount(printed) == amount
    assert parse_amount(printed.translate(FULL_WIDTH_DIGITS)) == amount
    assert parse_amount(float(printed.replace(",", ""))) == amount


# ---------------------------------------------------------------- dates

@pytest.mark.parametrize("raw, expected", [
    ("2026年3月5日", date(2026, 3, 5)),
    ("2026年3月5日前", date(2026, 3, 5)),
    ("2026年03月05日之前完成", date(2026, 3, 5)),
    ("于2026年3月5日前", date(2026, 3, 5)),
    ("3月5日前", date(2025, 3, 5)),
    ("3月5日", date(2025, 3, 5)),
    ("12月31号", date(2025, 12, 31)),
    ("2026-03-05", date(2026, 3, 5)),
    ("2026/3/5", date(2026, 3, 5)),
    ("2026.3.5", date(2026, 3, 5)),
    ("20260305", date(2026, 3, 5)),
    ("２０２６年３月５日", date(2026, 3, 5)),
    ("２０２６－０３－０５", date(2026, 3, 5)),
    ("2026 年 3 月 5 日", date(2026, 3, 5)),
    ("二〇二六年三月五日", date(2026, 3, 5)),
    ("二〇一七年十二月二十日", date(2017, 12, 20)),
    ("一九九八年五月二十日", date(1998, 5, 20)),
    ("2026-03-05 00:00:00", date(2026, 3, 5)),  # a date cell saved as CSV
    ("2026/3/5 0:00", date(2026, 3, 5)),
    ("2026年6月底前", date(2026, 6, 30)),
    ("2024年2月底", date(2024, 2, 29)),
    ("12月底前", date(2025, 12, 31)),
    ("2026年底前", date(2026, 12, 31)),
    ("年底前", date(2025, 12, 31)),
    (45000, date(2023, 3, 15)),  # Excel shows serial 45000 as 2023-03-15
    (45000.75, date(2023, 3, 15)),  # the time of day is dropped
    (46086, date(2026, 3, 5)),
    (20260305, date(2026, 3, 5)),  # yyyymmdd typed as a number
    (datetime(2026, 3, 5, 14, 30), date(2026, 3, 5)),
    (date(2026, 3, 5), date(2026, 3, 5)),
])
def test_parse_date(raw, expected):
    assert parse_date(raw, 2025) == expected


@pytest.mark.parametrize("raw", [None, "", " ", "-", "无"])
def test_parse_date_empty(raw):
    assert parse_date(raw, 2025) is None


@pytest.mark.parametrize("raw, words", [
    ("2月30日", "不存在"),
    ("2026年2月29日", "不存在"),
    ("2026-13-01", "不存在"),
    ("20261301", "不存在"),
    ("13月底", "不存在"),
    ("26年3月5日", "年份"),
    ("1949年底", "年份"),
    ("明年春节前", "无法识别"),
    ("2026年3月", "无法识别"),
    ("3/5", "无法识别"),
    (30, "Excel"),  # far too small to be a ledger date
    (True, "无法识别"),
])
def test_parse_date_rejects_naming_the_value(raw, words):
    with pytest.raises(ValidationError) as error:
        parse_date(raw, 2026)
    assert f"“{raw}”" in str(error.value)
    assert words in str(error.value)


@given(st.dates(min_value=date(1950, 1, 1), max_value=date(2200, 12, 31)))
def test_parse_date_forms_agree(day):
    forms = [
        f"{day.year}年{day.month}月{day.day}日", day.isoformat(), f"{day.year}/{day.month}/{day.day}",
        f"{day.year}.{day.month}.{day.day}", day.strftime("%Y%m%d"),
        f"{day.year}年{day.month}月{day.day}日前".translate(FULL_WIDTH_DIGITS),
        (day - date(1899, 12, 30)).days,
    ]
    assert {parse_date(form, 2000) for form in forms} == {day}


# ---------------------------------------------------------------- deadlines

@pytest.mark.parametrize("raw, expected", [
    ("2026年3月5日前", DeadlineCell("fixed", None, date(2026, 3, 5))),
    ("3月5日前", DeadlineCell("fixed", None, date(2026, 3, 5))),
    ("2026/3/5", DeadlineCell("fixed", None, date(2026, 3, 5))),
    (46086, DeadlineCell("fixed", None, date(2026, 3, 5))),
    (datetime(2026, 3, 5), DeadlineCell("fixed", None, date(2026, 3, 5))),
    ("30日", DeadlineCell("natural", 30, None)),
    ("30天", DeadlineCell("natural", 30, None)),
    ("３０天内", DeadlineCell("natural", 30, None)),
    ("30个自然日", DeadlineCell("natural", 30, None)),
    ("限期60日内整改到位", DeadlineCell("natural", 60, None)),
    ("三十日", DeadlineCell("natural", 30, None)),
    ("十五天", DeadlineCell("natural", 15, None)),
    ("九十日内完成整改", DeadlineCell("natural", 90, None)),
    ("一百八十天", DeadlineCell("natural", 180, None)),
    ("一百零五日", DeadlineCell("natural", 105, None)),
    ("两百天", DeadlineCell("natural", 200, None)),
    ("九百九十九日", DeadlineCell("natural", 999, None)),
    ("10个工作日", DeadlineCell("working", 10, None)),
    ("十个工作日", DeadlineCell("working", 10, None)),
    ("30个工作日内", DeadlineCell("working", 30, None)),
    ("立行立改", DeadlineCell("immediate", None, None)),
    ("立即整改", DeadlineCell("immediate", None, None)),
    (" 立行立改\u3000", DeadlineCell("immediate", None, None)),
])
def test_parse_deadline_cell(raw, expected):
    assert parse_deadline_cell(raw, 2026) == expected


@pytest.mark.parametrize("raw", [None, "", "—"])
def test_parse_deadline_cell_empty(raw):
    assert parse_deadline_cell(raw, 2026) is None


@pytest.mark.parametrize("raw, words", [
    ("长期坚持", "无法识别"),
    ("3个月", "无法识别"),
    ("30", "无法识别"),
    (30, "无法识别"),
    ("一千日", "无法识别"),
    ("0日", "天数"),
    ("一百十天", "天数"),
    ("三五天", "天数"),  # "three to five days" is no period
    ("2026年2月30日前", "不存在"),
])
def test_parse_deadline_cell_rejects_naming_the_value(raw, words):
    with pytest.raises(ValidationError) as error:
        parse_deadline_cell(raw, 2026)
    assert f"“{raw}”" in str(error.value)
    assert words in str(error.value)


# ---------------------------------------------------------------- flags and lists

@pytest.mark.parametrize("raw, expected", [
    ("是", True), ("否", False), ("已", True), ("未", False), ("√", True), ("×", False),
    ("Y", True), ("n", False), ("TRUE", True), ("false", False), ("ｙ", True), (True, True), (0, False),
    ("已销号", True), ("未完成", False), (" 是 ", True), (None, None), ("", None), ("-", None),
])
def test_parse_bool_cell(raw, expected):
    assert parse_bool_cell(raw) is expected


@pytest.mark.parametrize("raw", ["待定", "部分", 2, "已经全部完成销号"])
def test_parse_bool_cell_rejects_naming_the_value(raw):
    with pytest.raises(ValidationError) as error:
        parse_bool_cell(raw)
    assert f"“{raw}”" in str(error.value)


@pytest.mark.parametrize("raw, expected", [
    ("县卫健局、县财政局", ["县卫健局", "县财政局"]),
    ("县卫健局，县财政局;县市监局；县公安局,县税务局", ["县卫健局", "县财政局", "县市监局", "县公安局", "县税务局"]),
    ("县卫健局\n县财政局\r\n县卫健局", ["县卫健局", "县财政局"]),
    (" 县卫健局 / 县财政局 、、", ["县卫健局", "县财政局"]),
    ("县人民医院（分院）", ["县人民医院（分院）"]),
    ("", []),
    (None, []),
])
def test_split_names(raw, expected):
    assert split_names(raw) == expected
