"""Cutting normalized text into runs the pronunciation stage understands."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from tts.frontend.dictionary import default_reading
from tts.frontend.textclasses import PAUSE_PUNCT, SOFT_SEPARATORS, is_han, is_latin

#: Line breaks inside one piece of text are read as a pause, like punctuation.
LINE_BREAKS = frozenset("\n\r\u2028\u2029\x0b\x0c\x85")

RunKind = Literal["han", "latin", "pause", "soft", "unknown"]


@dataclass(frozen=True)
class TextRun:
    """A run of characters of one kind.

    ``han``: Chinese characters that have a reading; ``latin``: ASCII letters;
    ``pause``: punctuation and line breaks (a ``#3`` break); ``soft``: other whitespace and
    separators such as ``-`` or ``·`` (a word boundary); ``unknown``: one
    character with no reading (emoji, other scripts, stray symbols, control
    characters).
    """

    kind: RunKind
    text: str


def _kind(ch: str) -> RunKind:
    if is_han(ch):
        return "han" if default_reading(ch) else "unknown"
    if is_latin(ch):
        return "latin"
    if ch in PAUSE_PUNCT or ch in LINE_BREAKS:
        return "pause"
    if ch.isspace() or ch in SOFT_SEPARATORS:
        return "soft"
    return "unknown"


def text_runs(text: str) -> list[TextRun]:
    """Group ``text`` (already number-normalized) into :class:`TextRun` runs."""
    out: list[TextRun] = []
    run_kind: RunKind | None = None
    run: list[str] = []
    for ch in text:
        kind = _kind(ch)
        if kind == run_kind and kind != "unknown":
            run.append(ch)
            continue
        if run_kind is not None:
            out.append(TextRun(run_kind, "".join(run)))
        run_kind, run = kind, [ch]
    if run_kind is not None:
        out.append(TextRun(run_kind, "".join(run)))
    return out
