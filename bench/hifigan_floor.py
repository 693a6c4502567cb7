"""HiFi-GAN's compute floor on this CPU: multiply-accumulates per second of audio against the peak
one core reaches in bf16 and in int8, and the real-time factor those peaks allow.

1. MACs per second of 22.05 kHz audio, per stage, counted from the generator's config (a
   convolution with Cin inputs, Cout outputs and k taps costs Cin * Cout * k MACs per output
   sample; a transposed convolution with stride u costs Cin * Cout * k per input sample).
2. The fixed-shape blocks' context overhead: the frames the generator computes per frame of audio
   under the profile's vocoder schedule (`BlockSchedule.call_frames`: first block + pad, later
   blocks + 2 pads, a segment's last call its context rounded up) and under the third round's
   (pad 24, every call the full size), over segments of a few typical lengths.
3. One large matrix product per core on one thread (a tiny probe): float32, bf16 and fbgemm's
   dynamic int8 product (u8 x s8 with VNNI), GMAC/s each, best of a few repeats.
4. RTF floor = MACs per audio second x overhead / (peak per core x cores): no implementation of
   these convolutions can beat it on this CPU at that precision.

Run: python bench/hifigan_floor.py [--cores 2] [--profile cpu]
"""

from __future__ import annotations

import argparse
import sys
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT)]

from bench.hifigan_int8_layers import best_ms  # noqa: E402  (one timing loop for both benches)


def stage_macs(cfg) -> list[tuple[str, float]]:
    """(stage name, MACs per generator output sample... summed per mel frame) for a HiFi-GAN config."""
    ch = cfg.upsample_initial_channel
    rows = [("conv_pre", cfg.num_mels * ch * 7.0)]  # one mel frame in, one frame out
    rate = 1  # samples per mel frame at the current stage
    taps = sum(k * (len(ds) * 2 if cfg.resblock == "1" else 2)
               for k, ds in zip(cfg.resblock_kernel_sizes, cfg.resblock_dilation_sizes))
    for i, (u, k) in enumerate(zip(cfg.upsample_rates, cfg.upsample_kernel_sizes)):
        cin, cout = ch // 2 ** i, ch // 2 ** (i + 1)
        rows.append((f"ups.{i} ({cin}->{cout}, k{k}, x{u})", cin * cout * k * float(rate)))
        rate *= u
        rows.append((f"resblocks stage {i} ({cout} ch, {taps} taps)", cout * cout * taps * float(rate)))
    rows.append(("conv_post", ch // 2 ** len(cfg.upsample_rates) * 7.0 * rate))
    return rows


def overhead(schedule, frames: int) -> float:
    """Generator frames computed per frame of audio for one segment of `frames` frames."""
    return sum(schedule.call_frames(c) for c in schedule.chunks(frames)) / frames


def peak(kind: str, m: int = 4096, k: int = 1024, n: int = 1024, repeats: int = 5) -> float:
    """GMAC/s of one (m, k) x (k, n) product on this thread."""
    import torch

    torch.manual_seed(0)
    a, b = torch.randn(m, k), torch.randn(k, n)
    if kind == "int8":
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)
            q = torch.quantize_per_channel(b.t().contiguous(), (b.abs().amax(0) / 127).double(),
                                           torch.zeros(n, dtype=torch.long), 0, torch.qint8)
            packed = torch.ops.quantized.linear_prepack(q, None)

        def call():
            return torch.ops.quantized.linear_dynamic(a, packed, False)
    else:
        dtype = torch.bfloat16 if kind == "bf16" else torch.float32
        a, b = a.to(dtype), b.to(dtype)

        def call():
            return a @ b
    return m * k * n / (best_ms(call, repeats) / 1e3) / 1e9


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cores", type=int, default=2)
    parser.add_argument("--profile", default="cpu")
    args = parser.parse_args()

    import torch

    from tts.engine import vocoder_schedule
    from tts.models.chunking import BlockSchedule
    from tts.models.hifigan import HiFiGANConfig
    from tts.serving.profiles import load_profile

    cfg = HiFiGANConfig()  # V1, the fetched universal generator's
    frames_per_s = cfg.sampling_rate / cfg.hop_size
    rows = stage_macs(cfg)
    per_frame = sum(v for _, v in rows)
    print(f"HiFi-GAN V1, {cfg.sampling_rate} Hz, hop {cfg.hop_size}: {frames_per_s:.2f} frames per second of audio")
    for name, value in rows:
        print(f"  {name:42s} {value * frames_per_s / 1e9:7.3f} GMAC/s of audio  ({value / per_frame:5.1%})")
    per_s = per_frame * frames_per_s / 1e9
    print(f"  {'total':42s} {per_s:7.3f} GMAC per second of audio")

    shipped = vocoder_schedule(load_profile(args.profile))
    schedules = {"third round (pad 24, full calls)": BlockSchedule(shipped.first_block, shipped.block, 24, 10**6),
                 f"{args.profile} ({shipped.first_block}/{shipped.block}/{shipped.pad}, trimmed)": shipped}
    lengths = (150, 250, 350, 500)
    print("context overhead, generator frames per audio frame, segments of " + "/".join(map(str, lengths))
          + " frames (whole decoding in one call: 1.00):")
    overheads = {}
    for name, schedule in schedules.items():
        values = [overhead(schedule, t) for t in lengths]
        overheads[name] = sum(values) / len(values)
        print(f"  {name:34s} " + "  ".join(f"{v:.2f}" for v in values) + f"   mean {overheads[name]:.2f}")

    torch.set_num_threads(1)
    peaks = {kind: max(peak(kind) for _ in range(2)) for kind in ("float32", "bf16", "int8")}
    print(f"one (4096 x 1024) x (1024 x 1024) product on one thread, torch {torch.__version__}:")
    for kind, value in peaks.items():
        print(f"  {kind:8s} {value:7.1f} GMAC/s per core")
    print(f"RTF floor on {args.cores} cores = {per_s:.2f} GMAC x overhead / (peak x {args.cores}):")
    for kind, value in peaks.items():
        cells = [f"{name}: {per_s * o / (value * args.cores):.3f}" for name, o in overheads.items()]
        print(f"  {kind:8s} whole (no context) {per_s / (value * args.cores):.3f}   " + "   ".join(cells))
    return 0


if __name__ == "__main__":
    sys.exit(main())
