"""Formant shifting of a Baker mel by frequency warping of its spectral envelope.

A derived voice moves the formants of the Baker voice (a smaller vocal tract has higher
formants) without touching the pitch, which the variance adaptor sets separately. Working on
FastSpeech2's normalized log10 mel (T, 80):

1. De-normalize with the Baker mel statistics (tts/data/baker_mel_stats.json): z * std + mean.
2. Split each frame along the band axis into a smooth envelope (the first `LIFTER` coefficients
   of an orthonormal DCT over the 80 bands, i.e. a mel-cepstral lifter) and a residual (the
   harmonic fine structure of the low bands and small details).
3. Warp the envelope: output band k (centre frequency f_k) reads the envelope at f_k / alpha
   by linear interpolation between the Baker band centres, on the mel axis; reads below the
   first or above the last band centre take that edge band's value (constant extension),
   so nothing outside the model's 80-7600 Hz range is invented. alpha > 1 moves formants up
   (brighter, smaller), alpha < 1 down (darker, larger).
4. Add the unwarped residual back (the harmonics stay where the pitch puts them) and
   re-normalize.

Every step is linear, so the whole transform is one affine map of each frame, z' = A z + b,
built once per alpha and applied with one (T, 80) x (80, 80) matrix product.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np
import torch

from tts.audio.spectral import BAKER_MEL, hz_to_mel, mel_band_edges

LIFTER = 16  # DCT coefficients kept as the envelope (of 80): resolves ~10-band formant peaks, not harmonics


def band_centres_hz(n_mels: int = BAKER_MEL.n_mels) -> np.ndarray:
    """Centre frequencies (Hz) of the Baker mel bands."""
    return mel_band_edges(n_mels, BAKER_MEL.fmin, BAKER_MEL.fmax)[1:-1]


def _dct_matrix(n: int) -> np.ndarray:
    """Orthonormal DCT-II matrix (n, n): coefficients = C @ x."""
    k = np.arange(n)[:, None]
    i = np.arange(n)[None, :]
    c = np.cos(np.pi * (i + 0.5) * k / n) * np.sqrt(2.0 / n)
    c[0] /= np.sqrt(2.0)
    return c


def envelope_projection(n: int = BAKER_MEL.n_mels, lifter: int = LIFTER) -> np.ndarray:
    """(n, n) matrix keeping the `lifter` lowest DCT coefficients of a frame (its smooth envelope)."""
    c = _dct_matrix(n)
    return c[:lifter].T @ c[:lifter]


def warp_matrix_bands(alpha: float, n_mels: int = BAKER_MEL.n_mels) -> np.ndarray:
    """(n, n) linear interpolation reading each band at its centre frequency divided by alpha."""
    centres = band_centres_hz(n_mels)
    mels = hz_to_mel(centres)
    query = hz_to_mel(centres / alpha)
    pos = np.interp(query, mels, np.arange(n_mels))  # clamps outside: constant edge extension
    i0 = np.clip(np.floor(pos).astype(int), 0, n_mels - 2)
    frac = pos - i0
    w = np.zeros((n_mels, n_mels))
    rows = np.arange(n_mels)
    w[rows, i0] = 1.0 - frac
    w[rows, i0 + 1] += frac
    return w


@lru_cache(maxsize=32)
def _affine(alpha: float) -> tuple[np.ndarray, np.ndarray]:
    from tts.models.hifigan_bridge import BakerMelStats

    stats = BakerMelStats.load()
    n = len(stats.mean)
    env = envelope_projection(n)
    m = warp_matrix_bands(alpha, n) @ env + (np.eye(n) - env)  # on log10 mel frames (column vectors)
    std, mean = stats.std, stats.mean
    a = (m * std[None, :]) / std[:, None]
    b = (m @ mean - mean) / std
    return a, b


@lru_cache(maxsize=64)
def _affine_tensors(alpha: float, dtype: torch.dtype, device: str) -> tuple[torch.Tensor, torch.Tensor]:
    a, b = _affine(alpha)
    return (torch.tensor(a.T, dtype=dtype, device=device), torch.tensor(b, dtype=dtype, device=device))


def warp_mel(mel: torch.Tensor, alpha: float) -> torch.Tensor:
    """Formant-shift a normalized Baker mel (..., 80) by `alpha` (1 = identity)."""
    if alpha == 1.0:
        return mel
    if not 0.5 <= alpha <= 2.0:
        raise ValueError(f"formant shift must be between 0.5 and 2, got {alpha}")
    if mel.shape[-1] != BAKER_MEL.n_mels:
        raise ValueError(f"expected a mel with {BAKER_MEL.n_mels} bands, got shape {tuple(mel.shape)}")
    dtype = mel.dtype if mel.dtype in (torch.float32, torch.float64) else torch.float32
    a_t, b = _affine_tensors(float(alpha), dtype, str(mel.device))
    return (mel.to(dtype) @ a_t + b).to(mel.dtype)
