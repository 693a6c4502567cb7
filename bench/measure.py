"""Measurement of synthesized speech for benchmarks and tests: pooled prosody over a set of
utterances, sentence-final contours, F0 glitches, spectral centroid, articulation time.

Built on the same frame analysis as reference clips (tts.expressive.reference), so the figures of
the emotion presets and derived voices are measured the way a reference clip is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from tts.audio.decode import ANALYSIS_RATE, to_analysis_rate
from tts.expressive.reference import FRAME_S, Frames, _nuclei, _pauses, frame_tracks

__all__ = ["ANALYSIS_RATE", "SetMeasurement", "articulation_seconds", "f0_jump_fraction", "final_rise_st",
           "measure_set", "spectral_centroid_hz", "spoken_timing", "syllable_spans"]


def final_rise_from_tracks(tr: Frames, tail_s: float = 0.15) -> float:
    """Median F0 of the last `tail_s` of voiced speech minus the utterance's median F0, semitones."""
    f0 = tr.f0[(tr.f0 > 0) & tr.active]
    tail = int(round(tail_s / FRAME_S))
    if len(f0) < 3 * tail:
        return float("nan")
    return 12.0 * math.log2(float(np.median(f0[-tail:])) / float(np.median(f0)))


def final_rise_st(audio: np.ndarray, sample_rate: int, tail_s: float = 0.15) -> float:
    """Sentence-final contour: median F0 of the last `tail_s` of voiced speech minus the median
    F0 of the whole utterance, in semitones (> 0 rising, < 0 falling); NaN if barely voiced."""
    x = to_analysis_rate(np.asarray(audio, dtype=np.float64).reshape(-1), sample_rate)
    return final_rise_from_tracks(frame_tracks(x), tail_s)


def f0_jump_fraction(tr: Frames, semitones: float = 4.0) -> float:
    """Share of frame-to-frame F0 steps inside voiced runs larger than `semitones` (glitches, octave jumps)."""
    f0 = tr.f0
    both = (f0[1:] > 0) & (f0[:-1] > 0)
    if not both.any():
        return 0.0
    steps = np.abs(12.0 * np.log2(f0[1:][both] / f0[:-1][both]))
    return float(np.mean(steps > semitones))


def spectral_centroid_hz(audio: np.ndarray, sample_rate: int, fmax: float = 7600.0) -> float:
    """Centroid (Hz) of the long-term power spectrum of the active frames, up to `fmax`."""
    x = np.asarray(audio, dtype=np.float64).reshape(-1)
    n_fft, hop = 1024, max(1, int(sample_rate * FRAME_S))
    if len(x) < n_fft:
        return float("nan")
    idx = np.arange((len(x) - n_fft) // hop + 1)[:, None] * hop + np.arange(n_fft)[None, :]
    power = np.abs(np.fft.rfft(x[idx] * np.hanning(n_fft), axis=1)) ** 2
    level = 10.0 * np.log10(power.sum(axis=1) + 1e-20)
    active = level > np.percentile(level, 99) - 35.0
    freqs = np.fft.rfftfreq(n_fft, 1.0 / sample_rate)
    keep = (freqs >= 50.0) & (freqs <= fmax)
    ltas = power[active][:, keep].sum(axis=0)
    return float((ltas * freqs[keep]).sum() / ltas.sum())


def is_silence(phoneme: str) -> bool:
    """Silence tokens of the Baker symbol set."""
    return phoneme in ("sil", "sp", "eos")


def syllable_spans(phonemes: list[str], durations: list[int], start_s: float = 0.0,
                   frame_s: float = 0.0125) -> list[tuple[float, float]]:
    """(start, end) seconds of each syllable of a synthesized utterance, from the model's durations.

    A prosodic-boundary token (#0..#4) closes the syllable before it and its frames count as
    part of that syllable (the model spends them on the syllable's end); silences are excluded.
    """
    spans, t, current = [], start_s, None
    for ph, d in zip(phonemes, durations):
        seconds = int(d) * frame_s
        if is_silence(ph):
            if current is not None:
                spans.append(current)
            current = None
        elif ph.startswith("#"):
            if current is not None:
                spans.append((current[0], t + seconds))
            current = None
        else:
            current = (current[0] if current else t, t + seconds)
        t += seconds
    if current is not None:
        spans.append(current)
    return spans


def articulation_seconds(phonemes: list[str], durations: list[int], frame_s: float = 0.0125) -> float:
    """Time spent on syllables (silences excluded), from the model's durations."""
    return sum(int(d) for ph, d in zip(phonemes, durations) if not is_silence(ph)) * frame_s


def spoken_timing(segments) -> tuple[int, float, tuple[float, float]]:
    """(syllables, articulation seconds, final syllable's span) of one synthesis result, from
    its segments (each with .pinyin, .phonemes, .durations and .start_s): what measure_set needs."""
    syllables = sum(len(seg.pinyin) for seg in segments)
    speech = sum(articulation_seconds(seg.phonemes, seg.durations) for seg in segments)
    last = segments[-1]
    return syllables, speech, syllable_spans(last.phonemes, last.durations, last.start_s)[-1]


@dataclass(frozen=True)
class SetMeasurement:
    """Features pooled over a set of utterances (each analysed on its own, then pooled)."""

    f0_median_hz: float  # over all voiced frames
    f0_range_st: float  # 10th-90th percentile of all voiced frames
    energy_db: float  # RMS over all active frames, dBFS
    syllables_per_s: float  # known syllables / articulation time (given) or phonation time (measured)
    nuclei_per_s: float  # detected nuclei / phonation time
    final_rise_st: float  # median over utterances: F0 of the final span (or last 150 ms) minus the median
    voiced_fraction: float
    f0_jump_fraction: float  # F0 steps > 4 semitones between adjacent voiced frames
    centroid_hz: float  # long-term spectrum centroid
    pause_ratio: float
    finite: bool


def measure_set(audios: list[np.ndarray], sample_rate: int, syllables: list[int],
                speech_s: list[float] | None = None,
                final_spans: list[tuple[float, float]] | None = None) -> SetMeasurement:
    """Measure utterances (e.g. one emotion over many sentences) and pool the features.

    `speech_s`: each utterance's articulation time, if known (synthesized speech); otherwise the
    measured phonation time is used. `final_spans`: the (start, end) seconds of each utterance's
    sentence-final syllables, whose median F0 against the utterance median is the final rise.
    """
    f0s, powers, rises, nuclei, voiced, active, steps, spans, pauses = [], [], [], 0, 0, 0, 0, 0, 0
    phon, jumps, finite = 0.0, 0.0, True
    for i, audio in enumerate(audios):
        finite &= bool(np.isfinite(audio).all())
        x = to_analysis_rate(np.nan_to_num(np.asarray(audio, dtype=np.float64)), sample_rate)
        tr = frame_tracks(x)
        v = (tr.f0 > 0) & tr.active
        f0s.append(tr.f0[v])
        powers.append(tr.full_power[tr.active])
        if final_spans is not None:
            lo, hi = (int(round(t / FRAME_S)) for t in final_spans[i])
            tail = tr.f0[lo:hi][tr.f0[lo:hi] > 0]
            rises.append(12.0 * math.log2(np.median(tail) / np.median(tr.f0[v])) if len(tail) >= 3 else np.nan)
        else:
            rises.append(final_rise_from_tracks(tr))
        span, pause = _pauses(tr)
        spans, pauses = spans + span, pauses + pause
        phon += (span - pause) * FRAME_S
        nuclei += _nuclei(tr)
        voiced += int(v.sum())
        active += int(tr.active.sum())
        n_steps = int(((tr.f0[1:] > 0) & (tr.f0[:-1] > 0)).sum())
        jumps += f0_jump_fraction(tr) * n_steps
        steps += n_steps
    f0 = np.concatenate(f0s)
    p10, p50, p90 = np.percentile(f0, [10, 50, 90]) if len(f0) else (np.nan,) * 3
    joined = np.concatenate([np.nan_to_num(np.asarray(a, dtype=np.float64)) for a in audios])
    speech = sum(speech_s) if speech_s is not None else phon
    return SetMeasurement(
        f0_median_hz=float(p50), f0_range_st=float(12.0 * np.log2(p90 / p10)),
        energy_db=float(10.0 * np.log10(np.mean(np.concatenate(powers)) + 1e-12)),
        syllables_per_s=sum(syllables) / speech if speech else 0.0, nuclei_per_s=nuclei / phon if phon else 0.0,
        final_rise_st=float(np.nanmedian(rises)) if np.isfinite(rises).any() else float("nan"),
        voiced_fraction=voiced / max(1, active), f0_jump_fraction=jumps / max(1, steps),
        centroid_hz=spectral_centroid_hz(joined, sample_rate), pause_ratio=pauses / max(1, spans), finite=finite)
