"""Load test on loopback: many concurrent clients against a real server process, bounded in time.

Starts `app.py` on a free loopback port (the cache off, so every request is synthesized),
records each test text's single-request audio (whole and streamed: whole responses run in
long-form mode, which cuts a long first sentence differently), then runs N client threads that mix API
requests (whole and streamed), clients that hang up mid-stream, and UI requests through
gradio_client, until the request budget or the time limit is reached. Checks: no 5xx except
503 (queue full), no cross-talk (every response's audio matches the single-request audio of
its own text and kind), and the server's RSS growth after warm-up: `--warmup` requests of the same mix
first, then the counted ones; RSS is sampled with the server idle after each (`--settle-s`, so
that its 30 s heap trim has run), and also every 50 requests under load. Prints p50/p95
latency, throughput.

    .venv/bin/python bench/load_test.py --clients 32 --requests 2000 --minutes 30
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import wave
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import numpy as np
import psutil
import yaml

ROOT = Path(__file__).resolve().parent.parent
TEXTS = [
    "今天天气很好。", "请问去火车站应该怎么走？", "会议定于2024年11月21日上午10:30举行。", "谢谢大家！",
    "他的手机号码是13812345678。", "人工智能正在改变我们的生活方式和工作方式。", "春眠不觉晓，处处闻啼鸟。",
    "这本书一共有325页，我已经读了一半。", "为了保护环境，我们应该尽量少用一次性塑料袋。", "你好！",
    "列车即将到达终点站，请各位旅客带好随身物品。", "这台电脑售价5999元，比去年便宜了12.5%。",
    "长江是中国第一长河，全长约6300公里。", "北京欢迎你。", "周末我喜欢在家里读书、喝茶、听音乐。",
    "这个问题说起来容易，做起来却不简单。", "妈妈让我放学以后早点回家。", "科学家们发现了一种新的治疗方法。",
    "银行行长说，今年的利率可能会小幅下调。", "小明昨天晚上看了一部很感人的电影。",
]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def pcm(data: bytes) -> np.ndarray:
    return np.frombuffer(data, "<i2").astype(np.float32) / 32767


def wav_samples(path: str) -> np.ndarray:
    with wave.open(path) as w:
        return pcm(w.readframes(w.getnframes()))


def log_spectral_distance(a: np.ndarray, b: np.ndarray, n: int = 1024, hop: int = 256) -> float:
    """Mean per-frame RMS difference of the two signals' log magnitude spectra, in dB."""
    def spectrum(x: np.ndarray) -> np.ndarray:
        frames = np.lib.stride_tricks.sliding_window_view(x, n)[::hop] * np.hanning(n)
        return 20 * np.log10(np.abs(np.fft.rfft(frames, axis=1)) + 1e-4)

    sa, sb = spectrum(a), spectrum(b)
    m = min(len(sa), len(sb))
    return float(np.mean(np.sqrt(np.mean((sa[:m] - sb[:m]) ** 2, axis=1))))


def mismatch(mode: str, text: str, reference: np.ndarray, audio: np.ndarray) -> str:
    """How a response differs from its text's single-request audio (for the report)."""
    m = min(len(reference), len(audio))
    lsd = log_spectral_distance(reference[:m], audio[:m]) if m > 1024 else float("nan")
    return f"{mode}: {text} - {len(audio)} samples, expected {len(reference)}; LSD over the common part {lsd:.1f} dB"


def matches(reference: np.ndarray, audio: np.ndarray) -> bool:
    """Same text, same audio: equal length, and the same waveform (SNR >= 30 dB) or, when batching
    in bf16 moved the vocoder's phase, the same spectrum (log-spectral distance < 6 dB; measured:
    same text 0.9-1.8 dB, another text 15-20 dB)."""
    if len(reference) != len(audio):
        return False
    noise = float(((reference - audio) ** 2).sum())
    if noise == 0 or 10 * np.log10(float((reference**2).sum()) / noise) >= 30.0:
        return True
    return log_spectral_distance(reference, audio) < 6.0


@dataclass
class Tally:
    lock: threading.Lock = field(default_factory=threading.Lock)
    requests: int = 0
    ok: int = 0
    busy: int = 0
    cancelled: int = 0
    crosstalk: list = field(default_factory=list)
    failures: list = field(default_factory=list)
    latency: list = field(default_factory=list)  # whole responses: request -> full body
    first_byte: list = field(default_factory=list)  # streams: request -> first audio bytes
    audio_s: float = 0.0
    by_mode: dict = field(default_factory=dict)

    def add(self, mode: str, **kw) -> None:
        with self.lock:
            self.requests += 1
            self.by_mode[mode] = self.by_mode.get(mode, 0) + 1
            for k, v in kw.items():
                if isinstance(getattr(self, k), list):
                    getattr(self, k).append(v)
                else:
                    setattr(self, k, getattr(self, k) + v)


class Server:
    """app.py in a child process on loopback, with a load-test profile (cache off)."""

    def __init__(self, concurrency: int, queue_size: int, timeout: float):
        profile = yaml.safe_load((ROOT / "tts" / "data" / "profiles" / "cpu.yaml").read_text(encoding="utf-8"))
        profile["name"] = "load-test"
        profile["serving"].update(concurrency=concurrency, queue_size=queue_size, queue_timeout_s=timeout)
        profile["cache"].update(max_entries=0)
        self.profile_file = Path(tempfile.mkstemp(suffix=".yaml")[1])
        self.profile_file.write_text(yaml.safe_dump(profile), encoding="utf-8")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.TemporaryFile()
        self.state_dir = tempfile.mkdtemp(prefix="zh-tts-load-state-")
        # All clients come from one address without keys: the per-client limits (its share of the
        # slots and of the line) would make this a test of them (429s), not of the server under
        # load; the queue's 503s are the limit here.
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--port", str(self.port), "--profile", str(self.profile_file),
             "--rate-limit", "0", "--client-concurrency", "100000", "--client-queue", "100000",
             "--state-dir", self.state_dir],
            cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                self.log.seek(0)
                raise RuntimeError(f"server exited: {self.log.read().decode(errors='replace')[-2000:]}")
            try:
                if httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200:
                    return
            except httpx.HTTPError:
                time.sleep(0.3)
        self.stop()
        raise RuntimeError("server did not start within 180 s")

    def rss(self) -> int:
        return psutil.Process(self.proc.pid).memory_info().rss

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
        self.profile_file.unlink(missing_ok=True)
        shutil.rmtree(self.state_dir, ignore_errors=True)


def run(clients: int, total: int, minutes: float, concurrency: int, queue_size: int, seed: int = 1,
        ui_share: float = 0.15, cancel_share: float = 0.1, stream_share: float = 0.35, log=print,
        trace: bool = False, warmup: int = 0, settle_s: float = 0.0, idle_every: int = 0) -> dict:
    """`warmup` requests first (same mix, not counted), then `total` counted ones. RSS growth
    compares the server idle after the warm-up with the server idle after the counted requests,
    each sampled `settle_s` after the last request (35 s: the server trims its heap every 30 s),
    and, with `idle_every`, also idle after every that many counted requests (the trend)."""
    server = Server(concurrency, queue_size, timeout=600)
    try:
        return _drive(server, clients, total, minutes, seed, ui_share, cancel_share, stream_share, log, trace,
                      warmup, settle_s, idle_every)
    finally:
        server.stop()


def _drive(server: Server, clients: int, total: int, minutes: float, seed: int, ui_share: float,
           cancel_share: float, stream_share: float, log, trace: bool, warmup: int, settle_s: float,
           idle_every: int) -> dict:
    from gradio_client import Client

    url = server.url
    log(f"server {url}; recording reference audio for {len(TEXTS)} texts ...")
    # Whole responses run in long-form mode, which does not cut a long first sentence short as
    # streaming does: the same text has a whole reference and a streamed one (the web page
    # streams), and every response is compared with the one of its own kind.
    references: dict[bool, dict[str, np.ndarray]] = {False: {}, True: {}}
    for text in TEXTS:
        for streamed in (False, True):
            r = httpx.post(f"{url}/v1/audio/speech", json={"input": text, "response_format": "pcm", "stream": streamed},
                           timeout=120)
            r.raise_for_status()
            references[streamed][text] = pcm(r.content)
    tally = Tally()
    stop_at = time.monotonic() + minutes * 60
    rss_samples: list[int] = []

    def one(rng: random.Random, http: httpx.Client, ui, tally: Tally) -> None:
        text = rng.choice(TEXTS)
        roll = rng.random()
        mode = ("ui" if roll < ui_share else "cancel" if roll < ui_share + cancel_share
                else "stream" if roll < ui_share + cancel_share + stream_share else "whole")
        start = time.perf_counter()
        if mode == "ui":
            try:
                _, wav_path, status, *_ = ui.predict(text, "baker", "neutral", 1.0, "", None, 1.0, 0.0, 1.0, "fast",
                                                     "", False, api_name="/synthesize")
            except Exception as exc:  # noqa: BLE001 - Gradio's own refusals (its queue full) still raise
                wav_path, status = None, str(exc)
            if wav_path is None:  # the page's handler answers a failed run with its status line
                if "busy" in status.lower() or "queue" in status.lower():
                    tally.add(mode, busy=1)
                    time.sleep(rng.uniform(0.5, 1.5))
                else:
                    tally.add(mode, failures=f"ui: {status[:200]}")
                return
            audio = wav_samples(wav_path)
            reference = references[True][text]
            tally.add(mode, ok=1, latency=time.perf_counter() - start, audio_s=len(audio) / 24000,
                      **({} if matches(reference, audio) else {"crosstalk": mismatch(mode, text, reference, audio)}))
            return
        body = {"input": text, "response_format": "pcm", "stream": mode != "whole"}
        with http.stream("POST", f"{url}/v1/audio/speech", json=body, timeout=600) as r:
            if r.status_code == 503:
                r.read()
                tally.add(mode, busy=1)
                time.sleep(rng.uniform(0.5, 1.5))  # a polite client backs off (the server sends Retry-After)
                return
            if r.status_code != 200:
                tally.add(mode, failures=f"{mode}: HTTP {r.status_code} {r.read()[:200]!r}")
                return
            data = bytearray()
            first = None
            for block in r.iter_bytes():
                if block and first is None:
                    first = time.perf_counter() - start
                    if mode == "cancel":
                        tally.add(mode, cancelled=1, first_byte=first)
                        return  # hang up mid-stream
                data += block
        audio = pcm(bytes(data))
        kw = {"first_byte": first} if mode == "stream" else {"latency": time.perf_counter() - start}
        reference = references[mode != "whole"][text]
        tally.add(mode, ok=1, audio_s=len(audio) / 24000,
                  **kw, **({} if matches(reference, audio) else {"crosstalk": mismatch(mode, text, reference, audio)}))

    def phase(count: int, tally: Tally, seed_offset: int, sample: bool) -> float:
        """Run `count` requests over all clients; return the wall time."""
        budget = threading.Semaphore(count)

        def client(i: int) -> None:
            rng = random.Random(seed * 100_000 + seed_offset + i)
            ui = Client(url + "/", verbose=False)
            with httpx.Client() as http:
                while time.monotonic() < stop_at and budget.acquire(blocking=False):
                    try:
                        one(rng, http, ui, tally)
                    except Exception as exc:  # noqa: BLE001 - a client-side failure is a failed request
                        tally.add("error", failures=f"{type(exc).__name__}: {str(exc)[:200]}")
                    done = tally.requests
                    if sample and done % 50 == 0:
                        rss_samples.append(server.rss())
                        if trace:
                            log(f"{done} requests: server RSS {rss_samples[-1] / 2**20:.0f} MiB")

        started = time.perf_counter()
        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        return time.perf_counter() - started

    def idle_rss() -> int:
        """RSS once the server has been idle for `settle_s` (long enough for its heap trimmer to run)."""
        time.sleep(settle_s)
        return server.rss()

    warm_rss = None
    warm_tally = Tally()
    if warmup:
        log(f"warm-up: {warmup} requests ...")
        phase(warmup, warm_tally, 50_000, sample=False)
        warm_rss = idle_rss()
        log(f"warm-up done; idle server RSS {warm_rss / 2**20:.0f} MiB")
    idle_samples = [warm_rss] if warm_rss else []
    loaded_rss = server.rss()
    wall, done, k = 0.0, 0, 0
    while done < total and time.monotonic() < stop_at:
        count = min(total - done, idle_every or total)
        wall += phase(count, tally, 100 * k, sample=True)
        done, k = tally.requests, k + 1
        loaded_rss = server.rss()
        if done < total and time.monotonic() < stop_at:
            idle_samples.append(idle_rss())
            log(f"{done} requests; idle server RSS {idle_samples[-1] / 2**20:.0f} MiB")
    final_rss = idle_rss()
    idle_samples.append(final_rss)
    warm_rss = warm_rss or final_rss
    health = httpx.get(f"{url}/healthz", timeout=10).json()
    metrics = httpx.get(f"{url}/metrics", timeout=10).text

    def pct(values, q):
        values = sorted(values)
        return values[min(len(values) - 1, int(round(q * (len(values) - 1))))] if values else float("nan")

    summary = {
        "clients": clients, "requests": tally.requests, "ok": tally.ok, "busy_503": tally.busy,
        "cancelled": tally.cancelled, "failures": len(tally.failures), "crosstalk": len(tally.crosstalk),
        "by_mode": tally.by_mode, "wall_s": wall, "requests_per_s": tally.requests / wall,
        "audio_per_s": tally.audio_s / wall,
        "latency_p50_s": pct(tally.latency, 0.5), "latency_p95_s": pct(tally.latency, 0.95),
        "first_byte_p50_s": pct(tally.first_byte, 0.5), "first_byte_p95_s": pct(tally.first_byte, 0.95),
        "warmup_requests": warm_tally.requests, "warmup_failures": len(warm_tally.failures) + len(warm_tally.crosstalk),
        "settle_s": settle_s,
        "rss_warm_mb": warm_rss / 2**20, "rss_final_mb": final_rss / 2**20,
        "rss_growth_pct": 100 * (final_rss - warm_rss) / warm_rss,
        "rss_loaded_end_mb": loaded_rss / 2**20, "rss_idle_series_mb": [round(x / 2**20) for x in idle_samples],
        "rss_max_mb": max(rss_samples + [loaded_rss]) / 2**20, "health": health["status"],
        "server_cancelled": next((float(line.split()[-1]) for line in metrics.splitlines()
                                  if line.startswith('tts_requests_total{status="cancelled"}')), 0.0),
        "failure_examples": tally.failures[:5], "crosstalk_examples": tally.crosstalk[:5],
    }
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--minutes", type=float, default=20.0, help="stop after this long in any case")
    parser.add_argument("--concurrency", type=int, default=4, help="server synthesis slots")
    parser.add_argument("--queue", type=int, default=24, help="server waiting places (beyond them: 503)")
    parser.add_argument("--json", default=None, help="also write the summary here")
    parser.add_argument("--ui-share", type=float, default=0.15, help="share of requests through the UI")
    parser.add_argument("--cancel-share", type=float, default=0.1, help="share of clients hanging up mid-stream")
    parser.add_argument("--trace", action="store_true", help="print the server's RSS every 50 requests")
    parser.add_argument("--warmup", type=int, default=200, help="requests before the counted ones (not counted)")
    parser.add_argument("--settle-s", type=float, default=35.0,
                        help="idle seconds before each RSS sample (the server trims its heap every 30 s)")
    parser.add_argument("--idle-every", type=int, default=0,
                        help="also pause and sample the idle server's RSS after every N counted requests")
    args = parser.parse_args()
    summary = run(args.clients, args.requests, args.minutes, args.concurrency, args.queue,
                  ui_share=args.ui_share, cancel_share=args.cancel_share, trace=args.trace,
                  warmup=args.warmup, settle_s=args.settle_s, idle_every=args.idle_every)
    print(json.dumps(summary, indent=2, ensure_ascii=False))
    if args.json:
        Path(args.json).write_text(json.dumps(summary, indent=2, ensure_ascii=False))
    bad = summary["failures"] or summary["crosstalk"] or summary["warmup_failures"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
