"""<say-as interpret-as="...">: how a stretch of text is read, as text the frontend then reads.

Each interpretation turns the element's content into pieces of reading text, each tied to the
[start, end) of the content it stands for, so timestamps still point at the caller's characters:
digits and telephone numbers become Chinese digits (tied to their digits), "characters" spells
letter by letter, "name" gives a surname its surname reading; date, time, currency, address and
measure are left to the frontend's own normalization (it already reads those forms), which is
then applied to this stretch alone.
"""

from __future__ import annotations

import re

from tts.frontend.numbers import read_digits, read_number
from tts.frontend.surnames import COMPOUND_SURNAMES, SURNAME_READINGS
from tts.ssml.values import SSMLError

Piece = tuple[str, int, int]  # reading text, and the content range it reads

# Alibaba's and W3C's names; "number" is W3C's old spelling of cardinal, "nick" Alibaba's.
INTERPRETATIONS = ("cardinal", "number", "digits", "telephone", "date", "time", "currency", "characters",
                   "spell-out", "verbatim", "name", "nick", "address", "id", "measure")
SEPARATOR = "·"  # a word boundary without a pause: spelled characters stay apart


def read(interpret_as: str, content: str) -> list[Piece]:
    kind = interpret_as.strip().lower()
    if kind not in INTERPRETATIONS:
        raise SSMLError(f"say-as interpret-as {interpret_as!r} is not supported "
                        f"(supported: {', '.join(INTERPRETATIONS)})")
    if kind in ("cardinal", "number"):
        return _numbers(content, lambda digits: read_number(digits))
    if kind == "digits":
        return _numbers(content, lambda digits: read_digits(digits))
    if kind == "telephone":
        return _telephone(content)
    if kind in ("characters", "spell-out", "verbatim", "id"):
        return _spelled(content, yao=kind == "id")
    if kind in ("name", "nick"):
        return _name(content)
    return [(content, 0, len(content))]  # date, time, currency, address, measure: the frontend's rules


def _numbers(content: str, speak) -> list[Piece]:
    """Every run of digits read by `speak` (thousands separators dropped), the rest as it is."""
    out: list[Piece] = []
    pos = 0
    for m in re.finditer(r"\d+(?:,\d{3})*(?:\.\d+)?", content):
        if m.start() > pos:
            out.append((content[pos:m.start()], pos, m.start()))
        digits = m.group(0).replace(",", "")
        if "." in digits and speak is not None:
            whole, frac = digits.split(".")
            reading = speak(whole) + "点" + read_digits(frac)
        else:
            reading = speak(digits)
        out.append((reading, m.start(), m.end()))
        pos = m.end()
    if pos < len(content):
        out.append((content[pos:], pos, len(content)))
    return out


def _telephone(content: str) -> list[Piece]:
    """Digits one by one with 1 as 幺, +86 as 加八六; separators (- space ( )) are not read."""
    out: list[Piece] = []
    for i, ch in enumerate(content):
        if ch.isdigit():
            out.append((read_digits(ch, yao=True), i, i + 1))
        elif ch == "+":
            out.append(("加", i, i + 1))
        elif ch not in " -()（）":
            out.append((ch, i, i + 1))
    return out


def _spelled(content: str, yao: bool) -> list[Piece]:
    """Each character on its own: letters by name, digits one by one, other characters as they are."""
    out: list[Piece] = []
    for i, ch in enumerate(content):
        if ch.isspace():
            continue
        if out:
            out.append((SEPARATOR, i, i))
        out.append((read_digits(ch, yao=yao) if ch.isdigit() else ch, i, i + 1))
    return out


def _name(content: str) -> list[Piece]:
    """A personal name: a surname with a reading of its own gets it (区 ou1, 尉迟 yu4 chi2)."""
    text = content.strip()
    lead = len(content) - len(content.lstrip())
    surname = text[:2] if text[:2] in COMPOUND_SURNAMES else text[:1] if text[:1] in SURNAME_READINGS else ""
    if not surname:
        return [(content, 0, len(content))]
    readings = COMPOUND_SURNAMES.get(surname) or (SURNAME_READINGS[surname],)
    override = "{" + surname + "|" + " ".join(readings) + "}"
    end = lead + len(surname)
    pieces: list[Piece] = [(override, lead, end)]
    if end < len(content):
        pieces.append((content[end:], end, len(content)))
    return pieces
