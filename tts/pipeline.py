"""The language-aware half of synthesis: Mandarin text -> segments -> Baker symbol ids.

Language-blind models sit behind tts.engine; this module knows about Chinese text, the Baker
symbol set and how sentences are spaced in time.
"""

from __future__ import annotations

import dataclasses
import os
from dataclasses import dataclass

from tts.frontend import Frontend, Segment, Utterance
from tts.frontend.syllables import to_phonemes
from tts.models.vocabulary import SymbolTable


@dataclass(frozen=True)
class PreparedSegment:
    """One sentence or clause ready for the acoustic model."""

    index: int
    segment: Segment  # text and the pause that follows it
    utterance: Utterance  # normalized text, syllables, phonemes
    ids: list[int]  # symbol ids including eos (empty when there is nothing to speak)

    @property
    def syllable_count(self) -> int:
        return len(self.utterance.syllables)


def with_syllables(utterance: Utterance, syllables: list[str]) -> Utterance:
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
             lexicon_path: str | os.PathLike | None = None) -> "Pipeline":
        return cls(Frontend(lexicon_path=lexicon_path), SymbolTable.load(data_dir))

    def plan(self, text: str, max_chars: int, first_chars: int | None = None) -> list[Segment]:
        """Split text into segments of at most max_chars; the first at most first_chars.

        Cutting the first piece short (at a clause, else a word boundary) lets the first audio
        come after a short acoustic call; the rest of that sentence follows as its own segment.
        """
        segments = self.frontend.split(text, max_chars=max_chars)
        if first_chars and segments:
            head = self.frontend.split(segments[0].text, max_chars=first_chars)
            if len(head) > 1:
                rest = Segment("".join(s.text for s in head[1:]), segments[0].pause_after)
                segments = [head[0], rest, *segments[1:]]
        return segments

    def prepare_segment(self, index: int, segment: Segment,
                        syllables: list[str] | None = None) -> PreparedSegment:
        """Analyze one segment; `syllables` (one per syllable the frontend found) replace its readings."""
        utterance = self.frontend.analyze(segment.text)
        if syllables is not None:
            utterance = with_syllables(utterance, syllables)
        ids = self.symbols.encode(utterance.phonemes) if utterance.syllables else []
        return PreparedSegment(index, segment, utterance, ids)

    def prepare(self, text: str, max_chars: int) -> list[PreparedSegment]:
        """All segments of `text` with something to speak, converted to ids."""
        prepared = [self.prepare_segment(i, s) for i, s in enumerate(self.plan(text, max_chars))]
        return [p for p in prepared if p.ids]
