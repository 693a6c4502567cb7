"""The language-aware half of synthesis: a document -> segments -> syllables -> Baker symbol ids.

Language-blind models sit behind tts.engine; this module knows about Chinese text, the Baker
symbol set and how sentences are spaced in time. It is the only place where text is split:
the facade asks it for a plan, for each planned segment's symbols, and — when a segment turns
out too long for the model — for smaller pieces of it.

Every segment and syllable keeps its [start, end) range in the document's source (the caller's
input as given), so timing can be reported against the caller's own characters.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from tts.document import Controls, Document
from tts.frontend import Frontend, Segment, Utterance
from tts.frontend.alignment import SourceMap, Span
from tts.frontend.syllables import to_phonemes
from tts.models.vocabulary import SymbolTable
from tts.options import RequestError


@dataclass(frozen=True)
class PlannedSegment:
    """One piece of the document, cut to fit the acoustic model, not yet analysed."""

    index: int
    segment: Segment  # text to read, its natural pause, `source`: its map into the document
    char_controls: tuple[Controls, ...] = ()  # per character of the text: its span's controls (() = none)
    readings: tuple[str, ...] | None = None  # corrected syllables for it, when the request gave some
    break_s: float | None = None  # an exact silence after it (a break in the markup); None = by punctuation

    @property
    def source(self) -> Span:
        """Its range in the document's source."""
        return self.segment.source.span() if self.segment.source else (0, 0)

    @property
    def controls(self) -> set[Controls]:
        """Every distinct set of controls its characters carry."""
        return set(self.char_controls) or {Controls()}


@dataclass(frozen=True)
class PreparedSegment:
    """One sentence or clause ready for the acoustic model."""

    index: int
    segment: Segment  # text and the pause that follows it
    utterance: Utterance  # normalized text, syllables, phonemes
    ids: list[int]  # symbol ids including eos (empty when there is nothing to speak)
    syllable_controls: tuple[Controls, ...] = ()  # per syllable, the controls of the span it reads
    syllable_sources: tuple[Span, ...] = ()  # per syllable, its range in the document's source
    break_s: float | None = None

    @property
    def syllable_count(self) -> int:
        return len(self.utterance.syllables)

    @property
    def source(self) -> Span:
        return self.segment.source.span() if self.segment.source else (0, 0)


def with_syllables(utterance: Utterance, syllables: list[str] | tuple[str, ...]) -> Utterance:
    """The utterance with its syllables replaced (same count), prosody breaks kept."""
    if len(syllables) != len(utterance.syllables):
        raise ValueError(f"{len(syllables)} syllables given for {len(utterance.syllables)}")
    phonemes: list[str] = []
    owners: list[int] = []
    done: set[int] = set()
    for phoneme, owner in zip(utterance.phonemes, utterance.phoneme_syllable):
        if owner < 0:
            phonemes.append(phoneme)
            owners.append(owner)
        elif owner not in done:
            done.add(owner)
            new = to_phonemes(syllables[owner])
            phonemes.extend(new)
            owners.extend([owner] * len(new))
    return dataclasses.replace(utterance, syllables=tuple(syllables), phonemes=tuple(phonemes),
                               phoneme_syllable=tuple(owners))


class Pipeline:
    """Frontend + symbol table: the Chinese-specific preparation of a request's text."""

    def __init__(self, frontend: Frontend, symbols: SymbolTable):
        self.frontend = frontend
        self.symbols = symbols

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None,
             lexicon_path: str | os.PathLike | None = None) -> Pipeline:
        return cls(Frontend(lexicon_path=lexicon_path), SymbolTable.load(data_dir))

    # ---- planning

    def document(self, text: str, pinyin: str | None = None, ssml_strict: bool = True,
                 max_chars: int | None = None) -> Document:
        """The document a request's input describes: SSML (first non-blank characters <speak)
        parsed into spans, or plain text as one span. SSML errors, and spoken text longer than
        `max_chars`, are RequestErrors naming what is wrong."""
        from tts.ssml import SSMLError, is_ssml, parse

        if not is_ssml(text):
            return Document.plain(text, pinyin)
        try:
            parsed = parse(text, self.frontend.pinyin, strict=ssml_strict)
        except SSMLError as exc:
            raise RequestError(f"SSML: {exc}", "text") from None
        if max_chars is not None and parsed.spoken_chars > max_chars:
            raise RequestError(f"the SSML speaks {parsed.spoken_chars} characters; the limit is {max_chars}",
                               "text", status=413)
        return dataclasses.replace(parsed.document, notes=parsed.notes, ignored=parsed.ignored)

    def plan(self, document: Document, max_chars: int, first_chars: int | None = None) -> list[PlannedSegment]:
        """Cut the document into segments of at most max_chars; the very first at most first_chars.

        Spans are read together (a span's own controls apply to its characters inside the
        segment, so a sentence with a slower phrase is still one utterance), except where a
        break stands between them: there a segment ends and the break's exact silence follows.
        Cutting the first piece short (at a clause, else a word boundary) lets the first audio
        come after a short acoustic call. Corrected readings are distributed over their segments
        here, so a wrong count is refused (RequestError) before any audio is made.
        """
        planned: list[PlannedSegment] = []
        runs = document.runs()
        for r, run in enumerate(runs):
            text = "".join(span.text for span in run.spans)
            run_source = SourceMap.join([span.source for span in run.spans])
            owner = [k for k, span in enumerate(run.spans) for _ in span.text]  # run character -> its span
            segments = self.frontend.split(text, max_chars=max_chars, continues=r + 1 < len(runs))
            if first_chars and not planned and segments:
                segments = self._cut_first(segments, first_chars) + segments[1:]
            pinyin = run.spans[0].controls.pinyin
            readings = self._distribute(pinyin, segments) if run.readings and pinyin is not None else None
            if not segments and run.pause_after:  # a break with nothing before it: silence on its own
                segments = [Segment("", 0.0, SourceMap((), ()))]
            for k, segment in enumerate(segments):
                controls = tuple(run.spans[owner[s]].controls for s in _source(segment).starts) if run.controlled else ()
                last = k + 1 == len(segments)
                planned.append(PlannedSegment(
                    len(planned), dataclasses.replace(segment, source=_source(segment).through(run_source)),
                    controls, readings[k] if readings is not None else None,
                    run.pause_after if last else None))
        return planned

    def _cut_first(self, segments: list[Segment], first_chars: int) -> list[Segment]:
        first = segments[0]
        head = [dataclasses.replace(s, source=_source(s).through(_source(first)))
                for s in self.frontend.split(first.text, max_chars=first_chars)]
        if len(head) < 2:
            return [first]
        rest = Segment("".join(s.text for s in head[1:]), first.pause_after,
                       SourceMap.join([_source(s) for s in head[1:]]), first.ends_sentence)
        return [dataclasses.replace(head[0], ends_sentence=False), rest]

    def _distribute(self, readings: tuple[str, ...], segments: list[Segment]) -> list[tuple[str, ...]]:
        """Split one span's corrected readings over its segments; their count must match the text's."""
        counts = [len(self.frontend.analyze(seg.text).syllables) for seg in segments]
        if len(readings) != sum(counts):
            raise RequestError(f"pinyin has {len(readings)} syllables but the text has {sum(counts)}; "
                               "preview the pinyin first and edit that", "pinyin")
        out, at = [], 0
        for n in counts:
            out.append(tuple(readings[at:at + n]))
            at += n
        return out

    # ---- analysis

    def prepare_segment(self, planned: PlannedSegment) -> PreparedSegment:
        """Analyse one planned segment: syllables (its corrected readings, if any), phonemes, ids,
        and per syllable the controls and the source range of what it reads."""
        segment = planned.segment
        utterance = self.frontend.analyze(segment.text)
        if planned.readings is not None:
            utterance = with_syllables(utterance, planned.readings)
        ids = self.symbols.encode(utterance.phonemes) if utterance.syllables else []
        sources = tuple(segment.source.span(a, b) for a, b in utterance.syllable_spans) if segment.source else ()
        controls = (tuple(planned.char_controls[min(a, len(planned.char_controls) - 1)]
                          for a, _ in utterance.syllable_spans) if planned.char_controls else ())
        return PreparedSegment(planned.index, segment, utterance, ids, controls, sources, planned.break_s)

    def resplit(self, prepared: PreparedSegment) -> list[PreparedSegment]:
        """Smaller pieces of a segment whose mel would exceed the model's frames (RequestError if
        it cannot be cut); corrected readings follow their syllables when the counts allow."""
        segment = prepared.segment
        pieces = self.frontend.split(segment.text, max_chars=max(2, len(segment.text) // 2))
        if len(pieces) < 2:
            raise RequestError("a segment is too long to speak even after splitting; "
                               "add punctuation or slow down less", "text")
        pieces[-1] = dataclasses.replace(pieces[-1], ends_sentence=segment.ends_sentence)
        readings: list[tuple[str, ...] | None] = [None] * len(pieces)
        try:  # keep the segment's own readings (corrected or not) when the pieces count the same
            readings = list(self._distribute(prepared.utterance.syllables, pieces))
        except RequestError:
            pass  # the pieces read differently than the whole: use their own readings
        controls = _char_controls(prepared)
        out = []
        for piece, reading in zip(pieces, readings):
            piece_controls = tuple(controls[s] for s in _source(piece).starts) if controls else ()
            out.append(self.prepare_segment(PlannedSegment(
                prepared.index, dataclasses.replace(piece, source=_source(piece).through(_source(segment))),
                piece_controls, reading)))
        return out

    def prepare(self, text: str, max_chars: int) -> list[PreparedSegment]:
        """All segments of plain `text` with something to speak, converted to ids."""
        prepared = [self.prepare_segment(p) for p in self.plan(self.document(text), max_chars)]
        return [p for p in prepared if p.ids]


def _char_controls(prepared: PreparedSegment) -> tuple[Controls, ...]:
    """Per character of a prepared segment's text, the controls of the syllable reading it."""
    if not prepared.syllable_controls:
        return ()
    controls = [prepared.syllable_controls[0]] * len(prepared.segment.text)
    for (a, b), c in zip(prepared.utterance.syllable_spans, prepared.syllable_controls):
        for i in range(a, b):
            controls[i] = c
    return tuple(controls)


def _source(segment: Segment) -> SourceMap:
    """The segment's source offsets, which every segment the frontend splits carries."""
    if segment.source is None:
        raise ValueError(f"segment {segment.text!r} has no source offsets")
    return segment.source
