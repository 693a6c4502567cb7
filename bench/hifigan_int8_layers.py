"""int8 for HiFi-GAN's convolutions on this CPU: one resblock convolution per stage, at the shape a
block call (160 + 2 x 16 frames) gives it, on one thread: bf16 (what the cpu profile runs)
against the int8 routes torch offers on a CPU with VNNI.

Routes, each with int8 weights per output channel and the input quantized per call (dynamic):
- fbgemm's dynamic quantized Conv1d (`torch.ao.nn.quantized.dynamic.Conv1d`; its default
  qconfig quantizes the weights per tensor);
- im2col (the k shifted copies side by side, `Int8Product`'s layout) + fbgemm's
  `linear_dynamic` (float input, quantized inside);
- the input quantized first (symmetric int8), im2col in int8, then `torch._int_mm` (s8 x s8 ->
  s32) and one rescale.
Prints milliseconds (best of 5), GMAC/s and the output's SNR against float32 per route, and
each route's time as a ratio to bf16 in the same run.

Run: python bench/hifigan_int8_layers.py
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable

import torch
import torch.nn.functional as F

CALL_FRAMES = 192  # a block call of the cpu profile: 160 + 2 x 16
# (channels, samples per frame, kernel, dilation): one convolution of each stage's resblocks
LAYERS = [(256, 8, 7, 1), (128, 64, 11, 3), (64, 128, 3, 5), (32, 256, 11, 1)]


def best_ms(f: Callable[[], torch.Tensor], repeats: int = 5) -> float:
    f()
    best = float("inf")
    for _ in range(repeats):
        started = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - started)
    return best * 1e3


def snr_db(ref: torch.Tensor, out: torch.Tensor) -> float:
    return float(10 * torch.log10(ref.pow(2).sum() / (ref - out.float()).pow(2).sum()))


def compare(channels: int, rate: int, k: int, d: int) -> None:
    """Time and check every route on one resblock convolution of `channels` at `rate` samples per frame."""
    import torch.ao.nn.quantized.dynamic as nnqd

    length, reach = CALL_FRAMES * rate, (k * d - d) // 2
    conv = torch.nn.Conv1d(channels, channels, k, dilation=d, padding=reach).eval()
    x = torch.randn(1, channels, length)
    xt = x[0].t().contiguous()  # (L, C), time-major as im2col wants
    matrix = conv.weight.detach().permute(0, 2, 1).reshape(channels, -1).contiguous()  # (Cout, k * Cin)
    scales = (matrix.abs().amax(1) / 127).double()
    packed = torch.ops.quantized.linear_prepack(
        torch.quantize_per_channel(matrix, scales, torch.zeros(channels, dtype=torch.long), 0, torch.qint8),
        conv.bias.detach())
    weights8 = torch.round(matrix / scales.float()[:, None]).to(torch.int8).t().contiguous()  # (k * Cin, Cout)
    conv.qconfig = torch.ao.quantization.default_dynamic_qconfig
    dynamic = nnqd.Conv1d.from_float(conv)

    def columns(rows: torch.Tensor) -> torch.Tensor:
        padded = F.pad(rows, (0, 0, reach, reach))
        return torch.cat([padded[j * d : j * d + length] for j in range(k)], 1)

    def int_mm() -> torch.Tensor:
        scale = xt.abs().amax() / 127
        acc = torch._int_mm(columns(torch.round(xt / scale).to(torch.int8)), weights8)
        return acc.float() * (scale * scales.float()) + conv.bias

    routes: dict[str, Callable[[], torch.Tensor]] = {
        "fbgemm dynamic Conv1d": lambda: dynamic(x)[0].t(),
        "im2col + linear_dynamic": lambda: torch.ops.quantized.linear_dynamic(columns(xt), packed, False),
        "int8 im2col + _int_mm": int_mm,
    }
    with torch.inference_mode():
        ref = conv(x)[0].t()
        gmac = channels * channels * k * length / 1e9
        with torch.autocast("cpu", dtype=torch.bfloat16):
            base = best_ms(lambda: conv(x))
            half = conv(x)[0].t()
        print(f"{channels} channels, k {k}, dilation {d}, {length} samples: {gmac:.2f} GMAC")
        print(f"  {'bf16 (oneDNN conv)':26s} {base:7.1f} ms {gmac / base * 1e3:5.0f} GMAC/s  "
              f"SNR {snr_db(ref, half):5.1f} dB  ratio 1.00")
        for name, route in routes.items():
            ms = best_ms(route)
            print(f"  {name:26s} {ms:7.1f} ms {gmac / ms * 1e3:5.0f} GMAC/s  SNR {snr_db(ref, route()):5.1f} dB  "
                  f"ratio {ms / base:.2f}", flush=True)


def main() -> int:
    warnings.simplefilter("ignore", UserWarning)  # quantized tensors: deprecation notices
    torch.set_num_threads(1)
    torch.manual_seed(0)
    print(f"one thread, torch {torch.__version__}, block call of {CALL_FRAMES} frames")
    for layer in LAYERS:
        compare(*layer)
    return 0


if __name__ == "__main__":
    sys.exit(main())
