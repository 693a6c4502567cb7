"""Classical verse (诗词): quoted lines of five or seven characters, read with literary readings.

A reader of a Tang or Song poem gives every syllable its full tone and takes the readings the
verse's grammar asks for, which the phrase tables (built from modern words) and jieba's cuts
miss: 白云深处有人家 is "households", rén jiā, not the neutral 人家 "other people"; 只缘身在 is
the adverb zhǐ "only" (large_pinyin reads 只缘 zhī); 一骑红尘 is the noun jì "horseman" after
a numeral; 此曲 is the tune qǔ; 只应天上有 is yīng "should" (jieba cuts 应天, a place).

Verse is recognized by its shape, not by a list of poems: at least two clauses in a row of
exactly five or exactly seven Chinese characters (the 五言/七言 line), none holding a
character of modern colloquial grammar (的, 们, 吗, 呢, 这, 很 …), either closed by a quotation
mark (a quoted couplet) or four clauses long (a quatrain pasted without quotes).  Two modern
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
"""

from __future__ import annotations

from tts.frontend.dictionary import char_readings
from tts.frontend.measure_words import DEMONSTRATIVES, NUMERALS
from tts.frontend.syllables import tone_of
from tts.frontend.words import Flat

#: Line lengths of regulated verse: 五言 and 七言.
LINE_LENGTHS = frozenset((5, 7))

#: Characters of modern colloquial grammar that a classical line does not contain.
MODERN_CHARS = frozenset("的们吗呢吧啊呀啦嘛哦呗喽这那个很都没您她它咱俩啥咋么儿")

#: Closing quotation marks (a quoted couplet ends with one).
CLOSING_QUOTES = frozenset("”」』\"'’》")

#: Demonstratives of classical Chinese that count like 这/那 (此曲, 其一).
_CLASSICAL_DEMONSTRATIVES = frozenset("此彼是其") | DEMONSTRATIVES

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
            if quoted or len(run) >= 4:
                out.append((run[0][0], run[-1][1]))
        run = []
    return out


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


def apply(flat: Flat) -> list[int]:
    """Give the syllables of every verse run their literary readings.

    Runs after the neutral-tone and interjection stages, whose modern readings it replaces.
    Returns the indices of the syllables it decided (for ``--explain``).
    """
    decided: list[int] = []
    for start, end in verse_ranges(flat):
        for line_start, line_end in _clauses(flat):
            if not start <= line_start < end:
                continue
            for i in range(line_start, line_end):
                if flat.frozen(i):
                    continue
                found = literary_reading(flat, i, line_end)
                if found:
                    flat.set(i, found)
                    decided.append(i)
    return decided
