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

Two additions serve the real-world set (``frontend_heldout_realworld.tsv``):

* a ``## genre: NAME`` comment starts a genre's block; the figures are then
  also reported per genre;
* ``[token]`` in a gold line stands for a Latin-letter word or mixed
  Latin/digit token of the sentence, written as it appears there (``[Android]``,
  ``[5G]``, ``[COVID-19]``).  Its reading depends on the English mapping, so
  it has no pinyin gold: the syllables the frontend reads for that stretch of
  the source (each syllable's source range, ``Utterance.syllable_spans``
  through ``Segment.source``) count as one position, right when there is at
  least one.

``-v`` also lists the sentences that differ (to check the gold, not to write
rules from: the set is held out).
"""

from __future__ import annotations

import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from tts.frontend import Frontend

Span = tuple[int, int]

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "frontend_heldout_sentences.tsv"

#: A gold position standing for a Latin/digit token of the sentence: ``[token]``.
TOKEN_RE = re.compile(r"\[([^\[\]\s]+)\]")
#: The comment line that starts a genre's block.
GENRE_RE = re.compile(r"##\s*genre:\s*(\S+)\s*$")


@dataclass(frozen=True)
class GoldSentence:
    """A sentence and, per gold position, the readings accepted there.

    A ``[token]`` position accepts only the unit ``[token]``; ``tokens`` gives, in
    order, the [start, end) range of the sentence each such token covers.
    """

    sentence: str
    gold: tuple[frozenset[str], ...]
    genre: str = ""
    tokens: tuple[tuple[str, Span], ...] = ()


@dataclass(frozen=True)
class Reading:
    """What the frontend read: syllables and, per syllable, the [start, end) range of the input."""

    syllables: tuple[str, ...]
    spans: tuple[Span, ...]


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
    """Parse a gold file (``#`` comments and blank lines are skipped, ``## genre:`` sets the genre).

    Raises ``ValueError`` naming the line for a line without ``sentence<TAB>gold``, an
    empty alternative (``a||b``) or a ``[token]`` that does not occur in the sentence
    (after the previous token).
    """
    items = []
    genre = ""
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        heading = GENRE_RE.match(line)
        if heading:
            genre = heading.group(1)
            continue
        if not line.strip() or line.startswith("#"):
            continue
        parts = line.split("\t")
        if len(parts) != 2 or not parts[1].split():
            raise ValueError(f"{path} line {number}: expected 'sentence<TAB>syllables', got {line!r}")
        sentence = parts[0]
        gold: list[frozenset[str]] = []
        tokens: list[tuple[str, Span]] = []
        cursor = 0
        for tok in parts[1].split():
            word = TOKEN_RE.fullmatch(tok)
            if word:
                at = sentence.find(word.group(1), cursor)
                if at < 0:
                    raise ValueError(f"{path} line {number}: {tok} is not in the sentence (after {cursor})")
                cursor = at + len(word.group(1))
                tokens.append((tok, (at, cursor)))
                gold.append(frozenset({tok}))
                continue
            accepted = tok.split("|")
            if not all(accepted):
                raise ValueError(f"{path} line {number}: empty reading in {tok!r}")
            gold.append(frozenset(accepted))
        items.append(GoldSentence(sentence, tuple(gold), genre, tuple(tokens)))
    return items


def units(reading: Reading, tokens: Sequence[tuple[str, Span]]) -> list[str]:
    """The syllables of ``reading`` with each gold token's syllables merged into one ``[token]`` unit.

    A syllable belongs to the first token whose source range it overlaps (a point range
    inside it counts); a token no syllable reads gives no unit, so the gold position misses.
    """
    out: list[str] = []
    seen: set[int] = set()
    for syllable, (start, end) in zip(reading.syllables, reading.spans):
        owner = next(
            (k for k, (_, (a, b)) in enumerate(tokens) if (start < b and a < end) or (start == end and a <= start < b)),
            None,
        )
        if owner is None:
            out.append(syllable)
        elif owner not in seen:
            seen.add(owner)
            out.append(tokens[owner][0])
    return out


def read_with_sources(frontend: Frontend) -> Callable[[str], Reading]:
    """``frontend``'s reading of a text of any length, with each syllable's range of that text.

    Splits like ``Frontend.pinyin`` does and takes each utterance's ``syllable_spans``
    through its segment's ``source`` map back to the text as given.
    """

    def read(text: str) -> Reading:
        syllables: list[str] = []
        spans: list[Span] = []
        for segment in frontend.split(text):
            utterance = frontend.analyze(segment.text)
            syllables.extend(utterance.syllables)
            source = segment.source
            for a, b in utterance.syllable_spans:
                spans.append(source.span(a, b) if source is not None else (a, b))
        return Reading(tuple(syllables), tuple(spans))

    return read


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


def score(pinyin: Callable[[str], Sequence[str] | Reading], items: Sequence[GoldSentence]) -> Score:
    """Score ``pinyin`` (``Frontend().pinyin``, or ``read_with_sources(frontend)``) on ``items``.

    Items with ``[token]`` positions need the source ranges of a `Reading`; plain
    syllables for such an item raise ``ValueError``.
    """
    result = Score()
    for item in items:
        output = pinyin(item.sentence)
        if isinstance(output, Reading):
            got = units(output, item.tokens)
        elif item.tokens:
            raise ValueError(f"{item.sentence!r} has [token] gold: score it with read_with_sources")
        else:
            got = list(output)
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


def score_by_genre(
    pinyin: Callable[[str], Sequence[str] | Reading], items: Sequence[GoldSentence]
) -> dict[str, Score]:
    """`score` per genre, in the order the genres first appear (items without one under "")."""
    genres: dict[str, list[GoldSentence]] = {}
    for item in items:
        genres.setdefault(item.genre, []).append(item)
    return {genre: score(pinyin, group) for genre, group in genres.items()}


def combined(scores: Iterable[Score]) -> Score:
    """The sum of several runs' counts (the whole set from its genres)."""
    total = Score()
    for s in scores:
        total.syllables_correct += s.syllables_correct
        total.syllables_total += s.syllables_total
        total.sentences_correct += s.sentences_correct
        total.sentences_total += s.sentences_total
        total.failures.extend(s.failures)
    return total


def genre_table(scores: dict[str, Score], total: Score) -> str:
    """A Markdown table of per-genre figures and the total (what tts/frontend/README.md reports)."""
    rows = ["| genre | sentences | syllables | syllables right | sentences right |", "|---|---:|---:|---:|---:|"]
    for genre, s in [*scores.items(), ("**all**", total)]:
        rows.append(
            f"| {genre or '-'} | {s.sentences_total} | {s.syllables_total} | "
            f"{100 * s.syllable_accuracy:.2f}% | {100 * s.sentence_accuracy:.1f}% |"
        )
    return "\n".join(rows)


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    paths = [a for a in args if a != "-v"]
    from tts.frontend import Frontend

    items = load_gold(paths[0] if paths else DEFAULT_DATA)
    genres = score_by_genre(read_with_sources(Frontend()), items)
    result = combined(genres.values())
    print(result.summary())
    if any(item.genre for item in items):
        print(genre_table(genres, result))
    if verbose:
        for failure in result.failures:
            print(failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
