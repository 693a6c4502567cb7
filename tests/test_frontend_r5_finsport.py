"""Issue 24 round 5 (finance and sports): separable verb–object words split by 了/过 and an amount
(中了一签), 场 counting games (各胜一场), 量 the volume closing a word (缩量回调), 得 of a score after
a word jieba glued (连得五分), 吧 the bar before a localizer (股吧里), and the dictionary
corrections 上行/延误/空当."""

import pytest
from conftest import reading_of

# 了/过 and an amount split a verb–object word the phrase tables list: the whole word's reading.
SPLIT_FIRES = [
    ("他打新股中了一签", "中", "zhong4"),
    ("他中过一次奖", "中", "zhong4"),
    ("去年他中了一次奖", "中", "zhong4"),
    ("他得了一分", "得", "de2"),
    ("我理了个发", "发", "fa4"),
    ("他请了三天假", "假", "jia4"),
    ("他只差了一点", "差", "cha4"),
    ("他教了一年书", "教", "jiao1"),
    ("他当过三年兵", "当", "dang1"),
]

# The pattern must stay silent: no listed word, a longer word after 了, or a negator before it.
SPLIT_SILENT = [
    ("在比赛中了解对手", "中", "zhong1"),
    ("小明得了第一名", "得", "de2"),
    ("今天走不了了", "了", "le5", 1),
    ("这件事在计划中了", "中", "zhong1"),
    ("他在水中了无踪影", "中", "zhong1"),
]


@pytest.mark.parametrize(("text", "char", "want"), SPLIT_FIRES)
def test_split_verb_object_takes_the_word_reading(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


@pytest.mark.parametrize("case", SPLIT_SILENT)
def test_split_verb_object_stays_silent(fe, case: tuple) -> None:
    text, char, want, *nth = case
    assert reading_of(fe, text, char, *nth) == want


# 场 after a verb of contests and a numeral, closing the clause: games, chang3.
GAMES = ["前两次各胜一场", "他们输了两场", "球队连赢三场", "两队各负一场", "本赛季他只踢过一场"]
# 场 of an episode (rain, crying, illness, effort) closing the clause stays chang2.
EPISODES = ["他大哭了一场", "他大病一场", "结果白忙一场", "准备大干一场", "昨天下了一场"]


@pytest.mark.parametrize("text", GAMES)
def test_chang_counting_games(fe, text: str) -> None:
    assert reading_of(fe, text, "场") == "chang3"


@pytest.mark.parametrize("text", EPISODES)
def test_chang_of_an_episode_is_left_alone(fe, text: str) -> None:
    assert reading_of(fe, text, "场") == "chang2"


# 量 closing a word no table lists, before a complement: the volume (liang4), not "measure".
VOLUME = ["这只票缩量回调", "该股放量上涨", "个股缩量下跌", "成交缩量到三千亿"]
# 量 standing alone before a complement or object is still the verb liang2.
MEASURE = ["医生给他量好了血压", "把尺寸量出来", "先量一下体温", "他量完身高"]


@pytest.mark.parametrize("text", VOLUME)
def test_liang_closing_a_word_is_the_volume(fe, text: str) -> None:
    assert reading_of(fe, text, "量") == "liang4"


@pytest.mark.parametrize("text", MEASURE)
def test_liang_alone_before_a_complement_is_the_verb(fe, text: str) -> None:
    assert reading_of(fe, text, "量") == "liang2"


# 得 before a score, also when jieba glued it into a longer unlisted word.
SCORE = ["他在比分落后时连得五分", "他连得七分", "她独得十五分"]
NOT_SCORE = ["他得十五分钟才能到", "他记得三分球的数据", "你还得练"]


@pytest.mark.parametrize("text", SCORE)
def test_de_before_a_score(fe, text: str) -> None:
    assert reading_of(fe, text, "得") == "de2"


@pytest.mark.parametrize("text", NOT_SCORE)
def test_de_not_before_a_score(fe, text: str) -> None:
    assert reading_of(fe, text, "得") != "de2"


# Dictionary corrections (现代汉语词典, CC-CEDICT): 上行 xing2, 延误 wu4, 空当/空档 kong4.
CORRECTED = [
    ("十年期美债收益率上行", "行", "xing2"),
    ("指数仍有上行空间", "行", "xing2"),
    ("比赛因大雨延误", "误", "wu4"),
    ("他抓住对方后防的空当", "空", "kong4"),
    ("防线出现了空档", "空", "kong4"),
    ("经济下行压力加大", "行", "xing2"),
    ("他在银行上班", "行", "hang2"),
]


@pytest.mark.parametrize(("text", "char", "want"), CORRECTED)
def test_corrected_words(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


# 吧 before a localizer that is a word of its own names a place: the noun "bar" ba1.
BAR = ["股吧里有人说", "贴吧内的帖子", "网吧里很吵", "在股吧里发帖"]
# The particle: closing a clause, before another word, or before 里面 opening a new clause.
PARTICLE = ["我们走吧", "好吧我去", "你去吧里面有人", "快走吧"]


@pytest.mark.parametrize("text", BAR)
def test_ba_before_a_localizer_is_the_bar(fe, text: str) -> None:
    assert reading_of(fe, text, "吧") == "ba1"


@pytest.mark.parametrize("text", PARTICLE)
def test_ba_particle_stays_neutral(fe, text: str) -> None:
    assert reading_of(fe, text, "吧") == "ba5"
