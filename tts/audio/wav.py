"""Waveform helpers: float <-> 16-bit PCM, WAV files and bytes, silence."""

from __future__ import annotations

import io
import os
import wave

import numpy as np


def to_int16(audio: np.ndarray) -> np.ndarray:
    """float waveform in [-1, 1] -> int16 PCM (clipped)."""
    return (np.clip(np.nan_to_num(audio, nan=0.0), -1.0, 1.0) * 32767.0).round().astype("<i2")


def wav_bytes(audio: np.ndarray, sample_rate: int) -> bytes:
    """A complete mono 16-bit WAV file in memory."""
    buf = io.BytesIO()
    with wave.open(buf, "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(sample_rate)
        w.writeframes(to_int16(audio).tobytes())
    return buf.getvalue()


def write_wav(path: str | os.PathLike, audio: np.ndarray, sample_rate: int) -> None:
    with open(path, "wb") as f:
        f.write(wav_bytes(audio, sample_rate))


def read_wav(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """A 16-bit PCM WAV file -> (mono float32 waveform, sample rate)."""
    with wave.open(str(path), "rb") as w:
        if w.getsampwidth() != 2:
            raise ValueError(f"{path}: only 16-bit PCM WAV is supported here")
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2").astype(np.float32) / 32767.0
        channels, rate = w.getnchannels(), w.getframerate()
    return data.reshape(-1, channels).mean(axis=1), rate


def silence(seconds: float, sample_rate: int) -> np.ndarray:
    return np.zeros(max(0, int(round(seconds * sample_rate))), dtype=np.float32)
