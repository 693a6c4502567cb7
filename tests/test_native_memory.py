"""Heap housekeeping for the server process (glibc)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tts.serving.memory import HeapTrimmer, release_free_memory

ROOT = Path(__file__).resolve().parent.parent
glibc_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc allocator")


@glibc_only
def test_trimmer_runs_at_its_interval_and_stops():
    trimmer = HeapTrimmer(interval_s=0.05).start()
    deadline = time.monotonic() + 10
    while trimmer.runs < 3 and time.monotonic() < deadline:
        time.sleep(0.02)
    trimmer.stop()
    assert trimmer.runs >= 3
    runs = trimmer.runs
    time.sleep(0.2)
    assert trimmer.runs == runs
    assert isinstance(release_free_memory(), bool)


PROBE = """
import numpy as np, psutil
from tts.serving.memory import release_free_memory
p = psutil.Process()
big = np.ones(16 << 20 >> 3); del big  # glibc's mmap threshold now rises to 16 MiB
before = p.memory_info().rss
buffers, keep = [], []
for _ in range(64):
    buffers.append(np.ones(2 << 20 >> 3))  # 2 MiB, touched, now from the heap
    keep.append(bytearray(4096 * 8))  # small live blocks between them, as a server has
del buffers
held = (p.memory_info().rss - before) >> 20
release_free_memory()
print(held, (p.memory_info().rss - before) >> 20)
"""


@glibc_only
def test_trimming_returns_freed_memory_that_glibc_keeps():
    """128 MiB of 2 MiB buffers freed between small live blocks stay in the process (glibc keeps
    them for reuse) until malloc_trim hands the pages back."""
    out = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True, timeout=60,
                         cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert out.returncode == 0, out.stderr
    held, after_trim = map(int, out.stdout.split()[-2:])
    print(f"freed 128 MiB: {held} MiB still held, {after_trim} MiB after trimming")
    assert held > 64  # what the trimmer is for
    assert after_trim < 16
