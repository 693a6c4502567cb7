"""A short run of bench/load_test.py: 32 concurrent clients mixing streamed and whole API requests,
hang-ups mid-stream and UI requests against a real server process on loopback."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import report

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

import load_test  # noqa: E402

pytestmark = pytest.mark.real_weights  # the server process loads the fetched models


def test_short_load_run_has_no_errors_and_no_crosstalk():
    summary = load_test.run(clients=32, total=160, minutes=6, concurrency=4, queue_size=24, log=lambda *_: None,
                            warmup=32, settle_s=2.0)
    report(f"load (short, CI): {summary['clients']} clients, {summary['requests']} requests "
           f"({summary['by_mode']}), {summary['ok']} ok, {summary['busy_503']} x 503, {summary['cancelled']} hung up, "
           f"{summary['failures']} failures, {summary['crosstalk']} cross-talk; latency p50/p95 "
           f"{summary['latency_p50_s']:.2f}/{summary['latency_p95_s']:.2f} s; "
           f"{summary['requests_per_s']:.2f} req/s; RSS after {summary['warmup_requests']} warm-up requests "
           f"{summary['rss_warm_mb']:.0f} MiB, after the run {summary['rss_final_mb']:.0f} MiB")
    assert summary["failures"] == 0 and summary["warmup_failures"] == 0, summary["failure_examples"]
    assert summary["crosstalk"] == 0, summary["crosstalk_examples"]
    assert summary["requests"] >= 100
    assert summary["ok"] >= summary["requests"] // 3  # the rest: 503 (queue full) or deliberate hang-ups
    assert summary["cancelled"] >= 1 and summary["server_cancelled"] >= 1
    assert set(summary["by_mode"]) >= {"whole", "stream", "cancel", "ui"}
    assert summary["health"] == "ok"
