"""Shared fixtures: the real converted weights (fetched by ./run.sh test) and loaded models."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

ROOT = Path(__file__).resolve().parent.parent
MEASUREMENTS: list[str] = []


def report(line: str) -> None:
    """Record a measured figure; all of them are printed at the end of the test run."""
    MEASUREMENTS.append(line)


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
    from tts.weights import verify

    return verify()


@pytest.fixture(scope="session")
def engine(weights_dir):
    from tts.engine import Engine

    return Engine.load(weights_dir)


@pytest.fixture(scope="session")
def pipeline(weights_dir):
    from tts.pipeline import Pipeline

    return Pipeline.load(weights_dir)
