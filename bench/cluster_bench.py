"""Cluster benchmark: the API on Ray Serve with 1 and 2 replicas, and against the single-process
server, on a local 2-node cluster (1 CPU each) in a network namespace of its own.

One run, one cluster (a head without CPUs, two 1-CPU worker nodes): the same workload (N client
threads, each streaming M requests of mixed length as 24 kHz PCM, cache off) goes to

  single   the single-process server (`tts.apps.serve --no-ui`, same profile: 1 torch thread)
  serve-1  Ray Serve, one replica (through Serve's HTTP proxy)
  serve-2  Ray Serve, two replicas on distinct nodes

alternating for --rounds rounds (median round shown). Prints aggregate throughput (audio
seconds per wall second), first-chunk latency p50/p95 under load, the idle first chunk
(one short request at a time), the 2-vs-1 replica speed-up and Serve's overhead at one replica.

    .venv/bin/python bench/cluster_bench.py --clients 4 --requests 4 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests"), str(ROOT / "bench")]

from raycluster import LocalCluster, enter_private_network, free_port  # noqa: E402
from serve_bench import workload  # noqa: E402

IDLE_TEXT = "今天天气很好。"


def bench_profile(directory: Path) -> Path:
    """The CPU profile, one torch thread (a 1-CPU node's share), no cache: every request is made."""
    from tts.serving.profiles import PROFILE_DIR

    data = yaml.safe_load((PROFILE_DIR / "cpu.yaml").read_text(encoding="utf-8"))
    data["name"] = "cluster-bench"
    data["cache"].update(max_entries=0, max_mb=0)
    data["cpu"]["threads"] = 1
    data["cluster"]["replica_cpus"] = 1
    path = directory / "cluster-bench.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def stream_one(client: httpx.Client, text: str) -> tuple[float, float, float]:
    """(first chunk s, total s, audio s) of one streamed request."""
    started = time.perf_counter()
    first, size = None, 0
    with client.stream("POST", "/v1/audio/speech", json={"input": text, "response_format": "pcm", "stream": True}) as r:
        if r.status_code != 200:
            raise RuntimeError(f"HTTP {r.status_code}: {r.read()[:200]!r}")
        for piece in r.iter_raw():
            if first is None and piece:
                first = time.perf_counter() - started
            size += len(piece)
    return first, time.perf_counter() - started, size / 2 / 24000


def run_load(url: str, clients: int, requests: int) -> dict:
    texts = workload(clients * requests)
    results, errors = [], []

    def client(i: int) -> None:
        with httpx.Client(base_url=url, timeout=300) as c:
            for k in range(requests):
                try:
                    results.append(stream_one(c, texts[i * requests + k]))
                except Exception as exc:  # noqa: BLE001 - counted
                    errors.append(str(exc))

    threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    firsts = sorted(r[0] for r in results)
    audio = sum(r[2] for r in results)
    return {"throughput": audio / wall, "wall_s": wall, "audio_s": audio, "errors": len(errors),
            "first_p50_ms": 1000 * statistics.median(firsts),
            "first_p95_ms": 1000 * firsts[max(0, int(round(0.95 * len(firsts))) - 1)]}


def idle_first_chunk(url: str, n: int = 10) -> float:
    with httpx.Client(base_url=url, timeout=60) as c:
        stream_one(c, IDLE_TEXT)  # a connection and a warm path first
        return 1000 * statistics.median(stream_one(c, IDLE_TEXT)[0] for _ in range(n))


def start_single(profile: Path, port: int, state_dir: Path) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    proc = subprocess.Popen([sys.executable, "-m", "tts.apps.serve", "--no-ui", "--profile", str(profile),
                             "--port", str(port), "--rate-limit", "0", "--client-concurrency", "1000",
                             "--client-queue", "1000", "--state-dir", str(state_dir)], env=env, cwd=ROOT,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        if proc.poll() is not None:
            raise RuntimeError("the single-process server exited")
        time.sleep(0.5)
    proc.kill()
    raise RuntimeError("the single-process server did not start")


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--clients", type=int, default=4)
    p.add_argument("--requests", type=int, default=4, help="streamed requests per client per round")
    p.add_argument("--rounds", type=int, default=2)
    p.add_argument("--json", default=None, help="also write the figures here")
    args = p.parse_args()
    enter_private_network([__file__, *sys.argv[1:]])

    rounds: dict[str, list[dict]] = {"single": [], "serve-1": [], "serve-2": []}
    idle: dict[str, float] = {}
    with LocalCluster(workers=2, cpus_per_worker=1) as cluster:
        from ray import serve

        from tts.apps.cluster import APP_NAME, build

        profile = bench_profile(cluster.root)
        single_port, serve_port = free_port(), free_port()
        state_dir = cluster.root / "state"  # the job stores of this run, not the user's
        single = start_single(profile, single_port, state_dir / "single")
        try:
            serve.start(proxy_location="HeadOnly", http_options={"host": "127.0.0.1", "port": serve_port})
            urls = {"single": f"http://127.0.0.1:{single_port}", "serve": f"http://127.0.0.1:{serve_port}"}

            def deploy(replicas: int) -> None:
                serve.run(build({"profile": str(profile), "replicas": replicas, "max_replicas_per_node": 1,
                                 "state_dir": str(state_dir / "serve"), "jobs_db": None}),
                          name=APP_NAME, route_prefix="/")

            for r in range(args.rounds):
                for mode in ("single", "serve-1", "serve-2"):
                    if mode != "single":
                        deploy(int(mode[-1]))  # scaling 1 <-> 2 keeps the running replica
                    url = urls["single" if mode == "single" else "serve"]
                    if r == 0 and mode != "serve-2":
                        idle[mode] = idle_first_chunk(url)
                    res = run_load(url, args.clients, args.requests)
                    rounds[mode].append(res)
                    print(f"round {r + 1} {mode:8s} {res['throughput']:.2f} audio s/s, first chunk p50 "
                          f"{res['first_p50_ms']:.0f} ms p95 {res['first_p95_ms']:.0f} ms, errors {res['errors']}",
                          flush=True)
                deploy(1)
        finally:
            single.terminate()
            single.wait(30)

    def median(mode: str, key: str) -> float:
        return statistics.median(x[key] for x in rounds[mode])

    figures = {mode: {k: median(mode, k) for k in ("throughput", "first_p50_ms", "first_p95_ms", "errors")}
               for mode in rounds}
    figures["idle_first_chunk_ms"] = idle
    figures["speedup_2_vs_1"] = figures["serve-2"]["throughput"] / figures["serve-1"]["throughput"]
    figures["serve_overhead_throughput"] = 1 - figures["serve-1"]["throughput"] / figures["single"]["throughput"]
    figures["serve_overhead_idle_first_ms"] = idle["serve-1"] - idle["single"]
    print(f"\n{args.clients} clients x {args.requests} streamed requests, median of {args.rounds} rounds")
    print("| mode | audio s per s | first chunk p50 ms | p95 ms | errors |\n| --- | --- | --- | --- | --- |")
    for mode in rounds:
        f = figures[mode]
        print(f"| {mode} | {f['throughput']:.2f} | {f['first_p50_ms']:.0f} | {f['first_p95_ms']:.0f} | {f['errors']:.0f} |")
    print(f"idle first chunk: single {idle['single']:.1f} ms, serve-1 {idle['serve-1']:.1f} ms "
          f"(+{figures['serve_overhead_idle_first_ms']:.1f} ms)")
    print(f"2 replicas vs 1: {figures['speedup_2_vs_1']:.2f}x; Serve's throughput overhead at one replica: "
          f"{100 * figures['serve_overhead_throughput']:.1f}%")
    if args.json:
        Path(args.json).write_text(json.dumps(figures, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
