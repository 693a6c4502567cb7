"""The neural half of synthesis, language-blind: symbol ids -> mel -> waveform on chosen devices."""

from __future__ import annotations

import os
from collections.abc import Iterator
from dataclasses import dataclass, field

import numpy as np
import torch

from tts.chunking import run_chunked
from tts.models.fastspeech2 import FastSpeech2, VarianceControl
from tts.models.loading import load_fastspeech2, load_mb_melgan
from tts.models.mb_melgan import MBMelGAN


@dataclass
class AcousticItem:
    """One utterance for the acoustic model."""

    ids: list[int]  # symbol ids, eos included
    duration_scale: float | list[float] = 1.0  # per utterance or per symbol (len(ids))
    pitch_scale: float | list[float] = 1.0
    pitch_shift: float | list[float] = 0.0
    energy_scale: float | list[float] = 1.0
    energy_shift: float | list[float] = 0.0


@dataclass
class AcousticResult:
    mel: torch.Tensor  # (T, 80) float32 on the CPU
    durations: np.ndarray  # (N,) frames per symbol
    pitch: np.ndarray = field(default_factory=lambda: np.zeros(0))  # (N,) controlled, normalized units
    energy: np.ndarray = field(default_factory=lambda: np.zeros(0))


def _per_symbol(values: list, n_max: int, default: float) -> torch.Tensor:
    """Stack per-item controls (float or per-symbol list) into (B, n_max)."""
    rows = []
    for v in values:
        if isinstance(v, (int, float)):
            rows.append(torch.full((n_max,), float(v)))
        else:
            row = torch.full((n_max,), default)
            row[: len(v)] = torch.as_tensor(v, dtype=torch.float32)
            rows.append(row)
    return torch.stack(rows)


class Engine:
    """FastSpeech2 + a vocoder kept resident on their devices, with batched acoustic inference."""

    sample_rate = 24000

    def __init__(self, acoustic: FastSpeech2, vocoder: MBMelGAN, acoustic_device: str = "cpu",
                 vocoder_device: str = "cpu", acoustic_dtype: torch.dtype | None = None):
        self.acoustic_model = acoustic.to(acoustic_device).eval()
        self.vocoder_model = vocoder.to(vocoder_device).eval()
        self.acoustic_device = torch.device(acoustic_device)
        self.vocoder_device = torch.device(vocoder_device)
        self.acoustic_model.decoder_dtype = acoustic_dtype  # fp16 on CUDA, bf16 on CPU, or None
        self.hop_size = vocoder.hop_size

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None, acoustic_device: str = "cpu",
             vocoder_device: str = "cpu", acoustic_dtype: torch.dtype | None = None) -> "Engine":
        return cls(load_fastspeech2(data_dir), load_mb_melgan(data_dir), acoustic_device, vocoder_device,
                   acoustic_dtype)

    @property
    def max_frames(self) -> int:
        return self.acoustic_model.max_frames

    @torch.inference_mode()
    def acoustic(self, items: list[AcousticItem]) -> list[AcousticResult]:
        """Run one padded batch through FastSpeech2; results are per item, unpadded, on the CPU."""
        if not items:
            return []
        n_max = max(len(it.ids) for it in items)
        ids = torch.zeros(len(items), n_max, dtype=torch.long)
        for b, it in enumerate(items):
            ids[b, : len(it.ids)] = torch.as_tensor(it.ids)
        control = VarianceControl(
            duration_scale=_per_symbol([it.duration_scale for it in items], n_max, 1.0),
            pitch_scale=_per_symbol([it.pitch_scale for it in items], n_max, 1.0),
            pitch_shift=_per_symbol([it.pitch_shift for it in items], n_max, 0.0),
            energy_scale=_per_symbol([it.energy_scale for it in items], n_max, 1.0),
            energy_shift=_per_symbol([it.energy_shift for it in items], n_max, 0.0))
        dev = self.acoustic_device
        control = VarianceControl(**{k: v.to(dev) for k, v in vars(control).items()})
        out = self.acoustic_model(ids.to(dev), control)
        mel = out.mel.cpu()
        results = []
        for b, it in enumerate(items):
            n = len(it.ids)
            results.append(AcousticResult(
                mel=mel[b, : int(out.mel_lengths[b])].contiguous(),
                durations=out.durations[b, :n].cpu().numpy(),
                pitch=out.pitch[b, :n].float().cpu().numpy(),
                energy=out.energy[b, :n].float().cpu().numpy()))
        return results

    @torch.inference_mode()
    def vocode(self, mel: torch.Tensor) -> np.ndarray:
        """mel (T, 80) -> waveform (T * hop,) float32 in [-1, 1]."""
        return self.vocoder_model(mel[None].to(self.vocoder_device))[0].float().cpu().numpy()

    @torch.inference_mode()
    def vocode_stream(self, mel: torch.Tensor, block: int, pad: int,
                      first_block: int | None = None) -> Iterator[np.ndarray]:
        """mel (T, 80) -> waveform pieces; joined they equal `vocode(mel)` (pad >= receptive field)."""
        x = mel[None].to(self.vocoder_device)
        for piece in run_chunked(self.vocoder_model, x, block, pad, scale=self.hop_size, first_block=first_block):
            yield piece[0].float().cpu().numpy()
