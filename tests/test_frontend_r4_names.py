"""Issue 24, round 4: names in other frames than the earlier dev sets use.

Cases are generated from the surname table (`surnames.SURNAME_READINGS`, the special-reading
surnames) placed in news frames — a name with a title at the start of a sentence, then a
reporting verb (说/表示/认为/指出) — and from controls where the same characters are ordinary
words and the name rules must stay silent; none is copied from the round-4 dev set.
"""

from __future__ import annotations

import pytest
from conftest import reading_of

from tts.frontend.surnames import SURNAME_READINGS

#: Special-reading surnames the round-4 brief names, each read in the frames below.
FRAMED = "区查盖缪单解仇朴曾华任覃翟纪过冼"
#: Title + reporting verb + a neutral clause; the name is the first character.
FRAMES = ("{s}先生表示情况正在好转", "{s}老师认为方案可行", "{s}经理指出销量上升", "{s}教授说实验成功")


@pytest.mark.parametrize("surname", list(FRAMED))
@pytest.mark.parametrize("frame", FRAMES)
def test_surname_at_sentence_start_before_a_reporting_verb(fe, surname: str, frame: str) -> None:
    text = frame.format(s=surname)
    # Readings before tone sandhi: 盖老师 is ge2 lao3 after 3-3 sandhi, the surname is still ge3.
    first_char, first_syllable = fe.base_readings(text)[0]
    assert first_char == surname
    assert first_syllable == SURNAME_READINGS[surname], text


#: The same characters as ordinary words in running text: no name rule may fire here.
CONTROLS = (
    ("这次调查的结果下周公布", "查", "cha2"),
    ("他曾经在乐队里弹吉他", "曾", "ceng2"),
    ("小区门口新开了一家超市", "区", "qu1"),
    ("这份名单需要重新核对", "单", "dan1"),
    ("他的衣着非常朴素", "朴", "pu3"),
    ("解决问题需要耐心", "解", "jie3"),
    ("我们要过好每一天", "过", "guo4"),
    ("这个任务交给他负责", "任", "ren4"),
    ("报告指出仇恨言论正在增加", "仇", "chou2"),
    ("他们认为华丽的包装没有必要", "华", "hua2"),
    ("专家表示盖房子要先打地基", "盖", "gai4"),
    ("记者说单车停放需要管理", "单", "dan1"),
)


@pytest.mark.parametrize(("text", "char", "want"), CONTROLS)
def test_name_rules_stay_silent_on_ordinary_words(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want, text
