"""Phoneme sequences: valid Baker symbols, sil at both ends, break rules, syllable alignment."""

from __future__ import annotations

import pytest

from tts.frontend import SYMBOLS, Frontend, Utterance
from tts.frontend.syllables import SyllableError, to_phonemes

SENTENCES = [
    "卡尔普陪外孙玩滑梯。",
    "你好，世界！",
    "他说：“我很高兴认识你。”然后走了。",
    "今天是2024年11月21日，气温-5℃，风力3-4级。",
    "我的电话是13812345678，有事请打给我。",
    "NBA球星在CEO大会上用iPhone发了一条微博。",
    "哪儿有卖花儿的？一会儿就到。",
    "因为下雨，所以比赛取消了；我们改天再去。",
    "（注：本文数据截至2023年底）",
    "《红楼梦》是中国古典小说的巅峰之作……",
    "{重|chong2}新开始，{银行|yin2 hang2}见。",
    "妈妈买了三斤苹果、两斤香蕉和一个西瓜。",
    "这是一个很长很长的句子没有任何标点符号但是我们仍然需要给它加上合适的韵律边界才能读得自然",
    "A",
    "嗯",
    "你好😀世界",
]


def check_structure(utt: Utterance) -> None:
    ph, owner = utt.phonemes, utt.phoneme_syllable
    assert len(ph) == len(owner)
    if not utt.syllables:
        assert ph == () and owner == ()
        return
    assert ph[0] == "sil" and ph[-1] == "sil"
    assert "sil" not in ph[1:-1]
    for p in ph:
        assert p in SYMBOLS, p
    assert "pad" not in ph
    for a, b in zip(ph, ph[1:]):
        assert not (a.startswith("#") and b.startswith("#")), ph
        assert not (a == "sil" and b.startswith("#")) and not (a.startswith("#") and b == "sil"), ph
    for p, o in zip(ph, owner):
        assert (o == -1) == (p == "sil" or p.startswith("#"))
    # Rebuild every syllable from its phonemes.
    rebuilt: dict[int, list[str]] = {}
    for p, o in zip(ph, owner):
        if o >= 0:
            rebuilt.setdefault(o, []).append(p)
    assert sorted(rebuilt) == list(range(len(utt.syllables)))
    for i, syllable in enumerate(utt.syllables):
        assert tuple(rebuilt[i]) == to_phonemes(syllable), (syllable, rebuilt[i])
    indices = [o for o in owner if o >= 0]
    assert indices == sorted(indices)
    # Exactly one break symbol between consecutive syllables.
    breaks = sum(1 for p in ph if p.startswith("#"))
    assert breaks == len(utt.syllables) - 1


@pytest.mark.parametrize("text", SENTENCES)
def test_structure(fe: Frontend, text: str) -> None:
    check_structure(fe.analyze(text))


def test_baker_example(fe: Frontend) -> None:
    utt = fe.analyze("卡尔普陪外孙玩滑梯。")
    # Baker's own transcription of 000001 is "ka2 er2 pu3 pei2 wai4 sun1 wan2 hua2 ti1".
    assert utt.syllables == ("ka2", "er2", "pu3", "pei2", "wai4", "sun1", "wan2", "hua2", "ti1")
    plain = [p for p in utt.phonemes if not p.startswith("#")]
    assert plain == ["sil", "k", "a2", "^", "er2", "p", "u3", "p", "ei2", "^", "uai4", "s", "uen1",
                     "^", "uan2", "h", "ua2", "t", "i1", "sil"]
    breaks = [p for p in utt.phonemes if p.startswith("#")]
    # 卡尔普 | 陪外孙 | 玩滑梯 are prosodic words, #0 inside them.
    assert breaks[:2] == ["#0", "#0"] and breaks[3:5] == ["#0", "#0"] and breaks[6:] == ["#0", "#0"]
    assert breaks[2] in ("#1", "#2") and breaks[5] in ("#1", "#2")


def test_internal_punctuation_is_break_3(fe: Frontend) -> None:
    utt = fe.analyze("你好，世界")
    assert utt.phonemes == ("sil", "n", "i2", "#0", "h", "ao3", "#3", "sh", "iii4", "#0", "j", "ie4", "sil")


def test_line_break_inside_a_segment_is_a_pause(fe: Frontend) -> None:
    utt = fe.analyze("你好\n世界")
    assert "#3" in utt.phonemes and utt.normalized == "你好世界"


def test_closing_quote_and_colon_give_one_break(fe: Frontend) -> None:
    utt = fe.analyze("他说：“好。”走吧")
    ph = utt.phonemes
    assert ph.count("#3") == 2
    check_structure(utt)


def test_long_unpunctuated_sentence_gets_phrase_breaks(fe: Frontend) -> None:
    utt = fe.analyze(SENTENCES[12])
    assert "#2" in utt.phonemes and "#1" in utt.phonemes


@pytest.mark.parametrize(
    ("syllable", "phonemes"),
    [
        ("zhong1", ("zh", "ong1")),
        ("shi4", ("sh", "iii4")),
        ("zi3", ("z", "ii3")),
        ("ci2", ("c", "ii2")),
        ("ri4", ("r", "iii4")),
        ("ju4", ("j", "v4")),
        ("que4", ("q", "ve4")),
        ("xuan2", ("x", "van2")),
        ("jun1", ("j", "vn1")),
        ("wen2", ("^", "uen2")),
        ("you3", ("^", "iou3")),
        ("yi1", ("^", "i1")),
        ("wu3", ("^", "u3")),
        ("yu2", ("^", "v2")),
        ("lve4", ("l", "ve4")),
        ("lüe4", ("l", "ve4")),
        ("nv3", ("n", "v3")),
        ("n2", ("^", "en2")),
        ("ng2", ("^", "en2")),
        ("huar4", ("h", "ua4", "er5")),
        ("er2", ("^", "er2")),
        ("liu2", ("l", "iou2")),
        ("gui4", ("g", "uei4")),
        ("dun1", ("d", "uen1")),
        ("weng1", ("^", "ueng1")),
        ("an1", ("^", "an1")),
        ("de5", ("d", "e5")),
    ],
)
def test_syllable_to_phonemes(syllable: str, phonemes: tuple[str, ...]) -> None:
    assert to_phonemes(syllable) == phonemes


@pytest.mark.parametrize("bad", ["zhong", "zhong6", "xx1", "", "hao33", "qa1"])
def test_bad_syllables_are_rejected(bad: str) -> None:
    with pytest.raises(SyllableError):
        to_phonemes(bad)


def test_every_dictionary_syllable_maps_to_baker_symbols() -> None:
    from pypinyin.pinyin_dict import pinyin_dict

    from tts.frontend.dictionary import char_readings

    for cp in pinyin_dict:
        for reading in char_readings(chr(cp)):
            assert all(p in SYMBOLS for p in to_phonemes(reading)), reading
