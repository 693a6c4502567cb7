"""Wyoming benchmark: time to the first audio chunk over the Wyoming protocol, against the HTTP
API's streaming first chunk in the same run, on one Synthesizer.

Three measurements, each over --runs requests, one at a time on an idle server, interleaved so
that a slow moment of the machine falls on all of them alike (audio cache off, so every request
is synthesized):

* HTTP: `POST /v1/audio/speech` with `"stream": true`, pcm: request sent -> first body bytes
  (the baseline), for the short sentence and for the reply's first sentence alone;
* Wyoming `synthesize` of the same short sentence: event sent -> first audio-chunk event;
* a streamed LLM-like reply (`synthesize-start`, the text in 2-character `synthesize-chunk`s at
  --chunk-ms apart, `synthesize-stop`), written and read at the same time as Home Assistant does:
  the chunk that completes the first sentence sent -> that sentence's first audio-chunk.

    .venv/bin/python bench/wyoming_bench.py --runs 20
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import statistics
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from webserver import free_port, serve  # noqa: E402 - the tests' loopback server, API only here
from wyoming.client import AsyncClient  # noqa: E402
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop  # noqa: E402

from tts.serving.profiles import load_profile  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402
from tts.wyoming.server import WyomingServer  # noqa: E402

SHORT = "今天天气很好。"
# A voice assistant's answer, as an LLM streams it: the first sentence is short, as they usually are.
REPLY = ("好的，已经为你打开客厅的灯。现在室内温度是二十三度，湿度百分之四十五，比较舒适。"
         "如果你想调暗一点，可以随时告诉我。")
FIRST_SENTENCE_END = REPLY.index("。") + 1


async def wyoming_first_chunk(uri: str, text: str) -> float:
    async with AsyncClient.from_uri(uri, read_timeout=120) as client:
        started = time.perf_counter()
        await client.write_event(Synthesize(text).event())
        first = None
        while (event := await client.read_event()) is not None:
            if first is None and event.type == "audio-chunk":
                first = time.perf_counter() - started
            if event.type in ("audio-stop", "error"):
                break
        if first is None:
            raise RuntimeError(f"no audio from the Wyoming server ({event.type if event else 'closed'})")
        return first


async def streamed_reply_first_chunk(uri: str, chunk_s: float) -> float:
    """First audio of a reply streamed 2 characters at a time, from its first sentence's completion."""
    completed = None

    async with AsyncClient.from_uri(uri, read_timeout=120) as client:
        async def write() -> None:
            nonlocal completed
            await client.write_event(SynthesizeStart().event())
            for at in range(0, len(REPLY), 2):
                await client.write_event(SynthesizeChunk(REPLY[at:at + 2]).event())
                if completed is None and at + 2 >= FIRST_SENTENCE_END:
                    completed = time.perf_counter()
                await asyncio.sleep(chunk_s)
            await client.write_event(Synthesize(REPLY).event())  # as Home Assistant does; ignored
            await client.write_event(SynthesizeStop().event())

        writer = asyncio.create_task(write())
        first = None
        while (event := await client.read_event()) is not None:
            if first is None and event.type == "audio-chunk":
                first = time.perf_counter()
            if event.type in ("synthesize-stopped", "error"):
                break
        await writer
        if first is None or completed is None:
            raise RuntimeError("the streamed reply got no audio")
        return first - completed


def http_first_chunk(base: str, text: str) -> float:
    body = {"model": "zh-tts", "input": text, "response_format": "pcm", "stream": True}
    first = None
    started = time.perf_counter()
    with httpx.stream("POST", f"{base}/v1/audio/speech", json=body, timeout=120) as response:
        response.raise_for_status()
        for block in response.iter_bytes():  # read to the end: the next request starts on an idle server
            if block and first is None:
                first = time.perf_counter() - started
    return first


def summary(name: str, seconds: list[float], baseline: list[float] | None) -> str:
    ms = sorted(s * 1000 for s in seconds)
    p50 = statistics.median(ms)
    p95 = ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))]
    ratio = f"{p50 / (statistics.median(baseline) * 1000):.2f}" if baseline else "1.00"
    return f"| {name} | {len(ms)} | {p50:.0f} ms | {p95:.0f} ms | {ratio} |"


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--runs", type=int, default=20)
    p.add_argument("--chunk-ms", type=float, default=33.0,
                   help="time between 2-character chunks of the streamed reply (33 ms = about 60 characters/s, "
                   "an LLM streaming 30-40 tokens/s)")
    args = p.parse_args()

    profile = load_profile("cpu")
    profile = dataclasses.replace(profile, cache=dataclasses.replace(profile.cache, max_entries=0))  # no replays
    synth = Synthesizer.from_profile(profile)
    first_sentence = REPLY[:FIRST_SENTENCE_END]
    results: dict[str, list[float]] = {"http": [], "wyoming": [], "http_first": [], "reply": []}
    with serve(synth, ui=False, rate_per_minute=0) as base, \
            WyomingServer(synth, f"tcp://127.0.0.1:{free_port()}").start() as wyoming:
        for _ in range(2):  # first connections and code paths, not timed
            http_first_chunk(base, SHORT)
            asyncio.run(wyoming_first_chunk(wyoming.uri, SHORT))
        for _ in range(args.runs):
            results["http"].append(http_first_chunk(base, SHORT))
            results["wyoming"].append(asyncio.run(wyoming_first_chunk(wyoming.uri, SHORT)))
            results["http_first"].append(http_first_chunk(base, first_sentence))
            results["reply"].append(asyncio.run(streamed_reply_first_chunk(wyoming.uri, args.chunk_ms / 1000)))
    synth.close()
    print(f"profile {synth.profile.name}, {args.runs} runs each, cache off; streamed reply: 2 characters every "
          f"{args.chunk_ms:g} ms, {len(REPLY)} characters, first sentence {first_sentence!r}")
    print("| request | runs | first chunk p50 | first chunk p95 | p50 vs HTTP |")
    print("| --- | --- | --- | --- | --- |")
    print(summary(f"HTTP streaming, {SHORT!r} (baseline)", results["http"], None))
    print(summary(f"Wyoming synthesize, {SHORT!r}", results["wyoming"], results["http"]))
    print(summary(f"HTTP streaming, {first_sentence!r} (baseline)", results["http_first"], None))
    print(summary("Wyoming streamed reply, from its first sentence's completion", results["reply"],
                  results["http_first"]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
