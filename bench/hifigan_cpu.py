"""HiFi-GAN on a CPU: a whole `tts-1-hd` response for the 300-character paragraph, float32 against bf16.

One Synthesizer with the cpu profile (stall timeout raised: a loaded machine must not cut a
run short) over one engine; each run takes the paragraph rotated (nothing cached) through the
whole-response path (`long_form=True`, what `/v1/audio/speech` does for a whole file; with
`--stream`, the streaming path a page plays from) with quality "high", the variants alternating
within the run, so their ratios are measured under the same load. Prints each variant's
real-time factor (median over runs) and its ratio to the first variant timed. Variants: float32; bf16 in the
third round's blocks (pad 24, every call padded to the block's full size); bf16 as the cpu
profile ships it (`tts.engine.vocoder_schedule`: HiFi-GAN's own pad, a segment's last call only
as long as its context needs). A new variant is one more entry of `variants` (a compute dtype
and a BlockSchedule), timed against the shipped one in the same run; `--variants` picks some.

Run: python bench/hifigan_cpu.py [--runs 3] [--int8] [--stream] [--variants float32,shipped]
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
    parser.add_argument("--int8", action="store_true", help="FastSpeech2's frame-level convolutions in int8 for all")
    parser.add_argument("--stream", action="store_true", help="the streaming path instead of the whole response")
    parser.add_argument("--variants", default="", help="comma-separated variant keys to time (default: all)")
    args = parser.parse_args()

    import torch
    from serve_bench import PARAGRAPH_300 as paragraph

    from tts.engine import Engine, half_precision_dtype, vocoder_schedule
    from tts.models.chunking import BlockSchedule
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
    shipped = vocoder_schedule(cpu)
    # key: (label, compute dtype, schedule); quantum >= the block's full size pads every call to it
    known = {"float32": ("float32", None, shipped),
             "round3": ("bf16, pad 24, every call the full size (third round)", bf16,
                        BlockSchedule(shipped.first_block, shipped.block, 24, quantum=10**6)),
             "shipped": (f"bf16, pad {shipped.pad}, last call trimmed (shipped)", bf16, shipped)}
    keys = [k for k in args.variants.split(",") if k] or list(known)
    unknown = sorted(set(keys) - set(known))
    if unknown:
        parser.error(f"unknown variants {unknown}; known: {', '.join(known)}")
    variants = {known[k][0]: known[k][1:] for k in keys}
    rtf: dict[str, list[float]] = {name: [] for name in variants}

    def run(text: str) -> float:
        options = SynthesisOptions(text, quality="high")
        started = time.perf_counter()
        if args.stream:
            stream = synth.stream(options, use_cache=False)
            with stream:
                audio = sum(len(chunk.audio) for chunk in stream) / synth.sample_rate
        else:
            audio = synth.synthesize(options, use_cache=False, long_form=True).timings.audio_s
        return (time.perf_counter() - started) / audio

    try:
        for dtype, schedule in variants.values():  # warm-up: kernels for every shape met
            vocoder.compute_dtype, vocoder.schedule = dtype, schedule
            run(paragraph[:40])
        for r in range(args.runs):
            text = paragraph[r % 7:] + paragraph[: r % 7]
            order = list(variants.items())
            for name, (dtype, schedule) in order[r % len(order):] + order[: r % len(order)]:
                vocoder.compute_dtype, vocoder.schedule = dtype, schedule
                rtf[name].append(run(text))
                print(f"run {r + 1} {name}: RTF {rtf[name][-1]:.3f}", flush=True)
    finally:
        vocoder.compute_dtype, vocoder.schedule = None, shipped
        synth.close()
    base = statistics.median(next(iter(rtf.values())))
    path = "streamed (stream path)" if args.stream else "whole tts-1-hd response (long-form path)"
    print(f"{len(paragraph)}-character paragraph, {path}, {args.runs} runs, "
          f"acoustic model {'int8' if args.int8 else 'float32'}, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads")
    for name, values in rtf.items():
        median = statistics.median(values)
        print(f"{name:22s} RTF {median:.3f} (runs: {', '.join(f'{v:.3f}' for v in values)})  ratio {median / base:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
