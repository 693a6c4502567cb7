"""The language-aware half of synthesis: Mandarin text -> segments -> Baker symbol ids.

Language-blind models sit behind tts.engine; this module knows about Chinese text, the Baker
symbol set and how sentences are spaced in time.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from tts.frontend import Frontend, Segment, Utterance
from tts.symbols import SymbolTable


@dataclass(frozen=True)
class PreparedSegment:
    """One sentence or clause ready for the acoustic model."""

    index: int
    segment: Segment  # text and the pause that follows it
    utterance: Utterance  # normalized text, syllables, phonemes
    ids: list[int]  # symbol ids including eos

    @property
    def syllable_count(self) -> int:
        return len(self.utterance.syllables)


class Pipeline:
    """Frontend + symbol table: the Chinese-specific preparation of a request's text."""

    def __init__(self, frontend: Frontend, symbols: SymbolTable):
        self.frontend = frontend
        self.symbols = symbols

    @classmethod
    def load(cls, data_dir: str | os.PathLike | None = None,
             lexicon_path: str | os.PathLike | None = None) -> "Pipeline":
        return cls(Frontend(lexicon_path=lexicon_path), SymbolTable.load(data_dir))

    def prepare(self, text: str, max_chars: int) -> list[PreparedSegment]:
        """Split text into segments of at most max_chars and convert each to ids.

        Segments without any speakable syllable (only punctuation or unknown characters) are
        kept out of synthesis but their pause is preserved by the previous segment.
        """
        prepared: list[PreparedSegment] = []
        for segment in self.frontend.split(text, max_chars=max_chars):
            utterance = self.frontend.analyze(segment.text)
            if not utterance.syllables:
                if prepared:
                    last = prepared[-1]
                    merged = Segment(last.segment.text + segment.text,
                                     max(last.segment.pause_after, segment.pause_after))
                    prepared[-1] = PreparedSegment(last.index, merged, last.utterance, last.ids)
                continue
            prepared.append(PreparedSegment(len(prepared), segment, utterance,
                                            self.symbols.encode(utterance.phonemes)))
        return prepared
