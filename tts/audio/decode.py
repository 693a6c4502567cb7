"""Decoding uploaded audio (reference clips): any common format -> mono float32 at 16 kHz.

wav/flac/ogg go through soundfile; mp3, m4a and anything else through the ffmpeg binary of the
imageio-ffmpeg wheel. Bad input never crashes and never hangs: empty, oversized, undecodable,
non-finite, too many channels or an odd rate is an `AudioInputError` with a bilingual message
and a machine-readable `reason`; decoding stops after `MAX_SECONDS` of audio and
`DECODE_TIMEOUT_S` of wall time.
"""

from __future__ import annotations

import io
import math
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import soundfile as sf
from scipy.signal import resample, resample_poly

from tts.audio.formats import ffmpeg_path

ANALYSIS_RATE = 16000  # what decoded clips are resampled to (the prosody analysis works at this rate)
MAX_SECONDS = 30.0  # longer clips are trimmed to their first 30 s (and the caller is told)
MAX_BYTES = 64 * 2**20  # larger uploads are rejected before decoding
MAX_CHANNELS = 8  # up to 8 channels are downmixed to mono
MIN_RATE, MAX_RATE = 4000, 384000
DECODE_TIMEOUT_S = 60.0


class AudioInputError(ValueError):
    """An uploaded clip cannot be used; the message says why (Chinese and English).

    `reason` is one of: empty, too_large, undecodable, invalid_format, too_many_channels,
    not_finite, too_short, silent, clipped, noisy, too_little_speech.
    """

    def __init__(self, message: str, reason: str):
        super().__init__(message)
        self.reason = reason


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
        raise AudioInputError(f"参考音频有 {channels} 个声道，最多支持 {MAX_CHANNELS} 个。 / The clip has "
                                  f"{channels} channels; at most {MAX_CHANNELS} are supported.", "too_many_channels")
    if not MIN_RATE <= rate <= MAX_RATE:
        raise AudioInputError(f"不支持的采样率 {rate} Hz（支持 {MIN_RATE}-{MAX_RATE} Hz）。 / Unsupported "
                                  f"sample rate {rate} Hz (supported: {MIN_RATE}-{MAX_RATE} Hz).", "invalid_format")


def _from_ffmpeg(data: bytes, max_seconds: float) -> tuple[np.ndarray, int, int, str, bool]:
    exe = ffmpeg_path()
    undecodable = AudioInputError("无法解码参考音频（格式不支持或文件已损坏）。 / Could not decode the reference "
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
    ANALYSIS_RATE. Raises AudioInputError for empty, oversized, undecodable, non-finite input.
    """
    if isinstance(data, (str, os.PathLike)):
        path = Path(data)
        try:
            size = path.stat().st_size
        except OSError as exc:
            raise AudioInputError(f"无法读取参考音频文件。 / Cannot read the reference file: {exc}",
                                      "undecodable") from None
        if size > MAX_BYTES:
            raise _too_large(size)
        data = path.read_bytes()
    if not isinstance(data, (bytes, bytearray, memoryview)):
        raise AudioInputError("参考音频必须是字节或文件路径。 / The reference must be bytes or a file path.",
                                  "invalid_format")
    data = bytes(data)
    if not data:
        raise AudioInputError("参考音频是空的。 / The reference audio is empty.", "empty")
    if len(data) > MAX_BYTES:
        raise _too_large(len(data))
    decoded = _from_soundfile(data, max_seconds)
    if decoded is None:
        decoded = _from_ffmpeg(data, max_seconds)
    block, rate, channels, fmt, trimmed = decoded
    if block.size == 0:
        raise AudioInputError("参考音频不含任何采样。 / The reference audio contains no samples.", "too_short")
    if not np.isfinite(block).all():
        raise AudioInputError("参考音频含有无效数值（NaN 或无穷大）。 / The reference audio contains invalid "
                                  "values (NaN or infinity).", "not_finite")
    mono = block.mean(axis=1, dtype=np.float64)
    clipped = _clipped_fraction(block.reshape(-1))
    samples = to_analysis_rate(mono, rate).astype(np.float32)
    return DecodedAudio(samples, ANALYSIS_RATE, rate, channels, fmt, len(mono) / rate, trimmed, clipped)


def _too_large(size: int) -> AudioInputError:
    return AudioInputError(f"参考音频文件太大（{size / 2**20:.0f} MB，上限 {MAX_BYTES // 2**20} MB）。 / The "
                               f"reference file is too large ({size / 2**20:.0f} MB; the limit is "
                               f"{MAX_BYTES // 2**20} MB).", "too_large")
