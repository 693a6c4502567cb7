"""Issue 24, item 3, round 3: names in running text, places below county level.

Cases are generated from the mechanisms (the CC-CEDICT entries the table takes, numerals before
里堡, place names before 涌, role nouns and titles before a surname), with controls where each
rule must stay silent; none is copied from the round-3 dev set.
"""

from __future__ import annotations

import pytest

from tts.frontend import Frontend
from tts.frontend import proper_names as pn
from tts.frontend.surnames import SURNAME_READINGS

SPREAD = 20


@pytest.fixture(scope="module")
def table() -> pn.NameTable:
    return pn.name_table()


def _readings_of(fe: Frontend, text: str, name: str, at: int = 0) -> list[str]:
    """Readings (before sandhi) of ``name`` found at or after character ``at`` of ``text``."""
    pairs = fe.base_readings(text)
    chars = "".join(ch for ch, _ in pairs)
    i = chars.index(name, at)
    return [syl for _, syl in pairs[i:i + len(name)]]


def _local(table: pn.NameTable) -> list[pn.NameEntry]:
    return sorted((e for e in table.entries.values() if e.local), key=lambda e: e.text)


def _common_persons(table: pn.NameTable) -> list[pn.NameEntry]:
    found = sorted((e for e in table.entries.values() if e.source == "CC-CEDICT, common readings"),
                   key=lambda e: e.text)
    step = max(1, len(found) // SPREAD)
    return found[::step][:SPREAD]


def test_table_takes_places_below_county_and_common_reading_persons(table: pn.NameTable) -> None:
    local = _local(table)
    assert 5 <= len(local) <= 100  # a handful of towns and areas, not every proper noun
    assert all(e.kind == "place" and e.text not in table.places for e in local)
    common = [e for e in table.entries.values() if e.source == "CC-CEDICT, common readings"]
    assert len(common) > 500
    # a name opening with a special-reading surname is left to surnames.py (现代汉语词典)
    assert not any(e.text[0] in SURNAME_READINGS for e in common)
    assert table.place_chars.get("涌") == "chong1"


@pytest.mark.parametrize("k", range(9))
def test_place_below_county_reads_so_before_its_area(fe: Frontend, table: pn.NameTable, k: int) -> None:
    local = _local(table)
    entry = local[k * len(local) // 9]
    assert _readings_of(fe, f"他住在{entry.text}附近，每天坐车上班。", entry.text) == list(entry.syllables)


@pytest.mark.parametrize("numeral", ["三", "五", "八", "十", "二十", "三十", "四十"])
def test_relay_station_after_numeral_and_li(fe: Frontend, numeral: str) -> None:
    assert _readings_of(fe, f"新开的超市就在{numeral}里堡附近。", "堡") == ["pu4"]


@pytest.mark.parametrize(("text", "want"), [
    ("这座城堡建于中世纪。", "bao3"),
    ("我们参观了一座古堡。", "bao3"),
    ("他们走了十里，堡里的人出来迎接。", "bao3"),
    ("士兵们守在碉堡里。", "bao3"),
])
def test_bao_stays_outside_the_relay_station_pattern(fe: Frontend, text: str, want: str) -> None:
    assert _readings_of(fe, text, "堡") == [want]


@pytest.mark.parametrize(("place", "stem"), [
    ("香港", "西"), ("香港", "大"), ("广州", "横"), ("广州", "石"), ("深圳", "南"), ("东莞", "麻"),
])
def test_chong_closing_a_place_name_after_a_place(fe: Frontend, place: str, stem: str) -> None:
    text = f"我们住在{place}{stem}涌，离地铁站很近。"
    assert _readings_of(fe, text, "涌") == ["chong1"]


@pytest.mark.parametrize("text", [
    "江水汹涌，船只停航。",
    "泉水从地下涌出来。",
    "人群涌向广场。",
    "广州的游客不断涌入。",
])
def test_yong_where_no_place_name_ends_in_it(fe: Frontend, text: str) -> None:
    assert _readings_of(fe, text, "涌") == ["yong3"]


@pytest.mark.parametrize(("role", "surname", "want"), [
    (role, s, SURNAME_READINGS[s])
    for role in ("邻居", "学者", "记者", "网友")
    for s in ("查", "单", "解", "曾")
])
def test_role_noun_before_surname_and_title(fe: Frontend, role: str, surname: str, want: str) -> None:
    text = f"这次来帮忙的是{role}{surname}先生。"
    assert _readings_of(fe, text, surname + "先生")[0] == want


@pytest.mark.parametrize(("text", "chars", "want"), [
    ("大家查老师的课表时发现了问题。", "查", "cha2"),
    ("国家单列的计划已经下达。", "单", "dan1"),
    ("请查老师的电话。", "查", "cha2"),
])
def test_not_a_role_noun_before_a_verb(fe: Frontend, text: str, chars: str, want: str) -> None:
    assert _readings_of(fe, text, chars) == [want]


@pytest.mark.parametrize("k", range(SPREAD))
def test_common_reading_person_in_running_text(fe: Frontend, table: pn.NameTable, k: int) -> None:
    people = _common_persons(table)
    entry = people[k % len(people)]
    assert _readings_of(fe, f"书里写到了{entry.text}的故事。", entry.text) == list(entry.syllables)


def test_explain_names_the_new_sources(fe: Frontend) -> None:
    sources = {s.text: s.source for s in fe.explain("他住在三十里堡，常去香港东涌和鲗鱼涌站。")}
    assert "堡 of a relay station after numeral + 里 (proper_names.py)" in sources["堡"]
    explained = fe.explain("他住在三十里堡，常去香港东涌和鲗鱼涌站。")
    chong = [s.source for s in explained if s.text == "涌"]
    assert any("涌 of a place name (CC-CEDICT place-name reading)" in s for s in chong)
    assert any("place table 鲗鱼涌 (CC-CEDICT, below county" in s for s in chong)


@pytest.mark.parametrize(("surname", "given"), [
    (s, g) for s in ("缪", "覃", "翟", "冼") for g in ("建华", "国平")
])
def test_surname_the_tagger_reads_as_a_name_after_any_verb(fe: Frontend, surname: str, given: str) -> None:
    text = f"材料已经转交{surname}{given}处理。"
    assert _readings_of(fe, text, surname) == [SURNAME_READINGS[surname]]


@pytest.mark.parametrize(("text", "chars", "want"), [
    ("我们要未雨绸缪。", "缪", "mou2"),
    ("两家结下了仇。", "仇", "chou2"),
])
def test_surname_character_inside_a_word_or_alone(fe: Frontend, text: str, chars: str, want: str) -> None:
    assert _readings_of(fe, text, chars) == [want]


@pytest.mark.parametrize(("role", "rest"), [
    (role, rest) for role in ("作者", "记者", "学者", "网友") for rest in ("曾任中学教师", "曾是一名医生", "曾多次获奖")
])
def test_role_noun_before_ceng_as_an_adverb(fe: Frontend, role: str, rest: str) -> None:
    assert _readings_of(fe, f"这位{role}{rest}。", "曾") == ["ceng2"]
