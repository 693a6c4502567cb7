"""Subtitles from the timed sentences and characters: SRT (the `srt` library) and WebVTT
(`webvtt-py`), one cue per sentence, or per clause when a sentence is longer than a line.

Cue text is the caller's own text (``2024年``, not 二零二四年), punctuation included. A sentence
longer than `line_chars` characters is cut after clause punctuation (，、；：) into cues packed up
to that length; a clause longer than a line is cut at the line length. Each cue runs from its
first spoken character to its last (the sentence's own start and end for its first and last
cue). WebVTT can carry karaoke timing: a timestamp tag before every character after the first,
at the moment that character is heard.
"""

from __future__ import annotations

import datetime
import io
from dataclasses import dataclass

from tts.timing.alignment import Timed

FORMATS = ("srt", "vtt")
CLAUSE_ENDS = frozenset("，、；：,;:")
LINE_CHARS = 20  # about one line of Chinese subtitle text


@dataclass(frozen=True)
class Cue:
    start: float
    end: float
    text: str
    marks: tuple[tuple[float, str], ...]  # (when it is heard, character), for karaoke timing


def cues(alignment: list[Timed], line_chars: int = LINE_CHARS) -> list[Cue]:
    """Cues from a result's timed items (see the module docstring)."""
    if line_chars < 1:
        raise ValueError("line_chars must be at least 1")
    chars = {t.offset: t for t in alignment if t.kind == "character"}
    out: list[Cue] = []
    for sentence in sorted((t for t in alignment if t.kind == "sentence"), key=lambda t: t.start):
        pieces = _pieces(sentence.text, line_chars)
        offsets = sentence.offsets or tuple(range(sentence.offset, sentence.offset + len(sentence.text)))
        at = 0
        for k, piece in enumerate(pieces):
            heard = [chars[o] for o in offsets[at:at + len(piece)] if o in chars]
            at += len(piece)
            start = sentence.start if k == 0 else (heard[0].start if heard else out[-1].end)
            end = sentence.end if k + 1 == len(pieces) else (heard[-1].end if heard else start)
            out.append(Cue(start, max(start, end), piece.strip(), tuple((c.start, c.text) for c in heard)))
    return [cue for cue in out if cue.text]


def _pieces(text: str, line_chars: int) -> list[str]:
    """The sentence cut after clause punctuation and packed into pieces of at most line_chars."""
    clauses, current = [], ""
    for ch in text:
        current += ch
        if ch in CLAUSE_ENDS:
            clauses.append(current)
            current = ""
    if current:
        clauses.append(current)
    fitted: list[str] = []
    for clause in clauses:  # a clause longer than a line is cut at the line length
        fitted.extend(clause[i:i + line_chars] for i in range(0, len(clause), line_chars))
    packed: list[str] = []
    for clause in fitted:
        if packed and len(packed[-1]) + len(clause) <= line_chars:
            packed[-1] += clause
        else:
            packed.append(clause)
    return packed


def _timedelta(seconds: float) -> datetime.timedelta:
    return datetime.timedelta(milliseconds=round(seconds * 1000))


def srt_text(cue_list: list[Cue]) -> str:
    import srt

    return srt.compose([srt.Subtitle(i + 1, _timedelta(c.start), _timedelta(c.end), c.text)
                        for i, c in enumerate(cue_list)], reindex=False)


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3600000:02d}:{ms // 60000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt_text(cue_list: list[Cue], karaoke: bool = False) -> str:
    from webvtt import Caption, WebVTT

    vtt = WebVTT()
    for c in cue_list:
        text = c.text
        if karaoke and c.marks:
            text = _karaoke(c)
        vtt.captions.append(Caption(_vtt_time(c.start), _vtt_time(c.end), text))
    buffer = io.StringIO()
    vtt.write(buffer)
    text = buffer.getvalue()
    return text if text.endswith("\n") else text + "\n"


def _karaoke(cue: Cue) -> str:
    """The cue text with a timestamp tag before each heard character after the first."""
    marks = iter(cue.marks)
    pending = next(marks, None)
    out, last = [], _vtt_time(cue.start)
    for ch in cue.text:
        if pending is not None and ch == pending[1]:
            stamp = _vtt_time(pending[0])
            if stamp > last and cue.start < pending[0] < cue.end:  # tags must move forward
                out.append(f"<{stamp}>")
                last = stamp
            pending = next(marks, None)
        out.append(ch)
    return "".join(out)


def _with_bookmarks(vtt: str, cue_list: list[Cue], bookmarks: list[tuple[str, float]]) -> str:
    """WebVTT text with a `NOTE bookmark NAME TIME` block before the cue each bookmark (SSML
    <bookmark>) is heard in, or the next one: a comment, so players show nothing, and tools that
    read the file find the named point and its exact time. SRT has no comments: no bookmarks."""
    blocks = vtt.rstrip("\n").split("\n\n")  # the header, then one block per cue, in order
    header, cue_blocks = blocks[0], blocks[1:]
    out = [header]
    pending = sorted(bookmarks, key=lambda mark: mark[1])
    for cue, block in zip(cue_list, cue_blocks):
        while pending and pending[0][1] < cue.end:
            name, at = pending.pop(0)
            out.append(f"NOTE bookmark {name} {_vtt_time(at)}")
        out.append(block)
    out.extend(f"NOTE bookmark {name} {_vtt_time(at)}" for name, at in pending)
    return "\n\n".join(out) + "\n"


def subtitles(alignment: list[Timed], fmt: str, line_chars: int = LINE_CHARS, karaoke: bool = False,
              bookmarks: list[tuple[str, float]] | None = None) -> str:
    """SRT or WebVTT text for a result's timed items; WebVTT with the (name, seconds) bookmarks as notes."""
    if fmt not in FORMATS:
        raise ValueError(f"subtitle format must be one of {', '.join(FORMATS)}")
    cue_list = cues(alignment, line_chars)
    if fmt == "srt":
        return srt_text(cue_list)
    text = vtt_text(cue_list, karaoke)
    return _with_bookmarks(text, cue_list, bookmarks) if bookmarks else text
