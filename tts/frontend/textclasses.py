"""Character classes and Unicode clean-up shared by the text-processing modules."""

from __future__ import annotations

import unicodedata

#: Punctuation that marks a pause inside a sentence (-> ``#3``) or ends one.
PAUSE_PUNCT = frozenset(
    "，。！？、；：,.!?;:…"
    "“”‘’\"'「」『』﹁﹂﹃﹄（）()《》〈〉【】[]〔〕〖〗{}"
    "—–―~～"
)

#: Characters that separate words without a pause (-> at least ``#1``).
SOFT_SEPARATORS = frozenset("·・-‐‑/|_")

#: Sentence-final punctuation (used when splitting text into segments).
SENTENCE_END = frozenset("。！？!?…；;")

#: Closing quotes/brackets that stay with the sentence before them.
CLOSING = frozenset("”’」』﹂﹄）)》〉】]〕〗}\"'")


def is_han(ch: str) -> bool:
    """True for a CJK ideograph (including 〇)."""
    cp = ord(ch)
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0xF900 <= cp <= 0xFAFF
        or 0x20000 <= cp <= 0x3134F
        or cp == 0x3007
    )


def is_latin(ch: str) -> bool:
    """True for an ASCII letter."""
    return ("a" <= ch <= "z") or ("A" <= ch <= "Z")


def is_control(ch: str) -> bool:
    """True for control, format, surrogate, private-use and unassigned code points (not whitespace)."""
    return unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn") and not ch.isspace()


def normalize_unicode(text: str) -> str:
    """NFKC normalization (full-width -> ASCII, ① -> 1, ㎏ -> kg, …) plus a few fixes.

    ``…`` becomes ``...`` under NFKC; runs of dots stay as they are.  U+2044 FRACTION SLASH
    (from ½ etc.) reads like '/', U+2212 MINUS SIGN like '-'.  Lone surrogates are kept and
    later reported as unknown characters.  :func:`tts.frontend.alignment.nfkc` does the work and
    also says where each character came from.
    """
    from tts.frontend.alignment import nfkc

    return nfkc(text).text
