"""Readings for the words of a Chinese run, before neutral tone and sandhi rules.

For each jieba word, in this order of priority:

1. the user lexicon (the word becomes ``frozen``);
2. the phrase dictionary (pypinyin + pypinyin-dict), whole word;
3. otherwise the word is cut by forward maximum matching against the phrase
   dictionary, and each left-over single character gets its default reading;
   a polyphonic one is marked as not ``sure`` for the polyphone stage.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from tts.frontend.dictionary import (
    DEFAULT_PHRASE_SOURCES,
    PhraseDictionary,
    default_reading,
    is_polyphone,
)
from tts.frontend.lexicon import Lexicon
from tts.frontend.words import Flat, Word


@dataclass(frozen=True)
class G2POptions:
    """Switches for the polyphone evaluation; the frontend uses the defaults."""

    phrase_sources: tuple[str, ...] = DEFAULT_PHRASE_SOURCES
    use_rules: bool = True
    use_g2pm: bool = False


def _forward_max_match(word: str, phrases: PhraseDictionary) -> list[str]:
    """Cut ``word`` into dictionary phrases leaving the fewest characters on their own, then in
    the fewest pieces; among equal cuts the one with the longer first piece (forward maximum
    matching's choice).  Greedy matching alone takes a rare long entry that strands a character:
    大部地区 as 大部地 + 区 (地 read de5) where 大部 + 地区 covers every character."""
    n = len(word)
    # best[i]: (characters left alone, pieces) for word[i:], and the size of the first piece
    best: list[tuple[int, int]] = [(0, 0)] * (n + 1)
    first = [1] * (n + 1)
    for i in range(n - 1, -1, -1):
        choice, size_of = (n + 1, n + 1), 1
        for size in range(min(phrases.max_len, n - i), 0, -1):  # longest first: it wins ties
            if size == 1 or word[i:i + size] in phrases:
                alone, pieces = best[i + size]
                cost = (alone + (size == 1), pieces + 1)
                if cost < choice:
                    choice, size_of = cost, size
        best[i], first[i] = choice, size_of
    out: list[str] = []
    i = 0
    while i < n:
        out.append(word[i:i + first[i]])
        i += first[i]
    return out


def _erhua_head(text: str, readings: list[str], phrases: PhraseDictionary) -> list[str]:
    """头儿/子儿 words keep the tone the word has without 儿 (老头儿 lao3 tou2 r, 瓜子儿 gua1 zi3 r).

    The phrase tables neutralize 头 and 子 before 儿 in many such entries although
    the word without 儿 (老头, 瓜子) has the full tone, as 现代汉语词典 has it.
    """
    if len(text) < 3 or text[-1] != "儿" or text[-2] not in "头子" or not readings[-2].endswith("5"):
        return readings
    base = phrases.lookup(text[:-1])
    if base is not None and not base[-1].endswith("5"):
        readings[-2] = base[-1]
    return readings


#: Where a reading came from, as ``Frontend.explain`` names it.
LEXICON = "user lexicon"
CHARACTER = "character reading (its only one)"
POLYPHONE_DEFAULT = "default reading (a polyphone no phrase decided)"


def phrase_origin(phrase: str) -> str:
    return f"phrase {phrase}"


def read_word(text: str, phrases: PhraseDictionary, lexicon: Lexicon | None = None) -> Word:
    """A :class:`Word` with dictionary readings for the Chinese word ``text``."""
    if lexicon is not None:
        fixed = lexicon.get(text)
        if fixed is not None:
            aligned = len(fixed) == len(text)
            return Word(text, list(fixed), han=aligned, frozen=True, origin=(LEXICON,) * len(fixed))
    syllables, sure, origin = _dictionary_reading(text, phrases)
    return Word(text, list(syllables), sure=list(sure), origin=origin)


@lru_cache(maxsize=32768)
def _dictionary_reading(
    text: str, phrases: PhraseDictionary
) -> tuple[tuple[str, ...], tuple[bool, ...], tuple[str, ...]]:
    """(syllables, sure, origin) of ``text`` from the phrase dictionary (cached: the tables never change)."""
    found = phrases.lookup(text) if len(text) > 1 else None
    if found is not None:
        return tuple(_erhua_head(text, list(found), phrases)), (True,) * len(text), (phrase_origin(text),) * len(text)
    syllables: list[str] = []
    sure: list[bool] = []
    origin: list[str] = []
    for piece in _forward_max_match(text, phrases) if len(text) > 1 else [text]:
        readings = phrases.lookup(piece) if len(piece) > 1 else None
        if readings is not None:
            syllables.extend(readings)
            sure.extend([True] * len(piece))
            origin.extend([phrase_origin(piece)] * len(piece))
            continue
        reading = default_reading(piece)
        syllables.append(reading or "")
        sure.append(not is_polyphone(piece))
        origin.append(CHARACTER if sure[-1] else POLYPHONE_DEFAULT)
    return tuple(syllables), tuple(sure), tuple(origin)


#: Shortest phrase-table entry looked up across jieba's words (three characters: 长太息, and the
#: four-character chengyu 不亦说乎, 三省吾身 that jieba cuts into pieces).
CROSS_WORD_MIN_LEN = 3


def _word_bounds(flat: Flat) -> tuple[set[int], set[int]]:
    """Flat indices where a Chinese word starts, and indices just past where one ends."""
    starts: set[int] = set()
    ends: set[int] = set()
    for i in range(len(flat)):
        w = flat.word(i)
        if w.han and not w.frozen and len(w.text) == len(w.syllables):
            if flat.pos(i) == 0:
                starts.add(i)
            if flat.pos(i) == len(w.syllables) - 1:
                ends.add(i + 1)
    return starts, ends


def _cross_word_phrase(flat: Flat, a: int, ends: set[int], phrases: PhraseDictionary) -> tuple[int, tuple[str, ...]] | None:
    """The longest phrase-table entry starting at word start ``a`` that ends at a word end, spans
    two words or more inside one clause, and gives a syllable no word entry decided
    (not ``sure``) another reading; returns its end and readings."""
    longest = min(phrases.max_len, len(flat) - a)
    for size in range(longest, CROSS_WORD_MIN_LEN - 1, -1):
        b = a + size
        if b not in ends or flat.word_index(a) == flat.word_index(b - 1) or not flat.same_clause(a, b - 1):
            continue
        readings = phrases.lookup(flat.text[a:b])
        if readings is None:
            continue
        if any(not flat.word(k).sure[flat.pos(k)] and flat.syllable(k) != readings[k - a] for k in range(a, b)):
            return b, readings
    return None


def cross_word_phrases(flat: Flat, phrases: PhraseDictionary) -> list[int]:
    """Read phrase-table entries that jieba cut into several words as the tables read them whole.

    jieba cuts set phrases of classical Chinese it does not list (不|亦|说乎, 吾|日|三|省吾身,
    长|太息), so the whole-phrase reading of pypinyin and large_pinyin (说 yuè "悦", 省 xǐng "examine",
    长 cháng) is never looked up, and the characters left alone get their default readings.  An
    entry of :data:`CROSS_WORD_MIN_LEN` characters or more that starts and ends at word
    boundaries, inside one clause, gives its readings to the syllables no word entry decided;
    readings a word entry gave (a jieba word the tables list, a name, a user's word) are kept, so
    segmentation still decides where the tables' words overlap.

    Returns the indices of the syllables it changed (for ``--explain``).
    """
    starts, ends = _word_bounds(flat)
    changed: list[int] = []
    a = 0
    while a < len(flat):
        found = _cross_word_phrase(flat, a, ends, phrases) if a in starts else None
        if found is None:
            a += 1
            continue
        b, readings = found
        for k in range(a, b):
            w, pos = flat.word(k), flat.pos(k)
            if not w.sure[pos] and flat.syllable(k) != readings[k - a]:
                flat.set(k, readings[k - a])
                w.sure[pos] = True
                changed.append(k)
        a = b
    return changed
