"""Does int8 change what a listener hears? FastSpeech2's frame-level half in dynamic int8 against
float32, both heard by the listening tests' recognizer (tests/listening.py), in one run.

The same held-out sentences (tests/data/frontend_heldout_sentences.tsv, first --sentences of them)
are synthesized both ways through the whole pipeline (cpu profile, MB-MelGAN), one engine whose
int8 switch is flipped between the two (`FastSpeech2.use_int8`), the two paths taking turns per
sentence. Each clip is transcribed alone (no packing: the most accurate mode). Printed: corpus CER
of each path, their difference, and the difference's noise: a paired bootstrap over sentences
(95% interval of CER(int8) - CER(float32)) and how many sentences int8 hears better, worse, the
same. Whisper decodes deterministically, so every difference comes from the audio.

    .venv/bin/python bench/int8_listening.py --sentences 60
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from listening import _edit_distance, get_listener, normalize_for_cer  # noqa: E402

from bench.sentence_eval import load_gold  # noqa: E402
from tts.engine import Engine  # noqa: E402
from tts.options import SynthesisOptions  # noqa: E402
from tts.pipeline import Pipeline  # noqa: E402
from tts.serving.profiles import load_profile  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402

RATE = 24000
HELD_OUT = ROOT / "tests" / "data" / "frontend_heldout_sentences.tsv"
PATHS = ("float32", "int8")


def edits_and_chars(reference: str, hypothesis: str) -> tuple[int, int]:
    """(edit distance, reference characters) after the CER normalization: corpus CER is their sums' ratio."""
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    return _edit_distance(ref, hyp), len(ref)


def paired_bootstrap(edits_a: np.ndarray, edits_b: np.ndarray, chars: np.ndarray, draws: int = 5000,
                     seed: int = 0) -> tuple[float, float]:
    """95% interval of corpus CER(b) - CER(a) over sentences resampled with replacement.

    Args:
        edits_a, edits_b: (sentences,) edit counts of the two paths on the same sentences.
        chars: (sentences,) reference characters of each sentence.
    Returns:
        (2.5th, 97.5th) percentiles of the difference.
    """
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(chars), size=(draws, len(chars)))
    diff = (edits_b[idx].sum(1) - edits_a[idx].sum(1)) / chars[idx].sum(1)
    low, high = np.percentile(diff, [2.5, 97.5])
    return float(low), float(high)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=60, help="the first N held-out sentences (>= 60 for the record)")
    parser.add_argument("--show", action="store_true", help="print every sentence the two paths hear differently")
    args = parser.parse_args(argv)

    texts = [g.sentence for g in load_gold(HELD_OUT)][: args.sentences]
    cpu = load_profile("cpu")
    profile = dataclasses.replace(cpu, precision=dataclasses.replace(cpu.precision, acoustic_int8=False))
    engine = Engine.for_profile(profile, vocoders=("mb_melgan",))
    synth = Synthesizer(profile, engine, Pipeline.load(), warm_up=False)
    listener = get_listener()
    edits = {p: np.zeros(len(texts)) for p in PATHS}
    chars = np.zeros(len(texts))
    heard: dict[str, list[str]] = {p: [] for p in PATHS}
    started = time.perf_counter()
    try:
        for k, text in enumerate(texts):
            order = PATHS if k % 2 == 0 else PATHS[::-1]  # take turns, so drift favours neither
            for path in order:
                engine.acoustic_model.use_int8(path == "int8")
                audio = synth.synthesize(SynthesisOptions(text, quality="fast"), use_cache=False).audio
                got = listener.transcribe(audio, RATE, text)
                heard[path].append(got)
                edits[path][k], chars[k] = edits_and_chars(text, got)
    finally:
        engine.acoustic_model.use_int8(False)
        synth.close()
    ref, new = edits["float32"], edits["int8"]
    cer_ref, cer_new = ref.sum() / chars.sum(), new.sum() / chars.sum()
    low, high = paired_bootstrap(ref, new, chars)
    print(f"{len(texts)} held-out sentences ({int(chars.sum())} characters), MB-MelGAN, Whisper base; "
          f"{time.perf_counter() - started:.0f} s")
    print(f"{'path':10s} {'CER':>7s} {'perfect':>8s}")
    for path in PATHS:
        print(f"{path:10s} {edits[path].sum() / chars.sum():7.2%} {int((edits[path] == 0).sum()):8d}")
    print(f"int8 - float32: {cer_new - cer_ref:+.2%} (paired bootstrap 95% interval {low:+.2%} .. {high:+.2%}); "
          f"sentences heard the same {int((ref == new).sum())}, int8 better {int((new < ref).sum())}, "
          f"worse {int((new > ref).sum())}; identical transcripts "
          f"{sum(a == b for a, b in zip(heard['float32'], heard['int8']))}")
    if args.show:
        for k, text in enumerate(texts):
            if ref[k] != new[k]:
                print(f"  {text}\n    float32 ({int(ref[k])}): {heard['float32'][k]}\n    int8    ({int(new[k])}): "
                      f"{heard['int8'][k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
