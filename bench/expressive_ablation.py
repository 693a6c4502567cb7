"""Which part of an expressive setting costs intelligibility: each hard setting (sad and gentle at
intensity 2, pitch -6 semitones) said in full and with one component put back to neutral (pitch
level and range, energy, durations and pauses), heard by the listening instrument
(tests/listening.py) on the same held-out sentences in one run.

Besides the CER, each row shows what the component does to the voice, so a fix can be checked
not to flatten the expression: median F0 (semitones against neutral, WORLD Harvest on voiced
frames), speech level (dB against neutral) and length against neutral.

    .venv/bin/python bench/expressive_ablation.py --sentences 10
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

from listening import corpus_cer, get_listener

from bench.sentence_eval import load_gold
from tts.expressive.presets import EMOTIONS, scaled_emotion
from tts.options import SEMITONES_PER_PITCH_UNIT, Prosody, SynthesisOptions
from tts.synthesizer import Synthesizer

DATA = ROOT / "tests" / "data"
RATE = 24000
NEUTRAL_PITCH = {"pitch_shift": 0.0, "pitch_range": 1.0, "final_pitch": 0.0}
NEUTRAL_ENERGY = {"energy_shift": 0.0, "energy_scale": 1.0}
NEUTRAL_TIME = {"duration_scale": 1.0, "pause_scale": 1.0}


ENERGY_FLOOR, PITCH_LIMITS = -1.0, (-2.3, 2.4)  # candidate limits (tts/models/variance_limits.py)


def conditions() -> dict[str, tuple[Prosody, dict]]:
    """Each setting as (the extra prosody of a neutral request, model limits), full and ablated."""
    out: dict[str, tuple[Prosody, dict]] = {"neutral": (Prosody(), {})}
    for emotion in ("sad", "gentle"):
        full = scaled_emotion(EMOTIONS[emotion], 2.0)
        out[f"{emotion} x2"] = (full, {})
        for label, neutral in (("pitch", NEUTRAL_PITCH), ("energy", NEUTRAL_ENERGY), ("time", NEUTRAL_TIME)):
            out[f"{emotion} x2, neutral {label}"] = (dataclasses.replace(full, **neutral), {})
        out[f"{emotion} x2, energy floor"] = (full, {"energy_floor": ENERGY_FLOOR})
    low = Prosody(pitch_shift=-6.0 / SEMITONES_PER_PITCH_UNIT)
    out["pitch -6"] = (low, {})
    out["pitch -6, pitch limits"] = (low, {"pitch_limits": PITCH_LIMITS})
    out["pitch -6, energy floor"] = (low, {"energy_floor": ENERGY_FLOOR})
    return out


def median_f0(audio: np.ndarray) -> float:
    import pyworld

    f0, _ = pyworld.harvest(audio.astype(np.float64), RATE, frame_period=10.0)
    voiced = f0[f0 > 0]
    return float(np.median(voiced)) if len(voiced) else float("nan")


def level_db(audio: np.ndarray) -> float:
    frames = audio[: len(audio) // 240 * 240].reshape(-1, 240)
    rms = np.sqrt(np.mean(frames.astype(np.float64) ** 2, axis=1))
    speech = rms[rms > 0.1 * rms.max()]
    return float(20 * np.log10(np.sqrt(np.mean(speech ** 2))))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=10, help="first N held-out sentences")
    parser.add_argument("--only", default="", help="condition names separated by semicolons (default: all)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    texts = [g.sentence for g in load_gold(DATA / "frontend_heldout_sentences.tsv")][:args.sentences]
    settings = conditions()
    if args.only:
        settings = {k: v for k, v in settings.items() if k in args.only.split(";") or k == "neutral"}
    synth = Synthesizer.from_profile("cpu", warm_up=False)
    model = synth.engine.acoustic_model
    listener = get_listener()
    clips: dict[str, list[np.ndarray]] = {name: [] for name in settings}
    started = time.perf_counter()
    try:
        for text in texts:
            for name, (prosody, limits) in settings.items():
                model.energy_floor = limits.get("energy_floor")
                model.pitch_limits = limits.get("pitch_limits")
                clips[name].append(synth.synthesize(SynthesisOptions(text, quality="fast", prosody=prosody),
                                                    use_cache=False).audio)
        heard = {name: listener.transcribe_many([(a, RATE) for a in audio], texts) for name, audio in clips.items()}
    finally:
        synth.close()
    base = clips["neutral"]
    f0_base = np.array([median_f0(a) for a in base])
    level_base = np.array([level_db(a) for a in base])
    print(f"{len(texts)} held-out sentences, MB-MelGAN, {time.perf_counter() - started:.0f} s\n")
    print("| setting | CER | median F0 vs neutral | speech level vs neutral | length vs neutral |")
    print("|---|---:|---:|---:|---:|")
    for name, audio in clips.items():
        f0 = 12 * np.log2(np.array([median_f0(a) for a in audio]) / f0_base)
        level = np.array([level_db(a) for a in audio]) - level_base
        length = sum(len(a) for a in audio) / sum(len(a) for a in base)
        print(f"| {name} | {100 * corpus_cer(texts, heard[name]):.2f}% | {np.nanmean(f0):+.2f} st | "
              f"{np.mean(level):+.2f} dB | x{length:.3f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
