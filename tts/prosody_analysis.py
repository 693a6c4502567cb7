"""Prosody of speech audio, and reference-audio prosody transfer onto the Baker voice.

One analyzer (`measure`) serves three callers: the reference clips users upload, the Baker
statistics the transfer is relative to (assets/baker_prosody_stats.json, written by
bench/expressive_tables.py from synthesized Baker speech), and the measurements of the emotion
presets and derived voices. Every clip is first brought to mono float at 16 kHz.

Method (10 ms frames, 25 ms windows):

* Activity: energy of the 300-3400 Hz band (telephone band, so 8 kHz clips measure like 48 kHz
  ones). Noise floor = 10th percentile of the frame levels, speech level = 99th percentile;
  frames louder than max(speech - 35 dB, floor + 25 % of the span) are active. The SNR
  estimate is speech level - floor.
* F0: WORLD Harvest (pyworld) between 60 and 700 Hz on the voiced, active frames; level =
  median, range = 10th to 90th percentile in semitones.
* Energy: RMS of the full-band signal over the active frames, in dB relative to full scale.
* Pauses: inactive runs of at least 200 ms between the first and the last active frame;
  pause ratio = their total / that span. Phonation time = the span minus the pauses.
* Speaking rate: syllable nuclei per second of phonation time. A nucleus is a peak of the
  band energy envelope (smoothed over 50 ms) that stands out of its surroundings by at least
  2.5 dB (peak prominence), lies in an active frame, is voiced (an F0 within 20 ms) and is at
  least 90 ms from the previous one; this follows de Jong & Wempe (2009, "Praat script to
  detect syllable nuclei"). Every Mandarin syllable has one vowel nucleus, so nuclei per second
  approximate syllables per second; the transfer uses the ratio to the Baker voice's rate
  measured the same way, so a constant bias of the detector cancels.

Transfer (`prosody_from_features`) maps the reference's features onto `Prosody` relative to
the Baker voice's statistics: speaking rate -> duration_scale, pitch range -> pitch_range, pitch
level -> pitch_shift, pause ratio -> pause_scale, loudness -> energy_shift (partly). Timbre does
not transfer (`TRANSFER_NOTE`). Pitch level is judged against the speaker's register: a male
voice speaking at a man's usual pitch (about 120 Hz) reads as 3 semitones low, not as the 12
semitones that separate him from Baker (see `pitch_level_semitones`); 60 % of the level
difference transfers, softly limited to +-1.5 model units.
"""

from __future__ import annotations

import io
import json
import math
import os
import shutil
import subprocess
import tempfile
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import butter, find_peaks, resample, resample_poly, sosfiltfilt

from tts.options import SEMITONES_PER_PITCH_UNIT, Prosody

ANALYSIS_RATE = 16000
FRAME_S = 0.010
WINDOW_S = 0.025
F0_FLOOR, F0_CEIL = 60.0, 700.0

MIN_SECONDS = 3.0  # shorter clips are rejected
MAX_SECONDS = 30.0  # longer clips are trimmed to their first 30 s (and the caller is told)
MAX_BYTES = 64 * 2**20  # larger uploads are rejected before decoding
MAX_CHANNELS = 8  # up to 8 channels are downmixed to mono
MIN_RATE, MAX_RATE = 4000, 384000
DECODE_TIMEOUT_S = 60.0
MIN_SPEECH_S = 1.5  # phonation time needed for a usable measurement
MIN_SNR_DB = 15.0
MIN_VOICED_FRACTION = 0.25
MAX_CLIPPED_FRACTION = 0.01
MIN_NUCLEI = 6
MIN_PAUSE_S = 0.2  # silences shorter than this are stop closures or breaths inside speech

STATS_PATH = Path(__file__).resolve().parent.parent / "assets" / "baker_prosody_stats.json"

# Typical median F0 of adult male Mandarin read speech; the register anchor for low voices.
MALE_F0_ANCHOR_HZ = 120.0
REGISTER_GAP_ST = 3.0  # how low a man at MALE_F0_ANCHOR_HZ reads against Baker's median (see pitch_level_semitones)
PITCH_LEVEL_GAIN = 0.6  # share of the register-relative level that transfers
PITCH_SHIFT_LIMIT = 1.5  # model units (about 3.6 semitones), soft limit
PITCH_RANGE_LIMIT = 1.5  # pitch_range within [1/1.5, 1.5]
DURATION_LIMIT = 1.6  # duration_scale within [1/1.6, 1.6]
PAUSE_LIMIT = 2.0  # pause_scale within [0.5, 2]
ENERGY_GAIN = 0.5  # loudness depends on the recording level: only half of the difference transfers
ENERGY_LIMITS = (-0.6, 0.4)  # energy_shift bounds (model units)
DB_PER_ENERGY_UNIT = (6.3, 2.4)  # measured: -1 unit -> -6.3 dB, +1 unit -> +2.4 dB

TRANSFER_NOTE = (
    "参考音频只迁移韵律：音高的高低与起伏、语速、停顿长短和（部分）响度；不迁移音色——"
    "说话的仍然是标贝（或所选的标贝派生音色），不会模仿参考者的嗓音。\n"
    "Only the prosody of the reference transfers: pitch level and range, speaking rate, pause lengths "
    "and (partly) loudness. The timbre does not: the voice stays Baker (or the chosen derived Baker "
    "voice); it does not imitate the reference speaker's voice."
)


class ReferenceAudioError(ValueError):
    """A reference clip cannot be used; the message says why (Chinese and English).

    `reason` is one of: empty, too_large, undecodable, invalid_format, too_many_channels,
    not_finite, too_short, silent, clipped, noisy, too_little_speech.
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


# ---------------------------------------------------------------- decoding


@dataclass(frozen=True)
class DecodedAudio:
    samples: np.ndarray  # mono float32 at ANALYSIS_RATE
    sample_rate: int  # ANALYSIS_RATE
    source_rate: int
    channels: int
    format: str  # e.g. "WAV", "FLAC", "OGG", "ffmpeg"
    duration_s: float  # after trimming
    trimmed: bool  # the clip was longer than the limit and only its beginning was kept
    clipped_fraction: float  # share of samples in runs of 3+ at the peak level (native rate)


def _clipped_fraction(x: np.ndarray) -> float:
    """Share of samples lying in runs of at least 3 equal-magnitude samples at the clip's peak."""
    if x.size == 0:
        return 0.0
    mag = np.abs(x)
    peak = float(mag.max())
    if peak < 0.5:  # a quiet clip cannot be clipped at full scale
        return 0.0
    at_peak = mag >= peak * 0.999
    if not at_peak.any():
        return 0.0
    edges = np.diff(np.concatenate(([0], at_peak.astype(np.int8), [0])))
    starts, ends = np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)
    lengths = ends - starts
    return float(lengths[lengths >= 3].sum()) / x.size


def to_analysis_rate(x: np.ndarray, rate: int) -> np.ndarray:
    """Resample mono audio to ANALYSIS_RATE (polyphase for simple ratios, FFT otherwise)."""
    if rate == ANALYSIS_RATE:
        return np.asarray(x, dtype=np.float64)
    g = math.gcd(int(rate), ANALYSIS_RATE)
    up, down = ANALYSIS_RATE // g, int(rate) // g
    if max(up, down) <= 1000:
        return resample_poly(np.asarray(x, dtype=np.float64), up, down)
    n = int(round(len(x) * ANALYSIS_RATE / rate))
    return resample(np.asarray(x, dtype=np.float64), n)


def _from_soundfile(data: bytes, max_seconds: float) -> tuple[np.ndarray, int, int, str, bool] | None:
    """(frames x channels float32, rate, channels, format, trimmed); None if soundfile cannot read it."""
    try:
        f = sf.SoundFile(io.BytesIO(data))
    except (RuntimeError, sf.LibsndfileError, TypeError, ValueError):
        return None
    with f:
        if f.format == "MP3":  # libsndfile's mp3 support is newer and less forgiving; ffmpeg decodes it
            return None
        rate, channels = int(f.samplerate), int(f.channels)
        _check_layout(rate, channels)
        limit = int(max_seconds * rate)
        try:
            block = f.read(limit + 1, dtype="float32", always_2d=True)
        except (RuntimeError, sf.LibsndfileError, ValueError):
            return None
        fmt = f.format
    trimmed = len(block) > limit
    return block[:limit], rate, channels, fmt, trimmed


def _check_layout(rate: int, channels: int) -> None:
    if channels < 1 or channels > MAX_CHANNELS:
        raise ReferenceAudioError(f"参考音频有 {channels} 个声道，最多支持 {MAX_CHANNELS} 个。 / The clip has "
                                  f"{channels} channels; at most {MAX_CHANNELS} are supported.", "too_many_channels")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise ReferenceAudioError(f"不支持的采样率 {rate} Hz（支持 {MIN_RATE}-{MAX_RATE} Hz）。 / Unsupported "
                                  f"sample rate {rate} Hz (supported: {MIN_RATE}-{MAX_RATE} Hz).", "invalid_format")


@lru_cache(maxsize=1)
def ffmpeg_path() -> str | None:
    """The ffmpeg binary: imageio-ffmpeg's bundled one, else one on PATH, else None."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return shutil.which("ffmpeg")


def _from_ffmpeg(data: bytes, max_seconds: float) -> tuple[np.ndarray, int, int, str, bool]:
    exe = ffmpeg_path()
    undecodable = ReferenceAudioError("无法解码参考音频（格式不支持或文件已损坏）。 / Could not decode the reference "
                                      "audio (unsupported format or corrupt file).", "undecodable")
    if exe is None:
        raise undecodable
    with tempfile.TemporaryDirectory(prefix="tts-ref-") as tmp:
        src, dst = os.path.join(tmp, "in"), os.path.join(tmp, "out.wav")
        with open(src, "wb") as fh:
            fh.write(data)
        cmd = [exe, "-nostdin", "-hide_banner", "-loglevel", "error", "-t", f"{max_seconds + 0.05:.3f}",
               "-i", src, "-map", "0:a:0", "-vn", "-sn", "-dn", "-c:a", "pcm_f32le", "-f", "wav", dst]
        try:
            proc = subprocess.run(cmd, capture_output=True, timeout=DECODE_TIMEOUT_S, check=False)
        except subprocess.TimeoutExpired:
            raise undecodable from None
        if proc.returncode != 0 or not os.path.exists(dst) or os.path.getsize(dst) <= 44:
            raise undecodable
        try:
            with sf.SoundFile(dst) as f:
                rate, channels = int(f.samplerate), int(f.channels)
                _check_layout(rate, channels)
                block = f.read(int((max_seconds + 0.05) * rate) + 1, dtype="float32", always_2d=True)
        except (RuntimeError, sf.LibsndfileError, ValueError):
            raise undecodable from None
    limit = int(max_seconds * rate)
    # ffmpeg stopped reading at max_seconds + 50 ms: more than the limit means the clip was longer
    trimmed = len(block) > limit
    return block[:limit], rate, channels, "ffmpeg", trimmed


def decode_audio(data: bytes | str | os.PathLike, max_seconds: float = MAX_SECONDS) -> DecodedAudio:
    """Decode a clip (wav/flac/ogg via soundfile; mp3, m4a and anything else via ffmpeg).

    Keeps at most `max_seconds` (from the start), downmixes up to 8 channels, resamples to
    ANALYSIS_RATE. Raises ReferenceAudioError for empty, oversized, undecodable, non-finite input.
    """
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise ReferenceAudioError(f"无法读取参考音频文件。 / Cannot read the reference file: {exc}",
                                      "undecodable") from None
        if size > MAX_BYTES:
            raise _too_large(size)
        data = path.read_bytes()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise ReferenceAudioError("参考音频必须是字节或文件路径。 / The reference must be bytes or a file path.",
                                  "invalid_format")
    data = bytes(data)
    if not data:
        raise ReferenceAudioError("参考音频是空的。 / The reference audio is empty.", "empty")
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    decoded = _from_soundfile(data, max_seconds)
    if decoded is None:
        decoded = _from_ffmpeg(data, max_seconds)
    block, rate, channels, fmt, trimmed = decoded
    if block.size == 0:
        raise ReferenceAudioError("参考音频不含任何采样。 / The reference audio contains no samples.", "too_short")
    if not np.isfinite(block).all():
        raise ReferenceAudioError("参考音频含有无效数值（NaN 或无穷大）。 / The reference audio contains invalid "
                                  "values (NaN or infinity).", "not_finite")
    mono = block.mean(axis=1, dtype=np.float64)
    clipped = _clipped_fraction(block.reshape(-1))
    samples = to_analysis_rate(mono, rate).astype(np.float32)
    return DecodedAudio(samples, ANALYSIS_RATE, rate, channels, fmt, len(mono) / rate, trimmed, clipped)


def _too_large(size: int) -> ReferenceAudioError:
    return ReferenceAudioError(f"参考音频文件太大（{size / 2**20:.0f} MB，上限 {MAX_BYTES // 2**20} MB）。 / The "
                               f"reference file is too large ({size / 2**20:.0f} MB; the limit is "
                               f"{MAX_BYTES // 2**20} MB).", "too_large")


# ---------------------------------------------------------------- measurement


@dataclass(frozen=True)
class ProsodyFeatures:
    """What `measure` finds in a clip (all from voiced/active frames as described in the module doc)."""

    duration_s: float
    phonation_s: float  # active span minus pauses
    f0_median_hz: float
    f0_p10_hz: float
    f0_p90_hz: float
    f0_range_st: float  # 10th-90th percentile, semitones
    voiced_fraction: float  # voiced share of the active frames
    energy_db: float  # RMS over active frames, dB re full scale
    syllable_rate: float  # nuclei per second of phonation time
    nuclei: int
    pause_ratio: float  # pauses / active span
    snr_db: float

    def as_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


@dataclass(frozen=True)
class Frames:
    """Frame-level tracks of a clip at ANALYSIS_RATE (10 ms hop)."""

    band_db: np.ndarray  # 300-3400 Hz band level per frame, dB
    full_power: np.ndarray  # mean square of the full-band signal per frame
    f0: np.ndarray  # Hz, 0 where unvoiced
    active: np.ndarray  # bool
    floor_db: float
    speech_db: float


@lru_cache(maxsize=1)
def _band_filter() -> np.ndarray:
    return butter(4, [300.0, 3400.0], btype="bandpass", fs=ANALYSIS_RATE, output="sos")


def _frame_power(x: np.ndarray, n_frames: int) -> np.ndarray:
    hop, win = int(FRAME_S * ANALYSIS_RATE), int(WINDOW_S * ANALYSIS_RATE)
    padded = np.pad(x, (win // 2, win))
    idx = np.arange(n_frames)[:, None] * hop + np.arange(win)[None, :]
    return np.mean(padded[idx] ** 2, axis=1)


def frame_tracks(x: np.ndarray) -> Frames:
    """Band level, full-band power, F0 and activity of a mono ANALYSIS_RATE signal."""
    import pyworld  # noqa: PLC0415 (imported lazily: it prints a deprecation warning on import)

    x = np.ascontiguousarray(x, dtype=np.float64)
    f0, _ = pyworld.harvest(x, ANALYSIS_RATE, f0_floor=F0_FLOOR, f0_ceil=F0_CEIL, frame_period=FRAME_S * 1000)
    n = len(f0)
    band = sosfiltfilt(_band_filter(), x) if len(x) > 30 else x
    band_db = 10.0 * np.log10(_frame_power(band, n) + 1e-12)
    full_power = _frame_power(x, n)
    floor, speech = float(np.percentile(band_db, 10)), float(np.percentile(band_db, 99))
    threshold = max(speech - 35.0, floor + 0.25 * (speech - floor))
    active = band_db > threshold
    return Frames(band_db, full_power, f0, active, floor, speech)


def _runs(mask: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    edges = np.diff(np.concatenate(([0], mask.astype(np.int8), [0])))
    return np.flatnonzero(edges == 1), np.flatnonzero(edges == -1)


def measure(audio: np.ndarray, sample_rate: int) -> ProsodyFeatures:
    """Prosodic features of mono speech at any sample rate (no validation beyond finiteness)."""
    x = to_analysis_rate(np.asarray(audio, dtype=np.float64).reshape(-1), sample_rate)
    if not np.isfinite(x).all():
        raise ValueError("audio contains NaN or infinite samples")
    return features_from_tracks(frame_tracks(x), len(x) / ANALYSIS_RATE)


def _pauses(tr: Frames) -> tuple[int, int]:
    """(active span in frames, pause frames inside it)."""
    act = np.flatnonzero(tr.active)
    if len(act) == 0:
        return 0, 0
    span = tr.active[act[0] : act[-1] + 1]
    starts, ends = _runs(~span)
    min_pause = int(round(MIN_PAUSE_S / FRAME_S))
    return len(span), int(sum(e - s for s, e in zip(starts, ends) if e - s >= min_pause))


def _nuclei(tr: Frames) -> int:
    """Syllable nuclei: prominent, voiced, active peaks of the smoothed band envelope."""
    env = np.convolve(tr.band_db, np.ones(5) / 5, mode="same")
    peaks, _ = find_peaks(env, prominence=2.5, distance=int(round(0.090 / FRAME_S)))
    if len(peaks) == 0:
        return 0
    near_voiced = np.convolve((tr.f0 > 0).astype(float), np.ones(5), mode="same") > 0
    return int(np.sum(tr.active[peaks] & near_voiced[peaks]))


def features_from_tracks(tr: Frames, duration_s: float) -> ProsodyFeatures:
    span_frames, pause_frames = _pauses(tr)
    snr = min(90.0, tr.speech_db - tr.floor_db)
    if span_frames == 0:
        nan = float("nan")
        return ProsodyFeatures(duration_s, 0.0, nan, nan, nan, nan, 0.0, -120.0, 0.0, 0, 0.0, snr)
    phonation_s = (span_frames - pause_frames) * FRAME_S
    voiced = (tr.f0 > 0) & tr.active
    f0 = tr.f0[voiced]
    if len(f0) >= 3:
        p10, p50, p90 = (float(v) for v in np.percentile(f0, [10, 50, 90]))
        range_st = 12.0 * math.log2(p90 / p10)
    else:
        p10 = p50 = p90 = range_st = float("nan")
    energy_db = 10.0 * math.log10(float(np.mean(tr.full_power[tr.active])) + 1e-12)
    nuclei = _nuclei(tr)
    return ProsodyFeatures(
        duration_s=duration_s, phonation_s=phonation_s, f0_median_hz=p50, f0_p10_hz=p10, f0_p90_hz=p90,
        f0_range_st=range_st, voiced_fraction=float(voiced.sum()) / max(1, int(tr.active.sum())),
        energy_db=energy_db, syllable_rate=nuclei / phonation_s if phonation_s > 0 else 0.0, nuclei=nuclei,
        pause_ratio=pause_frames / span_frames, snr_db=snr)


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


# ---------------------------------------------------------------- Baker statistics and mapping


@dataclass(frozen=True)
class BakerProsodyStats:
    """The Baker voice's own features, measured by `measure` on synthesized Baker speech."""

    f0_median_hz: float
    f0_range_st: float
    energy_db: float
    syllable_rate: float
    pause_ratio: float
    provenance: str = ""

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> "BakerProsodyStats":
        path = Path(path) if path else STATS_PATH
        try:
            raw = json.loads(Path(path).read_text(encoding="utf-8"))
            return cls(**{k: raw[k] for k in ("f0_median_hz", "f0_range_st", "energy_db", "syllable_rate",
                                              "pause_ratio")}, provenance=str(raw.get("provenance", "")))
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read the Baker prosody statistics from {path}: {exc} "
                             "(regenerate them with bench/expressive_tables.py)") from exc


@lru_cache(maxsize=1)
def baker_stats() -> BakerProsodyStats:
    return BakerProsodyStats.load()


def _soft_limit(value: float, limit: float) -> float:
    """Strictly increasing, ~identity near 0, tends to +-limit."""
    return limit * math.tanh(value / limit)


def pitch_level_semitones(f0_hz: float, baker_f0_hz: float) -> float:
    """How high a voice speaks for its register, in semitones (strictly increasing in f0_hz).

    Above Baker's median it is the plain distance to Baker's median; below MALE_F0_ANCHOR_HZ
    (a typical man's median) it is the distance to that anchor minus REGISTER_GAP_ST; in between
    it rises linearly (on a log-frequency axis) from -REGISTER_GAP_ST to 0. So a woman speaking
    like Baker reads as 0, a man at his usual pitch as somewhat low (-3 semitones) rather than an
    octave down, and a higher voice always reads higher.
    """
    lo, hi = math.log(MALE_F0_ANCHOR_HZ), math.log(max(baker_f0_hz, MALE_F0_ANCHOR_HZ * 1.01))
    x = math.log(f0_hz)
    per_log = 12.0 / math.log(2.0)
    if x >= hi:
        return per_log * (x - hi)
    if x <= lo:
        return per_log * (x - lo) - REGISTER_GAP_ST
    return -REGISTER_GAP_ST * (hi - x) / (hi - lo)


def prosody_from_features(features: ProsodyFeatures, stats: BakerProsodyStats | None = None) -> Prosody:
    """The Prosody that makes the Baker voice speak like the measured clip (see module doc)."""
    b = stats or baker_stats()
    level = pitch_level_semitones(features.f0_median_hz, b.f0_median_hz)
    pitch_shift = _soft_limit(PITCH_LEVEL_GAIN * level / SEMITONES_PER_PITCH_UNIT, PITCH_SHIFT_LIMIT)
    pitch_range = math.exp(_soft_limit(math.log(max(features.f0_range_st, 0.1) / b.f0_range_st),
                                       math.log(PITCH_RANGE_LIMIT)))
    duration = math.exp(_soft_limit(math.log(b.syllable_rate / max(features.syllable_rate, 0.1)),
                                    math.log(DURATION_LIMIT)))
    pause = math.exp(_soft_limit(math.log((features.pause_ratio + 0.02) / (b.pause_ratio + 0.02)),
                                 math.log(PAUSE_LIMIT)))
    diff_db = ENERGY_GAIN * (features.energy_db - b.energy_db)
    units = diff_db / (DB_PER_ENERGY_UNIT[1] if diff_db > 0 else DB_PER_ENERGY_UNIT[0])
    energy_shift = min(ENERGY_LIMITS[1], max(ENERGY_LIMITS[0], units))
    return Prosody(duration_scale=duration, pitch_shift=pitch_shift, pitch_range=pitch_range,
                   energy_shift=energy_shift, pause_scale=pause)


# ---------------------------------------------------------------- reference analysis


@dataclass(frozen=True)
class ReferenceProsody:
    features: ProsodyFeatures
    prosody: Prosody
    summary: str  # what was measured and what transfers, Chinese then English
    warnings: list[str] = field(default_factory=list)
    source_rate: int = 0
    channels: int = 1
    format: str = ""
    note: str = TRANSFER_NOTE


def _direction(value: float, low: float, high: float, words: tuple[str, str, str]) -> str:
    return words[0] if value < low else words[2] if value > high else words[1]


def describe(features: ProsodyFeatures, prosody: Prosody, stats: BakerProsodyStats | None = None) -> str:
    """Human-readable account of the measurement and the transferred settings (Chinese, then English)."""
    b = stats or baker_stats()
    level = pitch_level_semitones(features.f0_median_hz, b.f0_median_hz)
    st = prosody.pitch_shift * SEMITONES_PER_PITCH_UNIT
    register_zh = "男声音域" if features.f0_median_hz < math.sqrt(MALE_F0_ANCHOR_HZ * b.f0_median_hz) else "女声音域"
    register_en = "male register" if register_zh == "男声音域" else "female register"
    lvl_zh = _direction(level, -1.0, 1.0, ("偏低", "适中", "偏高"))
    lvl_en = _direction(level, -1.0, 1.0, ("low", "moderate", "high"))
    rng_zh = _direction(prosody.pitch_range, 0.93, 1.07, ("较平", "正常", "起伏大"))
    rng_en = _direction(prosody.pitch_range, 0.93, 1.07, ("flatter", "normal", "livelier"))
    spd_zh = _direction(prosody.duration_scale, 0.93, 1.07, ("较快", "正常", "较慢"))
    spd_en = _direction(prosody.duration_scale, 0.93, 1.07, ("faster", "normal", "slower"))
    zh = (f"参考音频 {features.duration_s:.1f} 秒：音高中位 {features.f0_median_hz:.0f} Hz（{register_zh}，{lvl_zh}）"
          f"→ 音高 {st:+.1f} 半音；音域 {features.f0_range_st:.1f} 半音（{rng_zh}）→ ×{prosody.pitch_range:.2f}；"
          f"语速约 {features.syllable_rate:.1f} 音节/秒（{spd_zh}）→ 时长 ×{prosody.duration_scale:.2f}；"
          f"停顿占 {features.pause_ratio:.0%} → 停顿 ×{prosody.pause_scale:.2f}；"
          f"响度 {features.energy_db:.0f} dBFS → 能量 {prosody.energy_shift:+.2f}。不迁移音色。")
    en = (f"Reference {features.duration_s:.1f} s: median pitch {features.f0_median_hz:.0f} Hz ({register_en}, "
          f"{lvl_en}) -> pitch {st:+.1f} semitones; range {features.f0_range_st:.1f} semitones ({rng_en}) -> "
          f"x{prosody.pitch_range:.2f}; about {features.syllable_rate:.1f} syllables/s ({spd_en}) -> durations "
          f"x{prosody.duration_scale:.2f}; pauses {features.pause_ratio:.0%} of the time -> pauses "
          f"x{prosody.pause_scale:.2f}; loudness {features.energy_db:.0f} dBFS -> energy {prosody.energy_shift:+.2f}. "
          "Timbre does not transfer.")
    return zh + "\n" + en


def check_features(features: ProsodyFeatures) -> None:
    """Raise ReferenceAudioError if the measured clip is unusable (silent, noisy, too little speech)."""
    if features.nuclei == 0 and features.phonation_s == 0.0:
        raise ReferenceAudioError("参考音频是静音。 / The reference audio is silent.", "silent")
    if features.snr_db < MIN_SNR_DB:
        raise ReferenceAudioError(f"参考音频噪声太大（估计信噪比 {features.snr_db:.0f} dB，至少需要 {MIN_SNR_DB:.0f} dB）。"
                                  f" / The reference is too noisy (estimated SNR {features.snr_db:.0f} dB; at least "
                                  f"{MIN_SNR_DB:.0f} dB is needed).", "noisy")
    if features.voiced_fraction < MIN_VOICED_FRACTION or not math.isfinite(features.f0_median_hz):
        raise ReferenceAudioError(f"参考音频中清晰的人声太少（有声帧 {features.voiced_fraction:.0%}），可能噪声太大或不是语音。 "
                                  f"/ Too little clear voiced speech in the reference ({features.voiced_fraction:.0%} "
                                  "voiced frames): too noisy, or not speech.", "noisy")
    if features.phonation_s < MIN_SPEECH_S or features.nuclei < MIN_NUCLEI:
        raise ReferenceAudioError(f"参考音频里的语音太少（{features.phonation_s:.1f} 秒，{features.nuclei} 个音节）。 / "
                                  f"Too little speech in the reference ({features.phonation_s:.1f} s, "
                                  f"{features.nuclei} syllables).", "too_little_speech")


def analyze_reference(data: bytes | str | os.PathLike, stats: BakerProsodyStats | None = None) -> ReferenceProsody:
    """Decode, check and measure a 3-30 s reference clip; map its prosody onto the Baker voice.

    Raises ReferenceAudioError (a ValueError) with a bilingual message for unusable clips.
    Clips longer than 30 s are trimmed to their first 30 s, with a warning.
    """
    clip = decode_audio(data)
    warnings = []
    if clip.trimmed:
        warnings.append(f"参考音频超过 {MAX_SECONDS:.0f} 秒，只分析了前 {MAX_SECONDS:.0f} 秒。 / The reference is longer "
                        f"than {MAX_SECONDS:.0f} s; only its first {MAX_SECONDS:.0f} s were analysed.")
    if clip.duration_s < MIN_SECONDS:
        raise ReferenceAudioError(f"参考音频太短（{clip.duration_s:.1f} 秒，至少 {MIN_SECONDS:.0f} 秒）。 / The reference is "
                                  f"too short ({clip.duration_s:.1f} s; at least {MIN_SECONDS:.0f} s).", "too_short")
    peak = float(np.max(np.abs(clip.samples))) if clip.samples.size else 0.0
    if peak < 1e-3:
        raise ReferenceAudioError("参考音频是静音（或音量极低）。 / The reference audio is silent (or nearly).", "silent")
    if clip.clipped_fraction > MAX_CLIPPED_FRACTION:
        raise ReferenceAudioError(f"参考音频削波失真（{clip.clipped_fraction:.1%} 的采样被削顶），请降低录音音量。 / The "
                                  f"reference is clipped ({clip.clipped_fraction:.1%} of samples at full scale); "
                                  "record at a lower level.", "clipped")
    features = measure(clip.samples, clip.sample_rate)
    check_features(features)
    prosody = prosody_from_features(features, stats)
    return ReferenceProsody(features, prosody, describe(features, prosody, stats), warnings,
                            clip.source_rate, clip.channels, clip.format)


def reference_prosody_or_neutral(data: bytes | str | os.PathLike | None,
                                 stats: BakerProsodyStats | None = None) -> tuple[Prosody, str | None]:
    """(prosody, None) for a usable clip; (Prosody(), message) when it is unusable, so callers fall back."""
    if data is None:
        return Prosody(), None
    try:
        result = analyze_reference(data, stats)
    except ReferenceAudioError as exc:
        return Prosody(), f"{exc}\n已改用中性韵律。 / Falling back to neutral prosody."
    return result.prosody, ("\n".join(result.warnings) or None)
