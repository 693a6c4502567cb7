"""Long-form speed: one 10,000-character chapter through the facade, streaming path vs long-form path.

In one run, the same chapter (tests/conftest.py's `chapter()`: eval sentences mixed with numbers,
dates and punctuation, exactly 10,000 characters) is synthesized whole by the same Synthesizer
(CPU profile as shipped, cache off) along both paths, alternating for --repeats rounds:

  streaming   `synthesize(options)`: what a whole API response used before long-form mode: the
              first segment cut short, one segment ahead, vocoder blocks with overlap padding
  long-form   `synthesize(options, long_form=True)`: no short first segment, each segment's mel
              vocoded whole, `batching.long_form_segments` segments in flight, batched

Prints wall time, process CPU time, audio seconds and RTF per run and the median of each path.
With --int8-vs-float32 the two rows are instead the long-form path with FastSpeech2's frame-level
convolutions in float32 and in int8 (the cpu profile's `precision.acoustic_int8`), switched on the
same engine between runs, and the ratio int8 / float32 is printed.

    .venv/bin/python bench/long_form_bench.py --repeats 2
    .venv/bin/python bench/long_form_bench.py --repeats 2 --int8-vs-float32
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import psutil
import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import chapter  # noqa: E402  (the test suite's 10,000-character chapter)

from tts.options import SynthesisOptions  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402


def run(synth: Synthesizer, text: str, long_form: bool, int8: bool | None = None) -> dict:
    """One whole synthesis of `text`; `int8` (when not None) switches the acoustic model's precision first."""
    if int8 is not None:
        synth.engine.acoustic_model.use_int8(int8)
    proc = psutil.Process()
    cpu = proc.cpu_times()
    started = time.perf_counter()
    result = synth.synthesize(SynthesisOptions(text), use_cache=False, long_form=long_form)
    wall = time.perf_counter() - started
    after = proc.cpu_times()
    audio = len(result.audio) / result.sample_rate
    path = "long-form" if long_form else "streaming"
    if int8 is not None:
        path += ", int8" if int8 else ", float32"
    return {"path": path, "wall": wall, "audio": audio, "rtf": wall / audio,
            "cpu": (after.user - cpu.user) + (after.system - cpu.system), "segments": len(result.segments)}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--repeats", type=int, default=1, help="rounds of both paths (alternating)")
    p.add_argument("--chars", type=int, default=10000)
    p.add_argument("--profile", default="cpu")
    p.add_argument("--int8-vs-float32", action="store_true",
                   help="the long-form path twice: acoustic model in float32, then in int8 (instead of the two paths)")
    args = p.parse_args()
    # (label, long_form, int8): int8 None keeps the profile's precision
    variants: list[tuple[str, bool, bool | None]] = (
        [("long-form, float32", True, False), ("long-form, int8", True, True)] if args.int8_vs_float32
        else [("streaming", False, None), ("long-form", True, None)])

    synth = Synthesizer.from_profile(args.profile)  # loads and warms up
    text = chapter(args.chars)
    print(f"profile {synth.profile.name}, {torch.get_num_threads()} threads, {len(text)} characters", flush=True)
    rows = []
    try:
        for r in range(args.repeats):
            for _, long_form, int8 in (variants if r % 2 == 0 else variants[::-1]):
                row = run(synth, text, long_form, int8)
                rows.append(row)
                print(f"  {row['path']:<10} wall {row['wall']:7.1f} s  cpu {row['cpu']:7.1f} s  audio {row['audio']:7.1f} s"
                      f"  RTF {row['rtf']:.4f}  ({row['segments']} segments)", flush=True)
    finally:
        synth.close()
    print("\n| path | runs | wall s (median) | cpu s | audio s | RTF |\n| --- | --- | --- | --- | --- | --- |")
    walls = []
    for path, _, _ in variants:
        mine = [r for r in rows if r["path"] == path]
        wall = statistics.median(r["wall"] for r in mine)
        walls.append(wall)
        print(f"| {path} | {len(mine)} | {wall:.1f} | {statistics.median(r['cpu'] for r in mine):.1f} | "
              f"{mine[0]['audio']:.1f} | {wall / mine[0]['audio']:.4f} |")
    print(f"ratio {variants[1][0]} / {variants[0][0]} (median wall): {walls[1] / walls[0]:.3f}")


if __name__ == "__main__":
    main()
