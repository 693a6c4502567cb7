"""Where the first audio byte of one streamed `/v1/audio/speech` request waits: a stage timeline.

For the 300-character paragraph of bench/serve_bench.py (rotated each run, so nothing is cached),
streamed as WAV with the default voice on the `cpu` profile (MB-MelGAN), this prints, per source
tree, the median time from sending the request to the end of each stage's first call: body
parsing and request building, the document model, planning (the frontend's split), the
facade's plan checks, the stream's start (admission), the first segment's frontend, the
acoustic model's first call, the vocoder's first block, int16 encoding of the first chunk, and
the first byte of audio (after the 44-byte WAV header) at the client.

Each tree is served by its own child process (uvicorn on 127.0.0.1, real HTTP); this process
is the client and alternates the trees run by run, so a shared machine's drift hits each
alike. Child and client read the same monotonic clock (time.perf_counter is CLOCK_MONOTONIC on
Linux), so the child's stage marks are placed on the client's timeline. The last column is each
tree's median first-audio time over the first tree's, measured in this run.

    .venv/bin/python bench/first_audio.py --runs 5 --trees /tmp/base,.
"""

from __future__ import annotations

import argparse
import functools
import http.client
import json
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

# (stage, owner module or class path, attribute): the first call's end marks the stage
MARKS: list[tuple[str, str, str]] = [
    ("request built", "tts.web.api", "to_options"),
    ("document", "tts.pipeline:Pipeline", "document"),
    ("planning", "tts.pipeline:Pipeline", "plan"),
    ("plan checked", "tts.synthesizer:Synthesizer", "plan"),
    ("stream started", "tts.synthesizer:Synthesizer", "stream"),
    ("1st frontend", "tts.pipeline:Pipeline", "prepare_segment"),
    ("1st acoustic", "tts.engine:Engine", "acoustic"),
    ("1st vocoder", "tts.engine:Engine", "vocode_batch"),
    ("1st int16", "tts.audio.formats", "to_int16"),
]
STAGES = [name for name, _, _ in MARKS]


class Marks:
    """First start and end (perf_counter) of each wrapped stage since the last `take`."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.seen: dict[str, tuple[float, float]] = {}
        self.active = 0  # wrapped calls in progress (a hung-up request's model call runs to its end)

    def wrap(self, owner: Any, attr: str, stage: str) -> None:
        original: Callable[..., Any] = getattr(owner, attr)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            began = time.perf_counter()
            with self.lock:
                self.active += 1
            try:
                return original(*args, **kwargs)
            finally:
                with self.lock:
                    self.active -= 1
                    self.seen.setdefault(stage, (began, time.perf_counter()))

        setattr(owner, attr, timed)

    def take(self) -> dict[str, tuple[float, float]]:
        with self.lock:
            out, self.seen = self.seen, {}
        return out


def _owner(path: str) -> Any:
    import importlib

    module, _, cls = path.partition(":")
    mod = importlib.import_module(module)
    return getattr(mod, cls) if cls else mod


def serve(tree: str) -> int:
    """Child: load `tree`'s synthesizer (cpu profile), serve it on loopback, answer `report` lines."""
    sys.path.insert(0, tree)
    import uvicorn

    import tts
    from tts.synthesizer import Synthesizer
    from tts.web.app import create_app

    assert Path(tts.__file__).resolve().is_relative_to(Path(tree).resolve()), tts.__file__
    marks = Marks()
    for stage, owner, attr in MARKS:
        marks.wrap(_owner(owner), attr, stage)
    synth = Synthesizer.from_profile("cpu")
    app = create_app(synth, ui=False)
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    while not server.started:
        time.sleep(0.05)
    marks.take()
    print(f"ready {port}", flush=True)
    for line in sys.stdin:
        if line.strip() == "report":
            print(json.dumps(marks.take()), flush=True)
        elif line.strip() == "idle":  # a hung-up stream winds down: its slot, queued and running work
            idle_by = time.monotonic() + 60
            while ((synth.admission.running or marks.active or any(w.depth for w in synth.workers.values()))
                   and time.monotonic() < idle_by):
                time.sleep(0.02)
            time.sleep(0.2)
            marks.take()  # what finished meanwhile belongs to the request before
            print("idle", flush=True)
        else:
            break
    server.should_exit = True
    thread.join(10)
    synth.close()
    return 0


def request(port: int, text: str, whole: bool) -> tuple[float, float, float]:
    """(sent, first audio byte, last byte) perf_counter times of one streamed WAV request; unless
    `whole`, the connection is closed after the first audio byte (the server cancels the rest)."""
    body = json.dumps({"model": "tts-1", "input": text, "voice": "alloy", "response_format": "wav",
                       "stream": True}).encode()
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    conn.connect()
    sent = time.perf_counter()
    conn.request("POST", "/v1/audio/speech", body, {"Content-Type": "application/json"})
    response = conn.getresponse()
    if response.status != 200:
        raise RuntimeError(f"HTTP {response.status}: {response.read()[:300]!r}")
    head = response.read(45)  # the streaming WAV header is 44 bytes: the 45th is audio
    first = time.perf_counter()
    if len(head) < 45:
        raise RuntimeError("the response ended before any audio")
    if whole:
        response.read()
    last = time.perf_counter()
    conn.close()
    return sent, first, last


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="rotations of the paragraph, each a new text")
    parser.add_argument("--trees", default=".", help="comma-separated source trees; the first is the baseline")
    parser.add_argument("--text", default=None, help="default: the 300-character paragraph of serve_bench")
    parser.add_argument("--whole", action="store_true", help="read each response to its end (else: hang up "
                        "after the first audio byte; the server's idle again before the next request)")
    parser.add_argument("--serve", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve:
        return serve(args.serve)  # before importing serve_bench, which imports this tree's tts
    sys.path.insert(0, str(ROOT / "bench"))
    from serve_bench import PARAGRAPH_300

    trees = [str(Path(t).resolve()) for t in args.trees.split(",") if t.strip()]
    children = {}
    ports = {}
    for tree in trees:
        child = subprocess.Popen([sys.executable, __file__, "--serve", tree], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, text=True, cwd=tree)
        assert child.stdout is not None
        line = child.stdout.readline()
        if not line.startswith("ready "):
            print(f"{tree}: the server did not start", file=sys.stderr)
            return 1
        children[tree], ports[tree] = child, int(line.split()[1])

    def ask(tree: str, what: str) -> str:
        child = children[tree]
        assert child.stdin is not None and child.stdout is not None
        child.stdin.write(what + "\n")
        child.stdin.flush()
        return child.stdout.readline()

    rows: dict[str, list[dict[str, float]]] = {t: [] for t in trees}
    text = args.text or PARAGRAPH_300
    try:
        for run in range(args.runs):
            shift = (run * 37) % len(text)  # a new text each run: nothing cached
            rotated = text[shift:] + text[:shift]
            order = trees if run % 2 == 0 else trees[::-1]
            for tree in order:
                for t in trees:  # every server idle: nothing left over from a request hung up on
                    ask(t, "idle")
                sent, first, last = request(ports[tree], rotated, args.whole)
                seen = json.loads(ask(tree, "report"))
                row = {stage: (seen[stage][1] - sent) if stage in seen else float("nan") for stage in STAGES}
                row.update({f"{stage} own": seen[stage][1] - seen[stage][0] for stage in STAGES if stage in seen})
                row["first audio"] = first - sent
                row["whole"] = last - sent
                rows[tree].append(row)
    finally:
        for child in children.values():
            if child.stdin:
                child.stdin.write("quit\n")
                child.stdin.flush()
            child.wait(30)

    print(f"{args.runs} runs per tree, alternating; text {len(text)} characters, streamed WAV, voice alloy, "
          "profile cpu. Milliseconds from sending the request to the end of each stage's first call, "
          "that call's own time, and the time since the stage before ended; medians of the runs")
    base = statistics.median(r["first audio"] for r in rows[trees[0]])
    for tree in trees:
        runs = rows[tree]
        print(f"\n{tree}")
        print(f"  {'stage':16s}{'end':>9s}{'own':>9s}{'since the stage before':>24s}")
        before = None
        for stage in [*STAGES, "first audio", *(["whole"] if args.whole else [])]:
            ends = statistics.median(r[stage] for r in runs) * 1000
            own = [r[f"{stage} own"] for r in runs if f"{stage} own" in r]
            cells = f"{statistics.median(own) * 1000:9.1f}" if own else f"{'':9s}"
            if before is not None:  # per run, then the median: medians of ends do not subtract
                cells += f"{statistics.median(r[stage] - r[before] for r in runs) * 1000:24.1f}"
            print(f"  {stage:16s}{ends:9.1f}{cells}")
            before = stage
        firsts = sorted(r["first audio"] * 1000 for r in runs)
        paired = statistics.median(r["first audio"] / b["first audio"] for r, b in zip(runs, rows[trees[0]]))
        quarter = firsts[len(firsts) // 4]
        print(f"  first audio: min {firsts[0]:.1f} ms, lower quartile {quarter:.1f} ms (on a shared machine the "
              "least disturbed runs: the nearest to an idle server)")
        print(f"  first audio per run: {', '.join(f'{f:.0f}' for f in firsts)} ms; "
              f"median vs first tree: {statistics.median(r['first audio'] for r in runs) / base:.3f}; "
              f"median of the per-text ratios: {paired:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
