"""Latin letter names, read the Mandarin way (words are read by :mod:`tts.frontend.english`).

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

_WORD_RE = re.compile(r"[A-Za-z]+")


def latin_words(text: str) -> list[str]:
    """The letter runs of ``text`` (helper for tests and tools)."""
    return _WORD_RE.findall(text)
