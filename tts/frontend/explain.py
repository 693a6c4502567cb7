"""Why each syllable reads as it does: the source that decided it, for ``pinyin --explain``.

Every word starts with an ``origin`` per syllable (user lexicon, inline override, a phrase of the
dictionary, a character's reading, letters).  :class:`Tracer` then watches the pronunciation
stages: after each stage it compares the words with what they were before and appends the
stage's name (a named context rule, neutral tone, 一/不 or 3-3 sandhi, erhua) to every syllable
the stage changed.  The frontend calls the tracer only when asked to explain, so reading text
normally costs nothing extra.
"""

from __future__ import annotations

from dataclasses import dataclass

from tts.frontend.words import Word


@dataclass(frozen=True)
class SyllableSource:
    """One syllable of an explained text.

    Args:
        syllable: the syllable as read (tone 1-5).
        text: the characters of the analysed input it reads (``2`` for 二, ``银`` for yin2).
        word: the word it belongs to (after normalization: 二零二四, 银行, NBA).
        source: what decided it: the origin, then each stage that changed it, joined by " -> ".
    """

    syllable: str
    text: str
    word: str
    source: str


class Tracer:
    """Records, per syllable of each word, the chain of sources that set its reading."""

    def __init__(self, words: list[Word]):
        #: The words the stages work on (the frontend replaces the list when 儿 words are attached).
        self.words = words
        self._seen: dict[int, list[str]] = {}
        self._why: dict[int, list[list[str]]] = {}
        for w in words:
            origin = list(w.origin) if len(w.origin) == len(w.syllables) else ["?"] * len(w.syllables)
            self._seen[id(w)] = list(w.syllables)
            self._why[id(w)] = [[o] for o in origin]

    def __call__(self, name: str, decided: Word | None = None, pos: int = 0) -> None:
        """Credit ``name`` with every syllable of :attr:`words` that changed since the last stage,
        and with syllable ``pos`` of ``decided`` (a rule that decided it, even if it kept its
        reading)."""
        words = self.words
        if decided is not None and id(decided) in self._why and pos < len(self._why[id(decided)]):
            chain = self._why[id(decided)][pos]
            if chain[-1] != name:
                chain.append(name)
        for w in words:
            before = self._seen.get(id(w))
            why = self._why.setdefault(id(w), [])
            if before is None:
                before = []
            now = w.syllables
            if len(now) != len(before):
                # a syllable was merged (erhua) or attached: the whole word was rewritten
                old = why[0][:] if why else ["?"]
                merged = [list(why[k]) if k < len(why) else list(old) for k in range(len(now))]
                for chain in merged:
                    chain.append(name)
                self._why[id(w)] = merged
            else:
                for k, (a, b) in enumerate(zip(before, now)):
                    if a != b and why[k][-1] != name:
                        why[k].append(name)
            self._seen[id(w)] = list(now)

    def sources(self, word: Word) -> list[str]:
        """The source chain of each syllable of ``word``."""
        chains = self._why.get(id(word), [])
        return [" -> ".join(chains[k]) if k < len(chains) else "?" for k in range(len(word.syllables))]
