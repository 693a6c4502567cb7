"""Issue 24 round 6 (finance): spans of years (2025-2027年), 差 of a difference in unlisted nouns
(息差), a polyphonic verb after the particle 所 (所处), 为 before a colon or a rate per unit, 还
before a pronoun closing the clause, and the dictionary corrections 还款/所得/单个/已降."""

import pytest
from conftest import assert_syllables, reading_of

# A span of years before 年: both years read digit by digit and the dash is 到.
YEAR_SPANS = [
    ("2025-2027年", "er4 ling2 er4 wu3 dao4 er4 ling2 er4 qi1 nian2"),
    ("2025年-2027年", "er4 ling2 er4 wu3 nian2 dao4 er4 ling2 er4 qi1 nian2"),
    ("2023—2025年间", "er4 ling2 er4 san1 dao4 er4 ling2 er4 wu3 nian2 jian1"),
    ("1998~2003年", "yi1 jiu2 jiu3 ba1 dao4 er4 ling2 ling2 san1 nian2"),
    ("2024至2026年", "er4 ling2 er4 si4 zhi4 er4 ling2 er4 liu4 nian2"),
]

# Not a span of years: one year, a range of small numbers of years, a number that is no year.
NOT_YEAR_SPANS = [
    ("2024年营收", "er4 ling2 er4 si4 nian2 ying2 shou1"),
    ("增长3-5年", "zeng1 zhang3 san1 dao4 wu3 nian2"),
    ("1000-2000年前", "yi4 qian1 er4 ling2 ling2 ling2 nian2 qian2"),
    ("2024-2025赛季", "er4 ling2 er4 si4 dao4 er4 ling2 er4 wu3 sai4 ji4"),
]


@pytest.mark.parametrize(("text", "want"), YEAR_SPANS + NOT_YEAR_SPANS)
def test_spans_of_years(fe, text: str, want: str) -> None:
    assert_syllables(fe.pinyin(text), want, text)


# 差 closing an unlisted two-character word jieba's dictionary tags a noun: the difference.
CHA_DIFFERENCE = ["银行息差收窄", "净息差已降至低位", "期现价差扩大", "中美利差倒挂", "温差很大"]
# 差 "poor, short" (jieba's verbs, adverbs of degree, 变) and the errand stay as they were.
CHA_SILENT = [
    ("他的成绩稍差", "cha4"),
    ("质量变差了", "cha4"),
    ("他的表现较差", "cha4"),
    ("服务质量差", "cha4"),
    ("信号越来越差", "cha4"),
    ("他去出差了", "chai1"),
]


@pytest.mark.parametrize("text", CHA_DIFFERENCE)
def test_cha_of_a_difference(fe, text: str) -> None:
    assert reading_of(fe, text, "差") == "cha1"


@pytest.mark.parametrize(("text", "want"), CHA_SILENT)
def test_cha_poor_or_errand_is_left_alone(fe, text: str, want: str) -> None:
    assert reading_of(fe, text, "差") == want


# A polyphonic verb right after the particle 所: its verb reading.
VERB_AFTER_SUO = [
    ("公司所处行业竞争加剧", "处", "chu3"),
    ("我们所处的时代", "处", "chu3"),
    ("博物馆所藏文物", "藏", "cang2"),
    ("他所教的学生", "教", "jiao1"),
]
# 所 as a word's end or a classifier, 处 opening a word, and 民心所系 stay as they were.
VERB_AFTER_SUO_SILENT = [
    ("研究所处长", "处", "chu4"),
    ("所到之处", "处", "chu4"),
    ("民心所系", "系", "xi4"),
    ("到处都是人", "处", "chu4"),
]


@pytest.mark.parametrize(("text", "char", "want"), VERB_AFTER_SUO + VERB_AFTER_SUO_SILENT)
def test_verb_after_the_particle_suo(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


# 为 before a colon, or before an amount per unit closing the clause: "be", wei2.
WEI2 = [
    "公司利润分配方案为：每十股派二元",
    "主要原因为：需求下降",
    "本次发行价格为每股十二元",
    "回购价格为每股不超过二十元",
    "票价为每人五十元",
]
# 为 "for": whom something is done for, the clause going on past the amount, a completed action.
WEI4 = [
    "我们为每位客户提供服务",
    "他为每个孩子准备了礼物",
    "公司为每十名员工配备一名助理",
    "学校为每人发了一百元",
    "他为这件事操心",
]


@pytest.mark.parametrize("text", WEI2)
def test_wei_of_being(fe, text: str) -> None:
    # The colon reads no syllable, and it comes after 为: 为's index is its syllable's.
    assert fe.pinyin(text)[text.index("为")] == "wei2"


@pytest.mark.parametrize("text", WEI4)
def test_wei_of_doing_for_is_left_alone(fe, text: str) -> None:
    assert reading_of(fe, text, "为") == "wei4"


# 还 before a pronoun that closes the clause: "give back", huan2.
HUAN_PRONOUN = ["我下个月一定还你", "明天还你们", "这笔钱我会还他"]
# 还 "still" before a pronoun that the clause goes on from.
HAI_PRONOUN = ["今天还他值班", "现在还你们两个人在加班", "你比他还高"]


@pytest.mark.parametrize("text", HUAN_PRONOUN)
def test_huan_before_a_pronoun_closing_the_clause(fe, text: str) -> None:
    assert reading_of(fe, text, "还") == "huan2"


@pytest.mark.parametrize("text", HAI_PRONOUN)
def test_hai_before_a_pronoun_in_a_longer_clause(fe, text: str) -> None:
    assert reading_of(fe, text, "还") == "hai2"


# Dictionary corrections (现代汉语词典; CC-CEDICT agrees on 还款 and 所得).
CORRECTED = [
    ("每月还款额固定", "还", "huan2"),
    ("并入综合所得计算纳税", "得", "de2"),
    ("他一无所得", "得", "de2"),
    ("按照单个存货项目计提", "个", "ge4"),
    ("净息差已降至低位", "降", "jiang4"),
    ("他们最终投降了", "降", "xiang2"),
]


@pytest.mark.parametrize(("text", "char", "want"), CORRECTED)
def test_dictionary_corrections(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


# Number forms of finance text: a ratio written with a colon after 按/比例 or before 的比例/兑换,
# basis points after a number, the 星 of a delisting-risk stock name.
NUMBER_FORMS = [
    ("按1:10的比例缩股", "an4 yi1 bi3 shi2 de5 bi3 li4 suo1 gu3"),
    ("配比为1:2", "pei4 bi3 wei2 yi1 bi3 er4"),
    ("降息25bp", "jiang4 xi1 er4 shi2 wu3 ge4 ji1 dian3"),
    ("上行10bps", "shang4 xing2 shi2 ge4 ji1 dian3"),
]
# A clock time, a keypad code and a plain ST stay as they were.
NUMBER_FORMS_SILENT = [
    ("会议于10:30开始", "hui4 yi4 yu2 shi2 dian3 san1 shi2 fen1 kai1 shi3"),
    ("下午2:30见", "xia4 wu3 liang2 dian3 san1 shi2 fen1 jian4"),
    ("拨打*100#", "bo1 da3 xing1 hao4 yao1 ling2 ling2 jing3 hao4"),
]


@pytest.mark.parametrize(("text", "want"), NUMBER_FORMS + NUMBER_FORMS_SILENT)
def test_finance_number_forms(fe, text: str, want: str) -> None:
    assert_syllables(fe.pinyin(text), want, text)


@pytest.mark.parametrize("text", ["*ST康美", "*ST公司股票将被终止上市"])
def test_star_of_a_delisting_risk_name(fe, text: str) -> None:
    # The letters' own reading belongs to the English mapping; 星 comes first.
    assert fe.pinyin(text)[0] == "xing1"


# 为 between a noun subject and a rest of the sentence that is only a noun phrase: "be", wei2.
EQUATIVE_WEI = [
    "买方为机构专用席位。",
    "本次交易的独立财务顾问为中信证券。",
    "该基金的基金经理为李四。",
    "公司控股股东为某某集团有限公司。",
    "报告期内公司主要客户为国内大型车企。",
]
# "for": a verb after the object, an adjective closing it, a pronoun subject, or a comma after
# which the predicate comes.
EQUATIVE_SILENT = [
    "公司为子公司提供担保。",
    "我们为投资者提供专业的服务。",
    "这都是为大家好。",
    "他为国家。",
    "父母为孩子的未来，拼命工作。",
    "他为公司的发展做出了贡献。",
]


@pytest.mark.parametrize("text", EQUATIVE_WEI)
def test_equative_wei(fe, text: str) -> None:
    assert reading_of(fe, text.rstrip("。"), "为") == "wei2"


@pytest.mark.parametrize("text", EQUATIVE_SILENT)
def test_wei_of_doing_for_stays(fe, text: str) -> None:
    assert fe.pinyin(text)[text.index("为")] == "wei4"


# 只 opening a listed word (只是, 只有) right after a numeral word counts: the classifier zhi1.
ZHI_COUNTED = ["该基金前十大重仓股中有六只是银行股", "其中三只有分红", "十二只是新股"]
# A fraction, decimal, ordinal or 万一 before 只是 leaves the adverb zhi3.
ZHI_ADVERB = ["增长百分之五只是开始", "万一只是误会呢", "第一只是开始", "增速为三点五只是估计"]


@pytest.mark.parametrize("text", ZHI_COUNTED)
def test_zhi_counted_after_a_numeral(fe, text: str) -> None:
    assert reading_of(fe, text, "只") == "zhi1"


@pytest.mark.parametrize("text", ZHI_ADVERB)
def test_zhi_adverb_after_a_non_amount(fe, text: str) -> None:
    assert reading_of(fe, text, "只") == "zhi3"


# 还得 + a complement closing the clause: huán "pay back" and the complement's particle de5.
HUAN_DE_COMPLEMENT = [
    ("这笔钱我还得清", "huan2 de5 qing1"),
    ("前期还得多", "huan2 de5 duo1"),
    ("后期还得少", "huan2 de5 shao3"),
    ("他还得完吗", "huan2 de5 wan2"),
]
# "still must": the clause goes on after the complement's character, or 不多 "not much".
HAI_DEI = [
    ("你还得多吃点", "hai2 dei3 duo1"),
    ("我们还得快点走", "hai2 dei3 kuai4"),
    ("他还得上班", "hai2 dei3 shang4"),
    ("现在还不多", "hai2 bu4 duo1"),
]


@pytest.mark.parametrize(("text", "want"), HUAN_DE_COMPLEMENT + HAI_DEI)
def test_huan_de_complement(fe, text: str, want: str) -> None:
    at = text.index("还")
    assert_syllables(fe.pinyin(text)[at:at + 3], want, text)
