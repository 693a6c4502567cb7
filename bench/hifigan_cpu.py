"""HiFi-GAN on a CPU: a whole `tts-1-hd` response for the 300-character paragraph, float32 against bf16.

One Synthesizer with the cpu profile (stall timeout raised: a loaded machine must not cut a
run short) over one engine; each run takes the paragraph rotated (nothing cached) through the
whole-response path (`long_form=True`, what `/v1/audio/speech` does for a whole file) with
quality "high", the variants alternating within the run, so their ratio is measured under the
same load. Prints each variant's real-time factor (median over runs) and its ratio to float32.

Run: python bench/hifigan_cpu.py [--runs 3] [--int8]
"""

from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--int8", action="store_true", help="FastSpeech2's frame-level convolutions in int8 for both")
    args = parser.parse_args()

    import torch
    from serve_bench import PARAGRAPH_300 as paragraph

    from tts.engine import Engine, half_precision_dtype
    from tts.options import SynthesisOptions
    from tts.pipeline import Pipeline
    from tts.serving.profiles import load_profile
    from tts.synthesizer import Synthesizer

    bf16 = half_precision_dtype("cpu")
    if bf16 != torch.bfloat16:
        print("this CPU has no native bf16 units: nothing to compare")
        return 1
    cpu = load_profile("cpu")
    profile = dataclasses.replace(cpu, serving=dataclasses.replace(cpu.serving, stall_timeout_s=3600.0))
    engine = Engine.for_profile(dataclasses.replace(profile, precision=dataclasses.replace(
        profile.precision, acoustic_int8=args.int8, hifigan_bf16=False)))
    synth = Synthesizer(profile, engine, Pipeline.load(), warm_up=False)
    vocoder = engine.vocoder("hifigan")
    variants = {"float32": None, "bf16 (fixed blocks)": bf16}
    rtf: dict[str, list[float]] = {name: [] for name in variants}
    try:
        for dtype in variants.values():  # warm-up: kernels for every shape met
            vocoder.compute_dtype = dtype
            synth.synthesize(SynthesisOptions(paragraph[:40], quality="high"), use_cache=False, long_form=True)
        for run in range(args.runs):
            text = paragraph[run % 7:] + paragraph[: run % 7]
            order = list(variants.items())
            for name, dtype in order if run % 2 == 0 else order[::-1]:
                vocoder.compute_dtype = dtype
                started = time.perf_counter()
                result = synth.synthesize(SynthesisOptions(text, quality="high"), use_cache=False, long_form=True)
                rtf[name].append((time.perf_counter() - started) / result.timings.audio_s)
                print(f"run {run + 1} {name}: RTF {rtf[name][-1]:.3f} ({result.timings.audio_s:.1f} s of audio)",
                      flush=True)
    finally:
        vocoder.compute_dtype = None
        synth.close()
    base = statistics.median(rtf["float32"])
    print(f"{len(paragraph)}-character paragraph, whole tts-1-hd response (long-form path), {args.runs} runs, "
          f"acoustic model {'int8' if args.int8 else 'float32'}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    for name, values in rtf.items():
        median = statistics.median(values)
        print(f"{name:22s} RTF {median:.3f} (runs: {', '.join(f'{v:.3f}' for v in values)})  ratio {median / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
