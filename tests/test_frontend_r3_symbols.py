"""Issue 24, item 4, round 3: a digit string is read by what names it.

Each rule of the round has cases where it must act and cases where it must stay silent: security
codes named by their brackets or exchange suffix, two-digit years named by 年底/上半年/季度,
ratios of three or more numbers, verbs that bring a match to a score, rooms after 单元, model
numbers after a product line in capitals and years after a product name, a span of years before
赛季/学年, days that name an event, quarters and generations, ID/QQ only as words, digits glued
to letters never 两, a pair running down as a score, × outside an equation as 乘, and 一 opening a
bigger number after 比 or a name in letters.  The development sentences that led to the
rules are in ``tests/data/frontend_dev_r3_symbols.tsv`` and are not repeated here.
"""

from __future__ import annotations

import pytest

from tts.frontend import Frontend
from tts.frontend.normalize import normalize_numbers

NORMALIZED = [
    # security codes: brackets after a name, with a mainland or Hong Kong code's opening
    ("比亚迪（002594）午后拉升", "比亚迪（零零二五九四）午后拉升"),
    ("中国平安(601318)发布公告", "中国平安(六零幺三幺八)发布公告"),
    ("迈瑞医疗（300760）", "迈瑞医疗（三零零七六零）"),
    ("美团（03690）股价回落", "美团（零三六九零）股价回落"),
    # ... or an exchange suffix after any five or six digits
    ("关注000333.SZ的走势", "关注零零零三三三.SZ的走势"),
    ("09988.HK收涨", "零九九八八.HK收涨"),
    # silent: an amount in brackets, a year in brackets
    ("全年销量（56000）创新高", "全年销量（五万六千）创新高"),
    ("全年营收（2023）", "全年营收（两千零二十三）"),
    # two-digit years named by what follows 年
    ("23年初入职", "二三年初入职"),
    ("预计26年上半年交付", "预计二六年上半年交付"),
    ("21年第四季度", "二一年第四季度"),
    ("19年末", "一九年末"),
    # silent: a count of years
    ("这家店开了30年", "这家店开了三十年"),
    ("近20年来", "近二十年来"),
    ("15年后", "十五年后"),
    # ratios of three or more numbers; a clock time with seconds stays a time
    ("水泥、沙、石按1:3:6配比", "水泥、沙、石按一比三比六配比"),
    ("长宽高之比为4:3:2", "长宽高之比为四比三比二"),
    ("9:05:30发车", "九点零五分三十秒发车"),
    # verbs that bring a match to a score: a dash or a colon after them is a score
    ("比赛一度追至10-10", "比赛一度追至十比十"),
    ("他们扳成2:2", "他们扳成二比二"),
    ("两人战到15:13", "两人战到十五比十三"),
    # silent: a range, a clock time
    ("休息3-5天", "休息三到五天"),
    ("战术会议定在15:13开", "战术会议定在十五点十三分开"),
    # rooms after 单元 (digit by digit, 1 as 幺); an amount after 单元 stays an amount
    ("5单元1102室", "五单元幺幺零二室"),
    ("3单元301", "三单元三零幺"),
    ("第2单元150道题", "第二单元一百五十道题"),
    # model numbers after a product line in capitals; years after a product name
    ("这块RTX 4070 Ti显卡", "这块RTX 四零七零 Ti显卡"),
    ("通过ISO 14001认证", "通过ISO 一四零零一认证"),
    ("装了Office 2021", "装了Office 二零二一"),
    # silent: two digits, a round number, an amount with a unit
    ("Galaxy S24 Ultra和Pixel 9", "Galaxy S二十四 Ultra和Pixel 九"),
    ("FIFA 500强", "FIFA 五百强"),
    ("GTX 1060的功耗是120W", "GTX 一零六零的功耗是一百二十瓦"),
    ("Windows 2000系统", "Windows 两千系统"),
    # a Latin keyword (ID, QQ) only as a word of its own, not the end of a longer word
    ("升级到Android 13", "升级到Android 十三"),
    ("请输入ID 20481", "请输入ID 二零四八幺"),
    # digits glued to letters are never 两
    ("NO2排放超标", "NO二排放超标"),
    ("SO2两个月内下降", "SO二两个月内下降"),
    # a quarter or half after a year; a generation after a decade of birth
    ("2026Q2营收", "二零二六Q二营收"),
    ("24H2发布", "二四H二发布"),
    ("不少00后和85后", "不少零零后和八五后"),
    # silent: not a generation (a clock time, a count, 后面)
    ("排在第70后面", "排在第七十后面"),
    ("3点45后出发", "三点四十五后出发"),
    ("他比我晚到12后", "他比我晚到十二后"),
    # a day that names an event or a holiday; a middle dot joins a month and a day
    ("5·20告白日", "五二零告白日"),
    ("7·21特大暴雨", "七二一特大暴雨"),
    ("1.1假期出行", "一一假期出行"),
    ("10.1黄金周", "十一黄金周"),
    # silent: a decimal before a count or a percent sign, a number that is no day
    ("上了3.5节课", "上了三点五节课"),
    ("5.1%的假期消费增长", "百分之五点一的假期消费增长"),
    ("满300促销", "满三百促销"),
    ("满199大促", "满一百九十九大促"),
    # μg is a unit, and a unit after "/" is "per"
    ("PM10为80μg/m³", "PM十为八十微克每立方米"),
    # a pair that runs down or ties, closing its clause, is a score; a range runs upwards
    ("第四局打到28-26。", "第四局打到二十八比二十六。"),
    ("加时赛后仍是1-1，", "加时赛后仍是一比一，"),
    ("每天锻炼1-2小时", "每天锻炼一到两小时"),
    ("需要3-5。", "需要三到五。"),
    # × outside an equation is 乘; in one it is 乘以; * is always arithmetic
    ("女子4×400米接力", "女子四乘四百米接力"),
    ("纸张尺寸是21cm×29.7cm", "纸张尺寸是二十一厘米乘二十九点七厘米"),
    ("6×7=42", "六乘以七等于四十二"),
    ("6*7", "六乘以七"),
    # three digits after capitals are an index's value, not a model
    ("CPI 102", "CPI 一百零二"),
    # a span of years before 赛季/学年/财年 (both ends digit by digit)
    ("CBA 2023-2024赛季", "CBA 二零二三到二零二四赛季"),
    ("2024至2025学年", "二零二四至二零二五学年"),
]


@pytest.mark.parametrize(("text", "expected"), NORMALIZED)
def test_named_numbers_normalize(text: str, expected: str) -> None:
    assert normalize_numbers(text) == expected


SANDHI = [
    # 一 opening a bigger number after 比 is that number's 一
    ("以99-101落败", "yi4 bai3 ling2 yi1"),
    ("比分是88:100", "bi3 yi4 bai3"),
    # silent: a lone 一 after 比 is a digit
    ("最后3:1取胜", "san1 bi3 yi1"),
    ("一比一战平", "yi1 bi3 yi1"),
    # after a name in letters, 一 opening 一百/一千 is the number's; a lone 1 stays a digit
    ("AQI 120", "yi4 bai3"),
    ("K1次列车", "yi1 ci4"),
]


@pytest.mark.parametrize(("text", "expected"), SANDHI)
def test_yi_after_bi_and_letters(fe: Frontend, text: str, expected: str) -> None:
    assert expected in " ".join(fe.pinyin(text))


EXPLAIN = [
    ("比亚迪（002594）", "0", "rule normalize._security_codes"),
    ("23年初", "2", "rule normalize._short_years"),
    ("按1:3:6配比", ":", "rule normalize._chained_ratios"),
    ("RTX 4070显卡", "4", "rule normalize._model_numbers"),
    ("一度追至10-10", "-", "rule normalize._score_dash"),
    ("618大促", "6", "rule normalize._day_names"),
    ("95后", "9", "rule normalize._short_years"),
]


@pytest.mark.parametrize(("text", "read", "rule"), EXPLAIN)
def test_explain_names_the_rule(fe: Frontend, text: str, read: str, rule: str) -> None:
    sources = [s.source for s in fe.explain(text) if s.text.startswith(read) or read in s.text]
    assert sources and any(rule in source for source in sources), fe.explain(text)


def test_explain_names_no_number_rule_without_numbers(fe: Frontend) -> None:
    assert not any("rule normalize." in s.source for s in fe.explain("今年冬天很冷"))
