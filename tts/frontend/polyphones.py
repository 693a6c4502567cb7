"""Choosing the reading of polyphonic characters that no word entry decided.

A character inside a dictionary word already has its reading (行长 hang2
zhang3).  What is left are polyphones standing alone as jieba words (他很*行*,
跑*得*快) or inside words the dictionaries do not list.  Two tools handle them:

* :func:`apply_context_rules`: hand-written rules looking at the neighbouring
  characters (得 before a verb after a pronoun is dei3, 了 is le5, ...);
* :class:`G2pMPredictor`: the g2pM BiLSTM polyphone classifier (numpy only),
  used for whatever the rules leave open when enabled.

Which combination the frontend uses was decided by measuring on
``tests/data/frontend_polyphones.tsv`` and ``frontend_polyphones_holdout.tsv``
(see README.md): the rules, without g2pM.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Container

from tts.frontend import proper_names, prose_senses, surnames
from tts.frontend.dictionary import char_readings, is_polyphone, phrase_dictionary
from tts.frontend.g2p import cross_word_phrases
from tts.frontend.measure_words import DEMONSTRATIVES, MEASURE_READINGS, NUMERALS, counted_ge, measure_reading
from tts.frontend.segmenter import context_tags, dictionary_tag, leading_word
from tts.frontend.syllables import tone_of, with_tone
from tts.frontend.words import Flat

PRONOUNS = frozenset({"我", "你", "他", "她", "它", "您", "咱", "我们", "你们", "他们", "她们", "它们", "咱们",
                      "大家", "谁", "自己", "人家"})
_DEGREE = frozenset("很太更最真挺好多较特非那这够")
# Monosyllabic verbs after which 过 is the experiential particle guo5.
_VERBS_BEFORE_GUO = frozenset("看听吃喝去来见做用玩说想学住试到读写买卖穿带历考问找洗开坐跑唱画讲教爱恨碰遇待呆干当")
# Characters after which 得 expresses obligation (dei3): subjects and adverbs.  这/那 standing as
# the subject (这得多少钱, 那得等到明天) are subjects too; 这个/那种 end in a classifier, not 这.
_BEFORE_DEI = frozenset("我你他她它您们家谁就还也都总可又必这那")
#: 得 followed by an amount of time or money that closes its clause is děi "it takes" (走着去得半个
#: 钟头呢, 修好得两天, 这件得三百块吧); an amount with more after it is the extent of a result (忙得
#: 两天没合眼, de5).  Numerals, an optional 个/多, a unit of time or money, then only particles.
_DEI_AMOUNT = re.compile(
    r"[一二两三四五六七八九十百千万几半]+个?多?"
    r"(?:小时|钟头|分钟|秒钟?|天|年|月|周|星期|礼拜|块钱?|元钱?|毛钱?)多?[呢吧啊呀吗了的]*"
)


def _set(flat: Flat, i: int, syllable: str) -> None:
    flat.set(i, syllable)
    w = flat.word(i)
    w.sure[flat.pos(i)] = True


def apply_context_rules(flat: Flat, trace: Callable[..., None] | None = None) -> None:
    """Decide common polyphones from their neighbours (only syllables not yet ``sure``).

    Surnames in a name context are decided first (:mod:`tts.frontend.surnames`), then place and
    person names of the name table (:mod:`tts.frontend.proper_names`).  ``trace``,
    when given, is called with a stage's name after each stage that may have changed a
    reading (``Frontend.explain``), and with the word and position a named rule decided (which
    may have kept the reading it had).
    """
    surnames.apply(flat)
    if trace is not None:
        trace("surname in a name context (surnames.py)")
    proper_names.apply(flat, surnames.is_phrase, trace)
    for i in cross_word_phrases(flat, phrase_dictionary()):
        if trace is not None:
            trace("phrase read across jieba's words (g2p.cross_word_phrases)", flat.word(i), flat.pos(i))
    _reduplication(flat)
    if trace is not None:
        trace("reduplicated verb (polyphones._reduplication)")
    _glued_wei(flat)
    if trace is not None:
        trace("rule 为 glued to a word (polyphones._glued_wei)")
    _dimension_before_quantity(flat)
    if trace is not None:
        trace("dimension before a quantity (polyphones._dimension_before_quantity)")
    _stage(flat, MEASURE_READINGS, measure_reading, trace, "measure word (measure_words.py)")
    _stage(flat, "个", counted_ge, trace, "个 counting after a numeral (measure_words.counted_ge)")
    _stage(flat, _COMPLEMENT_VERBS, _verb_before_complement, trace,
           "verb before a complement (polyphones._verb_before_complement)")
    _stage(flat, _VERBS_AFTER_SUO, _verb_after_suo, trace, "verb after the particle 所 (polyphones._verb_after_suo)")
    _split_verb_object(flat, trace)
    _stage(flat, "得", _de_of_getting, trace, "得 of a verb of getting (polyphones._de_of_getting)")
    _stage(flat, "调", _tiao_of_amount, trace, "上调/下调 of an amount (polyphones._tiao_of_amount)")
    _stage(flat, "还", _huan_of_debt, trace, "还 of money owed (polyphones._huan_of_debt)")
    _stage(flat, "率", _shuai_leading, trace, "率 leading troops (polyphones._shuai_leading)")
    _stage(flat, "都", _dou_of_mostly, trace, "大都 \"mostly\" before a predicate (polyphones._dou_of_mostly)")
    prose_senses.apply(flat, _stage, trace)
    _stage(flat, "着", _zhao_of_attaining, trace, "着 of attaining (polyphones._zhao_of_attaining)")
    _stage(flat, "只", _zhi_counted_in_word, trace, "只 counted after a numeral (polyphones._zhi_counted_in_word)")
    for i, ch in enumerate(flat.text):
        rule = _RULES.get(ch)
        if rule is None:
            continue
        w = flat.word(i)
        if not w.han or w.frozen or w.sure[flat.pos(i)]:
            continue
        found = rule(flat, i)
        if found:
            _set(flat, i, found)
            if trace is not None:
                trace(f"context rule {ch} (polyphones.{rule.__name__})", w, flat.pos(i))


def _stage(flat: Flat, chars: Container[str], decide: Callable[[Flat, int], str | None],
           trace: Callable[..., None] | None, name: str) -> None:
    """Apply a pattern that overrides phrase readings too (the tables miss these senses) to the
    syllables spelled with one of ``chars`` that a user did not fix; ``trace`` hears the stage's
    name for each syllable it decided."""
    for i, ch in enumerate(flat.text):
        if ch not in chars:
            continue
        w = flat.word(i)
        if not w.han or w.frozen:
            continue
        found = decide(flat, i)
        if found:
            _set(flat, i, found)
            if trace is not None:
                trace(name, w, flat.pos(i))


def _single(flat: Flat, i: int) -> bool:
    return len(flat.word(i).syllables) == 1


def _le(flat: Flat, i: int) -> str | None:
    if flat.prev_char(i) == "不" and _single(flat, i):
        return "liao3"
    return "le5"


#: What may follow a potential complement 得着/不着 in its clause: nothing or particles.
_AFTER_POTENTIAL_ZHAO = re.compile(r"[吗呢吧啊呀嘛了的]*")


def _potential_zhao(flat: Flat, i: int) -> bool:
    """Whether 着 is the complement of a potential form, verb + 得/不 + 着 closing its clause (管得着吗,
    用不着, 够得着, 犯不着): "can (not) reach the goal", zháo.  The aspect particle zhe5 never follows
    得 or 不; 着 before more words is left to the phrase tables (不着边际 zhuó, 睡不着觉)."""
    before = flat.prev_char(i, 2)
    if len(before) != 2 or before[1] not in "得不" or before[0] in "得不":
        return False
    return bool(_AFTER_POTENTIAL_ZHAO.fullmatch(_rest_of_clause(flat, i)))


def _zhe(flat: Flat, i: int) -> str | None:
    if flat.next_char(i) == "了" or _potential_zhao(flat, i):
        return "zhao2"
    return "zhe5"


def _guo(flat: Flat, i: int) -> str | None:
    prev = flat.prev_char(i)
    if prev in _VERBS_BEFORE_GUO and flat.next_char(i) not in ("来", "去"):
        return "guo5"
    return "guo4"


#: Classifiers that count land: 地 after one of them after a numeral or demonstrative is the
#: noun "land, plot" (这块地, 三亩地, 一片地), not the adverbial particle after the two-character 这块.
_LAND_CLASSIFIERS = frozenset("块亩片")


def _de_di(flat: Flat, i: int) -> str | None:
    """地: adverbial particle de5 after a word of two or more characters, else the noun di4; after
    a numeral or demonstrative and a classifier of land it is the noun (这块地)."""
    before = flat.prev_char(i, 2)
    if len(before) == 2 and before[1] in _LAND_CLASSIFIERS and (before[0] in NUMERALS or before[0] in DEMONSTRATIVES):
        return "di4"
    pos = flat.pos(i)
    if pos > 0:
        left = pos
    else:
        prev = flat.prev_word(i)
        left = len(prev.syllables) if prev is not None and prev.han else 0
    if left >= 2 and flat.next_char(i):
        return "de5"
    return "di4"


def _rest_of_clause(flat: Flat, i: int) -> str:
    """The characters after syllable ``i`` up to the end of its clause."""
    k = i + 1
    while flat.same_clause(i, k):
        k += 1
    return "".join(flat.char(j) for j in range(i + 1, k))


def _de_dei(flat: Flat, i: int) -> str | None:
    """得: de2 'obtain' before 了, dei3 'must' after a subject/adverb, else the particle de5."""
    nxt = flat.next_char(i)
    prev = flat.prev_char(i)
    if (nxt == "了" and prev not in _VERBS_BEFORE_GUO) or nxt == "的":
        return "de2"  # 得的: neither the particle nor "must" takes 的 (他得的是胃病)
    if prev == "还" and _pays_back_with_complement(flat.next_char(i - 1, 3)):
        return "de5"  # 还得清, 还得多: the complement's particle after huán "pay back"
    if prev in _BEFORE_DEI and nxt and nxt not in "很不太真更挺":
        return "dei3"
    if _DEI_AMOUNT.fullmatch(_rest_of_clause(flat, i)):
        return "dei3"
    if not prev:
        return "dei3" if nxt else "de2"
    return "de5"


# After 还 + pronoun these show 还 is "still" (他还你的…, 你还我很…).
_NOT_AFTER_HUAN_OBJECT = ("的", "很", "是", "也", "在", "说", "都", "还", "不", "没")


#: A potential complement after 还 (还不起, 还得清, 还不上): "(cannot) pay back"; it must close the
#: clause or come before 了/的 or what is owed, else 还 is "still" (还不起床, 还不上班).
_HUAN_POTENTIAL = frozenset("起清上完")
_AFTER_HUAN_POTENTIAL = ("", "了", "的", "钱", "债", "款", "贷", "吗", "吧", "呢")
#: After 还得 also a complement of degree (前期还得多、后期还得少, 还得快): 不多 is not one (还不多
#: is "still not much").
_HUAN_DE_COMPLEMENT = _HUAN_POTENTIAL | frozenset("多少快")


def _pays_back_with_complement(after: str) -> bool:
    """Whether ``after`` (the characters after a 还) is 不/得 + a complement that closes the clause
    or comes before a particle or what is owed: 还不起, 还得清, 还得完吗, 还得多 -> 还 is huán."""
    if after[:1] not in ("不", "得"):
        return False
    complements = _HUAN_DE_COMPLEMENT if after[:1] == "得" else _HUAN_POTENTIAL
    return after[1:2] in complements and after[2:3] in _AFTER_HUAN_POTENTIAL


def _huan(flat: Flat, i: int) -> str | None:
    """还: huan2 'give back' before money/debts, a pronoun receiving it or a potential complement
    (还不起), else hai2 'still'."""
    nxt = flat.next_char(i)
    after = flat.next_char(i, 3)
    if _pays_back_with_complement(after):
        return "huan2"
    nxt_word = flat.next_word(i) if flat.pos(i) == len(flat.word(i).syllables) - 1 else None
    if nxt in ("钱", "债", "款", "贷", "清", "书") or (nxt == "给" and flat.next_char(i, 2) != "给"):
        return "huan2"
    if nxt_word is not None and nxt_word.text in PRONOUNS:
        after = flat.next_char(i, len(nxt_word.text) + 1)[len(nxt_word.text):]
        if after and after in "钱债款书东一个":
            return "huan2"
        if flat.prev_char(i) in PRONOUNS | {""} and after not in _NOT_AFTER_HUAN_OBJECT:
            return "huan2"
        if not after:
            return "huan2"  # 下个月一定还你。: a pronoun closing the clause is who gets it back
    if nxt == "了" or not nxt:
        return "huan2"  # 还了; a clause cannot end in hai2 'still'
    return "hai2"


def _chang_zhang(flat: Flat, i: int) -> str | None:
    """长: chang2 "long" after a degree word or before 的/短/期/久/远 and before 按/摁 (长按 "long
    press" of device manuals), zhang3 "grow" before 得/大/高/胖/出/成/满 and after 生."""
    prev, nxt = flat.prev_char(i), flat.next_char(i)
    if prev in _DEGREE or prev in ("不", "么") or nxt in ("的", "短", "期", "久", "远", "按", "摁"):
        return "chang2"
    if nxt in ("得", "大", "高", "胖", "出", "成", "满") or prev in ("生",):
        return "zhang3"
    return None


def _xing(flat: Flat, i: int) -> str | None:
    if flat.prev_char(i) in _DEGREE | set("不也都能可就还准") or not flat.next_char(i):
        return "xing2"
    # 该行/本行 "the said bank, our trade" in reports; 此行 is "this trip" and stays undecided
    if flat.prev_char(i) in ("一", "这", "那", "哪", "各", "同", "本", "外", "该") and flat.next_char(i) not in ("人", "动"):
        return "hang2"
    return None


def _zhong_classifier(flat: Flat, i: int) -> str | None:
    """种: zhong3 as a classifier (这种, 各种), zhong4 'plant' before crops, else unknown."""
    if flat.prev_char(i) in NUMERALS | set("这那哪各多每某有"):
        return "zhong3"
    if flat.next_char(i) in set("地树花菜田草瓜豆麦稻菜了过着的"):
        return "zhong4"
    return None


def _jiao_jue(flat: Flat, i: int) -> str | None:
    if flat.prev_char(i) in set("睡午一个懒") or "睡" in flat.prev_char(i, 3):
        return "jiao4"
    return "jue2"


def _shu(flat: Flat, i: int) -> str | None:
    """数: the verb shu3 'count' before 一/不/着/了/过/到 or after 一, else the noun."""
    if flat.next_char(i) in set("一不着了过到清完数得钱") or flat.prev_char(i) in ("一", "来", "请", "要", "再"):
        return "shu3"
    nxt_word = _next_word_after(flat, i)
    if nxt_word is not None and nxt_word.text in PRONOUNS:
        return "shu3"  # 全班数他最高: 'count as, rank'
    return None


def _zhi(flat: Flat, i: int) -> str | None:
    """只: classifier zhi1 after numerals/demonstratives, else 'only' zhi3."""
    if flat.prev_char(i) in NUMERALS | set("这那哪每某几"):
        return "zhi1"
    if _zhi_counted_by_duo(flat, i):
        return "zhi1"
    return "zhi3"


def _zhi_counted_in_word(flat: Flat, i: int) -> str | None:
    """只 opening a word of the phrase tables (只是, 只有, 只要) right after a numeral that is a word
    of its own counts what came before (有六只是银行股, 其中三只有分红): the classifier zhi1.
    A numeral inside a word (万一只是误会, 唯一, 之一) or ending a fraction, decimal or ordinal
    (百分之五只是开始, 三点五, 第一) leaves the adverb zhǐ."""
    w = flat.word(i)
    if flat.pos(i) != 0 or len(w.text) < 2 or i == 0 or not flat.same_clause(i - 1, i):
        return None
    before = flat.word(i - 1)
    if not before.text or any(c not in NUMERALS for c in before.text) or before.text[0] in "万亿千百":
        return None  # 万一 is "in case": no amount starts with its magnitude
    k = i - len(before.text)
    if flat.prev_char(k) in _NOT_COUNTING_BEFORE:
        return None
    return "zhi1"


#: Before the numeral these make it part of a fraction, decimal or ordinal (百分之五, 三点五, 第一)
#: or of a word that is no amount (万一, 唯一, 统一, 同一, 专一, 划一).
_NOT_COUNTING_BEFORE = frozenset("之点第分百万唯统同专划")


# 多只 counts things (多只股票, 十多只, 许多只) unless 多 is the bound "at most" of 最多/顶多/至多, or
# 只 is followed by a verb it limits (多只能, 多只是): then it is the adverb "only".
_DUO_AT_MOST_BEFORE = frozenset("最顶至")
_ZHI3_VERB_AFTER = frozenset("能是有会要剩好需够得可")


def _zhi_counted_by_duo(flat: Flat, i: int) -> bool:
    """只 after 多 is the classifier zhi1 when 多 is a quantity ('several'), not 'at most'."""
    if flat.prev_char(i) != "多" or flat.next_char(i) in _ZHI3_VERB_AFTER:
        return False
    return flat.prev_char(i, 2)[:-1] not in _DUO_AT_MOST_BEFORE


def _du(flat: Flat, i: int) -> str | None:
    return "dou1"


# 为 wei2 "be, become, as" after verbs of naming, judging and changing (选为, 定为,
# 约为, 均为 …): the last character of the word before 为.
_WEI2_AFTER = frozenset("选称视作成认以变改分化评立封奉尊推拜定列划转译写设聘命升降缩扩简合折并换誉名读记释括纳沦身贵"
                        "约均皆即实乃仍亦多广甚颇尤较极殊最更大"
                        # judged or certified as (认证为, 验证为, 确诊为)
                        "证诊")
# Words ending in one of those characters after which 为 is still "for" (愿意为你 …).
_WEI4_WORDS = frozenset(("可以", "所以", "足以", "难以", "得以", "用以", "借以", "予以", "加以", "愿意", "乐意",
                         "同意", "注意", "特意", "故意", "刻意", "执意", "有意", "一定", "决定", "肯定", "必定",
                         "专程", "亲身", "自身", "终身", "全身", "动身", "一大", "立即", "随即", "当即",
                         "旋即", "即将", "保证", "见证"))
# Nouns naming a quantity or attribute: "X为Y" states its value (人口为三十万, 主题为…).
_ATTRIBUTE_END = frozenset("量率额价费数积度期限间点题分线口薪资龄号码址称因果比例级型式值准则温重宽高深厚速段")
# 为 + these (at the end of a clause or before a noun) is wei2: 为首, 为止, 为准, 为例 …
_WEI2_BEFORE = frozenset("首止准例期伍敌荣耻宜妙佳")
# A verb of doing something for someone later in the clause makes 为 "for" (wei4).
_FOR_VERBS = ("提供", "服务", "颁发", "颁奖", "办理", "准备", "安排", "解决", "举办", "举行", "发放", "献",
              "开设", "设立", "打造", "带来", "创造", "付出", "感到", "高兴", "骄傲", "担心", "着想", "操心", "加油",
              "鼓掌", "祝福", "祈祷", "庆祝", "争光", "出力", "效力", "奋斗", "捐", "送", "做", "写", "唱", "讲",
              "治疗", "检查", "介绍", "赢得", "保驾", "铺路", "买单", "埋单", "而")
_NUMBER_START = frozenset("零〇一二三四五六七八九十百千万亿两几半负正")
#: Units a rate per unit ends in (每股十二元, 每十股转增四股, 每吨三千元, 每桶八十美元).
_AMOUNT_UNITS = frozenset("元角分股份吨桶斤克点倍")


#: Verbs that take 为 after their object: 以X为Y, 视X为Y, 称X为Y, 拜X为师 …
_AS_VERBS = frozenset("以视称奉尊拜封立推聘")

#: Two-character words ending in 为 whose 为 the phrase tables decide rightly although
#: the first character is not a verb of naming or changing.
_WEI_WORDS = frozenset(("行为", "所为", "人为", "无为", "有为", "难为", "胡为", "妄为", "敢为", "善为", "乱为",
                        "因为", "何为", "不为", "自为"))


def _outside_words(flat: Flat, k: int) -> bool:
    """Whether the character at ``k`` is a word of its own or in a word no phrase table lists."""
    w = flat.word(k)
    return len(w.text) == 1 or not _is_phrase(w.text)


def _is_phrase(text: str) -> bool:
    return text in phrase_dictionary()


#: A dimension word, then an amount in the unit it measures: 长 'long' before a length
#: (河长三百公里, 会议室长八米), 重 'heavy' before a weight (重五千克).
_DIMENSION_UNITS = {
    "长": ("chang2", ("米", "公里", "千米", "厘米", "毫米", "分米", "里", "尺", "寸", "丈", "英里", "海里", "光年")),
    "重": ("zhong4", ("克", "千克", "公斤", "斤", "吨", "磅", "毫克", "两")),
}
_ABOUT = ("约", "达", "近", "逾", "超过", "不到", "将近")
_AMOUNT_CHARS = NUMERALS | frozenset("点")
_OTHER_DIMENSIONS = frozenset("高宽深厚粗")


def _dimension_before_quantity(flat: Flat) -> None:
    """长/重 right before an amount of length/weight is the dimension, even at the end of a word the
    phrase tables read otherwise (河长 'river chief', 船长 'captain'): 河长三百公里 -> chang2.
    The measure word decides, so 局长三年 or 重三遍 are left alone."""
    text = flat.text
    for ch, (reading, units) in _DIMENSION_UNITS.items():
        i = text.find(ch)
        while i != -1:
            w = flat.word(i)
            # the amount may start inside the word (重五 is also 重午, the festival; 长约)
            rest = w.text[flat.pos(i) + 1:]
            rest = rest[len(next((a for a in _ABOUT if rest.startswith(a)), "")):]
            if not flat.frozen(i) and w.han and all(c in _AMOUNT_CHARS for c in rest):
                after = flat.next_char(i, 12)
                for about in _ABOUT:
                    if after.startswith(about):
                        after = after[len(about):]
                        break
                n = 0
                while n < len(after) and after[n] in _AMOUNT_CHARS:
                    n += 1
                # 两 alone is a weight unit (重二两), never an amount by itself before one
                unit = next((u for u in units if after[n:].startswith(u)), "")
                # 队长两米高: the amount measures the 高 after it, not 长
                if (unit and after[n + len(unit):n + len(unit) + 1] not in _OTHER_DIMENSIONS
                        and not (n == 1 and after[0] == "两" and ch == "重")):
                    _set(flat, i, reading)
            i = text.find(ch, i + 1)


def _glued_wei(flat: Flat) -> None:
    """Let the 为 rule decide 为 in words jieba glued from a noun and 为 (事为).

    The phrase tables list some such pairs (事为 shi4 wei2); words jieba's dictionary
    knows (华为, 行为, 人为), a verb of naming or changing before 为 (选为, 改为) and the
    words of :data:`_WEI_WORDS` keep their table reading.
    """
    text = flat.text
    start = text.find("为")
    while start != -1:
        w = flat.word(start)
        if (len(w.text) == 2 and flat.pos(start) == 1 and not w.frozen and w.text not in _WEI_WORDS
                and w.text[0] not in _WEI2_AFTER and not surnames.jieba_freq(w.text)):
            w.sure[1] = False
        start = text.find("为", start + 1)


def _clause_after(flat: Flat, i: int, n: int = 12) -> str:
    return flat.next_char(i, n)


def _standalone(flat: Flat, k: int, text: str) -> bool:
    """Whether syllable ``k`` is a whole word spelled ``text``."""
    return flat.word(k).text == text and flat.pos(k) == 0


def _wei(flat: Flat, i: int) -> str | None:
    """为: wei2 "be, become, as" by construction, else wei4 "for, because of".

    wei2: after a verb of naming, judging or changing (定为, 约为, 被誉为);
    in 以X为Y; in 为X所V; when it states the value of a quantity (人口为三十万,
    时间为两个小时, 为+number) unless the clause goes on with something done
    for someone (学校为十名学生颁奖); before 首/止/准/例/期…; before a colon
    (分配方案为：…).
    """
    after = _clause_after(flat, i)
    if after[:1] in ("了", "何", "此") or after.startswith("什么"):
        return "wei4"
    if flat.pause_after(i) in ("：", ":"):
        return "wei2"  # 分配方案为：…, 主要原因为：…: the colon opens what the subject is
    doing_for = any(v in after for v in _FOR_VERBS)
    pos = flat.pos(i)
    w = flat.word(i)
    prev_word = flat.prev_word(i)
    prev_text = w.text[:pos] if pos > 0 else (prev_word.text if prev_word is not None else "")
    if prev_text and prev_text not in _WEI4_WORDS and prev_text[-1] in _WEI2_AFTER:
        return "wei2"
    # 以X为Y, 视X为Y, 称X为Y …: such a verb earlier in the clause, outside any dictionary
    # word (可以, 以后, 称赞 do not count), with no other 为 in between.
    if not doing_for:
        k = i - 1
        while k >= 0 and i - k <= 10 and flat.same_clause(i, k) and flat.char(k):
            if flat.char(k) == "为":
                break
            if flat.char(k) in _AS_VERBS and _outside_words(flat, k):
                return "wei2"
            k -= 1
    # 为X所V: a standalone 所 a few characters later.
    for k in range(i + 2, min(len(flat), i + 9)):
        if not flat.same_clause(i, k):
            break
        if flat.char(k) == "所" and _standalone(flat, k, "所"):
            return "wei2"
    if after[:1] in _WEI2_BEFORE or (after[:1] == "主" and after[1:2] not in ("人", "席", "任", "持", "办", "管", "角")):
        return "wei2"
    if prev_text and prev_text[-1] in _ATTRIBUTE_END and not doing_for:
        return "wei2"
    # 的 + noun + 为 + noun: an equative (比赛的冠军为中国选手), unless something happens.
    if (pos == 0 and len(prev_text) >= 2 and flat.prev_char(i, len(prev_text) + 1)[:1] == "的"
            and not doing_for and not any(m in after for m in "了着过")):
        return "wei2"
    if after[:1] in _NUMBER_START and not doing_for and not after.startswith(("一起", "一些", "一切", "两人")):
        return "wei2"
    if _rate_per_unit(after) and not doing_for:
        return "wei2"  # 发行价格为每股十二点三五元, 方案为每十股派二元: a rate is a value too
    nxt_word = flat.next_word(i) if pos == len(w.syllables) - 1 else None
    if nxt_word is not None and nxt_word.text == "人":
        return "wei2"  # 为人 'behave towards others'
    if pos == 0 and len(w.text) == 1 and not doing_for and _names_what_subject_is(flat, i, prev_text):
        return "wei2"
    return "wei4"


#: jieba tags of a subject noun before an equative 为 (买方, 顾问, 股东, 中信证券).
_SUBJECT_TAGS = frozenset(("n", "nr", "nt", "nz", "ns", "nrt", "j"))
#: Tags (first letter) a noun phrase is made of: nouns, pronouns of quantity (某某), numerals and
#: classifiers, abbreviations, places, attributes (大型), localizers, conjunctions; plus 的 (uj).
_NOUN_PHRASE_TAG_STARTS = frozenset("nrmqjsbfc")
#: Punctuation after which a clause is complete: what follows 为 is all of the predicate.
_CLAUSE_CLOSERS = ("", "。", "；", ";", "！", "!")


def _names_what_subject_is(flat: Flat, i: int, subject: str) -> bool:
    """为 between a noun subject and a rest of the sentence that is only a noun phrase is the
    equative "be" (买方为机构专用席位, 财务顾问为中信证券, 控股股东为某某集团有限公司): "for"
    needs something done after its object (为投资者提供服务, 为人民服务 — jieba's verbs and
    verbal nouns count).  The clause must close the sentence, so that 父母为孩子的未来，拼命工作
    (the predicate after the comma) stays wei4."""
    if not subject:
        return False
    # The tag of the subject's last word, or of its last two characters when jieba tags the
    # whole a set phrase (财务顾问 l -> 顾问 n).
    if (context_tags(subject)[-1][1] not in _SUBJECT_TAGS
            and (len(subject) < 3 or dictionary_tag(subject[-2:]) not in _SUBJECT_TAGS)):
        return False
    rest = flat.next_char(i, 40)
    if not rest or len(rest) >= 40 or flat.pause_after(i + len(rest)) not in _CLAUSE_CLOSERS:
        return False
    tags = [tag for _, tag in context_tags(rest)]
    # Adjectives may qualify a noun inside the phrase (沪深 as 沪|深), never end it (为大家好).
    if not all(t[:1] in _NOUN_PHRASE_TAG_STARTS or t in ("uj", "eng", "a") for t in tags[:-1]):
        return False
    return tags[-1][:1] in ("n", "j") or tags[-1] == "eng"


def _rate_per_unit(after: str) -> bool:
    """Whether ``after`` (the rest of the clause) is an amount per unit: 每 and a numeral within the
    next five characters (每股十二元, 每股不超过二十元, 每吨三千元), the clause ending in a numeral or a unit
    and naming no completed action.  每个人, 每位客户 (whom something is done for) and
    为每十名员工配备一名助理 (the clause goes on past the amount) are not."""
    return (after[:1] == "每" and any(c in _NUMBER_START for c in after[1:6])
            and (after[-1:] in _NUMBER_START or after[-1:] in _AMOUNT_UNITS)
            and not any(m in after for m in "了着"))


def _hao(flat: Flat, i: int) -> str | None:
    return "hao3"


def _shao(flat: Flat, i: int) -> str | None:
    return "shao3"


def _chao(flat: Flat, i: int) -> str | None:
    nxt_word = flat.next_word(i)
    if nxt_word is not None and (nxt_word.text in PRONOUNS or nxt_word.text[:1] in set("东南西北前后左右上下里外着")):
        return "chao2"
    return None


def _de_particle(flat: Flat, i: int) -> str | None:
    return "de5"


def _tiao_diao(flat: Flat, i: int) -> str | None:
    """调: tiao2 'adjust' before a direction of change, diao4 'transfer' before a destination."""
    nxt = flat.next_char(i)
    if (nxt and nxt in "低高大小亮暗快慢好匀准和皮剂料味") or flat.prev_char(i) in ("上", "下", "回", "微"):
        return "tiao2"  # 回调, 微调: prices and settings adjusted
    if nxt and nxt in "到往去走动任派职查研换子":
        return "diao4"
    return None


def _gan(flat: Flat, i: int) -> str | None:
    """干: gan1 'dry' when something has become dry (已经干了, 晒干), else unknown."""
    if flat.prev_char(i) in set("经晒烘吹擦风快都已烤阴") and flat.next_char(i) in ("了", "透", "燥", ""):
        return "gan1"
    return None


def _liang(flat: Flat, i: int) -> str | None:
    """量: the verb liang2 'measure' before 一下/体温/身高…, the noun liang4 otherwise unknown."""
    if flat.next_char(i) and flat.next_char(i) in "一体身血尺了过好":
        return "liang2"
    return None


def _jiao(flat: Flat, i: int) -> str | None:
    """教: the verb jiao1 'teach' before the person taught."""
    nxt_word = flat.next_word(i) if flat.pos(i) == len(flat.word(i).syllables) - 1 else None
    if nxt_word is not None and (nxt_word.text in PRONOUNS or nxt_word.text in ("孩子", "学生", "大家")):
        return "jiao1"
    if flat.next_char(i) in ("书", "给", "会", "了", "过", "着", "完"):
        return "jiao1"
    return "jiao1"  # outside a word 教 is the verb; 教育, 教室, 宗教 are words


def _zhong_hit(flat: Flat, i: int) -> str | None:
    """中: zhong4 'hit, win' after 考/猜/射/命/击/选, and as the count of hits after a count of
    shots (十投九中, 8投5中, 三十投十九中: a numeral after 投, then 中)."""
    if flat.prev_char(i) in set("考猜射命击选"):
        return "zhong4"
    if _after_count_of_shots(flat, i):
        return "zhong4"
    return None


def _after_count_of_shots(flat: Flat, i: int) -> bool:
    """Whether syllable ``i`` follows ``投`` and a run of numerals (投九中, 投十九中) in its clause."""
    n = 0
    while flat.prev_char(i - n)[:1] in NUMERALS and flat.prev_char(i - n):
        n += 1
    return n > 0 and flat.prev_char(i - n) == "投"


def _alone(flat: Flat, i: int) -> bool:
    """Whether syllable ``i`` stands outside any dictionary word (a one-character word, or a
    character jieba glued to its neighbours in a word no phrase table lists).

    Context rules only see such syllables; this is for looking at a neighbour ``i``.
    """
    return not flat.word(i).sure[flat.pos(i)]


def _next_word_after(flat: Flat, i: int):
    """The word after syllable ``i`` when ``i`` ends its word, else ``None``."""
    return flat.next_word(i) if flat.pos(i) == len(flat.word(i).syllables) - 1 else None


#: Readings of polyphones used as verbs: a one-character word (教, 弹, 铺 standing alone
#: are verbs) and reduplicated forms (教教, 数了数, 弹一弹) take them.
VERB_READINGS: dict[str, str] = {
    "教": "jiao1", "数": "shu3", "弹": "tan2", "量": "liang2", "称": "cheng1", "扇": "shan1", "冲": "chong1",
    "钻": "zuan1", "卷": "juan3", "挑": "tiao1", "缝": "feng2", "削": "xiao1", "铺": "pu1", "盛": "cheng2",
    "系": "ji4", "划": "hua2", "调": "tiao2", "转": "zhuan4", "背": "bei4", "扎": "zha1", "挣": "zheng4",
    "处": "chu3", "担": "dan1", "藏": "cang2", "晃": "huang4", "磨": "mo2", "抹": "mo3", "撒": "sa3",
}

#: Of those, the ones whose one-character word is (almost) always the verb.
_ALONE_VERB = frozenset("弹削铺挣划")


def _reduplication(flat: Flat) -> None:
    """VV, V了V, V一V of a polyphonic verb: both V take the verb reading (数了数 shu3 le5 shu3)."""
    text = flat.text
    for i, ch in enumerate(text):
        verb = VERB_READINGS.get(ch)
        if verb is None or (ch not in text[i + 1:i + 3]) or flat.frozen(i):
            continue
        if flat.next_char(i) == ch and flat.word(i) is flat.word(i + 1):
            if ch in MEASURE_READINGS:
                continue  # 处处 "everywhere", 担担面: a reduplicated classifier (measure_words.py)
            pairs = (i, i + 1)
        elif flat.next_char(i, 2) in (f"了{ch}", f"一{ch}"):
            pairs = (i, i + 2)
        else:
            continue
        for k in pairs:
            _set(flat, k, verb)


#: Directional and resultative complements: a polyphonic verb standing alone before one of
#: them is the verb (盛出来, 撒上, 藏起来, 钻进, 铺满, 量好).  开/掉/走/住 are left out: 撒开 is sa1.
_COMPLEMENTS = frozenset("上下出进入在到满完好成起回")
#: Verbs whose verb reading depends on the sense, not the slot (调到 diao4 / 调好 tiao2, 转到 zhuan3,
#: 背上 bei1, 划上 hua4, 挑起 tiao3, 晃过 huang3, 磨成粉 mo4): a complement does not decide them.
_COMPLEMENT_VERBS = frozenset(VERB_READINGS) - frozenset("调转背划挑晃磨")


#: Verbs of :data:`VERB_READINGS` that 所 can turn into "what is V-ed" with their verb reading
#: (所处的行业 chu3, 所藏 cang2, 所教 jiao1, 所称 cheng1); 系 is left out: 民心所系 is xì.
_VERBS_AFTER_SUO = _COMPLEMENT_VERBS - frozenset("系")


def _verb_after_suo(flat: Flat, i: int) -> str | None:
    """A polyphonic verb right after the particle 所 takes its verb reading: 所 + V names what is
    V-ed (公司所处行业 -> chu3, jieba cuts 所|处|行业 and the default chù stood).  The verb must be a
    word of its own or open one no phrase table lists; 所 must be a word of its own and not the
    classifier of schools after a numeral or demonstrative (这所|处在, 研究所|处长 are words)."""
    k = i - 1
    if k < 0 or not flat.same_clause(k, i) or not _standalone(flat, k, "所") or len(flat.word(k).text) != 1:
        return None
    before = flat.prev_char(k)
    if before in NUMERALS or before in DEMONSTRATIVES or before == "几":
        return None
    w = flat.word(i)
    if flat.pos(i) != 0 or (len(w.text) > 1 and _is_phrase(w.text)):
        return None
    return VERB_READINGS[flat.char(i)]


def _verb_before_complement(flat: Flat, i: int) -> str | None:
    """A polyphonic verb outside any dictionary word, before a complement: its verb reading
    (盛|出来 cheng2, 撒上 sa3, also when jieba glued the two into a word no table lists).  After a
    numeral or demonstrative the character is a measure word (两扇|上锁的门), so it is left alone."""
    w, pos = flat.word(i), flat.pos(i)
    if w.sure[pos]:
        return None
    if pos > 0 and flat.char(i) == "量":
        return None  # 缩量|回调, 放量|上涨: 量 closing a word is the volume its verb changes
    if flat.next_char(i) not in _COMPLEMENTS or flat.prev_char(i) in NUMERALS | DEMONSTRATIVES:
        return None
    return VERB_READINGS[flat.char(i)]


#: What splits a separable verb–object word (离合词) before an amount of its object: 中了一签,
#: 得了一分, 中过一次奖, 请了三天假.
_ASPECT_SPLITTERS = frozenset("了过")
#: Negators and particles before 了/过 are no verb of a split word (走不了了 is not 不了 split).
_NOT_SPLIT_VERBS = frozenset("不没了过着")
#: Measure words that may stand between the amount and the object (中过一次奖, 请了三天假).
#: Such a measure word is never the object itself (当过三年|兵 is 当兵, not 当年).
_SPLIT_MEASURES = frozenset("个次回场天顿年月周岁遍趟")


def _split_objects(flat: Flat, i: int) -> list[int]:
    """Where the object after verb syllable ``i`` may stand when 了/过 and an optional amount split
    them: past a measure word (中过一次|奖, 理了个|发, 当过三年|兵), else right after the amount
    (中了一|签); within the clause."""
    if flat.next_char(i) not in _ASPECT_SPLITTERS or flat.char(i) in _NOT_SPLIT_VERBS:
        return []
    k = i + 2
    while flat.same_clause(i, k) and flat.char(k) in NUMERALS:
        k += 1
    found = [k + 1] if flat.char(k) in _SPLIT_MEASURES else [k]
    return [j for j in found if flat.same_clause(i, j) and flat.char(j)
            and flat.char(j) not in _ASPECT_SPLITTERS and _closes_word(flat, j)]


def _closes_word(flat: Flat, j: int) -> bool:
    """Syllable ``j`` ends its word: an object split off its verb does (一|签, 个发 as jieba glues
    them), while a character opening a longer word does not (得了|第一名: 得第 is no split word)."""
    return flat.pos(j) == len(flat.word(j).syllables) - 1


def _split_verb_object(flat: Flat, trace: Callable[..., None] | None = None) -> None:
    """A separable verb–object word split by 了/过 and an amount keeps the reading its whole form
    has in the phrase tables: 中了一签 reads 中 as in 中签 (zhong4), 得了一分 as in 得分 (de2), 理了个发
    as in 理发 (fa4).  Only polyphones outside dictionary words are decided, on either half, and
    only when the two characters make a listed word (在比赛中了解 is not split: 中解 is no word)."""
    for i in range(len(flat)):
        for k in _split_objects(flat, i):
            readings = phrase_dictionary().lookup(flat.char(i) + flat.char(k))
            if readings is not None and len(readings) == 2:
                break
        else:
            continue
        for j, reading in ((i, readings[0]), (k, readings[1])):
            w = flat.word(j)
            if not w.han or w.frozen or w.sure[flat.pos(j)] or not is_polyphone(flat.char(j)):
                continue
            _set(flat, j, reading)
            if trace is not None:
                trace("separable verb–object word (polyphones._split_verb_object)", w, flat.pos(j))


#: Verbs of getting: 得 after them is de2 "obtain" (夺得, 赢得, 取得, 博得), as 现代汉语词典 reads
#: these words; some phrase tables give the particle's neutral tone.
_GETTING_VERBS = frozenset("获夺取赢博求谋习牟骗换")


def _in_pair(flat: Flat, i: int, pos: int, partners: frozenset[str]) -> bool:
    """Character `i` stands at `pos` (0 or 1) of a two-character word whose other character is
    one of `partners`."""
    w = flat.word(i)
    return len(w.text) == 2 and flat.pos(i) == pos and w.text[1 - pos] in partners


def _de_of_getting(flat: Flat, i: int) -> str | None:
    """得 closing a two-character word whose first character is a verb of getting: de2."""
    return "de2" if _in_pair(flat, i, 1, _GETTING_VERBS) else None


#: Characters of the nouns whose value is raised or lowered (价格, 利率, 评级, 工资 …): near them
#: 上调/下调 is tiao2 "adjust upwards/downwards", not diao4 "transfer to a higher/lower post".
_AMOUNT_NOUN_CHARS = frozenset("价率费息税额薪资利幅级准量值")


def _tiao_of_amount(flat: Flat, i: int) -> str | None:
    """调 after 上/下 is tiao2 when the clause names an amount or rate (利率上调, 上调至四十元,
    下调0.1个百分点); the tables give 上调 diao4, the transfer of a person (上调到省里), which stays
    when no amount is named.  调 opening a word of its own (马上|调整, 马上|调查) is left to it."""
    if flat.prev_char(i) not in ("上", "下"):
        return None
    w, pos = flat.word(i), flat.pos(i)
    if pos == 0 and len(w.text) > 1:
        return None
    before, after = flat.prev_char(i, 9)[:-1], flat.next_char(i, 8)
    if after[:1] in NUMERALS or after[:1] in ("至", "幅") or not _AMOUNT_NOUN_CHARS.isdisjoint(before + after):
        return "tiao2"
    return None


#: What 率 leads as the verb shuài (率兵, 率军, 率队, 率众, 率部, 率师, 率团, 率舰).
_LED_BY_SHUAI = frozenset("兵军队众部师团舰")


def _shuai_leading(flat: Flat, i: int) -> str | None:
    """率 before the troops or group it leads is the verb shuài (曾率兵驻守, 亲率大军 is a phrase
    already), unless it closes a word a phrase table lists (效率, 比率: 效率|军… stays lǜ).
    The phrase tables list 率军/率队 but not every pair, and jieba glues 曾率兵 into one word."""
    after = flat.next_char(i, 2)
    if after[:1] not in _LED_BY_SHUAI and not (after[:1] in "大全" and after[1:] in _LED_BY_SHUAI):
        return None  # 率兵, 率大军, 率全队
    before = flat.prev_char(i)
    if before and surnames.is_phrase(before + "率"):
        return None
    return "shuai4"


#: jieba dictionary tags (first letter) of a word that opens a predicate: a verb (是, 有, 选择), an
#: adjective, an adverb (已经, 都) or a preposition (在, 从); 很 is tagged zg.
_PREDICATE_TAGS = frozenset("vadp")
#: Tags of a word before 大都 that make it the Yuan capital, the object of a preposition or verb
#: (在大都, 定都大都, 到大都).
_PLACE_GOVERNORS = frozenset("pv")


def _dou_of_mostly(flat: Flat, i: int) -> str | None:
    """大都 between a subject and its predicate is the adverb dàdōu "mostly" (游客大都选择…, 这些书大都
    已经绝版, 参加者大都很年轻); jieba's dictionary and the phrase tables know only Dàdū, the Yuan
    capital (ns), which it stays after a preposition or verb (在大都登基), at a clause's start and
    before anything that does not open a predicate (大都遗址)."""
    w, pos = flat.word(i), flat.pos(i)
    if w.text != "大都" or pos != 1:
        return None
    prev = flat.prev_word(i)
    if prev is None or (dictionary_tag(prev.text) or "n")[0] in _PLACE_GOVERNORS:
        return None
    after = leading_word(flat.next_char(i, 4))
    tag = dictionary_tag(after) if after else None
    if after == "很" or (tag is not None and tag[0] in _PREDICATE_TAGS):
        return "dou1"
    return None


#: What 还 gives back when it makes a word with it (还款, 还贷, 还债, 还钱): some phrase tables read
#: 还款 hai2 kuan3 although "still" never makes a word with a noun of money.
_OWED = frozenset("款贷债钱")


def _huan_of_debt(flat: Flat, i: int) -> str | None:
    """还 opening a two-character word whose second character is money owed: huan2 'pay back'."""
    return "huan2" if _in_pair(flat, i, 0, _OWED) else None


#: Verbs whose goal 着 zháo says was reached (找着 "found", 猜着 "guessed right", 见着 "got to see").
_ATTAINING_VERBS = frozenset("找猜见逮碰遇买借抢够")
#: What may follow 着 of attaining in its clause: nothing, or a particle or 没 asking about it.
_AFTER_ATTAINED = ("", "了", "没", "吗", "啊", "吧")


def _zhao_of_attaining(flat: Flat, i: int) -> str | None:
    """着 after a verb of seeking or meeting and closing the clause (没找着, 见着没, 猜着吗) is the
    complement zhao2 "reached the goal"; in progress (在找着, 正找着) or before more words (找着找着,
    碰着人) it is the aspect particle zhe5 the other rules give."""
    prev = flat.prev_char(i, 2)
    if not prev or prev[-1] not in _ATTAINING_VERBS or prev[:-1] in ("在", "正"):
        return None
    nxt = flat.next_char(i)
    if nxt not in _AFTER_ATTAINED or (nxt and flat.next_char(i, 2) != nxt):
        return None
    return "zhao2"


def _qie(flat: Flat, i: int) -> str | None:
    """切 standing alone is the verb qie1 'cut' (切丝, 切成块); qie4 'must' before 不/勿/莫/忌/记."""
    if flat.next_char(i) in ("不", "勿", "莫", "忌", "记"):
        return None
    return "qie1"


#: Before 哪 closing a clause, these make it "where" (去哪, 在哪, 是哪): else it is the particle.
_WHERE_VERBS = frozenset("去在到往从住回来是")


def _na(flat: Flat, i: int) -> str | None:
    """哪 closing a clause is the particle na5 (怎么办哪, 天哪), after a verb of place "where"."""
    if not flat.next_char(i) and flat.prev_char(i) and flat.prev_char(i) not in _WHERE_VERBS:
        return "na5"
    return None


def _alone_verb(flat: Flat, i: int) -> str | None:
    """弹 tan2, 削 xiao1, 铺 pu1, 挣 zheng4, 划 hua2 standing alone are verbs."""
    return VERB_READINGS[flat.char(i)]


def _xue(flat: Flat, i: int) -> str | None:
    """血 standing alone is xie3 in speech (流了点血), as 现代汉语词典 has it; in a compound jieba
    knows but no phrase table lists (渗血, 血红素) it is the written xue4 of compounds."""
    return "xue4" if len(flat.word(i).text) > 1 else "xie3"


def _shan(flat: Flat, i: int) -> str | None:
    """扇: the measure word shan4 after a numeral or demonstrative (一扇门), else the verb shan1."""
    if flat.prev_char(i) in NUMERALS | set("这那哪几每"):
        return "shan4"
    return "shan1"


def _si(flat: Flat, i: int) -> str | None:
    """似: shi4 in 似的, else si4."""
    return "shi4" if flat.next_char(i) == "的" else "si4"


def _he(flat: Flat, i: int) -> str | None:
    """和: huo2 'mix with water' (和面, 用水和泥, 和在一起), hu2 'win at mahjong' (我和了), else he2."""
    nxt_word = _next_word_after(flat, i)
    after = flat.next_char(i, 4)
    if nxt_word is not None and nxt_word.text in ("面", "泥", "馅", "馅儿", "面团"):
        return "huo2"
    if after.startswith(("在一起", "匀", "成团")) and flat.prev_char(i) not in PRONOUNS:
        return "huo2"
    if after[:1] == "了" and not after[1:2] and (flat.prev_char(i) in PRONOUNS or "牌" in flat.prev_char(i, 4)):
        return "hu2"
    return None


def _dang(flat: Flat, i: int) -> str | None:
    """当: dang4 'treat as' after 把 (把他当朋友) and in 当回事; else left to the words."""
    if flat.next_char(i, 3).startswith(("回事", "一回事")):
        return "dang4"
    k = i - 1
    while k >= 0 and i - k <= 8 and flat.same_clause(i, k):
        if flat.char(k) == "把" and _alone(flat, k):
            return "dang4"
        k -= 1
    return None


def _chong(flat: Flat, i: int) -> str | None:
    """冲: chong4 'towards, blunt' before a person or 着 (冲我笑, 冲着), and after a degree
    adverb (说话太冲); chong1 'rush, rinse, brew' otherwise."""
    nxt_word = _next_word_after(flat, i)
    if flat.next_char(i) == "着" or (nxt_word is not None and (nxt_word.text in PRONOUNS or nxt_word.text in ("这", "那"))):
        return "chong4"
    if flat.prev_char(i) in _DEGREE and not flat.next_char(i):
        return "chong4"
    if any(w in flat.prev_char(i, 3) for w in ("说话", "口气", "语气", "味", "脾气", "气味")):
        return "chong4"  # 说话冲得很, 味儿太冲
    return None


def _kong(flat: Flat, i: int) -> str | None:
    """空: kong4 'leave empty, vacant' before 出/着 (把桌子空出来, 房子空着)."""
    if flat.next_char(i) == "出" or (flat.next_char(i) == "着" and "着手" not in flat.word(i + 1).text):
        return "kong4"
    return None


def _zhong_chong(flat: Flat, i: int) -> str | None:
    """重: chong2 'again' before a one-character verb (重写, 重做, 重来), else zhong4."""
    nxt = flat.next_char(i)
    # The verb stands alone, or jieba glued 重 and it into a word no phrase table lists (重赛).
    if nxt in _AGAIN_VERBS and (_alone(flat, i + 1) or flat.word(i).text == "重" + nxt):
        return "chong2"
    return None


# 赛 (重赛 a replay of a race or match), 连 (重连 reconnect), 试, 跑, 签, 映 (重映 a re-release)
# take 重 as "again" too; none of them follows 重 "heavy" as a one-character word.
_AGAIN_VERBS = frozenset("写做来装修建开启演播拍选考算读画印发申组返提排填编录赛连试跑签映")


def _cheng_sheng(flat: Flat, i: int) -> str | None:
    """盛: the verb cheng2 'fill, ladle' before food and containers (盛饭, 盛一碗), else sheng4."""
    if flat.next_char(i) in set("饭汤水粥菜满了一点碗些上"):
        return "cheng2"
    return None


def _xi_ji(flat: Flat, i: int) -> str | None:
    """系: the verb ji4 'tie' (系鞋带, 系上, 系好), else xi4."""
    nxt_word = _next_word_after(flat, i)
    if (flat.next_char(i) in set("上好着紧住") or (
            nxt_word is not None and nxt_word.text in ("鞋带", "领带", "安全带", "扣子", "围巾", "绳子", "红领巾"))):
        return "ji4"
    return None


def _jin(flat: Flat, i: int) -> str | None:
    """尽 right after a one-character verb is the complement jìn "to the end, exhausted" (淘尽,
    说尽, 用尽); the adverb jǐn "as far as possible" comes before a verb (尽早, 尽量), in words
    the phrase tables already read."""
    k = i - 1
    if k < 0 or not flat.same_clause(k, i):
        return None
    if len(flat.word(k).text) != 1 and flat.pos(i) == 0:
        return None  # the verb is a one-character word or in 尽's own jieba word (浪淘尽)
    return "jin4" if dictionary_tag(flat.char(k)) == "v" else None


_RULES = {
    "尽": _jin,
    "了": _le,
    "着": _zhe,
    "过": _guo,
    "地": _de_di,
    "得": _de_dei,
    "还": _huan,
    "长": _chang_zhang,
    "行": _xing,
    "种": _zhong_classifier,
    "觉": _jiao_jue,
    "数": _shu,
    "只": _zhi,
    "都": _du,
    "为": _wei,
    "好": _hao,
    "少": _shao,
    "朝": _chao,
    "的": _de_particle,
    "调": _tiao_diao,
    "干": _gan,
    "量": _liang,
    "教": _jiao,
    "中": _zhong_hit,
    "弹": _alone_verb,
    "削": _alone_verb,
    "铺": _alone_verb,
    "挣": _alone_verb,
    "划": _alone_verb,
    "血": _xue,
    "扇": _shan,
    "似": _si,
    "和": _he,
    "当": _dang,
    "冲": _chong,
    "重": _zhong_chong,
    "盛": _cheng_sheng,
    "系": _xi_ji,
    "空": _kong,
    "切": _qie,
    "哪": _na,
}


class G2pMPredictor:
    """Lazily loaded g2pM model (thread-safe); predicts readings of polyphones in context."""

    _lock = threading.Lock()
    _model = None

    @classmethod
    def _get(cls):
        if cls._model is None:
            with cls._lock:
                if cls._model is None:
                    from g2pM import G2pM

                    cls._model = G2pM()
        return cls._model

    def predict(self, text: str) -> list[str]:
        """One reading per character of ``text`` (the character itself where g2pM has none)."""
        if not text:
            return []
        return list(self._get()(text, char_split=True, tone=True))


#: Longest context (characters each side) given to g2pM around a polyphone.
_G2PM_WINDOW = 24


def apply_g2pm(flat: Flat, predictor: G2pMPredictor) -> None:
    """Use g2pM for the polyphones that are still not ``sure``."""
    todo = [
        i for i in range(len(flat))
        if flat.word(i).han and not flat.word(i).frozen and not flat.word(i).sure[flat.pos(i)]
        and is_polyphone(flat.char(i))
    ]
    if not todo:
        return
    cache: dict[tuple[int, int], list[str]] = {}
    for i in todo:
        lo = i
        while lo > 0 and i - lo < _G2PM_WINDOW and flat.same_clause(i, lo - 1) and flat.char(lo - 1):
            lo -= 1
        hi = i
        while hi + 1 < len(flat) and hi - i < _G2PM_WINDOW and flat.same_clause(i, hi + 1) and flat.char(hi + 1):
            hi += 1
        key = (lo, hi)
        if key not in cache:
            cache[key] = predictor.predict("".join(flat.char(j) for j in range(lo, hi + 1)))
        pred = cache[key][i - lo]
        readings = char_readings(flat.char(i))
        if pred in readings or (pred[:-1] in {r[:-1] for r in readings} and tone_of(pred) == 5):
            flat.set(i, pred)


def tone_neutral(syllable: str) -> str:
    """``syllable`` with the neutral tone."""
    return with_tone(syllable, 5)
