"""Classical verse (诗词): quoted lines of five or seven characters, read with literary readings.

A reader of a Tang or Song poem gives every syllable its full tone and takes the readings the
verse's grammar asks for, which the phrase tables (built from modern words) and jieba's cuts
miss: 白云深处有人家 is "households", rén jiā, not the neutral 人家 "other people"; 只缘身在 is
the adverb zhǐ "only" (large_pinyin reads 只缘 zhī); 一骑红尘 is the noun jì "horseman" after
a numeral; 此曲 is the tune qǔ; 只应天上有 is yīng "should" (jieba cuts 应天, a place).

Verse is recognized by its shape, not by a list of poems: at least two clauses in a row of
exactly five or exactly seven Chinese characters (the 五言/七言 line), none holding a
character of modern colloquial grammar (的, 们, 吗, 呢, 这, 很 …), either closed by a quotation
mark (a quoted couplet), or four clauses long (a quatrain pasted without quotes), or two
seven-character lines making a whole sentence (a couplet, 对联, round 6).  Two modern
clauses of five characters without a quote (今天天气好，明天去爬山) are therefore left alone.

In a verse run the readings below replace what the other stages gave (现代汉语词典 readings):

* a neutral tone becomes the same syllable's full tone (人家 jiā, 妃子 zǐ): verse has none;
* 只 not after a numeral or demonstrative is the adverb zhǐ ("only");
* 骑 after a numeral is the noun jì (一骑, 千骑);
* 尽 is jìn ("exhaust, to the end"; jǐn belongs to modern 尽管, 尽量);
* 应 is yīng ("should") unless a word of answering follows (应答, 应声, 应和 …);
* 得 is dé ("obtain"): verse has no structural particle de;
* 曲 after a numeral or demonstrative is the tune qǔ (一曲, 此曲);
* 还 closing a line is huán ("return", the rhyme of 一日还, 终不还).

Classical prose (文言) is read the same way (round 6): a sentence without modern grammar that
holds a mark of 文言 — a final particle 也 矣 焉 哉 兮 乎 closing a clause outside a modern word
(在乎, 几乎 do not count), 之 closing a clause on its own (学而时习之), 曰 吾 汝 尔 as words of
their own, or 夫 opening or closing a clause as below — takes the readings above (在乎山水之间也
hū, 夫君子之行 zǐ, 不 never neutral: ``Flat.literary``), and verse and prose both take the
readings of classical function words that modern text never uses:

* 夫 opening a clause on its own or at the start of a word the tables do not list (夫战, 夫君子…)
  is the initial particle fú, and closing a clause on its own the exclamation fú (逝者如斯夫);
* 为 before one character that closes the line (or a final particle after it), other than a
  pronoun, is the verb wéi "be, become, act as" (可以为师矣, 勤为径; 为伊, 为君 stay wèi "for");
* 曾 before 不 is the adverb zēng "even, after all" (曾不能, 曾不若); 不曾 keeps céng;
* 宁 as a word of its own is the adverb nìng "rather; how could" (宁为玉碎, 宁有种乎); the
  adjective níng "peaceful" lives in words (宁静, 安宁, 鸡犬不宁).
"""

from __future__ import annotations

from collections.abc import Callable

from tts.frontend.dictionary import char_readings
from tts.frontend.measure_words import DEMONSTRATIVES, NUMERALS
from tts.frontend.syllables import tone_of
from tts.frontend.words import Flat

#: Line lengths of regulated verse: 五言 and 七言.
LINE_LENGTHS = frozenset((5, 7))

#: Line length of a couplet (对联) recognized without quotation marks: the 七言 line.
COUPLET_LENGTH = 7

#: Characters of modern colloquial grammar that a classical line does not contain.
MODERN_CHARS = frozenset("的们吗呢吧啊呀啦嘛哦呗喽这那个很都没您她它咱俩啥咋么儿")

#: Closing quotation marks (a quoted couplet ends with one).
CLOSING_QUOTES = frozenset("”」』\"'’》")

#: Demonstratives of classical Chinese that count like 这/那 (此曲, 其一).
_CLASSICAL_DEMONSTRATIVES = frozenset("此彼是其") | DEMONSTRATIVES

#: Final particles of 文言 that mark a sentence as classical when they close a clause.
FINAL_PARTICLES = frozenset("也矣焉哉兮乎")

#: Words of 文言 that mark a sentence as classical wherever they stand as words of their own.
CLASSICAL_WORDS = frozenset("曰吾汝尔兮矣")

#: Pronouns after which 为 is the preposition wèi "for" (为伊消得, 为君持酒, 为之).
_PRONOUNS_AFTER_WEI = frozenset("我吾余予尔汝君伊谁之其彼他卿")

#: Characters after 应 that make it the verb yìng "answer, respond".
_ANSWER_AFTER_YING = frozenset("答对和声接酬制变试")


def _clauses(flat: Flat) -> list[tuple[int, int]]:
    """[start, end) syllable ranges of the clauses of ``flat`` (a clause ends at punctuation)."""
    out: list[tuple[int, int]] = []
    start = 0
    for i in range(1, len(flat) + 1):
        if i == len(flat) or not flat.same_clause(start, i):
            out.append((start, i))
            start = i
    return out


def _line(flat: Flat, start: int, end: int) -> bool:
    """Whether syllables [start, end) make a classical line: 5 or 7 Chinese characters of
    Chinese words, none of them modern grammar."""
    if end - start not in LINE_LENGTHS:
        return False
    for i in range(start, end):
        ch = flat.char(i)
        if not ch or not flat.word(i).han or ch in MODERN_CHARS:
            return False
    return True


def _couplet(flat: Flat, run: list[tuple[int, int]]) -> bool:
    """Whether ``run`` is a couplet standing as a sentence of its own: two 七言 lines that are the
    whole segment and end as a couplet's lines must, the first on an oblique tone (仄: tones 3
    and 4) and the second on a level one (平: tones 1 and 2) — 书山有路勤为径 jìng，学海无涯苦作舟
    zhōu.  Five-character pairs are not enough (今天天气好，明天去爬山。 is modern)."""
    if len(run) != 2 or run[0][0] != 0 or run[-1][1] != len(flat):
        return False
    if any(end - start != COUPLET_LENGTH for start, end in run):
        return False
    first, second = tone_of(flat.syllable(run[0][1] - 1)), tone_of(flat.syllable(run[1][1] - 1))
    return first in (3, 4) and second in (1, 2)


def verse_ranges(flat: Flat) -> list[tuple[int, int]]:
    """[start, end) syllable ranges of the verse runs of ``flat`` (see the module docstring).

    Args:
        flat: the syllables of one segment.
    Returns:
        One range per run of at least two classical lines that a closing quotation mark ends or
        that is four lines long; ``[]`` for modern text.
    """
    out: list[tuple[int, int]] = []
    run: list[tuple[int, int]] = []
    for clause in [*_clauses(flat), None]:
        if clause is not None and _line(flat, *clause):
            run.append(clause)
            continue
        if len(run) >= 2:
            quoted = bool(set(flat.pause_after(run[-1][1] - 1)) & CLOSING_QUOTES)
            if quoted or len(run) >= 4 or _couplet(flat, run):
                out.append((run[0][0], run[-1][1]))
        run = []
    return out


def _classical_mark(flat: Flat, start: int, end: int, is_phrase: Callable[[str], bool]) -> bool:
    """Whether the clause [start, end) holds a mark of 文言 (see the module docstring)."""
    for i in range(start, end):
        w, ch = flat.word(i), flat.char(i)
        alone = len(w.text) == 1
        if alone and ch in CLASSICAL_WORDS:
            return True
        if i == end - 1 and ch in FINAL_PARTICLES and (alone or not is_phrase(w.text)):
            return True
        if i == end - 1 and ch == "之" and alone:
            return True
        if ch == "夫" and function_word_reading(flat, i, end, is_phrase):
            return True
    return False


def prose_ranges(flat: Flat, is_phrase: Callable[[str], bool]) -> list[tuple[int, int]]:
    """[start, end) syllable ranges of 文言 in ``flat``: the whole segment when none of its
    clauses holds modern grammar and one of them holds a mark of 文言; else ``[]``.

    Args:
        flat: the syllables of one segment (a sentence or a part of one).
        is_phrase: whether the phrase tables list a word (在乎 is modern, 说乎 is not listed).
    """
    clauses = _clauses(flat)
    for i in range(len(flat)):
        ch = flat.char(i)
        if not ch or not flat.word(i).han or ch in MODERN_CHARS:
            return []
    if any(_classical_mark(flat, start, end, is_phrase) for start, end in clauses):
        return [(0, len(flat))]
    return []


def function_word_reading(flat: Flat, i: int, line_end: int, is_phrase: Callable[[str], bool]) -> str | None:
    """The reading of a classical function word (夫 fú, 为 wéi, 曾 zēng, 宁 nìng) at syllable ``i`` of a
    line of verse or 文言 ending at ``line_end``, or ``None`` (see the module docstring)."""
    ch, w, pos = flat.char(i), flat.word(i), flat.pos(i)
    alone = len(w.text) == 1
    if ch == "夫":
        opens = not flat.same_clause(i, i - 1) and pos == 0 and (alone or not is_phrase(w.text))
        closes = i == line_end - 1 and alone
        return "fu2" if opens or closes else None
    if ch == "为" and pos == 0:
        last = line_end - 1
        if last > i + 1 and flat.char(last) in FINAL_PARTICLES:
            last -= 1
        nxt = flat.char(i + 1)
        return "wei2" if last == i + 1 and nxt and nxt not in _PRONOUNS_AFTER_WEI else None
    if ch == "曾" and flat.next_char(i) == "不" and flat.prev_char(i) != "不":
        return "zeng1"
    if ch == "宁" and alone:
        return "ning4"
    return None


def _full_tone(ch: str, syllable: str) -> str | None:
    """The full-tone reading of ``ch`` with the same initial and final as ``syllable``."""
    base = syllable[:-1]
    for reading in char_readings(ch):
        if reading[:-1] == base and tone_of(reading) != 5:
            return reading
    return None


def literary_reading(flat: Flat, i: int, line_end: int) -> str | None:
    """The reading syllable ``i`` of a verse line takes (see the module docstring), or ``None``.

    Args:
        flat: the syllables of one segment.
        i: index of a syllable inside a verse run.
        line_end: the end of the line (clause) holding ``i``.
    Returns:
        The literary reading, e.g. ``"ji4"``, or ``None`` to keep what the other stages gave.
    """
    ch, prev = flat.char(i), flat.prev_char(i)
    counted = prev in NUMERALS or prev in _CLASSICAL_DEMONSTRATIVES
    if ch == "只" and not counted:
        return "zhi3"
    if ch == "骑" and prev in NUMERALS:
        return "ji4"
    if ch == "尽":
        return "jin4"
    if ch == "应" and flat.next_char(i) not in _ANSWER_AFTER_YING:
        return "ying1"
    if ch == "得":
        return "de2"
    if ch == "曲" and counted:
        return "qu3"
    if ch == "还" and i == line_end - 1:
        return "huan2"
    syllable = flat.syllable(i)
    if syllable[-1:] == "5":
        return _full_tone(ch, syllable)
    return None


def apply(flat: Flat, is_phrase: Callable[[str], bool]) -> list[int]:
    """Give the syllables of every verse run and of 文言 their literary readings.

    Runs after the neutral-tone and interjection stages, whose modern readings it replaces.
    ``is_phrase`` says whether the phrase tables list a word.  Returns the indices of the
    syllables it decided (for ``--explain``).
    """
    decided: list[int] = []
    for start, end in verse_ranges(flat) or prose_ranges(flat, is_phrase):
        flat.literary.update(range(start, end))
        for line_start, line_end in _clauses(flat):
            if not start <= line_start < end:
                continue
            for i in range(line_start, line_end):
                if flat.frozen(i):
                    continue
                found = (function_word_reading(flat, i, line_end, is_phrase)
                         or literary_reading(flat, i, line_end))
                if found:
                    flat.set(i, found)
                    decided.append(i)
    return decided
