"""Neutral tone (轻声) rules applied after the dictionary readings are known.

* sentence particles 吗 呢 吧 啊 呀 啦 嘛 哇 呗 哦 喽 嘞 are neutral, except the last
  character of a phrase-table content word read with a full tone (酒吧 ba1, 干吗 ma2) (but 啊 呀 哇 opening a
  clause are interjections, tone 1) and the suffix 们 is always neutral;
* reduplicated kinship terms (妈妈 爸爸 …) and reduplicated monosyllabic verbs
  (看看 想想 …) have a neutral second syllable, also when jieba's dictionary tags the verb
  ``v`` and the pair ``v`` or nothing (翻翻, 擦擦; not 滚滚 z, 整整 vn) and when jieba glued
  the object on (动动手, 看看书); reduplicated adjectives and
  adverbs (慢慢 常常 天天) keep their tone;
* words in :data:`NEUTRAL_WORDS`, a list of common words whose last syllable
  is neutral in standard speech but often missing from the dictionaries
  (衣服 漂亮 告诉 …), also inside a jieba word, at every two-character phrase of it, because
  jieba glues words on behind (商量一下);
* a word ending in 子 that no dictionary lists (so jieba built it) gets zi5;
* 过 after a monosyllabic verb in one word (看过, 去过) is the experiential
  particle guo5;
* a verb jieba tags ``vn`` said twice at its clause end is a tried verb (没人管管);
* 是 closing a word the tables read shi5 is the full copula before a predicate (真是间不容发);
* words whose neutral tone depends on their sense (东西, 地方, 大方, 兄弟, 大意 …)
  are decided by :mod:`tts.frontend.senses`.
"""

from __future__ import annotations

from tts.frontend import senses
from tts.frontend.g2p import phrase_origin
from tts.frontend.polyphones import VERB_READINGS
from tts.frontend.segmenter import dictionary_tag
from tts.frontend.syllables import tone_of, with_tone
from tts.frontend.words import Flat, Word

PARTICLES = frozenset("吗呢吧啊呀啦嘛哇呗哦喽嘞")

#: Particles that are interjections (tone 1) when they open a clause.
INTERJECTIONS = frozenset("啊呀哇")

KINSHIP = frozenset("妈爸哥姐弟妹爷奶姥姑叔舅婶伯婆公宝娃")

REDUPLICATED_VERBS = frozenset(
    "看想说试走听聊问等尝玩找摸逛歇动写读学练笑算查谢洗擦坐跑跳揉捏敲拍抱亲劝比挑量瞧"
)

#: Verbs that, followed by 过 in one jieba word, make 过 the experiential particle.
EXPERIENTIAL_VERBS = frozenset("看听吃喝去来见做用玩说学住试到读写买穿考问找坐唱画讲教碰遇干当")

#: Common words whose last syllable is neutral (written for this project from
#: standard Mandarin usage).
NEUTRAL_WORDS = frozenset(
    """
    衣服 漂亮 告诉 认识 关系 舒服 玻璃 风筝 别人 干净 商量 收拾 打扮 吩咐 知道 清楚 明白 喜欢
    时候 事情 朋友 客气 麻烦 先生 学生 月亮 眼睛 耳朵 聪明 热闹 葡萄 琵琶 枇杷 嘴巴 脑袋 姑娘
    棉花 晚上 豆腐 窗户 凉快 痛快 糊涂 结实 老实 厚道 利索 勤快 爽快 踏实 啰嗦 马虎 含糊 眉毛
    胳膊 指甲 头发 舌头 指头 枕头 跟头 苦头 甜头 屁股 消息 笑话 名字 规矩 道理 力气 脾气 福气
    运气 学问 本事 买卖 生意 亲戚 师傅 丈夫 媳妇 女婿 外甥 太阳 云彩 庄稼 黄瓜 芝麻 核桃 苍蝇
    狐狸 骆驼 喇叭 胡琴 钥匙 篱笆 扫帚 哆嗦 打听 琢磨 折腾 张罗 招呼 打量 拾掇 吆喝 应付 应酬
    合计 算计 抬举 答应 咳嗽 打算 耽误 凑合 溜达 嘀咕 嘟囔 晓得 懂得 觉得 记得 认得 值得 舍得
    意思
    """.split()
)


def _phrase_pairs(w: Word) -> list[int]:
    """Start positions of the two-character phrase-table pieces of ``w`` (商量一下 -> 商量 at 0,
    一下 at 2), found on the origins the dictionary stage recorded."""
    return [p for p in range(len(w.text) - 1)
            if w.origin[p] == w.origin[p + 1] == phrase_origin(w.text[p:p + 2])]


#: jieba's dictionary tag of a reduplication that is a verb tried out (翻翻 v) or ``None`` where
#: it lists none; every other tag makes it descriptive, adverbial or a noun (滚滚 z, 偷偷 d,
#: 整整 vn "whole", 泡泡 n).
_TRIED_TAGS = frozenset(("v", None))

#: Characters after a reduplication that make it adverbial (偷偷地, 轻轻的), not a verb + object.
_NOT_AN_OBJECT = frozenset("地的得然")


def tried_verb(pair: str, reading: str) -> bool:
    """Whether ``pair`` (AA) is a monosyllabic verb said twice, "do it a little" (翻翻, 擦擦), by
    jieba's dictionary tags: A is a verb (``v``) and AA, where the dictionary lists it, is not
    descriptive or adverbial (滚滚 z, 偷偷 d).  A polyphone counts only in its verb reading.

    Args:
        pair: two equal characters.
        reading: the reading of the first of them.
    Returns:
        True when the second syllable is the neutral tone of a tried verb.
    """
    ch = pair[0]
    if dictionary_tag(ch) != "v" or dictionary_tag(pair) not in _TRIED_TAGS:
        return False
    return ch not in VERB_READINGS or reading == VERB_READINGS[ch]


#: jieba's tags of a verb it files as a verbal noun (管 vn, 训 vn, 测 vn) and of such a verb doubled
#: (管管 vn, or not listed); 活活 "alive" is tagged vn too, which is why the clause must close.
_VERBAL_NOUN_TAGS = frozenset(("vn", None))


def _tried_verbal_nouns(flat: Flat) -> None:
    """Make neutral the second A of a verb jieba tags ``vn`` said twice as "do it a little"
    (没人管管, 你也该管管了, 测测吧): A is tagged ``vn``, AA ``vn`` or not listed, and AA closes
    its clause but for sentence particles and 了.  Checked on the characters, not the words,
    because jieba often cuts the pair apart (没人管|管).  The adverb 活活 (活活饿死) always has
    a verb after it, so the clause end keeps it silent, as it does 斗斗 or 训训 before an object."""
    for j in range(1, len(flat.text)):
        ch = flat.char(j)
        if ch != flat.char(j - 1) or not flat.same_clause(j - 1, j) or dictionary_tag(ch) != "vn":
            continue
        after = flat.next_char(j)
        if dictionary_tag(ch * 2) in _VERBAL_NOUN_TAGS and (not after or after in PARTICLES or after == "了"):
            w = flat.word(j)
            if w.han:
                _neutral(w, flat.pos(j))


#: jieba's dictionary tags of a content word (noun, verb, proper noun) or ``None`` where it lists
#: none; a word tagged an interjection or onomatopoeia (天呀 e, 哇哇 o) keeps the particle rule.
_CONTENT_TAGS = frozenset(("n", "nz", "v", "vn", None))


def _content_word(w: Word) -> bool:
    """Whether ``w`` is a whole phrase-table word whose last character, spelled like a particle,
    the table reads with a full tone and that is a content word, not an exclamation: 酒吧 ba1,
    网吧, 毛呢 ni2, 干吗 ma2, 哈喽 lou2 are no sentence particles."""
    n = len(w.text)
    if n < 2 or w.origin[-1:] != (phrase_origin(w.text),) or w.syllables[-1][-1:] == "5":
        return False
    return dictionary_tag(w.text) in _CONTENT_TAGS


#: Localizers after a place: a 吧 word before them names the place, a "bar" (股吧里, 贴吧内).
_LOCALIZERS = frozenset("里内")


def _bar_before_localizer(flat: Flat, w: Word, start: int) -> bool:
    """Whether ``w`` is 吧 closing a two-character word, or 吧 alone after a character jieba also
    left alone (股|吧), that a localizer follows in its clause: then it names a place, the noun 吧
    bā "bar" (股吧里有人说, 贴吧内) that the tables list only for some words (网吧, 酒吧); the
    particle closes a clause or stands before another word (走吧我们, 好吧我去).  The localizer must
    be a word of its own: 里面/里边 open a new clause as often (你去吧里面有人)."""
    end = start + len(w.syllables) - 1
    after = flat.next_word(end)
    if w.text[-1:] != "吧" or after is None or after.text not in _LOCALIZERS:
        return False
    if len(w.text) == 2:
        return True
    before = flat.prev_word(start)
    return len(w.text) == 1 and before is not None and before.han and len(before.text) == 1


def _copula_before_predicate(flat: Flat, w: Word, start: int) -> None:
    """Give 是 closing a word its full tone where a phrase table read it shi5 (真是, 那是, 那倒是)
    and a predicate follows in the clause (真是间不容发, 那是当然): the copula of "really is";
    only the exclamation closing its clause (真是的！, 那是！) keeps the neutral tone."""
    n = len(w.text)
    if n < 2 or w.text[-1] != "是" or w.syllables[-1] != "shi5" or w.frozen:
        return
    after = flat.next_char(start + n - 1)
    if after and after not in PARTICLES and after != "的":
        w.syllables[-1] = "shi4"


def _neutral(word: Word, pos: int) -> None:
    if not word.frozen:
        word.syllables[pos] = with_tone(word.syllables[pos], 5)


def apply(flat: Flat) -> None:
    """Apply the neutral tone rules to every non-frozen Chinese word."""
    start = 0
    for w in flat.words:
        n = len(w.syllables)
        if w.han and not w.frozen:
            _apply_word(flat, w, start)
        start += n
    _tried_verbal_nouns(flat)
    senses.apply(flat)


def _apply_word(flat: Flat, w: Word, start: int) -> None:
    text = w.text
    n = len(text)
    for p, ch in enumerate(text) if "们" in text or text[-1] in PARTICLES else ():
        if ch == "们":
            _neutral(w, p)
        elif ch in PARTICLES and p == n - 1:
            if n == 1 and not flat.prev_char(start):
                # A lone particle opening a clause is an interjection (啊，…): a1, ya1, wa1.
                if ch in INTERJECTIONS and not w.frozen:
                    w.syllables[p] = with_tone(w.syllables[p], 1)
            elif _bar_before_localizer(flat, w, start):
                if not w.frozen:
                    w.syllables[p] = "ba1"
            elif not _content_word(w):
                _neutral(w, p)
    if n == 2 and text[0] == text[1]:
        # a polyphonic verb only when read as the verb: 处处 chu4 chu4 "everywhere" keeps its tone
        if (text[0] in KINSHIP or text[0] in REDUPLICATED_VERBS or w.syllables[0] == VERB_READINGS.get(text[0])
                or tried_verb(text[:2], w.syllables[0])):
            _neutral(w, 1)
    elif n == 3 and text[0] == text[1] and text[2] not in _NOT_AN_OBJECT and (
            text[0] in REDUPLICATED_VERBS or tried_verb(text[:2], w.syllables[0])):
        _neutral(w, 1)  # 动动手, 看看书: jieba glued the object to the tried verb
    elif n == 3 and text[1] == text[2] and text[1] in KINSHIP and text[0] in "小老大二三":
        _neutral(w, 2)  # 小妹妹, 老爷爷
    if text in NEUTRAL_WORDS or text[-2:] in NEUTRAL_WORDS or text[-3:] in NEUTRAL_WORDS:
        _neutral(w, n - 1)  # also when jieba glued a word on (很漂亮)
    for p in _phrase_pairs(w) if len(w.origin) == n else ():
        pair = text[p:p + 2]
        if pair in NEUTRAL_WORDS:
            _neutral(w, p + 1)  # 商量一下: a neutral word inside the jieba word
    if n == 2 and text[1] in "过" and text[0] in EXPERIENTIAL_VERBS:
        _neutral(w, 1)  # 看过, 去过: the experiential particle
    _copula_before_predicate(flat, w, start)
    if n >= 2 and text.endswith("子") and not w.sure[n - 1] and tone_of(w.syllables[n - 1]) != 5:
        _neutral(w, n - 1)
