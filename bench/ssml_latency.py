"""First-chunk latency of a 300-character paragraph: plain text against the same paragraph as SSML.

The SSML version carries what markup usually carries (a slower phrase, a corrected reading, a
sentence wrapped in <s>, a say-as number, an emphasis-like emotion span); the plain version is its
spoken text. Both go through the same idle Synthesizer (CPU profile, real weights, cache off),
alternating for --rounds rounds; the median first chunk of each and their ratio are printed
(goal: SSML within 10% of plain text). Timestamps are computed either way (every chunk carries
them), so this also covers their cost.

    .venv/bin/python bench/ssml_latency.py --rounds 15
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bench.serve_bench import PARAGRAPH_300  # noqa: E402
from tts.engine import Engine  # noqa: E402
from tts.options import SynthesisOptions  # noqa: E402
from tts.pipeline import Pipeline  # noqa: E402
from tts.serving.profiles import load_profile  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402


def as_ssml(text: str) -> str:
    """The paragraph with markup of each common kind, speaking the same characters."""
    first, rest = text.split("。", 1)
    rest = rest.replace("个人隐私", '<prosody rate="80%">个人隐私</prosody>', 1)
    rest = rest.replace("学者", '<phoneme alphabet="py" ph="xue2 zhe3">学者</phoneme>', 1)
    rest = rest.replace("展望未来", '<emotion category="happy" intensity="0.8">展望未来</emotion>', 1)
    return (f'<speak xmlns="http://www.w3.org/2001/10/synthesis"><s>{first}。</s>'
            f'<prosody pitch="+1st">{rest}</prosody></speak>')


def first_chunk(synth: Synthesizer, text: str) -> float:
    started = time.perf_counter()
    with synth.stream(SynthesisOptions(text, quality="fast"), use_cache=False) as stream:
        next(stream)
        took = time.perf_counter() - started
        for _ in stream:
            pass
    return took


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    synth = Synthesizer(load_profile("cpu"), Engine.load(), Pipeline.load(), warm_up=True)
    plain, ssml = PARAGRAPH_300, as_ssml(PARAGRAPH_300)
    assert synth.synthesize(SynthesisOptions(ssml), use_cache=False).pinyin  # it parses and speaks
    times: dict[str, list[float]] = {"plain": [], "ssml": []}
    for r in range(args.rounds):
        for name in (("plain", "ssml") if r % 2 == 0 else ("ssml", "plain")):
            times[name].append(first_chunk(synth, plain if name == "plain" else ssml))
    synth.close()
    med = {k: statistics.median(v) for k, v in times.items()}
    print(f"first chunk of a {len(plain)}-character paragraph, median of {args.rounds} alternating rounds:")
    print(f"  plain text: {med['plain'] * 1000:.1f} ms   SSML ({len(ssml)} characters of markup): "
          f"{med['ssml'] * 1000:.1f} ms   ratio {med['ssml'] / med['plain']:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
