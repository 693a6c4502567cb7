"""User lexicon, inline {word|pinyin} overrides and the `python -m tts pinyin` command."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tts.frontend import Frontend, LexiconError

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture()
def lexicon_file(tmp_path: Path) -> Path:
    path = tmp_path / "lexicon.txt"
    path.write_text(
        "# test lexicon\n"
        "\n"
        "单于\tchan2 yu2\n"
        "长孙   zhang3 sun1   # a surname\n"
        "重庆\tzhong4 qing4\n"
        "蔚来汽车\twei4 lai2 qi4 che1\n"
        "iPhone\tai4 feng4\n",
        encoding="utf-8",
    )
    return path


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("单于", "chan2 yu2"),
        ("匈奴的单于来了", "xiong1 nu2 de5 chan2 yu2 lai2 le5"),
        ("长孙皇后", "zhang3 sun1 huang2 hou4"),
        ("重庆", "zhong4 qing4"),
        ("我的iPhone", "wo3 de5 ai4 feng4"),
        ("蔚来汽车很好", "wei4 lai2 qi4 che1 hen2|hen3 hao3"),
    ],
)
def test_lexicon_entries_win(lexicon_file: Path, text: str, expected: str) -> None:
    got = Frontend(lexicon_file).pinyin(text)
    want = expected.split()
    assert len(got) == len(want) and all(g in w.split("|") for g, w in zip(got, want)), (text, got)


def test_lexicon_word_is_segmented_as_one_word(lexicon_file: Path) -> None:
    fe = Frontend(lexicon_file)
    assert "蔚来汽车" in fe._segmenter.cut("我想买蔚来汽车的车")
    utt = fe.analyze("蔚来汽车")
    assert "#1" not in utt.phonemes and "#2" not in utt.phonemes


def test_lexicon_does_not_leak_into_other_frontends(lexicon_file: Path, fe: Frontend) -> None:
    Frontend(lexicon_file).pinyin("重庆")
    assert fe.pinyin("重庆") == ["chong2", "qing4"]
    assert "蔚来汽车" not in fe._segmenter.cut("蔚来汽车")


def test_lexicon_accepts_v_and_umlaut_and_erhua(tmp_path: Path) -> None:
    path = tmp_path / "lex.txt"
    path.write_text("绿草\tlv4 cao3\n女孩\tnü3 hai2\n这点儿\tzhe4 dianr3\n", encoding="utf-8")
    fe = Frontend(path)
    assert fe.pinyin("绿草") == ["lv4", "cao3"]
    assert fe.pinyin("女孩") == ["nv3", "hai2"]
    assert fe.pinyin("这点儿") == ["zhe4", "dianr3"]


@pytest.mark.parametrize(
    ("content", "line", "fragment"),
    [
        ("好\thao3\n银行\n", 2, "expected"),
        ("# c\n\n银行\tyin2 hang7\n", 3, "tone number"),
        ("银行\tyin2\n", 1, "syllable"),
        ("银行\tyin2 hang2 hang2\n", 1, "syllable"),
        ("好\tqx3\n", 1, "not a Mandarin syllable"),
    ],
)
def test_bad_lexicon_line_names_the_line(tmp_path: Path, content: str, line: int, fragment: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(LexiconError) as info:
        Frontend(path)
    message = str(info.value)
    assert f"line {line}" in message and fragment in message and "bad.txt" in message


def test_lexicon_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "gbk.txt"
    path.write_bytes("银行\tyin2 hang2\n".encode("gbk"))
    with pytest.raises(LexiconError, match="UTF-8"):
        Frontend(path)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("{重|chong2}新开始", "chong2 xin1 kai1 shi3"),
        ("他在{银行|yin2 hang2}工作", "ta1 zai4 yin2 hang2 gong1 zuo4"),
        ("{长|zhang3}大", "zhang3 da4"),
        ("{你好|ni3 hao3}", "ni3 hao3"),
        ("很{好|hao3}", "hen2 hao3"),
        ("{行|hang2}", "hang2"),
        ("{这点儿|zhe4 dianr3}", "zhe4 dianr3"),
    ],
)
def test_inline_override(fe: Frontend, text: str, expected: str) -> None:
    assert fe.pinyin(text) == expected.split()


def test_inline_braces_never_reach_the_output(fe: Frontend) -> None:
    utt = fe.analyze("{重|chong2}新")
    assert utt.normalized == "重新"
    assert "{" not in "".join(utt.phonemes)


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("{重|chong2 xin1}", "syllable"),
        ("{银行|yin2}", "syllable"),
        ("{好|hoa3}", "not"),
        ("{好|hao}", "tone"),
    ],
)
def test_bad_inline_override_is_a_clear_error(fe: Frontend, text: str, fragment: str) -> None:
    with pytest.raises(ValueError) as info:
        fe.analyze(text)
    assert "inline" in str(info.value) and fragment in str(info.value)


def test_other_braces_are_plain_punctuation(fe: Frontend) -> None:
    assert fe.pinyin("{你好}") == ["ni2", "hao3"]
    assert fe.pinyin("a{b") == ["ei1", "bi4"]


def _cli(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "tts", "pinyin", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        encoding="utf-8",
    )


def test_cli_arguments_one_line_each_with_lexicon(lexicon_file: Path) -> None:
    result = _cli("--lexicon", str(lexicon_file), "你好", "银行行长。", "2个", "重庆", "单于")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "ni2 hao3", "yin2 hang2 hang2 zhang3", "liang3 ge4", "zhong4 qing4", "chan2 yu2",
    ]


def test_cli_reads_stdin_and_reports_bad_overrides() -> None:
    result = _cli(stdin="你好，世界！\n\n{重|chong2 xin1}\n我很好\n")
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[:3] == ["ni2 hao3 shi4 jie4", "", ""]
    assert lines[3] in ("wo2 hen2 hao3", "wo3 hen2 hao3")
    assert "error:" in result.stderr and "Traceback" not in result.stderr


def test_cli_bad_lexicon(tmp_path: Path) -> None:
    bad = tmp_path / "bad.txt"
    bad.write_text("银行\tyin2\n", encoding="utf-8")
    result = _cli("--lexicon", str(bad), "你好")
    assert result.returncode == 2
    assert "line 1" in result.stderr and "Traceback" not in result.stderr
    assert result.stdout == ""
