"""DashScope WebSocket benchmark: first audio after the first sentence's end with text typed at
20 characters/s, and the whole task's real-time factor, against the same text sent whole.

Everything goes through the official `dashscope` SDK (`SpeechSynthesizer`, pcm 24 kHz) against
the server on loopback, one task at a time on an idle server, three kinds interleaved per round
so that a slow moment of the machine falls on all of them alike (audio cache off):

* whole: the text in one continue-task (`streaming_call(text)`, `streaming_complete()`): text
  sent -> first audio frame, and text sent -> task-finished over the audio's duration (RTF);
* typed: one character every 50 ms (20 characters/s, an LLM's pace): the character that ends
  the first sentence sent -> first audio frame; and the last character sent -> task-finished
  (how long the listener waits after the LLM is done);
* streamed at once: the same text in 1-3 character pieces sent back to back: first piece sent
  -> task-finished over the audio's duration (RTF), to compare with whole.

    .venv/bin/python bench/streaming_ws_bench.py --runs 10
"""

from __future__ import annotations

import argparse
import dataclasses
import random
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

import dashscope
from dashscope.audio.tts_v2 import AudioFormat, ResultCallback, SpeechSynthesizer
from webserver import serve  # the tests' loopback server, API only here

from tts.serving.profiles import load_profile
from tts.synthesizer import Synthesizer
from tts.web.dashscope_protocol import PATH

# An assistant's answer as an LLM writes it: a short first sentence, then longer ones.
TEXT = ("好的，我来帮你查一下。明天北京晴转多云，最高气温二十六度，最低十五度，空气质量良好。"
        "下午三点以后风会大一些，出门记得带件外套。")
FIRST_END = TEXT.index("。") + 1
RATE = 24000


class Timer(ResultCallback):
    def __init__(self) -> None:
        self.first: float | None = None
        self.finished = threading.Event()
        self.done_at = 0.0
        self.bytes = 0
        self.error: str | None = None

    def on_data(self, data: bytes) -> None:
        if self.first is None:
            self.first = time.perf_counter()
        self.bytes += len(data)

    def on_complete(self) -> None:
        self.done_at = time.perf_counter()
        self.finished.set()

    def on_error(self, message) -> None:
        self.error = str(message)
        self.finished.set()

    @property
    def seconds(self) -> float:
        return self.bytes / 2 / RATE


def start(url: str) -> tuple[SpeechSynthesizer, Timer]:
    timer = Timer()
    return SpeechSynthesizer(model="cosyvoice-v2", voice="longxiaochun", format=AudioFormat.PCM_24000HZ_MONO_16BIT,
                             callback=timer, url=url), timer


def finish(synthesizer: SpeechSynthesizer, timer: Timer) -> None:
    synthesizer.async_streaming_complete()
    if not timer.finished.wait(300) or timer.error:
        raise RuntimeError(f"the task did not finish: {timer.error}")


def whole(url: str) -> tuple[float, float]:
    """(text sent -> first audio, RTF)."""
    synthesizer, timer = start(url)
    synthesizer.streaming_call(TEXT)  # connects, run-task, then the text
    sent = time.perf_counter()
    finish(synthesizer, timer)
    assert timer.first is not None
    return timer.first - sent, (timer.done_at - sent) / timer.seconds


def typed(url: str, chars_per_s: float) -> tuple[float, float]:
    """(first sentence's end sent -> first audio, last character sent -> task-finished)."""
    synthesizer, timer = start(url)
    synthesizer.streaming_call(TEXT[0])
    ended = 0.0
    for at in range(1, len(TEXT)):
        time.sleep(1 / chars_per_s)
        synthesizer.streaming_call(TEXT[at])
        if at + 1 == FIRST_END:
            ended = time.perf_counter()
    last = time.perf_counter()
    finish(synthesizer, timer)
    assert timer.first is not None
    if timer.first < ended:
        raise RuntimeError("audio before the first sentence ended")
    return timer.first - ended, timer.done_at - last


def at_once(url: str, rng: random.Random) -> float:
    """RTF of the text in 1-3 character pieces sent back to back."""
    synthesizer, timer = start(url)
    sizes, at = [], 0
    while at < len(TEXT):
        sizes.append(rng.randint(1, 3))
        at += sizes[-1]
    at = sizes[0]
    synthesizer.streaming_call(TEXT[:at])
    sent = time.perf_counter()
    for size in sizes[1:]:
        synthesizer.streaming_call(TEXT[at:at + size])
        at += size
    finish(synthesizer, timer)
    return (timer.done_at - sent) / timer.seconds


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--chars-per-s", type=float, default=20.0)
    args = parser.parse_args()
    profile = load_profile("cpu")
    profile = dataclasses.replace(profile, cache=dataclasses.replace(profile.cache, max_entries=0))  # no replays
    synth = Synthesizer.from_profile(profile)
    dashscope.api_key = "sk-local"
    rng = random.Random(0)
    rows: dict[str, list[float]] = {"whole_first": [], "whole_rtf": [], "typed_first": [], "typed_tail": [],
                                    "at_once_rtf": []}
    try:
        with serve(synth, ui=False) as base:
            url = base.replace("http://", "ws://") + PATH
            for _ in range(2):  # warm-up, untimed
                whole(url)
                at_once(url, rng)
            print(f"profile {synth.profile.name}, {args.runs} rounds, cache off; typed at "
                  f"{args.chars_per_s:g} characters/s; {len(TEXT)} characters", flush=True)
            for run in range(args.runs):
                first, rtf = whole(url)
                rows["whole_first"].append(first)
                rows["whole_rtf"].append(rtf)
                first, tail = typed(url, args.chars_per_s)
                rows["typed_first"].append(first)
                rows["typed_tail"].append(tail)
                rows["at_once_rtf"].append(at_once(url, rng))
                print(f"  round {run + 1}: whole first {rows['whole_first'][-1] * 1000:.0f} ms, "
                      f"typed first after sentence end {first * 1000:.0f} ms, tail {tail * 1000:.0f} ms, "
                      f"RTF whole {rtf:.3f} / streamed {rows['at_once_rtf'][-1]:.3f}", flush=True)
    finally:
        synth.close()
    ms = {k: [v * 1000 for v in vals] for k, vals in rows.items() if not k.endswith("rtf")}
    print("\n| measure | runs | p50 | p95 | vs whole (p50) |\n| --- | --- | --- | --- | --- |")
    base_first = statistics.median(ms["whole_first"])
    print(f"| whole text: text sent -> first audio (baseline) | {args.runs} | {base_first:.0f} ms | "
          f"{p(ms['whole_first'], 0.95):.0f} ms | 1.00 |")
    typed_first = statistics.median(ms["typed_first"])
    print(f"| typed at {args.chars_per_s:g}/s: first sentence's end -> first audio | {args.runs} | "
          f"{typed_first:.0f} ms | {p(ms['typed_first'], 0.95):.0f} ms | {typed_first / base_first:.2f} |")
    print(f"| typed at {args.chars_per_s:g}/s: last character -> task-finished | {args.runs} | "
          f"{statistics.median(ms['typed_tail']):.0f} ms | {p(ms['typed_tail'], 0.95):.0f} ms | |")
    base_rtf = statistics.median(rows["whole_rtf"])
    print(f"| whole text: RTF (baseline) | {args.runs} | {base_rtf:.3f} | {p(rows['whole_rtf'], 0.95):.3f} | 1.00 |")
    rtf = statistics.median(rows["at_once_rtf"])
    print(f"| 1-3 character pieces at once: RTF | {args.runs} | {rtf:.3f} | {p(rows['at_once_rtf'], 0.95):.3f} | "
          f"{rtf / base_rtf:.2f} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
