"""Shared fixtures: the real converted weights (fetched by ./run.sh test) and loaded models, a tiny
random-weight voice for plumbing tests, and the markers that sort tests into tiers.

Markers (README, "Tests"): `real_weights` is set on every test that needs the fetched weights —
automatically for tests using the `weights_dir` fixture (directly or through `engine`, `synth`,
`url`, ...), by hand for tests that start a process loading them; `browser` for the Chromium
tests; `debian_tools` for tests driving Caddy, espeak-ng, sox or PostgreSQL; `cluster` for the
tests on a local Ray cluster (tests/cluster_scenario.py, run as root in a network namespace). `./run.sh test` runs them all;
`./run.sh test -m "not real_weights"` is the fast tier.
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS: list[str] = []


def report(line: str) -> None:
    """Record a measured figure; all of them are printed at the end of the test run."""
    MEASUREMENTS.append(line)


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "weights_dir" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.real_weights)


def pytest_terminal_summary(terminalreporter):
    if MEASUREMENTS:
        terminalreporter.section("measured figures")
        for line in MEASUREMENTS:
            terminalreporter.write_line(line)


def eval_sentences() -> list[str]:
    lines = (ROOT / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def chapter(chars: int = 10000) -> str:
    """A chapter of mixed sentences, numbers and punctuation, exactly `chars` characters long."""
    extras = ["2024年11月21日上午10:30，气温-3.5℃，湿度45%。", "这台电脑售价¥5,999元，比去年便宜了12.5%！",
              "请拨打13812345678或者010-62345678联系我们；", "他跑完5km只用了23分钟，速度约13km/h。",
              "第3章第2节写道：“知识就是力量。”", "会议纪要（2024/11/21）：1/3的人同意，2/3的人反对？"]
    parts = []
    i = 0
    while sum(map(len, parts)) < chars:
        sentences = eval_sentences()
        parts.append(sentences[i % len(sentences)])
        parts.append(extras[i % len(extras)])
        if i % 7 == 6:
            parts.append("\n")
        i += 1
    return "".join(parts)[:chars]


def snr_db(reference, estimate) -> float:
    """Signal-to-noise ratio of `estimate` against `reference`, in dB."""
    ref = torch.as_tensor(reference, dtype=torch.float64).flatten()
    est = torch.as_tensor(estimate, dtype=torch.float64).flatten()
    noise = float(((ref - est) ** 2).sum())
    return float("inf") if noise == 0 else 10.0 * torch.log10((ref**2).sum() / noise).item()


@pytest.fixture(scope="session")
def weights_dir() -> Path:
    from tts.weights.fetch import verify

    return verify()


@pytest.fixture(scope="session")
def engine(weights_dir):
    from tts.engine import Engine

    return Engine.load(weights_dir)


@pytest.fixture(scope="session")
def pipeline(weights_dir):
    from tts.pipeline import Pipeline

    return Pipeline.load(weights_dir)


@pytest.fixture(scope="session")
def fe():
    """One text frontend for the frontend tests (jieba and the tables load once)."""
    from tts.frontend import Frontend

    return Frontend()


def reading_of(fe, text: str, char: str, nth: int = 0) -> str:
    """The syllable the frontend reads for the ``nth`` occurrence of ``char`` in ``text`` (a text
    of Chinese characters only, so syllable ``k`` is character ``k``)."""
    syllables = fe.pinyin(text)
    assert len(syllables) == len(text), (text, syllables)
    at = -1
    for _ in range(nth + 1):
        at = text.index(char, at + 1)
    return syllables[at]


def assert_syllables(got, expected: str, text: str) -> None:
    """`expected` is space-separated syllables; 'a|b' accepts either reading at that position."""
    want = expected.split()
    ok = len(got) == len(want) and all(g in w.split("|") for g, w in zip(got, want))
    assert ok, f"{text!r}: got {' '.join(got)!r}, want {expected!r}"


def cpu_synthesizer(engine, pipeline):
    """A Synthesizer with the CPU profile over `engine` and `pipeline` (no warm-up), closed after."""
    from tts.serving.profiles import load_profile
    from tts.synthesizer import Synthesizer

    s = Synthesizer(load_profile("cpu"), engine, pipeline, warm_up=False)
    yield s
    s.close()


def cpu_variant(engine, pipeline, **sections):
    """A Synthesizer (no warm-up) with the CPU profile, some keys of its sections replaced:
    cpu_variant(engine, pipeline, serving={"stall_timeout_s": 1.0})."""
    import dataclasses

    from tts.serving.profiles import load_profile
    from tts.synthesizer import Synthesizer

    profile = load_profile("cpu")
    changes = {name: dataclasses.replace(getattr(profile, name), **values) for name, values in sections.items()}
    return Synthesizer(dataclasses.replace(profile, **changes), engine, pipeline, warm_up=False)


def _vnni() -> bool:
    from tts.models.layers import cpu_has_vnni

    return cpu_has_vnni()


# The profile's int8 acoustic model applies only where the CPU has VNNI
# (tts.engine.int8_acoustic_applies); its quality bounds are asserted where it is used.
needs_vnni = pytest.mark.skipif(not _vnni(), reason="no VNNI on this CPU: the cpu profile's acoustic model "
                                "runs float32 here, int8 is not adopted")


@contextlib.contextmanager
def acoustic_int8(engine, enabled: bool = True):
    """`engine`'s FastSpeech2 with its frame-level convolutions in dynamic int8 (the cpu profile's
    `precision.acoustic_int8`, `FastSpeech2.use_int8`) or float32 for the block; the shared
    float32 engine of the other tests is restored after."""
    model = engine.acoustic_model
    was = model.frame_level_int8
    model.use_int8(enabled)
    try:
        yield engine
    finally:
        model.use_int8(was)


def slow_vocoder(synth, seconds: float) -> None:
    """Make every vocoder call of `synth` take `seconds` longer (the tiny voice is so fast that a
    test could not otherwise act while a request or job is in progress)."""
    import time

    vocode = synth.workers[synth.engine.vocoder_device.type].handlers["vocoder"]

    def slow(payloads):
        time.sleep(seconds)
        return vocode(payloads)

    synth.workers[synth.engine.vocoder_device.type].handlers["vocoder"] = slow


def served(synth):
    """The app (UI + API) over `synth`, on a real loopback server: yields its base URL."""
    from webserver import serve

    with serve(synth) as base:
        yield base


@pytest.fixture(scope="session")
def synth(engine, pipeline):
    """The shared float32 engine with the real weights, behind the CPU profile."""
    yield from cpu_synthesizer(engine, pipeline)


@pytest.fixture(scope="session")
def url(synth):
    yield from served(synth)


@pytest.fixture(scope="session")
def tiny_engine():
    """The tiny random-weight voice's models (tests/tiny_voice.py): no fetched weights needed."""
    from tiny_voice import tiny_engine as make

    return make()


@pytest.fixture(scope="session")
def tiny_pipeline(fe):
    from tiny_voice import tiny_pipeline as make

    return make(fe)


@pytest.fixture(scope="session")
def tiny_synth(tiny_engine, tiny_pipeline):
    """The tiny voice behind the CPU profile."""
    yield from cpu_synthesizer(tiny_engine, tiny_pipeline)


@pytest.fixture(scope="session")
def tiny_url(tiny_synth):
    yield from served(tiny_synth)


def decode_any(data: bytes, suffix: str) -> np.ndarray:
    """Any audio file ffmpeg reads (mp3, m4b, ...) as 24 kHz mono float samples."""
    import subprocess
    import tempfile

    import numpy as np

    from tts.audio.formats import ffmpeg_exe

    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        out = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", f.name, "-f", "s16le", "-ac",
                              "1", "-ar", "24000", "pipe:1"], capture_output=True, check=True).stdout
    return np.frombuffer(out, "<i2").astype(np.float32) / 32767


def read_markers(data: bytes, suffix: str) -> list[tuple[float, str]]:
    """The chapter markers of an audio file as ffmpeg reads them: (start seconds, title)."""
    import re
    import subprocess
    import tempfile

    from tts.audio.formats import ffmpeg_exe

    with tempfile.NamedTemporaryFile(suffix=suffix) as f:
        f.write(data)
        f.flush()
        meta = subprocess.run([ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-i", f.name, "-f", "ffmetadata",
                               "pipe:1"], capture_output=True, check=True).stdout.decode("utf-8")
    markers = []
    for block in meta.split("[CHAPTER]")[1:]:
        fields = dict(line.split("=", 1) for line in block.strip().splitlines() if "=" in line)
        num, den = (int(x) for x in re.match(r"(\d+)/(\d+)", fields["TIMEBASE"]).groups())
        markers.append((int(fields["START"]) * num / den, fields.get("title", "")))
    return markers


@pytest.fixture(scope="session")
def listener():
    """The speech recognizer of the listening tests (tests/listening.py), loaded once."""
    from listening import get_listener

    return get_listener()
