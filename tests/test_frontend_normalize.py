"""Text normalization: numbers, dates, times, money, units, letters -> syllables.

Expected readings are standard Mandarin as a newsreader says them.  A token
``a|b`` accepts either syllable (e.g. where 3-3 sandhi is optional in speech).
"""

from __future__ import annotations

import pytest

from conftest import assert_syllables

from tts.frontend import Frontend
from tts.frontend.normalize import normalize_numbers


CARDINALS = [
    ("1234", "yi4 qian1 er4 bai3 san1 shi2 si4"),
    ("10", "shi2"),
    ("15", "shi2 wu3"),
    ("0", "ling2"),
    ("101", "yi4 bai3 ling2 yi1"),
    ("110", "yi4 bai3 yi1 shi2"),
    ("10000", "yi2 wan4"),
    ("100010", "shi2 wan4 ling2 yi1 shi2"),
    ("1000000", "yi4 bai3 wan4"),
    ("100000000", "yi2 yi4"),
    ("22", "er4 shi2 er4"),
    ("12", "shi2 er4"),
    ("2000", "liang3 qian1"),
    ("12000", "yi2 wan4 liang3 qian1"),
    ("1,000,000", "yi4 bai3 wan4"),
]

DECIMALS_PERCENT_FRACTIONS = [
    ("3.14", "san1 dian3 yi1 si4"),
    ("0.5", "ling2 dian2|dian3 wu3"),
    ("35%", "bai3 fen1 zhi1 san1 shi2 wu3"),
    ("-2.5%", "fu4 bai3 fen1 zhi1 er4 dian2|dian3 wu3"),
    ("100%", "bai3 fen1 zhi1 yi4 bai3"),
    ("10%-20%", "bai3 fen1 zhi1 shi2 dao4 bai3 fen1 zhi1 er4 shi2"),
    ("5‰", "qian1 fen1 zhi1 wu3"),
    ("3/4", "si4 fen1 zhi1 san1"),
    ("1/3", "san1 fen1 zhi1 yi1"),
    ("½", "er4 fen1 zhi1 yi1"),
    ("-5", "fu4 wu3"),
    ("-3.5", "fu4 san1 dian2|dian3 wu3"),
    ("±0.5", "zheng4 fu4 ling2 dian2|dian3 wu3"),
    ("1+1=2", "yi1 jia1 yi1 deng3 yu2 er4"),
    ("3×4=12", "san1 cheng2 yi3 si4 deng3 yu2 shi2 er4"),
]

DATES_TIMES = [
    ("2024年11月21日", "er4 ling2 er4 si4 nian2 shi2 yi1 yue4 er4 shi2 yi1 ri4"),
    ("2024-11-21", "er4 ling2 er4 si4 nian2 shi2 yi1 yue4 er4 shi2 yi1 ri4"),
    ("2024/11/21", "er4 ling2 er4 si4 nian2 shi2 yi1 yue4 er4 shi2 yi1 ri4"),
    ("11月21日", "shi2 yi1 yue4 er4 shi2 yi1 ri4"),
    ("2月2日", "er4 yue4 er4 ri4"),
    ("3月8号", "san1 yue4 ba1 hao4"),
    ("1998年", "yi1 jiu2|jiu3 jiu3 ba1 nian2"),
    ("2008年", "er4 ling2 ling2 ba1 nian2"),
    ("10:30", "shi2 dian3 san1 shi2 fen1"),
    ("08:05", "ba1 dian3 ling2 wu3 fen1"),
    ("10:30:15", "shi2 dian3 san1 shi2 fen1 shi2 wu2|wu3 miao3"),
    ("2:30", "liang2|liang3 dian3 san1 shi2 fen1"),
    ("12:00", "shi2 er4 dian3"),
    ("下午3点", "xia4 wu3 san1 dian3"),
]

MONEY = [
    ("¥100", "yi4 bai3 yuan2"),
    ("￥100", "yi4 bai3 yuan2"),
    ("100元", "yi4 bai3 yuan2"),
    ("$5.5", "wu2|wu3 dian2|dian3 wu2|wu3 mei3 yuan2"),
    ("3.5亿元", "san1 dian2|dian3 wu3 yi4 yuan2"),
    ("￥2", "liang3 yuan2"),
    ("€10", "shi2 ou1 yuan2"),
    ("¥1,000", "yi4 qian1 yuan2"),
    ("2000元", "liang3 qian1 yuan2"),
]

DIGIT_STRINGS = [
    ("13812345678", "yao1 san1 ba1 yao1 er4 san1 si4 wu3 liu4 qi1 ba1"),
    ("拨打110", "bo1 da3 yao1 yao1 ling2"),
    ("请拨打10086", "qing3 bo1 da3 yao1 ling2 ling2 ba1 liu4"),
    ("房间301", "fang2 jian1 san1 ling2 yao1"),
    ("电话010-12345678", "dian4 hua4 ling2 yao1 ling2 yao1 er4 san1 si4 wu3 liu4 qi1 ba1"),
    ("1208室", "yao1 er4 ling2 ba1 shi4"),
]

UNITS = [
    ("5kg", "wu3 qian1 ke4"),
    ("2kg", "liang3 qian1 ke4"),
    ("170cm", "yi4 bai3 qi1 shi2 li2 mi3"),
    ("120km/h", "yi4 bai3 er4 shi2 gong1 li2|li3 mei2|mei3 xiao3 shi2"),
    ("36.5℃", "san1 shi2 liu4 dian2|dian3 wu3 she4 shi4 du4"),
    ("气温-5℃", "qi4 wen1 ling2 xia4 wu3 she4 shi4 du4"),
    ("30m²", "san1 shi2 ping2 fang1 mi3"),
    ("500mL", "wu2|wu3 bai3 hao2 sheng1"),
    ("16GB", "shi2 liu4 ji4 bi4"),
    ("30min", "san1 shi2 fen1 zhong1"),
    ("3-5kg", "san1 dao4 wu3 qian1 ke4"),
]

ORDINALS_LIANG_RANGES = [
    ("第3名", "di4 san1 ming2"),
    ("第1名", "di4 yi1 ming2"),
    ("第2个", "di4 er4 ge4"),
    ("第二", "di4 er4"),
    ("2个", "liang3 ge4"),
    ("2点", "liang2|liang3 dian3"),
    ("2天", "liang3 tian1"),
    ("2月", "er4 yue4"),
    ("2楼", "er4 lou2"),
    ("2年级", "er4 nian2 ji2"),
    ("二十二", "er4 shi2 er4"),
    ("3-5天", "san1 dao4 wu3 tian1"),
    ("2-3天", "liang3 dao4 san1 tian1"),
    ("10~20个", "shi2 dao4 er4 shi2 ge4"),
    ("1-10月", "yi1 dao4 shi2 yue4"),
    ("G1次列车", "ji4 yi1 ci4 lie4 che1"),
    ("3:2", "san1 bi3 er4"),
    ("以3:1战胜", "yi3 san1 bi3 yi1 zhan4 sheng4"),
    ("比分2:0", "bi3 fen1 er4 bi3 ling2"),
    ("版本3.0", "ban2 ben3 san1 dian3 ling2"),
    ("1.2.3", "yi1 dian3 er4 dian3 san1"),
]

LETTERS = [
    ("NBA", "en1 bi4 ei1"),
    ("CEO", "xi1 yi4 ou1"),
    ("OK", "ou1 kei4"),
    ("ok", "ou1 kei4"),
    ("app", "ei1 pi1 pi1"),
    ("wifi", "wai1 fei1"),
    ("Wi-Fi", "wai1 fei1"),
    ("MP3", "ai4 mu5 pi1 san1"),
    ("5G", "wu3 ji4"),
    ("A4纸", "ei1 si4 zhi3"),
    ("GDP增长", "ji4 di4 pi1 zeng1 zhang3"),
    ("A380", "ei1 san1 ba1 ling2"),
]


@pytest.mark.parametrize(
    ("text", "expected"),
    CARDINALS + DECIMALS_PERCENT_FRACTIONS + DATES_TIMES + MONEY + DIGIT_STRINGS + UNITS
    + ORDINALS_LIANG_RANGES + LETTERS,
)
def test_reading(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(
    ("text", "normalized"),
    [
        ("2024年11月21日", "二零二四年十一月二十一日"),
        ("100010", "十万零一十"),
        ("10:30", "十点三十分"),
        ("35%", "百分之三十五"),
        ("3/4", "四分之三"),
        ("$5.5", "五点五美元"),
        ("13812345678", "幺三八幺二三四五六七八"),
        ("5kg", "五千克"),
        ("120km/h", "一百二十公里每小时"),
        ("-5℃", "零下五摄氏度"),
        ("2个", "两个"),
        ("2000", "两千"),
        ("第2", "第二"),
        ("3-5天", "三到五天"),
        ("3:2", "三比二"),
        ("-5", "负五"),
    ],
)
def test_normalized_text(text: str, normalized: str) -> None:
    from tts.frontend.textclasses import normalize_unicode

    assert normalize_numbers(normalize_unicode(text)) == normalized


def test_full_alphabet_uses_the_letter_table(fe: Frontend) -> None:
    from tts.frontend.letters import LETTERS as TABLE

    expected = [s for ch in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" for s in TABLE[ch]]
    assert fe.pinyin("ABCDEFGHIJKLMNOPQRSTUVWXYZ") == expected
    assert fe.pinyin("abcdefghijklmnopqrstuvwxyz") == expected


def test_letter_and_word_readings_are_real_baker_syllables() -> None:
    from tts.frontend.dictionary import known_syllables
    from tts.frontend.letters import LETTERS as TABLE
    from tts.frontend.english import terms
    from tts.frontend.syllables import to_phonemes
    from tts.frontend.symbols import SYMBOLS

    known = known_syllables()
    for readings in list(TABLE.values()) + list(terms().values()):
        for syllable in readings:
            assert syllable[:-1] in known, syllable
            assert all(p in SYMBOLS for p in to_phonemes(syllable)), syllable
    assert set(TABLE) == set("ABCDEFGHIJKLMNOPQRSTUVWXYZ")


def test_letters_stay_in_normalized_text(fe: Frontend) -> None:
    utt = fe.analyze("NBA比赛")
    assert utt.normalized == "NBA比赛"
    assert utt.syllables[:3] == ("en1", "bi4", "ei1")


def test_two_is_er_in_amount_digits_but_liang_before_thousands() -> None:
    from tts.frontend.numbers import read_cardinal

    assert read_cardinal("22000") == "两万两千"
    assert read_cardinal("120000") == "十二万"
    assert read_cardinal("2222") == "两千二百二十二"
    assert read_cardinal("200000000") == "两亿"
    assert read_cardinal("2", liang=False) == "二"
