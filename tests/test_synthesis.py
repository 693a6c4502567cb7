"""Real synthesis with the real weights: speech that is audible, voiced, female-pitched and of
plausible length for its syllable count; the `say` CLI end to end."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pytest
import pyworld

from tts.audio.wav import read_wav
from tts.engine import AcousticItem

SAMPLE_RATE = 24000


def speak(engine, pipeline, text: str, speed: float = 1.0) -> tuple[np.ndarray, int]:
    """Synthesize text segment by segment; returns (audio, syllable count)."""
    pieces, syllables = [], 0
    for seg in pipeline.prepare(text, max_chars=60):
        mel = engine.acoustic([AcousticItem(seg.ids, duration_scale=1.0 / speed)])[0].mel
        pieces.append(engine.vocode(mel))
        syllables += seg.syllable_count
    return np.concatenate(pieces), syllables


def voiced_f0(audio: np.ndarray) -> np.ndarray:
    f0, _ = pyworld.dio(audio.astype(np.float64), SAMPLE_RATE, frame_period=10.0)
    return f0[f0 > 0]


@pytest.mark.parametrize("text", [
    "今天天气很好，我们一起去公园散步吧。",
    "请问去火车站应该怎么走？",
    "会议定于2024年11月21日上午10:30举行。",
    "你好！",
])
def test_speech_is_audible_voiced_and_plausibly_long(engine, pipeline, text):
    audio, syllables = speak(engine, pipeline, text)
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
    seconds = len(audio) / SAMPLE_RATE
    # Mandarin read speech runs at roughly 3-7 syllables per second, plus leading/trailing silence.
    assert 0.12 * syllables <= seconds <= 0.45 * syllables + 0.8, (seconds, syllables)
    rms = float(np.sqrt(np.mean(audio**2)))
    assert rms > 0.02, rms
    f0 = voiced_f0(audio)
    voiced_fraction = len(f0) / (seconds * 100)
    assert voiced_fraction > 0.3, voiced_fraction
    assert 150 <= np.median(f0) <= 350, np.median(f0)  # the Baker voice is a female speaker


def test_speed_control_changes_duration(engine, pipeline):
    normal, _ = speak(engine, pipeline, "人工智能正在改变我们的生活方式。")
    fast, _ = speak(engine, pipeline, "人工智能正在改变我们的生活方式。", speed=2.0)
    slow, _ = speak(engine, pipeline, "人工智能正在改变我们的生活方式。", speed=0.5)
    assert 0.4 < len(fast) / len(normal) < 0.6
    assert 1.7 < len(slow) / len(normal) < 2.3


def test_different_texts_give_different_audio(engine, pipeline):
    a, _ = speak(engine, pipeline, "北京欢迎你。")
    b, _ = speak(engine, pipeline, "上海欢迎你。")
    n = min(len(a), len(b))
    assert not np.allclose(a[:n], b[:n], atol=1e-3)


@pytest.mark.real_weights  # the CLI process loads the fetched models
def test_cli_say_writes_a_wav_for_long_text(tmp_path):
    text = "。".join(["这是第{}句话，用来测试长文本的合成".format(i) for i in range(1, 9)]) + "。"
    out = tmp_path / "long.wav"
    proc = subprocess.run([sys.executable, "-m", "tts", "say", text, "-o", str(out), "--threads", "2"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    audio, rate = read_wav(out)
    assert rate == SAMPLE_RATE
    seconds = len(audio) / rate
    assert 8 * 1.5 < seconds < 8 * 6, seconds  # eight sentences, none lost
    segments = int(re.search(r"(\d+) segment\(s\)", proc.stdout).group(1))
    assert segments >= 8  # eight sentences (the first may be cut short so audio starts early)


@pytest.mark.real_weights  # the CLI process loads the fetched models
def test_cli_say_rejects_empty_text_clearly(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tts", "say", "   ", "-o", str(tmp_path / "x.wav")],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert "text is empty" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.real_weights  # the CLI process loads the fetched models
def test_cli_say_with_voice_emotion_and_instructions_writes_mp3(tmp_path):
    out = tmp_path / "styled.mp3"
    proc = subprocess.run([sys.executable, "-m", "tts", "say", "今天天气很好，我们一起去公园散步吧！", "-o", str(out),
                           "--voice", "baker-bright", "--emotion", "happy", "--instructions", "语速快一点"],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    data = out.read_bytes()
    assert data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
    assert "instructions:" in proc.stderr


@pytest.mark.real_weights  # the CLI process loads the fetched models
def test_cli_say_rejects_unknown_emotion(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tts", "say", "你好", "-o", str(tmp_path / "x.wav"),
                           "--emotion", "bored"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown emotion" in proc.stderr and "Traceback" not in proc.stderr


def test_cli_say_rejects_out_of_range_speed(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tts", "say", "你好", "-o", str(tmp_path / "x.wav"),
                           "--speed", "9"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "speed must be between 0.25 and 4.0" in proc.stderr


def test_vocoding_ever_new_lengths_does_not_grow_memory(engine):
    """A server meets a new utterance length with nearly every request. Nothing in the default
    vocoder may keep per-length state (oneDNN's per-shape kernels cost ~1.8 MB per length in
    the PQMF filter bank before it became a matrix product: 100 lengths, ~180 MB)."""
    import psutil
    import torch

    process = psutil.Process()
    mel = torch.randn(400, 80) * 0.5 - 5
    engine.vocode_batch([mel[:40]], "mb_melgan")
    before = process.memory_info().rss
    for frames in range(41, 141):
        engine.vocode_batch([mel[:frames]], "mb_melgan")
    grown_mb = (process.memory_info().rss - before) / 2**20
    print(f"RSS growth after 100 new lengths: {grown_mb:.1f} MB")
    assert grown_mb < 40
