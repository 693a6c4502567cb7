"""The result types of the frontend."""

from __future__ import annotations

from dataclasses import dataclass

from tts.frontend.alignment import SourceMap, Span


@dataclass(frozen=True)
class Segment:
    """One piece of text to synthesize with one model call."""

    #: Original text of this piece (after Unicode normalization), with its punctuation.
    text: str
    #: Seconds of silence to put after it (by its end punctuation; 0 after the last piece).
    pause_after: float
    #: Per character of ``text``, its [start, end) range in the text that was split (None when
    #: the segment was made by hand).
    source: SourceMap | None = None
    #: The last piece of a sentence (sentence-final punctuation, a line break, or the end).
    ends_sentence: bool = True


@dataclass(frozen=True)
class Utterance:
    """Everything the frontend worked out for one segment.

    An input with nothing to speak (empty, whitespace, only punctuation or
    only unknown characters) gives an Utterance whose ``syllables`` and
    ``phonemes`` are empty tuples; ``unknown`` then says what was skipped.
    """

    #: The input text.
    text: str
    #: After text normalization: Chinese characters, Latin letters (read by
    #: the letter table) and punctuation; unknown characters are left out.
    normalized: str
    #: Pinyin with tone numbers 1-5 after sandhi and neutral tone, e.g. ("ni2", "hao3").
    syllables: tuple[str, ...]
    #: Baker symbols, starting and ending with "sil" (empty when nothing is spoken).
    phonemes: tuple[str, ...]
    #: For each phoneme the index of its syllable in ``syllables``, -1 for sil and #N.
    phoneme_syllable: tuple[int, ...]
    #: Characters that had no reading and were skipped, each listed once, in order of appearance.
    unknown: tuple[str, ...]
    #: Per syllable, the [start, end) range of the input text it reads (a number read as several
    #: syllables gives each digit its own syllable where the counts match, else the whole number).
    syllable_spans: tuple[Span, ...] = ()
