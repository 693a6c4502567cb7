"""Latin letters and a few very common English words, read the Mandarin way.

Every reading uses only syllables the Baker model knows (valid initials and
finals), chosen to sound like the way Mandarin speakers say the letter
names: A = ei1 ("诶"), B = bi4, C = xi1 ("西"), ... W = da2 bu5 liu1.
"""

from __future__ import annotations

import re

#: Letter name -> syllables.
LETTERS: dict[str, tuple[str, ...]] = {
    "A": ("ei1",),
    "B": ("bi4",),
    "C": ("xi1",),
    "D": ("di4",),
    "E": ("yi4",),
    "F": ("ai4", "fu5"),
    "G": ("ji4",),
    "H": ("ai4", "qi1"),
    "I": ("ai4",),
    "J": ("zhei4",),
    "K": ("kei4",),
    "L": ("ai4", "le5"),
    "M": ("ai4", "mu5"),
    "N": ("en1",),
    "O": ("ou1",),
    "P": ("pi1",),
    "Q": ("qiu1",),
    "R": ("a4", "er5"),
    "S": ("ai4", "si1"),
    "T": ("ti4",),
    "U": ("you1",),
    "V": ("wei1",),
    "W": ("da2", "bu5", "liu1"),
    "X": ("ai4", "ke4", "si1"),
    "Y": ("wai4",),
    "Z": ("zei4",),
}

#: Whole words (matched case-insensitively) read as Mandarin speakers say them.
WORDS: dict[str, tuple[str, ...]] = {
    "ok": ("ou1", "kei4"),
    "okay": ("ou1", "kei4"),
    "app": ("ei1", "pi1", "pi1"),
    "wifi": ("wai1", "fei1"),
    "email": ("yi1", "mei4", "er5"),
    "hi": ("hai1",),
    "hello": ("ha1", "lou2"),
    "bye": ("bai1",),
    "byebye": ("bai1", "bai1"),
    "iphone": ("ai4", "feng1"),
    "ipad": ("ai4", "pai4"),
    "taxi": ("tai4", "ke4", "si1"),
    "yes": ("ye1", "si5"),
    "vs": ("wei1", "ai4", "si1"),
}

_WORD_RE = re.compile(r"[A-Za-z]+")


def read_latin(word: str) -> tuple[str, ...]:
    """Syllables for a run of ASCII letters: a known word, else letter by letter."""
    known = WORDS.get(word.lower())
    if known is not None:
        return known
    out: list[str] = []
    for ch in word.upper():
        out.extend(LETTERS[ch])
    return tuple(out)


def latin_words(text: str) -> list[str]:
    """The letter runs of ``text`` (helper for tests and tools)."""
    return _WORD_RE.findall(text)
