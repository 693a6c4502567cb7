"""Where each character of a rewritten text came from: offsets back into the text as given.

Text is rewritten several times before it is read (Unicode NFKC, numbers and symbols spelled out
as words, segments cut and stripped), yet timestamps, subtitles and per-span controls speak of
the caller's own characters. Each rewrite therefore carries, for every character it produces, the
[start, end) range of the source it was made from:

* a character kept as it was maps to itself (a range of one);
* a rewritten stretch (``2024`` -> ``二零二四``, ``¥100`` -> ``一百元``, ``㎏`` -> ``kg``) maps every
  character it produced to the whole stretch it replaced, after keeping any common beginning
  and end of the two as themselves (``第2`` -> ``第二``: 第 stays 第, 二 comes from ``2``).

`Aligned` is the working form (a text with two integer arrays); `SourceMap` is the frozen form a
segment or an utterance keeps. Ranges of a sequence of characters are combined as their union.
"""

from __future__ import annotations

import re
import unicodedata
from array import array
from collections.abc import Callable
from dataclasses import dataclass

Span = tuple[int, int]

# Characters normalize_unicode rewrites after NFKC (fraction slash from ½ etc., the minus sign).
FIXUPS = {"\u2044": "/", "\u2212": "-"}

#: Superscript digits and signs are kept as they are: NFKC would make ``10²`` the number 102 and
#: ``m²`` the letters m and 2; the normalizer reads them as powers and area/volume units.
SUPERSCRIPTS = "⁰¹²³⁴⁵⁶⁷⁸⁹⁺⁻"


@dataclass(frozen=True)
class SourceMap:
    """Per character of a derived text: the [start, end) range of its source."""

    starts: tuple[int, ...]
    ends: tuple[int, ...]

    def __len__(self) -> int:
        return len(self.starts)

    def span(self, start: int = 0, end: int | None = None) -> Span:
        """The source range covered by derived characters [start, end) (a point for an empty range)."""
        end = len(self.starts) if end is None else end
        if start >= end:
            at = self.starts[start] if start < len(self.starts) else (self.ends[-1] if self.ends else 0)
            return at, at
        return min(self.starts[start:end]), max(self.ends[start:end])

    def through(self, outer: SourceMap) -> SourceMap:
        """This map's ranges, which index `outer`'s derived text, taken on to `outer`'s source."""
        spans = [outer.span(s, e) for s, e in zip(self.starts, self.ends)]
        return SourceMap(tuple(s for s, _ in spans), tuple(e for _, e in spans))

    def shifted(self, offset: int) -> SourceMap:
        return SourceMap(tuple(s + offset for s in self.starts), tuple(e + offset for e in self.ends))

    @staticmethod
    def identity(length: int, offset: int = 0) -> SourceMap:
        return SourceMap(tuple(range(offset, offset + length)), tuple(range(offset + 1, offset + length + 1)))

    @staticmethod
    def join(maps: list[SourceMap]) -> SourceMap:
        return SourceMap(tuple(s for m in maps for s in m.starts), tuple(e for m in maps for e in m.ends))


class Aligned:
    """A text with, per character, the [start, end) range of the source it was made from."""

    __slots__ = ("text", "starts", "ends")

    def __init__(self, text: str, starts: array, ends: array):
        if not len(text) == len(starts) == len(ends):
            raise ValueError("an aligned text needs one source range per character")
        self.text = text
        self.starts = starts
        self.ends = ends

    @classmethod
    def identity(cls, text: str, offset: int = 0) -> Aligned:
        return cls(text, array("q", range(offset, offset + len(text))),
                   array("q", range(offset + 1, offset + len(text) + 1)))

    def __len__(self) -> int:
        return len(self.text)

    def __contains__(self, item: str) -> bool:
        """Substring test on the text, so rules can check for a character before rewriting."""
        return item in self.text

    def __getitem__(self, item: slice) -> Aligned:
        if not isinstance(item, slice) or item.step not in (None, 1):
            raise TypeError("an aligned text is sliced by a plain slice")
        return Aligned(self.text[item], self.starts[item], self.ends[item])

    def span(self, start: int = 0, end: int | None = None) -> Span:
        """The source range covered by characters [start, end) (a point for an empty range)."""
        end = len(self) if end is None else end
        if start >= end:
            at = self.starts[start] if start < len(self) else (self.ends[-1] if len(self) else 0)
            return at, at
        return min(self.starts[start:end]), max(self.ends[start:end])

    def source_map(self, start: int = 0, end: int | None = None) -> SourceMap:
        end = len(self) if end is None else end
        return SourceMap(tuple(self.starts[start:end]), tuple(self.ends[start:end]))


def nfkc(text: str) -> Aligned:
    """NFKC (full-width -> ASCII, ① -> 1, ㎏ -> kg, …) plus `FIXUPS`, with offsets into `text`.

    Each character is normalized together with the combining marks that follow it, so a base and
    its accents map to the whole cluster.
    """
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    try:
        unchanged = unicodedata.is_normalized("NFKC", text) and not any(c in text for c in FIXUPS)
    except UnicodeError:  # pragma: no cover - defensive
        unchanged = False
    if unchanged:
        return Aligned.identity(text)
    out: list[str] = []
    starts, ends = array("q"), array("q")
    i, n = 0, len(text)
    while i < n:
        j = i + 1
        while j < n and unicodedata.combining(text[j]):
            j += 1
        cluster = text[i:j]
        try:
            norm = cluster if cluster in SUPERSCRIPTS else unicodedata.normalize("NFKC", cluster)
        except UnicodeError:  # pragma: no cover - lone surrogates pass through unchanged
            norm = cluster
        if "\u2044" in norm and out and out[-1][-1:].isdigit():
            # A vulgar fraction after a whole number (1½): 1又1/2, not the number 11/2.
            norm = "又" + norm
        for bad, good in FIXUPS.items():
            norm = norm.replace(bad, good)
        out.append(norm)
        if len(norm) == len(cluster) == 1:
            starts.append(i)
            ends.append(j)
        else:
            starts.extend([i] * len(norm))
            ends.extend([j] * len(norm))
        i = j
    return Aligned("".join(out), starts, ends)


def sub(pattern: str | re.Pattern, fn: Callable[[re.Match[str]], str], src: Aligned, flags: int = 0) -> Aligned:
    """`re.sub(pattern, fn, src.text)` that keeps the source ranges (see the module docstring)."""
    text = src.text
    out: list[str] = []
    starts, ends = array("q"), array("q")
    pos = 0
    for m in re.finditer(pattern, text, flags):
        a, b = m.span()
        replacement = fn(m)
        matched = m.group(0)
        if replacement == matched:
            continue
        out.append(text[pos:a])
        starts.extend(src.starts[pos:a])
        ends.extend(src.ends[pos:a])
        p = 0
        limit = min(len(replacement), len(matched))
        while p < limit and replacement[p] == matched[p]:
            p += 1
        s = 0
        while s < limit - p and replacement[-1 - s] == matched[-1 - s]:
            s += 1
        middle = replacement[p:len(replacement) - s]
        lo, hi = a + p, b - s
        if lo < hi:
            span = (min(src.starts[lo:hi]), max(src.ends[lo:hi]))
        else:  # a pure insertion: a point in the source
            at = src.starts[lo] if lo < len(text) else (src.ends[-1] if len(text) else 0)
            span = (at, at)
        out.append(replacement)
        starts.extend(src.starts[a:a + p])
        ends.extend(src.ends[a:a + p])
        starts.extend([span[0]] * len(middle))
        ends.extend([span[1]] * len(middle))
        starts.extend(src.starts[b - s:b])
        ends.extend(src.ends[b - s:b])
        pos = b
    if pos == 0 and not out:
        return src
    out.append(text[pos:])
    starts.extend(src.starts[pos:])
    ends.extend(src.ends[pos:])
    return Aligned("".join(out), starts, ends)


def one_to_one(spans: list[Span]) -> list[Span]:
    """Refine runs of equal ranges: a run of k items sharing a range of exactly k source characters
    (``2024`` read as four syllables) maps item by item; any other run keeps the shared range."""
    out = list(spans)
    i = 0
    while i < len(out):
        j = i
        while j + 1 < len(out) and out[j + 1] == out[i]:
            j += 1
        start, end = out[i]
        if j > i and end - start == j - i + 1:
            for k in range(i, j + 1):
                out[k] = (start + k - i, start + k - i + 1)
        i = j + 1
    return out
