"""Encoding synthesized audio for HTTP responses: whole files or streams, in the OpenAI formats.

wav and pcm are written directly (pcm: 24 kHz, 16-bit, mono, little-endian, like OpenAI's);
flac, mp3, opus and aac go through the ffmpeg binary shipped in the imageio-ffmpeg wheel,
fed raw PCM on stdin, so streams start as soon as the first chunk is synthesized.
"""

from __future__ import annotations

import io
import os
import shutil
import struct
import subprocess
import tempfile
import threading
from collections.abc import Iterable, Iterator
from functools import lru_cache
from pathlib import Path

import numpy as np

from tts.audio.wav import to_int16, wav_bytes

CONTENT_TYPES = {
    "wav": "audio/wav", "pcm": "audio/pcm", "mp3": "audio/mpeg", "flac": "audio/flac",
    "opus": "audio/ogg", "aac": "audio/aac",
}
FORMATS = tuple(CONTENT_TYPES)
_FFMPEG_ARGS = {
    "mp3": ["-f", "mp3", "-c:a", "libmp3lame", "-b:a", "64k"],
    "flac": ["-f", "flac", "-c:a", "flac"],
    "opus": ["-f", "ogg", "-c:a", "libopus", "-b:a", "32k"],
    "aac": ["-f", "adts", "-c:a", "aac", "-b:a", "64k"],
}


@lru_cache(maxsize=1)
def ffmpeg_path() -> str | None:
    """The ffmpeg binary: imageio-ffmpeg's bundled one, else one on PATH, else None."""
    try:
        import imageio_ffmpeg

        return imageio_ffmpeg.get_ffmpeg_exe()
    except (ImportError, RuntimeError):
        return shutil.which("ffmpeg")


def ffmpeg_exe() -> str:
    """The ffmpeg binary, or RuntimeError when there is none."""
    exe = ffmpeg_path()
    if exe is None:
        raise RuntimeError("ffmpeg is not installed (pip install imageio-ffmpeg, or put ffmpeg on PATH)")
    return exe


def ensure_ffmpeg_on_path() -> str:
    """Make `ffmpeg` resolvable by name (Gradio's streaming audio runs it by name): if none is on
    PATH, link the wheel's binary as ffmpeg in a private directory and put that first on PATH."""
    found = shutil.which("ffmpeg")
    if found:
        return found
    target = Path(tempfile.gettempdir()) / f"zh-tts-bin-{os.getuid()}"
    target.mkdir(mode=0o700, exist_ok=True)
    link = target / "ffmpeg"
    if not link.exists():
        try:
            link.symlink_to(ffmpeg_exe())
        except FileExistsError:  # another app process made it first
            pass
    os.environ["PATH"] = f"{target}{os.pathsep}{os.environ.get('PATH', '')}"
    return str(link)


def ffmpeg_args(fmt: str) -> list[str]:
    """ffmpeg's output options (container, codec, bit rate) for one of the encoded formats."""
    return list(_FFMPEG_ARGS[fmt])


# Raw and WAV output through ffmpeg: only when they must be resampled (encode_stream's out_rate).
_RESAMPLED_ARGS = {"pcm": ["-f", "s16le", "-c:a", "pcm_s16le"], "wav": ["-f", "wav", "-c:a", "pcm_s16le"]}


def _ffmpeg(fmt: str, sample_rate: int, out_rate: int | None = None) -> subprocess.Popen:
    args = _RESAMPLED_ARGS[fmt] if fmt in _RESAMPLED_ARGS else ffmpeg_args(fmt)
    rate = ["-ar", str(out_rate)] if out_rate and out_rate != sample_rate else []
    cmd = [ffmpeg_exe(), "-hide_banner", "-loglevel", "error", "-f", "s16le", "-ar", str(sample_rate),
           "-ac", "1", "-i", "pipe:0", *args, *rate, "pipe:1"]
    return subprocess.Popen(cmd, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def encode(audio: np.ndarray, sample_rate: int, fmt: str) -> bytes:
    """A whole waveform as one file in `fmt`."""
    if fmt == "wav":
        return wav_bytes(audio, sample_rate)
    if fmt == "pcm":
        return to_int16(audio).tobytes()
    proc = _ffmpeg(fmt, sample_rate)
    out, err = proc.communicate(to_int16(audio).tobytes())
    if proc.returncode != 0:
        raise RuntimeError(f"ffmpeg could not encode {fmt}: {err.decode(errors='replace').strip()[:200]}")
    return out


def streaming_wav_header(sample_rate: int) -> bytes:
    """A WAV header for a stream of unknown length (sizes set to the maximum, as streamers do)."""
    data_size = 0xFFFFFFFF - 36
    return (b"RIFF" + struct.pack("<I", 0xFFFFFFFF) + b"WAVE" + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1,
            sample_rate, sample_rate * 2, 2, 16) + b"data" + struct.pack("<I", data_size))


def encode_stream(chunks: Iterable[np.ndarray], sample_rate: int, fmt: str,
                  out_rate: int | None = None) -> Iterator[bytes]:
    """Encode audio chunks as they arrive; closing the iterator stops the source and ffmpeg.
    `out_rate` (default `sample_rate`): the rate of the encoded stream, resampled by ffmpeg."""
    resample = out_rate is not None and out_rate != sample_rate
    if fmt in ("wav", "pcm") and not resample:
        # The WAV header leaves with the first audio, so the first block is the first audio:
        # a streaming server can hold its other work until that block is out (serving.pump).
        header = streaming_wav_header(sample_rate) if fmt == "wav" else b""
        for chunk in chunks:
            yield header + to_int16(chunk).tobytes()
            header = b""
        if header:  # no audio at all: still a well-formed (empty) stream
            yield header
        return
    proc = _ffmpeg(fmt, sample_rate, out_rate)
    # All three are pipes (_ffmpeg); stdout unbuffered-readable in whatever pieces ffmpeg writes.
    assert proc.stdin is not None and proc.stderr is not None and isinstance(proc.stdout, io.BufferedReader)
    stdin, stdout, stderr = proc.stdin, proc.stdout, proc.stderr
    failure: list[BaseException] = []
    stop = threading.Event()

    def feed() -> None:
        # The source is iterated and closed in this thread only (a generator must not be closed
        # from another thread while it runs); the consumer asks it to stop through `stop`.
        try:
            for chunk in chunks:
                if stop.is_set():
                    break
                stdin.write(to_int16(chunk).tobytes())
                stdin.flush()
        except (BrokenPipeError, ValueError, OSError):
            if not stop.is_set():
                failure.append(RuntimeError(f"ffmpeg stopped while encoding {fmt}"))
        except BaseException as exc:  # noqa: BLE001 - reported to the consumer below
            failure.append(exc)
        finally:
            close = getattr(chunks, "close", None)
            if close:
                close()
            try:
                stdin.close()
            except OSError:
                pass

    feeder = threading.Thread(target=feed, name=f"encode-{fmt}", daemon=True)
    feeder.start()
    try:
        while True:
            block = stdout.read1(16384)
            if not block:
                break
            yield block
        feeder.join()
        proc.wait()
        if failure:
            raise failure[0]
        if proc.returncode != 0:
            raise RuntimeError(f"ffmpeg could not encode {fmt}: "
                               f"{stderr.read().decode(errors='replace').strip()[:200]}")
    finally:
        stop.set()
        if proc.poll() is None:
            proc.kill()
            proc.wait()
