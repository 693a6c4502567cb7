"""Issue 24, item 2, round 3: classical verse read with literary readings (classical.py), and
dialogue's sentence particles 哦/喽/嘞 and reduplicated verbs found by jieba's tags (neutral_tone.py).

The sentences were written for the mechanisms (the shape of a verse line, a particle closing a
clause, a verb said twice), with cases where each must stay silent; the development sentences
that led to them are in ``tests/data/frontend_dev_r3_dialogue_poetry.tsv`` and are not repeated.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

from tts.frontend import Frontend, classical
from tts.frontend.explain import SyllableSource

VERSE_STAGE = "literary reading in classical verse (classical.py)"
NEUTRAL_STAGE = "neutral tone and word sense (neutral_tone.py, senses.py)"


def source_of(fe: Frontend, text: str, char: str, nth: int = 0) -> SyllableSource:
    """The explained syllable of the ``nth`` occurrence of the character ``char`` in ``text``."""
    found = [s for s in fe.explain(text) if s.text == char]
    assert len(found) > nth, (text, char, found)
    return found[nth]


# A literary reading inside a quoted couplet (or a quatrain) of five- or seven-character lines.
VERSE = [
    ("“一骑绝尘去，千山暮雪来。”", "骑", 0, "ji4"),
    ("“万骑出关去，孤城落日斜。”", "骑", 0, "ji4"),
    ("“只缘春色好，一路到天涯。”", "只", 0, "zhi3"),
    ("“孤帆远影碧空尽，唯见长江天际流。”", "尽", 0, "jin4"),
    ("“人生得意须尽欢，莫使金樽空对月。”", "尽", 0, "jin4"),
    ("“人生得意须尽欢，莫使金樽空对月。”", "得", 0, "de2"),
    ("“雕栏玉砌应犹在，万里江山入梦来。”", "应", 0, "ying1"),
    ("“一曲新词酒一杯，去年天气旧亭台。”", "曲", 0, "qu3"),
    ("“此曲何人作，知音世上稀。”", "曲", 0, "qu3"),
    ("“不教胡马度阴山，将军百战几时还。”", "还", 0, "huan2"),
    ("“斜阳草树寻常巷，深巷人家不闭门。”", "家", 0, "jia1"),
    # a quatrain pasted as one sentence without quotation marks: four lines make it verse
    ("一骑出长安，千山万水间，春风吹不尽，明月照人还。", "骑", 0, "ji4"),
    ("一骑出长安，千山万水间，春风吹不尽，明月照人还。", "还", 0, "huan2"),
]


@pytest.mark.parametrize(("text", "char", "nth", "reading"), VERSE)
def test_verse_takes_the_literary_reading(fe: Frontend, text: str, char: str, nth: int, reading: str) -> None:
    found = source_of(fe, text, char, nth)
    assert found.syllable == reading, found
    assert VERSE_STAGE in found.source


# Where the verse stage must stay silent: modern clauses, one line alone, a classifier 只/曲,
# 应 of answering, 还 inside a line.
NOT_VERSE = [
    ("周末见朋友，顺便买东西。", "友", 0, "you5"),    # two 5-character modern clauses, no quote
    ("周末见朋友，顺便买东西。", "西", 0, "xi5"),
    ("“我们的朋友，明天来北京。”", "们", 0, "men5"),  # quoted, but modern grammar (的 们)
    ("“一骑绝尘去。”", "骑", 0, "qi2"),               # one line alone
    ("他一骑就是两个小时。", "骑", 0, "qi2"),
    ("“两只黄鹂鸣翠柳，三行白鹭上青天。”", "只", 0, "zhi1"),  # 只 after a numeral counts birds
    ("“空谷应答声声远，青山入梦夜夜来。”", "应", 0, "ying4"),
    ("“还君明珠双泪垂，恨不相逢未嫁时。”", "还", 0, ""),  # only a line's last 还 is decided
    # a quatrain cut into two sentences at 。 is two unquoted couplets, left to the other stages
    ("一骑出长安，千山万水间。春风吹不尽，明月照人还。", "骑", 0, "qi2"),
]


@pytest.mark.parametrize(("text", "char", "nth", "reading"), NOT_VERSE)
def test_verse_stage_stays_silent(fe: Frontend, text: str, char: str, nth: int, reading: str) -> None:
    found = source_of(fe, text, char, nth)
    assert VERSE_STAGE not in found.source, found
    if reading:
        assert found.syllable == reading, found


@pytest.mark.parametrize(
    ("text", "runs"),
    [
        ("“一骑绝尘去，千山暮雪来。”", 1),
        ("一骑出长安，千山万水间，春风吹不尽，明月照人还。", 1),
        ("一骑出长安，千山万水间。", 0),
        ("今天天气好，明天去爬山。", 0),
        ("“今天天气很好，我们去爬山吧。”", 0),
        ("“孤帆远影碧空尽，唯见长江天际流。”", 1),
    ],
)
def test_verse_ranges_by_the_shape_of_the_lines(fe: Frontend, text: str, runs: int) -> None:
    """Through the frontend's own words (segmentation, punctuation kept on the word before it)."""
    words, _, _ = fe._words(text)
    from tts.frontend.words import Flat

    flat = Flat([w for w in words if w.syllables])
    assert len(classical.verse_ranges(flat)) == runs


# Sentence particles closing a clause are neutral; the same characters opening a clause are
# interjections read by the mark after them (interjections.py).
PARTICLES = [
    ("出门记得带钥匙哦。", "哦", "o5"),
    ("今天的作业别忘了写哦！", "哦", "o5"),
    ("开饭喽，大家快来！", "喽", "lou5"),
    ("要下雨喽。", "喽", "lou5"),
    ("好嘞，这就去办。", "嘞", "lei5"),
    ("哦，我想起来了。", "哦", "o4"),
    ("哦？真的吗？", "哦", "o2"),
]


@pytest.mark.parametrize(("text", "char", "reading"), PARTICLES)
def test_particles_and_interjections(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert source_of(fe, text, char).syllable == reading


# 得 opening a clause of nothing but particles is consent, dé; with a verb after it, or after a
# subject, the other stages decide (obligation děi, getting dé).
CONSENT = [
    ("得嘞，您稍等。", "de2", True),
    ("得，我不管了。", "de2", True),
    ("得啦，别吵了。", "de2", True),
    ("得赶紧走了。", "dei3", False),
    ("我得走了。", "", False),
]


@pytest.mark.parametrize(("text", "reading", "decided"), CONSENT)
def test_de_of_consent(fe: Frontend, text: str, reading: str, decided: bool) -> None:
    found = source_of(fe, text, "得")
    assert ("interjections.consent_reading" in found.source) == decided, found
    if reading:
        assert found.syllable == reading


# 着 after a verb of seeking or meeting, closing the clause, is zháo "reached the goal"; in
# progress or before more words it stays the aspect particle.
ZHAO = [
    ("翻遍了抽屉也没找着。", "zhao2", True),
    ("钥匙找着没？", "zhao2", True),
    ("他在找着呢。", "zhe5", False),
    ("找着找着就迷路了。", "zhe5", False),
    ("你先坐着。", "zhe5", False),
]


@pytest.mark.parametrize(("text", "reading", "decided"), ZHAO)
def test_zhao_of_attaining(fe: Frontend, text: str, reading: str, decided: bool) -> None:
    found = source_of(fe, text, "着")
    assert found.syllable == reading
    assert ("polyphones._zhao_of_attaining" in found.source) == decided, found


# A phrase-table content word ending in a character spelled like a particle keeps the table's
# full tone (a bar, "why"); an exclamation or a particle after a word does not.
CONTENT_WORDS = [
    ("下班后去酒吧坐坐。", "吧", "ba1"),
    ("那家网吧通宵营业。", "吧", "ba1"),
    ("你一大早干吗去了？", "吗", "ma2"),
    ("我的天呀，这么贵！", "呀", "ya5"),
    ("那就这样吧。", "吧", "ba5"),
    ("他真的来了吗？", "吗", "ma5"),
]


@pytest.mark.parametrize(("text", "char", "reading"), CONTENT_WORDS)
def test_particle_character_in_a_content_word(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert source_of(fe, text, char).syllable == reading


# A monosyllabic verb said twice ("do it a little") has a neutral second syllable: found by
# jieba's dictionary tags (A tagged v; AA tagged v or not listed), also with the object glued on.
TRIED = [
    ("你帮我改改这篇稿子。", "改"),
    ("周末多陪陪家里人。", "陪"),
    ("把被子拿出去晒晒。", "晒"),
    ("我翻翻抽屉找找看。", "翻"),
    ("先擦擦桌子再吃饭。", "擦"),
    ("你快劝劝他吧。", "劝"),
    ("你也动动脑子。", "动"),
    ("先看看书再说。", "看"),
]


@pytest.mark.parametrize(("text", "char"), TRIED)
def test_reduplicated_verb_is_neutral(fe: Frontend, text: str, char: str) -> None:
    first, second = source_of(fe, text, char, 0), source_of(fe, text, char, 1)
    assert second.syllable.endswith("5"), (first, second)
    assert not first.syllable.endswith("5")


# Reduplications that are descriptive, adverbial or counting keep their tone.
NOT_TRIED = [
    ("滚滚长江东逝水", "滚"),
    ("他整整等了三天。", "整"),
    ("她偷偷地哭了。", "偷"),
    ("星星在天上闪闪发光。", "闪"),
    ("我们要好好学习。", "好"),
    ("天天都在加班。", "天"),
    ("他连连点头。", "连"),
]


@pytest.mark.parametrize(("text", "char"), NOT_TRIED)
def test_descriptive_reduplication_keeps_its_tone(fe: Frontend, text: str, char: str) -> None:
    second = source_of(fe, text, char, 1)
    assert not second.syllable.endswith("5"), second


def test_explain_cli_names_the_verse_stage() -> None:
    out = subprocess.run(
        [sys.executable, "-m", "tts", "pinyin", "--explain", "“一骑绝尘去，千山暮雪来。”"],
        capture_output=True, text=True, timeout=120, check=True,
    ).stdout
    line = next(row for row in out.splitlines() if row.startswith("骑"))
    assert "ji4" in line and "classical.py" in line
