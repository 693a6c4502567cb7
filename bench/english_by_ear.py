"""English words inside Chinese text, measured by ear: the share the recognizer writes back.

Usage:
  .venv/bin/python bench/english_by_ear.py tests/data/english_mixed_dev.tsv
  .venv/bin/python bench/english_by_ear.py FILE.tsv --root /tmp/main   # another tree's frontend + weights code
  .venv/bin/python bench/english_by_ear.py FILE.tsv --rev main         # git archive REV, then as --root
  .venv/bin/python bench/english_by_ear.py FILE.tsv --spans [--quiet]  # each word's own span, heard alone

FILE.tsv: ``sentence<TAB>words`` per line, ``#`` comments; words are the English words of the
sentence as written, separated by spaces.  Each sentence is synthesized with the real weights
(CPU profile, cache off), transcribed by the listening instrument (tests/listening.py, Whisper
base, language zh) and each word counts as recognized when the raw transcript holds it: compared
case-insensitively on letters only ("Wi-Fi" = "wifi"), a transcript word or two or three adjacent
ones joined.  The raw transcript is used, not normalize_for_cer (which is for Chinese CER).

With --rev, the revision is exported (``git archive``) to a temporary folder and this script runs
there under its ``tts`` package (the recognizer and this script come from the working tree), so
before/after figures come from one command line.  Prints per-sentence misses and the share.

With --spans (a variant of the instrument, not the default): each English word's own audio is cut
out of its sentence, from the synthesizer's timing for the word's characters (the alignment's
character items: every character of an English word spans all the syllables that read it) plus
MARGIN_S either side, and heard on its own by the same Whisper base model, without a prompt,
decoded twice from one encoder pass: with language "en", and with the language Whisper detects
("auto").  A word counts as "equal" when the transcript, letters only and case-insensitive, is the
word, and as "contains" when it holds it.  A control per word: the same sentence with that word
replaced by a Chinese word of about as many syllables (CONTROL_WORDS), whose own span is cut and
heard the same way; a control written as the English word is a false positive.  What this measures
is whether an isolated clip of the word, decoded as English, is the word; not whether a listener
hears it inside the Chinese sentence.  --quiet prints the figures only (for held-out sets).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import numpy as np
    from faster_whisper import WhisperModel
    from faster_whisper.tokenizer import Tokenizer

    from tts.results import Result

ROOT = Path(__file__).resolve().parent.parent
_LETTERS_RE = re.compile(r"[A-Za-z]+(?:[-'][A-Za-z]+)*")
MARGIN_S = 0.06  # audio kept either side of a word's span: the join into its neighbours
# Tokens a word's transcript may take: SPAN_TOKENS plus TOKENS_PER_LETTER per letter of the word,
# so that a word spelled out letter by letter ("P-O-W-E-R-P-O-I-N-T", two tokens a letter) or
# written as Chinese syllables is heard whole, while a loop is still cut off.
SPAN_TOKENS, TOKENS_PER_LETTER = 8, 3
# The control's stand-in for an English word, by the syllables the word has (CONTROL_SYLLABLES):
# everyday words with no English loan in them, each said the same in every revision.
CONTROL_WORDS = {1: "书", 2: "桌子", 3: "图书馆", 4: "高速公路", 5: "图书馆门口", 6: "高速公路出口"}
_VOWEL_GROUPS_RE = re.compile(r"[aeiouy]+")


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


def control_syllables(word: str) -> int:
    """About how many syllables `word` is said in: an initialism one per letter, else its vowel
    groups; from the spelling alone, so a revision's reading does not change its control."""
    target = letters(word)
    if word.isupper() and len(target) <= 5:
        count = len(target)
    else:
        count = len(_VOWEL_GROUPS_RE.findall(target.rstrip("e") or target))
    return min(max(count, 1), max(CONTROL_WORDS))


def word_offsets(sentence: str, words: list[str]) -> list[tuple[int, int]]:
    """Per word, its [start, end) in the sentence (searched left to right, case-insensitively)."""
    out, cursor, folded = [], 0, sentence.lower()
    for word in words:
        start = folded.find(word.lower(), cursor)
        if start < 0:
            raise SystemExit(f"{word!r} is not in {sentence!r}")
        out.append((start, start + len(word)))
        cursor = start + len(word)
    return out


def control_of(sentence: str, place: tuple[int, int], word: str) -> tuple[str, tuple[int, int]]:
    """The sentence with the word at `place` replaced by a Chinese word of about as many
    syllables, and that Chinese word's [start, end) in it."""
    stand_in = CONTROL_WORDS[control_syllables(word)]
    start, end = place
    return sentence[:start] + stand_in + sentence[end:], (start, start + len(stand_in))


def span_of(result: Result, place: tuple[int, int]) -> tuple[float, float] | None:
    """When the characters at `place` are heard (seconds), from the synthesizer's alignment; None
    when none of them is timed (nothing read them)."""
    timed = [t for t in result.alignment if t.kind == "character" and place[0] <= t.offset < place[1]]
    if not timed:
        return None
    return min(t.start for t in timed), max(t.end for t in timed)


def cut(audio: np.ndarray, rate: int, span: tuple[float, float]) -> np.ndarray:
    """The audio of `span` with MARGIN_S either side, kept inside the clip."""
    first = max(0, int((span[0] - MARGIN_S) * rate))
    last = min(len(audio), int(round((span[1] + MARGIN_S) * rate)))
    return audio[first:last]


class SpanHearer:
    """Whisper base (the listening instrument's model) on one short clip: one encoder pass, then
    two decodes without a prompt, language "en" and the language it detects."""

    def __init__(self, whisper: WhisperModel) -> None:
        """`whisper`: the instrument's faster_whisper.WhisperModel (tests/listening.py)."""
        self.whisper = whisper
        self._tokenizers: dict[str, Tokenizer] = {}

    def _tokenizer(self, language: str) -> Tokenizer:
        """Whisper's tokenizer set to transcribe `language` (its start-of-transcript sequence)."""
        from faster_whisper.tokenizer import Tokenizer

        if language not in self._tokenizers:
            self._tokenizers[language] = Tokenizer(self.whisper.hf_tokenizer, True, task="transcribe",
                                                   language=language)
        return self._tokenizers[language]

    def hear(self, audio: np.ndarray, rate: int, word: str) -> dict[str, str]:
        """What Whisper writes for one clip.

        Args:
            audio: (samples,) mono float audio of the clip alone.
            rate: its sample rate in Hz (resampled to 16 kHz here).
            word: the word the clip stands for; its length caps the tokens written.
        Returns:
            {"en": transcript decoded as English, "auto": transcript in the detected language,
             "language": the detected language code}
        """
        import numpy as np
        from faster_whisper.audio import pad_or_trim

        from tts.audio.decode import to_analysis_rate

        pcm = to_analysis_rate(np.asarray(audio, dtype=np.float32).reshape(-1), rate).astype(np.float32)
        features = self.whisper.feature_extractor(pcm)
        encoded = self.whisper.encode(pad_or_trim(features))
        language = self.whisper.model.detect_language(encoded)[0][0][0][2:-2]
        out = {"language": language}
        cap = SPAN_TOKENS + TOKENS_PER_LETTER * len(letters(word))
        for key, lang in (("en", "en"), ("auto", language)):
            tokenizer = self._tokenizer(lang)
            prompt = [*tokenizer.sot_sequence, tokenizer.no_timestamps]
            result = self.whisper.model.generate(encoded, [prompt], beam_size=5, max_length=len(prompt) + cap,
                                                 suppress_blank=True, suppress_tokens=[-1])[0]
            tokens = [t for t in result.sequences_ids[0] if t < tokenizer.eot]
            out[key] = tokenizer.decode(tokens).strip()
        return out


def span_marks(word: str, transcript: str) -> tuple[bool, bool]:
    """(equal, contains): the transcript, letters only and case-insensitive, is / holds the word."""
    target, heard = letters(word), letters(transcript)
    return heard == target, bool(target) and target in heard


def measure_spans(rows: list[tuple[str, list[str]]], root: Path) -> dict[str, Any]:
    """Each English word's own span heard alone, and a Chinese stand-in's span as its control."""
    sys.path.insert(0, str(root))
    sys.path.insert(1, str(ROOT / "tests"))
    from listening import get_listener

    from tts.options import SynthesisOptions
    from tts.synthesizer import Synthesizer

    synth = Synthesizer.from_profile("cpu")
    hearer = SpanHearer(get_listener().model)

    def heard(sentence: str, place: tuple[int, int], word: str) -> dict[str, Any]:
        result = synth.synthesize(SynthesisOptions(sentence, quality="fast"), use_cache=False)
        span = span_of(result, place)
        if span is None:
            return {"en": "", "auto": "", "language": "", "untimed": True, "pinyin": result.pinyin}
        return {**hearer.hear(cut(result.audio, result.sample_rate, span), result.sample_rate, word),
                "span": [round(span[0], 3), round(span[1], 3)], "pinyin": result.pinyin}

    counts = dict.fromkeys(("en_equal", "en_contains", "auto_equal", "auto_contains", "ctl_en_equal",
                            "ctl_en_contains", "ctl_auto_equal", "ctl_auto_contains", "untimed", "ctl_untimed"), 0)
    per_word = []
    try:
        for sentence, words in rows:
            places = word_offsets(sentence, words)
            result = synth.synthesize(SynthesisOptions(sentence, quality="fast"), use_cache=False)
            for word, place in zip(words, places, strict=True):
                span = span_of(result, place)
                said: dict[str, str] = {"en": "", "auto": "", "language": ""}
                if span is None:
                    counts["untimed"] += 1
                else:
                    said = hearer.hear(cut(result.audio, result.sample_rate, span), result.sample_rate, word)
                control_text, control_place = control_of(sentence, place, word)
                control = heard(control_text, control_place, word)
                counts["ctl_untimed"] += bool(control.get("untimed"))
                row = {"word": word, "sentence": sentence, "en": said["en"], "auto": said["auto"],
                       "span": [round(x, 3) for x in span] if span else None,
                       "language": said["language"], "control": control_text, "control_en": control["en"],
                       "control_auto": control["auto"]}
                for prefix, source in (("", said), ("ctl_", control)):
                    for key in ("en", "auto"):
                        equal, contains = span_marks(word, source[key])
                        counts[f"{prefix}{key}_equal"] += equal
                        counts[f"{prefix}{key}_contains"] += contains
                per_word.append(row)
    finally:
        synth.close()
    return {"root": str(root), "mode": "spans", "words": len(per_word), **counts, "per_word": per_word}


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


def print_spans(report: dict[str, Any], rows: int, name: str, quiet: bool) -> None:
    """The --spans figures (and, unless quiet, what each word and its control were heard as)."""
    if not quiet:
        for w in report["per_word"]:
            print(f"{w['word']}: en {w['en']!r}, auto[{w['language']}] {w['auto']!r}; "
                  f"control {w['control_en']!r} / {w['control_auto']!r}  ({w['sentence']})")
    n = max(report["words"], 1)

    def share(key: str) -> str:
        return f"{report[key]} of {report['words']} ({100 * report[key] / n:.1f}%)"

    print(f"{report['root']}: {report['words']} English words in {rows} sentences of {name}, each word's span "
          f"heard alone (margin {MARGIN_S * 1000:.0f} ms; {report['untimed']} words and "
          f"{report['ctl_untimed']} controls untimed)")
    print(f"  language en:   equal {share('en_equal')}, contains {share('en_contains')}")
    print(f"  language auto: equal {share('auto_equal')}, contains {share('auto_contains')}")
    print(f"  control (Chinese stand-in written as the word), en: equal {share('ctl_en_equal')}, "
          f"contains {share('ctl_en_contains')}; auto: equal {share('ctl_auto_equal')}, "
          f"contains {share('ctl_auto_contains')}")


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("tsv", type=Path)
    p.add_argument("--root", type=Path, default=ROOT, help="the tree whose tts package synthesizes")
    p.add_argument("--rev", help="a git revision to export and measure instead of --root")
    p.add_argument("--spans", action="store_true",
                   help="hear each English word's own span alone, language en and auto, with controls")
    p.add_argument("--quiet", action="store_true", help="print the figures only, no per-word or per-sentence lines")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    args = p.parse_args()
    rows = load(args.tsv)
    if args.rev:
        with tempfile.TemporaryDirectory() as tmp:
            archive = subprocess.run(["git", "-C", str(ROOT), "archive", args.rev], check=True, capture_output=True)
            subprocess.run(["tar", "-x", "-C", tmp], input=archive.stdout, check=True)
            command = [sys.executable, __file__, str(args.tsv.resolve()), "--root", tmp, "--json"]
            out = subprocess.run(command + (["--spans"] if args.spans else []),
                                 check=True, capture_output=True, text=True)
            report = json.loads(out.stdout.strip().splitlines()[-1])
            report["root"] = args.rev
    elif args.spans:
        report = measure_spans(rows, args.root.resolve())
    else:
        report = measure(rows, args.root.resolve())
    if args.json:
        print(json.dumps(report, ensure_ascii=False))
        return
    if args.spans:
        print_spans(report, len(rows), args.tsv.name, args.quiet)
        return
    if not args.quiet:
        for miss in report["misses"]:
            print(f"missed {' '.join(miss['missed'])}: {miss['sentence']} -> heard {miss['heard']!r}  "
                  f"[{miss['pinyin']}]")
    print(f"{report['root']}: {report['recognized']} of {report['words']} English words recognized "
          f"({100 * report['share']:.1f}%) in {len(rows)} sentences of {args.tsv.name}")

if __name__ == "__main__":
    main()
