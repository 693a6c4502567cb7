"""Surnames whose reading differs from the character's common reading (区 Ōu, 查 Zhā …).

The table is written for this project from the surname readings of 现代汉语词典;
only characters whose surname reading differs from their most common reading
are listed.  A surname reading is used only in a name context:

* before a title or form of address: 区先生, 查老师, 朴总, 缪经理, 翟同学;
* after 姓 / 复姓: 姓单, 复姓尉迟;
* after 老 / 小 as a familiar form of address: 老单今天…, 小查，…, 我和老曾… (not 老单位,
  小区, 小华, 他老查资料);
* before 某 / 某某 standing for a withheld given name (查某, 区某某), but not
  when 某 starts "some X" (据查某地, 某人);
* as the first character of a full name that jieba cuts as one word and that no
  phrase table lists, when jieba made the word up from unknown characters
  (解缙, 仇英) or its dictionary tags it as a person's name (单田芳, 翟志刚);
* a full name in running text that the checks above leave in doubt (画家仇英擅长…,
  为曾志伟点赞, 名将种师道率军) when jieba's part-of-speech tagger, reading the whole clause,
  tags it ``nr`` (a person's name).

Characters that are also common verbs or adverbs (查 check, 单 only, 曾 once, 任
let …) need the clause to start there or a word that introduces a person
before them (是, 和, 叫, 找 …), so 请查老师的电话 keeps cha2.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from tts.frontend.words import Flat, Word

#: Surname -> reading as a surname.
SURNAME_READINGS: dict[str, str] = {
    "区": "ou1", "查": "zha1", "盖": "ge3", "缪": "miao4", "单": "shan4", "解": "xie4", "仇": "qiu2",
    "朴": "piao2", "曾": "zeng1", "华": "hua4", "任": "ren2", "覃": "qin2", "翟": "zhai2", "种": "chong2",
    "召": "shao4", "燕": "yan1", "纪": "ji3", "宁": "ning4", "葛": "ge3", "秘": "bi4", "过": "guo1",
    "员": "yun4", "繁": "po2", "句": "gou1", "黑": "he4", "隗": "wei3", "冼": "xian3", "洗": "xian3",
    "蕃": "pi2", "乜": "nie4", "莘": "shen1", "郇": "huan2", "贲": "ben1", "折": "she2", "佴": "nai4",
    "薄": "bo2", "相": "xiang4", "能": "nai4", "谌": "chen2", "眭": "sui1", "厍": "she4", "逄": "pang2",
}

#: Two-character surnames and their readings.
COMPOUND_SURNAMES: dict[str, tuple[str, str]] = {
    "尉迟": ("yu4", "chi2"), "万俟": ("mo4", "qi2"), "长孙": ("zhang3", "sun1"), "澹台": ("tan2", "tai2"),
    "令狐": ("ling2", "hu2"), "单于": ("chan2", "yu2"), "诸葛": ("zhu1", "ge3"), "乐正": ("yue4", "zheng4"),
    "鲜于": ("xian1", "yu2"), "亓官": ("qi2", "guan1"),
}

#: Titles and forms of address that follow a surname.
TITLES: tuple[str, ...] = tuple(sorted((
    "先生", "女士", "小姐", "老师", "同学", "经理", "总经理", "总", "董", "教授", "医生", "大夫", "师傅", "阿姨",
    "叔叔", "大爷", "大妈", "大娘", "奶奶", "爷爷", "老板", "老总", "局长", "主任", "书记", "处长", "科长", "部长",
    "院长", "校长", "所长", "厂长", "市长", "县长", "省长", "村长", "镇长", "董事长", "总裁", "总监", "主管",
    "律师", "警官", "记者", "博士", "教练", "导演", "编辑", "工程师", "会计", "老先生", "老太太", "太太", "夫人",
    "同志", "师兄", "师姐", "大哥", "大姐", "姐", "哥", "老", "氏", "家", "队长", "班长", "主席", "委员", "代表",
), key=len, reverse=True))

#: Surnames that are also everyday verbs or adverbs: a name only at the start of a
#: clause or after a word that introduces a person.
_VERBAL = frozenset("查单解任曾华过种召相能盖折薄宁燕句区秘黑员繁")

#: Words after which a name (rather than a verb) is expected.
_NAME_INTRO = frozenset((
    "是", "叫", "名叫", "和", "与", "跟", "同", "及", "以及", "还有", "或", "或者", "对", "向", "给", "让", "被",
    "由", "找", "问", "见", "陪", "帮", "据", "称", "位", "名", "的", "姓", "复姓", "像", "比", "连", "除了",
    "感谢", "谢谢", "拜访", "采访", "邀请", "介绍", "认识", "告诉", "通知", "联系", "遇到", "碰到", "看望",
    "了", "着", "见到", "找到", "看到", "听说",
))

#: Last characters of a noun naming a person by role (学者, 画家, 邻居, 名将, 网友, 院士 …): such a
#: noun right before a surname stands in apposition to the name that follows (学者纪昀, 邻居单先生),
#: so it introduces a person as 和 or 叫 do (round 3 of issue 24).
_ROLE_ENDS = frozenset("者家居友员士师将臣官")

#: Words with a role ending that do not name a person (大家 "everybody", 国家, 定居 …).
_NOT_ROLE = frozenset(("大家", "人家", "国家", "自家", "全家", "老家", "回家", "娘家", "居家", "定居", "移居", "同居",
                       "隐居", "聚居", "杂居", "人员", "成员", "会员"))


def _introduces_person(prev: Word | None) -> bool:
    """Whether the word before a surname introduces a person: a word of :data:`_NAME_INTRO`, a
    title (队长曾志明) or a noun naming a person by role (学者纪昀, 邻居单先生)."""
    if prev is None:
        return False
    text = prev.text
    if text in _NAME_INTRO:
        return True
    return prev.han and len(text) >= 2 and text not in _NOT_ROLE and (text[-1] in _ROLE_ENDS or text in TITLES)


#: What follows a person's name as the subject of a clause.
_PREDICATE_START = ("是", "说", "表示", "介绍", "认为", "告诉", "称", "指出", "透露", "回忆", "笑", "坦言", "强调",
                    "在", "也", "还", "就", "已", "曾", "又", "都", "和", "与", "今年", "昨天", "今天", "出生",
                    "生于", "字", "号", "等")

#: Characters that never follow a surname as part of a given name.
_NOT_GIVEN = frozenset(
    "了着过的地得吗呢吧啊们个是在有和与就也都还又不没很太这那哪一二三四五六七八九十百千万亿几来去上下里外内中前后"
    "说道为把被给让对向从到以于而之其此某等所子儿头么们点次些样种我你他她它您咱"
)

#: After 某 these make it "some X" (某地, 某人, 某公司), not a withheld name.
_SOME_X = frozenset("人些种个天日年月时地处位项件单机部医学村县市省乡镇街路店厂企事次类方国校院所局社团队家品物段条份")

_nr_lock = threading.Lock()
_nr_words: frozenset[str] | None = None


def _jieba_person_names() -> frozenset[str]:
    """Words of jieba's dictionary tagged ``nr`` (person name) that start with a listed surname."""
    global _nr_words
    if _nr_words is None:
        with _nr_lock:
            if _nr_words is None:
                import os

                import jieba

                path = os.path.join(os.path.dirname(jieba.__file__), "dict.txt")
                starts = set(SURNAME_READINGS) | {s[0] for s in COMPOUND_SURNAMES}
                found = set()
                with open(path, encoding="utf-8") as fh:
                    for line in fh:
                        if line[:1] in starts:
                            parts = line.split()
                            if len(parts) == 3 and parts[2] == "nr" and 2 <= len(parts[0]) <= 4:
                                found.add(parts[0])
                _nr_words = frozenset(found)
    return _nr_words


def _surname_at(text: str) -> str:
    """The surname starting ``text`` (compound first), or ``""``."""
    if text[:2] in COMPOUND_SURNAMES:
        return text[:2]
    if text[:1] in SURNAME_READINGS:
        return text[:1]
    return ""


def _readings(surname: str) -> tuple[str, ...]:
    return COMPOUND_SURNAMES.get(surname) or (SURNAME_READINGS[surname],)


def _set(w: Word, readings: tuple[str, ...]) -> None:
    for k, r in enumerate(readings):
        w.syllables[k] = r
        w.sure[k] = True


def _name_with_mou(after: str) -> bool:
    """``after`` follows a surname: 某 / 某某 standing for a given name (not 某地, 某人)."""
    if not after.startswith("某"):
        return False
    rest = after[2:] if after.startswith("某某") else after[1:]
    return rest[:1] not in _SOME_X


def is_phrase(text: str) -> bool:
    """Whether a phrase table of the frontend lists ``text``."""
    from tts.frontend.dictionary import phrase_dictionary

    return text in phrase_dictionary()


def jieba_freq(text: str) -> int:
    """Frequency of ``text`` in jieba's dictionary (0 for a word jieba makes up)."""
    from tts.frontend.segmenter import _shared_tokenizer

    return _shared_tokenizer().FREQ.get(text, 0)


_word_freq = jieba_freq


#: Characters that can start a surname (a quick test before looking at the words).
_STARTS = frozenset(SURNAME_READINGS) | {s[0] for s in COMPOUND_SURNAMES}

#: Words that jieba glues to a following surname (据查某 -> 据查 / 某).
_GLUED_BEFORE = frozenset("据由对向被和与跟同让给叫称")


def _tagged_person(flat: Flat, first: int, n: int, cache: dict[int, frozenset[tuple[int, int]]]) -> bool:
    """Whether jieba's tagger, reading the clause of syllable ``first``, tags the ``n``
    characters from there as a person's name (each clause is tagged once per call)."""
    from tts.frontend.segmenter import person_spans

    lo = first
    while lo > 0 and flat.same_clause(first, lo - 1) and flat.char(lo - 1):
        lo -= 1
    if lo not in cache:
        hi = first
        while hi + 1 < len(flat) and flat.same_clause(first, hi + 1) and flat.char(hi + 1):
            hi += 1
        cache[lo] = person_spans("".join(flat.char(j) for j in range(lo, hi + 1)))
    return (first - lo, first - lo + n) in cache[lo]


#: Common surnames with one reading only, put in a special surname's place to ask the tagger
#: whether the slot holds a full name (:func:`_name_slot`).
_PLAIN_SURNAMES = ("张", "陈")


def _name_slot(flat: Flat, first: int, given_len: int) -> bool:
    """Whether the one-character surname at syllable ``first`` and the ``given_len`` characters
    after it stand in a name's slot: with each of :data:`_PLAIN_SURNAMES` in the surname's place,
    jieba's tagger reads the clause's span as one full name (issue 24, round 6).

    The tagger reads 仇 as the noun "hatred" and 建军, 国庆 as words, so 交给了仇建军 is no name
    to it, while 交给了张建军 and 交给了陈建军 are; in 报了仇雪恨 neither 张雪恨 nor 陈雪恨 is."""
    from tts.frontend.segmenter import person_spans

    lo = first
    while lo > 0 and flat.same_clause(first, lo - 1) and flat.char(lo - 1):
        lo -= 1
    hi = first
    while hi + 1 < len(flat) and flat.same_clause(first, hi + 1) and flat.char(hi + 1):
        hi += 1
    if first + given_len > hi:
        return False
    clause = [flat.char(j) for j in range(lo, hi + 1)]
    span = (first - lo, first - lo + 1 + given_len)
    for plain in _PLAIN_SURNAMES:
        clause[first - lo] = plain
        if span not in person_spans("".join(clause)):
            return False
    return True


def _given_name_after(flat: Flat, wi: int, at: int, cache: dict[int, frozenset[tuple[int, int]]]) -> bool:
    """Whether the word after word ``wi`` is a given name for the surname at syllable ``at``: one
    or two characters that can be a given name, followed by a title (区 / 国华 / 同志) or called a
    (given) name by jieba's tagger, alone or together with the surname (单 / 丽丽)."""
    if wi + 1 >= len(flat.words):
        return False
    nxt = flat.words[wi + 1]
    start = at + 1
    if (not nxt.han or not 1 <= len(nxt.text) <= 2 or any(ch in _NOT_GIVEN for ch in nxt.text)
            or not flat.same_clause(at, start) or flat.text[start:start + len(nxt.text)] != nxt.text):
        return False
    if flat.next_char(start + len(nxt.text) - 1, 3).startswith(TITLES):
        return True  # 向区 / 国华 / 同志
    return _tagged_person(flat, start, len(nxt.text), cache) or _tagged_person(flat, at, 1 + len(nxt.text), cache)


#: Words joining the items of a list (查振华、单晓燕和曾凡宇; 由区永明和翟红完成).
_LIST_JOINERS = frozenset(("和", "与", "及", "以及", "跟", "同", "或"))


def _tagged_item_at(flat: Flat, start: int, cache: dict[int, frozenset[tuple[int, int]]]) -> bool:
    """Whether jieba's tagger reads a person's name of two to four characters starting at syllable
    ``start`` (the next item of a list)."""
    return any(_tagged_person(flat, start, n, cache) for n in (2, 3, 4))


def _tagged_item_before(flat: Flat, end: int, cache: dict[int, frozenset[tuple[int, int]]]) -> bool:
    """Whether jieba's tagger reads a person's name of two to four characters ending at syllable
    ``end`` (inclusive: the item of a list before)."""
    return any(end - n + 1 >= 0 and _tagged_person(flat, end - n + 1, n, cache) for n in (2, 3, 4))


def _joiner_word(w: Word | None) -> bool:
    return w is not None and w.text in _LIST_JOINERS


def _listed_with_a_person(flat: Flat, start: int, end: int, cache: dict[int, frozenset[tuple[int, int]]]) -> bool:
    """Whether syllables [start, end) stand as one item of a list whose neighbouring item jieba's
    tagger reads as a person's name: 、 or 和/与/及 … between them, on either side (issue 24, round 6).

    Items of one list are of one kind, so 查 / 振华 listed beside 单晓燕 is a name too, though the
    tagger alone reads 查 there as the verb "check"; 查资料、写报告 has no person beside it.
    """
    if end < len(flat):
        if flat.pause_after(end - 1) == "、" and _tagged_item_at(flat, end, cache):
            return True
        nxt = flat.words[flat.word_index(end)]
        if (flat.pos(end) == 0 and flat.same_clause(end - 1, end) and _joiner_word(nxt)
                and end + len(nxt.syllables) < len(flat) and flat.same_clause(end, end + len(nxt.syllables))
                and _tagged_item_at(flat, end + len(nxt.syllables), cache)):
            return True
    if start > 0:
        if flat.pause_after(start - 1) == "、" and _tagged_item_before(flat, start - 1, cache):
            return True
        prev = flat.prev_word(start) if flat.pos(start) == 0 else None
        if _joiner_word(prev) and prev is not None:
            before = start - len(prev.syllables) - 1
            if before >= 0 and flat.same_clause(before, start) and _tagged_item_before(flat, before, cache):
                return True
    return False


def _given_name_word(w: Word | None, is_phrase: Callable[[str], bool]) -> bool:
    """Whether ``w`` can be a given name after a surname: one or two Chinese characters none of
    which is a function word (:data:`_NOT_GIVEN`), and no phrase-table word (振华 is; 资料 is not)."""
    return (w is not None and w.han and 1 <= len(w.text) <= 2 and len(w.syllables) == len(w.text)
            and not any(ch in _NOT_GIVEN for ch in w.text) and not is_phrase(w.text))


#: Personal pronouns: a surname that is also a verb or adverb right after one is that verb or
#: adverb (他曾率兵 "he once led troops", 她单说 …), since a pronoun does not stand before a name.
_PRONOUNS = frozenset(("他", "她", "我", "你", "您", "它", "他们", "她们", "我们", "你们", "咱们", "大家", "自己"))


def _after_subject(flat: Flat, first: int, prev: Word | None,
                   cache: dict[int, frozenset[tuple[int, int]]]) -> bool:
    """Whether the word before syllable ``first`` is a subject, so a verb-like surname there
    (:data:`_VERBAL`: 曾 查 单 …) is the verb or adverb: a personal pronoun, or a full name
    that jieba's tagger reads as a person's name (范仲淹曾率兵; two names do not abut, issue 24
    round 5).  A one-character word before is never taken for a name here (和, 叫 introduce one)."""
    if prev is None:
        return False
    if prev.text in _PRONOUNS:
        return True
    n = len(prev.text)
    return prev.han and 2 <= n <= 4 and prev.text not in TITLES and _tagged_person(flat, first - n, n, cache)


#: 老 / 小 before a surname make a familiar form of address (老单, 小查, 老解): issue 24, round 5.
_FAMILIAR = frozenset("老小")

#: Surname characters whose common reading is also a common given name or nickname after 小
#: (小华 Huá, 小燕 Yàn, 小宁 Níng, 小黑 "Blackie"; 老黑 too), so 小X / 老X with them stays as it is.
_FAMILIAR_GIVEN = {"小": frozenset("华燕宁黑"), "老": frozenset("黑")}


def _familiar_surname(flat: Flat, i: int, is_phrase: Callable[[str], bool]) -> bool:
    """Whether syllable ``i`` (a one-character surname of :data:`SURNAME_READINGS`) follows 老/小
    as a familiar form of address: 老单今天…, 小查，…, 我和老曾….

    The 老/小 starts a jieba word (not 很老), the pair is no phrase-table word (老区, 小区, 小解
    "to pee", 小过, 小任 keep their readings), the surname ends its jieba word (老单位, 小单间,
    老任务, 老过来 do not), and the pair opens the clause or follows a word introducing a person
    (和, 叫, 的 …), so 他老查资料 ("keeps checking") stays a verb.
    """
    ch, familiar = flat.char(i), flat.char(i - 1)
    if familiar not in _FAMILIAR or not flat.same_clause(i - 1, i) or ch in _FAMILIAR_GIVEN[familiar]:
        return False
    if flat.pos(i - 1) != 0 or flat.pos(i) != len(flat.word(i).syllables) - 1:
        return False
    if is_phrase(familiar + ch) or flat.frozen(i):
        return False
    before = flat.prev_char(i - 1, 1)
    return not before or _introduces_person(flat.prev_word(i - 1))


def _familiar_forms(flat: Flat, is_phrase: Callable[[str], bool]) -> None:
    """Give the surname of 老X / 小X (:func:`_familiar_surname`) its surname reading."""
    for i in range(1, len(flat)):
        if flat.char(i) in SURNAME_READINGS and _familiar_surname(flat, i, is_phrase):
            w = flat.word(i)
            w.syllables[flat.pos(i)] = SURNAME_READINGS[flat.char(i)]
            w.sure[flat.pos(i)] = True


#: Polyphones read one way in a given name (现代汉语词典's reading for the sense names take):
#: 长 cháng "long, lasting" (刘长卿, 何长工, 关云长; zhǎng "to grow, elder" is not a name's), 相 xiàng
#: "minister" (蔺相如, 司马相如), 蕻 hóng "luxuriant" (端木蕻良; hòng only in 雪里蕻, a vegetable).
GIVEN_NAME_READINGS: dict[str, str] = {"长": "chang2", "相": "xiang4", "蕻": "hong2"}


def _name_as_phrase(word: str) -> bool:
    """Whether ``word``, a phrase-table word, is a full name whose phrase reading need not stand:
    three or four characters opening with a surname CC-CEDICT lists (one character, or two for
    four: 蔺 / 相如, 端木 / 蕻良), its given name (the last two) no word of jieba's dictionary
    (issue 24, round 6).  The phrase tables copy names with each character's first reading
    (蔺相如 xiāng, 端木蕻良 hòng), so the name's reading of :data:`GIVEN_NAME_READINGS` decides;
    单相思 (相思 is a word) and idioms (官官相护: 官官 is no surname) keep theirs."""
    from tts.frontend.proper_names import cedict_surnames

    return len(word) in (3, 4) and word[:len(word) - 2] in cedict_surnames() and not jieba_freq(word[-2:])


def _given_name_polyphones(flat: Flat, is_phrase: Callable[[str], bool],
                           cache: dict[int, frozenset[tuple[int, int]]]) -> None:
    """Give a polyphone of :data:`GIVEN_NAME_READINGS` its name reading inside a full name of three
    or four characters that jieba's tagger reads as a person's name in its clause (issue 24, round 6).

    The character must sit in the given name (after a one-character surname, or after a compound
    surname of :data:`COMPOUND_SURNAMES`), and the jieba word holding it must be no word of the
    phrase tables (上官|长老 keeps 长老 zhǎnglǎo, 丞相 stays a title); only words jieba made up
    or the name as one word are read here, so 成长, 长期, 互相 are never looked at.
    """
    text = flat.text
    for i, ch in enumerate(text):
        reading = GIVEN_NAME_READINGS.get(ch)
        if reading is None or flat.frozen(i) or flat.syllable(i) == reading:
            continue
        w = flat.word(i)
        if not w.han or len(w.text) != len(w.syllables) or (
                len(w.text) > 1 and is_phrase(w.text) and not _name_as_phrase(w.text)):
            continue
        start, end = i - flat.pos(i), i - flat.pos(i) + len(w.text)
        # A name of three (surname + two) or four characters (two-character surname + two)
        # covering the whole jieba word, with the character in its given name (the last two).
        spans = [(first, n) for n in (3, 4) for first in range(max(0, end - n), start + 1)
                 if first + n >= end and n - 2 <= i - first < n]
        for first, n in spans:
            if first + n > len(flat) or not flat.same_clause(first, first + n - 1):
                continue
            given = text[first + n - 2:first + n]
            # A phrase-table word decides itself (司马相如) unless it is a name the tables copy with
            # first readings (:func:`_name_as_phrase`: 蔺相如), and so does a "given name" that jieba
            # knows as a word (长江 and 长青 read cháng already; 上官长老 is "the elder", zhǎng);
            # 长卿 is only the herb 徐长卿 in the phrase tables, unknown to jieba.
            name = text[first:first + n]
            if (is_phrase(name) and not _name_as_phrase(name)) or jieba_freq(given) \
                    or not _tagged_person(flat, first, n, cache):
                continue
            w.syllables[flat.pos(i)] = reading
            w.sure[flat.pos(i)] = True
            break


def apply(flat: Flat, is_phrase: Callable[[str], bool] = is_phrase,
          word_freq: Callable[[str], int] = _word_freq) -> None:
    """Give surnames their surname reading where the context makes them a name.

    ``is_phrase(text)`` tells whether a phrase table lists ``text``;
    ``word_freq(text)`` is its jieba frequency (0 for a word jieba made up).
    """
    text = flat.text
    if not set(GIVEN_NAME_READINGS).isdisjoint(text):
        _given_name_polyphones(flat, is_phrase, {})
    if _STARTS.isdisjoint(text):
        return
    _familiar_forms(flat, is_phrase)
    tagged: dict[int, frozenset[tuple[int, int]]] = {}
    # Words holding a character that can start a surname: word index -> its first syllable.
    candidates = {flat.word_index(i): i - flat.pos(i) for i, ch in enumerate(text) if ch in _STARTS}
    for wi, first in sorted(candidates.items()):
        w = flat.words[wi]
        n = len(w.syllables)
        if not w.han or w.frozen or len(w.text) != n:
            continue
        text = w.text
        # 某 after a surname that jieba glued to the word before (据查某介绍).
        glued_after = flat.next_char(first + 1, 3)
        if n == 2 and text[0] in _GLUED_BEFORE and text[1] in SURNAME_READINGS and (
            _name_with_mou(glued_after) or glued_after.startswith(TITLES)
            or _given_name_after(flat, wi, first + 1, tagged)
            or (wi + 1 < len(flat.words) and _given_name_word(flat.words[wi + 1], is_phrase)
                and flat.same_clause(first + 1, first + 2)
                and _listed_with_a_person(flat, first, first + 2 + len(flat.words[wi + 1].text), tagged))
        ):
            w.syllables[1] = SURNAME_READINGS[text[1]]
            w.sure[1] = True
            continue
        # 姓 glued to the surname by jieba (姓区, 复姓尉迟 -> 复姓 / 尉迟 is handled below).
        if len(text) > 1 and text[0] == "姓" and _surname_at(text[1:]) == text[1:]:
            readings = _readings(text[1:])
            for k, r in enumerate(readings, start=1):
                w.syllables[k] = r
                w.sure[k] = True
            continue
        surname = _surname_at(text)
        if not surname:
            continue
        before = flat.prev_char(first, 2)
        prev = flat.prev_word(first)
        if surname in _VERBAL and _after_subject(flat, first, prev, tagged):
            continue  # 他曾率兵, 范仲淹曾率兵: the adverb or verb after its subject
        after = flat.next_char(first + n - 1, 4)
        if len(text) == len(surname):
            if before.endswith("姓"):
                _set(w, _readings(surname))
                continue
            nxt = flat.words[wi + 1] if wi + 1 < len(flat.words) else None
            given_then_title = (
                nxt is not None and nxt.han and len(nxt.text) <= 2 and not any(ch in _NOT_GIVEN for ch in nxt.text)
                and after[len(nxt.text):].startswith(TITLES) and not after.startswith(TITLES)
            )  # 区 / 志强 / 先生
            # 区 / 志强 / 说: a given name no phrase table lists, then a predicate, at the start
            # of a clause or after a word introducing a person.
            given_then_predicate = (
                nxt is not None and nxt.han and len(nxt.text) <= 2 and not is_phrase(nxt.text)
                and not any(ch in _NOT_GIVEN for ch in nxt.text)
                and after[len(nxt.text):].startswith(_PREDICATE_START)
                and (not before or _introduces_person(prev))
            )
            # 是 / 葛 / 天明 。: a given name closing the clause, the surname tagged nr by jieba's
            # part-of-speech tagger (which reads 葛 there as a name, 查 as a verb).
            given_then_end = (
                nxt is not None and nxt.han and len(nxt.text) <= 2 and not any(ch in _NOT_GIVEN for ch in nxt.text)
                and len(after) == len(nxt.text) and _tagged_person(flat, first, n, tagged)
            )
            # 有 / 曾 / 小贤 、: a full name closing the clause (a list item), which the tagger reads
            # as one name; that reading is evidence enough even for a surname that is also a verb.
            full_name_at_end = (
                nxt is not None and nxt.han and len(nxt.text) <= 2 and not any(ch in _NOT_GIVEN for ch in nxt.text)
                and len(after) == len(nxt.text) and not is_phrase(nxt.text)
                and _tagged_person(flat, first, n + len(nxt.text), tagged)
            )
            # 和 / 单 / 丽丽, 给 / 朴 / 敏浩: after a word introducing a person, the tagger reads
            # the next word as a given name (or the two as one full name).
            given_tagged = (not before or _introduces_person(prev)) and _given_name_after(
                flat, wi, first, tagged)
            # 交给 / 缪 / 建华: a surname that is not an everyday word, which the tagger reads as a
            # name by itself, before a word that can be a given name (round 3 of issue 24).
            surname_tagged = (
                surname not in _VERBAL and nxt is not None and nxt.han and 1 <= len(nxt.text) <= 2
                and not any(ch in _NOT_GIVEN for ch in nxt.text) and flat.same_clause(first, first + n)
                and _tagged_person(flat, first, n, tagged)
            )
            # 查 / 振华 、单晓燕: an item of a list whose neighbouring item the tagger reads as a
            # person's name (round 6); evidence enough even for a surname that is also a verb.
            listed = (
                _given_name_word(nxt, is_phrase) and nxt is not None and flat.same_clause(first, first + n)
                and _listed_with_a_person(flat, first, first + n + len(nxt.text), tagged)
            )
            # 交给了 / 仇 / 建军: a given name that is also a word (建军, 国庆) after a word
            # introducing a person, where a plain surname in its place makes a name (round 6).
            slot = (
                (not before or _introduces_person(prev)) and len(surname) == 1
                and nxt is not None and nxt.han and len(nxt.text) == 2 == len(nxt.syllables)
                and not any(ch in _NOT_GIVEN for ch in nxt.text) and flat.same_clause(first, first + 2)
                and _name_slot(flat, first, 2)
            )
            if not (after.startswith(TITLES) or _name_with_mou(after) or given_then_title
                    or given_then_predicate or given_then_end or given_tagged or full_name_at_end
                    or surname_tagged or listed or slot):
                continue
            if after.startswith(("某人", "某些", "某种")):
                continue
            if surname in _VERBAL and before and not _introduces_person(prev) \
                    and not full_name_at_end and not listed:
                continue
            _set(w, _readings(surname))
            continue
        given = text[len(surname):]
        if given in TITLES and not is_phrase(text):
            # 朴总, 曾家 glued into one word (a verb-like surname needs a person's context).
            if not (surname in _VERBAL and before and not _introduces_person(prev)):
                _set(w, _readings(surname))
            continue
        if given in ("某", "某某") and _name_with_mou(given + after):
            _set(w, _readings(surname))  # 查某, 区某某: a withheld given name
            continue
        if len(given) > 2 and word_freq(text) == 0 and any(
            _tagged_person(flat, first, k, tagged) for k in (len(surname) + 2, len(surname) + 1)
        ):
            # 给 / 朴敏浩发: jieba's HMM glued the next character to a full name its tagger finds.
            if not (surname in _VERBAL and before and not _introduces_person(prev)):
                _set(w, _readings(surname))
            continue
        if len(given) > 2 or any(ch in _NOT_GIVEN for ch in given):
            continue
        # 查询台, 单人房: a word plus a character, not surname + given name.
        # (jieba's dictionary tags even 查询台 as a name, so this check comes first).
        if len(given) == 2 and len(surname) == 1 and word_freq(text[:2]):
            continue
        # A phrase table's reading is kept, unless jieba knows the word only as a person's
        # name or not at all (two-character words only for surnames that are not everyday
        # words: 任凭 and 华为 are tagged as names too).
        if is_phrase(text) and not (
            (len(text) == 3 or surname not in _VERBAL)
            and (text in _jieba_person_names() or word_freq(text) == 0)
        ):
            continue
        if word_freq(text) == 0 or text in _jieba_person_names():
            # The tagger's word for a two-character word jieba's dictionary lists is only that
            # dictionary's tag (葛藤 and 华为 are tagged nr there), not evidence from the clause.
            tagger_counts = (len(given) == 2 or word_freq(text) == 0) and _tagged_person(flat, first, n, tagged)
            if surname in _VERBAL and before and not before.endswith("姓") and (
                not _introduces_person(prev)
            ) and not tagger_counts:
                continue
            # A two-character name (解缙) needs the clause to be about the person: a title,
            # or a predicate right after it; 的解法 is not a name.
            if len(given) == 1 and not (after.startswith(TITLES) or after.startswith(_PREDICATE_START)) and (
                prev is None or prev.text not in ("叫", "名叫", "叫做", "姓")
            ) and not tagger_counts and (surname in _VERBAL or not _introduces_person(prev)):
                continue
            _set(w, _readings(surname))
