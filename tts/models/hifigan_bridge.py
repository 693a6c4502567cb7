"""Drive HiFi-GAN with the Baker mel: de-normalize, re-map the spectrum, re-frame, resample to 24 kHz.

FastSpeech2 predicts the Baker mel (tts.audio.spectral.BAKER_MEL: 24 kHz, hop 300, 80 Slaney
mels over 80..7600 Hz, log10, then normalized per band with the training set's mean/std,
which were not shipped). HiFi-GAN wants the jik876 mel (tts.audio.spectral.HIFIGAN_MEL: 22.05
kHz, hop 256, n_fft 1024, 0..8000 Hz, natural log). `MelBridge` maps one to the other frame
by frame:

    z (normalized) -> log10 mel = z * std + mean       (tts/data/baker_mel_stats.json, estimated)
    -> linear mel 10^x -> linear magnitude spectrum s = max(0, pinv(Baker filter bank) @ mel)
    -> s read off at the HiFi-GAN FFT bins' frequencies (linear interpolation, constant
       beyond the first/last Baker band centre), scaled by kappa (see below)
    -> HiFi-GAN filter bank -> ln(max(., 1e-5)) + per-band calibration offset.

kappa = (real sample rate of the generator's output) / 24000, i.e. 20480/24000 "matched" and
22050/24000 "interp": both filter banks are Slaney-normalized per Hz and an STFT magnitude
scales with the window sum, i.e. with the sample rate for windows of equal duration, so this
gives a sinusoid's (and white noise's) mel the level jik876's STFT would give. The fitted
per-band offsets (tts/data/baker_mel_stats.json) confirm it: |offset| <= 0.03 nats above
band 10 for "matched", about -0.06 nats for "interp"; they are larger (up to -0.35) only in
the lowest bands, below the Baker bank's 80 Hz floor, where the spectrum is extrapolated.

Time axis, two framings (`framing=`):

* "matched" (default, streamable): one HiFi-GAN frame per Baker frame. HiFi-GAN then runs
  with 256 samples per 1/80 s, i.e. its output is a 20480 Hz signal; the bridge warps the
  frequency axis so that HiFi-GAN bin b (22050 / 1024 * b Hz in the model's world) reads the
  Baker spectrum at 20 * b Hz, so that played at 20480 Hz the output has the right pitch and
  formants. It is the same as asking HiFi-GAN for the utterance sped up by 22050/20480
  (+7.7 %, +1.3 semitones, a natural signal for the universal model) and playing it slowed
  down. 20480 -> 24000 Hz is the rational factor 75/64, so every Baker frame maps to exactly
  256 generator samples and exactly 300 output samples, with no fractional phase anywhere:
  chunks cut at any Baker frame line up with the whole-utterance computation.
* "interp": HiFi-GAN's native grid: the bridged mel is linearly interpolated in time from
  80 to 22050/256 = 86.13 frames/s (frame j centred at (256 j + 128) / 22050 s), HiFi-GAN
  runs at 22.05 kHz and the output is resampled by 160/147. A chunk starting at Baker frame
  k would need HiFi-GAN frames starting at the fractional position 1.0766 k, so each chunk
  renders on a shifted grid and chunked output does not reproduce the whole-utterance
  waveform (measured SNR about -3 dB: same spectrum, other phase); whole utterances only.

`HiFiGANVocoder` wraps bridge + generator + resampler as a drop-in for MBMelGAN:
Baker mel (B, T, 80) -> 24 kHz waveform (B, T * 300), streamable with tts.models.chunking.run_chunked
(pad >= receptive_field_frames) in the matched framing.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import torch
from torch import nn

from tts.audio.spectral import BAKER_MEL, HIFIGAN_MEL, MelConfig, Resampler, mel_band_edges, mel_filterbank
from tts.models.chunking import BlockSchedule, Chunk, depad
from tts.models.hifigan import HiFiGANGenerator, load_generator
from tts.models.threads import one_thread

STATS_PATH = Path(__file__).resolve().parents[1] / "data" / "baker_mel_stats.json"
FRAMINGS = ("matched", "interp")
OUTPUT_RATE = 24000
OUTPUT_HOP = 300
# The cpu profile's stream layout (first block, block, pad), the reduced-precision default.
DEFAULT_SCHEDULE = BlockSchedule(first_block=8, block=160, pad=24)


@dataclass(frozen=True)
class BakerMelStats:
    """Per-band statistics of the Baker log10 mel: log10 mel = normalized * std + mean."""

    mean: np.ndarray  # (80,)
    std: np.ndarray  # (80,)
    bridge_offset: dict[str, np.ndarray] = field(default_factory=dict)  # framing -> (80,) nats

    def __post_init__(self):
        mean, std = np.asarray(self.mean, dtype=np.float64), np.asarray(self.std, dtype=np.float64)
        if mean.shape != (80,) or std.shape != (80,):
            raise ValueError(f"Baker stats need 80 means and 80 stds, got {mean.shape} and {std.shape}")
        if not (np.isfinite(mean).all() and np.isfinite(std).all() and (std > 0).all()):
            raise ValueError("Baker stats must be finite with std > 0")
        for name, off in self.bridge_offset.items():
            if np.asarray(off).shape != (80,):
                raise ValueError(f"bridge offset {name!r} must have 80 values")

    def offset(self, framing: str) -> np.ndarray:
        return np.asarray(self.bridge_offset.get(framing, np.zeros(80)), dtype=np.float64)

    @classmethod
    def load(cls, path: str | os.PathLike | None = None) -> BakerMelStats:
        path = Path(path) if path else STATS_PATH
        try:
            raw = json.loads(path.read_text())
            return cls(np.array(raw["mean"]), np.array(raw["std"]),
                       {k: np.array(v) for k, v in raw.get("bridge_offset", {}).items()})
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise ValueError(f"cannot read Baker mel statistics from {path}: {exc}") from exc


def _interp_matrix(src_freqs: np.ndarray, query: np.ndarray, lo: float, hi: float) -> np.ndarray:
    """(len(query), len(src_freqs)) weights reading a function sampled on the uniform grid src_freqs
    at `query` by linear interpolation, with queries clipped to [lo, hi] (constant extension)."""
    step = src_freqs[1] - src_freqs[0]
    pos = (np.clip(query, lo, hi) - src_freqs[0]) / step
    i0 = np.clip(np.floor(pos).astype(int), 0, len(src_freqs) - 2)
    frac = pos - i0
    m = np.zeros((len(query), len(src_freqs)))
    rows = np.arange(len(query))
    m[rows, i0] = 1.0 - frac
    m[rows, i0 + 1] = frac
    return m


class MelBridge(nn.Module):
    """Baker normalized log10 mel (B, T, 80) -> HiFi-GAN ln mel (B, T', 80).

    framing "matched": T' = T (one frame per Baker frame, frequency axis warped by 22050/20480).
    framing "interp": T' = `interp_frames(T)` frames at 22050/256 frames/s (see module doc).
    Frame-wise except for the "interp" time interpolation; batched, differentiable, any device.
    """

    mean: torch.Tensor  # buffers: Baker mel statistics (80,), the framing offset, and the two bases
    std: torch.Tensor
    offset: torch.Tensor
    unmel: torch.Tensor
    remel: torch.Tensor

    def __init__(self, stats: BakerMelStats, framing: str = "matched", src: MelConfig = BAKER_MEL,
                 dst: MelConfig = HIFIGAN_MEL):
        super().__init__()
        if framing not in FRAMINGS:
            raise ValueError(f"framing must be one of {FRAMINGS}, got {framing!r}")
        self.framing, self.src, self.dst = framing, src, dst
        # Real-world sample rate of the generator's output and the real frequency of its FFT bins.
        self.generator_rate = src.sample_rate * dst.hop_size / src.hop_size if framing == "matched" else dst.sample_rate
        src_basis = mel_filterbank(src)  # (80, 1025)
        src_freqs = np.linspace(0, src.sample_rate / 2, src.n_bins)
        dst_freqs = np.linspace(0, self.generator_rate / 2, dst.n_bins)
        centres = mel_band_edges(src.n_mels, src.fmin, src.fmax)[1:-1]
        kappa = self.generator_rate / src.sample_rate
        resample = kappa * _interp_matrix(src_freqs, dst_freqs, centres[0], centres[-1])  # (513, 1025)
        to_dst = mel_filterbank(dst) @ resample  # (80, 1025): Baker linear spectrum -> HiFi-GAN mel
        self.register_buffer("mean", torch.tensor(stats.mean, dtype=torch.float32), persistent=False)
        self.register_buffer("std", torch.tensor(stats.std, dtype=torch.float32), persistent=False)
        self.register_buffer("offset", torch.tensor(stats.offset(framing), dtype=torch.float32), persistent=False)
        self.register_buffer("unmel", torch.from_numpy(np.linalg.pinv(src_basis).T).float(), persistent=False)  # (80, 1025)
        self.register_buffer("remel", torch.from_numpy(to_dst.T).float(), persistent=False)  # (1025, 80)

    def denormalize(self, mel: torch.Tensor) -> torch.Tensor:
        """Normalized Baker mel (..., 80) -> log10 mel (..., 80)."""
        return mel * self.std + self.mean

    def linear_spectrum(self, mel: torch.Tensor) -> torch.Tensor:
        """Normalized Baker mel (B, T, 80) -> estimated Baker |STFT| (B, T, 1025), >= 0."""
        return torch.clamp(torch.pow(10.0, self.denormalize(mel)) @ self.unmel, min=0.0)

    def frames(self, mel: torch.Tensor) -> torch.Tensor:
        """Frame-wise part: normalized Baker mel (B, T, 80) -> HiFi-GAN ln mel (B, T, 80) at the Baker frame times."""
        dst = self.linear_spectrum(mel.float()) @ self.remel
        return torch.log(torch.clamp(dst, min=1e-5)) + self.offset

    def interp_frames(self, frames: int) -> int:
        """HiFi-GAN frames ("interp") whose output covers T Baker frames plus the resampler's reach."""
        seconds = frames * self.src.hop_size / self.src.sample_rate
        return math.ceil(seconds * self.dst.sample_rate / self.dst.hop_size) + 1

    def interp_positions(self, frames: int, device=None) -> torch.Tensor:
        """Baker frame index (fractional) at the centre of each HiFi-GAN frame: (T',)."""
        j = torch.arange(self.interp_frames(frames), device=device, dtype=torch.float64)
        seconds = (j * self.dst.hop_size + self.dst.hop_size / 2) / self.dst.sample_rate
        return (seconds * self.src.sample_rate / self.src.hop_size).float()

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """Normalized Baker mel (B, T, 80) -> HiFi-GAN ln mel (B, T', 80) (T' = T when matched)."""
        out = self.frames(mel)
        if self.framing == "matched":
            return out
        return resample_frames(out, self.interp_positions(mel.shape[1], out.device))


def resample_frames(x: torch.Tensor, positions: torch.Tensor) -> torch.Tensor:
    """Linear interpolation along time: x (B, T, C) read at fractional frame positions (T',) -> (B, T', C).

    Positions outside [0, T - 1] take the edge frame.
    """
    t = x.shape[1]
    pos = positions.clamp(0, t - 1)
    i0 = pos.floor().long().clamp(max=max(t - 2, 0))
    frac = (pos - i0.to(pos.dtype))[None, :, None].to(x.dtype)
    i1 = (i0 + 1).clamp(max=t - 1)
    return x[:, i0] * (1 - frac) + x[:, i1] * frac


class HiFiGANVocoder(nn.Module):
    """Baker normalized mel (B, T, 80) -> 24 kHz waveform (B, T * 300): MelBridge + HiFi-GAN + resampler.

    A drop-in for MBMelGAN (same input, hop_size, sample_rate). In the "matched" framing it is
    translation-equivariant in whole Baker frames, so tts.models.chunking.run_chunked with
    pad >= receptive_field_frames reproduces the whole-utterance output (up to float rounding).
    """

    sample_rate = OUTPUT_RATE
    hop_size = OUTPUT_HOP
    min_frames = 1
    recommended_pad = 16  # >= receptive_field_frames (15); streamed vs whole measured at 86 dB SNR

    def __init__(self, generator: HiFiGANGenerator, stats: BakerMelStats, framing: str = "matched"):
        super().__init__()
        if generator.cfg.num_mels != 80 or generator.hop_size != HIFIGAN_MEL.hop_size:
            raise ValueError("the bridge targets 80-band generators with hop 256 (jik876 V1/V2/V3 configs)")
        self.generator = generator
        self.bridge = MelBridge(stats, framing, dst=HIFIGAN_MEL)
        self.framing = framing
        self.resampler = Resampler(int(round(self.bridge.generator_rate)), OUTPUT_RATE)
        # matched: HiFi-GAN frame j is centred on generator sample 256 j + 128, Baker frame j on 256 j.
        self.shift = generator.hop_size // 2 if framing == "matched" else 0
        self.streamable = framing == "matched"  # run_chunked reproduces forward() exactly
        # The generator's precision: None = float32, or a half type run under autocast (bf16 on
        # CPUs with native bf16). The bridge and the resampler stay float32 either way.
        self.compute_dtype: torch.dtype | None = None
        # In reduced precision on a CPU, every input is decoded in this schedule's fixed-shape
        # calls, one thread each (see `_generate_blocked`); set it to the stream's layout.
        self.schedule: BlockSchedule = DEFAULT_SCHEDULE

    @property
    def receptive_field_frames(self) -> int:
        """Baker frames on each side of a frame that can change its 300 output samples (upper bound).

        matched: the generator's reach (14 frames for V1) + 1 frame for the half-frame shift and
        the resampler's 18-sample reach = 15. Measured with the universal V1 weights: a change
        to frame t alters output frames t - 13 .. t + 12, and pad 12 (16) gives a streamed
        output 75 dB (86 dB) SNR from the whole-utterance one.
        interp: the same in 86.13 frames/s units, plus 2 (not exact streaming anyway).
        """
        reach = self.generator.receptive_field_frames
        if self.framing == "matched":
            return reach + 1
        return math.ceil(reach * self.bridge.src.sample_rate / self.bridge.src.hop_size
                         * self.bridge.dst.hop_size / self.bridge.dst.sample_rate) + 2

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel (B, T, 80) normalized Baker log10 mel -> waveform (B, T * 300) at 24 kHz."""
        if mel.dim() != 3 or mel.shape[-1] != 80:
            raise ValueError(f"expected mel (B, T, 80), got {tuple(mel.shape)}")
        frames = mel.shape[1]
        if frames == 0:
            return mel.new_zeros(mel.shape[0], 0)
        if self.blocked:
            return torch.cat([self._decode_blocked(mel[b : b + 1]) for b in range(mel.shape[0])])
        x = self.bridge(mel)
        if self.framing == "matched":  # one more frame so the half-frame shift has samples to read
            x = torch.cat([x, x[:, -1:]], dim=1)
        with torch.autocast(x.device.type, dtype=self.compute_dtype or torch.float32,
                            enabled=self.compute_dtype is not None):
            wav = self.generator(x).float()
        return self.resampler(wav, length=frames * self.hop_size, offset=self.shift)

    def decode_chunk(self, context: torch.Tensor, chunk: Chunk, frames: int) -> torch.Tensor:
        """One chunk of `schedule` in one call: its context mel (B, L, 80) -> waveform (B, L * 300).

        `context` is mel[chunk.context_start : chunk.context_end] of an input of `frames` frames,
        `chunk` one of `schedule.chunks(frames)`; the chunk's own frames (`depad`) are bit for bit
        what whole decoding of that input gives (whole decoding is these calls), the context
        frames are not meant to be used. A stream's block decoded through `forward` instead would
        be decoded as an input of its own: cut into the schedule's chunks again, two or three
        calls where one is enough. Without the fixed-shape schedule (float32, or not on a CPU)
        this is `forward(context)`.
        """
        if not self.blocked:
            return self(context)
        if chunk not in self.schedule.chunks(frames):
            raise ValueError(f"{chunk} is not a chunk of {self.schedule} over {frames} frames")
        if context.dim() != 3 or context.shape[-1] != 80 or context.shape[1] != chunk.context_end - chunk.context_start:
            raise ValueError(f"expected the chunk's context mel (B, {chunk.context_end - chunk.context_start}, 80), "
                             f"got {tuple(context.shape)}")
        with one_thread():
            return torch.cat([self._decode_call(context[b : b + 1], chunk, chunk.end == frames)
                              for b in range(context.shape[0])])

    @property
    def blocked(self) -> bool:
        """Whether calls run the fixed-shape schedule: reduced precision on a CPU, matched framing."""
        return (self.compute_dtype is not None and self.streamable
                and self.bridge.mean.device.type == "cpu")

    def _decode_call(self, context: torch.Tensor, chunk: Chunk, last: bool) -> torch.Tensor:
        """One schedule call: a chunk's context mel (1, L, 80) -> waveform (1, L * 300), on this thread.

        The context is padded at the end with copies of its last frame up to the schedule's call
        size (`BlockSchedule.call_frames`); the bridge runs at that shape too (its products feed bf16 roundings). Run on one
        thread, oneDNN then computes a frame the same way in every call of the shape, so a frame
        whose reach lies inside the real frames of two calls comes out bit for bit the same from
        both, in bf16 too. The resampler reads this call's own samples on both sides of the
        chunk, so a chunk's audio depends on its call alone. `last` (the input's last chunk):
        its call keeps one more frame for the half-frame shift, one of the copies after the
        input's end (as whole float32 decoding appends one), the same in a stream and in whole
        decoding, which make this same call.
        """
        frames = context.shape[1]
        fill = self.schedule.call_frames(chunk) - frames
        x = self.bridge(torch.cat([context, context[:, -1:].expand(-1, fill, -1)], dim=1))
        with torch.autocast("cpu", dtype=self.compute_dtype or torch.float32):
            wav = self.generator(x).float()
        wav = wav[:, : (frames + last) * self.generator.hop_size]
        return self.resampler(wav, length=frames * self.hop_size, offset=self.shift)

    def _decode_blocked(self, mel: torch.Tensor) -> torch.Tensor:
        """Whole decoding in `schedule`'s calls: mel (1, T, 80) -> waveform (1, T * 300), each
        chunk's audio from its own call (`_decode_call`), so that a stream's block decoded
        alone (`decode_chunk`) is the same computation as its part of the whole."""
        frames = mel.shape[1]
        with one_thread():
            return torch.cat([depad(self._decode_call(mel[:, c.context_start : c.context_end], c, c.end == frames),
                                    c, self.hop_size) for c in self.schedule.chunks(frames)], dim=1)


def load_hifigan_vocoder(directory: str | os.PathLike | None = None, device: str | torch.device = "cpu",
                         framing: str = "matched", stats: str | os.PathLike | BakerMelStats | None = None,
                         checkpoint: str | os.PathLike | None = None,
                         config: str | os.PathLike | None = None) -> HiFiGANVocoder:
    """The high-fidelity vocoder: the fetched universal generator (or a user's `checkpoint`) + the bridge."""
    if checkpoint is None:
        from tts.weights.fetch_hifigan import HIFIGAN_CONFIG, HIFIGAN_GENERATOR, verify_hifigan

        folder = verify_hifigan(directory)
        checkpoint, config = folder / HIFIGAN_GENERATOR, config or folder / HIFIGAN_CONFIG
    generator = load_generator(checkpoint, config)
    if not isinstance(stats, BakerMelStats):
        stats = BakerMelStats.load(stats)
    return HiFiGANVocoder(generator, stats, framing).to(device).eval().requires_grad_(False)
