"""Compare the vocoders on FastSpeech2 mels: MB-MelGAN vs HiFi-GAN (through tts.models.hifigan_bridge).

There is no ground-truth audio for synthesized mels, so this measures:
  (a) LSD: log-spectral distance (dB) between the Baker-config log mel of each vocoder's
      output and the mel it was asked to render (de-normalized with tts/data/baker_mel_stats.json),
      over all frames and over speech frames (mel power within 60 dB of the loudest frame);
  (b) F0 and voicing agreement between vocoders: pyworld harvest at a 12.5 ms frame period;
      voicing agreement = share of frames with the same voiced/unvoiced decision; over frames
      voiced in both (pooled): share whose F0 differ by less than 20 % (1 - gross pitch
      error), by less than 50 cents, the median |difference| in cents and the mean signed
      difference (bias; |d| < 300 cents, i.e. octave errors left out);
  (c) real-time factor (synthesis time / audio duration) on this machine, whole utterances,
      plus the HiFi-GAN vocoder streamed in chunks (first block 16, block 64, pad 16).

Sentences: assets/eval_sentences.txt (held out from the statistics fit), phonemes from the
project frontend (tts.pipeline) when it loads, else from the bench's pypinyin helper.
Run: python bench/vocoder_compare.py [--limit N] [--json out.json] [--wav-dir DIR]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from pathlib import Path

import numpy as np
import torch

ROOT = Path(__file__).resolve().parent.parent
for p in (str(ROOT), str(ROOT / "bench")):
    if p not in sys.path:
        sys.path.insert(0, p)

from estimate_baker_stats import acoustic_items  # noqa: E402

from tts.models.chunking import run_chunked  # noqa: E402
from tts.engine import AcousticItem, Engine  # noqa: E402
from tts.models.hifigan_bridge import BakerMelStats, load_hifigan_vocoder  # noqa: E402
from tts.audio.spectral import baker_log_mel  # noqa: E402
from tts.models.vocabulary import SymbolTable  # noqa: E402
from tts.weights.fetch_hifigan import fetch_hifigan  # noqa: E402

RATE = 24000
FRAME_MS = 1000 * 300 / RATE  # 12.5 ms, one Baker frame


def eval_sentences() -> list[str]:
    lines = (ROOT / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def sentence_items(sentences: list[str], symbols: SymbolTable) -> tuple[list[AcousticItem], str]:
    """One acoustic item per sentence, from the project frontend if it works, else pypinyin."""
    try:
        from tts.pipeline import Pipeline

        pipeline = Pipeline.load()
        items = []
        for s in sentences:
            ids = [i for seg in pipeline.prepare(s, max_chars=200) for i in seg.ids]
            items.append(AcousticItem(ids))
        return items, "tts.pipeline frontend"
    except Exception as exc:  # noqa: BLE001 - the frontend is optional for this measurement
        print(f"(project frontend unavailable: {type(exc).__name__}: {exc}; using pypinyin helper)")
        return acoustic_items(sentences, symbols), "pypinyin helper (bench/estimate_baker_stats.py)"


def lsd_db(audio: np.ndarray, target_log10: np.ndarray) -> tuple[float, float]:
    """Mean per-frame RMS of 20 * log10 magnitude difference (dB): all frames, speech frames."""
    got = baker_log_mel(audio)[: target_log10.shape[0]].numpy().astype(np.float64)
    d = 20.0 * (got - target_log10)
    per_frame = np.sqrt(np.mean(d ** 2, axis=1))
    energy = np.log10(np.sum(10.0 ** (2 * target_log10), axis=1))  # power, log10
    speech = energy > energy.max() - 6.0
    return float(per_frame.mean()), float(per_frame[speech].mean())


def _pyworld():
    """pyworld (0.3.5, pinned in requirements.txt). Its __init__ imports pkg_resources, which
    setuptools >= 81 no longer ships; then load the compiled extension directly."""
    try:
        import pyworld

        return pyworld
    except ModuleNotFoundError as exc:
        if exc.name != "pkg_resources":
            raise
    import importlib.machinery
    import importlib.util

    spec = importlib.util.find_spec("pyworld")
    lib = next(Path(spec.submodule_search_locations[0]).glob("pyworld*.so"))
    loader = importlib.machinery.ExtensionFileLoader("pyworld.pyworld", str(lib))
    module = importlib.util.module_from_spec(importlib.util.spec_from_file_location("pyworld.pyworld", lib, loader=loader))
    loader.exec_module(module)
    return module


def f0_track(audio: np.ndarray) -> np.ndarray:
    """pyworld harvest F0 (Hz, 0 = unvoiced) every 12.5 ms."""
    x = np.ascontiguousarray(audio, dtype=np.float64)
    f0, _ = _pyworld().harvest(x, RATE, f0_floor=60.0, f0_ceil=600.0, frame_period=FRAME_MS)
    return f0


def f0_agreement(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    """Voicing agreement over all frames; over frames voiced in both: share within 20 % (1 - gross
    pitch error), share within 50 cents, median |difference| in cents; and the both-voiced count."""
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    va, vb = a > 0, b > 0
    both = va & vb
    cents = 1200 * np.log2(b[both] / a[both]) if both.any() else np.zeros(0)  # signed: b above a > 0
    size = np.abs(cents)
    return {"voicing": float(np.mean(va == vb)), "within_20pct": float(np.mean(size < 1200 * np.log2(1.2))),
            "within_50c": float(np.mean(size < 50)), "median_cents": float(np.median(size)) if size.size else 0.0,
            "both_voiced": int(both.sum()), "cents": cents}


def main(argv: list[str] | None = None) -> dict:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0, help="use only the first N sentences")
    parser.add_argument("--json", help="also write the numbers to this file")
    parser.add_argument("--wav-dir", help="write every output as WAV here")
    parser.add_argument("--threads", type=int, default=0, help="torch threads (default: torch's choice)")
    args = parser.parse_args(argv)
    if args.threads:
        torch.set_num_threads(args.threads)

    engine = Engine.load()
    symbols = SymbolTable.load()
    stats = BakerMelStats.load()
    fetch_hifigan(log=lambda *_: None)
    sentences = eval_sentences()
    if args.limit:
        sentences = sentences[: args.limit]
    items, source = sentence_items(sentences, symbols)
    mels = [r.mel for r in engine.acoustic(items)]
    vocoders = {
        "MB-MelGAN": engine.vocoders["mb_melgan"],
        "HiFi-GAN matched": load_hifigan_vocoder(stats=stats, framing="matched"),
        "HiFi-GAN interp": load_hifigan_vocoder(stats=stats, framing="interp"),
    }
    stream = vocoders["HiFi-GAN matched"]
    seconds = sum(m.shape[0] for m in mels) * 300 / RATE
    print(f"{len(mels)} sentences, {seconds:.1f} s of audio, phonemes from {source}, "
          f"{torch.get_num_threads()} torch threads, {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.1f}")

    outputs: dict[str, list[np.ndarray]] = {}
    timing: dict[str, float] = {}
    with torch.inference_mode():
        for name, voc in vocoders.items():
            voc(mels[0][None, :40])  # warm-up
            outs, spent = [], 0.0
            for m in mels:
                t0 = time.perf_counter()
                outs.append(voc(m[None])[0].numpy())
                spent += time.perf_counter() - t0
            outputs[name], timing[name] = outs, spent / seconds
        t0 = time.perf_counter()
        for m in mels:
            for _ in run_chunked(stream, m[None], 64, 16, scale=300, first_block=16):
                pass
        timing["HiFi-GAN matched, streamed"] = (time.perf_counter() - t0) / seconds

    if args.wav_dir:
        from tts.audio.wav import write_wav

        Path(args.wav_dir).mkdir(parents=True, exist_ok=True)
        for name, outs in outputs.items():
            tag = name.replace(" ", "_").replace(",", "")
            for i, a in enumerate(outs):
                write_wav(Path(args.wav_dir) / f"{i:02d}_{tag}.wav", a, RATE)

    targets = [m.numpy().astype(np.float64) * stats.std + stats.mean for m in mels]
    lsd = {name: np.array([lsd_db(a, t) for a, t in zip(outs, targets)]) for name, outs in outputs.items()}
    f0 = {name: [f0_track(a) for a in outs] for name, outs in outputs.items()}
    pairs = [("MB-MelGAN", "HiFi-GAN matched"), ("MB-MelGAN", "HiFi-GAN interp"),
             ("HiFi-GAN matched", "HiFi-GAN interp")]
    agreement = {}
    for a, b in pairs:
        per = [f0_agreement(x, y) for x, y in zip(f0[a], f0[b])]
        cents = np.concatenate([p["cents"] for p in per])  # pooled over all both-voiced frames
        agreement[f"{a} vs {b}"] = {
            "voicing_agreement": float(np.mean([p["voicing"] for p in per])),
            "f0_within_20pct": float(np.mean(np.abs(cents) < 1200 * np.log2(1.2))),
            "f0_within_50_cents": float(np.mean(np.abs(cents) < 50)),
            "f0_median_cents": float(np.median(np.abs(cents))),
            "f0_mean_signed_cents": float(np.mean(cents[np.abs(cents) < 300])),  # bias, octave errors left out
            "both_voiced_frames": int(cents.size),
        }
    voiced_share = {name: float(np.mean(np.concatenate([t > 0 for t in tracks]))) for name, tracks in f0.items()}

    print()
    print(f"{'vocoder':<30}{'LSD all (dB)':>14}{'LSD speech (dB)':>17}{'voiced share':>14}{'RTF':>8}")
    for name in vocoders:
        print(f"{name:<30}{lsd[name][:, 0].mean():>14.2f}{lsd[name][:, 1].mean():>17.2f}"
              f"{voiced_share[name]:>14.3f}{timing[name]:>8.3f}")
    print(f"{'HiFi-GAN matched, streamed':<30}{'':>14}{'':>17}{'':>14}{timing['HiFi-GAN matched, streamed']:>8.3f}")
    print()
    print(f"{'pair (a vs b)':<40}{'voicing agree':>15}{'F0 within 20%':>15}{'within 50 c':>13}"
          f"{'median |c|':>12}{'bias b-a (c)':>14}")
    for pair, v in agreement.items():
        print(f"{pair:<40}{v['voicing_agreement']:>15.3f}{v['f0_within_20pct']:>15.3f}"
              f"{v['f0_within_50_cents']:>13.3f}{v['f0_median_cents']:>12.1f}{v['f0_mean_signed_cents']:>14.1f}")
    wins = int(np.sum(lsd["HiFi-GAN matched"][:, 1] < lsd["MB-MelGAN"][:, 1]))
    print(f"\nHiFi-GAN (matched) has the lower speech-frame LSD on {wins}/{len(mels)} sentences.")

    result = {
        "sentences": len(mels), "audio_seconds": seconds, "phonemes": source, "threads": torch.get_num_threads(),
        "lsd_db": {k: {"all": float(v[:, 0].mean()), "speech": float(v[:, 1].mean()),
                       "per_sentence_speech": [round(float(x), 3) for x in v[:, 1]]} for k, v in lsd.items()},
        "voiced_share": voiced_share, "rtf": timing, "f0_agreement": agreement,
        "hifigan_lower_lsd_sentences": wins,
    }
    result["load_average_end"] = os.getloadavg()[0]
    print(f"load average now {result['load_average_end']:.1f} (RTF is only comparable at equal load)")
    if args.json:
        Path(args.json).write_text(json.dumps(result, indent=1))
    return result


if __name__ == "__main__":
    main()
