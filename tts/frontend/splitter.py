"""Splitting long text into :class:`~tts.frontend.utterance.Segment` pieces.

1. The text is NFKC-normalized (:func:`~tts.frontend.textclasses.normalize_unicode`).
2. It is cut into sentences after 。！？!?…；; (and ``...``, and a ``.`` that is
   not followed by a letter or digit) and at newlines; closing quotes and
   brackets right after the punctuation stay with the sentence.
3. A sentence longer than ``max_chars`` is cut after ，、：,: (not inside
   numbers such as ``1,000`` or ``10:30``) and the clauses are packed greedily
   into pieces of at most ``max_chars``.
4. A clause that is still too long is cut between jieba words, packed the
   same way.  Only a single token longer than ``max_chars`` (a long run of
   letters, digits or unknown symbols) is cut inside, at ``max_chars``.

Length is counted in characters of the (NFKC-normalized) input, not counting
whitespace; an inline override ``{银行|yin2 hang2}`` counts as its word (2)
and is never cut.  Every non-whitespace character ends up in exactly one
segment, in order; segments are stripped of surrounding whitespace and
whitespace-only pieces vanish.  Each segment keeps, per character, where in the input it
came from (``Segment.source``).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

from tts.frontend.alignment import nfkc
from tts.frontend.lexicon import inline_spans
from tts.frontend.textclasses import CLOSING, SENTENCE_END
from tts.frontend.utterance import Segment

#: Seconds of silence after a piece, by the punctuation it ends with.
PAUSE_SENTENCE = 0.5
PAUSE_SEMICOLON = 0.4
PAUSE_COMMA = 0.25
PAUSE_NEWLINE = 0.5
PAUSE_WORD = 0.1

_CLAUSE_END = frozenset("，、：,:")
_PAUSES = {**{c: PAUSE_SENTENCE for c in "。！？!?….\n"}, "；": PAUSE_SEMICOLON, ";": PAUSE_SEMICOLON,
           **{c: PAUSE_COMMA for c in _CLAUSE_END}}


def _atoms(text: str) -> list[str]:
    """Characters of ``text``, except that each inline override is one atom."""
    out: list[str] = []
    pos = 0
    for start, end in inline_spans(text):
        out.extend(text[pos:start])
        out.append(text[start:end])
        pos = end
    out.extend(text[pos:])
    return out


def _length(atoms: list[str]) -> int:
    n = 0
    for a in atoms:
        if len(a) > 1:  # an inline override: count its word
            n += len(a[1:a.index("|")].strip())
        elif not a.isspace():
            n += 1
    return n


def _is_sentence_end(atoms: list[str], i: int) -> bool:
    a = atoms[i]
    if a == "\n" or a in SENTENCE_END:
        return True
    if a == ".":
        nxt = atoms[i + 1] if i + 1 < len(atoms) else ""
        return not (len(nxt) == 1 and nxt.isalnum() and nxt.isascii())
    return False


def _is_clause_end(atoms: list[str], i: int) -> bool:
    a = atoms[i]
    if a not in _CLAUSE_END:
        return False
    if a in ",:" and 0 < i < len(atoms) - 1:
        prev, nxt = atoms[i - 1], atoms[i + 1]
        if prev.isdigit() and nxt.isdigit():
            return False
    return True


def _cut(atoms: list[str], is_end: Callable[[list[str], int], bool]) -> list[list[str]]:
    """Cut after every atom where ``is_end`` holds, keeping following end/closing marks."""
    pieces: list[list[str]] = []
    cur: list[str] = []
    i = 0
    n = len(atoms)
    while i < n:
        cur.append(atoms[i])
        if is_end(atoms, i):
            while i + 1 < n and (atoms[i + 1] in CLOSING or (atoms[i + 1] != "\n" and is_end(atoms, i + 1))):
                i += 1
                cur.append(atoms[i])
            pieces.append(cur)
            cur = []
        i += 1
    if cur:
        pieces.append(cur)
    return pieces


def _pack(units: list[list[str]], max_chars: int) -> list[list[str]]:
    """Greedily join consecutive units while the result stays within ``max_chars``."""
    out: list[list[str]] = []
    cur: list[str] = []
    cur_len = 0
    for unit in units:
        n = _length(unit)
        if cur and cur_len + n > max_chars:
            out.append(cur)
            cur, cur_len = [], 0
        cur = cur + unit
        cur_len += n
    if cur:
        out.append(cur)
    return out


def _split_words(atoms: list[str], max_chars: int, cut_words: Callable[[str], list[str]]) -> list[list[str]]:
    units: list[list[str]] = []
    plain: list[str] = []

    def flush() -> None:
        if plain:
            for token in cut_words("".join(plain)):
                units.append(list(token))
            plain.clear()

    for a in atoms:
        if len(a) > 1:
            flush()
            units.append([a])
        else:
            plain.append(a)
    flush()
    # Tokens longer than max_chars are cut (only non-words get that long).
    fitted: list[list[str]] = []
    for unit in units:
        if _length(unit) <= max_chars:
            fitted.append(unit)
            continue
        cur: list[str] = []
        for a in unit:
            cur.append(a)
            if _length(cur) >= max_chars:
                fitted.append(cur)
                cur = []
        if cur:
            fitted.append(cur)
    return _pack(fitted, max_chars)


def _ends_with_sentence_end(atoms: list[str]) -> bool:
    """The piece ends with sentence-final punctuation (before closing quotes and spaces)."""
    for i in range(len(atoms) - 1, -1, -1):
        if atoms[i] in CLOSING or (atoms[i].isspace() and atoms[i] != "\n"):
            continue
        return _is_sentence_end(atoms, i)
    return False


def _pause_for(atoms: list[str]) -> float:
    for a in reversed(atoms):
        if a in CLOSING or (a.isspace() and a != "\n"):
            continue
        return _PAUSES.get(a, PAUSE_WORD)
    return PAUSE_WORD


def pause_after(text: str) -> float:
    """Seconds of silence :func:`split_text` puts after a piece of text ending like ``text`` when
    another piece follows (by its last punctuation or newline; closing marks are skipped).

    For callers that receive text piece by piece (a streamed reply) and must space the pieces as
    one whole text would have been spaced.
    """
    return _pause_for(_atoms(nfkc(text).text))


def split_text(text: str, max_chars: int, cut_words: Callable[[str], list[str]],
               continues: bool = False) -> list[Segment]:
    """Split ``text`` into segments of at most ``max_chars`` characters (see the module docstring).

    Each segment's ``source`` maps its characters back to ranges of ``text``; ``ends_sentence``
    marks the last piece of each sentence. When the text ``continues`` in another call (a span of
    markup follows), its last segment keeps the pause its punctuation calls for and ends a
    sentence only if its punctuation says so; else it gets no pause and ends the last sentence.
    """
    if not isinstance(max_chars, int) or max_chars < 1:
        raise ValueError(f"max_chars must be a positive integer, got {max_chars!r}")
    norm = nfkc(text)
    atoms = _atoms(norm.text)
    pieces: list[list[str]] = []
    sentence_ends: set[int] = set()  # indices of the pieces that end a sentence
    for sentence in _cut(atoms, _is_sentence_end):
        if _length(sentence) <= max_chars:
            pieces.append(sentence)
        else:
            clauses = []
            for clause in _cut(sentence, _is_clause_end):
                if _length(clause) <= max_chars:
                    clauses.append(clause)
                else:
                    clauses.extend(_split_words(clause, max_chars, cut_words))
            pieces.extend(_pack(clauses, max_chars))
        sentence_ends.add(len(pieces) - 1)
    result: list[Segment] = []
    pos = 0  # pieces cover the atoms in order, so each one starts where the last ended
    for index, piece in enumerate(pieces):
        raw = "".join(piece)
        start, pos = pos, pos + len(raw)
        stripped = raw.strip()
        if not stripped:
            # Whitespace only: a newline here still ends the previous piece.
            continue
        first = start + len(raw) - len(raw.lstrip())
        result.append(Segment(stripped, _pause_for(piece), norm.source_map(first, first + len(stripped)),
                              index in sentence_ends))
    if pos != len(norm.text):  # pragma: no cover - the pieces must cover the text
        raise AssertionError("split lost characters")
    if result and not continues:
        result[-1] = dataclasses.replace(result[-1], pause_after=0.0, ends_sentence=True)
    elif result and not _ends_with_sentence_end(pieces[-1]):
        result[-1] = dataclasses.replace(result[-1], ends_sentence=False)
    return result
