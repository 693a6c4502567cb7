"""Issue 24, item 2: polyphones decided by patterns that generalize, not by word entries.

Each case names a sentence (Chinese characters only, so syllable ``k`` is character ``k``), the
character looked at and the reading it must take; the sentences were written for the patterns
(a classifier after a numeral, a verb before its complement, 得 of a verb of getting, …), with
cases where the pattern must stay silent.  The development sentences that led to the patterns
are in ``tests/data/frontend_dev_genres.tsv`` and are not repeated here.
"""

from __future__ import annotations

import pytest
from conftest import reading_of

from tts.frontend import Frontend


@pytest.fixture(scope="module")
def fe() -> Frontend:
    return Frontend()


# A polyphone with a classifier reading, after a numeral or demonstrative and before its noun,
# or reduplicated ("every"): measure_words.py.
CLASSIFIERS = [
    ("墙上写着两行大字", "行", "hang2"),
    ("他脸上挂着两行眼泪", "行", "hang2"),
    ("请删掉第三行", "行", "hang2"),
    ("错误出在第十行", "行", "hang2"),
    ("这行代码有问题", "行", "hang2"),
    ("文件最后一行空着", "行", "hang2"),
    ("树上停着一行大雁", "行", "hang2"),
    ("行行出状元", "行", "hang2"),
    ("这座城市有几处古迹", "处", "chu4"),
    ("村里有三处水井", "处", "chu4"),
    ("河边那处房子很旧", "处", "chu4"),
    ("他在两处工地上班", "处", "chu4"),
    ("处处都是鲜花", "处", "chu4"),
    ("今晚有两场音乐会", "场", "chang3"),
    ("这场战斗很激烈", "场", "chang3"),
    ("穿过三重门", "重", "chong2"),
    ("隔着两重院墙", "重", "chong2"),
    ("他挑来一担水", "担", "dan4"),
    ("仓库里有两担粮食", "担", "dan4"),
]

# The same characters where the pattern must not apply.
NOT_CLASSIFIERS = [
    ("代表团一行人抵达北京", "行", "xing2"),  # the party travelling
    ("代表团一行五人抵达", "行", "xing2"),
    ("我们一起处置这件事", "处", "chu3"),  # 处 opens the word 处置
    ("这重要吗", "重", "zhong4"),
    ("他们一起行动", "行", "xing2"),
    ("他在银行上班", "行", "hang2"),
]

# A polyphonic verb outside dictionary words before a directional or resultative complement.
VERB_BEFORE_COMPLEMENT = [
    ("把米饭盛到碗里", "盛", "cheng2"),
    ("把汤盛进保温桶", "盛", "cheng2"),
    ("把盐撒在肉上", "撒", "sa3"),
    ("往锅里撒入白糖", "撒", "sa3"),
    ("再撒上芝麻", "撒", "sa3"),
    ("他一头钻进水里", "钻", "zuan1"),
    ("把绳子卷成一团", "卷", "juan3"),
    ("把被子铺在床上", "铺", "pu1"),
    ("把裤脚缝上", "缝", "feng2"),
    ("把钱藏起来", "藏", "cang2"),
]

NOT_VERB_BEFORE_COMPLEMENT = [
    ("他被调到上海工作", "调", "diao4"),  # the sense decides 调, not the slot
    ("院子里的花盛开了", "盛", "sheng4"),
    ("门口有两扇上锁的门", "扇", "shan4"),  # a classifier after a numeral
    ("他转到另一所学校", "转", "zhuan3"),
]

# 得 closing a word of getting is de2; 得 before 的 is de2.
DE_OF_GETTING = [
    ("我们夺得了冠军", "得", "de2"),
    ("他赢得了比赛", "得", "de2"),
    ("她取得了好成绩", "得", "de2"),
    ("演员博得了掌声", "得", "de2"),
    ("他获得一等奖", "得", "de2"),
    ("他得的是感冒", "得", "de2"),
    ("我得的分数最高", "得", "de2"),
]

NOT_DE_OF_GETTING = [
    ("他跑得很快", "得", "de5"),
    ("我得去上班了", "得", "dei3"),
    ("他们玩得很开心", "得", "de5"),
]

# 切 standing alone is the verb qie1; 哪 closing a clause is the particle; 调 adjusted.
OTHER_PATTERNS = [
    ("把肉切丝", "切", "qie1"),
    ("把土豆切块", "切", "qie1"),
    ("把葱切段", "切", "qie1"),
    ("切不可大意", "切", "qie4"),
    ("一切都好", "切", "qie4"),
    ("这可怎么办哪", "哪", "na5"),
    ("你可真行哪", "哪", "na5"),
    ("你去哪", "哪", "na3"),
    ("他住在哪", "哪", "na3"),
    ("股价出现回调", "调", "tiao2"),
]

# A reduplicated polyphonic verb keeps its neutral second syllable; a reduplicated classifier
# keeps its full tone.
REDUPLICATED = [
    ("你数数有几个", "shu3 shu5"),
    ("你教教我", "jiao1 jiao5"),
    ("处处闻啼鸟", "chu4 chu4"),
    ("行行出状元", "hang2 hang2"),
]


@pytest.mark.parametrize(("text", "char", "reading"), CLASSIFIERS + NOT_CLASSIFIERS)
def test_classifier_slot(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert reading_of(fe, text, char) == reading, text


@pytest.mark.parametrize(("text", "char", "reading"), VERB_BEFORE_COMPLEMENT + NOT_VERB_BEFORE_COMPLEMENT)
def test_verb_before_a_complement(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert reading_of(fe, text, char) == reading, text


@pytest.mark.parametrize(("text", "char", "reading"), DE_OF_GETTING + NOT_DE_OF_GETTING)
def test_de_of_getting(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert reading_of(fe, text, char) == reading, text


@pytest.mark.parametrize(("text", "char", "reading"), OTHER_PATTERNS)
def test_qie_na_tiao(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert reading_of(fe, text, char) == reading, text


@pytest.mark.parametrize(("text", "pair"), REDUPLICATED)
def test_reduplicated_verb_or_classifier(fe: Frontend, text: str, pair: str) -> None:
    first = next(i for i in range(len(text) - 1) if text[i] == text[i + 1])
    assert " ".join(fe.pinyin(text)[first:first + 2]) == pair, text


@pytest.mark.parametrize(("text", "char", "stage"), [
    ("树上停着一行大雁", "行", "measure word (measure_words.py)"),
    ("把米饭盛到碗里", "盛", "verb before a complement (polyphones._verb_before_complement)"),
    ("我们夺得了冠军", "得", "得 of a verb of getting (polyphones._de_of_getting)"),
    ("把肉切丝", "切", "context rule 切 (polyphones._qie)"),
    ("这可怎么办哪", "哪", "context rule 哪 (polyphones._na)"),
])
def test_explain_names_the_pattern(fe: Frontend, text: str, char: str, stage: str) -> None:
    sources = fe.explain(text)
    found = [s for s in sources if s.text == char]
    assert found and stage in found[0].source, [(s.text, s.source) for s in sources]


@pytest.mark.parametrize(("word", "pieces"), [
    ("大部地区", ["大部", "地区"]),  # greedy matching took 大部地 + 区
    ("饺子皮", ["饺子", "皮"]),  # equal cuts: the longer first piece, as greedy matching
    ("银行行长", ["银行", "行长"]),
])
def test_words_no_table_lists_are_cut_leaving_fewest_characters_alone(word: str, pieces: list[str]) -> None:
    from tts.frontend.dictionary import phrase_dictionary
    from tts.frontend.g2p import _forward_max_match

    assert _forward_max_match(word, phrase_dictionary()) == pieces


@pytest.mark.parametrize(("text", "char", "reading"), [
    ("该行行长表示", "行", "hang2"),  # 该行 "the said bank"
    ("本行员工", "行", "hang2"),
    ("北方大部地区有雨", "地", "di4"),
])
def test_bank_and_region_readings(fe: Frontend, text: str, char: str, reading: str) -> None:
    assert reading_of(fe, text, char) == reading, text


# ---------------------------------------------------------------- round 2 (frontend_dev_genres2.tsv)

def han_readings(fe: Frontend, text: str) -> tuple[str, list[str]]:
    """The Chinese characters of ``text`` and one syllable per character (punctuation is not read)."""
    han = "".join(c for c in text if "\u4e00" <= c <= "\u9fff")
    syllables = fe.pinyin(text)
    assert len(syllables) == len(han), (text, syllables)
    return han, syllables


INTERJECTION_STAGE = "interjection closed by its punctuation (interjections.py)"

# An interjection making a clause of its own, read by the mark that closes it (interjections.py).
INTERJECTIONS = [
    ("嗯，我知道了。", "n4"),
    ("嗯，就这么办吧。", "n4"),
    ("好的，嗯。", "n4"),
    ("嗯？你说什么？", "n2"),
    ("嗯！你怎么还没走？", "n3"),
    ("哦，原来是你啊。", "o4"),
    ("哦，我明白了。", "o4"),
    ("哦？他也要来？", "o2"),
    ("啊？你说什么？", "a2"),
    ("啊，这花真好看！", "a1"),  # the exclamation: the neutral-tone stage's ā stays
]


@pytest.mark.parametrize(("text", "reading"), INTERJECTIONS)
def test_interjection_by_its_punctuation(fe: Frontend, text: str, reading: str) -> None:
    han, syllables = han_readings(fe, text)
    at = next(k for k, c in enumerate(han) if c in "嗯哦啊")
    assert syllables[at] == reading, syllables


# Inside a clause the same characters are particles or verbs: the stage stays silent.
@pytest.mark.parametrize("text", ["是啊，我也这么想。", "好哦，明天见。", "他嗯了一声。", "你去哪儿啊？"])
def test_interjection_stage_silent_inside_a_clause(fe: Frontend, text: str) -> None:
    assert not any(INTERJECTION_STAGE in s.source for s in fe.explain(text))


def test_explain_names_the_interjection_stage(fe: Frontend) -> None:
    first = fe.explain("嗯，好的。")[0]
    assert first.text == "嗯" and INTERJECTION_STAGE in first.source, first


# 还 before a potential complement (还不起, 还得清) is "pay back"; before a verb it is "still".
HUAN_POTENTIAL = [
    ("钱借太多了还不起", "huan2"),
    ("这笔债三年也还不清", "huan2"),
    ("房贷快要还不上了", "huan2"),
    ("这些钱他还得起", "huan2"),
    ("背了一身还不完的债", "huan2"),
    ("他到现在还不起床", "hai2"),
    ("她今天还不上班", "hai2"),
    ("你还不上车吗", "hai2"),
]


@pytest.mark.parametrize(("text", "reading"), HUAN_POTENTIAL)
def test_huan_before_a_potential_complement(fe: Frontend, text: str, reading: str) -> None:
    assert reading_of(fe, text, "还") == reading, text


# 上调/下调 of an amount or rate is tiao2; the transfer of a person (上调到省里) keeps diao4.
TIAO_OF_AMOUNT = [
    ("央行决定上调存款利率", "tiao2"),
    ("分析师将目标价上调至五十元", "tiao2"),
    ("他的工资上调了三百元", "tiao2"),
    ("油价今晚上调", "tiao2"),
    ("评级被上调为买入", "tiao2"),
    ("贷款利率下调零点一个百分点", "tiao2"),
    ("他从县里上调到省里工作", "diao4"),
    ("我们马上调查清楚", "diao4"),
]


@pytest.mark.parametrize(("text", "reading"), TIAO_OF_AMOUNT)
def test_tiao_of_an_amount(fe: Frontend, text: str, reading: str) -> None:
    assert reading_of(fe, text, "调") == reading, text


def test_explain_names_tiao_of_an_amount(fe: Frontend) -> None:
    found = [s for s in fe.explain("央行决定上调存款利率") if s.text == "调"]
    assert found and "上调/下调 of an amount (polyphones._tiao_of_amount)" in found[0].source, found


# 还 making a word with money owed (还款, 还贷) is huan2, whatever a phrase table says.
HUAN_OF_DEBT = [
    ("每月要按时还款", "huan2"),
    ("他申请延期还款", "huan2"),
    ("下个月开始还贷", "huan2"),
    ("借了钱就得还钱", "huan2"),
    ("我还有一点时间", "hai2"),  # 还有: not money owed
    ("他还欠着银行的款", "hai2"),
]


@pytest.mark.parametrize(("text", "reading"), HUAN_OF_DEBT)
def test_huan_of_money_owed(fe: Frontend, text: str, reading: str) -> None:
    assert reading_of(fe, text, "还") == reading, text


# 血 alone is the spoken xie3; in a compound jieba knows but no table lists it is xue4.
@pytest.mark.parametrize(("text", "reading"), [
    ("伤口还在渗血", "xue4"),
    ("他流了点血", "xie3"),
    ("手上全是血", "xie3"),
])
def test_xue_in_a_compound_xie_alone(fe: Frontend, text: str, reading: str) -> None:
    assert reading_of(fe, text, "血") == reading, text


# 地 after a numeral or demonstrative and a classifier of land is the noun di4.
@pytest.mark.parametrize(("text", "reading"), [
    ("这块地种满了玉米", "di4"),
    ("他家有三亩地", "di4"),
    ("那片地已经荒了", "di4"),
    ("他慢慢地走了", "de5"),
    ("把砖一块块地搬走", "de5"),  # 块块: no numeral right before the classifier
])
def test_di_after_a_classifier_of_land(fe: Frontend, text: str, reading: str) -> None:
    assert reading_of(fe, text, "地") == reading, text


def test_explain_names_huan_of_money_owed(fe: Frontend) -> None:
    found = [s for s in fe.explain("他申请延期还款") if s.syllable == "huan2"]
    assert found and "还 of money owed (polyphones._huan_of_debt)" in found[0].source, found
