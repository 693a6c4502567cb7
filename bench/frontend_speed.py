"""Time the text frontend per 1,000 characters on a fixed mixed corpus.

Usage:
  .venv/bin/python bench/frontend_speed.py                 # the working tree
  .venv/bin/python bench/frontend_speed.py REV_A REV_B     # two git revisions, A as the baseline
                                                           # ("." is the working tree)

Corpus: assets/eval_sentences.txt and the sentences of
tests/data/frontend_heldout_sentences.tsv (taken from the working tree, so both
revisions read the same text), each sentence given to ``Frontend().pinyin``
one by one, the whole list repeated ``--passes`` times after one warm-up pass
(jieba and the phrase tables load during the warm-up, not in the timing).
Characters are counted without whitespace.  The figure is the median over the
passes of wall time per 1,000 characters; CPU time is printed alongside.

``--english`` times the sentences of tests/data/english_mixed_dev.tsv (Chinese with English
words) after a warm-up without English, so the first timed pass also loads the English
dictionary; that pass is printed on its own line.

``--cold`` times only the held-out sentences, after warming up on
assets/eval_sentences.txt, with the frontend's per-word reading cache (added in
issue 16) cleared before each pass: text the process has not seen before.

With revisions, each one is exported (``git archive``) to a temporary folder
and timed in its own Python process, alternating A, B, A, B … over
``--rounds`` rounds.  Each round gives the median of its passes; the ratio B / A
is taken on the best (fastest) round of each revision, the one least disturbed
by other work on a shared machine, and printed on the medians of the rounds too.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def corpus() -> list[str]:
    lines = (ROOT / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
    out = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    held = (ROOT / "tests" / "data" / "frontend_heldout_sentences.tsv").read_text(encoding="utf-8").splitlines()
    out += [line.split("\t")[0] for line in held if line.strip() and not line.startswith("#")]
    return out


def measure(passes: int, cold: bool = False, english: bool = False) -> dict:
    """Time the frontend importable from sys.path (run inside the worker process).

    ``cold``: warm up on assets/eval_sentences.txt only, then time each pass over the
    held-out sentences with the frontend's per-word caches cleared, so every word is
    read as if seen for the first time.  ``english``: time the sentences of
    tests/data/english_mixed_dev.tsv (Chinese with English words) instead, after warming
    up on assets/eval_sentences.txt (no English: the first timed pass loads the English
    dictionary, reported as ``first_pass_ms_per_1000_chars``).
    """
    from tts.frontend import Frontend

    sentences = corpus()
    fe = Frontend()
    if english:
        warm, sentences = sentences[:-len(_heldout())], _english()
    elif cold:
        warm, sentences = sentences[:-len(_heldout())], _heldout()
    else:
        warm = sentences
    chars = sum(len("".join(s.split())) for s in sentences)
    for s in warm:  # warm-up: loads jieba, the phrase tables, regex caches
        fe.pinyin(s)
    walls, cpus = [], []
    for _ in range(passes):
        if cold:
            _clear_word_caches()
        w0, c0 = time.perf_counter(), time.process_time()
        for s in sentences:
            fe.pinyin(s)
        walls.append(time.perf_counter() - w0)
        cpus.append(time.process_time() - c0)
    return {
        "first_pass_ms_per_1000_chars": 1000 * walls[0] / chars * 1000,
        "source": str(Path(sys.modules["tts"].__file__).parent),
        "sentences": len(sentences),
        "chars": chars,
        "ms_per_1000_chars": 1000 * statistics.median(walls) / chars * 1000,
        "cpu_ms_per_1000_chars": 1000 * statistics.median(cpus) / chars * 1000,
    }


def _heldout() -> list[str]:
    held = (ROOT / "tests" / "data" / "frontend_heldout_sentences.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in held if line.strip() and not line.startswith("#")]


def _english() -> list[str]:
    rows = (ROOT / "tests" / "data" / "english_mixed_dev.tsv").read_text(encoding="utf-8").splitlines()
    return [line.split("\t")[0] for line in rows if line.strip() and not line.startswith("#")]


def _clear_word_caches() -> None:
    """Clear the per-word caches a revision may have (none before issue 16; English words since issue 24)."""
    import importlib

    for module, name in (("tts.frontend.g2p", "_dictionary_reading"), ("tts.frontend.english", "read_english")):
        try:
            cached = getattr(importlib.import_module(module), name, None)
        except ImportError:  # pragma: no cover - an older revision
            continue
        if cached is not None and hasattr(cached, "cache_clear"):
            cached.cache_clear()


def _worker(src: Path, passes: int, cold: bool = False, english: bool = False) -> dict:
    """Run :func:`measure` in a fresh process that imports ``tts`` from ``src``."""
    code = (
        "import json, sys; sys.path.insert(0, sys.argv[1]); sys.path.insert(1, sys.argv[2]);"
        "from frontend_speed import measure;"
        "print(json.dumps(measure(int(sys.argv[3]), sys.argv[4] == '1', sys.argv[5] == '1')))"
    )
    env = dict(os.environ, OMP_NUM_THREADS="1")
    out = subprocess.run(
        [sys.executable, "-c", code, str(src), str(ROOT / "bench"), str(passes), "1" if cold else "0",
         "1" if english else "0"],
        check=True, capture_output=True, text=True, env=env, cwd=str(ROOT),
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _export(rev: str, dest: Path) -> Path:
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "tts"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(dest)], input=archive.stdout, check=True)
    return dest


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("revs", nargs="*", help="none (working tree) or two git revisions: baseline and candidate")
    parser.add_argument("--passes", type=int, default=5)
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--cold", action="store_true",
                        help="time the held-out sentences only, after warming up on other text, "
                             "with per-word caches cleared before each pass")
    parser.add_argument("--english", action="store_true",
                        help="time tests/data/english_mixed_dev.tsv (Chinese with English words) instead")
    args = parser.parse_args(argv)
    if not args.revs:
        r = _worker(ROOT, args.passes, args.cold, args.english)
        print(f"{r['sentences']} sentences, {r['chars']} characters; "
              f"{r['ms_per_1000_chars']:.1f} ms per 1,000 characters (cpu {r['cpu_ms_per_1000_chars']:.1f} ms)")
        return 0
    if len(args.revs) != 2:
        parser.error("give no revision or exactly two")
    with tempfile.TemporaryDirectory() as tmp:
        srcs = {}
        for k, rev in enumerate(args.revs):
            if rev == ".":
                srcs[rev] = ROOT
                continue
            folder = Path(tmp, str(k))
            folder.mkdir()
            srcs[rev] = _export(rev, folder)
        results: dict[str, list[dict]] = {rev: [] for rev in args.revs}
        for _ in range(args.rounds):
            for rev in args.revs:
                r = _worker(srcs[rev], args.passes, args.cold, args.english)
                assert r["source"].startswith(str(srcs[rev])), r["source"]
                results[rev].append(r)
    best = {rev: min(r["ms_per_1000_chars"] for r in rs) for rev, rs in results.items()}
    med = {rev: statistics.median(r["ms_per_1000_chars"] for r in rs) for rev, rs in results.items()}
    cpu = {rev: min(r["cpu_ms_per_1000_chars"] for r in rs) for rev, rs in results.items()}
    first = results[args.revs[0]][0]
    print(f"{first['sentences']} sentences, {first['chars']} characters, {args.rounds} rounds x {args.passes} passes")
    for rev in args.revs:
        print(f"{rev}: best round {best[rev]:.1f} ms per 1,000 characters (cpu {cpu[rev]:.1f} ms), "
              f"median of rounds {med[rev]:.1f} ms")
    if args.english:
        for rev in args.revs:
            firsts = [r["first_pass_ms_per_1000_chars"] for r in results[rev]]
            print(f"{rev}: first timed pass (loads the English dictionary where there is one) best "
                  f"{min(firsts):.1f} ms, median {statistics.median(firsts):.1f} ms per 1,000 characters")
    a, b = args.revs
    print(f"ratio {b} / {a}: {best[b] / best[a]:.3f} on the best rounds (cpu {cpu[b] / cpu[a]:.3f}), "
          f"{med[b] / med[a]:.3f} on the medians")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
