"""Mixed Latin/digit tokens rewritten before number normalization, so that each part is read the
way people say it rather than as a quantity.

* Web addresses and e-mail addresses: the scheme (``https://``) is not read; ``.`` is 点, ``/`` is
  斜杠, ``-`` is 杠, ``_`` is 下划线, ``:`` is 冒号 and digits are read one by one; the words
  between them stay Latin and are read by :mod:`tts.frontend.english` (``www.example.com`` ->
  W W W 点 example 点 com).  ``@`` is left to the normalizer's symbol table (艾特).
* Video resolutions ``720P``, ``1080p``, ``2160P``: digits one by one (一零八零P), as they are said.
* Instruction-set names ``x86``, ``x64``, ``ARM64``: the digits one by one (x八六), not 八十六.
* A dot inside a name (``Node.js``, ``ASP.NET``, ``config.yaml``) or before one (``.NET``, ``.py``) is
  点, as developers say it; the names on both sides are read as words.  Only between runs of two
  letters or more, so abbreviations (``e.g.``, ``U.S.``, ``Ph.D.``) are left alone, and only before
  a part all in lowercase or all in capitals, so a title before a name (``Mr.Smith``,
  ``St.Louis``) is too; a leading dot
  only before capitals (``.NET``) or a short lowercase extension (``.py``, ``.json``), so that a
  sentence ended by an ASCII full stop before a word (``好.Thanks``) is not read as 点.
* Codec names ``H.264``, ``H.265``, ``G.711`` and one-digit interface names (``M.2``, ``U.2``): 点 and
  the digits one by one (H点二六四, M点二), never a decimal after a letter.
* Respirator classes ``N95``, ``KN95``, ``KF94``, ``N99``: the efficiency rating digit by digit
  (N九五), as the name is said, not the percentage (N九十五).
* ``C#`` and ``F#`` are the languages C sharp and F sharp: the ``#`` is read as the word sharp.
* A processor-style model code, a letters-and-digits name, a hyphen and a number of three digits
  or more (``i7-13700K``, ``i9-14900HX``): the hyphen is not read and the number is said digit by
  digit, as an identifier (i七一三七零零K), not as a range to a quantity (i七到一万三千七百K).
* A fiscal year ``FY2024``/``FY24`` is 二零二四财年/二四财年, as finance readers say it, not F Y and a
  number.  Quarters and halves (``2025Q3``, ``2024H1``) stay Latin: the round-3 symbols gold reads
  2025Q3 as 二零二五 + Q3 said as letters, and that convention is kept until the lead decides.
  The year is said digit by digit, as years are; never inside a longer Latin word.

Everything else with letters and digits (``5G``, ``4K``, ``H2O``, ``iPhone 15``, ``v2.1.3``) is
already read sensibly by the normalizer: digits as a number, letters by the English reader.
"""

from __future__ import annotations

import re

from tts.frontend.alignment import Aligned
from tts.frontend.alignment import sub as aligned_sub
from tts.frontend.numbers import read_digits

_HOST = r"[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+"
_URL_RE = re.compile(
    rf"(?:https?://|ftp://|www\.)(?:{_HOST}|[A-Za-z0-9-]+)(?::[0-9]{{1,5}})?(?:/[A-Za-z0-9._~%/?=&#+-]*)?"
    rf"|(?<![A-Za-z0-9.@])[A-Za-z0-9-]+\.(?:com|cn|net|org|io|ai|dev|edu|gov)(?:\.cn)?(?![A-Za-z0-9])(?:/[A-Za-z0-9._~%/?=&#+-]*)?"
)
_EMAIL_RE = re.compile(r"[A-Za-z0-9._%+-]+@" + _HOST)
_PIECE_RE = re.compile(r"(?:https?|ftp)://|[0-9]+|[./_:-]")
_SEPARATORS = {".": "点", "/": "斜杠", "-": "杠", "_": "下划线", ":": "冒号"}

_RESOLUTION_RE = re.compile(r"(?<![0-9A-Za-z.])(?:480|720|1080|1440|2160|4320)(?=[Pp](?![A-Za-z]))")
_ISA_RE = re.compile(r"(?<=(?<![A-Za-z])[Xx])(?:86|64)(?![0-9])|(?<=ARM)64(?![0-9])|(?<=arm)64(?![0-9])")
_NAME_DOT_RE = re.compile(r"(?<=[A-Za-z]{2})\.(?=(?:[A-Z]{2,}|[a-z]{2,})(?![A-Za-z]))"
                          r"|(?<![A-Za-z0-9.])\.(?=(?:[A-Z]{2,}|[a-z]{2,4})(?![A-Za-z]))")
_CODEC_RE = re.compile(r"(?<=(?<![A-Za-z0-9.])[A-Z])\.(?:[0-9]|[0-9]{3})(?![0-9.])")
# A respirator's filter class and its efficiency rating (N95, KN95, KF94, N99, R95, P95).
_RESPIRATOR_RE = re.compile(r"(?<=(?<![A-Za-z])(?:N|R|P))9[0459](?![0-9.])|(?<=(?<![A-Za-z])K[NF])9[0459](?![0-9.])")
_SHARP_RE = re.compile(r"(?<=(?<![A-Za-z0-9])[CFcf])#(?![A-Za-z0-9#])")
# The number and then the hyphen, each on its own, so that every digit keeps its own source range.
_MODEL_NUMBER_RE = re.compile(r"(?:(?<=[A-Za-z][0-9]-)|(?<=[A-Za-z][0-9]{2}-))[0-9]{3,}(?=[A-Za-z]*(?![A-Za-z0-9.]))")
# FY and a four- or two-digit year: a fiscal year.
_FISCAL_YEAR_RE = re.compile(r"(?<![A-Za-z0-9])FY\s?([0-9]{4}|[0-9]{2})(?![A-Za-z0-9])")
_MODEL_HYPHEN_RE = re.compile(r"(?:(?<=[A-Za-z][0-9])|(?<=[A-Za-z][0-9]{2}))-(?=[零一二三四五六七八九]{3})")


def _addresses(text: Aligned) -> Aligned:
    plain = text.text
    ranges = [m.span() for m in _EMAIL_RE.finditer(plain)]
    ranges += [m.span() for m in _URL_RE.finditer(plain) if not any(a <= m.start() < b for a, b in ranges)]
    if not ranges:
        return text

    def piece(m: re.Match[str]) -> str:
        if not any(a <= m.start() < b for a, b in ranges):
            return m.group(0)
        token = m.group(0)
        if token.endswith("://"):
            return ""
        if token.isdigit():
            return read_digits(token)
        return _SEPARATORS[token]

    return aligned_sub(_PIECE_RE, piece, text)


def _fiscal_years(text: Aligned) -> Aligned:
    """FY2024 / FY24 as 二零二四财年 / 二四财年 (see the module docstring)."""
    if "FY" not in text.text:
        return text
    return aligned_sub(_FISCAL_YEAR_RE, lambda m: read_digits(m.group(1)) + "财年", text)


def rewrite(text: Aligned) -> Aligned:
    """Rewrite web and e-mail addresses, fiscal years, resolutions, instruction-set names, dotted
    names, codecs, C#/F# and model codes in ``text``
    (see the module docstring); the result keeps every character's source range."""
    if not any(ch.isdigit() or ch in ".@#" for ch in text.text):
        return text
    text = _addresses(text)  # first: an address's dots are its own
    text = _fiscal_years(text)
    text = aligned_sub(_RESOLUTION_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_ISA_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_CODEC_RE, lambda m: "点" + read_digits(m.group(0)[1:]), text)
    text = aligned_sub(_RESPIRATOR_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_NAME_DOT_RE, lambda m: "点", text)
    text = aligned_sub(_MODEL_NUMBER_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_MODEL_HYPHEN_RE, lambda m: "", text)
    return aligned_sub(_SHARP_RE, lambda m: " sharp", text)
