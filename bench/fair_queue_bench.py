"""The fair queue: one client's burst of parallel requests, and a colleague's single request sent during it.

A real server (`zh-tts serve`'s app and per-client defaults, CPU profile, real weights) on
loopback. Client A (the `openai` package, default retries) sends --burst requests at once;
once most of them wait, client B (another loopback address, so another client) sends one.
Printed: how many of the burst succeeded (goal: all); B's wait in the line (the server's
X-Queue-Wait-Seconds) against one burst request's synthesis time under the same load (the
median over the burst of its latency minus its own wait): goal B's wait <= one request's time,
i.e. B's latency <= one request's synthesis plus its own. Also, for scale, one request alone on
the idle server (--solo requests, half before the burst and half after). Everything is
measured in the one run.

    .venv/bin/python bench/fair_queue_bench.py --burst 24
    .venv/bin/python bench/fair_queue_bench.py --burst 24 --client-concurrency 4   # every slot taken
"""

from __future__ import annotations

import argparse
import statistics
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

import httpx
from conftest import eval_sentences
from webserver import serve

from tts.synthesizer import Synthesizer
from tts.apps.serve import client_limits, parse_args


def solo(url: str, texts: list[str]) -> list[float]:
    """Latencies of `texts` sent one at a time to the otherwise idle server."""
    took = []
    for text in texts:
        started = time.perf_counter()
        httpx.post(f"{url}/v1/audio/speech", json={"input": text, "response_format": "pcm"},
                   timeout=600).raise_for_status()
        took.append(time.perf_counter() - started)
    return took


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--burst", type=int, default=24)
    p.add_argument("--solo", type=int, default=6, help="idle requests measured, half before and half after")
    p.add_argument("--profile", default="cpu")
    p.add_argument("--client-concurrency", type=int, default=0,
                   help="the share of `zh-tts serve --client-concurrency` (default: serve's); the profile's "
                        "concurrency makes the burst take every slot, so the colleague must wait for one")
    args = p.parse_args()

    from openai import OpenAI

    synth = Synthesizer.from_profile(args.profile)
    sentences = eval_sentences()
    # Distinct sentences throughout: the audio cache must not answer any of them.
    texts = [sentences[i % len(sentences)] for i in range(args.burst + 1 + args.solo)]
    texts, idle_texts = texts[:args.burst + 1], texts[args.burst + 1:]
    limits = client_limits(parse_args(["--client-concurrency", str(args.client_concurrency)]), synth)
    with serve(synth, ui=False, **limits) as url:
        solo(url, [sentences[-1]])  # warm up
        idle = solo(url, idle_texts[: args.solo // 2])
        client = OpenAI(base_url=f"{url}/v1", api_key="team-key")
        done: list[float] = []
        services: list[float] = []  # each burst request's latency minus its wait in the line
        errors: list[str] = []
        lock = threading.Lock()

        def speak(text: str) -> None:
            try:
                sent = time.perf_counter()
                raw = client.audio.speech.with_raw_response.create(model="tts-1", voice="alloy", input=text,
                                                                  response_format="pcm")
                now = time.perf_counter()
                with lock:
                    done.append(now)
                    services.append(now - sent - float(raw.headers["x-queue-wait-seconds"]))
            except Exception as exc:  # noqa: BLE001 -- counted as a failed request of the burst
                errors.append(type(exc).__name__)

        health = httpx.Client(base_url=url, timeout=30)
        started = time.perf_counter()
        burst = [threading.Thread(target=speak, args=(text,)) for text in texts[:-1]]
        for thread in burst:
            thread.start()
        while health.get("/healthz").json()["waiting"] < args.burst // 2:
            time.sleep(0.05)
        with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=600) as colleague:
            sent = time.perf_counter()
            r = colleague.post(f"{url}/v1/audio/speech", json={"input": texts[-1], "response_format": "pcm"})
            b_latency = time.perf_counter() - sent
            r.raise_for_status()
            b_wait = float(r.headers["x-queue-wait-seconds"])
        for thread in burst:
            thread.join()
        took = time.perf_counter() - started
        idle += solo(url, idle_texts[args.solo // 2:])
    synth.close()

    idle_one = statistics.median(idle)
    one = statistics.median(services)
    print(f"profile {synth.profile.name}, per-client share {limits['client_concurrency']} running, "
          f"{args.burst}-request burst from one OpenAI client")
    print(f"burst: {len(done)}/{args.burst} succeeded ({len(errors)} failed: {sorted(set(errors))}) "
          f"in {took:.1f} s")
    print(f"one request alone on the idle server (median of {len(idle)}, before and after): {idle_one:.2f} s")
    print(f"one burst request's synthesis under the burst (median latency minus its wait): {one:.2f} s")
    print(f"colleague's request during the burst: {b_latency:.2f} s, of which {b_wait:.2f} s waiting for a slot; "
          f"burst requests finished after it: {sum(t > sent + b_latency for t in done)}/{args.burst}")
    print(f"colleague's wait / one burst request's synthesis: {b_wait / one:.2f} (goal <= 1)")
    print(f"colleague's latency / (one burst request + its own): {b_latency / (one + b_latency - b_wait):.2f} "
          "(goal <= 1)")

if __name__ == "__main__":
    main()
