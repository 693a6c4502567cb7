"""Build the models from the converted safetensors in the data directory."""

from __future__ import annotations

import os
from typing import TypeVar

import torch
from safetensors.torch import load_file

from tts.models.fastspeech2 import FastSpeech2
from tts.models.mb_melgan import MBMelGAN
from tts.weights.fetch import verify

M = TypeVar("M", bound=torch.nn.Module)


def _load(model: M, path: str | os.PathLike[str], device: str | torch.device) -> M:
    model.load_state_dict(load_file(str(path)), strict=True)
    return model.to(device).eval().requires_grad_(False)


def load_fastspeech2(directory: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> FastSpeech2:
    return _load(FastSpeech2(), verify(directory) / "fastspeech2.safetensors", device)


def load_mb_melgan(directory: str | os.PathLike | None = None, device: str | torch.device = "cpu") -> MBMelGAN:
    return _load(MBMelGAN(), verify(directory) / "mb_melgan.safetensors", device)
