"""Fast speech by ear: uniform duration scaling against excess-over-a-floor scaling
(tts/models/duration_scaling.py), scored with the listening instrument (tests/listening.py).

The same held-out sentences are said at speed 1.0, 0.5, 1.5 and 2.0 with each duration floor
(0 = every symbol scaled uniformly, the model's old behaviour); the conditions are interleaved
sentence by sentence, then heard one clip per Whisper call. Speed 0.5 is said with every floor
too and must come out sample-identical (the floor only acts when speech speeds up). The table
gives CER per speed and floor, and the clip length against speed 1.0's (the requested rate is
1/speed).

    .venv/bin/python bench/duration_floor.py --sentences 40 --floors 0,2
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "tests")]

from listening import corpus_cer, get_listener

from bench.sentence_eval import load_gold
from tts.options import SynthesisOptions
from tts.synthesizer import Synthesizer

DATA = ROOT / "tests" / "data"
RATE = 24000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sentences", type=int, default=40, help="first N held-out sentences")
    parser.add_argument("--floors", default="0,2", help="duration floors to compare, frames (0 = uniform)")
    parser.add_argument("--speeds", default="1.5,2.0", help="faster speeds, said with every floor")
    parser.add_argument("--hear-normal", action="store_true",
                        help="transcribe speed 1.0 too (otherwise it only gives the lengths)")
    parser.add_argument("--threads", type=int, default=2)
    args = parser.parse_args(argv)

    import torch

    torch.set_num_threads(args.threads)
    floors = [float(f) for f in args.floors.split(",")]
    speeds = [float(s) for s in args.speeds.split(",")]
    texts = [g.sentence for g in load_gold(DATA / "frontend_heldout_sentences.tsv")][:args.sentences]
    synth = Synthesizer.from_profile("cpu", warm_up=False)
    model = synth.engine.acoustic_model
    listener = get_listener()
    # condition -> clips; the reference speed 1.0 and speed 0.5 (identical for every floor)
    clips: dict[str, list[np.ndarray]] = {}
    slow_identical = True
    started = time.perf_counter()
    try:
        for text in texts:
            for speed in [1.0, 0.5, *speeds]:
                said = []
                for floor in floors:
                    model.duration_floor = floor
                    said.append(synth.synthesize(SynthesisOptions(text, quality="fast", speed=speed),
                                                 use_cache=False).audio)
                if speed <= 1.0:
                    slow_identical &= all(np.array_equal(said[0], a) for a in said[1:])
                    clips.setdefault(f"{speed:g}", []).append(said[0])
                else:
                    for floor, audio in zip(floors, said):
                        clips.setdefault(f"{speed:g} floor {floor:g}", []).append(audio)
        synthesized = time.perf_counter() - started
        heard = {name: listener.transcribe_many([(a, RATE) for a in audio], texts) for name, audio in clips.items()
                 if name != "1" or args.hear_normal}
    finally:
        synth.close()
    base_len = sum(len(a) for a in clips["1"])
    print(f"{len(texts)} held-out sentences (tests/data/frontend_heldout_sentences.tsv), MB-MelGAN, "
          f"synthesis {synthesized:.0f} s, listening {time.perf_counter() - started - synthesized:.0f} s; "
          f"speed 0.5 sample-identical for every floor: {slow_identical}\n")
    print("| speed | duration floor (frames) | CER | length vs speed 1.0 (requested) |")
    print("|---|---:|---:|---:|")
    for name, audio in clips.items():
        if name not in heard:
            continue
        speed, _, floor = name.partition(" floor ")
        length = sum(len(a) for a in audio) / base_len
        print(f"| {speed} | {floor or 'any'} | {100 * corpus_cer(texts, heard[name]):.2f}% | "
              f"{length:.3f} ({1 / float(speed):.3f}) |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
