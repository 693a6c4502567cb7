"""Round-6 dialogue (issue 24): five mechanisms of everyday speech, each with cases where it must
fire and cases where it must stay silent.

* ``segmenter.Segmenter._split_glued_er``: the erhua suffix 儿 that jieba's HMM glued to the next
  characters (赔本|儿卖) is cut off and joins the word before it;
* ``tone_sandhi._ends_longer_word``: an "A不A" look-alike whose first A closes a longer word
  (现在|不|在) is a plain negation, not a question (bu5);
* ``polyphones._de_dei``: 得 after 这/那 as the subject and 得 before an amount of time or money
  closing its clause is děi;
* ``polyphones._potential_zhao``: 着 after verb + 得/不 closing its clause is zháo;
* ``polyphones._zhi_counted_in_word`` (round 6 finance's rule, kept at the merge): 只 of 只是/只有
  right after a number word is zhī.
"""

from __future__ import annotations

import pytest
from conftest import assert_syllables, reading_of

ER_FIRES = [
    # 儿 glued by the HMM to what follows is the suffix of the word before.
    ("行吧，赔本儿卖给你了", "pei2 benr3 mai4 gei2|gei3 ni3 le5", 2),
    ("这儿有人", "zher4 you3 ren2", 0),
    ("一点儿水", "yi4 dianr3 shui3", 0),
]

ER_SILENT = [
    # Dictionary words that open with 儿 and 儿 meaning "child" stay full syllables.
    ("他儿子来了", "ta1 er2 zi5 lai2 le5", 0),
    ("女儿说", "nv3 er2 shuo1", 0),
    ("关心儿童健康", "guan1 xin1 er2 tong2 jian4 kang1", 0),
    # 儿 before particles only is left to erhua.attach_er_words (地 stays the particle).
    ("远远儿地看着", "yuan3 yuanr1 de5 kan4 zhe5", 0),
]


@pytest.mark.parametrize(("text", "expected", "skip"), ER_FIRES + ER_SILENT)
def test_glued_er(fe, text, expected, skip):
    got = fe.pinyin(text)
    # ``skip`` drops the syllables of a leading clause the case does not check.
    assert_syllables(got[skip:], expected, text)


A_NOT_A_FIRES = [
    # A不A questions keep the neutral 不 (also after an adverb glued to the verb).
    ("你在不在家", "不", 0, "bu5"),
    ("你到底去不去", "不", 0, "bu5"),
    ("你还要不要命", "不", 0, "bu5"),
    ("这个行不行", "不", 0, "bu5"),
    ("他们是不是学生", "不", 0, "bu5"),
]

A_NOT_A_SILENT = [
    # The first A closes a longer word: 不 negates the verb after it.
    ("他现在不在", "不", 0, "bu2"),
    ("我现在不在家", "不", 0, "bu2"),
    ("他实在不在乎", "不", 0, "bu2"),
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), A_NOT_A_FIRES + A_NOT_A_SILENT)
def test_a_not_a(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected


DEI_FIRES = [
    # 这/那 as the subject before a verb or amount.
    ("这得多少钱", "得", 0, "dei3"),
    ("这得看情况", "得", 0, "dei3"),
    # An amount of time or money closing the clause: "it takes".
    ("走着去得半个钟头呢", "得", 0, "dei3"),
    ("这件得三百块吧", "得", 0, "dei3"),
    ("起码得一个小时", "得", 0, "dei3"),
    ("修好得三天", "得", 0, "dei3"),
]

DEI_SILENT = [
    # An amount with more after it is the extent of a result; idioms and words keep their 得.
    ("忙得两天没合眼", "得", 0, "de5"),
    ("说得一清二楚", "得", 0, "de5"),
    ("他长得一模一样", "得", 0, "de5"),
    ("这个得多少钱", "得", 0, "de5"),
    ("这得到了证实", "得", 0, "de2"),
    ("这得益于政策", "得", 0, "de2"),
    ("他跑得很快", "得", 0, "de5"),
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), DEI_FIRES + DEI_SILENT)
def test_dei(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected


ZHAO_FIRES = [
    ("你管得着吗", "着", 0, "zhao2"),
    ("用得着吗", "着", 0, "zhao2"),
    ("犯不着", "着", 0, "zhao2"),
    ("我够不着", "着", 0, "zhao2"),
    ("你摸得着吗", "着", 0, "zhao2"),
]

ZHAO_SILENT = [
    # The aspect particle after a verb, and 着 before more words.
    ("他说着说着", "着", 0, "zhe5"),
    ("想着呢", "着", 0, "zhe5"),
    ("站着不动", "着", 0, "zhe5"),
    ("不着边际", "着", 0, "zhuo2"),
    ("他看不着急", "着", 0, "zhao2"),
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), ZHAO_FIRES + ZHAO_SILENT)
def test_potential_zhao(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected


ZHI_FIRES = [
    # 只 glued into 只是/只有 right after a number word counts: zhī.
    ("前十大重仓股中有六只是银行股", "只", 0, "zhi1"),
    ("这两只是公的", "只", 0, "zhi1"),
    ("一只是猫一只是狗", "只", 1, "zhi1"),
]

ZHI_SILENT = [
    # The adverb "only" after a set phrase, an ordinal, a pronoun or a counted noun.
    ("万一只是误会呢", "只", 0, "zhi3"),
    ("他唯一只是想回家", "只", 0, "zhi3"),
    ("第一只是开始", "只", 0, "zhi3"),
    ("三个人只是朋友", "只", 0, "zhi3"),
    ("我只是说说", "只", 0, "zhi3"),
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), ZHI_FIRES + ZHI_SILENT)
def test_zhi_after_a_number(fe, text, char, nth, expected):
    assert reading_of(fe, text, char, nth) == expected
