"""English words inside Chinese text, measured by ear: the share the recognizer writes back.

Usage:
  .venv/bin/python bench/english_by_ear.py tests/data/english_mixed_dev.tsv
  .venv/bin/python bench/english_by_ear.py FILE.tsv --root /tmp/main   # another tree's frontend + weights code
  .venv/bin/python bench/english_by_ear.py FILE.tsv --rev main         # git archive REV, then as --root

FILE.tsv: ``sentence<TAB>words`` per line, ``#`` comments; words are the English words of the
sentence as written, separated by spaces.  Each sentence is synthesized with the real weights
(CPU profile, cache off), transcribed by the listening instrument (tests/listening.py, Whisper
base, language zh) and each word counts as recognized when the raw transcript holds it: compared
case-insensitively on letters only ("Wi-Fi" = "wifi"), a transcript word or two or three adjacent
ones joined.  The raw transcript is used, not normalize_for_cer (which is for Chinese CER).

With --rev, the revision is exported (``git archive``) to a temporary folder and this script runs
there under its ``tts`` package (the recognizer and this script come from the working tree), so
before/after figures come from one command line.  Prints per-sentence misses and the share.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
_LETTERS_RE = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")


def load(path: Path) -> list[tuple[str, list[str]]]:
    """The (sentence, words) rows of a dev/held-out TSV."""
    rows = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) != 2 or not fields[1].split():
            raise SystemExit(f"{path}:{number}: expected sentence<TAB>words")
        rows.append((fields[0], fields[1].split()))
    return rows


def letters(word: str) -> str:
    return "".join(ch for ch in word.lower() if "a" <= ch <= "z")


def recognized(words: list[str], transcript: str) -> list[bool]:
    """Per word: whether the transcript writes it back (letters only, case-insensitive, adjacent
    transcript words joined up to three, each transcript word credited once)."""
    tokens = [letters(t) for t in _LETTERS_RE.findall(transcript)]
    used = [False] * len(tokens)
    out = []
    for word in words:
        target = letters(word)
        hit = False
        for size in (1, 2, 3):
            for i in range(len(tokens) - size + 1):
                if not any(used[i:i + size]) and "".join(tokens[i:i + size]) == target:
                    used[i:i + size] = [True] * size
                    hit = True
                    break
            if hit:
                break
        out.append(hit)
    return out


def measure(rows: list[tuple[str, list[str]]], root: Path) -> dict:
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(ROOT / "tests"))
    try:
        from listening import get_listener  # the working tree's instrument (issue 23)
    except ImportError as exc:
        raise SystemExit(f"the listening instrument tests/listening.py is missing ({exc}): it comes with "
                         "issue 23 (`git show issue-23-listening:tests/listening.py > tests/listening.py`)") from None

    from tts.options import SynthesisOptions
    from tts.synthesizer import Synthesizer

    synth = Synthesizer.from_profile("cpu")
    clips, pinyin = [], []
    for sentence, _ in rows:
        result = synth.synthesize(SynthesisOptions(sentence, quality="fast"), use_cache=False)
        clips.append((result.audio, result.sample_rate))
        pinyin.append(result.pinyin)
    synth.close()
    transcripts = get_listener().transcribe_many(clips)
    total = hits = 0
    misses = []
    for (sentence, words), transcript, syllables in zip(rows, transcripts, pinyin, strict=True):
        marks = recognized(words, transcript)
        total += len(words)
        hits += sum(marks)
        missed = [w for w, ok in zip(words, marks, strict=True) if not ok]
        if missed:
            misses.append({"sentence": sentence, "missed": missed, "heard": transcript, "pinyin": syllables})
    return {"root": str(root), "words": total, "recognized": hits, "share": hits / total if total else 0.0,
            "misses": misses}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tsv", type=Path)
    p.add_argument("--root", type=Path, default=ROOT, help="the tree whose tts package synthesizes")
    p.add_argument("--rev", help="a git revision to export and measure instead of --root")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args()
    rows = load(args.tsv)
    if args.rev:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            out = subprocess.run([sys.executable, __file__, str(args.tsv.resolve()), "--root", tmp, "--json"],
                                 check=True, capture_output=True, text=True)
            report = json.loads(out.stdout.strip().splitlines()[-1])
            report["root"] = args.rev
    else:
        report = measure(rows, args.root.resolve())
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    for miss in report["misses"]:
        print(f"missed {' '.join(miss['missed'])}: {miss['sentence']} -> heard {miss['heard']!r}  [{miss['pinyin']}]")
    print(f"{report['root']}: {report['recognized']} of {report['words']} English words recognized "
          f"({100 * report['share']:.1f}%) in {len(rows)} sentences of {args.tsv.name}")


if __name__ == "__main__":
    main()
