"""Tone sandhi: 一, 不 and third-tone (3-3) sandhi.

一 (base yi1), in this order:

* yi1 in numbers and counting: before another digit (一九九八), after a
  numeral unless 百/千 follows (十一, 二十一万, but 两千一百 yi4 bai3) or a
  digit and a measure word make it a new amount (三块五一斤 yi4 jin1), before
  点 + digit/钟 (一点五, 一点钟), after a decimal point (三点一, 2.1版), after
  第/初/周/星期/礼拜, before 月/号/年级,
  in dates (一月一日), ranges (一到十月), after letters (G1 -> G一次) and
  in arithmetic and scores (一加一, 三比一);
* yi1 at the end of a word of two or more characters (统一, 唯一, 之一) or of
  a clause;
* yi5 between two identical verbs (看一看);
* otherwise yi2 before a fourth (or neutral) tone and yi4 before tones 1-3.

不 (base bu4): bu5 between identical characters (是不是) and in the middle of a
three-character word (对不起, 差不多, 来不及) or before a verb complement 了
(受不了), except in classical verse and 文言 (``Flat.literary``), which have no neutral
tone; otherwise bu2 before a fourth tone, else bu4.

Third tone, applied after 一/不 and the neutral tone so it sees final tones:

1. inside each word, for every run of consecutive third tones: a run of two
   becomes 2 3; a run of three is split by the word's structure — when its
   last two characters are the more frequent word (小|老虎) it becomes 3 2 3,
   otherwise (展览|馆) 2 2 3; longer runs are cut into pairs from the left;
2. then across word boundaries, left to right, inside a prosodic phrase: a
   word-final third tone followed by a word-initial third tone becomes 2
   (我很好 -> wo2 hen2 hao3).  The rule never crosses a ``#2``/``#3`` break.
"""

from __future__ import annotations

from collections.abc import Callable

from tts.frontend.segmenter import dictionary_tag
from tts.frontend.syllables import tone_of, with_tone
from tts.frontend.words import Flat, Word

_DIGIT_CHARS = frozenset("零〇一二三四五六七八九幺两")
_NUMERAL_CHARS = _DIGIT_CHARS | frozenset("十百千万亿")
_ARITHMETIC = "加减乘比"
_AMOUNT_DIGITS = frozenset("二三四五六七八九两")
_MEASURE_WORDS = frozenset("斤个张块份杯碗瓶盒包本件位只条双把支箱袋套桶罐串束朵颗粒片")
_BU_MIDDLE_EXCEPTIONS = frozenset({"要不然", "不不不"})


def _tone_after(flat: Flat, i: int) -> int | None:
    if i + 1 < len(flat) and flat.same_clause(i, i + 1):
        return tone_of(flat.syllable(i + 1))
    return None


def apply_yi_bu(flat: Flat) -> None:
    """Apply the 一 and 不 rules (see the module docstring)."""
    for i, ch in enumerate(flat.text):
        if ch not in ("一", "不") or flat.frozen(i):
            continue
        if ch == "一":
            flat.set(i, _yi(flat, i))
        else:
            flat.set(i, _bu(flat, i))


def _yi(flat: Flat, i: int) -> str:
    prev, nxt = flat.prev_char(i), flat.next_char(i)
    nxt2 = flat.next_char(i, 2)
    word = flat.word(i)
    if nxt in _DIGIT_CHARS:
        return "yi1"
    # After a digit, 一 + measure word starts a new amount (三块五一斤, 五元一个): sandhi.
    new_amount = prev in _AMOUNT_DIGITS and nxt in _MEASURE_WORDS
    if prev in _NUMERAL_CHARS and nxt not in ("百", "千") and not new_amount:
        return "yi1"
    # A digit after a decimal point (三点一, 2.1版, 1.1倍) is read as a digit; 两点一刻 is a time.
    if prev == "点" and flat.prev_char(i, 2)[:1] in _NUMERAL_CHARS and nxt != "刻":
        return "yi1"
    if nxt == "点" and (nxt2[1:] in _DIGIT_CHARS or nxt2[1:] in ("钟", "整", "半", "十")) and nxt2[1:]:
        return "yi1"
    if prev in ("第", "初") or flat.prev_char(i, 2) in ("星期", "礼拜") or prev == "周":
        if nxt not in ("百", "千", "万", "亿"):
            return "yi1"
    if nxt in ("月", "号") or nxt2 == "年级" or (prev == "月" and nxt in ("日", "号")):
        return "yi1"
    # Arithmetic and scores: 一加一, 三比一, 一除以二, 等于一.
    prev2 = flat.prev_char(i, 2)
    nxt3 = flat.next_char(i, 2)[1:]
    if (prev2 in ("等于", "除以") and nxt not in ("百", "千", "万", "亿")) or nxt2 in ("等于", "除以"):
        return "yi1"
    # ... but 一 opening a bigger number after the operator is that number's 一 (八比一百零二 yi4).
    if prev and prev in _ARITHMETIC and prev2[:1] in _NUMERAL_CHARS and nxt not in ("百", "千", "万", "亿"):
        return "yi1"
    if nxt and nxt in _ARITHMETIC and nxt3 in _NUMERAL_CHARS:
        return "yi1"
    # Ranges (一到十月), a whole number before a fraction (一又二分之一) and codes after letters
    # (G1次 -> G一次).
    if nxt in ("到", "至", "又") and nxt3 in _NUMERAL_CHARS:
        return "yi1"
    if i > 0 and flat.same_clause(i, i - 1) and not flat.word(i - 1).han and nxt not in ("百", "千", "万", "亿"):
        return "yi1"  # ... but after a name in letters, 一百 is a number's (AQI 150: yi4 bai3)
    if prev and prev == nxt and len(word.syllables) <= 3:
        return "yi5"
    if not nxt:
        return "yi1"
    if len(word.syllables) >= 2 and flat.pos(i) == len(word.syllables) - 1:
        return "yi1"
    after = _tone_after(flat, i)
    if after is None:
        return "yi1"
    return "yi2" if after in (4, 5) else "yi4"


def _ends_longer_word(flat: Flat, j: int) -> bool:
    """Whether syllable ``j`` closes a word of two or more characters other than the word of the
    syllable after it: then the A of an "A不A" look-alike is the tail of that word (现在|不|在 "is
    not here now", 实在|不|在乎), and 不 negates the next verb rather than asking "A or not".  A word
    that is only an adverb glued to the verb (还要|不要, 也是|不是: jieba's dictionary tags the first
    character ``d``) still asks "A or not" ("do you still want it or not")."""
    w = flat.word(j)
    if len(w.text) < 2 or flat.pos(j) != len(w.text) - 1 or w is flat.word(j + 1):
        return False
    return not (len(w.text) == 2 and dictionary_tag(w.text[0]) == "d")


def _bu(flat: Flat, i: int) -> str:
    # Verse and 文言 have no neutral tone (classical.py): 食不饱, 才美不外见, 关不住 in a poem.
    if i not in flat.literary and _neutral_bu(flat, i):
        return "bu5"
    after = _tone_after(flat, i)
    if after == 4:
        return "bu2"
    return "bu4"


def _neutral_bu(flat: Flat, i: int) -> bool:
    """Whether 不 is neutral: in A不A, in the middle of a three-character word, in V不了."""
    prev, nxt = flat.prev_char(i), flat.next_char(i)
    word = flat.word(i)
    if prev and prev == nxt and not _ends_longer_word(flat, i - 1):
        return True
    if len(word.syllables) == 3 and flat.pos(i) == 1 and word.text not in _BU_MIDDLE_EXCEPTIONS:
        return True
    return word.text == "不了" and flat.pos(i) == 0 and bool(prev)


def _third_run_sandhi(word: Word, lo: int, hi: int, word_freq: Callable[[str], int]) -> None:
    """Sandhi for the third-tone run ``lo..hi`` (inclusive) inside ``word``."""
    length = hi - lo + 1
    syl = word.syllables
    if length == 2:
        syl[lo] = with_tone(syl[lo], 2)
    elif length == 3:
        chunk = word.text[lo:hi + 1] if word.han else ""
        if chunk and word_freq(chunk[1:]) > word_freq(chunk[:2]):
            syl[lo + 1] = with_tone(syl[lo + 1], 2)  # 1+2: 小|老虎
        else:
            syl[lo] = with_tone(syl[lo], 2)  # 2+1: 展览|馆
            syl[lo + 1] = with_tone(syl[lo + 1], 2)
    elif length > 3:
        k = lo
        while hi - k + 1 >= 2:
            if hi - k + 1 == 3:
                _third_run_sandhi(word, k, hi, word_freq)
                break
            syl[k] = with_tone(syl[k], 2)
            k += 2


def apply_third_tone(words: list[Word], phrase_starts: set[int], word_freq: Callable[[str], int]) -> None:
    """3-3 sandhi inside words, then across word boundaries (see the module docstring).

    ``phrase_starts`` holds the indices of words that begin a new prosodic
    phrase (``#2``/``#3`` before them); the cross-word rule stops there.
    ``word_freq`` gives a word's corpus frequency (0 for non-words); it decides
    the structure of three-syllable runs.
    """
    for w in words:
        if w.frozen:
            continue
        n = len(w.syllables)
        k = 0
        while k < n:
            if tone_of(w.syllables[k]) == 3:
                j = k
                while j + 1 < n and tone_of(w.syllables[j + 1]) == 3:
                    j += 1
                if j > k:
                    _third_run_sandhi(w, k, j, word_freq)
                k = j + 1
            else:
                k += 1
    for wi in range(len(words) - 1):
        left, right = words[wi], words[wi + 1]
        if wi + 1 in phrase_starts or left.frozen or not left.syllables or not right.syllables:
            continue
        if tone_of(left.syllables[-1]) == 3 and tone_of(right.syllables[0]) == 3:
            left.syllables[-1] = with_tone(left.syllables[-1], 2)
