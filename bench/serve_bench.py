"""Serving benchmark: concurrent streaming clients through the Synthesizer, batched vs one-at-a-time.

In one run, the same workload (N client threads, each streaming M requests of mixed length,
cache off) goes through the synthesizer with the profile's batching and with batches of one,
alternating the two for --rounds rounds (the median round of each is shown). Prints aggregate
real-time factor (audio seconds produced per wall second), first-chunk latency p50/p95, peak
RSS and VRAM, and the batching speed-up. Also times the first chunk of a 300-character
paragraph on an idle server.

    .venv/bin/python bench/serve_bench.py --clients 8 --requests 3
    .venv/bin/python bench/serve_bench.py --device cuda --clients 16 --requests 8
    .venv/bin/python bench/serve_bench.py --device cuda --profile gpu-8gb --memory-gb 8   # emulate an 8 GB card
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import threading
import time
from pathlib import Path

import psutil
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts.engine import Engine  # noqa: E402
from tts.options import SynthesisOptions  # noqa: E402
from tts.pipeline import Pipeline  # noqa: E402
from tts.serving.profiles import load_profile  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402

PARAGRAPH_300 = (
    "人工智能正在深刻地改变我们的生活方式和工作方式。从智能手机上的语音助手，到医院里辅助医生诊断的影像系统，"
    "再到工厂中自动调度生产的软件，新技术已经渗透到社会的各个角落。与此同时，人们也开始关注随之而来的问题："
    "个人隐私如何得到保护？算法做出的决定是否公平？普通劳动者怎样适应新的就业环境？这些问题没有简单的答案，"
    "需要政府、企业、学者和公众共同参与讨论。只有在发展与规范之间找到平衡，技术进步才能真正造福每一个人。"
    "展望未来，我们既要保持开放的心态拥抱变化，也要保持清醒的头脑审视风险，让科技始终服务于人的全面发展。"
    "在这个过程中，教育显得尤为重要：学校应当教会孩子提出问题、辨别信息的真伪，并学会与机器协作。"
)


def workload(n: int) -> list[str]:
    lines = (ROOT / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
    sentences = [s.strip() for s in lines if s.strip() and not s.startswith("#")]
    texts = []
    for i in range(n):  # mixed lengths: one, two or four sentences
        k = (1, 2, 4)[i % 3]
        texts.append("".join(sentences[(i + j) % len(sentences)] for j in range(k)))
    return texts


class Peak:
    """Samples the process's RSS in the background; peak CUDA memory from torch."""

    def __init__(self):
        self.rss = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        proc = psutil.Process()
        while not self._stop.is_set():
            self.rss = max(self.rss, proc.memory_info().rss)
            self._stop.wait(0.02)

    def __enter__(self):
        if torch.cuda.is_available():
            torch.cuda.reset_peak_memory_stats()
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()

    @property
    def vram(self) -> int:
        return torch.cuda.max_memory_allocated() if torch.cuda.is_available() else 0


def run_clients(synth: Synthesizer, texts: list[str], clients: int, quality: str | None) -> dict:
    latencies: list[float] = []
    audio_seconds = 0.0
    errors: list[str] = []
    lock = threading.Lock()
    queue = list(texts)

    def client():
        nonlocal audio_seconds
        while True:
            with lock:
                if not queue:
                    return
                text = queue.pop()
            try:
                stream = synth.stream(SynthesisOptions(text, quality=quality), use_cache=False)
                first = None
                start = time.perf_counter()
                with stream:
                    for chunk in stream:
                        if first is None:
                            first = time.perf_counter() - start
                with lock:
                    latencies.append(first)
                    audio_seconds += stream.result.timings.audio_s
            except Exception as exc:  # noqa: BLE001
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    started = time.perf_counter()
    with Peak() as peak:
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    wall = time.perf_counter() - started
    latencies.sort()
    p95 = latencies[min(len(latencies) - 1, int(round(0.95 * (len(latencies) - 1))))] if latencies else float("nan")
    return {"wall": wall, "audio": audio_seconds, "xrt": audio_seconds / wall, "requests": len(latencies),
            "errors": errors, "p50": statistics.median(latencies) if latencies else float("nan"), "p95": p95,
            "rss": peak.rss, "vram": peak.vram}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu")
    parser.add_argument("--profile", default=None, help="profile for chunking/batching (default cpu / gpu-16gb)")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--requests", type=int, default=3, help="requests per client")
    parser.add_argument("--max-wait-ms", type=float, default=None, help="override the profile's batch wait")
    parser.add_argument("--rounds", type=int, default=3, help="runs of each mode, alternating; the median is shown")
    parser.add_argument("--quality", choices=["fast", "high"], default=None, help="default: the profile's")
    parser.add_argument("--memory-gb", type=float, default=None,
                        help="cap this process's CUDA memory (set_per_process_memory_fraction) to emulate a card")
    args = parser.parse_args()

    if args.device == "cuda" and not torch.cuda.is_available():
        print("error: --device cuda but no CUDA device is available", file=sys.stderr)
        return 2
    if args.memory_gb and args.device == "cuda":
        total = torch.cuda.get_device_properties(0).total_memory
        torch.cuda.set_per_process_memory_fraction(min(1.0, args.memory_gb * 2**30 / total))
    profile = load_profile(args.profile or ("gpu-16gb" if args.device == "cuda" else "cpu"))
    dev = args.device
    if args.max_wait_ms is not None:
        profile = dataclasses.replace(profile, batching=dataclasses.replace(profile.batching,
                                                                            max_wait_ms=args.max_wait_ms))
    if args.device == "cpu":
        profile = dataclasses.replace(profile, devices=dataclasses.replace(profile.devices, acoustic="cpu",
                                                                            vocoder="cpu"))
    engine = Engine.for_profile(profile)
    pipeline = Pipeline.load()
    texts = workload(args.clients * args.requests)

    print(f"device {dev} ({torch.cuda.get_device_name(0) if dev == 'cuda' else f'{torch.get_num_threads()} threads'}), "
          f"profile {profile.name}, precision: {engine.precision()}, {args.clients} clients x "
          f"{args.requests} requests, torch {torch.__version__}")
    runs: dict[str, list[dict]] = {"batched": [], "one-at-a-time": []}
    modes = [("batched", profile.batching.max_batch_size), ("one-at-a-time", 1)]
    for rnd in range(args.rounds):  # alternate the modes, so drift in the machine hits both alike
        for label, batch in (modes if rnd % 2 == 0 else modes[::-1]):
            p = dataclasses.replace(profile, batching=dataclasses.replace(profile.batching, max_batch_size=batch),
                                    serving=dataclasses.replace(profile.serving, concurrency=max(args.clients, 1),
                                                                queue_size=max(args.clients, 1)))
            synth = Synthesizer(p, engine, pipeline, warm_up=True)
            try:
                run_clients(synth, texts[: args.clients], args.clients, args.quality)  # warm shapes and threads
                runs[label].append(run_clients(synth, texts, args.clients, args.quality))
            finally:
                synth.close()
    # per mode, the round with the median wall time
    results = {label: sorted(rs, key=lambda r: r["wall"])[len(rs) // 2] for label, rs in runs.items()}

    print(f"{'mode':15s} {'requests':>8s} {'audio s':>8s} {'wall s':>7s} {'x real time':>11s} "
          f"{'1st p50 ms':>10s} {'1st p95 ms':>10s} {'peak RSS MiB':>12s} {'peak VRAM MiB':>13s} {'errors':>6s}")
    for label, r in results.items():
        print(f"{label:15s} {r['requests']:8d} {r['audio']:8.1f} {r['wall']:7.2f} {r['xrt']:11.1f} "
              f"{r['p50'] * 1000:10.0f} {r['p95'] * 1000:10.0f} {r['rss'] / 2**20:12.0f} {r['vram'] / 2**20:13.0f} "
              f"{len(r['errors']):6d}")
        for e in r["errors"][:3]:
            print("   ", e)
    ratios = [b["xrt"] / o["xrt"] for b, o in zip(runs["batched"], runs["one-at-a-time"])]
    print(f"batching speed-up (aggregate throughput, median round): "
          f"{results['batched']['xrt'] / results['one-at-a-time']['xrt']:.2f}x; per round: "
          + ", ".join(f"{r:.2f}x" for r in ratios))

    synth = Synthesizer(profile, engine, pipeline, warm_up=True)
    try:
        firsts, totals = [], []
        for _ in range(3):
            stream = synth.stream(SynthesisOptions(PARAGRAPH_300), use_cache=False)
            with stream:
                for _chunk in stream:
                    pass
            firsts.append(stream.result.timings.first_chunk_s)
            totals.append(stream.result.timings.total_s)
        first, total = statistics.median(firsts), statistics.median(totals)
        print(f"{len(PARAGRAPH_300)}-character paragraph, idle server: first chunk {first * 1000:.0f} ms, whole "
              f"{total:.2f} s, first chunk = {100 * first / total:.1f}% of the whole (median of 3)")
    finally:
        synth.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
