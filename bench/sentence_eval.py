"""Whole-sentence accuracy of the frontend against hand-written gold syllables.

Run ``python bench/sentence_eval.py [FILE] [-v]``.  The default file is
``tests/data/frontend_heldout_sentences.tsv``: one ``sentence<TAB>gold`` per
line, the gold being the syllables after tone sandhi and erhua exactly as
``python -m tts pinyin`` prints them, ``a|b`` accepting either reading at a
position.  Two figures are reported:

* **syllables**: gold syllables matched by the output, after aligning the two
  sequences (an edit-distance alignment, so a missing or extra syllable costs
  one error and does not shift every later syllable);
* **sentences**: sentences whose output matches the gold completely.

``-v`` also lists the sentences that differ (to check the gold, not to write
rules from: the set is held out).
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "frontend_heldout_sentences.tsv"


@dataclass(frozen=True)
class GoldSentence:
    """A sentence and, per gold syllable, the readings accepted there."""

    sentence: str
    gold: tuple[frozenset[str], ...]


@dataclass
class Score:
    """Counts of one run over a gold set."""

    syllables_correct: int = 0
    syllables_total: int = 0
    sentences_correct: int = 0
    sentences_total: int = 0
    failures: list[str] = field(default_factory=list)

    @property
    def syllable_accuracy(self) -> float:
        return self.syllables_correct / self.syllables_total if self.syllables_total else 1.0

    @property
    def sentence_accuracy(self) -> float:
        return self.sentences_correct / self.sentences_total if self.sentences_total else 1.0

    def summary(self) -> str:
        return (
            f"syllables {100 * self.syllable_accuracy:.2f}% ({self.syllables_correct}/{self.syllables_total}), "
            f"sentences {100 * self.sentence_accuracy:.1f}% ({self.sentences_correct}/{self.sentences_total})"
        )


def load_gold(path: str | Path = DEFAULT_DATA) -> list[GoldSentence]:
    """Parse a gold file (``#`` comments and blank lines are skipped)."""
    items = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[1].split():
            raise ValueError(f"{path} line {number}: expected 'sentence<TAB>syllables', got {line!r}")
        gold = tuple(frozenset(tok.split("|")) for tok in parts[1].split())
        items.append(GoldSentence(parts[0], gold))
    return items


def matched(got: Sequence[str], gold: Sequence[frozenset[str]]) -> int:
    """Number of gold positions matched by ``got`` under the best alignment.

    Levenshtein alignment with unit costs: a position counts as matched when
    it is aligned to an output syllable among its accepted readings.
    """
    n, m = len(gold), len(got)
    if n == m and all(g in acc for g, acc in zip(got, gold)):
        return n
    # cost[i][j]: errors aligning gold[:i] with got[:j]; hits tracks matched positions on that path.
    prev_cost = list(range(m + 1))
    prev_hits = [0] * (m + 1)
    for i in range(1, n + 1):
        cost = [i] + [0] * m
        hits = [0] + [0] * m
        for j in range(1, m + 1):
            ok = got[j - 1] in gold[i - 1]
            options = (
                (prev_cost[j - 1] + (0 if ok else 1), -(prev_hits[j - 1] + ok)),
                (prev_cost[j] + 1, -prev_hits[j]),
                (cost[j - 1] + 1, -hits[j - 1]),
            )
            best = min(options)
            cost[j], hits[j] = best[0], -best[1]
        prev_cost, prev_hits = cost, hits
    return prev_hits[m]


def score(pinyin: Callable[[str], list[str]], items: Sequence[GoldSentence]) -> Score:
    """Score ``pinyin`` (e.g. ``Frontend().pinyin``) on ``items``."""
    result = Score()
    for item in items:
        got = pinyin(item.sentence)
        hits = matched(got, item.gold)
        result.syllables_total += len(item.gold)
        result.syllables_correct += hits
        result.sentences_total += 1
        if hits == len(item.gold) and len(got) == len(item.gold):
            result.sentences_correct += 1
        else:
            want = " ".join("|".join(sorted(acc)) for acc in item.gold)
            result.failures.append(f"{item.sentence}\n    got  {' '.join(got)}\n    want {want}")
    return result


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    paths = [a for a in args if a != "-v"]
    from tts.frontend import Frontend

    items = load_gold(paths[0] if paths else DEFAULT_DATA)
    result = score(Frontend().pinyin, items)
    print(result.summary())
    if verbose:
        for failure in result.failures:
            print(failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
