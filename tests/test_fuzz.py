"""Property-based bad input over the frontend, the facade and the HTTP API (hypothesis).

Every case must give valid audio or a clear, typed error (RequestError / 4xx JSON) — never a
crash, a hang, a 5xx or a leaked synthesis slot. The number of cases run is reported.
"""

from __future__ import annotations

import dataclasses
import json

import httpx
import numpy as np
import pytest
from conftest import report
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from webserver import serve

from tts.options import RequestError, SynthesisOptions
from tts.serving.profiles import load_profile
from tts.synthesizer import Synthesizer

COUNTS: dict[str, int] = {}

# Text that mixes what users really paste: Chinese, digits and symbols, Latin, emoji, RTL
# scripts, control characters, combining marks, lone surrogates and private-use characters.
PIECES = st.sampled_from([
    "你好", "今天是2024年11月21日", "¥3.5亿", "-12.5%", "13812345678", "3:2", "A股", "NBA", "CPU占用90%",
    "😀🎉", "مرحبا", "שלום", "\u200f", "\u0000", "\x07", "\u202e", "e\u0301", "\ud800", "\ue000", "\n\n",
    "，。！？；：", "……", "{重|chong2}新", "{坏|}", "《》【】", "   ", "ｆｕｌｌ　ｗｉｄｔｈ１２３", "ⅫⅣ", "①②",
    "Spotify", "iPhone15", "ChatGPT", "APIs", "https://www.x.com/a_b", "a.b@c.cn", "1080P", "x86", "Wi-Fi 6",
    "{Android|an1 zhuo2}", "{Android", "|}", "COVID-19", "qwrtzp", "HTMLParser",
])
TEXT = st.one_of(st.text(max_size=60), st.lists(PIECES, max_size=8).map("".join),
                 st.lists(st.one_of(PIECES, st.text(max_size=5)), max_size=6).map("".join))


def count(name: str) -> None:
    COUNTS[name] = COUNTS.get(name, 0) + 1


@pytest.fixture(scope="module", autouse=True)
def summary():
    yield
    report("property-based cases run: " + ", ".join(f"{k} {v}" for k, v in sorted(COUNTS.items())))


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=TEXT)
def test_frontend_never_crashes(tiny_pipeline, text):
    pipeline = tiny_pipeline  # the text half only: the same frontend and Baker symbol set, no weights
    count("frontend")
    fe = pipeline.frontend
    try:
        segments = fe.split(text, max_chars=20)
        syllables = fe.pinyin(text)
    except ValueError:  # malformed inline override: a clear error by design
        return
    for seg in segments:
        utt = fe.analyze(seg.text)
        assert len(utt.phonemes) == len(utt.phoneme_syllable)
        if utt.syllables:
            assert utt.phonemes[0] == utt.phonemes[-1] == "sil"
            pipeline.symbols.encode(utt.phonemes)  # every symbol exists in the model's table
    assert all(s[-1] in "12345" for s in syllables)


LONG_LINES = {
    "latin": ("Spotify" * 1500)[:10000],
    "letters": "".join(chr(ord("a") + (i * 7) % 26) for i in range(10000)),
    "capitals": "ABCDEFGHIJKLMNOPQRSTUVWXYZ" * 385,
    "emoji": "😀🎉👍🏽" * 2500,
    "mixed": ("用Android手机打开Spotify听歌😀مرحبا שלום Ünïcödé ข้อความ 日本語テキスト 5G H2O " * 200)[:10000],
    "braces": ("{Spotify|" * 1000 + "}" * 1000)[:10000],
    "closing": ("}|{中文|zhong1 wen2}" * 700)[:10000],
    "address": ("https://www.example.com/a/b?c=d&e=f#g " * 300)[:10000],
}


@pytest.mark.parametrize("name", sorted(LONG_LINES))
def test_a_10000_character_line_gives_a_reading_or_a_clear_error(tiny_pipeline, name):
    """A pasted 10,000-character line of one kind: syllables the model knows, or a ValueError that
    says what is wrong (a malformed inline override) — never a crash."""
    count("long line")
    fe = tiny_pipeline.frontend
    text = LONG_LINES[name]
    assert len(text) == 10000 or name in ("capitals",)
    try:
        syllables = fe.pinyin(text)
    except ValueError as exc:
        assert "{" in text and str(exc)
        return
    assert all(s[-1] in "12345" for s in syllables)
    for segment in fe.split(text)[:20]:
        utt = fe.analyze(segment.text)
        if utt.syllables:
            tiny_pipeline.symbols.encode(utt.phonemes)


@pytest.fixture(scope="module")
def synth(engine, pipeline):
    profile = load_profile("cpu")
    s = Synthesizer(dataclasses.replace(profile, text=dataclasses.replace(profile.text, max_request_chars=200)),
                    engine, pipeline, warm_up=False)
    yield s
    s.close()


OPTIONS = st.fixed_dictionaries({
    "text": TEXT,
    "speed": st.one_of(st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.25, 1.0, 4.0])),
    "pitch": st.one_of(st.floats(-20, 20), st.just(float("nan"))),
    "energy": st.floats(0.0, 3.0),
    "emotion_intensity": st.floats(-1, 3),
    "voice": st.sampled_from(["baker", "", "nobody", "baker-low"]),
    "emotion": st.sampled_from(["neutral", "happy", "", "bored"]),
    "quality": st.sampled_from([None, "fast", "high", "ultra"]),
})


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(fields=OPTIONS)
def test_facade_gives_audio_or_a_clear_error(synth, fields):
    count("facade")
    try:
        result = synth.synthesize(SynthesisOptions(**fields), use_cache=False)
    except RequestError as exc:
        assert str(exc)
    else:
        assert len(result.audio) > 0 and np.isfinite(result.audio).all()
        assert np.abs(result.audio).max() <= 1.0
    assert synth.admission.running == 0


@pytest.fixture(scope="module")
def url(synth):
    with serve(synth) as base:
        yield base


JSON_VALUE = st.recursive(st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
                          lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner,
                                                                                       max_size=3), max_leaves=6)


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(body=st.fixed_dictionaries({"input": st.one_of(TEXT, JSON_VALUE)}, optional={
    "model": st.one_of(st.sampled_from(["tts-1", "tts-1-hd"]), JSON_VALUE),
    "voice": st.one_of(st.sampled_from(["alloy", "onyx", "baker"]), JSON_VALUE),
    "response_format": st.one_of(st.sampled_from(["wav", "pcm", "mp3"]), JSON_VALUE),
    "speed": JSON_VALUE, "stream": JSON_VALUE, "emotion": JSON_VALUE, "pitch": JSON_VALUE,
    "pinyin": JSON_VALUE, "reference_audio": st.one_of(st.binary(max_size=64).map(lambda b: b.hex()), JSON_VALUE),
}))
def test_api_answers_200_or_4xx(url, body):
    count("api")
    # ensure_ascii keeps lone surrogates as \ud800 escapes: valid JSON whose strings are not valid text
    payload = json.dumps(body, ensure_ascii=True)
    r = httpx.post(f"{url}/v1/audio/speech", content=payload, headers={"content-type": "application/json"},
                   timeout=60)
    assert r.status_code in (200, 400, 413), (r.status_code, r.text[:200])
    if r.status_code != 200:
        error = r.json()["error"]
        assert error["message"] and "Traceback" not in r.text and "/work/" not in r.text
    else:
        assert len(r.content) > 0
    assert httpx.get(f"{url}/healthz").status_code == 200


def _wav_bytes(samples: np.ndarray, rate: int, channels: int = 1, float32: bool = False) -> bytes:
    import io

    import soundfile as sf

    buf = io.BytesIO()
    data = samples.reshape(-1, channels) if channels > 1 else samples
    sf.write(buf, data, rate, format="WAV", subtype="FLOAT" if float32 else "PCM_16")
    return buf.getvalue()


def _speechlike(seconds: float, rate: int) -> np.ndarray:
    """A voiced, syllable-paced signal (200 Hz harmonics, 5 bursts a second)."""
    t = np.arange(int(seconds * rate)) / rate
    voice = sum(np.sin(2 * np.pi * 200 * k * t) / k for k in range(1, 6))
    return (0.3 * voice * (np.sin(2 * np.pi * 2.5 * t) > 0)).astype(np.float32)


def _upload_cases() -> list[tuple[str, bytes]]:
    import subprocess

    from tts.audio.formats import ffmpeg_exe

    good = _wav_bytes(_speechlike(6, 16000), 16000)
    nan = _speechlike(6, 16000)
    nan[1000:3000] = np.nan
    hour = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "lavfi", "-i",
                           "sine=frequency=220:duration=3600:sample_rate=8000", "-c:a", "libopus", "-b:a", "6k",
                           "-f", "ogg", "pipe:1"], capture_output=True, timeout=300).stdout
    return [
        ("zero-length", b""), ("random bytes", np.random.default_rng(5).bytes(4096)),
        ("truncated wav", good[: len(good) // 3][:60]), ("truncated half", good[: len(good) // 2]),
        ("8 channels", _wav_bytes(np.repeat(_speechlike(6, 16000), 8), 16000, channels=8)),
        ("8 kHz", _wav_bytes(_speechlike(6, 8000), 8000)), ("192 kHz", _wav_bytes(_speechlike(6, 192000), 192000)),
        ("NaN-filled", _wav_bytes(nan, 16000, float32=True)),
        ("hour-long opus", hour), ("one second", _wav_bytes(_speechlike(1, 16000), 16000)),
        ("text file", "这不是音频".encode() * 100),
    ]


def test_reference_uploads_give_audio_or_a_clear_error(url):
    """Every kind of bad upload is answered in seconds with audio or a 4xx naming reference_audio."""
    import base64
    import time

    outcomes = {}
    for name, data in _upload_cases():
        count("uploads")
        started = time.monotonic()
        r = httpx.post(f"{url}/v1/audio/speech", timeout=120, json={
            "input": "参考音频测试。", "response_format": "wav", "reference_audio": base64.b64encode(data).decode()})
        outcomes[name] = (r.status_code, round(time.monotonic() - started, 1))
        assert r.status_code in (200, 400, 413), (name, r.status_code, r.text[:200])
        if r.status_code != 200:
            error = r.json()["error"]
            assert error["param"] == "reference_audio" and error["message"], (name, error)
        assert httpx.get(f"{url}/healthz").status_code == 200
    assert outcomes["zero-length"][0] == 400 and outcomes["random bytes"][0] == 400
    assert outcomes["NaN-filled"][0] == 400
    report("reference uploads: " + ", ".join(f"{k} -> {v[0]} ({v[1]} s)" for k, v in outcomes.items()))


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                 HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_random_bytes_as_reference_audio_are_refused_clearly(url, data):
    import base64

    count("uploads")
    r = httpx.post(f"{url}/v1/audio/speech", timeout=60, json={
        "input": "你好", "response_format": "pcm", "reference_audio": base64.b64encode(data).decode()})
    assert r.status_code in (200, 400), r.text[:200]
    if r.status_code == 400:
        assert r.json()["error"]["param"] == "reference_audio"
