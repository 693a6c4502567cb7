"""Prosody of speech audio, and reference-audio prosody transfer onto the Baker voice.

One analyzer (`measure`) serves three callers: the reference clips users upload, the Baker
statistics the transfer is relative to (tts/data/baker_prosody_stats.json, written by
bench/expressive_tables.py from synthesized Baker speech), and the measurements of the emotion
presets and derived voices (bench/measure.py). Every clip is first brought to mono float at
16 kHz (tts.audio.decode).

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

import hashlib
import json
import math
import os
import threading
from collections import OrderedDict
from dataclasses import asdict, dataclass, field
from functools import lru_cache
from pathlib import Path

import numpy as np
from scipy.signal import butter, find_peaks, sosfiltfilt

from tts.audio.decode import ANALYSIS_RATE, MAX_BYTES, MAX_SECONDS, AudioInputError, decode_audio, to_analysis_rate
from tts.options import SEMITONES_PER_PITCH_UNIT, Prosody

FRAME_S = 0.010
WINDOW_S = 0.025
F0_FLOOR, F0_CEIL = 60.0, 700.0

MIN_SECONDS = 3.0  # shorter clips are rejected
MIN_SPEECH_S = 1.5  # phonation time needed for a usable measurement
MIN_SNR_DB = 15.0
MIN_VOICED_FRACTION = 0.25
MAX_CLIPPED_FRACTION = 0.01
MIN_NUCLEI = 6
MIN_PAUSE_S = 0.2  # silences shorter than this are stop closures or breaths inside speech

STATS_PATH = Path(__file__).resolve().parents[1] / "data" / "baker_prosody_stats.json"

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
    def load(cls, path: str | os.PathLike | None = None) -> BakerProsodyStats:
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
    """Raise AudioInputError if the measured clip is unusable (silent, noisy, too little speech)."""
    if features.nuclei == 0 and features.phonation_s == 0.0:
        raise AudioInputError("参考音频是静音。 / The reference audio is silent.", "silent")
    if features.snr_db < MIN_SNR_DB:
        raise AudioInputError(f"参考音频噪声太大（估计信噪比 {features.snr_db:.0f} dB，至少需要 {MIN_SNR_DB:.0f} dB）。"
                                  f" / The reference is too noisy (estimated SNR {features.snr_db:.0f} dB; at least "
                                  f"{MIN_SNR_DB:.0f} dB is needed).", "noisy")
    if features.voiced_fraction < MIN_VOICED_FRACTION or not math.isfinite(features.f0_median_hz):
        raise AudioInputError(f"参考音频中清晰的人声太少（有声帧 {features.voiced_fraction:.0%}），可能噪声太大或不是语音。 "
                                  f"/ Too little clear voiced speech in the reference ({features.voiced_fraction:.0%} "
                                  "voiced frames): too noisy, or not speech.", "noisy")
    if features.phonation_s < MIN_SPEECH_S or features.nuclei < MIN_NUCLEI:
        raise AudioInputError(f"参考音频里的语音太少（{features.phonation_s:.1f} 秒，{features.nuclei} 个音节）。 / "
                                  f"Too little speech in the reference ({features.phonation_s:.1f} s, "
                                  f"{features.nuclei} syllables).", "too_little_speech")


class AnalysisCache:
    """The analyses of the last `max_entries` usable clips, by the SHA-256 of the clip's bytes.

    The same clip comes back run after run (a page user tries one text after another with it, an
    API caller sends it with every request), and analysing it takes seconds while the audio it
    shapes may come from the audio cache at once. An unusable clip is not kept: its error is
    quick to find again, and it is not sent twice on purpose."""

    def __init__(self, max_entries: int = 64):
        self.max_entries = max_entries
        self.hits = 0
        self.misses = 0  # analyses actually run
        self._entries: OrderedDict[str, ReferenceProsody] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> ReferenceProsody | None:
        with self._lock:
            found = self._entries.get(key)
            if found is not None:
                self._entries.move_to_end(key)
                self.hits += 1
            return found

    def put(self, key: str, value: ReferenceProsody) -> None:
        with self._lock:
            self.misses += 1
            self._entries[key] = value
            self._entries.move_to_end(key)
            while len(self._entries) > self.max_entries:
                self._entries.popitem(last=False)


ANALYSES = AnalysisCache()


def analyze_reference(data: bytes | str | os.PathLike, stats: BakerProsodyStats | None = None) -> ReferenceProsody:
    """Decode, check and measure a 3-30 s reference clip; map its prosody onto the Baker voice.

    Raises AudioInputError (a ValueError) with a bilingual message for unusable clips.
    Clips longer than 30 s are trimmed to their first 30 s, with a warning. A clip analysed
    before (the same bytes, the Baker statistics) is answered from ANALYSES.
    """
    if stats is not None:
        return _analyze(data, stats)
    if isinstance(data, (str, os.PathLike)):
        try:
            readable = Path(data).stat().st_size <= MAX_BYTES
        except OSError:
            readable = False
        if not readable:
            return _analyze(data, stats)  # decode_audio says what is wrong with the path
        data = Path(data).read_bytes()
    if not isinstance(data, bytes):
        return _analyze(data, stats)
    key = hashlib.sha256(data).hexdigest()
    found = ANALYSES.get(key)
    if found is None:
        found = _analyze(data, stats)
        ANALYSES.put(key, found)
    return found


def _analyze(data: bytes | str | os.PathLike, stats: BakerProsodyStats | None) -> ReferenceProsody:
    clip = decode_audio(data)
    warnings = []
    if clip.trimmed:
        warnings.append(f"参考音频超过 {MAX_SECONDS:.0f} 秒，只分析了前 {MAX_SECONDS:.0f} 秒。 / The reference is longer "
                        f"than {MAX_SECONDS:.0f} s; only its first {MAX_SECONDS:.0f} s were analysed.")
    if clip.duration_s < MIN_SECONDS:
        raise AudioInputError(f"参考音频太短（{clip.duration_s:.1f} 秒，至少 {MIN_SECONDS:.0f} 秒）。 / The reference is "
                                  f"too short ({clip.duration_s:.1f} s; at least {MIN_SECONDS:.0f} s).", "too_short")
    peak = float(np.max(np.abs(clip.samples))) if clip.samples.size else 0.0
    if peak < 1e-3:
        raise AudioInputError("参考音频是静音（或音量极低）。 / The reference audio is silent (or nearly).", "silent")
    if clip.clipped_fraction > MAX_CLIPPED_FRACTION:
        raise AudioInputError(f"参考音频削波失真（{clip.clipped_fraction:.1%} 的采样被削顶），请降低录音音量。 / The "
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
    except AudioInputError as exc:
        return Prosody(), f"{exc}\n已改用中性韵律。 / Falling back to neutral prosody."
    return result.prosody, ("\n".join(result.warnings) or None)
