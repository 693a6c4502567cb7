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
* Fiscal periods, as Chinese finance text writes them and readers say them: a quarter ``Q1``..``Q4``
  is 第一季度..第四季度 (``2025Q1``, ``2025 Q1``, ``2025年Q1`` -> 二零二五年第一季度).  Without a year
  only where a period can stand: at the start, after 年 (今年Q3), a space, a punctuation mark or a
  link word (Q1-Q3 -> 第一到第三季度, Q1和Q2), so a product name after its brand (奥迪Q3) is left to
  the letter reader.  A half ``H1``/``H2`` is 上半年/下半年, but only after a four-digit year (``2024H1``), since
  a bare H1 is as often a heading or a visa; a fiscal year ``FY2024``/``FY24`` is 二零二四财年/二四财年.
  The year is said digit by digit, as years are.  Never inside a longer Latin word (``H1N1``, ``Q10``).

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
# A fiscal period: optional four-digit year (then optional 年), and Q1-Q4 / H1-H2; or FY and a year.
_QUARTER_RE = re.compile(r"(?<![A-Za-z0-9.])(?:([0-9]{4})\s?年?\s?)?[Qq]([1-4])(?![A-Za-z0-9])")
_QUARTER_RANGE_RE = re.compile(r"(?<![A-Za-z0-9.])[Qq]([1-4])\s?[-~～至到]\s?[Qq]([1-4])(?![A-Za-z0-9])")
# What may stand before a quarter written without its year (see the module docstring).
_QUARTER_LEAD = set("年至到和与及、,，;；:：(（ -~～") | {""}
_HALF_RE = re.compile(r"(?<![A-Za-z0-9.])([0-9]{4})\s?年?\s?H([12])(?![A-Za-z0-9])")
_FISCAL_YEAR_RE = re.compile(r"(?<![A-Za-z0-9])FY\s?([0-9]{4}|[0-9]{2})(?![A-Za-z0-9])")
_ORDINAL = {"1": "一", "2": "二", "3": "三", "4": "四"}
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


def _year(digits: str | None) -> str:
    """A period's year said digit by digit, with 年 (二零二五年); nothing when there is none."""
    return read_digits(digits) + "年" if digits else ""


def _quarter(m: re.Match[str], words: str) -> str:
    """``words`` for a quarter with its year or in a place where a period stands, else the match."""
    if m.re is _QUARTER_RE and m.group(1):
        return words
    return words if m.string[max(0, m.start() - 1):m.start()] in _QUARTER_LEAD else m.group(0)


def _fiscal_periods(text: Aligned) -> Aligned:
    """Quarters, halves and fiscal years written the Latin way (2025Q1, 2024H1, FY2024) as the
    Chinese words a reader says (see the module docstring)."""
    if not any(c in text.text for c in "QqHF"):
        return text
    text = aligned_sub(_QUARTER_RANGE_RE, lambda m: _quarter(m, f"第{_ORDINAL[m.group(1)]}到第{_ORDINAL[m.group(2)]}季度"), text)
    text = aligned_sub(_QUARTER_RE, lambda m: _quarter(m, f"{_year(m.group(1))}第{_ORDINAL[m.group(2)]}季度"), text)
    text = aligned_sub(_HALF_RE, lambda m: _year(m.group(1)) + ("上半年" if m.group(2) == "1" else "下半年"), text)
    return aligned_sub(_FISCAL_YEAR_RE, lambda m: read_digits(m.group(1)) + "财年", text)


def rewrite(text: Aligned) -> Aligned:
    """Rewrite web and e-mail addresses, fiscal periods, resolutions, instruction-set names, dotted
    names, codecs, C#/F# and model codes in ``text``
    (see the module docstring); the result keeps every character's source range."""
    if not any(ch.isdigit() or ch in ".@#" for ch in text.text):
        return text
    text = _addresses(text)  # first: an address's dots are its own
    text = _fiscal_periods(text)
    text = aligned_sub(_RESOLUTION_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_ISA_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_CODEC_RE, lambda m: "点" + read_digits(m.group(0)[1:]), text)
    text = aligned_sub(_RESPIRATOR_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_NAME_DOT_RE, lambda m: "点", text)
    text = aligned_sub(_MODEL_NUMBER_RE, lambda m: read_digits(m.group(0)), text)
    text = aligned_sub(_MODEL_HYPHEN_RE, lambda m: "", text)
    return aligned_sub(_SHARP_RE, lambda m: " sharp", text)
