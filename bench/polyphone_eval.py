"""Measure polyphone accuracy of several pinyin strategies.

Run ``python bench/polyphone_eval.py [tests/data/frontend_polyphones.tsv]``.
Each annotated character of the evaluation set is compared with the
reading a strategy gives (before tone sandhi); the printed table is what
README.md reports.  "rules" means the context rules of
:mod:`tts.frontend.polyphones`, the neutral-tone rules and the word
corrections of :data:`tts.frontend.dictionary.CORRECTIONS`.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

DEFAULT_DATA = Path(__file__).resolve().parents[1] / "tests" / "data" / "frontend_polyphones.tsv"


@dataclass(frozen=True)
class Case:
    """One evaluation sentence: the sentence and (position, accepted readings) per annotated character."""

    sentence: str
    targets: tuple[tuple[int, frozenset[str]], ...]


def load_cases(path: str | Path = DEFAULT_DATA) -> list[Case]:
    """Parse the TSV evaluation file, checking that every occurrence of an annotated char is annotated."""
    cases = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        sentence, notes = line.split("\t")
        pairs = [n.split("=") for n in notes.split()]
        chars = {c for c, _ in pairs}
        positions = [i for i, ch in enumerate(sentence) if ch in chars]
        if [sentence[i] for i in positions] != [c for c, _ in pairs]:
            raise ValueError(
                f"{path} line {number}: annotations {[c for c, _ in pairs]} do not match the "
                f"occurrences {[sentence[i] for i in positions]} in {sentence!r}"
            )
        cases.append(Case(sentence, tuple((i, frozenset(r.split("/"))) for i, (_, r) in zip(positions, pairs))))
    return cases


Strategy = Callable[[str], list[str]]


def _pypinyin_plain() -> Strategy:
    from pypinyin import Style, lazy_pinyin

    def run(sentence: str) -> list[str]:
        out = lazy_pinyin(sentence, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda x: list(x))
        return out if len(out) == len(sentence) else [""] * len(sentence)

    return run


def _g2pm() -> Strategy:
    from tts.frontend.polyphones import G2pMPredictor

    predictor = G2pMPredictor()
    return predictor.predict


def _frontend(**options) -> Strategy:
    from tts.frontend.frontend import Frontend
    from tts.frontend.g2p import G2POptions

    fe = Frontend(options=G2POptions(**options))

    def run(sentence: str) -> list[str]:
        pairs = fe.base_readings(sentence)
        readings = [r for _, r in pairs]
        chars = "".join(c for c, _ in pairs)
        # Align to the sentence (punctuation is not in the readings).
        out, k = [], 0
        for ch in sentence:
            if k < len(chars) and chars[k] == ch:
                out.append(readings[k])
                k += 1
            else:
                out.append("")
        return out

    return run


STRATEGIES: dict[str, Callable[[], Strategy]] = {
    "pypinyin alone (its own phrase matching)": _pypinyin_plain,
    "g2pM alone": _g2pm,
    "jieba + pypinyin phrases": lambda: _frontend(phrase_sources=("pypinyin",), use_rules=False),
    "jieba + pypinyin + pypinyin-dict cc_cedict": lambda: _frontend(
        phrase_sources=("pypinyin", "cc_cedict"), use_rules=False),
    "jieba + pypinyin + pypinyin-dict large_pinyin": lambda: _frontend(
        phrase_sources=("pypinyin", "large_pinyin"), use_rules=False),
    "jieba + phrases (large_pinyin) + g2pM for the rest": lambda: _frontend(
        phrase_sources=("pypinyin", "large_pinyin"), use_rules=False, use_g2pm=True),
    "jieba + phrases (large_pinyin) + rules  [the frontend]": lambda: _frontend(
        phrase_sources=("corrections", "pypinyin", "large_pinyin"), use_rules=True),
    "jieba + phrases (large_pinyin) + rules + g2pM for the rest": lambda: _frontend(
        phrase_sources=("corrections", "pypinyin", "large_pinyin"), use_rules=True, use_g2pm=True),
}


def evaluate(strategy: Strategy, cases: list[Case]) -> tuple[int, int, list[str]]:
    """(correct, total, error descriptions) of ``strategy`` on ``cases``."""
    correct = total = 0
    errors = []
    for case in cases:
        got = strategy(case.sentence)
        for pos, accepted in case.targets:
            total += 1
            reading = got[pos] if pos < len(got) else ""
            if reading in accepted:
                correct += 1
            else:
                want = "/".join(sorted(accepted))
                errors.append(f"{case.sentence} {case.sentence[pos]}: got {reading or '-'}, want {want}")
    return correct, total, errors


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    verbose = "-v" in args
    paths = [a for a in args if a != "-v"]
    cases = load_cases(paths[0] if paths else DEFAULT_DATA)
    print(f"{len(cases)} sentences, {sum(len(c.targets) for c in cases)} annotated characters")
    for name, make in STRATEGIES.items():
        correct, total, errors = evaluate(make(), cases)
        print(f"{100 * correct / total:5.1f}%  {correct}/{total}  {name}")
        if verbose:
            for e in errors:
                print("      ", e)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
