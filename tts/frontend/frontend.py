"""The :class:`Frontend`: text -> segments -> syllables -> Baker phonemes."""

from __future__ import annotations

import os
import re
import threading

from tts.frontend import (
    breaks,
    classical,
    erhua,
    interjections,
    latin_tokens,
    neutral_tone,
    polyphones,
    tone_sandhi,
)
from tts.frontend.alignment import Span, nfkc, one_to_one
from tts.frontend.dictionary import PhraseDictionary, phrase_dictionary
from tts.frontend.english import part_boundaries, read_english, spell
from tts.frontend.explain import SyllableSource, Tracer
from tts.frontend.g2p import LEXICON, G2POptions, read_word
from tts.frontend.lexicon import Lexicon, Override, inline_spans, split_inline
from tts.frontend.normalize import normalize_numbers, rules_reading
from tts.frontend.runs import text_runs
from tts.frontend.segmenter import Segmenter
from tts.frontend.splitter import split_text
from tts.frontend.syllables import is_erhua, to_phonemes
from tts.frontend.symbols import SIL
from tts.frontend.textclasses import is_han
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
        # All alternatives inside one lookahead: every start is tried, so a match refused at a
        # word-part boundary (below) does not hide one that starts inside it.
        self._other_re = re.compile("(?=(" + "|".join(_lexicon_pattern(w) for w in others) + "))") if others else None
        self._phrases: PhraseDictionary | None = None
        self._lock = threading.Lock()
        self._g2pm = polyphones.G2pMPredictor() if self.options.use_g2pm else None

    # ------------------------------------------------------------------ public API

    def split(self, text: str, max_chars: int = 60, continues: bool = False) -> list[Segment]:
        """Split ``text`` into segments of at most ``max_chars`` characters (see :mod:`tts.frontend.splitter`)."""
        return split_text(text, max_chars, lambda t: self._segmenter.cut(t, hmm=False), continues)

    def analyze(self, text: str) -> Utterance:
        """Turn one segment of text into syllables and Baker phonemes.

        Raises ``TypeError`` for a non-``str`` argument and ``ValueError`` for
        a malformed inline override ``{word|pinyin}``.  Text with nothing to
        say gives an Utterance with empty ``syllables`` and ``phonemes``.
        ``syllable_spans`` says which characters of ``text`` each syllable reads.
        """
        words, normalized, unknown = self._words(text)
        words = self._pronounce(words)
        syllables, phonemes, owners = self._phonemes(words)
        spans = _word_spans(words, one_to_one([span for w in words for span in _syllable_sources(w)]))
        return Utterance(
            text=text,
            normalized=normalized,
            syllables=tuple(syllables),
            phonemes=tuple(phonemes),
            phoneme_syllable=tuple(owners),
            unknown=tuple(unknown),
            syllable_spans=tuple(spans),
        )

    def pinyin(self, text: str) -> list[str]:
        """Syllables of ``text`` of any length (split into segments first); punctuation is omitted."""
        out: list[str] = []
        for segment in self.split(text):
            out.extend(self.analyze(segment.text).syllables)
        return out

    def explain(self, text: str) -> list[SyllableSource]:
        """The syllables of ``text`` (as :meth:`pinyin` gives them), each with what decided it.

        The source names where the reading came from (user lexicon, inline override, a phrase of
        the dictionary, a character's reading, letters, a number or symbol read as words) and
        every rule that changed it after that (context rule, neutral tone, sandhi, erhua), so a
        user can see why and override it.  Raises like :meth:`analyze`.
        """
        out: list[SyllableSource] = []
        for segment in self.split(text):
            seg = segment.text
            words, _, _ = self._words(seg)
            rewritten = latin_tokens.rewrite(nfkc(seg))  # what normalize_numbers is given, for its rule names
            words = [w for w in words if w.syllables]
            tracer = Tracer(words)
            words = self._pronounce(words, tracer)
            spans = one_to_one([span for w in words for span in _syllable_sources(w)])
            k = 0
            for w in words:
                one_each = len(w.text) == len(w.syllables)
                for p, (syllable, source) in enumerate(zip(w.syllables, tracer.sources(w))):
                    start, end = spans[k] if k < len(spans) else (0, 0)
                    read = seg[start:end]
                    if w.han and read and not any(c in w.text for c in read):
                        said = w.text[p] if one_each else w.text
                        rules = "".join(f" -> {r}" for r in rules_reading(rewritten, start, end))
                        source = f"{read} read as {said} (normalize.py){rules} -> {source}"
                    out.append(SyllableSource(syllable, read, w.text, source))
                    k += 1
        return out

    # ------------------------------------------------------------------ stages

    def _phrase_dict(self) -> PhraseDictionary:
        if self._phrases is None:
            with self._lock:
                if self._phrases is None:
                    self._phrases = phrase_dictionary(self.options.phrase_sources)
        return self._phrases

    def _pieces(self, text: str) -> list[tuple[str | Override, int, int]]:
        """Inline overrides and non-Chinese lexicon words become :class:`Override` pieces; each
        piece comes with its [start, end) in ``text``."""
        out: list[tuple[str | Override, int, int]] = []
        spans = iter(inline_spans(text))
        pos = 0
        for piece in split_inline(text):
            if isinstance(piece, Override):
                start, end = next(spans)
                out.append((piece, start, end))
                pos = end
                continue
            start, pos = pos, pos + len(piece)
            if self._other_re is None:
                out.append((piece, start, pos))
                continue
            at = 0
            bounds: frozenset[int] | None = None
            for m in self._other_re.finditer(piece):
                a, b = m.span(1)
                if a < at:
                    continue
                if bounds is None:
                    bounds = part_boundaries(piece)
                if not _at_word_parts(piece, a, b, bounds):
                    continue
                if a > at:
                    out.append((piece[at:a], start + at, start + a))
                word = m.group(1)
                syllables = self.lexicon.get(word) or self.lexicon.entries[word.lower()]
                out.append((Override(word, syllables), start + a, start + b))
                at = b
            if at < len(piece):
                out.append((piece[at:], start + at, pos))
        return out

    def _words(self, text: str) -> tuple[list[Word], str, list[str]]:
        """Normalize ``text`` and read every word; returns words, normalized text, unknown characters.

        Every word records, per character, the range of ``text`` it came from.
        """
        aligned = nfkc(text)
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

        for piece, start, end in self._pieces(aligned.text):
            if isinstance(piece, Override):
                han = len(piece.syllables) == len(piece.text) and all(is_han(c) for c in piece.text)
                # "{word|pinyin}": the word's characters follow the brace; a lexicon word is the piece itself
                at = start + 1 if aligned.text[start] == "{" and end - start > len(piece.text) else start
                sources = [aligned.span(at + i, at + i + 1) for i in range(len(piece.text))]
                origin = "inline override" if at != start else LEXICON
                add(Word(piece.text, list(piece.syllables), han=han, frozen=True, sources=sources,
                         origin=(origin,) * len(piece.syllables)))
                normalized.append(piece.text)
                last_latin = False
                continue
            spelled = normalize_numbers(latin_tokens.rewrite(aligned[start:end]))
            pos = 0
            for c in text_runs(spelled.text):
                c_start, pos = pos, pos + len(c.text)
                if c.kind == "han":
                    at = c_start
                    for token in self._segmenter.cut(c.text):
                        word = read_word(token, phrases, self.lexicon)
                        word.sources = [spelled.span(at + i, at + i + 1) for i in range(len(token))]
                        at += len(token)
                        add(word)
                    normalized.append(c.text)
                    last_latin = False
                elif c.kind == "latin":
                    sources = [spelled.span(c_start + i, c_start + i + 1) for i in range(len(c.text))]
                    latin = read_english(c.text)
                    add(Word(c.text, list(latin), han=False, frozen=True, sources=sources,
                             origin=("English or letters (english.py)",) * len(latin)))
                    normalized.append(c.text)
                    last_latin = True
                elif c.kind == "pause":
                    pending_break = 3
                    if words and not words[-1].pause_after:
                        words[-1].pause_after = c.text.strip()
                    normalized.append("".join(c.text.split()))
                    last_latin = False
                elif c.kind == "soft":
                    # Whitespace only survives between two Latin words ("hello world").
                    normalized.append("".join(c.text.split()) or (" " if last_latin else ""))
                else:
                    unknown.setdefault(c.text, None)
        norm = re.sub(r" (?![A-Za-z])", "", "".join(normalized).strip())
        return words, norm, list(unknown)

    def _pronounce(self, words: list[Word], trace: Tracer | None = None) -> list[Word]:
        """Polyphones, neutral tone, 一/不, erhua, prosody and 3-3 sandhi, in that order.

        ``trace`` (from :meth:`explain`) is called with each stage's name after the stage.
        """
        words = [w for w in words if w.syllables]
        if not words:
            return words
        flat = self._base_readings(words, trace)
        if self.options.use_rules:
            tone_sandhi.apply_yi_bu(flat)
            if trace is not None:
                trace("一/不 sandhi (tone_sandhi.py)")
        words = _attach_er_words(words)
        if trace is not None:
            trace.words = words
        levels = breaks.word_breaks(words)
        for w, level in zip(words, levels):
            w.break_before = level
        if self.options.use_rules:
            starts = {k for k, level in enumerate(levels) if level >= 2}
            tone_sandhi.apply_third_tone(words, starts, self._word_freq)
            if trace is not None:
                trace("3-3 sandhi (tone_sandhi.py)")
            for w in words:
                erhua.merge(w)
            if trace is not None:
                trace("erhua (erhua.py)")
        return words

    def _word_freq(self, text: str) -> int:
        return self._segmenter.freq(text) or int(text in self._phrase_dict())

    @staticmethod
    def _phonemes(words: list[Word]) -> tuple[list[str], list[str], list[int]]:
        syllables: list[str] = []
        phonemes: list[str] = []
        owners: list[int] = []
        for _wi, w in enumerate(words):
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

        Used by bench/polyphone_eval.py; only Chinese words are listed.
        """
        words, _, _ = self._words(text)
        words = [w for w in words if w.syllables]
        self._base_readings(words)
        return [(ch, syl) for w in words if w.han for ch, syl in zip(w.text, w.syllables)]

    def _base_readings(self, words: list[Word], trace: Tracer | None = None) -> Flat:
        """Polyphone rules (and g2pM if enabled), then neutral tones, in place; returns the flat view."""
        flat = Flat(words)
        if self.options.use_rules:
            polyphones.apply_context_rules(flat, trace)
        if self._g2pm is not None:
            polyphones.apply_g2pm(flat, self._g2pm)
            if trace is not None:
                trace("g2pM model (polyphones.apply_g2pm)")
        if self.options.use_rules:
            neutral_tone.apply(flat)
            if trace is not None:
                trace("neutral tone and word sense (neutral_tone.py, senses.py)")
            decided = interjections.apply(flat)
            if trace is not None:
                for i in decided:
                    name = _CONSENT_STAGE if flat.char(i) == "得" else _INTERJECTION_STAGE
                    trace(name, flat.word(i), flat.pos(i))
            decided = classical.apply(flat, self._phrase_dict().__contains__)
            if trace is not None:
                for i in decided:
                    trace(_VERSE_STAGE, flat.word(i), flat.pos(i))
        return flat


#: How ``explain`` names the interjection stage.
_INTERJECTION_STAGE = "interjection closed by its punctuation (interjections.py)"
#: How ``explain`` names 得 of consent (interjections.consent_reading).
_CONSENT_STAGE = "得 of consent opening a clause (interjections.consent_reading)"
#: How ``explain`` names the classical-verse stage.
_VERSE_STAGE = "literary reading in classical verse (classical.py)"


def _attach_er_words(words: list[Word]) -> list[Word]:
    """erhua.attach_er_words, keeping track of where the attached 儿 came from."""
    before = list(words)
    after = erhua.attach_er_words(words)
    kept = {id(w) for w in after}
    last: Word | None = None
    for w in before:
        if id(w) in kept:
            last = w
        elif last is not None:  # w (a lone 儿) was appended to the kept word before it
            last.sources.extend(w.sources)
    return after


def _union(spans: list[Span]) -> Span:
    return min(s for s, _ in spans), max(e for _, e in spans)


def _word_spans(words: list[Word], spans: list[Span]) -> list[Span]:
    """Undo :func:`one_to_one` for English words read as words: 'Uber' read in four syllables
    still has one span, the whole word, for each of them (spelled letters keep one each)."""
    at = 0
    for w in words:
        n = len(w.syllables)
        if (not w.han and w.sources and w.text.isascii() and w.text.isalpha()
                and tuple(w.syllables) != spell(w.text)):
            spans[at:at + n] = [_union(w.sources)] * n
        at += n
    return spans


def _syllable_sources(word: Word) -> list[Span]:
    """The input range each syllable of ``word`` reads.

    A Chinese word reads one character per syllable, except that an erhua syllable (nar3) also
    reads the 儿 after it; letters, numbers read as words and user entries whose syllables do
    not match characters one to one give every syllable the word's whole range.
    """
    n = len(word.syllables)
    if not word.sources or len(word.sources) != len(word.text):
        return [(0, 0)] * n
    if word.han and len(word.text) == n:
        return list(word.sources)
    if word.han and len(word.text) > n:
        out, i = [], 0
        for j, syllable in enumerate(word.syllables):
            merge = (is_erhua(syllable) and i + 1 < len(word.text) and word.text[i + 1] == "儿"
                     and len(word.text) - i > n - j)
            out.append(_union(word.sources[i:i + 2]) if merge else word.sources[i])
            i += 2 if merge else 1
        if i == len(word.text):
            return out
    return [_union(word.sources)] * n


def _lexicon_pattern(word: str) -> str:
    """A user's non-Chinese lexicon word as a regular expression: as written, except that a word
    written all in lowercase matches in any case (``android`` also reads ``Android`` and
    ``ANDROID``), the way English words are capitalized at will; one with capitals is exact."""
    if word == word.lower() and any("a" <= ch <= "z" for ch in word):
        return f"(?i:{re.escape(word)})"
    return re.escape(word)


def _at_word_parts(text: str, start: int, end: int, bounds: frozenset[int]) -> bool:
    """Whether ``text[start:end]`` begins and ends at English word-part boundaries wherever it
    begins or ends with an ASCII letter (`english.part_boundaries`)."""
    def letter(ch: str) -> bool:
        return ch.isascii() and ch.isalpha()

    return ((not letter(text[start]) or start in bounds)
            and (not letter(text[end - 1]) or end in bounds))
