"""Issue 24, round 5: names in obituaries, history texts, nicknames and addresses.

Cases are written from the mechanisms, not copied from the round-5 dev set
(``tests/data/frontend_dev_r5_names.tsv``): the surname of a familiar 老X / 小X, 铺 of an old
relay station after numeral + 里, a verb-like surname right after its subject (pronoun or
person's name), 率 leading troops, and the names the tables add from 现代汉语词典 — each with
cases where the rule must stay silent.
"""

from __future__ import annotations

import pytest
from conftest import reading_of

from tts.frontend.surnames import SURNAME_READINGS

#: Special-reading surnames that are not words with 老/小 in the phrase tables.
FAMILIAR = "单查解曾仇朴缪翟覃盖"
#: 老X / 小X as the subject at a clause start, alone before a comma, and after 和.
FAMILIAR_FRAMES = ("老{s}今天请假回老家了", "小{s}，你过来一下", "我和老{s}一起去开会")


@pytest.mark.parametrize(("surname", "frame"), [
    (s, f) for s in FAMILIAR for f in FAMILIAR_FRAMES if not (s == "解" and f.startswith("小"))
])  # 小解 is a phrase-table word ("to pee"): see FAMILIAR_CONTROLS
def test_familiar_lao_xiao_before_a_surname(fe, surname: str, frame: str) -> None:
    text = frame.format(s=surname)
    readings = fe.base_readings(text)
    at = text.index(surname, 1)
    assert readings[at] == (surname, SURNAME_READINGS[surname]), text


#: 老/小 + a surname character where it is not a familiar form: a word with the next character,
#: a phrase-table word, a given name after 小, or 老 the adverb after a subject.
FAMILIAR_CONTROLS = (
    ("他退休后又回到了老单位", "单", "dan1"),
    ("公寓里有几个小单间出租", "单", "dan1"),
    ("革命老区的经济发展很快", "区", "qu1"),
    ("小区门口新开了一家超市", "区", "qu1"),
    ("小华是我的同学", "华", "hua2"),
    ("小燕飞走了", "燕", "yan4"),
    ("他老查资料到深夜", "查", "cha2"),
    ("老任务还没有完成", "任", "ren4"),
    ("孩子要小解一下", "解", "jie3"),
)


@pytest.mark.parametrize(("text", "char", "want"), FAMILIAR_CONTROLS)
def test_familiar_rule_stays_silent(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want, text


@pytest.mark.parametrize(("text", "char", "want"), (
    ("莘县十八里铺镇举办了丰收节", "铺", "pu4"),
    ("他家住在五里铺村", "铺", "pu4"),
    ("三十里铺的集市很热闹", "铺", "pu4"),
    ("十里堡一带新开了商场", "堡", "pu4"),
    # 铺 the verb "to spread", or not after numeral + 里.
    ("沿途十里铺满了鲜花", "铺", "pu1"),
    ("这里铺着红地毯", "铺", "pu1"),
    ("工人们正在铺路", "铺", "pu1"),
))
def test_pu_of_a_relay_station(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want, text


@pytest.mark.parametrize(("text", "char", "want"), (
    # A verb-like surname right after a pronoun or a person's name is the adverb or verb.
    ("他曾率兵驻守边疆", "曾", "ceng2"),
    ("范仲淹曾率兵驻守西北", "曾", "ceng2"),
    ("岳飞曾率军北伐", "曾", "ceng2"),
    ("她单说不做", "单", "dan1"),
    # Still names: after a word introducing a person, in a list, before a title.
    ("会议由解志强主持", "解", "xie4"),
    ("老师把奖状颁给了查文军", "查", "zha1"),
    ("这次的冠军是曾志明", "曾", "zeng1"),
    ("队长曾志明带队出发", "曾", "zeng1"),
    ("他和曾先生是老朋友", "曾", "zeng1"),
))
def test_verbal_surname_after_its_subject(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want, text


@pytest.mark.parametrize(("text", "want"), (
    ("他曾率兵驻守边疆", "shuai4"),
    ("将军亲率大军出征", "shuai4"),
    ("他率众起义", "shuai4"),
    ("教练率队出战", "shuai4"),
    # 率 closing a rate word stays lǜ, even before 军.
    ("提高效率军队才能打胜仗", "lv4"),
    ("今年的出生率有所下降", "lv4"),
    ("银行调整了存款利率", "lv4"),
))
def test_shuai_leading_troops(fe, text: str, want: str) -> None:
    assert reading_of(fe, text, "率") == want, text


@pytest.mark.parametrize(("text", "char", "want"), (
    ("越王句践卧薪尝胆", "句", "gou1"),
    ("吴王夫差打败了越国", "差", "chai1"),
    ("四川筠连县盛产红茶", "筠", "jun1"),
    # The same characters outside the names.
    ("她的丈夫差一点迟到", "差", "cha4"),
    ("这句话很难懂", "句", "ju4"),
))
def test_names_from_the_tables(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want, text


@pytest.mark.parametrize(("text", "want"), (
    # 都 closing a word jieba's dictionary tags as a place: dū, even where large_pinyin has dōu.
    ("游览完仙都再去缙云", "du1"),
    ("重庆丰都县有一座名山", "du1"),
    ("扬州江都区靠近长江", "du1"),
    # 都 the adverb "all".
    ("我们都去参加比赛", "dou1"),
    ("这些城市都很美", "dou1"),
    ("江南都是水乡", "dou1"),
))
def test_du_closing_a_place_name(fe, text: str, want: str) -> None:
    assert reading_of(fe, text, "都") == want, text


# 大都 between a subject and its predicate is the adverb dàdōu "mostly"; the Yuan capital Dàdū
# after a preposition or verb, at a clause's start and before what opens no predicate
# (polyphones._dou_of_mostly).
DADOU_MOSTLY = ["他们大都是学生", "参加者大都很年轻", "游客大都选择周末出行", "这些书大都已经绝版",
                "村里的年轻人大都在外地打工"]
DADU_CAPITAL = ["忽必烈在大都登基", "元大都遗址公园", "元朝定都大都", "他们去了大都", "大都的城墙",
                "大都是元朝的都城", "大都会博物馆"]


@pytest.mark.parametrize("text", DADOU_MOSTLY)
def test_dadou_before_a_predicate_is_mostly(fe, text: str) -> None:
    assert reading_of(fe, text, "都") == "dou1"


@pytest.mark.parametrize("text", DADU_CAPITAL)
def test_dadu_as_a_place_keeps_du(fe, text: str) -> None:
    assert reading_of(fe, text, "都") == "du1"
