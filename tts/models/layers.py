"""Convolutions over time-major tensors (B, L, C), computed as one matrix product per tap.

Both models keep their activations time-major. A 1-D convolution with k taps is then
k shifted matrix products accumulated in place (a shifted slice of a time-major tensor needs
no copy), and a stride-s transposed convolution with 2s taps is one product followed by an
overlap-add. On CPUs this beats oneDNN's convolution, which compiles a new kernel for every
new sequence length (each sentence has one), and it keeps the same parameters and
state-dict layout as torch.nn.Conv1d / ConvTranspose1d.
"""

from __future__ import annotations

import functools
import warnings
from pathlib import Path

import torch
import torch.nn.functional as F
from torch import nn


def _compute_dtype(device: torch.device, dtype: torch.dtype) -> torch.dtype:
    if torch.is_autocast_enabled(device.type):
        return torch.get_autocast_dtype(device.type)
    return dtype


class TapCache:
    """Per-tap weight matrices, rebuilt when the weights, device or compute dtype change."""

    def __init__(self):
        self.key = None
        self.value = None

    def get(self, weight: torch.Tensor, build):
        dtype = _compute_dtype(weight.device, weight.dtype)
        key = (weight.data_ptr(), weight._version, weight.device, dtype)
        if key != self.key:
            self.value = build(weight.detach()).to(dtype).contiguous()
            self.key = key
        return self.value


def _accumulate(out: torch.Tensor, x: torch.Tensor, w: torch.Tensor) -> None:
    """out += x @ w for one item: (1, L, Cin) x (Cin, Cout) into (1, L, Cout), in place."""
    out[0].addmm_(x[0], w)


# Up to this many rows per item, a batch runs as one long sequence (amortizing per-call costs);
# longer CPU items run one by one: their products already keep the cores busy, and laying a
# large batch end to end costs more in copies than it saves (BENCHMARKS.md, "Figures behind
# constants").
FOLD_MAX_ROWS = 2048


def _fold(x: torch.Tensor) -> bool:
    return x.is_cuda or x.shape[1] <= FOLD_MAX_ROWS


@functools.cache
def cpu_has_vnni() -> bool:
    """Whether this CPU multiplies u8 x s8 pairs into 32-bit sums without int16 saturation (VNNI)."""
    try:
        flags = Path("/proc/cpuinfo").read_text(encoding="ascii", errors="replace")
    except OSError:
        return False
    return "avx512_vnni" in flags or "avx_vnni" in flags


class Int8Product:
    """A TimeConv1d as one dynamic int8 matrix product (fbgemm): (B, L, Cin) -> (B, L, Cout) float32.

    The k taps become one (Cout, k * Cin) weight matrix, quantized symmetrically per output
    channel; the input is laid out as its k shifted copies side by side (L, k * Cin) and
    quantized per call (one scale and zero point per item, from its own range), the way the
    shipped TFLite graph quantizes a convolution's input. `input_scale` (Cin,), if given,
    divides the input per channel and multiplies the weights back (SmoothQuant's folding):
    it evens out channels whose range is far wider than the rest, which one per-item scale
    would otherwise spend its 256 levels on.
    """

    def __init__(self, conv: TimeConv1d, input_scale: torch.Tensor | None = None):
        if conv.bias is None:
            raise ValueError("Int8Product expects a convolution with a bias")
        weight = conv.weight.detach().float()  # (Cout, Cin, k)
        if input_scale is not None:
            weight = weight * input_scale[None, :, None]
        matrix = weight.permute(0, 2, 1).reshape(conv.out_channels, -1).contiguous()  # tap-major, as laid out
        scales = (matrix.abs().amax(dim=1) / 127.0).clamp(min=1e-12).double()
        with warnings.catch_warnings():
            # Quantized tensors are fbgemm's only way in: prepacking wants one (deprecation notice).
            warnings.simplefilter("ignore", UserWarning)
            q = torch.quantize_per_channel(matrix, scales, torch.zeros(len(scales), dtype=torch.long), 0, torch.qint8)
            self.packed = torch.ops.quantized.linear_prepack(q, conv.bias.detach().float())
        self.input_scale = None if input_scale is None else (1.0 / input_scale).float()
        self.kernel, self.dilation, self.pad_mode = conv.kernel_size[0], conv.dilation[0], conv.pad_mode
        self.reach = (self.kernel - 1) // 2 * self.dilation  # rows read on each side ('same' padding)
        # Without VNNI, u8 x s8 pair sums can saturate 16 bits: fbgemm's 7-bit activations avoid it.
        self.reduce_range = not cpu_has_vnni()

    def columns(self, x: torch.Tensor) -> torch.Tensor:
        """x (L, Cin) -> (L, k * Cin): the input each tap reads, zero or mirrored beyond the edges."""
        length, h, d, k = x.shape[0], self.reach, self.dilation, self.kernel
        if k == 1:
            return x
        if self.pad_mode == "reflect":
            if h >= length:
                raise ValueError(f"reflection padding of {h} needs more than {length} frames")
            padded = torch.cat([x[1 : h + 1].flip(0), x, x[length - 1 - h : length - 1].flip(0)])
        else:
            padded = F.pad(x, (0, 0, h, h))
        return torch.cat([padded[j * d : j * d + length] for j in range(k)], dim=1)

    def __call__(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, L, Cin) -> (B, L, Cout) float32; each item is quantized on its own range."""
        x = x.float()
        if self.input_scale is not None:
            x = x * self.input_scale
        out = [torch.ops.quantized.linear_dynamic(self.columns(item).contiguous(), self.packed, self.reduce_range)
               for item in x]
        return out[0][None] if len(out) == 1 else torch.stack(out)  # one item: a view, not a copy


class TimeConv1d(nn.Conv1d):
    """Conv1d on (B, L, Cin) -> (B, L, Cout) with 'same' padding ('zeros' or 'reflect').

    Tap j reads input row r + j * dilation - half for output row r. Rows inside the input are
    one shifted product per tap; rows that fall off an edge contribute nothing ('zeros') or
    are read from the mirrored rows ('reflect'), so no padded copy of the input is made.
    """

    bias: torch.Tensor  # always made (nn.Conv1d's bias=True)

    def __init__(self, in_ch: int, out_ch: int, kernel: int, dilation: int = 1, pad_mode: str = "zeros"):
        super().__init__(in_ch, out_ch, kernel, dilation=dilation)
        if pad_mode not in ("zeros", "reflect"):
            raise ValueError(f"pad_mode must be 'zeros' or 'reflect', not {pad_mode!r}")
        if kernel % 2 == 0:
            raise ValueError("'same' padding needs an odd kernel")
        self.pad_mode = pad_mode
        self.reach = (kernel - 1) // 2 * dilation  # rows read on each side of a row
        self._taps = TapCache()
        self.int8: Int8Product | None = None  # set by `use_int8`: products in dynamic int8
        self._int8_built: tuple[torch.Tensor | None, Int8Product] | None = None

    def use_int8(self, enabled: bool = True, input_scale: torch.Tensor | None = None) -> None:
        """Compute with dynamic int8 products (CPU only; see Int8Product) or, disabled, in float again.
        The packed weights are kept, so switching back and forth repacks nothing."""
        if not enabled:
            self.int8 = None
            return
        built = self._int8_built
        same = built is not None and (built[0] is None and input_scale is None or (
            built[0] is not None and input_scale is not None and torch.equal(built[0], input_scale)))
        if not same:
            self._int8_built = (input_scale, Int8Product(self, input_scale))
        assert self._int8_built is not None
        self.int8 = self._int8_built[1]

    def taps(self) -> torch.Tensor:
        """(k, Cin, Cout) weight matrices in the compute dtype."""
        return self._taps.get(self.weight, lambda w: w.permute(2, 1, 0))

    def accumulate(self, out: torch.Tensor, x: torch.Tensor) -> torch.Tensor:
        """out (B, L, Cout) += conv(x) + bias, in place; x (B, L, Cin)."""
        if self.int8 is not None:
            return out.add_(self.int8(x).to(out.dtype))
        if x.shape[0] > 1:
            if _fold(x):
                return out.add_(self._folded(x))
            for b in range(x.shape[0]):
                self.accumulate(out[b : b + 1], x[b : b + 1])
            return out
        taps = self.taps()
        x = x.to(taps.dtype)
        self._check_reach(x.shape[1])
        out.add_(self.bias.to(out.dtype))
        return self._add_taps(out, x, taps)

    def _check_reach(self, length: int) -> None:
        if self.pad_mode == "reflect" and self.reach >= length:
            raise ValueError(f"reflection padding of {self.reach} needs more than {length} frames")

    def _add_taps(self, out: torch.Tensor, x: torch.Tensor, taps: torch.Tensor, skip: int = -1) -> torch.Tensor:
        """out (1, L, Cout) += every tap's product but tap `skip`, in place; x (1, L, Cin), taps (k, Cin, Cout)."""
        length, d = x.shape[1], self.dilation[0]
        reflect = self.pad_mode == "reflect"
        for j in range(taps.shape[0]):
            shift = j * d - self.reach
            if j == skip or abs(shift) >= length:
                continue
            lo, hi = max(0, -shift), length - max(0, shift)
            _accumulate(out[:, lo:hi], x[:, lo + shift : hi + shift], taps[j])
            if reflect and shift < 0:
                _accumulate(out[:, :-shift], x[:, 1 : 1 - shift].flip(1), taps[j])
            elif reflect and shift > 0:
                _accumulate(out[:, length - shift :], x[:, length - 1 - shift : length - 1].flip(1), taps[j])
        return out

    def _folded(self, x: torch.Tensor) -> torch.Tensor:
        """A batch as one long sequence: each item padded by `half` rows on both sides, so one
        matrix product per tap covers every item without any item reading another's rows."""
        taps = self.taps()
        x = x.to(taps.dtype)
        b, length, _ = x.shape
        h, d = self.reach, self.dilation[0]
        self._check_reach(length)
        if self.pad_mode == "reflect":
            padded = torch.cat([x[:, 1 : h + 1].flip(1), x, x[:, length - 1 - h : length - 1].flip(1)], dim=1)
        else:
            padded = F.pad(x, (0, 0, h, h))
        span = length + 2 * h
        flat = padded.reshape(b * span, -1)
        rows = b * span - 2 * h
        out = torch.addmm(self.bias.to(taps.dtype), flat[0:rows], taps[0])
        for j in range(1, taps.shape[0]):
            out.addmm_(flat[j * d : j * d + rows], taps[j])
        out = F.pad(out, (0, 0, 0, 2 * h)).view(b, span, -1)
        return out[:, :length]

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """x (B, L, Cin) -> (B, L, Cout)."""
        if self.int8 is not None:
            return self.int8(x)
        taps = self.taps()
        x = x.to(taps.dtype)
        b, length, cin = x.shape
        bias = self.bias.to(taps.dtype)
        if taps.shape[0] == 1:  # pointwise: every row of every item in one product, bias included
            return torch.addmm(bias, x.reshape(b * length, cin), taps[0]).view(b, length, -1)
        if b > 1:
            if _fold(x):
                return self._folded(x)
            return torch.cat([self.forward(x[i : i + 1]) for i in range(b)])
        self._check_reach(length)
        # The centre tap (shift 0) reads every row and mirrors none: its product, bias included,
        # makes the output, so no zero fill and no separate pass for the bias.
        centre = (taps.shape[0] - 1) // 2
        out = torch.addmm(bias, x[0], taps[centre])[None]
        return self._add_taps(out, x, taps, skip=centre)


class TimeUpsample(nn.ConvTranspose1d):
    """Transposed conv, kernel 2 * stride, cropped like TF's 'same': (B, L, Cin) -> (B, L * stride, Cout)."""

    bias: torch.Tensor  # always made (bias=True)

    def __init__(self, in_ch: int, out_ch: int, stride: int):
        super().__init__(in_ch, out_ch, 2 * stride, stride=stride)
        self.scale = stride
        self.crop = stride // 2  # TF 'same' crops (kernel - stride) // 2 at the start
        self._taps = TapCache()

    # Time-major input and no output_size: not nn.ConvTranspose1d's call, on purpose.
    def forward(self, x: torch.Tensor) -> torch.Tensor:  # type: ignore[override]
        """x (B, L, Cin) -> (B, L * stride, Cout)."""
        s = self.scale
        # weight (Cin, Cout, 2s) -> (Cin, 2s * Cout): one product gives every tap's contribution.
        w = self._taps.get(self.weight, lambda w: w.permute(0, 2, 1).reshape(w.shape[0], -1))
        b, length, _ = x.shape
        x = x.to(w.dtype)
        bias = self.bias.to(w.dtype)
        if b == 1:
            return self._one_item(x[0], w, bias)
        z = torch.matmul(x, w).view(b, length, 2, s, -1)
        return overlap_add(z, self.crop).add_(bias)

    def _one_item(self, x: torch.Tensor, w: torch.Tensor, bias: torch.Tensor) -> torch.Tensor:
        """x (L, Cin), w (Cin, 2s * Cout) -> (1, L * s, Cout): one item's overlap-add done by the
        products themselves. Input step m's first s taps land in output block m, its last s in
        block m + 1: the first half's product (bias included) writes blocks 0 .. L-1 and the
        second half's accumulates into blocks 1 .. L, so no (L, 2s * Cout) intermediate is made."""
        s, length, half = self.scale, x.shape[0], w.shape[1] // 2
        tiled = bias.repeat(s)  # (s * Cout,): the bias of every sample of a block
        out = x.new_empty(length + 1, half)
        torch.addmm(tiled, x, w[:, :half], out=out[:length])
        out[length] = tiled
        out[1:].addmm_(x, w[:, half:])
        return out.view(1, (length + 1) * s, -1)[:, self.crop : self.crop + length * s]


def overlap_add(z: torch.Tensor, crop: int) -> torch.Tensor:
    """The second half of a stride-S transposed convolution computed as one matrix product.

    z (B, L, G, S, C): what input step m contributes to output blocks m .. m + G - 1 (taps
    g * S .. g * S + S - 1 land in block m + g). Returns the L * S outputs from sample `crop`
    on: (B, L * S, C).
    """
    b, length, groups, s, c = z.shape
    out = z.new_empty(b, length + groups - 1, s, c)
    out[:, :length] = z[:, :, 0]  # the first group written, not added to zeros: one pass less
    out[:, length:].zero_()
    for g in range(1, groups):
        out[:, g : g + length] += z[:, :, g]
    return out.view(b, (length + groups - 1) * s, c)[:, crop : crop + length * s]
