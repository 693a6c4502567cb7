"""Round-6 dialogue, second pass (issue 24): three mechanisms, each with cases where it must fire
and cases where it must stay silent.

* ``neutral_tone._cedict_neutral``: CC-CEDICT's neutral last syllable of a two-character word,
  taken only for verbs, adjectives, descriptives and adverbs (and nouns with a suffix-like last
  character) that are rare in jieba's dictionary; nouns and times (尺寸, 早上), news words (部分),
  words this project corrects (延误), complements (穿上) and 是/地 endings stay full;
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

CEDICT_FIRES = [
    ("别在外头瞎转悠了", "悠", "you5"),
    ("你别老唠叨了", "叨", "dao5"),
    ("他受了委屈", "屈", "qu5"),
    ("这孩子真别扭", "扭", "niu5"),
    ("他被人糊弄了", "弄", "nong5"),
    ("这有什么坏处", "处", "chu5"),
    ("他的岁数不小", "数", "shu5"),
]

CEDICT_SILENT = [
    ("尺寸不对", "寸", "cun4"),        # a noun without a suffix-like last character
    ("早上好", "上", "shang4"),        # a time word
    ("航班延误了", "误", "wu4"),       # corrected in dictionary.CORRECTIONS
    ("部分地区", "分", "fen4"),        # frequent in jieba's dictionary: a news word
    ("他老是迟到", "是", "shi4"),      # 是 endings are the copula
    ("他穿上衣服", "上", "shang4"),    # a directional complement
    ("工作完了", "了", "le5"),         # CC-CEDICT's le5 is not forced on a liao3 (same syllable only)
    ("年份不对", "份", "fen4"),
]


@pytest.mark.parametrize("text,char,want", CEDICT_FIRES + CEDICT_SILENT)
def test_cedict_neutral_by_word_class(fe, text, char, want):
    assert reading_of(fe, text, char) == want


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
