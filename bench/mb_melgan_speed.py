"""MB-MelGAN alone: this tree's vocoder against another tree's, interleaved, same mels, same audio?

What `zh-tts say` runs per segment on the cpu profile: one single-threaded vocoder call per
item (one item per core). The mels are the held-out sentences' segments (cpu profile's
segmentation, float32 acoustic model of this tree), made once and handed to every tree. Each
tree runs in a worker process of its own (its `tts` on the path), all kept loaded; the trees
take turns pass by pass, so a shared machine's drift hits each alike. Printed: each tree's min
and median pass, the ratio to the first tree, and how far its audio is from the first tree's
(SNR, max difference): a speed-up must not change the audio beyond float rounding.

    git archive HEAD tts | tar -x -C /tmp/base     # the baseline: a tree with just the package
    .venv/bin/python bench/mb_melgan_speed.py --trees /tmp/base,. --rounds 5
    .venv/bin/python bench/mb_melgan_speed.py --profile      # where this tree's time goes, per op
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HELD_OUT = ROOT / "tests" / "data" / "frontend_heldout_sentences.tsv"


def make_mels(sentences: int, path: Path) -> int:
    """Save the segments' mels [(T, 80)] of the first held-out sentences to `path`; returns frames."""
    sys.path.insert(0, str(ROOT))
    import torch

    from bench.sentence_eval import load_gold
    from tts.engine import AcousticItem, Engine
    from tts.pipeline import Pipeline
    from tts.serving.profiles import load_profile

    pipeline = Pipeline.load()
    engine = Engine.load(vocoders=("mb_melgan",))
    max_chars = load_profile("cpu").text.max_segment_chars
    mels = []
    for gold in load_gold(HELD_OUT)[:sentences]:
        for seg in pipeline.prepare(gold.sentence, max_chars=max_chars):
            mels.append(engine.acoustic([AcousticItem(seg.ids)])[0].mel)
    torch.save(mels, path)
    return sum(m.shape[0] for m in mels)


def worker(tree: str, mels_path: str, threads: int) -> int:
    """Serve `run` (prints one pass's seconds) and `save PATH` (the last pass's audio) on stdin."""
    sys.path.insert(0, tree)
    import numpy as np
    import torch

    from tts.models.loading import load_mb_melgan

    torch.set_num_threads(threads)
    model = load_mb_melgan(None).eval()
    mels = torch.load(mels_path)
    audio: list[np.ndarray] = []
    for line in sys.stdin:
        command, _, arg = line.strip().partition(" ")
        if command == "run":
            started = time.perf_counter()
            with torch.inference_mode():
                audio = [model(mel[None])[0].numpy() for mel in mels]
            print(time.perf_counter() - started, flush=True)
        elif command == "save":
            np.save(arg, np.concatenate(audio))
            print("saved", flush=True)
    return 0


def profile(mels_path: Path, threads: int) -> None:
    """torch.profiler's per-op table of one pass of this tree's vocoder."""
    sys.path.insert(0, str(ROOT))
    import torch
    from torch.profiler import ProfilerActivity
    from torch.profiler import profile as torch_profile

    from tts.models.loading import load_mb_melgan

    torch.set_num_threads(threads)
    model = load_mb_melgan(None).eval()
    mels = torch.load(mels_path)
    with torch.inference_mode():
        for mel in mels[:4]:
            model(mel[None])
        with torch_profile(activities=[ProfilerActivity.CPU]) as prof:
            for mel in mels:
                model(mel[None])
    print(prof.key_averages().table(sort_by="self_cpu_time_total", row_limit=20))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--trees", default=".", help="comma-separated source trees; the first is the baseline")
    parser.add_argument("--rounds", type=int, default=5, help="passes per tree (min and median kept)")
    parser.add_argument("--sentences", type=int, default=20, help="held-out sentences whose segments are vocoded")
    parser.add_argument("--threads", type=int, default=1, help="threads per call (the cpu profile's items: 1)")
    parser.add_argument("--profile", action="store_true", help="print this tree's per-op profile instead")
    parser.add_argument("--worker", nargs=2, metavar=("TREE", "MELS"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        return worker(args.worker[0], args.worker[1], args.threads)

    import numpy as np

    with tempfile.TemporaryDirectory(prefix="mb-melgan-speed-") as tmp:
        mels_path = Path(tmp) / "mels.pt"
        frames = make_mels(args.sentences, mels_path)
        if args.profile:
            profile(mels_path, args.threads)
            return 0
        trees = [str(Path(t).resolve()) for t in args.trees.split(",") if t.strip()]
        workers = {t: subprocess.Popen([sys.executable, __file__, "--threads", str(args.threads),
                                        "--worker", t, str(mels_path)],
                                       cwd=t, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
                   for t in trees}

        def ask(tree: str, command: str) -> str:
            proc = workers[tree]
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(command + "\n")
            proc.stdin.flush()
            answer = proc.stdout.readline()
            if not answer:
                raise SystemExit(f"the worker for {tree} stopped")
            return answer.strip()

        times: dict[str, list[float]] = {t: [] for t in trees}
        for t in trees:  # warm-up pass
            ask(t, "run")
        for r in range(args.rounds):
            for t in trees if r % 2 == 0 else trees[::-1]:
                times[t].append(float(ask(t, "run")))
        audio = {}
        for i, t in enumerate(trees):
            ask(t, f"save {tmp}/audio{i}.npy")
            audio[t] = np.load(f"{tmp}/audio{i}.npy")
        for proc in workers.values():
            assert proc.stdin is not None
            proc.stdin.close()
            proc.wait()
    print(f"MB-MelGAN, {frames} frames ({frames / 80:.1f} s of audio) in segments of {args.sentences} held-out "
          f"sentences, {args.threads} thread(s) per call, {args.rounds} passes per tree, alternating")
    base = trees[0]
    print(f"{'tree':40s} {'min s':>7s} {'median s':>9s} {'ratio min':>9s} {'ratio med':>9s} {'SNR dB':>7s} {'max diff':>9s}")
    for t in trees:
        diff = audio[t] - audio[base]
        noise = float(np.sum(diff.astype(np.float64) ** 2))
        snr = float("inf") if noise == 0 else 10 * np.log10(np.sum(audio[base].astype(np.float64) ** 2) / noise)
        print(f"{t[-40:]:40s} {min(times[t]):7.3f} {statistics.median(times[t]):9.3f} "
              f"{min(times[t]) / min(times[base]):9.3f} "
              f"{statistics.median(times[t]) / statistics.median(times[base]):9.3f} {snr:7.1f} "
              f"{float(np.abs(diff).max()):9.2e}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
