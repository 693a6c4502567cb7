"""Interjections that stand alone as a clause, read by the punctuation that closes them.

现代汉语词典 gives these interjections one reading per use, and in writing the use shows in the
mark after the word: a question mark asks back (嗯？ ńg "what?", 哦？ ó "really?", 啊？ á "pardon?"),
an exclamation mark shows surprise or disapproval (嗯！ ňg), anything else answers or shows that
the speaker has understood (嗯， ǹg "yes", 哦， ò "I see").  The phrase tables know none of this:
they give 嗯 its first reading ń and 哦 ó whatever follows, and the neutral-tone stage reads a
clause-opening 啊 as the exclamation ā.

Only a one-character word that is a whole clause is decided (嗯，…, …，哦。); inside a clause the
same characters are particles (好哦, 是啊) and other stages read them.  得 opening a clause of
nothing but particles (得，…; 得嘞; 得了吧) is the word of consent dé (:func:`consent_reading`).
"""

from __future__ import annotations

from tts.frontend.words import Flat

#: The marks that ask back and that exclaim (full-width and ASCII).
QUESTION_MARKS = frozenset("？?")
EXCLAMATION_MARKS = frozenset("！!")

#: Interjection -> (reading before a question mark, before an exclamation mark, otherwise).
#: ``None`` leaves the reading the other stages give (啊！ and 啊， stay ā).
READINGS: dict[str, tuple[str, str | None, str | None]] = {
    "嗯": ("n2", "n3", "n4"),
    "哦": ("o2", None, "o4"),
    "啊": ("a2", None, None),
}


def interjection_reading(flat: Flat, i: int) -> str | None:
    """The reading of syllable ``i`` when it is an interjection of :data:`READINGS` making a
    clause of its own, by the punctuation closing it; else ``None``.

    Args:
        flat: the syllables of one Chinese run.
        i: index of the syllable to decide.
    Returns:
        The reading, e.g. ``"n4"``, or ``None`` when the syllable is not such an interjection.
    """
    readings = READINGS.get(flat.char(i))
    w = flat.word(i)
    if readings is None or len(w.text) != 1 or flat.prev_char(i) or flat.next_char(i):
        return None
    marks = set(flat.pause_after(i))  # the whole run: 嗯”？ asks back too
    if marks & QUESTION_MARKS:
        return readings[0]
    if marks & EXCLAMATION_MARKS:
        return readings[1]
    return readings[2]


#: Particles that may follow 得 of consent in its clause (得嘞, 得了吧, 得啦).
_AFTER_CONSENT = frozenset("嘞咧啦了吧")


def consent_reading(flat: Flat, i: int) -> str | None:
    """得 opening a clause that holds nothing else but particles is the word of consent or of
    giving up, dé (现代汉语词典: 得 "used to show agreement or to stop": 得，就这么办; 得嘞; 得了吧);
    the obligation reading děi needs a verb after it.

    Args:
        flat: the syllables of one Chinese run.
        i: index of the syllable to decide.
    Returns:
        ``"de2"`` or ``None``.
    """
    if flat.char(i) != "得" or flat.prev_char(i):
        return None
    k = i + 1
    while flat.same_clause(i, k):
        if flat.char(k) not in _AFTER_CONSENT:
            return None
        k += 1
    return "de2"


def apply(flat: Flat) -> list[int]:
    """Read every interjection standing alone as a clause (see the module docstring).

    Runs after the neutral-tone stage, which reads a clause-opening 啊 as ā before it knows the
    mark after it.  Returns the indices of the syllables it decided (for ``--explain``).
    """
    decided: list[int] = []
    if not any(ch in flat.text for ch in READINGS) and "得" not in flat.text:
        return decided
    for i, ch in enumerate(flat.text):
        if (ch not in READINGS and ch != "得") or flat.frozen(i) or not flat.word(i).han:
            continue
        found = interjection_reading(flat, i) if ch in READINGS else consent_reading(flat, i)
        if found:
            flat.set(i, found)
            decided.append(i)
    return decided
