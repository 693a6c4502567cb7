"""HiFi-GAN generator (Kong et al. 2020) in the layout of the reference implementation (jik876/hifi-gan).

Language-blind: HiFi-GAN log mel (B, T, 80) -> waveform (B, T * 256) at 22.05 kHz for the V1
configuration (upsample_rates [8, 8, 2, 2]). The mel is the jik876 one (see tts.audio.spectral:
n_fft 1024, hop 256, 0..8000 Hz, natural log); the Baker mel of this project must go through
tts.models.hifigan_bridge first.

Any jik876-format generator checkpoint loads: a dict whose "generator" entry maps parameter
names (conv_pre, ups.i, resblocks.j.convs1/convs2.k, conv_post) to tensors, weight-normalized
(weight_g / weight_v, or the newer parametrizations.weight.original0 / original1) or plain.
Weight normalization is fused away when loading, w = g * v / ||v|| (norm over every dim but
the first), so inference runs plain convolutions. Resblock types "1" (V1, V2) and "2" (V3)
are supported; the configuration comes from the checkpoint's config.json.
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import dataclass, fields
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn

LRELU_SLOPE = 0.1  # inside the network; the last activation before conv_post uses torch's default 0.01


class CheckpointError(ValueError):
    """A generator checkpoint or config is malformed; the message says what is wrong."""


@dataclass(frozen=True)
class HiFiGANConfig:
    resblock: str = "1"
    upsample_rates: tuple[int, ...] = (8, 8, 2, 2)
    upsample_kernel_sizes: tuple[int, ...] = (16, 16, 4, 4)
    upsample_initial_channel: int = 512
    resblock_kernel_sizes: tuple[int, ...] = (3, 7, 11)
    resblock_dilation_sizes: tuple[tuple[int, ...], ...] = ((1, 3, 5), (1, 3, 5), (1, 3, 5))
    num_mels: int = 80
    sampling_rate: int = 22050
    hop_size: int = 256
    n_fft: int = 1024
    win_size: int = 1024
    fmin: float = 0.0
    fmax: float = 8000.0

    @classmethod
    def from_dict(cls, raw: dict) -> HiFiGANConfig:
        """Build from a jik876 config.json dict (training-only keys are ignored); validates it."""
        if not isinstance(raw, dict):
            raise CheckpointError(f"HiFi-GAN config must be a JSON object, got {type(raw).__name__}")
        known = {f.name for f in fields(cls)}
        values = {}
        for key in known & raw.keys():
            v = raw[key]
            if key == "resblock_dilation_sizes":
                v = tuple(tuple(int(d) for d in ds) for ds in v)
            elif key in ("upsample_rates", "upsample_kernel_sizes", "resblock_kernel_sizes"):
                v = tuple(int(u) for u in v)
            elif key == "resblock":
                v = str(v)
            elif key in ("fmin", "fmax"):
                v = float(v) if v is not None else None
            else:
                v = int(v)
            values[key] = v
        cfg = cls(**values)
        cfg.validate()
        return cfg

    def validate(self) -> None:
        problems = []
        if self.resblock not in ("1", "2"):
            problems.append(f"resblock must be '1' or '2', got {self.resblock!r}")
        if len(self.upsample_rates) != len(self.upsample_kernel_sizes) or not self.upsample_rates:
            problems.append("upsample_rates and upsample_kernel_sizes must be non-empty and of equal length")
        for u, k in zip(self.upsample_rates, self.upsample_kernel_sizes):
            if u <= 0 or k < u or (k - u) % 2:
                problems.append(f"upsample kernel {k} with rate {u}: need k >= u and k - u even")
        if len(self.resblock_kernel_sizes) != len(self.resblock_dilation_sizes) or not self.resblock_kernel_sizes:
            problems.append("resblock_kernel_sizes and resblock_dilation_sizes must be non-empty and of equal length")
        need = 3 if self.resblock == "1" else 2
        for ds in self.resblock_dilation_sizes:
            if len(ds) < need:
                problems.append(f"resblock type {self.resblock} needs {need} dilations per block, got {list(ds)}")
        if any(k % 2 == 0 for k in self.resblock_kernel_sizes):
            problems.append("resblock kernel sizes must be odd")
        if self.upsample_initial_channel % (2 ** len(self.upsample_rates)):
            problems.append("upsample_initial_channel must be divisible by 2 ** len(upsample_rates)")
        if math.prod(self.upsample_rates) != self.hop_size:
            problems.append(f"prod(upsample_rates) = {math.prod(self.upsample_rates)} differs from hop_size {self.hop_size}")
        if problems:
            raise CheckpointError("invalid HiFi-GAN config: " + "; ".join(problems))

    @property
    def upsample_factor(self) -> int:
        return math.prod(self.upsample_rates)


def _padding(kernel: int, dilation: int = 1) -> int:
    return (kernel * dilation - dilation) // 2


class ResBlock1(nn.Module):
    """Type 1: for each dilation d, x += conv(k, 1)(lrelu(conv(k, d)(lrelu(x)))). (B, C, L) -> (B, C, L)."""

    def __init__(self, channels: int, kernel: int, dilations: tuple[int, ...]):
        super().__init__()
        self.convs1 = nn.ModuleList([nn.Conv1d(channels, channels, kernel, dilation=d, padding=_padding(kernel, d))
                                     for d in dilations])
        self.convs2 = nn.ModuleList([nn.Conv1d(channels, channels, kernel, padding=_padding(kernel))
                                     for _ in dilations])
        self.radius = sum(_padding(kernel, d) + _padding(kernel) for d in dilations)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for c1, c2 in zip(self.convs1, self.convs2):
            x = x + c2(F.leaky_relu(c1(F.leaky_relu(x, LRELU_SLOPE)), LRELU_SLOPE))
        return x


class ResBlock2(nn.Module):
    """Type 2 (V3): for each dilation d, x += conv(k, d)(lrelu(x)). (B, C, L) -> (B, C, L)."""

    def __init__(self, channels: int, kernel: int, dilations: tuple[int, ...]):
        super().__init__()
        self.convs = nn.ModuleList([nn.Conv1d(channels, channels, kernel, dilation=d, padding=_padding(kernel, d))
                                    for d in dilations[:2]])
        self.radius = sum(_padding(kernel, d) for d in dilations[:2])

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        for c in self.convs:
            x = x + c(F.leaky_relu(x, LRELU_SLOPE))
        return x


class HiFiGANGenerator(nn.Module):
    """HiFi-GAN log mel (B, T, 80) -> waveform (B, T * hop_size) in [-1, 1] (V1: hop 256, 22.05 kHz)."""

    def __init__(self, cfg: HiFiGANConfig = HiFiGANConfig()):
        super().__init__()
        cfg.validate()
        self.cfg = cfg
        ch = cfg.upsample_initial_channel
        self.conv_pre = nn.Conv1d(cfg.num_mels, ch, 7, padding=3)
        self.ups = nn.ModuleList()
        self.resblocks = nn.ModuleList()
        self.radii: list[int] = []  # each resblock's reach in samples, in resblocks' order
        block = ResBlock1 if cfg.resblock == "1" else ResBlock2
        for i, (u, k) in enumerate(zip(cfg.upsample_rates, cfg.upsample_kernel_sizes)):
            self.ups.append(nn.ConvTranspose1d(ch // 2 ** i, ch // 2 ** (i + 1), k, u, padding=(k - u) // 2))
            for kernel, dilations in zip(cfg.resblock_kernel_sizes, cfg.resblock_dilation_sizes):
                resblock = block(ch // 2 ** (i + 1), kernel, dilations)
                self.resblocks.append(resblock)
                self.radii.append(resblock.radius)
        self.conv_post = nn.Conv1d(ch // 2 ** len(cfg.upsample_rates), 1, 7, padding=3)
        self.num_kernels = len(cfg.resblock_kernel_sizes)

    @property
    def hop_size(self) -> int:
        return self.cfg.upsample_factor

    @property
    def sample_rate(self) -> int:
        return self.cfg.sampling_rate

    min_frames = 1  # zero-padded convolutions: any length works

    @property
    def receptive_field_frames(self) -> int:
        """Frames on each side of a frame that can influence its output samples (an upper bound).

        Sums, in input frames, the one-sided reach of every layer at its own rate: conv_pre
        (3 frames), each transposed conv ((k + u) / 2 inputs of its own rate: output o reads
        inputs i with o + p - k < i * u <= o + p), the widest resblock of each stage
        (type 1, kernel 11, dilations 1/3/5: 60 samples) and conv_post (3 samples).
        V1: 3 + 1.5 + 60/8 + 1.5/8 + 60/64 + 1.5/64 + 60/128 + 1.5/128 + (60 + 3)/256 = 13.9 -> 14 frames.
        """
        reach = 3.0
        rate = 1
        for i, (u, k) in enumerate(zip(self.cfg.upsample_rates, self.cfg.upsample_kernel_sizes)):
            reach += (k + u) / 2 / u / rate
            rate *= u
            widest = max(self.radii[i * self.num_kernels + j] for j in range(self.num_kernels))
            reach += widest / rate
        reach += 3 / rate
        return math.ceil(reach)

    def forward(self, mel: torch.Tensor) -> torch.Tensor:
        """mel (B, T, 80) natural-log HiFi-GAN mel -> waveform (B, T * hop_size)."""
        if mel.dim() != 3 or mel.shape[-1] != self.cfg.num_mels:
            raise ValueError(f"expected mel (B, T, {self.cfg.num_mels}), got {tuple(mel.shape)}")
        if mel.shape[1] == 0:
            return mel.new_zeros(mel.shape[0], 0)
        x = self.conv_pre(mel.transpose(1, 2))
        for i, up in enumerate(self.ups):
            x = up(F.leaky_relu(x, LRELU_SLOPE))
            blocks = self.resblocks[i * self.num_kernels:(i + 1) * self.num_kernels]
            acc = blocks[0](x)
            for block in blocks[1:]:
                acc = acc + block(x)
            x = acc / self.num_kernels
        x = self.conv_post(F.leaky_relu(x))  # jik876 uses the default slope (0.01) here
        return torch.tanh(x)[:, 0]


def fuse_weight_norm(state: dict[str, torch.Tensor]) -> dict[str, torch.Tensor]:
    """Replace every weight-norm pair by the plain weight it stands for: w = g * v / ||v||.

    Recognizes `<m>.weight_g` / `<m>.weight_v` (torch.nn.utils.weight_norm) and
    `<m>.parametrizations.weight.original0` / `original1` (torch.nn.utils.parametrizations);
    the norm runs over every dimension but 0, as weight_norm's default dim=0 does. Plain
    entries pass through. Raises CheckpointError on a half pair or mismatched shapes.
    """
    out: dict[str, torch.Tensor] = {}
    pairs: dict[str, dict[str, torch.Tensor]] = {}
    suffixes = {".weight_g": "g", ".weight_v": "v", ".parametrizations.weight.original0": "g",
                ".parametrizations.weight.original1": "v"}
    for name, value in state.items():
        for suffix, role in suffixes.items():
            if name.endswith(suffix):
                pairs.setdefault(name[: -len(suffix)], {})[role] = value
                break
        else:
            out[name] = value
    for module, pair in pairs.items():
        if set(pair) != {"g", "v"}:
            missing = "weight_v" if "g" in pair else "weight_g"
            raise CheckpointError(f"weight-normalized {module} has no {missing}")
        g, v = pair["g"].float(), pair["v"].float()
        if g.dim() != v.dim() or g.shape[0] != v.shape[0] or g.numel() != v.shape[0]:
            raise CheckpointError(f"{module}: weight_g {tuple(g.shape)} does not match weight_v {tuple(v.shape)}")
        if f"{module}.weight" in out:
            raise CheckpointError(f"{module} has both a plain weight and a weight-norm pair")
        norm = v.reshape(v.shape[0], -1).norm(dim=1).reshape(g.shape)
        out[f"{module}.weight"] = g * v / norm
    return out


def generator_state_dict(checkpoint: object) -> dict[str, torch.Tensor]:
    """The plain (fused) generator weights of a jik876 checkpoint object (dict with "generator")."""
    if not isinstance(checkpoint, dict):
        raise CheckpointError(f"checkpoint must be a dict with a 'generator' entry, got {type(checkpoint).__name__}")
    state = checkpoint.get("generator", checkpoint if "conv_pre.bias" in checkpoint else None)
    if state is None:
        keys = ", ".join(sorted(map(str, checkpoint))[:8]) or "none"
        raise CheckpointError(f"checkpoint has no 'generator' entry (keys: {keys}); a discriminator or "
                              "optimizer file (do_*) is not a generator checkpoint (g_*)")
    if not isinstance(state, dict):
        raise CheckpointError(f"checkpoint['generator'] must be a state dict, got {type(state).__name__}")
    bad = [k for k, v in state.items() if not isinstance(k, str) or not isinstance(v, torch.Tensor)]
    if bad:
        raise CheckpointError(f"checkpoint['generator'] has non-tensor entries: {bad[:5]}")
    return fuse_weight_norm(state)


def build_generator(state: dict[str, torch.Tensor], cfg: HiFiGANConfig) -> HiFiGANGenerator:
    """A generator for `cfg` holding the plain weights `state`; CheckpointError names any mismatch."""
    model = HiFiGANGenerator(cfg)
    expected = model.state_dict()
    missing = sorted(set(expected) - set(state))
    unexpected = sorted(set(state) - set(expected))
    wrong = [f"{k} {tuple(state[k].shape)} (config expects {tuple(expected[k].shape)})"
             for k in sorted(set(expected) & set(state)) if state[k].shape != expected[k].shape]
    problems = []
    if missing:
        problems.append(f"missing {len(missing)} tensors, e.g. {', '.join(missing[:4])}")
    if unexpected:
        problems.append(f"unexpected {len(unexpected)} tensors, e.g. {', '.join(unexpected[:4])}")
    if wrong:
        problems.append(f"wrong shapes: {'; '.join(wrong[:4])}")
    if problems:
        raise CheckpointError("generator weights do not fit the config: " + " | ".join(problems))
    nonfinite = [k for k, v in state.items() if not torch.isfinite(v).all()]
    if nonfinite:
        raise CheckpointError(f"generator weights contain NaN or inf: {', '.join(nonfinite[:4])}")
    model.load_state_dict({k: v.float() for k, v in state.items()}, strict=True)
    return model.eval().requires_grad_(False)


def read_config(path: str | os.PathLike) -> HiFiGANConfig:
    try:
        raw = json.loads(Path(path).read_text())
    except (OSError, ValueError) as exc:
        raise CheckpointError(f"cannot read HiFi-GAN config {path}: {exc}") from exc
    return HiFiGANConfig.from_dict(raw)


def load_checkpoint_file(path: str | os.PathLike) -> dict[str, torch.Tensor]:
    """Fused generator weights from a jik876 .pth/.pth.tar (torch.load, weights_only) or a .safetensors file."""
    path = Path(path)
    if not path.is_file():
        raise CheckpointError(f"{path} does not exist")
    if path.suffix == ".safetensors":
        from safetensors import SafetensorError
        from safetensors.torch import load_file

        try:
            return fuse_weight_norm(load_file(str(path)))
        except SafetensorError as exc:
            raise CheckpointError(f"{path} is not a readable safetensors file: {exc}") from exc
    try:
        checkpoint = torch.load(path, map_location="cpu", weights_only=True)
    except Exception as exc:  # noqa: BLE001 - torch raises many types for a bad file
        raise CheckpointError(f"{path} is not a loadable PyTorch checkpoint ({type(exc).__name__}: "
                              f"{str(exc).splitlines()[0] if str(exc) else ''})") from exc
    return generator_state_dict(checkpoint)


def load_generator(checkpoint: str | os.PathLike, config: str | os.PathLike | HiFiGANConfig | dict | None = None,
                   device: str | torch.device = "cpu") -> HiFiGANGenerator:
    """Load a user's jik876-format generator checkpoint (config.json beside it unless given)."""
    checkpoint = Path(checkpoint)
    if config is None:
        config = checkpoint.parent / "config.json"
        if not config.is_file():
            raise CheckpointError(f"no config given and no config.json beside {checkpoint}")
    if isinstance(config, dict):
        cfg = HiFiGANConfig.from_dict(config)
    elif isinstance(config, HiFiGANConfig):
        cfg = config
    else:
        cfg = read_config(config)
    return build_generator(load_checkpoint_file(checkpoint), cfg).to(device)
