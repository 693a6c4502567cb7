"""Issue 24, round 6 (second pass on names): a full name the phrase tables list with each
character's first reading, and 见长 "to excel" after the field it names.

Cases are written from the mechanisms, not copied from the dev sets; each rule has cases where
it must fire and cases where it must stay silent.
"""

from __future__ import annotations

import pytest
from conftest import reading_of

from tts.frontend.proper_names import cedict_surnames


@pytest.mark.parametrize(("text", "char", "want"), [
    ("蔺相如奉命出使秦国", "相", "xiang4"),        # phrase table: 蔺相如 xiāng
    ("后人常称赞蔺相如的胆识", "相", "xiang4"),
    ("端木蕻良写过科尔沁旗草原", "蕻", "hong2"),    # phrase table: 端木蕻良 hòng
    ("我读过端木蕻良的小说", "蕻", "hong2"),
])
def test_name_listed_as_a_phrase_takes_its_given_name_reading(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


@pytest.mark.parametrize(("text", "char", "want"), [
    ("他对她一直是单相思", "相", "xiang1"),        # 相思 is a word: no given name
    ("官官相护的现象必须杜绝", "相", "xiang1"),    # an idiom: 官官 is no surname
    ("这些做法陈陈相因", "相", "xiang1"),          # 陈陈 is no surname
    ("她愿以身相许", "相", "xiang1"),
    ("他是我的老相好", "相", "xiang1"),            # 老 is no surname in CC-CEDICT
    ("楚汉相争的故事", "相", "xiang1"),
])
def test_phrases_that_are_no_names_keep_their_reading(fe, text: str, char: str, want: str) -> None:
    assert reading_of(fe, text, char) == want


def test_cedict_surnames_are_read_from_the_dictionary() -> None:
    names = cedict_surnames()
    assert {"蔺", "端木", "上官", "单", "王"} <= names
    assert "的" not in names and "官官" not in names


@pytest.mark.parametrize("text", [
    "这所大学以理工科见长",
    "他以山水画见长",
    "这家工厂一向以质量见长",
    "他的画见长于山水",
])
def test_jian_chang_after_its_field(fe, text: str) -> None:
    assert reading_of(fe, text, "长") == "chang2"


@pytest.mark.parametrize("text", [
    "孩子的个子见长",
    "以后他的个子见长了",       # 以后 is no 以 + field
    "这几年他的本事见长",
    "可以看出他的力气见长",     # 可以 is no 以 + field
])
def test_jian_zhang_of_growth_stays(fe, text: str) -> None:
    assert reading_of(fe, text, "长") == "zhang3"


@pytest.mark.parametrize(("text", "surname"), [
    ("这个项目交给了仇建军", "仇"),     # 建军, 国庆 are words, so the tagger alone reads no name
    ("他的老师是仇国庆", "仇"),
    ("冠军是仇建华", "仇"),
])
def test_surname_in_a_name_slot(fe, text: str, surname: str) -> None:
    from tts.frontend.surnames import SURNAME_READINGS

    assert reading_of(fe, text, surname) == SURNAME_READINGS[surname]


@pytest.mark.parametrize("text", [
    "他们两家结了仇",
    "他终于报了仇雪恨",     # 张雪恨 is no name to the tagger
    "大家都恨透了仇人",
    "和仇敌斗争到底",
])
def test_chou_of_hatred_stays(fe, text: str) -> None:
    assert reading_of(fe, text, "仇") == "chou2"
