"""Round-6 dialogue, second pass (issue 24): the mechanisms kept at the merge, each with cases where it must fire
and cases where it must stay silent.

* ``neutral_tone._tried_verbal_nouns``: a verb jieba tags ``vn`` said twice and closing its
  clause (没人管管) is a tried verb, neutral second syllable; 活活 before a verb is not;
* ``neutral_tone._copula_before_predicate``: 是 closing a word the tables read shi5 (真是, 那是)
  is the full copula when a predicate follows (真是间不容发); 真是的 keeps shi5;
* ``measure_words.counted_ge``: 个 counting a noun after a numeral, 半 or 多 is ge4 (半个钟头),
  where the tables give ge5; 这个/那个 and a clause-final 个 keep theirs.
"""

from __future__ import annotations

import pytest
from conftest import reading_of

VN_FIRES = [
    ("也没人管管", "管", "guan5"),
    ("你也该管管了", "管", "guan5"),
    ("你去测测吧", "测", "ce5"),
]

VN_SILENT = [
    ("他活活饿死了", "活", "huo2"),    # the adverb has a verb after it
    ("他们斗斗嘴", "斗", "dou4"),      # an object follows
    ("其乐融融", "融", "rong2"),       # 融融 is tagged n
]


@pytest.mark.parametrize("text,char,want", VN_FIRES + VN_SILENT)
def test_tried_verbal_noun(fe, text, char, want):
    assert reading_of(fe, text, char, nth=1) == want


GE_FIRES = [
    ("走着去得半个钟头呢", "ge4"),
    ("他拿了多个奖项", "ge4"),
    ("有半个月没见", "ge4"),
]

GE_SILENT = [
    ("这个我要了", "ge5"),             # a demonstrative
    ("那个人", "ge5"),
    ("给我来半个", "ge5"),             # closing its clause: the table's reading stays
]


@pytest.mark.parametrize("text,want", GE_FIRES + GE_SILENT)
def test_counted_ge(fe, text, want):
    assert reading_of(fe, text, "个") == want


COPULA_CASES = [
    ("情况危急真是间不容发", "shi4"),
    ("真是太好了", "shi4"),
    ("那是当然", "shi4"),
    ("你这人真是的", "shi5"),          # the exclamation closing its clause
]


@pytest.mark.parametrize("text,want", COPULA_CASES)
def test_copula_before_predicate(fe, text, want):
    assert reading_of(fe, text, "是") == want
