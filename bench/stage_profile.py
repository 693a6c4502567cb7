"""Where the time of one request goes: a per-stage table for `zh-tts say` and for one HTTP request.

Stages are timed by wrapping the functions that do them (cumulative wall time per request,
median over the runs): document model + SSML detection (`Pipeline.document`, with `is_ssml`
inside it), planning (`Pipeline.plan`), validation (`Synthesizer.validate`), the frontend
(`Pipeline.prepare_segment`), request building (`acoustic_item`), the acoustic model
(`Engine.acoustic`), the vocoder (`Engine.vocode_batch`) and encoding (`formats.encode`).
The acoustic model and the vocoder run on the device worker, overlapping the next segment's
preparation, so stages can add up to more than the wall time. For `say`, process start-up
(interpreter + imports, in a fresh process) and model loading are timed too; the HTTP request
goes through the whole FastAPI app in-process (middleware, validation, streaming response).

Profiles given with --profiles are measured alternately in one process (shared-machine noise
then affects all alike); the last column is each profile's whole-request median over the
first profile's.

    .venv/bin/python bench/stage_profile.py --runs 5 --profiles cpu-float32,cpu
"""

from __future__ import annotations

import argparse
import dataclasses
import functools
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

class StageClock:
    """Cumulative seconds per stage, from every thread, reset per request."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.spent: dict[str, float] = defaultdict(float)

    def wrap(self, owner: Any, name: str, stage: str) -> None:
        original: Callable[..., Any] = getattr(owner, name)

        @functools.wraps(original)
        def timed(*args: Any, **kwargs: Any) -> Any:
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                with self.lock:
                    self.spent[stage] += time.perf_counter() - started

        setattr(owner, name, timed)

    def take(self) -> dict[str, float]:
        with self.lock:
            out = dict(self.spent)
            self.spent.clear()
        return out


STAGES = ["SSML detection", "document model", "validation", "planning", "frontend", "request building",
          "acoustic model", "vocoder", "encoding"]


def instrument(clock: StageClock) -> None:
    import tts.ssml
    import tts.web.api
    from tts import synthesis_run, synthesizer
    from tts.audio import formats
    from tts.engine import Engine
    from tts.pipeline import Pipeline

    clock.wrap(tts.ssml, "is_ssml", "SSML detection")
    clock.wrap(Pipeline, "document", "document model")
    clock.wrap(synthesizer.Synthesizer, "validate", "validation")
    clock.wrap(Pipeline, "plan", "planning")
    clock.wrap(Pipeline, "prepare_segment", "frontend")
    clock.wrap(synthesis_run, "acoustic_item", "request building")  # imported by name there
    clock.wrap(Engine, "acoustic", "acoustic model")
    clock.wrap(Engine, "vocode_batch", "vocoder")
    clock.wrap(formats, "encode", "encoding")
    clock.wrap(tts.web.api, "encode", "encoding")  # imported by name there


def startup_seconds(runs: int) -> dict[str, float]:
    """Fresh interpreters: `python -c pass`, and importing the CLI and the synthesizer (what `say` imports)."""
    def spawn(code: str) -> float:
        started = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
        return time.perf_counter() - started

    bare = statistics.median(spawn("pass") for _ in range(runs))
    imports = statistics.median(spawn("import tts.apps.cli, tts.synthesizer") for _ in range(runs))
    return {"interpreter": bare, "imports": imports - bare}


def main() -> int:
    from serve_bench import (
        PARAGRAPH_300 as paragraph,  # the same paragraph as the latency benches
    )

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--profiles", default="cpu-float32,cpu",
                        help="profiles to compare; 'cpu-float32' is the cpu profile with the precision keys off, "
                             "'cpu+hifigan_bf16+acoustic_int8' the cpu profile with those keys on")
    parser.add_argument("--text", default=paragraph)
    parser.add_argument("--quality", choices=["fast", "high"], default="fast")
    args = parser.parse_args()

    import torch
    from fastapi.testclient import TestClient

    from tts.audio import formats
    from tts.options import SynthesisOptions
    from tts.serving.profiles import load_profile
    from tts.synthesizer import Synthesizer
    from tts.web.app import create_app

    clock = StageClock()
    instrument(clock)

    def profile_named(name: str):
        """A profile by name; 'cpu-float32' has the precision keys off, 'cpu+KEY+KEY' has those on."""
        if name == "cpu-float32":
            cpu = load_profile("cpu")
            return dataclasses.replace(cpu, name=name, precision=dataclasses.replace(
                cpu.precision, fp16=False, acoustic_int8=False, hifigan_bf16=False))
        base, *keys = name.split("+")
        profile = load_profile(base)
        if keys:
            profile = dataclasses.replace(profile, name=name, precision=dataclasses.replace(
                profile.precision, **{key: True for key in keys}))
        return profile

    names = [n.strip() for n in args.profiles.split(",") if n.strip()]
    synths: dict[str, Synthesizer] = {}
    load_s: dict[str, float] = {}
    for name in names:
        started = time.perf_counter()
        synths[name] = Synthesizer.from_profile(profile_named(name), warm_up=False)
        load_s[name] = time.perf_counter() - started
        synths[name].warm_up()
    clients = {name: TestClient(create_app(s, ui=False)) for name, s in synths.items()}
    startup = startup_seconds(args.runs)
    clock.take()

    rows: dict[tuple[str, str], list[dict[str, float]]] = defaultdict(list)
    for run in range(args.runs):
        text = args.text[run % 7:] + args.text[: run % 7]  # a new text each run: nothing cached
        for name in names:
            # `say`: what _cmd_say does after loading: synthesize, then encode the file.
            started = time.perf_counter()
            result = synths[name].synthesize(SynthesisOptions(text, quality=args.quality), use_cache=False)
            formats.encode(result.audio, result.sample_rate, "wav")  # the wrapped one
            stages = clock.take()
            stages["whole"] = time.perf_counter() - started
            stages["audio"] = result.timings.audio_s
            rows[("say", name)].append(stages)
            # one HTTP request: the OpenAI-compatible endpoint, whole WAV response
            body = {"model": "tts-1-hd" if args.quality == "high" else "tts-1", "input": text,
                    "voice": "alloy", "response_format": "wav"}
            started = time.perf_counter()
            first = None
            with clients[name].stream("POST", "/v1/audio/speech", json=body) as response:
                for _ in response.iter_bytes():
                    if first is None:
                        first = time.perf_counter() - started
                status = response.status_code
            stages = clock.take()
            stages["whole"] = time.perf_counter() - started
            stages["first byte"] = first or float("nan")
            stages["audio"] = result.timings.audio_s  # the same text as `say` just spoke
            if status != 200:
                print(f"HTTP {status} from {name}", file=sys.stderr)
                return 1
            rows[("http", name)].append(stages)

    print(f"{args.runs} runs per profile, alternating; torch {torch.__version__}, {torch.get_num_threads()} threads; "
          f"text {len(args.text)} characters, quality {args.quality}")
    print(f"process start-up (fresh interpreter, median of {args.runs}): "
          f"interpreter {startup['interpreter'] * 1000:.0f} ms, "
          f"imports {startup['imports'] * 1000:.0f} ms; model load: "
          + ", ".join(f"{n} {s:.2f} s" for n, s in load_s.items()))
    columns = [*STAGES, "first byte", "whole"]
    print("milliseconds, median of the runs (acoustic model and vocoder overlap other stages)")
    print(f"{'path / profile':22s}" + "".join(f"{c[:10]:>11s}" for c in columns) + f"{'RTF':>8s}{'vs first':>9s}")
    for kind in ("say", "http"):
        base = statistics.median(r["whole"] for r in rows[(kind, names[0])])
        for name in names:
            runs = rows[(kind, name)]
            cells = []
            for c in columns:
                if all(c not in r for r in runs):  # `say` writes a file: no first byte
                    cells.append(f"{'-':>11s}")
                    continue
                values = [r.get(c, 0.0) for r in runs]
                cells.append(f"{statistics.median(values) * 1000:>11.1f}")
            whole = statistics.median(r["whole"] for r in runs)
            rtf = statistics.median(r["whole"] / r["audio"] for r in runs)
            print(f"{kind + ' / ' + name:22s}" + "".join(cells) + f"{rtf:>8.3f}{whole / base:>9.3f}")
    for s in synths.values():
        s.close()
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT / "bench"))
    sys.exit(main())
