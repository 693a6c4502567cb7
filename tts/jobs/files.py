"""A job's files under the state directory: one file per finished segment, with its checksum in
the job store, and the outputs made from them once every segment is done.

    <state>/jobs/<job id>/segments/000042.flac   segment 42's speech, 16-bit, lossless
    <state>/jobs/<job id>/out/book.mp3           every chapter joined (chapter markers)
    <state>/jobs/<job id>/out/chapter-001.mp3    each chapter on its own

Segments are 16-bit FLAC: lossless against what every output is made of anyway (16-bit PCM) and
about half the size of raw samples, which matters for a book of many hours. A segment file is
written whole to a temporary name, synced, then renamed, so a crash leaves either the complete
file or none; its SHA-256 (recorded with the segment) finds one damaged or replaced later.
"""

from __future__ import annotations

import errno
import hashlib
import io
import os
import re
import shutil
import struct
import subprocess
import tempfile
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import IO, BinaryIO

import numpy as np

from tts.audio.formats import CONTENT_TYPES, ffmpeg_args, ffmpeg_exe
from tts.audio.wav import to_int16
from tts.timing.alignment import Aligner, Piece
from tts.timing.subtitles import Cue, cues, srt_text, vtt_text
from tts.weights.fetch import sha256_file

CHAPTER_GAP_S = 1.5  # silence between chapters in the joined file
FORMATS = ("mp3", "m4b", "wav", "flac", "opus", "aac", "pcm")
JOB_CONTENT_TYPES = {**CONTENT_TYPES, "m4b": "audio/mp4", "m4a": "audio/mp4", "srt": "application/x-subrip",
                     "vtt": "text/vtt; charset=utf-8"}
SUBTITLE_FORMATS = ("srt", "vtt")
# Formats whose container carries chapter markers, as ffmpeg writes them from its metadata file.
MARKED = ("mp3", "m4b", "opus")  # checked: ffmpeg reads these markers back; its flac, wav and adts writers keep none
_JOB_ID = re.compile(r"^[A-Za-z0-9_-]{8,80}$")


class DiskFull(OSError):
    """The state directory's disk is full: the job fails with this message, the server goes on."""


class CorruptSegment(ValueError):
    """A segment file is missing or does not match its checksum."""


def _disk_full(root: Path) -> DiskFull:
    return DiskFull(errno.ENOSPC, f"no space left on the disk of the state directory ({root}); "
                                  "free some space and submit the job again")


@dataclass(frozen=True)
class ChapterAudio:
    """What goes into one chapter's output: its title, its segments' (file, sha256, samples,
    pause) in order, and for its subtitles its text and each segment's timing pieces."""

    index: int  # the job's chapter number, from 1
    title: str
    segments: list[tuple[str | None, str | None, int, int]]
    text: str = ""
    timings: list[list[Piece]] = field(default_factory=list)  # per segment, timed from its start

    @property
    def samples(self) -> int:
        return sum(samples + pause for _, _, samples, pause in self.segments)


class JobFiles:
    def __init__(self, root: str | os.PathLike, sample_rate: int = 24000, hop_size: int = 300):
        self.root = Path(root)
        self.rate = sample_rate
        self.frame_s = hop_size / sample_rate  # one mel frame: what segment durations count
        self.root.mkdir(parents=True, exist_ok=True)

    def job_dir(self, job_id: str) -> Path:
        if not _JOB_ID.match(job_id):  # ids come from URLs: never let one reach outside the root
            raise ValueError(f"not a job id: {job_id!r}")
        return self.root / job_id

    def remove(self, job_id: str) -> None:
        shutil.rmtree(self.job_dir(job_id), ignore_errors=True)

    # ---- segments ----

    def write_segment(self, job_id: str, idx: int, audio: np.ndarray) -> tuple[str | None, str | None]:
        """Store one segment's speech; returns (file name, sha256), (None, None) when it is empty."""
        if not len(audio):
            return None, None
        import soundfile as sf

        buf = io.BytesIO()
        sf.write(buf, to_int16(audio), self.rate, format="FLAC", subtype="PCM_16")
        data = buf.getvalue()
        name = f"segments/{idx:06d}.flac"
        self._write_atomic(self.job_dir(job_id) / name, data)
        return name, hashlib.sha256(data).hexdigest()

    def _write_atomic(self, path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(path.name + ".tmp")
        try:
            with open(tmp, "wb") as f:
                f.write(data)
                f.flush()
                os.fsync(f.fileno())
            os.replace(tmp, path)
        except OSError as exc:
            tmp.unlink(missing_ok=True)
            if exc.errno in (errno.ENOSPC, errno.EDQUOT):
                raise _disk_full(self.root) from exc
            raise

    def check_segment(self, job_id: str, file: str | None, sha256: str | None) -> bool:
        """Whether a recorded segment's file is there and intact (an empty segment has none)."""
        if file is None:
            return True
        try:
            return hashlib.sha256((self.job_dir(job_id) / file).read_bytes()).hexdigest() == sha256
        except OSError:
            return False

    def read_segment(self, job_id: str, file: str | None, sha256: str | None, samples: int) -> np.ndarray:
        """A segment's speech as int16, checked against its checksum and length."""
        if file is None:
            return np.zeros(0, np.int16)
        import soundfile as sf

        try:
            data = (self.job_dir(job_id) / file).read_bytes()
        except OSError as exc:
            raise CorruptSegment(f"{file}: {exc.strerror or exc}") from None
        if hashlib.sha256(data).hexdigest() != sha256:
            raise CorruptSegment(f"{file}: checksum mismatch")
        pcm, _ = sf.read(io.BytesIO(data), dtype="int16")
        if len(pcm) != samples:
            raise CorruptSegment(f"{file}: {len(pcm)} samples, {samples} recorded")
        return pcm

    # ---- outputs ----

    def write_outputs(self, job_id: str, title: str, chapters: list[ChapterAudio], fmt: str) -> dict:
        """The joined file (chapter markers where the format has them) and one file per chapter,
        written in one pass over the segments. Returns {"audio": {...}, "chapters": [{...}]}."""
        out = self.job_dir(job_id) / "out"
        out.mkdir(parents=True, exist_ok=True)
        gap = int(round(CHAPTER_GAP_S * self.rate))
        chapter_ext = "m4a" if fmt == "m4b" else fmt
        marks, at = [], 0
        for n, chapter in enumerate(chapters):
            marks.append((at, at + chapter.samples, chapter.title))
            at += chapter.samples + (gap if n + 1 < len(chapters) else 0)
        try:
            with _Encoder(out / f"book.{fmt}", fmt, self.rate, at, title, marks) as joined:
                chapter_files = []
                for n, chapter in enumerate(chapters):
                    path = out / f"chapter-{chapter.index:03d}.{chapter_ext}"
                    with _Encoder(path, chapter_ext, self.rate, chapter.samples, chapter.title) as single:
                        for file, sha, samples, pause in chapter.segments:
                            pcm = self.read_segment(job_id, file, sha, samples).tobytes() + bytes(2 * pause)
                            single.write(pcm)
                            joined.write(pcm)
                    chapter_files.append(path)
                    if n + 1 < len(chapters):
                        joined.write(bytes(2 * gap))
        except OSError as exc:
            if exc.errno in (errno.ENOSPC, errno.EDQUOT) and not isinstance(exc, DiskFull):
                raise _disk_full(self.root) from exc
            raise
        book = out / f"book.{fmt}"
        chapter_cues = [self._cues(c) for c in chapters]
        joined_cues = [_shifted(cue, start / self.rate) for cue_list, (start, _, _) in zip(chapter_cues, marks)
                       for cue in cue_list]
        return {
            "audio": {**self._entry(job_id, book, fmt), "seconds": at / self.rate,
                      "subtitles": self._subtitles(job_id, out / "book", joined_cues)},
            "chapters": [{"index": c.index, "title": c.title, **self._entry(job_id, p, chapter_ext),
                          "start_s": start / self.rate, "seconds": c.samples / self.rate,
                          "subtitles": self._subtitles(job_id, p.with_suffix(""), cue_list)}
                         for c, p, (start, _, _), cue_list in zip(chapters, chapter_files, marks, chapter_cues)],
        }

    def _entry(self, job_id: str, path: Path, fmt: str) -> dict:
        return {"file": str(path.relative_to(self.job_dir(job_id))), "bytes": path.stat().st_size,
                "sha256": sha256_file(path), "format": fmt}

    def _cues(self, chapter: ChapterAudio) -> list[Cue]:
        """Subtitle cues of one chapter, timed in its own file: the segments' timing pieces
        through the aligner, over the chapter's text (their character offsets point into it)."""
        aligner = Aligner(chapter.text, self.frame_s)
        items, at = [], 0.0
        for (_, _, samples, pause), pieces in zip(chapter.segments, chapter.timings):
            for piece in pieces:
                items += aligner.piece(replace(piece, start_s=at + piece.start_s))
            at += (samples + pause) / self.rate
        items += aligner.finish(at)
        return cues(items)

    def _subtitles(self, job_id: str, stem: Path, cue_list: list[Cue]) -> dict:
        """SRT and WebVTT files of the cues beside the audio: {"srt": entry, "vtt": entry}."""
        written = {}
        for fmt, text in (("srt", srt_text(cue_list)), ("vtt", vtt_text(cue_list))):
            path = stem.with_name(stem.name + "." + fmt)
            self._write_atomic(path, text.encode("utf-8"))
            written[fmt] = self._entry(job_id, path, fmt)
        return written

    def output_path(self, job_id: str, entry: dict) -> Path:
        path = self.job_dir(job_id) / entry["file"]
        if not path.is_file() or sha256_file(path) != entry["sha256"]:
            raise CorruptSegment(f"{entry['file']} is missing or damaged")
        return path


def _metadata_text(value: str) -> str:
    """Escaped for ffmpeg's metadata file ('=', ';', '#', '\\' and newlines are special)."""
    return re.sub(r"([=;#\\\n])", r"\\\1", value)


class _Encoder:
    """16-bit mono PCM written to a file in `fmt`, as it comes: wav and pcm directly, the rest
    through ffmpeg (stdin to the file), with a title and chapter markers from a metadata file."""

    def __init__(self, path: Path, fmt: str, rate: int, total_samples: int, title: str = "",
                 chapters: list[tuple[int, int, str]] | None = None):
        self.path = path
        self.tmp = path.with_name(path.name + ".tmp")
        self.fmt = fmt
        self.proc: subprocess.Popen[bytes] | None = None
        self.file: BinaryIO | None = None
        self.meta_dir: str | None = None
        if fmt in ("wav", "pcm"):
            self.file = open(self.tmp, "wb")
            if fmt == "wav":
                self.file.write(_wav_header(rate, total_samples))
            return
        self.meta_dir = tempfile.mkdtemp(prefix="zh-tts-meta-")
        meta = Path(self.meta_dir) / "meta.txt"
        lines = [";FFMETADATA1", f"title={_metadata_text(title)}"] if title else [";FFMETADATA1"]
        for start, end, name in (chapters or []) if fmt.replace("m4a", "m4b") in MARKED else []:
            lines += ["[CHAPTER]", "TIMEBASE=1/1000", f"START={start * 1000 // rate}", f"END={end * 1000 // rate}",
                      f"title={_metadata_text(name)}"]
        meta.write_text("\n".join(lines) + "\n", encoding="utf-8")
        self.errors = open(Path(self.meta_dir) / "stderr.txt", "wb")
        cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-y", "-f", "s16le", "-ar", str(rate), "-ac", "1",
               "-i", "pipe:0", "-i", str(meta), "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1",
               *_output_args(fmt), str(self.tmp)]
        self.proc = subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=self.errors)

    def write(self, pcm: bytes) -> None:
        if not pcm:
            return
        target = self.file if self.file is not None else self._ffmpeg()[1]
        try:
            target.write(pcm)
        except BrokenPipeError:
            raise RuntimeError(f"ffmpeg stopped while writing {self.path.name}: {self._stderr()}") from None

    def _ffmpeg(self) -> tuple[subprocess.Popen[bytes], IO[bytes], str]:
        """The ffmpeg process, its stdin and its metadata directory (every format not written directly)."""
        if self.proc is None or self.proc.stdin is None or self.meta_dir is None:
            raise RuntimeError(f"{self.fmt} is written directly, not through ffmpeg")
        return self.proc, self.proc.stdin, self.meta_dir

    def _stderr(self) -> str:
        self.errors.flush()
        return (Path(self._ffmpeg()[2]) / "stderr.txt").read_text(errors="replace").strip()[-300:]

    def __enter__(self) -> _Encoder:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        try:
            if self.file is not None:
                self.file.flush()
                os.fsync(self.file.fileno())
                self.file.close()
            else:
                proc, stdin, _ = self._ffmpeg()
                try:
                    stdin.close()
                except BrokenPipeError:
                    pass
                code = proc.wait()
                if exc_type is None and code != 0:
                    message = self._stderr()
                    if "No space left" in message:
                        raise OSError(errno.ENOSPC, message)
                    raise RuntimeError(f"ffmpeg could not write {self.path.name}: {message}")
            if exc_type is None:
                os.replace(self.tmp, self.path)
        finally:
            if self.proc is not None and self.proc.poll() is None:
                self.proc.kill()
                self.proc.wait()
            if self.meta_dir:
                self.errors.close()
                shutil.rmtree(self.meta_dir, ignore_errors=True)
            self.tmp.unlink(missing_ok=True)


def _output_args(fmt: str) -> list[str]:
    if fmt in ("m4b", "m4a"):  # AAC in an MP4 container: what audiobook players read chapters from
        return ["-f", "ipod", "-c:a", "aac", "-b:a", "64k"]
    if fmt == "mp3":  # chapters as ID3v2 CHAP frames
        return [*ffmpeg_args("mp3"), "-id3v2_version", "3"]
    return ffmpeg_args(fmt)


def _wav_header(rate: int, samples: int) -> bytes:
    data = min(samples * 2, 0xFFFFFFFF - 36)  # past 4 GiB (24 h) the sizes saturate, as streamers write them
    return (b"RIFF" + struct.pack("<I", 36 + data) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, rate,
            rate * 2, 2, 16) + b"data" + struct.pack("<I", data))


def _shifted(cue: Cue, by: float) -> Cue:
    """A chapter's cue timed in the joined file."""
    return Cue(cue.start + by, cue.end + by, cue.text, tuple((t + by, ch) for t, ch in cue.marks))
