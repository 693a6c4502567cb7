"""Timestamps from the acoustic model's own durations: exact to one frame (12.5 ms).

FastSpeech2 decides how many frames each phoneme lasts, and the vocoder makes exactly `hop`
samples per frame, so the time of every syllable is known from the durations alone — no forced
alignment, no estimate. Within one spoken piece (one acoustic call):

* a syllable starts at its first phoneme and lasts until the next syllable starts: the prosodic
  break symbols (#0..#3) after it belong to it (the model spends them on the syllable's end);
* the piece's leading silence belongs to no syllable; its trailing silence and end symbol belong
  to its last syllable, so the last syllable of the request ends where the audio ends;
* a character of the caller's input spans the syllables that read it (``2024`` read digit by digit
  gives each digit its syllable; ``¥100`` read as 一百元 gives each of its characters all three);
  characters nobody reads (punctuation, markup) are not listed;
* a sentence runs from the start of its first piece (leading silence included) to the end of
  its last piece's speech; the silence inserted after it is outside every item.

Everything is in seconds from the start of the request's audio, and `offset` indexes the input.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

Kind = Literal["syllable", "character", "sentence"]


@dataclass(frozen=True)
class Timed:
    """One syllable, character or sentence and when it is heard."""

    kind: Kind
    text: str  # pinyin for a syllable; the input's own characters for a character or a sentence
    start: float
    end: float
    offset: int  # index of its first character in the input
    length: int = 1  # how many characters of the input it stands for
    offsets: tuple[int, ...] = ()  # a sentence: where each character of its text is in the input

    def as_json(self) -> dict:
        key = "pinyin" if self.kind == "syllable" else "text"
        return {key: self.text, "start": round(self.start, 4), "end": round(self.end, 4), "offset": self.offset}


@dataclass(frozen=True)
class Piece:
    """What the aligner needs of one spoken piece (one acoustic call)."""

    syllables: tuple[str, ...]
    phoneme_syllable: tuple[int, ...]  # per phoneme, its syllable (-1 for silences and breaks)
    durations: tuple[int, ...]  # frames per phoneme, then one for the end-of-sequence symbol
    syllable_sources: tuple[tuple[int, int], ...]  # per syllable, its [start, end) in the input
    char_sources: tuple[tuple[int, int], ...]  # per character of the piece's text, likewise
    start_s: float  # where its audio starts in the request's audio
    ends_sentence: bool


class Aligner:
    """Turns each spoken piece into timed items as soon as its durations are known, and groups
    pieces into sentences. Items come out in the order their ends are heard."""

    def __init__(self, source: str, frame_s: float):
        self.source = source
        self.frame_s = frame_s
        self._sentence_start: float | None = None
        self._sentence_chars: set[int] = set()

    def piece(self, piece: Piece) -> list[Timed]:
        syllables = self._syllables(piece)
        characters = self._characters(syllables, piece)
        end = piece.start_s + sum(piece.durations) * self.frame_s
        items = sorted(syllables + characters, key=lambda t: (t.end, t.kind != "syllable", t.offset))
        if self._sentence_start is None:
            self._sentence_start = piece.start_s
        for s, e in piece.char_sources:
            self._sentence_chars.update(range(s, e))
        if piece.ends_sentence:
            sentence = self._sentence(end)
            if sentence is not None:
                items.append(sentence)
        return items

    def finish(self, end_s: float) -> list[Timed]:
        """The sentence still open when the request ends (its last piece did not end one)."""
        sentence = self._sentence(end_s) if self._sentence_start is not None else None
        return [sentence] if sentence is not None else []

    def _sentence(self, end_s: float) -> Timed | None:
        chars = sorted(i for i in self._sentence_chars if i < len(self.source) and not self.source[i].isspace())
        start = self._sentence_start
        self._sentence_start, self._sentence_chars = None, set()
        if not chars or start is None:  # called only once a sentence has started
            return None
        return Timed("sentence", "".join(self.source[i] for i in chars), start, end_s, chars[0],
                     chars[-1] + 1 - chars[0], tuple(chars))

    def _syllables(self, piece: Piece) -> list[Timed]:
        starts: dict[int, int] = {}  # syllable -> its first frame
        frame = 0
        for owner, d in zip(piece.phoneme_syllable, piece.durations):
            if owner >= 0 and owner not in starts:
                starts[owner] = frame
            frame += int(d)
        total = sum(int(d) for d in piece.durations)  # the end symbol's frames are heard too
        out = []
        for i, pinyin in enumerate(piece.syllables):
            begin = starts.get(i, total)
            end = starts.get(i + 1, total) if i + 1 < len(piece.syllables) else total
            s, e = piece.syllable_sources[i] if i < len(piece.syllable_sources) else (0, 0)
            out.append(Timed("syllable", pinyin, piece.start_s + begin * self.frame_s,
                             piece.start_s + end * self.frame_s, s, max(0, e - s)))
        return out

    def _characters(self, syllables: list[Timed], piece: Piece) -> list[Timed]:
        spans: dict[int, tuple[float, float]] = {}
        for syllable in syllables:
            for i in range(syllable.offset, syllable.offset + syllable.length):
                if i >= len(self.source) or self.source[i].isspace():
                    continue
                lo, hi = spans.get(i, (syllable.start, syllable.end))
                spans[i] = (min(lo, syllable.start), max(hi, syllable.end))
        return [Timed("character", self.source[i], lo, hi, i) for i, (lo, hi) in sorted(spans.items())]


def grouped(items: list[Timed] | tuple[Timed, ...]) -> dict[str, list[dict]]:
    """Items as the API answers them: {"characters": [...], "syllables": [...], "sentences": [...]}."""
    ordered = sorted(items, key=lambda t: (t.start, t.offset))
    return {f"{kind}s": [t.as_json() for t in ordered if t.kind == kind] for kind in ("character", "syllable", "sentence")}


def mark_times(marks: Iterable[tuple[str, int]], items: Iterable[Timed], duration: float) -> list[dict]:
    """Named points of the input (name, offset into it) as the API answers them: each heard when
    the first character at or after it starts (the end of the audio when none follows)."""
    starts = sorted((t.offset, t.start) for t in items if t.kind == "character")
    out = []
    for name, offset in marks:
        at = next((start for where, start in starts if where >= offset), duration)
        out.append({"name": name, "offset": offset, "time": round(at, 4)})
    return out


def due(items: list[Timed], until_s: float) -> tuple[list[Timed], list[Timed]]:
    """Split pending items into those heard by `until_s` (in order) and those still to come."""
    ready = [t for t in items if t.end <= until_s + 1e-9]
    return ready, [t for t in items if t.end > until_s + 1e-9]
