"""Fair sharing: a colleague's short requests while two book jobs run, against the same requests idle.

One Synthesizer (CPU profile as shipped, real weights, cache off) and a JobService over a
temporary state directory. The colleague sends --requests short requests one after another
(one or two eval sentences; streamed, as the web page does, so both the first audio and the whole
are timed), first on the idle service, then while two book jobs run (each --book-chars long,
submitted together; measured once both are speaking). Prints the medians and p90s of both
phases, their ratio (goal: within 2x idle), and what the jobs achieved meanwhile.

    .venv/bin/python bench/fair_share_bench.py --requests 12 --book-chars 20000
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import chapter, eval_sentences  # noqa: E402

from tts.jobs.service import JobService  # noqa: E402
from tts.options import SynthesisOptions  # noqa: E402
from tts.request import RequestInput  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402


def colleague(synth: Synthesizer, texts: list[str], gap_s: float) -> tuple[list[float], list[float]]:
    """(first-chunk latencies, total latencies) of the texts sent one after another."""
    first, total = [], []
    for text in texts:
        started = time.perf_counter()
        with synth.stream(SynthesisOptions(text), use_cache=False) as stream:
            for n, _ in enumerate(stream):
                if n == 0:
                    first.append(time.perf_counter() - started)
        total.append(time.perf_counter() - started)
        time.sleep(gap_s)
    return first, total


def p90(values: list[float]) -> float:
    return sorted(values)[max(0, round(0.9 * len(values)) - 1)]


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--requests", type=int, default=12)
    p.add_argument("--book-chars", type=int, default=20000)
    p.add_argument("--gap", type=float, default=0.5, help="seconds between the colleague's requests")
    p.add_argument("--profile", default="cpu")
    args = p.parse_args()

    synth = Synthesizer.from_profile(args.profile)
    sentences = eval_sentences()
    texts = [sentences[i % len(sentences)] + (sentences[(i + 7) % len(sentences)] if i % 2 else "")
             for i in range(args.requests)]
    state = tempfile.mkdtemp(prefix="zh-tts-fair-share-")
    service = JobService(synth, state)
    try:
        colleague(synth, texts[:2], 0)  # warm the frontend's caches for these texts
        idle_first, idle_total = colleague(synth, texts, args.gap)
        book = chapter(args.book_chars)
        jobs = [service.submit("bench", RequestInput(book), "mp3").id for _ in range(2)]
        while not all((j := service.store.get(i)).status == "running" and j.done > 0 for i in jobs):
            time.sleep(0.2)
        before = {i: service.store.get(i).audio_samples for i in jobs}
        started = time.perf_counter()
        busy_first, busy_total = colleague(synth, texts, args.gap)
        took = time.perf_counter() - started
        states = [service.store.get(i) for i in jobs]
        produced = sum(j.audio_samples - before[j.id] for j in states) / synth.sample_rate
        running = [j.status for j in states]
    finally:
        service.close()
        synth.close()
    print(f"profile {synth.profile.name}; colleague: {args.requests} requests of one or two sentences, "
          f"{args.gap} s apart; jobs: 2 x {args.book_chars} characters\n")
    print("| phase | first chunk p50 | p90 | whole request p50 | p90 |\n| --- | --- | --- | --- | --- |")
    for name, first, total in (("idle", idle_first, idle_total), ("2 book jobs running", busy_first, busy_total)):
        print(f"| {name} | {statistics.median(first) * 1000:.0f} ms | {p90(first) * 1000:.0f} ms | "
              f"{statistics.median(total) * 1000:.0f} ms | {p90(total) * 1000:.0f} ms |")
    ratio_first = statistics.median(busy_first) / statistics.median(idle_first)
    ratio_total = statistics.median(busy_total) / statistics.median(idle_total)
    print(f"\nratio busy/idle (medians): first chunk {ratio_first:.2f}x, whole request {ratio_total:.2f}x "
          f"(goal: within 2x)")
    print(f"the two jobs meanwhile: {produced:.0f} s of audio in {took:.0f} s ({produced / took:.1f}x real time); "
          f"status at the end: {', '.join(running)}")


if __name__ == "__main__":
    main()
