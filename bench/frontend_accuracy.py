"""Frontend reading accuracy: the held-out sentence set and the two polyphone sets.

Usage: .venv/bin/python bench/frontend_accuracy.py [-v]

* held-out sentences (tests/data/frontend_heldout_sentences.tsv): syllables and
  whole sentences right, after sandhi, as `python -m tts pinyin` prints them
  (bench/sentence_eval.py);
* polyphone dev and held-out sets (tests/data/frontend_polyphones*.tsv): annotated
  characters right before sandhi, the frontend's own strategy only
  (bench/polyphone_eval.py).

-v lists the held-out sentences that differ, for checking the gold; the set is
held out, so rules are never written from that list.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from tts.frontend import Frontend  # noqa: E402
from bench.polyphone_eval import _frontend, evaluate, load_cases  # noqa: E402
from bench.sentence_eval import load_gold, score  # noqa: E402

DATA = ROOT / "tests" / "data"


def main(argv: list[str]) -> int:
    verbose = "-v" in argv
    result = score(Frontend().pinyin, load_gold(DATA / "frontend_heldout_sentences.tsv"))
    print(f"held-out sentences: {result.summary()}")
    strategy = _frontend()
    for name in ("frontend_polyphones.tsv", "frontend_polyphones_holdout.tsv"):
        correct, total, _ = evaluate(strategy, load_cases(DATA / name))
        print(f"{name}: {100 * correct / total:.1f}% ({correct}/{total})")
    if verbose:
        for failure in result.failures:
            print(failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
