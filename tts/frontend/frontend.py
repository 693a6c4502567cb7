"""The :class:`Frontend`: text -> segments -> syllables -> Baker phonemes."""

from __future__ import annotations

import os
import re
import threading

from tts.frontend import erhua, neutral_tone, polyphones, prosody, tone_sandhi
from tts.frontend.chunks import chunk
from tts.frontend.dictionary import PhraseDictionary, phrase_dictionary
from tts.frontend.g2p import G2POptions, read_word
from tts.frontend.letters import read_latin
from tts.frontend.lexicon import Lexicon, Override, split_inline
from tts.frontend.normalize import normalize_numbers
from tts.frontend.segmenter import Segmenter
from tts.frontend.splitter import split_text
from tts.frontend.syllables import to_phonemes
from tts.frontend.symbols import SIL
from tts.frontend.textclasses import is_han, normalize_unicode
from tts.frontend.utterance import Segment, Utterance
from tts.frontend.words import Flat, Word


class Frontend:
    """Chinese text frontend for the Baker FastSpeech2 model.

    ``lexicon_path`` names an optional user lexicon (see
    :mod:`tts.frontend.lexicon`); a malformed file raises
    :class:`~tts.frontend.lexicon.LexiconError` here.  Heavy resources (jieba,
    phrase tables, g2pM) are loaded on first use, once per process, under a
    lock; an instance may be shared by several threads.
    """

    def __init__(self, lexicon_path: str | os.PathLike | None = None, *, options: G2POptions | None = None):
        self.lexicon = Lexicon.load(lexicon_path) if lexicon_path is not None else Lexicon()
        self.options = options or G2POptions()
        self._segmenter = Segmenter(self.lexicon.han_words)
        others = self.lexicon.other_words
        self._other_re = re.compile("|".join(re.escape(w) for w in others)) if others else None
        self._phrases: PhraseDictionary | None = None
        self._lock = threading.Lock()
        self._g2pm = polyphones.G2pMPredictor() if self.options.use_g2pm else None

    # ------------------------------------------------------------------ public API

    def split(self, text: str, max_chars: int = 60) -> list[Segment]:
        """Split ``text`` into segments of at most ``max_chars`` characters (see :mod:`tts.frontend.splitter`)."""
        return split_text(text, max_chars, lambda t: self._segmenter.cut(t, hmm=False))

    def analyze(self, text: str) -> Utterance:
        """Turn one segment of text into syllables and Baker phonemes.

        Raises ``TypeError`` for a non-``str`` argument and ``ValueError`` for
        a malformed inline override ``{word|pinyin}``.  Text with nothing to
        say gives an Utterance with empty ``syllables`` and ``phonemes``.
        """
        words, normalized, unknown = self._words(text)
        words = self._pronounce(words)
        syllables, phonemes, owners = self._phonemes(words)
        return Utterance(
            text=text,
            normalized=normalized,
            syllables=tuple(syllables),
            phonemes=tuple(phonemes),
            phoneme_syllable=tuple(owners),
            unknown=tuple(unknown),
        )

    def pinyin(self, text: str) -> list[str]:
        """Syllables of ``text`` of any length (split into segments first); punctuation is omitted."""
        out: list[str] = []
        for segment in self.split(text):
            out.extend(self.analyze(segment.text).syllables)
        return out

    # ------------------------------------------------------------------ stages

    def _phrase_dict(self) -> PhraseDictionary:
        if self._phrases is None:
            with self._lock:
                if self._phrases is None:
                    self._phrases = phrase_dictionary(self.options.phrase_sources)
        return self._phrases

    def _pieces(self, text: str) -> list[str | Override]:
        """Inline overrides and non-Chinese lexicon words become :class:`Override` pieces."""
        pieces = split_inline(text)
        if self._other_re is None:
            return pieces
        out: list[str | Override] = []
        for piece in pieces:
            if isinstance(piece, Override):
                out.append(piece)
                continue
            pos = 0
            for m in self._other_re.finditer(piece):
                if m.start() > pos:
                    out.append(piece[pos:m.start()])
                out.append(Override(m.group(0), self.lexicon.entries[m.group(0)]))
                pos = m.end()
            if pos < len(piece):
                out.append(piece[pos:])
        return out

    def _words(self, text: str) -> tuple[list[Word], str, list[str]]:
        """Normalize ``text`` and read every word; returns words, normalized text, unknown characters."""
        text = normalize_unicode(text)
        phrases = self._phrase_dict()
        words: list[Word] = []
        normalized: list[str] = []
        unknown: dict[str, None] = {}
        pending_break = 1
        last_latin = False

        def add(word: Word) -> None:
            nonlocal pending_break
            word.break_before = pending_break
            words.append(word)
            pending_break = 1

        for piece in self._pieces(text):
            if isinstance(piece, Override):
                han = len(piece.syllables) == len(piece.text) and all(is_han(c) for c in piece.text)
                add(Word(piece.text, list(piece.syllables), han=han, frozen=True))
                normalized.append(piece.text)
                last_latin = False
                continue
            for c in chunk(normalize_numbers(piece)):
                if c.kind == "han":
                    for token in self._segmenter.cut(c.text):
                        add(read_word(token, phrases, self.lexicon))
                    normalized.append(c.text)
                    last_latin = False
                elif c.kind == "latin":
                    add(Word(c.text, list(read_latin(c.text)), han=False, frozen=True))
                    normalized.append(c.text)
                    last_latin = True
                elif c.kind == "pause":
                    pending_break = 3
                    normalized.append("".join(c.text.split()))
                    last_latin = False
                elif c.kind == "soft":
                    # Whitespace only survives between two Latin words ("hello world").
                    normalized.append("".join(c.text.split()) or (" " if last_latin else ""))
                else:
                    unknown.setdefault(c.text, None)
        norm = re.sub(r" (?![A-Za-z])", "", "".join(normalized).strip())
        return words, norm, list(unknown)

    def _pronounce(self, words: list[Word]) -> list[Word]:
        """Polyphones, neutral tone, 一/不, erhua, prosody and 3-3 sandhi, in that order."""
        words = [w for w in words if w.syllables]
        if not words:
            return words
        flat = self._base_readings(words)
        if self.options.use_rules:
            tone_sandhi.apply_yi_bu(flat)
        words = erhua.attach_er_words(words)
        levels = prosody.word_breaks(words)
        for w, level in zip(words, levels):
            w.break_before = level
        if self.options.use_rules:
            starts = {k for k, level in enumerate(levels) if level >= 2}
            tone_sandhi.apply_third_tone(words, starts, self._word_freq)
            for w in words:
                erhua.merge(w)
        return words

    def _word_freq(self, text: str) -> int:
        return self._segmenter.freq(text) or int(text in self._phrase_dict())

    @staticmethod
    def _phonemes(words: list[Word]) -> tuple[list[str], list[str], list[int]]:
        syllables: list[str] = []
        phonemes: list[str] = []
        owners: list[int] = []
        for wi, w in enumerate(words):
            for pi, syl in enumerate(w.syllables):
                if syllables:
                    level = 0 if pi > 0 else w.break_before
                    phonemes.append(f"#{level}")
                    owners.append(-1)
                index = len(syllables)
                syllables.append(syl)
                for ph in to_phonemes(syl):
                    phonemes.append(ph)
                    owners.append(index)
        if not syllables:
            return [], [], []
        return syllables, [SIL, *phonemes, SIL], [-1, *owners, -1]

    # ------------------------------------------------------------------ for the evaluation tool

    def base_readings(self, text: str) -> list[tuple[str, str]]:
        """(character, reading) pairs after the polyphone and neutral-tone stages, before any sandhi.

        Used by :mod:`tts.frontend.polyphone_eval`; only Chinese words are listed.
        """
        words, _, _ = self._words(text)
        words = [w for w in words if w.syllables]
        self._base_readings(words)
        return [(ch, syl) for w in words if w.han for ch, syl in zip(w.text, w.syllables)]

    def _base_readings(self, words: list[Word]) -> Flat:
        """Polyphone rules (and g2pM if enabled), then neutral tones, in place; returns the flat view."""
        flat = Flat(words)
        if self.options.use_rules:
            polyphones.apply_context_rules(flat)
        if self._g2pm is not None:
            polyphones.apply_g2pm(flat, self._g2pm)
        if self.options.use_rules:
            neutral_tone.apply(flat)
        return flat
