"""Splitting into segments, robustness on odd input, threads, and import cost."""

from __future__ import annotations

import random
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tts.frontend import Frontend, Segment, normalize_unicode

ROOT = Path(__file__).resolve().parent.parent


def squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def length(text: str) -> int:
    # Characters without whitespace; an inline override counts as its word.
    text = re.sub(r"\{([^{}|\s]{1,32})\|[A-Za-z0-9üÜ: ]{1,200}\}", r"\1", text)
    return len(squash(text))


def test_sentences_keep_their_punctuation_in_order(fe: Frontend) -> None:
    segs = fe.split("你好！今天天气很好。我们去公园吧？好的")
    assert [s.text for s in segs] == ["你好!", "今天天气很好。", "我们去公园吧?", "好的"]
    assert segs[0].pause_after > 0 and segs[-1].pause_after == 0


def test_pause_lengths_follow_punctuation(fe: Frontend) -> None:
    segs = fe.split("第一句。第二句；第三句，很长很长很长很长很长很长很长很长很长很长很长很长很长", max_chars=12)
    pauses = {s.text[-1]: s.pause_after for s in segs[:-1]}
    assert pauses["。"] > pauses[";"] > pauses[","] > 0
    assert segs[-1].pause_after == 0.0


def test_closing_quote_stays_with_sentence(fe: Frontend) -> None:
    segs = fe.split("他说：“你好。”然后走了。")
    assert [s.text for s in segs] == ["他说:“你好。”", "然后走了。"]


def test_newlines_split_and_blank_lines_vanish(fe: Frontend) -> None:
    segs = fe.split("第一行\n\n   \n第二行\r\n第三行")
    assert [s.text for s in segs] == ["第一行", "第二行", "第三行"]


def test_decimal_points_and_thousands_are_not_split(fe: Frontend) -> None:
    segs = fe.split("圆周率是3.14，人口有1,000,000，时间是10:30，很好", max_chars=12)
    joined = "|".join(s.text for s in segs)
    assert "3.14" in joined and "1,000,000" in joined and "10:30" in joined


def test_long_sentence_is_split_at_commas_then_words(fe: Frontend) -> None:
    text = "我们要在明天上午十点之前把所有的材料都准备好，然后交给老师检查，老师看完以后再交给校长签字批准"
    norm = normalize_unicode(text)
    segs = fe.split(text, max_chars=20)
    assert len(segs) >= 3
    assert all(length(s.text) <= 20 for s in segs)
    assert "".join(s.text for s in segs) == norm
    # Every cut falls on a jieba word boundary (commas are tokens of their own).
    boundaries, pos = set(), 0
    for word in fe._segmenter.cut(norm, hmm=False):
        pos += len(word)
        boundaries.add(pos)
    pos = 0
    for s in segs:
        pos += len(s.text)
        assert pos in boundaries, s.text


def test_override_is_never_cut(fe: Frontend) -> None:
    text = "他在" + "{银行|yin2 hang2}" * 20
    segs = fe.split(text, max_chars=5)
    assert "".join(s.text for s in segs) == text
    for s in segs:
        assert s.text.count("{") == s.text.count("}")


def test_token_longer_than_max_chars_is_cut(fe: Frontend) -> None:
    segs = fe.split("a" * 250, max_chars=60)
    assert [len(s.text) for s in segs] == [60, 60, 60, 60, 10]


def test_bad_max_chars(fe: Frontend) -> None:
    with pytest.raises(ValueError, match="max_chars"):
        fe.split("你好", max_chars=0)


ALPHABET = (
    list("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会")
    + list("，。！？、；：,.!?;:…“”‘’（）()《》-—~·")
    + list("0123456789%$¥.:/+-")
    + list("abcXYZ ")
    + [" ", "\n", "\t", "\u3000", "😀", "\x00", "\x07", "Ω", "é", "{", "}", "|", "½", "①"]
    + ["{重|chong2}", "{银行|yin2 hang2}", "……", "\r\n"]
)


@pytest.mark.parametrize("seed", range(25))
def test_property_nothing_lost_and_max_chars_respected(fe: Frontend, seed: int) -> None:
    rng = random.Random(seed)
    text = "".join(rng.choice(ALPHABET) for _ in range(rng.randrange(0, 400)))
    max_chars = rng.choice([1, 5, 12, 30, 60])
    segs = fe.split(text, max_chars=max_chars)
    assert all(isinstance(s, Segment) for s in segs)
    assert "".join(squash(s.text) for s in segs) == squash(normalize_unicode(text))
    for s in segs:
        assert s.text and s.text == s.text.strip()
        assert length(s.text) <= max_chars or "{" in s.text
        assert s.pause_after >= 0
    if segs:
        assert segs[-1].pause_after == 0
    # Every segment can be analyzed without error.
    for s in segs:
        fe.analyze(s.text)


def test_first_sentence_comes_first(fe: Frontend) -> None:
    segs = fe.split("一。二。三。")
    assert segs[0].text == "一。"


@pytest.mark.parametrize("text", ["", "   ", "\n\n\t", "\u3000"])
def test_empty_input(fe: Frontend, text: str) -> None:
    assert fe.split(text) == []
    assert fe.pinyin(text) == []
    utt = fe.analyze(text)
    assert utt.syllables == () and utt.phonemes == () and utt.phoneme_syllable == () and utt.unknown == ()


@pytest.mark.parametrize(
    ("text", "unknown"),
    [
        ("😀", ("😀",)),
        ("😀😀🎉", ("😀", "🎉")),
        ("你好😀世界", ("😀",)),
        ("Ωμέγα", ("Ω", "μ", "έ", "γ", "α")),
        ("★☆", ("★", "☆")),
        ("\x00\x01abc", ("\x00", "\x01")),
        ("#*你好", ("#", "*")),
        ("\ud800你", ("\ud800",)),
        ("你\U00020002好", ("\U00020002",)),
    ],
)
def test_unknown_characters_are_reported(fe: Frontend, text: str, unknown: tuple[str, ...]) -> None:
    utt = fe.analyze(text)
    assert utt.unknown == unknown
    for ch in unknown:
        assert ch not in utt.normalized


def test_emoji_only_input_is_empty_utterance(fe: Frontend) -> None:
    utt = fe.analyze("😀🎉")
    assert utt.syllables == () and utt.phonemes == () and utt.unknown == ("😀", "🎉")
    assert fe.pinyin("😀🎉") == []


def test_punctuation_only(fe: Frontend) -> None:
    utt = fe.analyze("。，！？……")
    assert utt.syllables == () and utt.phonemes == () and utt.unknown == ()


def test_not_a_string(fe: Frontend) -> None:
    with pytest.raises(TypeError, match="str"):
        fe.analyze(b"\xe4\xbd\xa0")  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="str"):
        fe.split(None)  # type: ignore[arg-type]


def test_binary_looking_input(fe: Frontend) -> None:
    rng = random.Random(1)
    text = "".join(chr(rng.randrange(0, 0x3000)) for _ in range(5000))
    utt = fe.analyze(text)
    assert utt.unknown
    syllables = fe.pinyin(text)
    assert isinstance(syllables, list)


def test_huge_input_finishes(fe: Frontend) -> None:
    text = ("今天天气很好，我们一起去公园散步吧！他说：“2024年11月21日的会议在10:30开始。”" * 2000)[:100_000]
    syllables = fe.pinyin(text)
    assert len(syllables) > 50_000
    segs = fe.split(text)
    assert all(length(s.text) <= 60 for s in segs)
    utt = fe.analyze("中" * 100_000)
    assert len(utt.syllables) == 100_000
    assert fe.pinyin("1234567890" * 10_000)


def test_threads_share_one_frontend() -> None:
    fe = Frontend()
    texts = ["银行行长很忙。", "我很好，你呢？", "2024年11月21日", "一会儿见", "NBA比赛"] * 4
    expected = {t: Frontend().pinyin(t) for t in set(texts)}
    results: dict[int, list[str]] = {}
    errors: list[BaseException] = []

    def work(i: int, text: str) -> None:
        try:
            results[i] = fe.pinyin(text)
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(i, t)) for i, t in enumerate(texts)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert all(results[i] == expected[t] for i, t in enumerate(texts))


def test_import_does_not_pull_torch() -> None:
    code = (
        "import sys, tts.frontend\n"
        "assert 'torch' not in sys.modules, 'import'\n"
        "assert 'jieba' not in sys.modules and 'g2pM' not in sys.modules, 'lazy'\n"
        "fe = tts.frontend.Frontend()\n"
        "fe.analyze('你好，世界。2024年')\n"
        "assert 'torch' not in sys.modules, 'analyze'\n"
        "print('ok')\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"
