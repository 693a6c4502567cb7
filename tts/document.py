"""The document model: a request's input as spans of text, each with the controls it carries.

Plain text is one span covering the whole input. Markup (SSML) makes many: a `<prosody rate>`
span, a `<phoneme>` span with its own readings, a `<sub alias>` span whose spoken text differs
from what it stands for, a `<break>` as a pause after a span. Every span keeps, per character of
what it reads, the [start, end) range of `Document.source` — the caller's input exactly as sent —
so everything downstream (segments, syllables, timestamps, subtitles) can point back into it.
"""

from __future__ import annotations

from dataclasses import dataclass

from tts.frontend.alignment import SourceMap

# Controls a span may set for itself; None means "as the request says".
SPAN_CONTROLS = ("voice", "emotion", "emotion_intensity", "speed", "pitch", "energy", "pinyin")


@dataclass(frozen=True)
class Controls:
    """Per-span overrides of the request's settings (speed etc. multiply/add on top of the
    request's, exactly as if the request had asked for them; None = unchanged)."""

    voice: str | None = None
    emotion: str | None = None
    emotion_intensity: float | None = None
    speed: float | None = None  # multiplies the request's speed
    pitch: float | None = None  # semitones, added to the request's
    energy: float | None = None  # multiplies the request's energy
    pinyin: tuple[str, ...] | None = None  # the span's readings, one per syllable it has

    def __bool__(self) -> bool:
        return any(getattr(self, name) is not None for name in SPAN_CONTROLS)

    def merged(self, inner: Controls) -> Controls:
        """These controls with a nested span's on top: voice, emotion, intensity and readings
        replace; speeds and energies multiply; pitches add."""
        def combine(a, b, op):
            return b if a is None else a if b is None else op(a, b)

        return Controls(
            voice=inner.voice or self.voice, emotion=inner.emotion or self.emotion,
            emotion_intensity=combine(self.emotion_intensity, inner.emotion_intensity, lambda a, b: b),
            speed=combine(self.speed, inner.speed, lambda a, b: a * b),
            pitch=combine(self.pitch, inner.pitch, lambda a, b: a + b),
            energy=combine(self.energy, inner.energy, lambda a, b: a * b),
            pinyin=inner.pinyin if inner.pinyin is not None else self.pinyin)

    def speaking(self) -> bool:
        """It changes how the span is spoken (voice, emotion, speed, pitch, energy)."""
        return any(getattr(self, name) is not None for name in SPAN_CONTROLS if name != "pinyin")


@dataclass(frozen=True)
class Span:
    """A stretch of the input read with one set of controls."""

    text: str  # what is read: the source's characters, or what stands in for them (an alias)
    source: SourceMap  # per character of `text`, its [start, end) in Document.source
    controls: Controls = Controls()
    pause_after: float | None = None  # seconds of silence after it (a break); None = by punctuation


@dataclass(frozen=True)
class Mark:
    """A named point in the input (SSML <bookmark mark>, <mark name>): `offset` into Document.source."""

    name: str
    offset: int


@dataclass(frozen=True)
class Run:
    """Spans read together, up to a break (or the end)."""

    spans: tuple[Span, ...]
    pause_after: float | None  # the break that ends the run (None at the end of the document)

    @property
    def controlled(self) -> bool:
        """Some span in it carries controls of its own (readings aside: they apply by syllable)."""
        return any(span.controls.speaking() for span in self.spans)

    @property
    def readings(self) -> bool:
        """It carries corrected readings (a plain document's request-wide pinyin)."""
        return self.spans[0].controls.pinyin is not None if self.spans else False


@dataclass(frozen=True)
class Document:
    source: str  # the caller's input exactly as given
    spans: tuple[Span, ...]
    notes: tuple[str, ...] = ()  # what the caller should know about how it was read (markup left out …)
    marks: tuple[Mark, ...] = ()  # named points (SSML <bookmark>/<mark>), in the order given
    ignored: tuple[str, ...] = ()  # markup left out, named as written (<audio src>, <mstts:viseme> …)

    def runs(self) -> list[Run]:
        """The spans grouped into runs that end at each break."""
        runs, current = [], []
        for span in self.spans:
            current.append(span)
            if span.pause_after is not None:
                runs.append(Run(tuple(current), span.pause_after))
                current = []
        if current:
            runs.append(Run(tuple(current), None))
        return runs

    @classmethod
    def plain(cls, text: str, pinyin: str | None = None) -> Document:
        """Plain text: one span over all of it (with the request's corrected readings, if any)."""
        controls = Controls(pinyin=tuple(pinyin.split())) if pinyin else Controls()
        return cls(text, (Span(text, SourceMap.identity(len(text)), controls),))
