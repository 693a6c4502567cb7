"""Issue 24, item 2, round 3: polyphones whose sense prose shows by pattern (``prose_senses.py``).

Each case names a sentence (Chinese characters only, so syllable ``k`` is character ``k``), the
character looked at, its occurrence and the reading it must take.  The sentences were written for
the patterns — 长 of an extent, 调 of an amount's direction, 炸 of frying, 子 as a prefix, 没过 of
a liquid or a time, 差 of a difference, 得 before a score, 撒 before an amount, 和 of mixing —
with cases where each pattern must stay silent; the development sentences that led to them are in
``tests/data/frontend_dev_r3_prose.tsv`` and are not repeated.
"""

from __future__ import annotations

import pytest
from conftest import reading_of

from tts.frontend import Frontend

CASES = [
    # 长 "long" before 达 + an extent, and after a verb that changes a length
    ("这部电影长达三个小时", "长", 0, "chang2"),
    ("这座大桥全长达十公里", "长", 0, "chang2"),
    ("会议时间拉得太长", "长", 0, "chang2"),
    ("把绳子放长一点", "长", 0, "chang2"),
    ("白天渐渐变长了", "长", 0, "chang2"),
    ("孩子们都长大了", "长", 0, "zhang3"),  # silent: 长 "grow" takes a result
    ("他这两年长高了不少", "长", 0, "zhang3"),
    ("小王当上了队长", "长", 0, "zhang3"),
    # 调 "adjust" in the direction of an amount
    ("银行把房贷利率调低了", "调", 0, "tiao2"),
    ("厂家宣布产品价格调涨", "调", 0, "tiao2"),
    ("电费标准今年将调升", "调", 0, "tiao2"),
    ("请把音量调高一点", "调", 0, "tiao2"),
    ("他被调升为副局长", "调", 0, "diao4"),  # silent: a post follows
    ("警方正在调查此事", "调", 0, "diao4"),
    # 调到/调至 before a value "set to"; before a floor or a unit one is moved to, the transfer
    ("把空调温度调到二十六度", "调", 1, "tiao2"),
    ("冷藏室可以调至零下五度", "调", 0, "tiao2"),
    ("音量已经调到最大", "调", 0, "tiao2"),
    ("首付比例调至百分之二十", "调", 0, "tiao2"),
    ("他明年调到北京工作", "调", 0, "diao4"),  # silent: a place, not a value
    ("她调至三楼办公", "调", 0, "diao4"),  # silent: a floor one is moved to
    ("他调到二连当排长", "调", 0, "diao4"),  # silent: a unit one is moved to
    # 炸 "deep-fry" before its result or after a manner of frying
    ("把鸡翅炸至金黄", "炸", 0, "zha2"),
    ("薯条要炸透才脆", "炸", 0, "zha2"),
    ("茄子切块后再复炸一次", "炸", 0, "zha2"),
    ("小黄鱼干炸最香", "炸", 0, "zha2"),
    ("大楼在爆炸中倒塌", "炸", 0, "zha4"),  # silent: a dictionary word
    ("气球一碰就炸了", "炸", 0, "zha4"),
    # 子 standing alone before a word: the prefix "sub-"
    ("程序会启动两个子进程", "子", 0, "zi3"),
    ("把任务拆成几个子任务", "子", 0, "zi3"),
    ("他个子很高", "子", 0, "zi5"),  # silent: 个子 "height" is a word
    ("桌子上有本书", "子", 0, "zi5"),
    # 没过 "submerge" after a liquid
    ("倒入清水没过鸡块", "没", 0, "mo4"),
    ("加高汤没过食材", "没", 0, "mo4"),
    ("洪水没过了膝盖", "没", 0, "mo4"),  # 了 after 没过: the flood did reach over
    ("水没过多久就烧开了", "没", 0, "mei2"),  # a time follows: "did not pass"
    ("没过几天他就回来了", "没", 0, "mei2"),
    ("他没过问这件事", "没", 0, "mei2"),
    # 差 closing a word names a difference
    ("两地时差有八个小时", "差", 0, "cha1"),
    ("今年出口贸易顺差扩大", "差", 0, "cha1"),
    ("这个方案的误差很小", "差", 0, "cha1"),
    ("两个数相差不大", "差", 0, "cha4"),  # silent: an adverb before it
    ("这家店的服务较差", "差", 0, "cha4"),
    ("他明天要去出差", "差", 0, "chai1"),
    ("他找了个肥差", "差", 0, "chai1"),
    # 长 opening or before a span of time or distance
    ("电池可以长时间待机", "长", 0, "chang2"),
    ("他擅长长距离游泳", "长", 1, "chang2"),
    # 得 before a numeral and a unit of score
    ("她全场砍得三十分", "得", 0, "de2"),
    ("他在决赛中得一百分", "得", 0, "de2"),
    ("我得三点前赶到", "得", 0, "dei3"),  # silent: 点 is no unit of score
    ("你得十五分钟后再来", "得", 0, "dei3"),  # silent: a duration
    # 撒 before an amount
    ("出锅前撒一把香菜", "撒", 0, "sa3"),
    ("最后撒适量黑胡椒", "撒", 0, "sa3"),
    ("孩子撒谎了", "撒", 0, "sa1"),  # silent: a dictionary word
    # 和 before the result of kneading
    ("加温水和成面团", "和", 0, "huo2"),
    ("他和成龙合影留念", "和", 0, "he2"),  # silent: the conjunction before a name
]


@pytest.mark.parametrize(("text", "char", "nth", "expected"), CASES)
def test_prose_sense(fe: Frontend, text: str, char: str, nth: int, expected: str) -> None:
    assert reading_of(fe, text, char, nth) == expected


EXPLAINED = [
    ("续航长达十小时", "长", "长 of an extent (prose_senses.chang_of_extent)"),
    ("汇率中间价今日调升", "调", "调 of an amount's direction (prose_senses.tiao_of_direction)"),
    ("把丸子炸熟", "炸", "炸 of frying (prose_senses.zha_of_frying)"),
    ("启动两个子进程", "子", "子 as a prefix (prose_senses.zi_prefix)"),
    ("清水没过排骨", "没", "没过 of a liquid or a time (prose_senses.mo_of_submerging)"),
    ("早晚温差较大", "差", "差 of a difference (prose_senses.cha_of_difference)"),
    ("他独得十五分", "得", "得 before a score (prose_senses.de_of_a_score)"),
    ("撒少许盐", "撒", "撒 before an amount (prose_senses.sa_of_sprinkling)"),
    ("加水和成面团", "和", "和 of mixing (prose_senses.huo_of_mixing)"),
]


@pytest.mark.parametrize(("text", "char", "stage"), EXPLAINED)
def test_explain_names_the_prose_pattern(fe: Frontend, text: str, char: str, stage: str) -> None:
    found = [s for s in fe.explain(text) if s.text == char]
    assert found and stage in found[0].source, found


@pytest.mark.parametrize("text", ["他被调升为副局长", "大楼在爆炸中倒塌", "两个数相差不大"])
def test_explain_is_silent_where_a_pattern_is(fe: Frontend, text: str) -> None:
    assert not any("prose_senses" in s.source for s in fe.explain(text))


def test_user_lexicon_wins_over_a_prose_pattern(fe: Frontend) -> None:
    assert fe.pinyin("{温差|wen1 cha4}较大")[:2] == ["wen1", "cha4"]
