"""HiFi-GAN's generator at the cpu profile's fixed block shapes: which runtime computes a call fastest on one core.

With `precision.hifigan_bf16` every generator call on a CPU has one of two shapes (the
profile's BlockSchedule: first block + pad frames, block + 2 pads), each on one thread. This
times one call of each shape per variant, the variants interleaved (order rotated each round),
and prints the minimum over rounds and its ratio to the current path (bf16 autocast, eager):

- float32, eager;
- bf16 eager, two calls side by side (one per core, each on one thread): time per call;
- torch.jit.trace + freeze + optimize_for_inference per shape (bf16 weights, and float32);
- onnxruntime float32 (if installed), exported into a temporary folder;
- the bf16 call shapes for a smaller pad (fewer context frames per block).

Each variant's output is compared with its precision's eager output (SNR; "equal" when bit
for bit), and each variant's start-up cost (trace + freeze, export + session) is printed. The
input is a real bridged mel (FastSpeech2 on a sentence of `bench/serve_bench.py`'s paragraph).

Run: python bench/hifigan_runtimes.py [--rounds 5] [--pad 16]
"""

from __future__ import annotations

import argparse
import copy
import shutil
import sys
import tempfile
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "bench")]

import numpy as np  # noqa: E402
import torch  # noqa: E402

Call = Callable[[torch.Tensor], torch.Tensor]  # bridged mel (1, F, 80) float32 -> generator samples (1, F * 256)


def snr(ref: torch.Tensor, got: torch.Tensor) -> str:
    if torch.equal(ref, got):
        return "equal"
    noise = float(((ref - got) ** 2).sum())
    return f"{10 * np.log10(float((ref ** 2).sum()) / max(noise, 1e-30)):.1f} dB"


def jit_variant(generator: torch.nn.Module, dtype: torch.dtype, shapes: list[torch.Tensor]) -> Call:
    """A traced, frozen, inference-optimized copy of the generator per input shape."""
    model = copy.deepcopy(generator).to(dtype)
    frozen = {}
    for x in shapes:
        traced = torch.jit.trace(model, x.to(dtype), check_trace=False)
        frozen[x.shape[1]] = torch.jit.optimize_for_inference(torch.jit.freeze(traced.eval()))
    return lambda x: frozen[x.shape[1]](x.to(dtype)).float()


def ort_variant(generator: torch.nn.Module, example: torch.Tensor, folder: Path) -> Call:
    import onnxruntime as ort

    path = folder / "hifigan.onnx"
    torch.onnx.export(generator, (example,), str(path), dynamo=False, opset_version=17, input_names=["mel"],
                      output_names=["wav"], dynamic_axes={"mel": {1: "frames"}, "wav": {1: "samples"}})
    options = ort.SessionOptions()
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
    return lambda x: torch.from_numpy(session.run(None, {"mel": x.numpy()})[0])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--pad", type=int, default=16, help="the smaller pad to time (>= the receptive field)")
    args = parser.parse_args()

    from serve_bench import PARAGRAPH_300 as paragraph

    from tts.engine import AcousticItem, Engine
    from tts.pipeline import Pipeline
    from tts.serving.profiles import load_profile

    torch.set_num_threads(1)  # every variant runs a call on one thread, as the bf16 path does
    engine = Engine.load(vocoders=("hifigan",))
    vocoder = engine.vocoder("hifigan")
    generator = vocoder.generator
    blocks = load_profile("cpu").vocoder
    first, block, pad = blocks.first_block_frames, blocks.block_frames, blocks.pad_frames
    segments = Pipeline.load().prepare(paragraph, max_chars=60)
    with torch.no_grad():  # not inference mode: torch.jit.trace takes no inference tensors
        mel = torch.cat([r.mel for r in engine.acoustic([AcousticItem(s.ids) for s in segments[:3]])])
        bridged = vocoder.bridge(mel.clone()[None])
    sizes = {"first": first + pad, "block": block + 2 * pad,
             f"first, pad {args.pad}": first + args.pad, f"block, pad {args.pad}": block + 2 * args.pad}
    if bridged.shape[1] < max(sizes.values()):
        raise SystemExit(f"need {max(sizes.values())} frames, the sentences gave {bridged.shape[1]}")
    inputs = {name: bridged[:, 100 : 100 + n].contiguous() for name, n in sizes.items()}
    main_shapes = [inputs["first"], inputs["block"]]

    def eager(dtype: torch.dtype | None) -> Call:
        def call(x: torch.Tensor) -> torch.Tensor:
            with torch.autocast("cpu", dtype=dtype or torch.float32, enabled=dtype is not None):
                return generator(x).float()
        return call

    bf16 = eager(torch.bfloat16)
    pool = ThreadPoolExecutor(2)  # its threads start on the process default: one thread each

    def side_by_side(x: torch.Tensor) -> torch.Tensor:
        a, b = pool.submit(bf16, x), pool.submit(bf16, x)
        out = a.result()
        b.result()
        return out

    builders: dict[str, Callable[[], Call]] = {
        "bf16 eager (current)": lambda: bf16,
        "float32 eager": lambda: eager(None),
        "bf16 eager, 2 side by side": lambda: side_by_side,
        "bf16 jit frozen": lambda: jit_variant(generator, torch.bfloat16, main_shapes),
        "float32 jit frozen": lambda: jit_variant(generator, torch.float32, main_shapes),
    }
    folder = Path(tempfile.mkdtemp(prefix="hifigan-ort-"))
    try:
        import onnxruntime  # noqa: F401

        builders["onnxruntime float32"] = lambda: ort_variant(generator, inputs["block"], folder)
    except ImportError:
        print("onnxruntime is not installed: not measured")
    try:
        return measure(builders, inputs, sizes, args.rounds, bf16, pad, first, block, pool)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def measure(builders: dict[str, Callable[[], Call]], inputs: dict[str, torch.Tensor], sizes: dict[str, int],
            rounds: int, bf16: Call, pad: int, first: int, block: int, pool: ThreadPoolExecutor) -> int:
    """Build every variant (start-up timed), time them interleaved, print the table."""
    main_shapes = [inputs["first"], inputs["block"]]
    variants: dict[str, tuple[Call, Call | None, float]] = {}  # name -> (call, its reference, start-up s)
    refs = {"float32 eager": None, "float32 jit frozen": "float32 eager", "onnxruntime float32": "float32 eager"}
    with torch.no_grad():
        for name, build in builders.items():
            started = time.perf_counter()
            try:
                call = build()
                for x in main_shapes:  # first calls: kernels for the shape are made here
                    call(x)
            except Exception as exc:  # noqa: BLE001 - a runtime that cannot take the model is a result
                print(f"{name}: failed ({type(exc).__name__}: {str(exc).splitlines()[0][:200]})")
                continue
            ref = refs.get(name, "bf16 eager (current)")
            if name == "bf16 eager (current)":
                ref = None
            variants[name] = (call, variants[ref][0] if ref in variants else None, time.perf_counter() - started)
        times: dict[tuple[str, str], list[float]] = {}
        order = list(variants)
        for r in range(rounds):
            for name in order[r % len(order):] + order[: r % len(order)]:
                call = variants[name][0]
                for shape in ("first", "block"):
                    started = time.perf_counter()
                    call(inputs[shape])
                    seconds = time.perf_counter() - started
                    if name == "bf16 eager, 2 side by side":
                        seconds /= 2  # two calls done: time per call
                    times.setdefault((name, shape), []).append(seconds)
            for shape in sizes:
                if "pad" in shape:
                    started = time.perf_counter()
                    bf16(inputs[shape])
                    times.setdefault(("bf16 eager (current)", shape), []).append(time.perf_counter() - started)
        print(f"HiFi-GAN generator, one thread per call, {rounds} rounds interleaved (min), torch "
              f"{torch.__version__}; call shapes: " + ", ".join(f"{k} {v} frames" for k, v in sizes.items()))
        base = {shape: min(times[("bf16 eager (current)", shape)]) for shape in ("first", "block")}
        for name, (call, ref, startup) in variants.items():
            agree = "" if ref is None else " vs its eager path: " + ", ".join(
                f"{shape} {snr(ref(inputs[shape]), call(inputs[shape]))}" for shape in ("first", "block"))
            cells = "  ".join(f"{shape} {1000 * min(times[(name, shape)]):7.1f} ms "
                              f"({min(times[(name, shape)]) / base[shape]:.2f})" for shape in ("first", "block"))
            print(f"{name:28s} {cells}  start-up {startup:5.2f} s{agree}")
        for shape in sizes:
            if "pad" in shape:
                full = "first" if shape.startswith("first") else "block"
                t = min(times[("bf16 eager (current)", shape)])
                print(f"bf16 eager, {shape:14s} {1000 * t:7.1f} ms ({t / base[full]:.2f} of the pad-{pad} call)")
    pool.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
