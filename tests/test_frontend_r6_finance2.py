"""Issue 24 round 6, finance second pass: fiscal years written the Latin way (FY2024) read as
二零二四财年, and 当 "that same" period (dang4) where an amount is booked
into it or a date falls in it (并入当年, 于当日, 当年度)."""

import pytest
from conftest import assert_syllables, reading_of

# FY and a year: a fiscal year, said as 财年 after the year's digits.
FISCAL_YEARS = [
    ("FY2024营收", "er4 ling2 er4 si4 cai2 nian2 ying2 shou1"),
    ("FY24营收", "er4 si4 cai2 nian2 ying2 shou1"),
    ("公司FY2025财报", "gong1 si1 er4 ling2 er4 wu3 cai2 nian2 cai2 bao4"),
]

# Not a fiscal year: FY inside a longer Latin word, FY without a year, and quarters/halves,
# which stay Latin (the round-3 symbols gold reads 2025Q3 as the year's digits + Q3).
NOT_FISCAL_YEARS = ["FYI2024", "FY报告", "2025Q1营收", "2024H1净利"]


@pytest.mark.parametrize(("text", "want"), FISCAL_YEARS)
def test_fiscal_years_are_read_as_words(fe, text: str, want: str) -> None:
    assert_syllables(fe.pinyin(text), want, text)


@pytest.mark.parametrize("text", NOT_FISCAL_YEARS)
def test_other_latin_tokens_are_not_fiscal_years(fe, text: str) -> None:
    got = " ".join(fe.pinyin(text))
    assert "cai2 nian2" not in got, (text, got)


# 当 of a period an amount is booked into, a date falls in, 当年度, the period's end: dang4.
SAME_PERIOD = [
    "并入当年综合所得计算纳税",
    "该笔收入计入当期损益",
    "纳入当年预算",
    "公司于当日发布公告",
    "于当年去世",
    "至当年年底",
    "当年度营收",
    "当月月末",
]

# 当年 "back then" stays dang1: a subject's past, 想当年, returning to it, 进入 a past year's event.
BACK_THEN = [
    "他当年是一名交易员",
    "想当年",
    "回到当年",
    "当年的他",
    "进入当年的决赛",
    "在当年",
    "当年他去了北京",
]


@pytest.mark.parametrize("text", SAME_PERIOD)
def test_dang_of_the_same_period(fe, text: str) -> None:
    assert reading_of(fe, text, "当") == "dang4"


@pytest.mark.parametrize("text", BACK_THEN)
def test_dang_back_then_is_left_alone(fe, text: str) -> None:
    assert reading_of(fe, text, "当") == "dang1"
