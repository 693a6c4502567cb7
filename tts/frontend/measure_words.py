"""Polyphones read as measure words (classifiers).

A classifier stands between a numeral or demonstrative and its noun (一行白鹭, 两行泪, 这处
房子, 三重门), and a reduplicated classifier means "every" (处处, 行行出状元, 场场爆满).  In
both slots the character takes its classifier reading, which the phrase tables often miss: they
read 一行 as yi1 xing2 ("a party travelling") and jieba glues the numeral to the classifier,
so the pattern, not a word entry, has to decide.
"""

from __future__ import annotations

from tts.frontend.words import Flat

#: Characters that make an amount (a classifier after them counts something).
NUMERALS = frozenset("零〇一二三四五六七八九十百千万亿两几")
#: Demonstratives and quantifiers that take a classifier like a numeral does (这行字, 各处).
DEMONSTRATIVES = frozenset("这那哪每各某")

#: 现代汉语词典's reading of a polyphone used as a classifier.  Only polyphones whose other
#: readings are verbs or nouns that never follow a numeral directly are listed: 种 and 只 have
#: rules of their own (``polyphones``), and 觉, 更, 曲, 卷 close clauses as often as they count
#: a noun (睡了一觉, 已是三更, 高歌一曲), so the noun-after test below cannot tell them.
MEASURE_READINGS: dict[str, str] = {
    "行": "hang2",  # 一行字, 两行泪 (not 一行人 xing2 "the party")
    "处": "chu4",   # 一处房产, 多处骨折 (chu3 is the verb "handle, be located")
    "场": "chang3",  # 一场比赛, 这场球 (cháng for rain and illness is also heard as chǎng)
    "重": "chong2",  # 三重门, 两重天 (zhong4 "heavy" after a numeral is a weight: the dimension rule)
    "担": "dan4",   # 一担水 (dan1 is the verb "carry")
}

#: Verbs of contests: 场 counted after them and closing the clause is the game (各胜一场, 输了两场,
#: 连赢三场) chǎng, while 哭了一场, 大病一场, 白忙一场 (an episode) stay cháng.
_CONTEST_VERBS = frozenset("胜负赢输平打踢赛战比")

#: After these the 行 of a numeral is the travelling party (代表团一行人, 一行三人), not a line.
_PARTY_AFTER_XING = frozenset("人等") | NUMERALS


def _ordinal(flat: Flat, i: int) -> bool:
    """Whether the numerals before syllable ``i`` follow 第 (第三行, 第十二行)."""
    k = i - 1
    while flat.same_clause(i, k) and flat.char(k) in NUMERALS:
        k -= 1
    return flat.same_clause(i, k) and flat.char(k) == "第"


def _counted_games(flat: Flat, i: int) -> bool:
    """Whether 场 at ``i`` counts games: its numerals follow a verb of contests, with 了 or 过
    between them allowed (各胜一场, 输了两场)."""
    k = i - 1
    while flat.same_clause(i, k) and flat.char(k) in NUMERALS:
        k -= 1
    if flat.same_clause(i, k) and flat.char(k) in "了过":
        k -= 1
    return k < i - 1 and flat.same_clause(i, k) and flat.char(k) in _CONTEST_VERBS


def measure_reading(flat: Flat, i: int) -> str | None:
    """The classifier reading of syllable ``i`` when it stands in a classifier slot, else ``None``.

    The slot: right after a numeral or demonstrative (within the clause), not the first
    character of a longer dictionary word (一|处理, 这|重要: jieba cuts those as words), and
    followed by a noun in the same clause (a classifier counts something; 代表团一行 closing the
    clause is the party) or after an ordinal (第三行 closing the clause).  A reduplicated
    classifier (处处, 行行) also takes it.

    Args:
        flat: the syllables of one Chinese run.
        i: index of the syllable to decide.
    Returns:
        The reading, e.g. ``"hang2"``, or ``None`` when the pattern does not apply.
    """
    ch = flat.char(i)
    reading = MEASURE_READINGS.get(ch)
    if reading is None:
        return None
    w, pos = flat.word(i), flat.pos(i)
    if w.text == ch * 2:
        return reading  # 处处, 行行: "every place, every trade"
    prev = flat.prev_char(i)
    if not prev or (prev not in NUMERALS and prev not in DEMONSTRATIVES):
        return None
    if pos == 0 and len(w.text) > 1:
        return None  # 一|处理, 这|重要, 两|行动: the character opens a word of its own
    if pos < len(w.text) - 1:
        nxt = w.text[pos + 1]  # glued on by jieba: 一行人 as one word
    else:
        nxt = flat.next_char(i)
    if not nxt and not _ordinal(flat, i) and not (ch == "场" and _counted_games(flat, i)):
        return None  # 代表团一行 closing the clause is the party; 第三行 is a line
    if ch == "行" and nxt in _PARTY_AFTER_XING:
        return None
    if ch == "重" and prev in DEMONSTRATIVES:
        return None  # 这重 is "this weight" or the start of 这重要
    return reading


#: Words before 个 that count with it like a numeral: 半 "half" (半个钟头) and 多 "several"
#: (多个城市), which the phrase tables read ge5 (large_pinyin and CC-CEDICT 半个, 多个).
_GE_COUNTERS = NUMERALS | frozenset("半多")


def counted_ge(flat: Flat, i: int) -> str | None:
    """ge4 for 个 counting a noun right after a numeral, 半 or 多 (半个钟头, 多个城市), where the
    phrase tables give the ge5 of unstressed 这个/那个; the numerals the tables do not list (两个,
    三个) already read ge4, so this makes every counted 个 alike.  Silent after demonstratives
    (这个, 哪个 keep ge5), where 个 closes its clause (来半个) and where it opens a word (个人)."""
    if flat.char(i) != "个" or flat.prev_char(i) not in _GE_COUNTERS:
        return None
    w, pos = flat.word(i), flat.pos(i)
    if pos == 0 and len(w.text) > 1:
        return None  # 一|个人, 多|个性: 个 opens a word of its own
    nxt = w.text[pos + 1] if pos < len(w.text) - 1 else flat.next_char(i)
    return "ge4" if nxt else None
