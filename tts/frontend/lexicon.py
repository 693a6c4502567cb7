"""User pronunciations: the lexicon file and inline ``{word|pin1 yin1}`` overrides.

Lexicon file format (UTF-8), one entry per line::

    # comment lines and blank lines are ignored
    银行    yin2 hang2
    重庆	chong2 qing4      # a trailing comment after whitespace is allowed
    iPhone  ai4 feng4

The word and its syllables are separated by a tab or spaces.  Syllables are
numbered pinyin (tone 1-5, 5 = neutral, ``v`` or ``ü`` for ü, erhua as
``nar3``).  For a word made of Chinese characters there must be one syllable
per character (an erhua syllable also covers the 儿 that follows its
character); a word containing other characters (letters, digits) may have any
number of syllables.

A word with Latin letters is matched in the raw text only at English word
boundaries, camelCase joints included: ``Go`` reads ``用Go写`` and ``GoPro`` but
not the start of ``Google``; ``AI`` reads ``OpenAI`` but not the middle of
``EMAIL``.  Written all in lowercase it matches in any case (``android`` also
reads ``Android`` and ``ANDROID``); written with capitals it matches exactly.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from tts.frontend.dictionary import known_syllables
from tts.frontend.syllables import SyllableError, is_erhua, split_tone, to_phonemes
from tts.frontend.textclasses import is_han

# Syllables accepted although no character in the table is read that way.
_EXTRA_SYLLABLES = frozenset({"n", "ng", "m", "ei", "hm", "hng"})

# {word|pin1 yin1}: a short word without whitespace, then ASCII pinyin.
_OVERRIDE_RE = re.compile(r"\{([^{}|\s]{1,32})\|([A-Za-z0-9üÜ: ]{1,200})\}")


class LexiconError(ValueError):
    """A malformed lexicon line; the message names the file and line number."""


@dataclass(frozen=True)
class Override:
    """A word whose reading is fixed by the user (inline or from the lexicon)."""

    text: str
    syllables: tuple[str, ...]


def parse_syllables(word: str, pinyin: str) -> tuple[str, ...]:
    """Validate ``pinyin`` (space separated) as the reading of ``word``.

    Returns the normalized syllables (``ü`` -> ``v``, lower case) or raises
    ``ValueError`` with a message saying what is wrong.
    """
    if not word or word.strip() != word or any(ch.isspace() for ch in word):
        raise ValueError(f"the word {word!r} must be non-empty and contain no whitespace")
    syllables = tuple(s.lower().replace("ü", "v").replace("u:", "v") for s in pinyin.split())
    if not syllables:
        raise ValueError(f"no pinyin given for {word!r}")
    known = known_syllables()
    for syl in syllables:
        try:
            base, _tone = split_tone(syl)
        except SyllableError:
            raise ValueError(
                f"{syl!r} (for {word!r}) is not pinyin with a tone number 1-5, e.g. 'zhong1', 'lv4', 'de5'"
            ) from None
        plain = base[:-1] if is_erhua(syl) else base
        try:
            to_phonemes(syl)
        except SyllableError:
            plain = ""
        if plain not in known and plain not in _EXTRA_SYLLABLES:
            raise ValueError(f"{syl!r} (for {word!r}) is not a Mandarin syllable")
    if all(is_han(ch) for ch in word):
        expected = len(word)
        covered = 0
        for _i, syl in enumerate(syllables):
            covered += 1
            if is_erhua(syl) and covered < expected and word[covered] == "儿":
                covered += 1
        if covered != expected:
            raise ValueError(
                f"{word!r} needs {expected} syllable(s), one per character, but {len(syllables)} "
                f"were given ({' '.join(syllables)})"
            )
    return syllables


def split_inline(text: str) -> list[str | Override]:
    """Split ``text`` into plain strings and :class:`Override` pieces for ``{word|pinyin}``.

    Raises ``ValueError`` naming the override when its pinyin is invalid or
    its syllable count does not match the word.
    """
    pieces: list[str | Override] = []
    pos = 0
    for m in _OVERRIDE_RE.finditer(text):
        if m.start() > pos:
            pieces.append(text[pos:m.start()])
        word, pinyin = m.group(1).strip(), m.group(2)
        try:
            syllables = parse_syllables(word, pinyin)
        except ValueError as exc:
            raise ValueError(f"bad inline pronunciation {m.group(0)!r}: {exc}") from None
        pieces.append(Override(word, syllables))
        pos = m.end()
    if pos < len(text):
        pieces.append(text[pos:])
    return pieces


def inline_spans(text: str) -> Iterator[tuple[int, int]]:
    """(start, end) of every ``{word|pinyin}`` in ``text`` (used to keep them whole when splitting)."""
    for m in _OVERRIDE_RE.finditer(text):
        yield m.start(), m.end()


class Lexicon:
    """Word -> syllables, from a user lexicon file."""

    def __init__(self, entries: dict[str, tuple[str, ...]] | None = None):
        self.entries: dict[str, tuple[str, ...]] = dict(entries or {})

    @classmethod
    def load(cls, path: str | os.PathLike) -> Lexicon:
        """Read a lexicon file; raise :class:`LexiconError` (with line number) on a bad line."""
        try:
            with open(path, encoding="utf-8") as fh:
                lines = fh.read().splitlines()
        except UnicodeDecodeError as exc:
            raise LexiconError(f"{os.fspath(path)}: not UTF-8 text ({exc})") from None
        return cls.from_lines(lines, source=os.fspath(path))

    @classmethod
    def from_lines(cls, lines: Iterable[str], source: str = "<lexicon>") -> Lexicon:
        """Parse lexicon lines (see the module docstring for the format)."""
        entries: dict[str, tuple[str, ...]] = {}
        for number, raw in enumerate(lines, start=1):
            line = raw.lstrip("\ufeff")
            if "#" in line:
                # A comment starts at a '#' at the line start or after whitespace.
                m = re.search(r"(^|\s)#", line)
                if m:
                    line = line[: m.start()]
            line = line.strip()
            if not line:
                continue
            parts = line.split(None, 1)
            if len(parts) != 2:
                raise LexiconError(
                    f"{source} line {number}: expected 'word<TAB>pin1 yin1', got {raw.strip()!r}"
                )
            word, pinyin = parts
            try:
                entries[word] = parse_syllables(word, pinyin)
            except ValueError as exc:
                raise LexiconError(f"{source} line {number}: {exc}") from None
        return cls(entries)

    def __len__(self) -> int:
        return len(self.entries)

    def __contains__(self, word: str) -> bool:
        return word in self.entries

    def get(self, word: str) -> tuple[str, ...] | None:
        """The user's syllables for ``word`` or ``None``."""
        return self.entries.get(word)

    @property
    def han_words(self) -> list[str]:
        """Entries made only of Chinese characters (these are given to the segmenter)."""
        return [w for w in self.entries if all(is_han(ch) for ch in w)]

    @property
    def other_words(self) -> list[str]:
        """Entries containing non-Chinese characters (matched literally in the raw text), longest first."""
        return sorted((w for w in self.entries if not all(is_han(ch) for ch in w)), key=len, reverse=True)
