"""Pinyin syllables: parsing, validation and conversion to Baker phonemes.

A syllable here is numbered pinyin such as ``"zhong1"``, ``"lve4"`` or the
erhua form ``"huar4"``: letters, then one tone digit 1-5 (5 = neutral).
"""

from __future__ import annotations

import re
from functools import lru_cache

from tts.frontend.symbols import FINALS, INITIALS

_SYLLABLE_RE = re.compile(r"^([a-züê]+?)([1-5])$")

# Two-letter initials must be tried before one-letter ones.
_SPELLED_INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l",
                     "g", "k", "h", "j", "q", "x", "r", "z", "c", "s")

# Syllables spelled with y/w (zero initial) -> Baker final.
_ZERO_INITIAL_FINALS = {
    "yi": "i", "ya": "ia", "yan": "ian", "yang": "iang", "yao": "iao", "ye": "ie",
    "yin": "in", "ying": "ing", "yong": "iong", "you": "iou", "yo": "iou",
    "yu": "v", "yuan": "van", "yue": "ve", "yun": "vn",
    "wu": "u", "wa": "ua", "wai": "uai", "wan": "uan", "wang": "uang",
    "wei": "uei", "wen": "uen", "weng": "ueng", "wong": "ueng", "wo": "uo",
    # Interjection syllables outside the regular table.
    "n": "en", "ng": "en", "m": "en", "ê": "ei", "eh": "ei",
}

# Written finals after a consonant that differ from Baker's spelling.
_FINAL_SPELLING = {"iu": "iou", "ui": "uei", "un": "uen"}

_FINAL_SET = frozenset(FINALS)
_INITIAL_SET = frozenset(INITIALS)


class SyllableError(ValueError):
    """Raised for a string that is not a numbered pinyin syllable."""


def split_tone(syllable: str) -> tuple[str, int]:
    """Split ``"hao3"`` into ``("hao", 3)``; raise :class:`SyllableError` if malformed."""
    m = _SYLLABLE_RE.match(syllable)
    if not m:
        raise SyllableError(f"not a pinyin syllable with a tone digit 1-5: {syllable!r}")
    return m.group(1), int(m.group(2))


def tone_of(syllable: str) -> int:
    """The tone digit (1-5) of a numbered syllable."""
    return int(syllable[-1])


def with_tone(syllable: str, tone: int) -> str:
    """Replace the tone digit of ``syllable``."""
    return f"{syllable[:-1]}{tone}"


def is_erhua(syllable: str) -> bool:
    """True for an r-suffixed syllable such as ``"nar3"`` (but not ``"er2"`` itself)."""
    base = syllable[:-1]
    return len(base) > 1 and base.endswith("r") and base != "er"


@lru_cache(maxsize=4096)
def _split_base(base: str) -> tuple[str, str]:
    """Split a toneless, non-erhua syllable into (Baker initial, Baker final)."""
    base = base.replace("ü", "v")
    if base in _ZERO_INITIAL_FINALS:
        return "^", _ZERO_INITIAL_FINALS[base]
    if base in ("hm", "hng"):
        return "h", "en"
    if base[0] in "aeo":
        final = base
        if final not in _FINAL_SET:
            raise SyllableError(f"unknown pinyin syllable {base!r}")
        return "^", final
    if base[0] in "yw":
        raise SyllableError(f"unknown pinyin syllable {base!r}")
    for ini in _SPELLED_INITIALS:
        if base.startswith(ini) and len(base) > len(ini):
            rest = base[len(ini):]
            break
    else:
        raise SyllableError(f"unknown pinyin syllable {base!r}")
    if ini in ("j", "q", "x"):
        # ju, jue, juan, jun are written with u but pronounced with ü.
        if rest.startswith("u"):
            rest = "v" + rest[1:]
        if rest.startswith("v") or rest.startswith("i"):
            final = _FINAL_SPELLING.get(rest, rest)
        else:
            raise SyllableError(f"unknown pinyin syllable {base!r}")
    elif rest == "i" and ini in ("z", "c", "s"):
        final = "ii"
    elif rest == "i" and ini in ("zh", "ch", "sh", "r"):
        final = "iii"
    else:
        final = _FINAL_SPELLING.get(rest, rest)
    if final not in _FINAL_SET or ini not in _INITIAL_SET:
        raise SyllableError(f"unknown pinyin syllable {base!r}")
    return ini, final


@lru_cache(maxsize=8192)
def to_phonemes(syllable: str) -> tuple[str, ...]:
    """Convert one numbered syllable to Baker phonemes.

    >>> to_phonemes("zhong1")
    ('zh', 'ong1')
    >>> to_phonemes("huar4")
    ('h', 'ua4', 'er5')
    """
    base, tone = split_tone(syllable)
    if is_erhua(syllable):
        ini, final = _split_base(base[:-1])
        return ini, f"{final}{tone}", "er5"
    ini, final = _split_base(base)
    return ini, f"{final}{tone}"


def is_valid(syllable: str) -> bool:
    """True if ``syllable`` converts to Baker phonemes."""
    try:
        to_phonemes(syllable)
    except SyllableError:
        return False
    return True


# Tone-marked vowels -> (plain vowel, tone).
_TONE_MARKS = {
    "ā": ("a", 1), "á": ("a", 2), "ǎ": ("a", 3), "à": ("a", 4),
    "ē": ("e", 1), "é": ("e", 2), "ě": ("e", 3), "è": ("e", 4),
    "ī": ("i", 1), "í": ("i", 2), "ǐ": ("i", 3), "ì": ("i", 4),
    "ō": ("o", 1), "ó": ("o", 2), "ǒ": ("o", 3), "ò": ("o", 4),
    "ū": ("u", 1), "ú": ("u", 2), "ǔ": ("u", 3), "ù": ("u", 4),
    "ǖ": ("v", 1), "ǘ": ("v", 2), "ǚ": ("v", 3), "ǜ": ("v", 4), "ü": ("v", 0),
    "ń": ("n", 2), "ň": ("n", 3), "ǹ": ("n", 4), "ḿ": ("m", 2), "m̀": ("m", 4),
    "ê̄": ("ê", 1), "ế": ("ê", 2), "ê̌": ("ê", 3), "ề": ("ê", 4),
}
_COMBINING_TONES = {"\u0304": 1, "\u0301": 2, "\u030c": 3, "\u0300": 4}


@lru_cache(maxsize=8192)
def from_tone_marks(marked: str) -> str:
    """Convert tone-mark pinyin (``"zhōng"``, ``"de"``) to numbered form (``"zhong1"``, ``"de5"``)."""
    tone = 0
    out = []
    for ch in marked:
        if ch in _TONE_MARKS:
            plain, t = _TONE_MARKS[ch]
            out.append(plain)
            tone = t or tone
        elif ch in _COMBINING_TONES:
            tone = _COMBINING_TONES[ch]
        else:
            out.append(ch)
    return "".join(out).lower() + str(tone or 5)
