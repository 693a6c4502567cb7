"""Round-4 guards for dialogue registers and chengyu in prose: readings main's frontend already gets
right on texts not in any dev set (kinship terms and other neutral-tone words, chengyu polyphones,
and places where no neutral tone or literary reading may be applied)."""

from __future__ import annotations

import pytest
from conftest import reading_of

CASES = [
    # Neutral tone on the second syllable of common two-character words.
    ("舅舅明天来吃饭", "舅", 1, "jiu5"),
    ("奶奶家很暖和", "和", 0, "huo5"),
    ("这里的夏天很凉快", "快", 0, "kuai5"),
    ("我们周末商量一下", "量", 0, "liang5"),  # fixed in round 5 (neutral_tone._phrase_pairs)
    ("请你告诉老师", "诉", 0, "su5"),
    ("这件事情很清楚", "楚", 0, "chu5"),
    # Must stay silent: the same characters as full-tone words.
    ("和平是大家的愿望", "和", 0, "he2"),
    ("快递已经到了", "快", 0, "kuai4"),
    ("诉讼费用由原告承担", "诉", 0, "su4"),
    # Chengyu polyphones.
    ("山里藏龙卧虎", "藏", 0, "cang2"),
    ("他强词夺理不认错", "强", 0, "qiang3"),
    ("年轻时少不更事", "更", 0, "geng1"),
    ("结果差强人意", "差", 0, "cha1"),
    ("这款手机供不应求", "供", 0, "gong1"),
    ("这种骗局屡见不鲜", "鲜", 0, "xian1"),
    ("他从不好为人师", "好", 0, "hao4"),
    # Must stay silent: the same characters outside the chengyu.
    ("新鲜的水果很甜", "鲜", 0, "xian1"),
    ("他的身体很好", "好", 0, "hao3"),
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), CASES)
def test_round4_dialogue_and_chengyu_readings(fe, text: str, char: str, nth: int, expected: str) -> None:
    assert reading_of(fe, text, char, nth) == expected
