"""Round-6 poetry_idioms (issue 24): phrase-table entries that jieba cut into several words
(``g2p.cross_word_phrases``), 文言 prose read like verse (``classical.prose_ranges``), the
classical function words 夫 为 曾 宁 (``classical.function_word_reading``), 不 kept full in verse
and 文言 (``Flat.literary``, ``tone_sandhi``) and couplets of two 七言 lines (``classical._couplet``),
each with cases where the rule must stay silent."""

from __future__ import annotations

import pytest
from conftest import assert_syllables

from tts.frontend import Frontend, classical
from tts.frontend.words import Flat


def reading_in(fe: Frontend, text: str, char: str, nth: int = 0) -> str:
    """The syllable read for the ``nth`` ``char`` of ``text``, a text of Chinese characters and
    punctuation (punctuation has no syllable)."""
    syllables = fe.pinyin(text)
    han = [i for i, ch in enumerate(text) if "\u4e00" <= ch <= "\u9fff"]
    assert len(syllables) == len(han), (text, syllables)
    at = -1
    for _ in range(nth + 1):
        at = text.index(char, at + 1)
    return syllables[han.index(at)]


def _flat(fe: Frontend, text: str) -> Flat:
    words, _, _ = fe._words(text)
    return Flat([w for w in words if w.syllables])


CROSS_WORD_FIRES = [
    # jieba cuts 不|亦|说乎, 三|省吾身, 长|太息: the tables' whole-phrase reading decides.
    ("学而时习之，不亦说乎？", "说", 0, "yue4"),
    ("吾日三省吾身。", "省", 0, "xing3"),
    ("他每天都要三省吾身。", "省", 0, "xing3"),
    ("长太息以掩涕兮，哀民生之多艰。", "长", 0, "chang2"),
]

CROSS_WORD_SILENT = [
    # Words the tables list keep their readings; modern text around the same characters.
    ("这个说法不对。", "说", 0, "shuo1"),
    ("这样做省钱。", "省", 0, "sheng3"),
    ("他长得很高。", "长", 0, "zhang3"),
    ("银行行长来了。", "行", 1, "hang2"),
    ("他说不出话来。", "说", 0, "shuo1"),
    ("学习不能一曝十寒。", "曝", 0, "pu4"),
    ("人生总是否极泰来。", "否", 0, "pi3"),
]


@pytest.mark.parametrize(("text", "char", "nth", "want"), CROSS_WORD_FIRES + CROSS_WORD_SILENT)
def test_phrases_across_jieba_words(fe: Frontend, text: str, char: str, nth: int, want: str) -> None:
    assert reading_in(fe, text, char, nth) == want


def test_cross_word_phrase_is_explained(fe: Frontend) -> None:
    lines = [s.source for s in fe.explain("不亦说乎") if s.text == "说"]
    assert lines and "cross_word_phrases" in lines[0]


PROSE_FIRES = [
    # 文言 (a final particle closing a clause, 之 closing one, 曰/吾/汝, 夫 opening or closing one)
    ("逝者如斯夫，不舍昼夜。", "夫", 0, "fu2"),
    ("夫战，勇气也。", "夫", 0, "fu2"),
    ("夫君子之行，静以修身，俭以养德。", "夫", 0, "fu2"),
    ("夫君子之行，静以修身，俭以养德。", "子", 0, "zi3"),
    ("醉翁之意不在酒，在乎山水之间也。", "乎", 0, "hu1"),
    ("温故而知新，可以为师矣。", "为", 0, "wei2"),
    ("王侯将相宁有种乎！", "宁", 0, "ning4"),
    ("汝曾不若孀妻弱子。", "曾", 0, "zeng1"),
]

PROSE_SILENT = [
    # Modern sentences: no mark of 文言, or modern grammar.
    ("他很在乎你。", "乎", 0, "hu5"),
    ("他似乎不知道。", "乎", 0, "hu1"),
    ("丈夫回来了。", "夫", 0, "fu5"),
    ("夫妻俩一起去。", "夫", 0, "fu1"),
    ("他曾不止一次提起这件事。", "曾", 0, "ceng2"),
    ("我不曾去过那里。", "曾", 0, "ceng2"),
    ("他这样做全是为钱。", "为", 0, "wei4"),
    ("宁静致远。", "宁", 0, "ning2"),
    # In 文言 too, 为 before a pronoun is wèi "for".
    ("为之奈何？吾亦为之也。", "为", 1, "wei2"),
]


@pytest.mark.parametrize(("text", "char", "nth", "want"), PROSE_FIRES + PROSE_SILENT)
def test_classical_prose_and_function_words(fe: Frontend, text: str, char: str, nth: int, want: str) -> None:
    assert reading_in(fe, text, char, nth) == want


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("学而时习之，不亦说乎？", 1),
        ("逝者如斯夫，不舍昼夜。", 1),
        ("子曰：“学而不思则罔。”", 1),
        ("我不在乎。", 0),
        ("他也去了北京。", 0),
        ("总之，我们明天出发。", 0),
        ("公司于昨日发布公告，其营收增长。", 0),
    ],
)
def test_prose_ranges(fe: Frontend, text: str, runs: int) -> None:
    from tts.frontend.surnames import is_phrase

    assert len(classical.prose_ranges(_flat(fe, text), is_phrase)) == runs


BU_CASES = [
    # Verse and 文言 have no neutral tone: 不 in the middle of a three-character jieba word keeps
    # its tone there; modern potential complements and A不A stay neutral.
    ("“春色满园关不住，一枝红杏出墙来。”", "chun1 se4 man3 yuan2 guan1 bu2 zhu4 yi4 zhi1 hong2 xing4 chu1 qiang2 lai2"),
    ("这扇门关不住。", "zhe4 shan4 men2 guan1 bu5 zhu4"),
    ("我受不了了。", "wo3 shou4 bu5 liao3 le5"),
    ("是不是你？", "shi4 bu5 shi4 ni3"),
    ("对不起，我来晚了。", "dui4 bu5 qi3 wo3 lai2 wan3 le5"),
]


@pytest.mark.parametrize(("text", "expected"), BU_CASES)
def test_bu_in_verse_keeps_its_tone(fe: Frontend, text: str, expected: str) -> None:
    assert_syllables(fe.pinyin(text), expected, text)


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        # 上联 ends on an oblique tone, 下联 on a level one: a couplet.
        ("书山有路勤为径，学海无涯苦作舟。", 1),
        ("宝剑锋从磨砺出，梅花香自苦寒来。", 0),  # 出 is an old entering tone, level today
        # Not couplets: the first line ends on a level tone, the lines differ in length, or
        # the sentence goes on.
        ("车票今天全售完，明早八点再开售。", 0),
        ("今天天气好，明天去爬山。", 0),
        ("公司今年利润增长，明年继续扩大规模。", 0),
        ("书山有路勤为径，学海无涯苦作舟，我们要努力。", 0),
    ],
)
def test_couplets_by_their_tones(fe: Frontend, text: str, runs: int) -> None:
    assert len(classical.verse_ranges(_flat(fe, text))) == runs


def test_couplet_reads_wei_of_being(fe: Frontend) -> None:
    assert reading_in(fe, "书山有路勤为径，学海无涯苦作舟。", "为") == "wei2"
