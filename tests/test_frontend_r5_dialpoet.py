"""Round-5 dialogue and poetry_idioms (issue 24): neutral tone of listed neutral words jieba
glued to what follows (``neutral_tone._phrase_pairs``), with the nouns, adjectives and function
words around them kept full, and the literary xuè of 血 in set phrases
(``dictionary.idiom_readings``) and 尽 jìn after a one-character verb (``polyphones._jin``),
each with cases where the rule must stay silent."""

from __future__ import annotations

import pytest
from conftest import reading_of

from tts.frontend.dictionary import idiom_readings

NEUTRAL_FIRES = [
    # Neutral words of the list, also where jieba glued something on behind.
    ("你帮我打听一下", "听", 0, "ting5"),
    ("我们再商量一下", "量", 0, "liang5"),
    ("你打听打听他住哪", "听", 1, "ting5"),
    ("这件事你得跟家里人商量一下", "量", 0, "liang5"),
    ("你去打听一下价格", "听", 0, "ting5"),
    ("别再折腾了", "腾", 0, "teng5"),
    ("快把屋子收拾一下", "拾", 0, "shi5"),
]

NEUTRAL_SILENT = [
    # Nouns, adjectives and function words keep full tones.
    ("部分地区有雨", "分", 0, "fen4"),
    ("遇到困难不要怕", "难", 0, "nan2"),
    ("你还是去吧", "是", 0, "shi4"),
    ("双方签订了合同", "同", 0, "tong2"),
    ("这篇文章逻辑清晰", "辑", 0, "ji2"),
    # Words senses.py decides keep its reading.
    ("东西方文化不同", "西", 0, "xi1"),
    ("地方政府出台政策", "方", 0, "fang1"),
    # Full-tone verbs and pieces that are no neutral word.
    ("休假期间不办公", "假", 0, "jia4"),
    ("听说他明天来", "说", 0, "shuo1"),
    ("他打了一下球", "下", 0, "xia4"),
]

XUE_FIRES = [
    ("他一针见血地指出了问题", "血", 0, "xue4"),
    ("专家一针见血地点评", "血", 0, "xue4"),
    ("他为此呕心沥血", "血", 0, "xue4"),
    ("年轻人血气方刚", "血", 0, "xue4"),
    ("这篇文章刀刀见血", "血", 0, "xue4"),
]

XUE_SILENT = [
    ("他吐血了", "血", 0, "xie3"),
    ("手上流了点血", "血", 0, "xie3"),
    ("伤口血淋淋的", "血", 0, "xie3"),
    ("他流了很多血", "血", 0, "xie3"),
]

JIN_FIRES = [
    ("大江东去浪淘尽", "尽", 0, "jin4"),
    ("好话都让他说尽了", "尽", 0, "jin4"),
    ("他用尽了力气", "尽", 0, "jin4"),
    ("他们吃尽了苦头", "尽", 0, "jin4"),
    ("他想尽一切办法", "尽", 0, "jin4"),
]

JIN_SILENT = [
    ("我已经尽量了", "尽", 0, "jin3"),
    ("请尽快回复", "尽", 0, "jin3"),
    ("他尽量帮忙", "尽", 0, "jin3"),
    ("尽快处理这件事", "尽", 0, "jin3"),
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), JIN_FIRES + JIN_SILENT)
def test_jin_after_a_verb(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected


@pytest.mark.parametrize(("text", "char", "nth", "expected"), NEUTRAL_FIRES + NEUTRAL_SILENT)
def test_neutral_verbs(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected


@pytest.mark.parametrize(("text", "char", "nth", "expected"), XUE_FIRES + XUE_SILENT)
def test_xue_in_set_phrases(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected


@pytest.mark.parametrize(("word", "given", "expected"), [
    ("一针见血", ("yi1", "zhen1", "jian4", "xie3"), ("yi1", "zhen1", "jian4", "xue4")),
    ("苍蝇见血", ("cang1", "ying5", "jian4", "xie3"), ("cang1", "ying5", "jian4", "xue4")),
    ("吐血", ("tu4", "xie3"), ("tu4", "xie3")),  # two characters: no set phrase
    ("血淋淋", ("xie3", "lin2", "lin2"), ("xie3", "lin2", "lin2")),
])
def test_idiom_readings(word, given, expected):
    assert idiom_readings(word, given) == expected
