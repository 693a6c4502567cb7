"""Speed of the PyTorch engine against the original TFLite models under LiteRT, in one run.

The same sentences (assets/eval_sentences.txt), the same thread count, text already turned
into symbol ids (the frontend is shared and not timed). For each engine: wall time, process
CPU time, audio seconds, real-time factor (wall / audio), and the ratio ours / reference.

    .venv/bin/python bench/cpu_vs_reference.py --threads 2 --repeats 5
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tts.engine import AcousticItem, Engine  # noqa: E402
from tts.weights.litert_reference import LiteRTReference  # noqa: E402
from tts.pipeline import Pipeline  # noqa: E402
from tts.weights.fetch import reference_files  # noqa: E402

# acoustic-model variants: (decoder autocast dtype, int8 frame-level convolutions)
VARIANTS = {"fp32": (None, False), "bf16": (torch.bfloat16, False), "int8": (None, True)}


def load_sentences(limit: int) -> list[str]:
    lines = (ROOT / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [s.strip() for s in lines if s.strip() and not s.startswith("#")][:limit]


def timed(fn) -> tuple[float, float, float]:
    """(wall seconds, process CPU seconds, audio seconds) of fn(), which returns audio seconds."""
    wall, cpu = time.perf_counter(), time.process_time()
    audio = fn()
    return time.perf_counter() - wall, time.process_time() - cpu, audio


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=5, help="timed passes over all sentences (median kept)")
    parser.add_argument("--sentences", type=int, default=22)
    parser.add_argument("--variants", default="fp32,bf16,int8",
                        help="acoustic-model precisions to time: fp32, bf16 (CPU autocast), int8 (dynamic int8 "
                             "frame-level convolutions, the cpu profile's precision.acoustic_int8)")
    args = parser.parse_args()

    torch.set_num_threads(args.threads)
    sentences = load_sentences(args.sentences)
    pipeline = Pipeline.load()
    ids = []
    for text in sentences:
        ids.extend(seg.ids for seg in pipeline.prepare(text, max_chars=200))
    engine = Engine.load()
    reference = LiteRTReference(*reference_files(), num_threads=args.threads)

    def run_reference() -> float:
        samples = 0
        for seq in ids:
            samples += len(reference.mel_to_wave(reference.text_to_mel(seq).mel))
        return samples / 24000

    def run_ours(variant: tuple[torch.dtype | None, bool]) -> float:
        engine.acoustic_model.decoder_dtype = variant[0]
        engine.acoustic_model.use_int8(variant[1])
        samples = 0
        for seq in ids:
            mel = engine.acoustic([AcousticItem(seq)])[0].mel
            samples += len(engine.vocode(mel))
        return samples / 24000

    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    runners = {"litert (tflite, XNNPACK)": run_reference}
    for v in variants:
        runners[f"pytorch acoustic={v}"] = (lambda dt: (lambda: run_ours(dt)))(VARIANTS[v])
    for fn in runners.values():  # warm-up
        fn()
    results: dict[str, list[tuple[float, float, float]]] = {name: [] for name in runners}
    for _ in range(args.repeats):
        for name, fn in runners.items():  # interleaved so drift affects all alike
            results[name].append(timed(fn))

    ref_name = next(iter(runners))
    ref_wall = statistics.median(r[0] for r in results[ref_name])
    ref_cpu = statistics.median(r[1] for r in results[ref_name])
    print(f"{len(sentences)} sentences ({len(ids)} segments), {args.threads} threads, "
          f"median of {args.repeats} passes, torch {torch.__version__}")
    print(f"{'engine':28s} {'wall s':>8s} {'cpu s':>8s} {'audio s':>8s} {'RTF':>7s} {'ratio wall':>10s} {'ratio cpu':>9s}")
    for name, rows in results.items():
        wall = statistics.median(r[0] for r in rows)
        cpu = statistics.median(r[1] for r in rows)
        audio = rows[0][2]
        print(f"{name:28s} {wall:8.3f} {cpu:8.3f} {audio:8.2f} {wall / audio:7.4f} "
              f"{wall / ref_wall:10.3f} {cpu / ref_cpu:9.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
