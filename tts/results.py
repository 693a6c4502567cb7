"""What a synthesis produces: audio chunks while streaming, then the whole Result with its segments
(text, readings, per-phoneme durations, where each starts) and timings."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from tts.timing.alignment import Timed


@dataclass
class AudioChunk:
    audio: np.ndarray  # float32 mono in [-1, 1]
    sample_rate: int
    segment: int  # index of the segment this chunk belongs to
    kind: str = "speech"  # "speech" or "pause"
    alignment: tuple[Timed, ...] = ()  # the syllables, characters and sentences heard by its end


@dataclass
class SegmentInfo:
    """One acoustic call's worth of speech (a segment, or a piece of one too long for the model)."""

    index: int  # the planned segment it belongs to
    text: str
    normalized: str
    pinyin: list[str]
    phonemes: list[str]
    durations: list[int]  # frames per phoneme (12.5 ms each), plus one for the end-of-sequence symbol
    start_s: float
    speech_s: float
    pause_s: float  # silence after it
    unknown: list[str]
    source: tuple[int, int] = (0, 0)  # its [start, end) in the request's input
    syllable_sources: list[tuple[int, int]] = field(default_factory=list)  # per syllable, in the input
    phoneme_syllable: list[int] = field(default_factory=list)  # per phoneme, its syllable (-1: none)
    ends_sentence: bool = True


@dataclass
class Timings:
    queue_wait_s: float = 0.0
    first_chunk_s: float = 0.0
    total_s: float = 0.0
    audio_s: float = 0.0

    @property
    def rtf(self) -> float:
        return self.total_s / self.audio_s if self.audio_s else 0.0


@dataclass
class Result:
    audio: np.ndarray
    sample_rate: int
    segments: list[SegmentInfo]
    timings: Timings
    vocoder: str
    cached: bool = False
    alignment: list[Timed] = field(default_factory=list)  # every syllable, character and sentence, timed
    notes: list[str] = field(default_factory=list)  # how the input was read (SSML left out, styles mapped …)

    def timed(self, kind: str) -> list[Timed]:
        """The timed items of one kind ("syllable", "character", "sentence"), in order."""
        return sorted((t for t in self.alignment if t.kind == kind), key=lambda t: (t.start, t.offset))

    @property
    def pinyin(self) -> str:
        return " ".join(s for seg in self.segments for s in seg.pinyin)

    @property
    def unknown(self) -> list[str]:
        seen: dict[str, None] = {}
        for seg in self.segments:
            seen.update(dict.fromkeys(seg.unknown))
        return list(seen)
