"""Polyphones whose sense the prose of finance, sports, weather, recipes and tech shows by pattern.

Each pattern reads a character by the construction it stands in, not by a word entry, and
overrides the phrase tables where they hold the other sense (pypinyin reads 调升 diao4 "promote
to a post" and 长达 zhang3; in a sentence both are the amount's "adjust up" and "as long as"):

* 长 "long" (chang2) before 达 + the extent (续航长达三十小时), and after a verb that changes a
  length (变长, 拉长, 加长): not 长 "grow" (zhang3), which takes a result (长大, 长高);
* 调 "adjust" (tiao2) opening 调升/调降/调高/调低/调涨/调减/调增 — the direction of an amount,
  not 调 "transfer" (diao4), which the tables give some of them; 调升为局长 (a post) stays;
* 炸 "deep-fry" (zha2) before the result of frying (炸好, 炸至金黄, 炸酥) or after a frying
  manner (复炸, 干炸, 清炸), outside dictionary words; 炸 "explode" (zha4) elsewhere;
* 子 standing alone as a word before another word is the prefix "sub-, child" zi3 (两个|子|进程):
  jieba cuts 个|子 out of 子任务-type words the dictionary lacks, and the lone 子 would take the
  suffix's neutral tone;
* 长 "long" also opening or before a span of time or distance (长时间, 长距离; the tables read
  the word 长时间 zhang3);
* 得 "gain" (de2) before a numeral and a unit of score (独得十五分, 砍得三十分);
* 撒 "sprinkle" (sa3) standing alone before an amount (撒一把葱花, 撒少许盐);
* 和 "mix, knead" (huo2) standing alone before the result 成/匀 (和成面团, 和匀);
* 没 "submerge" (mo4) in 没过 after a liquid (清水没过排骨, 汤汁没过食材), and 没过 "did not
  (pass)" (mei2) before a time or amount (没过多久, 水没过多久就开了), which the tables read mo4;
* 当 opening a word of a period (当年, 当日, 当月, 当期, 当季) is dang4 "that same" where the period
  is the one an amount is booked into or a date falls in: after a verb of entering it (计入, 并入,
  纳入当年), after the formal 于/至 (于当日公告, 至当年年底), before 度 (当年度) or before the period's
  end (当年年底); the tables read 当年 and 当日 dang1 "back then", which stays elsewhere (他当年,
  想当年, 回到当年, 当年的他);
* 差 closing a two-character dictionary word is cha1 "difference" (温差, 时差, 逆差), where the
  tables read cha4; adverbs before it (相差, 较差) keep cha4.

:func:`apply` runs after the other patterns of :mod:`tts.frontend.polyphones` and
before the per-character context rules, so ``--explain`` names each pattern.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from tts.frontend.measure_words import NUMERALS
from tts.frontend.segmenter import dictionary_tag
from tts.frontend.words import Flat

Trace = Callable[..., None]

#: After these 长 is the adjective: a verb that changes a length (变长, 拉长, 放长, 加长, 延长, 伸长).
_LENGTHENING = frozenset("变拉放加延伸")
#: After 长 these make it the verb "grow" (长大, 长高, 长胖, 长出, 长成, 长满).
_GROWTH_RESULTS = frozenset("大高胖出成满得")
#: Spans of time or distance that 长 "long" qualifies (长时间, 长距离, 长周期): never objects of
#: 长 "grow".
_SPANS = frozenset(("时间", "时期", "时段", "距离", "周期", "期", "途", "跑"))
#: The direction of an amount after 调: 调升, 调降, 调高, 调低, 调涨, 调减, 调增.
_AMOUNT_DIRECTIONS = frozenset("升降高低涨减增")
#: After 调升/调降 these name a post (调升为副局长, 调升任处长): the transfer diao4.
_POST_AFTER = frozenset("为任至到")
#: Characters that open a value after 调到/调至 (a numeral, a sign, 百分之, 最 + an extreme):
#: 调到二十六度, 调至零下十八度, 调到最大 "set to" tiao2.
_VALUE_OPENERS = NUMERALS | frozenset("负最")
#: A unit of a building or an organization after that numeral makes it a place one is moved to
#: (调至三楼办公, 调到二连): the transfer diao4.
_PLACE_UNITS = frozenset("楼层班组队连营团科处室部线局所院校站")
#: The result of frying after 炸 (炸好, 炸熟, 炸透, 炸至金黄, 炸酥, 炸脆, 炸黄, 炸香, 炸制).
_FRYING_RESULTS = frozenset("好熟透至酥脆黄香制")
#: A manner of frying before 炸 (复炸, 干炸, 清炸, 软炸, 酥炸, 煎炸).
_FRYING_MANNERS = frozenset("复干清软酥煎")
#: Liquids that 没过 "submerge" something (清水没过, 高汤没过, 酱汁没过).
_LIQUIDS = frozenset("水汤油汁酒浆奶")
#: After 没过 these make it "did not (pass)": a time or an amount (没过多久, 没过几天, 没过一会儿).
_NOT_SUBMERGED = frozenset("多久几一年")


def _is_phrase(text: str) -> bool:
    from tts.frontend.dictionary import phrase_dictionary

    return text in phrase_dictionary()


def _alone_or_opening(flat: Flat, i: int, pair: str) -> bool:
    """Syllable ``i`` stands alone, or opens the word ``pair`` (two characters) or a word no
    phrase table lists: the pattern may then read it, while a dictionary word that only starts
    with the same characters (长达到 as 成长|达到) keeps its own reading."""
    w, pos = flat.word(i), flat.pos(i)
    if len(w.text) == 1:
        return True
    return pos == 0 and (w.text == pair or not _is_phrase(w.text))


def _excels_at(flat: Flat, i: int) -> bool:
    """长 closes the word 见长 "to excel", which follows the field it names: 以 + the field earlier
    in the clause (以五言诗见长, 以研究见长, CC-CEDICT's own example) or 于 + the field after it
    (见长于山水画); issue 24, round 6.  Without them 见长 is jiànzhǎng "grows visibly" (个子见长)."""
    w, pos = flat.word(i), flat.pos(i)
    if w.text != "见长" or pos != 1:
        return False
    if flat.next_char(i) == "于":
        return True
    j = i - 2
    while j >= 0 and flat.same_clause(j, i) and flat.char(j):
        if flat.char(j) == "以" and len(flat.word(j).text) == 1:
            return True  # 以 as a word of its own (not 可以, 所以, 以后)
        j -= 1
    return False


def chang_of_extent(flat: Flat, i: int) -> str | None:
    """长 before 达 + an extent (长达三十小时), opening a word of a span of time or distance
    (长时间, 长距离), after a verb that changes a length (变长了), or closing 见长 "to excel"
    (:func:`_excels_at`): chang2."""
    nxt, prev = flat.next_char(i), flat.prev_char(i)
    if _excels_at(flat, i):
        return "chang2"
    if nxt == "达" and _alone_or_opening(flat, i, "长达"):
        return "chang2"
    w, pos = flat.word(i), flat.pos(i)
    rest = w.text[pos + 1:] if pos < len(w.text) - 1 else ""
    if pos == 0 and rest in _SPANS:
        return "chang2"  # the tables read the word 长时间 zhang3
    following = flat.next_word(i)
    if len(w.text) == 1 and following is not None and following.text in _SPANS:
        return "chang2"
    w = flat.word(i)
    if (prev in _LENGTHENING and nxt not in _GROWTH_RESULTS
            and (len(w.text) == 1 or not _is_phrase(w.text))):
        return "chang2"  # a word of its own, or glued by jieba into a word no table lists (变长)
    return None


def tiao_of_direction(flat: Flat, i: int) -> str | None:
    """调 opening 调升/调降/调高/调低 … is tiao2, unless a post follows (调升为局长); so is 调到/调至
    before a value (调到二十六度, 调至百分之五十, 调到最大), unless the numeral names a floor or a
    unit one is moved to (调至三楼办公)."""
    nxt = flat.next_char(i, 2)
    if nxt[:1] and nxt[:1] in "到至" and _alone_or_opening(flat, i, "调" + nxt[:1]):
        return _set_to_value(flat.next_char(i, 10)[1:])
    if nxt[:1] == "回" and _undoes_setting(flat, i):
        return "tiao2"
    if nxt[:1] not in _AMOUNT_DIRECTIONS or not _alone_or_opening(flat, i, "调" + nxt[:1]):
        return None
    if flat.pos(i) == 0 and len(flat.word(i).text) > 2:
        return None  # 调高价格-type words of three characters or more are left to their entry
    if nxt[1:] in _POST_AFTER:
        return None
    return "tiao2"


def _undoes_setting(flat: Flat, i: int) -> bool:
    """调回 after a 调 that set an amount earlier in the sentence (调到50%，再调回来) turns it back:
    the same tiao2, not the diao4 of moving a person or a post back (调回总部)."""
    return any(flat.char(j) == "调" and tiao_of_direction(flat, j) == "tiao2" for j in range(i))


def _set_to_value(rest: str) -> str | None:
    """tiao2 when ``rest`` (the clause after 调到/调至) opens with a value, None when it does not
    or when its numeral is followed by a place unit."""
    if not rest or rest[0] not in _VALUE_OPENERS:
        return None
    if rest[0] == "最":
        return "tiao2"
    for ch in rest:
        if ch in _PLACE_UNITS:
            return None
        if ch not in _VALUE_OPENERS:
            break
    return "tiao2"


def zha_of_frying(flat: Flat, i: int) -> str | None:
    """炸 outside dictionary words, before a result of frying or after a manner of it: zha2."""
    w = flat.word(i)
    if len(w.text) > 1 and _is_phrase(w.text):
        return None
    if flat.next_char(i) in _FRYING_RESULTS or flat.prev_char(i) in _FRYING_MANNERS:
        return "zha2"
    return None


def zi_prefix(flat: Flat, i: int) -> str | None:
    """子 standing alone as a word before another word in its clause: the prefix zi3 (子|任务)."""
    if len(flat.word(i).text) != 1 or flat.next_word(i) is None or not flat.next_char(i):
        return None
    return "zi3"


def mo_of_submerging(flat: Flat, i: int) -> str | None:
    """没 of 没过: before a time or an amount "did not pass" mei2 (没过多久, 没过几天: the tables
    read the word 没过 mo4 wherever jieba cuts it); right after a liquid "submerge" mo4 (清水没过
    排骨); else left to the tables."""
    if flat.next_char(i) != "过":
        return None
    after = flat.next_char(i, 2)[1:]
    if after in _NOT_SUBMERGED:
        return "mei2"
    if flat.prev_char(i) in _LIQUIDS and after:
        return "mo4"  # 水没过 closing the clause is as likely "the water did not pass"
    return None


#: Before 差 closing a word these make it "poor, short of" cha4 (相差, 较差, 不差, 还差), not a
#: difference: adverbs of degree, comparison and negation, and 变 (变差 "get worse").
_NOT_A_DIFFERENCE = frozenset("很太更最真挺好多较特非够越相不没还也都就变奇有谁")

#: Before 差 these make it an errand or job chai1 (肥差, 美差, 苦差), not a difference.
_KINDS_OF_ERRAND = frozenset("肥美苦")


def cha_of_difference(flat: Flat, i: int) -> str | None:
    """差 closing a two-character dictionary word is cha1 "difference" (温差, 时差, 价差, 落差,
    逆差, 利差), where the phrase tables read cha4: a noun before 差 names what differs.  The
    errand chai1 (出差, 邮差, 肥差) and the adverbs of :data:`_NOT_A_DIFFERENCE` are left alone.

    A two-character word no phrase table lists counts too when jieba's dictionary tags it a noun
    (息差, 基差, 轧差, 残差 of finance and statistics): the noun is the difference, while the
    adjective 差 "poor" makes jieba's verbs and predicates (稍差, 愈差, 搞差 are tagged v)."""
    w, pos = flat.word(i), flat.pos(i)
    if len(w.text) != 2 or pos != 1 or w.syllables[1] != "cha4":
        return None
    if not _is_phrase(w.text) and dictionary_tag(w.text) != "n":
        return None
    if w.text[0] in _NOT_A_DIFFERENCE:
        return None
    if w.text[0] in _KINDS_OF_ERRAND:
        return "chai1"  # 肥差 "a cushy job", which a table reads cha4
    return "cha1"


#: Second characters of a word 当X naming a period that 当 makes "that same" (dang4).
_PERIODS = frozenset("年日月期季周天晚")
#: Verbs ending in 入 that enter a place or a past rather than an account (进入当年, 深入).
_NOT_BOOKING = frozenset(("进入", "深入", "陷入", "步入", "融入", "投入", "插入"))


def dang_of_the_same_period(flat: Flat, i: int) -> str | None:
    """当 opening 当年/当日/当月/当期 … (optionally + 度) is dang4 "that same period" after a verb
    that books something into it (计入, 并入, 纳入, 列入), after a standalone 于 or 至, before 度,
    or before the period's end (当年年底, 当月月末); None elsewhere, so 他当年, 想当年 keep dang1."""
    w, pos = flat.word(i), flat.pos(i)
    if pos != 0 or len(w.text) < 2 or w.text[1] not in _PERIODS:
        return None
    after = flat.next_char(i + 1, 2)
    if w.text[2:] == "度" or (len(w.text) == 2 and after[:1] == "度"):
        return "dang4"
    if len(w.text) != 2:
        return None
    if after[:1] == w.text[1] and after[1:2] in ("底", "末") and after[:1] in ("年", "月"):
        return "dang4"  # 当年年底, 当月月末: the same period's end
    prev = flat.prev_word(i)
    if prev is None or not flat.same_clause(i, i - 1):
        return None
    if prev.text in ("于", "至"):
        return "dang4"
    if len(prev.text) == 2 and prev.text.endswith("入") and prev.text not in _NOT_BOOKING:
        return "dang4"
    return None


#: What a score or vote is counted in after 得 + a numeral (得十五分, 得三票, 得两枚金牌).
_SCORE_UNITS = frozenset("分票球枚金银铜")


def de_of_a_score(flat: Flat, i: int) -> str | None:
    """得 standing alone or closing a two-character word before a numeral and a unit of score is
    de2 "gain" (独得十五分, 砍得三十分, 中得一百分 as jieba glues it), not the obligation dei3 or
    the complement's de5; 得十五分钟 (a duration) is left alone.  A longer word closed by 得 counts
    too when no phrase table lists it: jieba glues the clause's words to it (落后时|连得 as 时连得
    before 五分), while a listed word keeps its own reading."""
    w = flat.word(i)
    if flat.pos(i) != len(w.text) - 1 or (len(w.text) > 2 and _is_phrase(w.text)):
        return None
    after = flat.next_char(i, 12)
    if _SCORE_IS.match(after):
        return "de2"  # the noun 得分 before its value: 自由滑得分为一百四十八点五分
    n = 0
    while n < len(after) and after[n] in NUMERALS:
        n += 1
    if n == 0 or after[n:n + 1] not in _SCORE_UNITS or after[n:n + 2] == "分钟":
        return None
    return "de2"


#: 分, a copula and a number closing the clause or followed by 分 after 得: the score's value
#: (得分为九十, 得分是一百点五分, 得分达八十分); 分外, 分明, 分为三个阶段 (a count of things) are not.
_SCORE_IS = re.compile("分(?:为|是|达到|达|仅为|高达)[" + "".join(sorted(NUMERALS)) + "点]+(?:分|$)")


#: After 撒 these make it "sprinkle" sǎ: an amount (撒一把, 撒少许, 撒适量, 撒些).
_SPRINKLED_AMOUNTS = NUMERALS | frozenset("少适些点")


def sa_of_sprinkling(flat: Flat, i: int) -> str | None:
    """撒 standing alone before an amount is sa3 "sprinkle" (撒一把葱花, 撒少许盐); 撒 "let go"
    (sa1) lives in words (撒手, 撒谎, 撒娇)."""
    if len(flat.word(i).text) != 1 or flat.next_char(i) not in _SPRINKLED_AMOUNTS:
        return None
    return "sa3"


#: The results of kneading or mixing after 和 huo2 (和成面团, 和匀).
_MIXED_RESULTS = frozenset(("成", "匀"))


def huo_of_mixing(flat: Flat, i: int) -> str | None:
    """和 standing alone before the one-character word 成 or 匀 is huo2 "mix, knead" (和成光滑的
    面团, 加水和匀); before a word that only starts so (和|成龙, 和|成员) it is the conjunction."""
    following = flat.next_word(i)
    if len(flat.word(i).text) != 1 or following is None or following.text not in _MIXED_RESULTS:
        return None
    return "huo2"


#: The patterns in the order they run: character, rule, the name ``--explain`` prints.
PATTERNS: tuple[tuple[str, Callable[[Flat, int], str | None], str], ...] = (
    ("长", chang_of_extent, "长 of an extent (prose_senses.chang_of_extent)"),
    ("调", tiao_of_direction, "调 of an amount's direction (prose_senses.tiao_of_direction)"),
    ("炸", zha_of_frying, "炸 of frying (prose_senses.zha_of_frying)"),
    ("子", zi_prefix, "子 as a prefix (prose_senses.zi_prefix)"),
    ("没", mo_of_submerging, "没过 of a liquid or a time (prose_senses.mo_of_submerging)"),
    ("当", dang_of_the_same_period, "当 of the same period (prose_senses.dang_of_the_same_period)"),
    ("差", cha_of_difference, "差 of a difference (prose_senses.cha_of_difference)"),
    ("得", de_of_a_score, "得 before a score (prose_senses.de_of_a_score)"),
    ("撒", sa_of_sprinkling, "撒 before an amount (prose_senses.sa_of_sprinkling)"),
    ("和", huo_of_mixing, "和 of mixing (prose_senses.huo_of_mixing)"),
)


def apply(flat: Flat, stage: Callable[[Flat, str, Callable[[Flat, int], str | None], Trace | None, str], None],
          trace: Trace | None) -> None:
    """Run every pattern through ``stage`` (``polyphones._stage``: skips user-fixed words, marks
    the syllables it decides as sure and tells ``trace`` the pattern's name)."""
    for char, decide, name in PATTERNS:
        if char in flat.text:  # most text has none of the nine characters: skip the walk
            stage(flat, char, decide, trace, name)

