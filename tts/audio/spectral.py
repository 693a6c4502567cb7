"""Mel spectrograms and resampling in plain torch (no librosa/torchaudio at run time).

Two mel conventions meet in this project:

* Baker (TensorFlowTTS preprocessing, what FastSpeech2 predicts and MB-MelGAN consumes):
  24 kHz, n_fft 2048, Hann window 1200, hop 300, `center=True` with reflect padding,
  magnitude |STFT|, 80 Slaney mels over 80..7600 Hz, log10(max(mel, 1e-10)). Frame t is
  centred on sample 300 * t; a signal of N samples has 1 + N // 300 frames.
* HiFi-GAN (jik876 meldataset.py): 22.05 kHz, n_fft 1024, Hann window 1024, hop 256,
  reflect padding of (n_fft - hop) / 2 = 384 on each side and `center=False`, magnitude
  sqrt(re^2 + im^2 + 1e-9), 80 Slaney mels over 0..8000 Hz, ln(max(mel, 1e-5)). Frame j
  covers samples [256 j - 384, 256 j + 640), i.e. it is centred on sample 256 j + 128, and
  a signal of N samples has N // 256 frames (for N >= 256).

Both use librosa's default filter bank (`librosa.filters.mel`, htk=False, norm="slaney"),
rebuilt here by `slaney_mel_filterbank`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import torch
import torch.nn.functional as F
from torch import nn


@dataclass(frozen=True)
class MelConfig:
    sample_rate: int
    n_fft: int
    win_length: int
    hop_size: int
    n_mels: int
    fmin: float
    fmax: float

    @property
    def n_bins(self) -> int:
        return self.n_fft // 2 + 1


BAKER_MEL = MelConfig(sample_rate=24000, n_fft=2048, win_length=1200, hop_size=300, n_mels=80, fmin=80.0, fmax=7600.0)
HIFIGAN_MEL = MelConfig(sample_rate=22050, n_fft=1024, win_length=1024, hop_size=256, n_mels=80, fmin=0.0, fmax=8000.0)

# Slaney's auditory-toolbox mel scale, as librosa implements it with htk=False.
_F_SP = 200.0 / 3  # Hz per mel below 1 kHz
_MIN_LOG_HZ = 1000.0
_MIN_LOG_MEL = _MIN_LOG_HZ / _F_SP  # 15 mels at 1 kHz
_LOGSTEP = math.log(6.4) / 27.0  # log-spaced above 1 kHz


def hz_to_mel(hz: np.ndarray | float) -> np.ndarray:
    """Slaney mel of frequencies in Hz (linear below 1 kHz, logarithmic above)."""
    hz = np.asarray(hz, dtype=np.float64)
    linear = hz / _F_SP
    log = _MIN_LOG_MEL + np.log(np.maximum(hz, 1e-10) / _MIN_LOG_HZ) / _LOGSTEP
    return np.where(hz >= _MIN_LOG_HZ, log, linear)


def mel_to_hz(mel: np.ndarray | float) -> np.ndarray:
    """Inverse of `hz_to_mel`."""
    mel = np.asarray(mel, dtype=np.float64)
    linear = mel * _F_SP
    log = _MIN_LOG_HZ * np.exp(_LOGSTEP * (mel - _MIN_LOG_MEL))
    return np.where(mel >= _MIN_LOG_MEL, log, linear)


def mel_band_edges(n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """The n_mels + 2 frequencies (Hz) bounding the triangles; band k peaks at edges[k + 1]."""
    return mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))


@lru_cache(maxsize=16)
def _filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    fft_freqs = np.linspace(0.0, sample_rate / 2, n_fft // 2 + 1)
    edges = mel_band_edges(n_mels, fmin, fmax)
    widths = np.diff(edges)
    ramps = edges[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / widths[:-1, None]
    upper = ramps[2:] / widths[1:, None]
    weights = np.maximum(0.0, np.minimum(lower, upper))
    weights *= (2.0 / (edges[2:] - edges[:-2]))[:, None]  # Slaney: constant energy per band
    weights.setflags(write=False)
    return weights


def slaney_mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """librosa.filters.mel(sr, n_fft, n_mels, fmin, fmax) (Slaney scale and norm): (n_mels, n_fft // 2 + 1) float64."""
    return _filterbank(int(sample_rate), int(n_fft), int(n_mels), float(fmin), float(fmax)).copy()


def mel_filterbank(cfg: MelConfig) -> np.ndarray:
    """The filter bank of a mel convention: (n_mels, n_fft // 2 + 1) float64."""
    return slaney_mel_filterbank(cfg.sample_rate, cfg.n_fft, cfg.n_mels, cfg.fmin, cfg.fmax)


def _as_batch(audio: torch.Tensor | np.ndarray) -> tuple[torch.Tensor, bool]:
    x = torch.as_tensor(audio, dtype=torch.float32)
    if x.dim() == 1:
        return x[None], True
    if x.dim() != 2:
        raise ValueError(f"audio must be (N,) or (B, N), got shape {tuple(x.shape)}")
    return x, False


def baker_log_mel(audio: torch.Tensor | np.ndarray, cfg: MelConfig = BAKER_MEL) -> torch.Tensor:
    """Baker/TensorFlowTTS log10 mel of a waveform: (N,) or (B, N) -> (T, 80) or (B, T, 80), T = 1 + N // hop.

    Not normalized: FastSpeech2's output is (this - mean) / std per band.
    """
    x, single = _as_batch(audio)
    if x.shape[-1] <= cfg.n_fft // 2:  # reflect padding needs more samples than the pad
        x = F.pad(x, (0, cfg.n_fft // 2 + 1 - x.shape[-1]))
    window = torch.hann_window(cfg.win_length, dtype=x.dtype, device=x.device)
    spec = torch.stft(x, cfg.n_fft, hop_length=cfg.hop_size, win_length=cfg.win_length, window=window,
                      center=True, pad_mode="reflect", return_complex=True).abs()  # (B, bins, T)
    basis = torch.from_numpy(mel_filterbank(cfg)).to(x)
    mel = torch.log10(torch.clamp(basis @ spec, min=1e-10)).transpose(1, 2)
    return mel[0] if single else mel


def hifigan_log_mel(audio: torch.Tensor | np.ndarray, cfg: MelConfig = HIFIGAN_MEL) -> torch.Tensor:
    """jik876 HiFi-GAN log mel of a waveform: (N,) or (B, N) -> (T, 80) or (B, T, 80), T = N // hop."""
    x, single = _as_batch(audio)
    pad = (cfg.n_fft - cfg.hop_size) // 2
    if x.shape[-1] <= pad:
        x = F.pad(x, (0, pad + 1 - x.shape[-1]))
    x = F.pad(x[:, None], (pad, pad), mode="reflect")[:, 0]
    window = torch.hann_window(cfg.win_length, dtype=x.dtype, device=x.device)
    spec = torch.stft(x, cfg.n_fft, hop_length=cfg.hop_size, win_length=cfg.win_length, window=window,
                      center=False, return_complex=True)
    mag = torch.sqrt(spec.real ** 2 + spec.imag ** 2 + 1e-9)
    basis = torch.from_numpy(mel_filterbank(cfg)).to(x)
    mel = torch.log(torch.clamp(basis @ mag, min=1e-5)).transpose(1, 2)
    return mel[0] if single else mel


def _kaiser_sinc(distance: np.ndarray, cutoff: float, half_width: float, beta: float) -> np.ndarray:
    """Low-pass interpolation kernel at `distance` input samples: cutoff * sinc(cutoff * d), Kaiser window."""
    inside = np.abs(distance) < half_width
    ratio = np.clip(distance / half_width, -1.0, 1.0)
    window = np.i0(beta * np.sqrt(1.0 - ratio ** 2)) / np.i0(beta)
    return np.where(inside, cutoff * np.sinc(cutoff * distance) * window, 0.0)


class Resampler(nn.Module):
    """Polyphase windowed-sinc resampler by a rational factor: (B, N) at `orig` Hz -> (B, M) at `new` Hz.

    Output sample n is the band-limited interpolation of the input at position
    n * orig / new + offset (input samples), using a Kaiser-windowed sinc with `zero_crossings`
    zero crossings on each side and a cutoff of `rolloff` times the lower Nyquist frequency.
    Samples outside the input count as zero. With up/down = new/orig in lowest terms, the
    mapping repeats every `up` output samples, so output block [k*up, (k+1)*up) only depends
    on input samples near [k*down, (k+1)*down): cutting input at multiples of `down` and output
    at multiples of `up` keeps chunks aligned. One product of strided windows with `up` phase
    kernels computes it.
    """

    weight: torch.Tensor  # buffer (up, 1, taps): the polyphase kernels

    def __init__(self, orig: int, new: int, zero_crossings: int = 16, rolloff: float = 0.92, beta: float = 8.6):
        super().__init__()
        g = math.gcd(int(orig), int(new))
        self.orig, self.new = int(orig), int(new)
        self.up, self.down = self.new // g, self.orig // g
        cutoff = rolloff * min(1.0, self.up / self.down)  # cycles per input sample, relative to Nyquist
        half_width = zero_crossings / cutoff
        self.reach = int(math.ceil(half_width))  # input samples needed on each side of a position
        phases = np.arange(self.up) * self.down / self.up  # fractional input position of each phase
        taps = np.arange(self.down + 2 * self.reach) - self.reach  # input offsets relative to k * down
        kernel = _kaiser_sinc(phases[:, None] - taps[None, :], cutoff, half_width, beta)
        self.register_buffer("weight", torch.from_numpy(kernel).float()[:, None, :], persistent=False)

    def output_length(self, n: int) -> int:
        """Samples spanning the same duration as n input samples: ceil(n * new / orig)."""
        return -(-n * self.up // self.down)

    def forward(self, x: torch.Tensor, length: int | None = None, offset: int = 0) -> torch.Tensor:
        """x (B, N) -> (B, length), default length = output_length(N - offset)."""
        n = x.shape[-1]
        if length is None:
            length = self.output_length(max(0, n - offset))
        if length <= 0:
            return x.new_zeros(x.shape[0], 0)
        blocks = -(-length // self.up)
        start = offset - self.reach  # input index read by tap 0 of block 0
        needed = blocks * self.down + 2 * self.reach  # inputs read from `start` on
        left = max(0, -start)
        piece = x[:, max(0, start): max(0, start) + needed - left]
        piece = F.pad(piece, (left, needed - left - piece.shape[-1]))
        # Strided windows times the phase kernels: a strided conv1d as one matrix product (on CPU,
        # F.conv1d would compile and keep a oneDNN kernel for every input length it meets).
        windows = piece.unfold(-1, self.weight.shape[-1], self.down)  # (B, blocks, taps)
        y = torch.matmul(windows, self.weight[:, 0].to(x.dtype).T)  # (B, blocks, up)
        return y.reshape(x.shape[0], -1)[:, :length]
