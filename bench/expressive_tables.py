"""Measure the emotion presets, the derived voices and reference-audio transfer; fill docs/expressive.md.

* Emotions: every preset (intensity 1) over the first 20 eval sentences: pooled F0 median
  and 10-90 % range of voiced frames (WORLD Harvest), RMS level of speech frames, syllables per
  second of articulation (the model's phoneme durations, silences excluded), the final
  syllable's F0 against the sentence median, and cleanliness (voiced share of speech frames,
  F0 jumps > 4 semitones between adjacent voiced frames), each relative to neutral.
* Voices: the same sentences per voice: F0 median and the long-term spectrum centroid.
* Baker prosody statistics (tts/data/baker_prosody_stats.json): the 20 sentences in five
  requests of four, each analysed like a reference clip (tts.expressive.reference.measure); the
  median of each feature over the five is what reference clips are compared with.
* Reference transfer: five espeak-ng Mandarin clips (pitch -p, speed -s in a Latin square),
  analysed, then one fixed text synthesized with each clip's prosody; Spearman rank
  correlations between the references' and the outputs' F0 median and speaking rate.
  Skipped (and said so) when espeak-ng is not installed.

Usage: .venv/bin/python bench/expressive_tables.py [--no-readme] [--no-stats]
Deterministic (fixed texts, greedy model, fixed analysis); a few minutes on 2 CPU cores
(analysis runs in one process per core).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tts.expressive.presets import EMOTIONS, VOICES  # noqa: E402
from tts.options import SynthesisOptions  # noqa: E402
from bench.measure import articulation_seconds, measure_set, spoken_timing  # noqa: E402
from tts.expressive.reference import STATS_PATH, BakerProsodyStats, analyze_reference, measure  # noqa: E402

README = ROOT / "docs" / "expressive.md"
START, END = "<!-- expressive-tables:start -->", "<!-- expressive-tables:end -->"
SAMPLE_RATE = 24000

# espeak-ng reference clips: (pitch -p, speed -s) in a Latin square, so pitch and rate vary independently.
ESPEAK_SETTINGS = [(55, 210), (62, 270), (70, 150), (78, 240), (92, 180)]
ESPEAK_TEXT = "今天天气很好，我们一起去公园散步吧。小明昨天晚上看了一部很感人的电影。"
TRANSFER_TEXT = "人工智能正在改变我们的生活方式。周末的时候，我喜欢在家里读书。"


def eval_sentences() -> list[str]:
    lines = (ROOT / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
    return [line.strip() for line in lines if line.strip() and not line.startswith("#")]


def synthesize_set(synth, texts: list[str], **options) -> dict:
    """Audio and what measure_set needs for each text (one request per text)."""
    audios, syllables, speech, finals = [], [], [], []
    for text in texts:
        result = synth.synthesize(SynthesisOptions(text, quality="fast", **options), use_cache=False)
        audios.append(result.audio)
        n, speech_s, final = spoken_timing(result.segments)
        syllables.append(n)
        speech.append(speech_s)
        finals.append(final)
    return {"audios": audios, "syllables": syllables, "speech_s": speech, "final_spans": finals}


def _measure(item: dict):
    return measure_set(item["audios"], SAMPLE_RATE, item["syllables"], item["speech_s"], item["final_spans"])


def _measure_clip(audio: np.ndarray):
    return measure(audio, SAMPLE_RATE)


def st(a: float, b: float) -> float:
    return 12.0 * float(np.log2(a / b))


def emotion_table(results: dict) -> list[str]:
    base = results["neutral"]
    lines = ["| emotion | preset (duration, pitch shift, range, energy shift/scale, pauses, final) | F0 median | "
             "F0 range (10-90 %) | speech level | syllables/s | final syllable | voiced | F0 jumps |",
             "| --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for name, m in results.items():
        e = EMOTIONS[name]
        preset = (f"×{e.duration_scale:g}, {e.pitch_shift:+g}, ×{e.pitch_range:g}, "
                  f"{e.energy_shift:+g}/×{e.energy_scale:g}, ×{e.pause_scale:g}, {e.final_pitch:+g}")
        if name == "neutral":
            cells = [f"{m.f0_median_hz:.0f} Hz", f"{m.f0_range_st:.2f} st", f"{m.energy_db:.1f} dBFS",
                     f"{m.syllables_per_s:.2f}", f"{m.final_rise_st:+.2f} st"]
        else:
            cells = [f"{m.f0_median_hz:.0f} Hz ({st(m.f0_median_hz, base.f0_median_hz):+.2f} st)",
                     f"{m.f0_range_st:.2f} st ({m.f0_range_st - base.f0_range_st:+.2f})",
                     f"{m.energy_db:.1f} dBFS ({m.energy_db - base.energy_db:+.2f} dB)",
                     f"{m.syllables_per_s:.2f} (×{m.syllables_per_s / base.syllables_per_s:.3f})",
                     f"{m.final_rise_st:+.2f} st ({m.final_rise_st - base.final_rise_st:+.2f})"]
        lines.append(f"| {EMOTIONS[name].label} | {preset} | " + " | ".join(cells)
                     + f" | {m.voiced_fraction:.1%} | {m.f0_jump_fraction:.2%} |")
    return lines


def voice_table(results: dict) -> list[str]:
    base = results["baker"]
    lines = ["| voice | formant shift | pitch shift (units) | F0 median | spectral centroid | voiced | F0 jumps |",
             "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, m in results.items():
        v = VOICES[name]
        lines.append(f"| `{name}` {v.label} | ×{v.formant_shift:g} | {v.prosody.pitch_shift:+g} | "
                     f"{m.f0_median_hz:.0f} Hz ({st(m.f0_median_hz, base.f0_median_hz):+.2f} st) | "
                     f"{m.centroid_hz:.0f} Hz ({m.centroid_hz / base.centroid_hz - 1:+.1%}) | "
                     f"{m.voiced_fraction:.1%} | {m.f0_jump_fraction:.2%} |")
    return lines


def baker_stats(synth, texts: list[str], pool) -> tuple[BakerProsodyStats, list]:
    groups = ["".join(texts[i : i + 4]) for i in range(0, len(texts), 4)]
    audios = [synth.synthesize(SynthesisOptions(g, quality="fast"), use_cache=False).audio for g in groups]
    feats = list(pool.map(_measure_clip, audios))
    med = {k: float(np.median([getattr(f, k) for f in feats]))
           for k in ("f0_median_hz", "f0_range_st", "energy_db", "syllable_rate", "pause_ratio")}
    provenance = (f"bench/expressive_tables.py: tts.expressive.reference.measure on {len(groups)} Baker requests of 4 "
                  "eval sentences each (FastSpeech2 + MB-MelGAN, neutral), median over the requests")
    return BakerProsodyStats(**{k: round(v, 4) for k, v in med.items()}, provenance=provenance), feats


def espeak_clips(tmp: Path) -> list[tuple[int, int, Path]]:
    clips = []
    for p, s in ESPEAK_SETTINGS:
        out = tmp / f"espeak_p{p}_s{s}.wav"
        subprocess.run(["espeak-ng", "-v", "cmn", "-p", str(p), "-s", str(s), "-w", str(out), ESPEAK_TEXT],
                       check=True, capture_output=True)
        clips.append((p, s, out))
    return clips


def transfer_table(synth, stats: BakerProsodyStats) -> list[str]:
    from scipy.stats import spearmanr

    if shutil.which("espeak-ng") is None:
        return ["(espeak-ng is not installed here: the reference-transfer check was skipped)"]
    rows, ref_f0, ref_rate, out_f0, out_rate = [], [], [], [], []
    with tempfile.TemporaryDirectory() as tmp:
        for p, s, path in espeak_clips(Path(tmp)):
            ref = analyze_reference(path, stats)
            res = synth.synthesize(SynthesisOptions(TRANSFER_TEXT, quality="fast", prosody=ref.prosody),
                                   use_cache=False)
            out = measure(res.audio, SAMPLE_RATE)
            syl = sum(len(seg.pinyin) for seg in res.segments)
            rate = syl / sum(articulation_seconds(seg.phonemes, seg.durations) for seg in res.segments)
            f, q = ref.features, ref.prosody
            ref_f0.append(f.f0_median_hz)
            ref_rate.append(f.syllable_rate)
            out_f0.append(out.f0_median_hz)
            out_rate.append(rate)
            rows.append(f"| -p {p} -s {s} | {f.duration_s:.1f} s | {f.f0_median_hz:.0f} Hz | {f.syllable_rate:.2f} | "
                        f"{q.pitch_shift:+.2f}, ×{q.duration_scale:.2f}, ×{q.pitch_range:.2f}, ×{q.pause_scale:.2f}, "
                        f"{q.energy_shift:+.2f} | {out.f0_median_hz:.0f} Hz | {rate:.2f} |")
    rho_f0 = spearmanr(ref_f0, out_f0).statistic
    rho_rate = spearmanr(ref_rate, out_rate).statistic
    rho_p = spearmanr([p for p, _ in ESPEAK_SETTINGS], ref_f0).statistic
    rho_s = spearmanr([s for _, s in ESPEAK_SETTINGS], ref_rate).statistic
    head = ["| espeak-ng cmn clip | length | reference F0 | reference nuclei/s | prosody (pitch shift, duration, "
            "range, pauses, energy) | output F0 | output syllables/s |",
            "| --- | --- | --- | --- | --- | --- | --- |"]
    tail = ["", f"Spearman: output vs reference F0 median **{rho_f0:.2f}**, output vs reference speaking rate "
            f"**{rho_rate:.2f}**; the analysis itself against the espeak settings: F0 vs -p {rho_p:.2f}, "
            f"rate vs -s {rho_s:.2f}."]
    return head + rows + tail


def write_readme(block: list[str]) -> None:
    text = README.read_text(encoding="utf-8")
    if START not in text or END not in text:
        raise SystemExit(f"{README} lacks the markers {START} / {END}")
    before, rest = text.split(START, 1)
    _, after = rest.split(END, 1)
    README.write_text(before + START + "\n" + "\n".join(block) + "\n" + END + after, encoding="utf-8")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--no-readme", action="store_true", help="print the tables, leave docs/expressive.md alone")
    ap.add_argument("--no-stats", action="store_true", help="do not rewrite tts/data/baker_prosody_stats.json")
    ap.add_argument("--sentences", type=int, default=20)
    args = ap.parse_args()

    import torch

    from tts.synthesizer import Synthesizer

    torch.manual_seed(0)
    started = time.perf_counter()
    synth = Synthesizer.from_profile("cpu")
    texts = eval_sentences()[: args.sentences]
    workers = max(1, min(4, os.cpu_count() or 1))
    with ProcessPoolExecutor(workers) as pool:
        stats, _ = baker_stats(synth, texts, pool)
        if not args.no_stats:
            STATS_PATH.write_text(json.dumps(asdict(stats), indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        emo_items = {name: synthesize_set(synth, texts, emotion=name) for name in EMOTIONS}
        voice_items = {name: synthesize_set(synth, texts, voice=name) for name in VOICES}
        emo = dict(zip(emo_items, pool.map(_measure, emo_items.values())))
        voices = dict(zip(voice_items, pool.map(_measure, voice_items.values())))
    transfer = transfer_table(synth, stats)
    synth.close()

    n = len(texts)
    block = [
        f"Measured by `bench/expressive_tables.py` over the first {n} sentences of `assets/eval_sentences.txt` "
        "(FastSpeech2 + MB-MelGAN, CPU profile). F0: WORLD Harvest on voiced speech frames; range = 10th to 90th "
        "percentile in semitones (st); speech level = RMS of speech frames; syllables/s = syllables over the model's "
        "phoneme durations without silences; final syllable = its median F0 against the sentence median "
        "(median over sentences); F0 jumps = steps > 4 st between adjacent voiced frames (glitches). "
        "Differences are against neutral.",
        "",
        "**Emotion presets** (intensity 1):",
        "",
        *emotion_table(emo),
        "",
        "**Voices** (the derived voices are transforms of the Baker voice: pitch through the variance adaptor, "
        "formants by warping the mel's spectral envelope):",
        "",
        *voice_table(voices),
        "",
        f"**Baker prosody statistics** (`tts/data/baker_prosody_stats.json`, what reference clips are compared "
        f"with): F0 median {stats.f0_median_hz:.0f} Hz, range {stats.f0_range_st:.2f} st, speech level "
        f"{stats.energy_db:.1f} dBFS, {stats.syllable_rate:.2f} syllable nuclei/s of phonation, pauses "
        f"{stats.pause_ratio:.1%} of the speaking time.",
        "",
        "**Reference-audio transfer** (espeak-ng Mandarin clips of known pitch and rate → the Baker voice):",
        "",
        *transfer,
    ]
    elapsed = time.perf_counter() - started
    print("\n".join(block))
    print(f"\n({elapsed:.0f} s)", file=sys.stderr)
    if not args.no_readme:
        write_readme(block)


if __name__ == "__main__":
    main()
