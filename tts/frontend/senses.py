"""Words whose neutral tone depends on their sense (东西 "thing" vs "east-west").

Each word here has a full reading and a neutral one (现代汉语词典 lists both, as
two senses); a decider picks one from the neighbouring characters.  Words are
found on the characters of a clause, not on jieba's words, because jieba often
glues them to a neighbour (横贯东西, 很大|方, 太大意); a match inside a longer
dictionary word (大方向, 精神病, 兄弟姐妹) is left to that word.

* 东西 dōngxi "thing" / dōngxī "east and west" (东西方, 东西两侧, 横贯东西);
* 地方 dìfang "place" / dìfāng "local" (地方政府, 中央和地方);
* 大方 dàfang "generous" / dàfāng "experts, broad" (贻笑大方, 大方向);
* 兄弟 xiōngdi "younger brother, buddy" (兄弟，帮个忙, 我兄弟, 兄弟们) / xiōngdì
  "brothers" (兄弟俩, 三兄弟);
* 大意 dàyi "careless" (太大意了, 一时大意) / dàyì "gist" (文章的大意);
* 地道 dìdao "authentic" / dìdào "tunnel" (挖地道, 地道战);
* 人家 rénjia "others, he, I" / rénjiā "household" (一户人家, 好人家);
* 精神 jīngshen "lively" (真精神) / jīngshén "spirit";
* 大爷 dàye "uncle" / dàyé "idle master" (大爷作风, 当大爷);
* 买卖 mǎimai "business" (做买卖, 这笔买卖) / mǎimài "buying and selling".

多少 (duōshao "how many" / duōshǎo "more or less") is not here: speakers and the
polyphone sets differ on "how many", so the phrase tables' shǎo stays.
"""

from __future__ import annotations

from collections.abc import Callable

from tts.frontend.syllables import with_tone
from tts.frontend.words import Flat

_DEGREE = ("很", "真", "挺", "太", "好", "特别", "非常", "蛮", "怪", "多么", "十分", "有点", "有些", "不")

#: 东西 means "east and west" before these.
_DIRECTION_AFTER = tuple("方南北向两部走长宽之文半交街")
#: 地方 means "local" before these.
_LOCAL_AFTER = frozenset("政官财性法特经保戏病志税债军党企当各银标选干领部粮")

Decider = Callable[[str, str], bool]
"""(text before, text after) within the clause -> True for the neutral reading."""


#: Words that start with a direction character but do not make 东西 directions (东西|方便).
_NOT_DIRECTION = ("方便", "方面", "方法", "方式", "方案", "方针", "长大", "长得", "走了", "走丢", "部分")


def _dongxi(before: str, after: str) -> bool:
    if after.startswith(_NOT_DIRECTION):
        return True
    return not (after.startswith(_DIRECTION_AFTER) or before.endswith(("从", "由", "贯", "横跨")))


def _difang(before: str, after: str) -> bool:
    return not ((after[:1] and after[0] in _LOCAL_AFTER) or "中央" in before)


def _dafang(before: str, after: str) -> bool:
    return not (after.startswith(("向", "之家")) or before.endswith(("贻笑", "见笑", "笑于", "方家")))


def _xiongdi(before: str, after: str) -> bool:
    if after.startswith("们") or (not before and not after):
        return True
    return before.endswith(tuple("小老好我你他她位")) and not after.startswith(
        tuple("俩姐二两三间之情般单城院国省民党部公")
    )


def _dayi(before: str, after: str) -> bool:
    if before.endswith("粗心"):
        return False
    return after.startswith("了") or before.endswith(
        _DEGREE + ("过于", "别", "不能", "不可", "不要", "千万", "一时", "稍", "疏忽")
    )


def _didao(before: str, after: str) -> bool:
    return not (after.startswith(tuple("战口里内中")) or before.endswith(("挖", "条", "修", "秘密", "地下", "挖掘")))


def _renjia(before: str, after: str) -> bool:
    return not (before.endswith(("户", "好", "穷", "富", "有钱", "书香", "普通", "庄户")) or after.startswith("户"))


def _jingshen(before: str, after: str) -> bool:
    return before.endswith(_DEGREE) and (not after or after[0] in "了的啊呢吧极得")


def _daye(before: str, after: str) -> bool:
    return not (after.startswith(("作风", "脾气")) or before.endswith(("当", "像个", "摆")))


def _maimai(before: str, after: str) -> bool:
    return before.endswith(tuple("做个小桩笔门这那的好大"))


#: Word -> (position of the syllable that alternates, decider).
SENSE_WORDS: dict[str, tuple[int, Decider]] = {
    "东西": (1, _dongxi),
    "地方": (1, _difang),
    "大方": (1, _dafang),
    "兄弟": (1, _xiongdi),
    "大意": (1, _dayi),
    "地道": (1, _didao),
    "人家": (1, _renjia),
    "精神": (1, _jingshen),
    "大爷": (1, _daye),
    "买卖": (1, _maimai),
}

_FIRSTS = frozenset(w[0] for w in SENSE_WORDS)

#: The full (non-neutral) reading of each alternating syllable.
_FULL = {"东西": "xi1", "地方": "fang1", "大方": "fang1", "兄弟": "di4", "大意": "yi4", "地道": "dao4",
         "人家": "jia1", "精神": "shen2", "大爷": "ye2", "买卖": "mai4"}


def apply(flat: Flat, is_phrase: Callable[[str], bool] | None = None) -> None:
    """Choose the neutral or the full reading of every sense word (see the module docstring)."""
    if is_phrase is None:
        from tts.frontend.dictionary import phrase_dictionary

        table = phrase_dictionary()
        is_phrase = table.__contains__
    chars = flat.text
    if _FIRSTS.isdisjoint(chars):
        return
    for word, (pos, decide) in SENSE_WORDS.items():
        start = chars.find(word)
        while start != -1:
            k = start + pos
            start = chars.find(word, start + 1)
            first = k - pos
            last = first + len(word) - 1
            if not flat.same_clause(first, last) or flat.frozen(k):
                continue
            w = flat.word(k)
            if len(w.text) > len(word) and word in w.text and is_phrase(w.text):
                continue  # a longer dictionary word (大方向, 精神病) decides
            tail = flat.word(last)
            if flat.pos(last) < len(tail.syllables) - 1 and len(tail.text) > 1 and is_phrase(tail.text):
                if word not in tail.text:
                    continue  # the last character starts another word: 很大|方便
            before = flat.prev_char(first, 4)
            after = flat.next_char(last, 4)
            full = _FULL[word]
            flat.set(k, with_tone(full, 5) if decide(before, after) else full)
