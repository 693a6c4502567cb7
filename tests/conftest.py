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
