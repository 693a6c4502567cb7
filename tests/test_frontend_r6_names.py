"""Issue 24, round 6: names and places in news lists, foreign places, divisions, given names.

Cases are written from the mechanisms, not copied from the round-6 dev set
(``tests/data/frontend_dev_r6_names.tsv``): a surname listed beside a person the tagger finds,
places that CC-CEDICT and jieba's dictionary both call places (几内亚, 蒙得维的亚), division names
whose phrase-table reading is another word's (朝阳 "the morning sun"), 都 in a division name
glued into one word, and 长 in a given name — each with cases where the rule must stay silent.
"""

from __future__ import annotations

import pytest
from conftest import reading_of


def _han_reading(fe, text: str, char: str, nth: int = 0) -> str:
    """The syllable of the ``nth`` ``char`` of ``text``, which may hold punctuation (one syllable
    per Chinese character, none for punctuation)."""
    syllables = fe.pinyin(text)
    han = [ch for ch in text if "\u4e00" <= ch <= "\u9fff"]
    assert len(syllables) == len(han), (text, syllables)
    at = -1
    for _ in range(nth + 1):
        at = han.index(char, at + 1)
    return syllables[at]


#: A surname that is also a word (查 check, 区 district, 单 single) as one item of a list whose
#: neighbouring item the tagger reads as a person: 、 or 和/与 between them, either side.
LISTED_NAMES = (
    ("会上，查振华、单晓燕和曾凡宇分别作了发言。", "查", "zha1"),
    ("这份报告由区永明和翟红共同完成。", "区", "ou1"),
    ("获奖者有王芳、查文强和李明。", "查", "zha1"),
    ("李明和查文强都来了。", "查", "zha1"),
    ("获奖者有张伟、单志强和刘洋。", "单", "shan4"),
    ("王芳、区国强和李明参加了比赛。", "区", "ou1"),
)


@pytest.mark.parametrize(("text", "char", "want"), LISTED_NAMES)
def test_surname_listed_beside_a_person(fe, text: str, char: str, want: str) -> None:
    assert _han_reading(fe, text, char) == want


#: Lists without a person beside the character, or the character in a word of its own.
LISTED_CONTROLS = (
    ("我们要查资料、写报告和开会。", "查", "cha2"),
    ("他负责查账和单据。", "单", "dan1"),
    ("张伟和查资料的人一起走了。", "查", "cha2"),
    ("小区、街道和社区都要检查。", "区", "qu1"),
    ("王芳、李明和单位领导都来了。", "单", "dan1"),
    ("请大家查漏补缺、互相帮助。", "查", "cha2"),
)


@pytest.mark.parametrize(("text", "char", "want"), LISTED_CONTROLS)
def test_list_without_a_person_stays_silent(fe, text: str, char: str, want: str) -> None:
    assert _han_reading(fe, text, char) == want


#: CC-CEDICT proper nouns that jieba's dictionary tags ns, read with CC-CEDICT's special reading.
FOREIGN_PLACES = (
    ("几内亚湾沿岸国家盛产可可", "几", 0, "ji1"),
    ("赤道几内亚盛产石油", "几", 0, "ji1"),
    ("他在蒙得维的亚住了三年", "的", 0, "di4"),
    ("他在巴尔的摩工作", "的", 0, "di4"),
    ("波罗的海沿岸的冬天很冷", "的", 0, "di4"),
    ("秘鲁的首都是利马", "秘", 0, "bi4"),
    ("耶路撒冷是一座古城", "耶", 0, "ye1"),
)


@pytest.mark.parametrize(("text", "char", "nth", "want"), FOREIGN_PLACES)
def test_place_from_cedict_and_jieba(fe, text: str, char: str, nth: int, want: str) -> None:
    assert reading_of(fe, text, char, nth) == want


FOREIGN_CONTROLS = (
    ("这几天特别冷", "几", 0, "ji3"),
    ("他们几个人去了海边", "几", 0, "ji3"),
    ("这是我们之间的秘密", "秘", 0, "mi4"),
    ("他在我的书包里", "的", 0, "de5"),
)


@pytest.mark.parametrize(("text", "char", "nth", "want"), FOREIGN_CONTROLS)
def test_foreign_place_characters_elsewhere(fe, text: str, char: str, nth: int, want: str) -> None:
    assert reading_of(fe, text, char, nth) == want


#: Division names whose phrase-table reading is another word's: CC-CEDICT's place reading in a
#: place context (after a place name, before a suffix), the everyday word elsewhere.
DIVISIONS_READ_OTHERWISE = (
    ("北京朝阳医院的急诊科很忙", "朝", "chao2"),
    ("河南漯河市是一座食品城", "漯", "luo4"),
    ("他老家在福建闽侯县", "侯", "hou4"),
    ("福州马尾区有一座船政博物馆", "尾", "wei3"),
    ("乌拉圭是南美洲的国家", "拉", "la1"),       # jieba ns, phrase tables la5
    ("亚得里亚海风景优美", "得", "de2"),
)


@pytest.mark.parametrize(("text", "char", "want"), DIVISIONS_READ_OTHERWISE)
def test_division_name_over_phrase_reading(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


@pytest.mark.parametrize(("text", "char", "want"), (
    ("朝阳从东方升起", "朝", "zhao1"),
    ("早晨的朝阳照在湖面上", "朝", "zhao1"),
))
def test_everyday_word_without_place_context(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


@pytest.mark.parametrize(("text", "nth", "want"), (
    ("成都郫都区的豆瓣酱很有名", 1, "du1"),   # 郫都区: one word jieba's HMM made up
    ("他曾都去过那里", 0, "dou1"),            # 曾|都: two words, "once all"
    ("大家都安全到家了", 0, "dou1"),
))
def test_du_in_a_division_name(fe, text: str, nth: int, want: str) -> None:
    assert reading_of(fe, text, "都", nth) == want


#: 长 in the given name of a full name the tagger finds: cháng.
GIVEN_CHANG = (
    ("唐代诗人刘长卿擅长写五言诗", 0, "chang2"),
    ("他的父亲王长顺是个木匠", 0, "chang2"),
    ("赵长生和李长贵是邻居", 1, "chang2"),
    ("开国上将何长工早年留学法国", 0, "chang2"),
)


@pytest.mark.parametrize(("text", "nth", "want"), GIVEN_CHANG)
def test_chang_in_a_given_name(fe, text: str, nth: int, want: str) -> None:
    assert reading_of(fe, text, "长", nth) == want


#: 长 zhǎng where it is no given name, or where a word jieba knows holds it (长老, 县长, 长子);
#: zhǎng before a third tone reads zhang2 after sandhi.
GIVEN_CONTROLS = (
    ("上官长老说了几句话", 0),
    ("这位县长姓王", 0),
    ("孩子长得很快", 0),
    ("他是家里的长子", 0),
    ("王校长讲了话", 0),
)


@pytest.mark.parametrize(("text", "nth"), GIVEN_CONTROLS)
def test_zhang_outside_given_names(fe, text: str, nth: int) -> None:
    assert reading_of(fe, text, "长", nth) in ("zhang3", "zhang2")
