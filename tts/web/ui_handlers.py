"""What the web UI's buttons do, kept out of app.py so the UI file is layout and wiring only.

Every handler takes the Synthesizer explicitly; errors become short bilingual messages
(gr.Error in the UI), never stack traces.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np

from tts.audio.wav import silence, wav_bytes, write_wav
from tts.options import RequestError, SynthesisOptions
from tts.request import DEFAULTS, RequestInput, build_request
from tts.ssml import is_ssml
from tts.timing.subtitles import FORMATS as SUBTITLE_FORMATS
from tts.timing.subtitles import subtitles
from tts.serving.admission import RequestTimeout, ServiceBusy
from tts.synthesizer import Synthesizer

log = logging.getLogger(__name__)

QUALITY_CHOICES = [("快速 Fast (MB-MelGAN)", "fast"), ("高保真 High fidelity (HiFi-GAN)", "high")]
MAX_BATCH_LINES = 2000
MAX_UPLOAD_TEXT_BYTES = 2 * 2**20


class UserFacingError(Exception):
    """A problem to show to the user as is."""


def friendly(exc: BaseException) -> str:
    if isinstance(exc, ServiceBusy):
        return "服务繁忙，请稍后再试 · The service is busy, please try again in a moment."
    if isinstance(exc, RequestTimeout):
        return f"合成超时 · Synthesis timed out: {exc}"
    if isinstance(exc, (RequestError, UserFacingError)):
        return f"请求有误 · Invalid request: {exc}"
    log.exception("unexpected failure in the UI")
    return "合成失败，请重试 · Synthesis failed, please try again."


def char_count(text: str | None, limit: int) -> str:
    n = len(text or "")
    warn = " ⚠️ 超出上限 over the limit" if n > limit else ""
    return f"{n} / {limit} 字 characters{warn}"


def preview_pinyin(synth: Synthesizer, text: str) -> str:
    """One line of syllables per segment: edit them, then synthesize with 'use corrected pinyin'."""
    if not (text or "").strip():
        raise UserFacingError("请先输入文本 · Enter some text first")
    plan = synth.plan(SynthesisOptions(text))
    lines = []
    for planned in plan.segments:
        syllables = synth.pipeline.prepare_segment(planned).utterance.syllables
        if syllables:
            lines.append(" ".join(syllables))
    return "\n".join(lines)


def build_options(synth: Synthesizer, text: str, voice: str, emotion: str, intensity: float, instructions: str,
                  reference: str | None, speed: float, pitch: float, energy: float, quality: str,
                  pinyin: str, use_pinyin: bool) -> tuple[SynthesisOptions, list[str]]:
    """The request the form describes, and notes to show (what instructions/reference changed).

    The form always sends every control: a control moved off its default counts as given (and
    wins over the instructions); one left at its default lets the instructions decide.
    """
    applied = build_request(form_input(text, voice, emotion, intensity, instructions, reference, speed, pitch,
                                       energy, quality, pinyin, use_pinyin), strict_reference=False)
    return applied.options, list(applied.notes)


def form_input(text: str, voice: str, emotion: str, intensity: float, instructions: str, reference: str | None,
               speed: float, pitch: float, energy: float, quality: str, pinyin: str, use_pinyin: bool) -> RequestInput:
    """The form's values as a RequestInput: controls at their defaults count as not given."""
    controls = {"voice": voice, "emotion": emotion, "emotion_intensity": float(intensity), "speed": float(speed),
                "pitch": float(pitch), "energy": float(energy)}
    moved = {k: v for k, v in controls.items() if v != DEFAULTS[k]}
    corrected = (" ".join((pinyin or "").split()) or None) if use_pinyin else None
    return RequestInput(text=text or "", quality=quality or None, pinyin=corrected,
                        instructions=instructions or None, reference=Path(reference) if reference else None, **moved)


def status_line(result, notes: list[str]) -> str:
    t = result.timings
    parts = [f"首包 first chunk **{t.first_chunk_s * 1000:.0f} ms**", f"总计 total **{t.total_s:.2f} s**",
             f"音频 audio **{t.audio_s:.2f} s**", f"RTF **{t.rtf:.3f}**"]
    if result.cached:
        parts.append("缓存 cached")
    lines = [" · ".join(parts)]
    if result.unknown:
        lines.append("未能朗读的字符 not read: " + " ".join(result.unknown))
    lines += [n for n in notes if n]
    return "\n\n".join(lines)


def synthesize_stream(synth: Synthesizer, out_dir: Path, *form, ssml: bool = False) -> Iterator[tuple]:
    """Yields (streamed audio chunk | None, downloadable WAV path | None, status markdown, the text
    timed for highlighting (HTML), subtitle files | None).

    Chunks go to Gradio as WAV bytes: a numpy chunk would be peak-normalized one by one (the
    volume would jump between chunks) and written to a content-addressed cache file, which two
    requests producing the same chunk at once would race on. With `ssml`, text that does not
    start with <speak is wrapped in one (so markup fragments can be typed as they are).
    """
    if ssml and not is_ssml(form[0] or ""):
        form = (f"<speak>{form[0] or ''}</speak>", *form[1:])
    options, notes = build_options(synth, *form)
    stream = synth.stream(options)
    heard: list = []
    with stream:
        for chunk in stream:
            heard.extend(chunk.alignment)
            yield (wav_bytes(chunk.audio, synth.sample_rate), None, "合成中… synthesizing…",
                   timed_text_html(options.text, heard), None)
    result = stream.result
    path = new_output_file(out_dir, "tts", ".wav")
    write_wav(path, result.audio, result.sample_rate)
    subtitle_files = []
    for fmt in SUBTITLE_FORMATS:
        sub = new_output_file(out_dir, "tts", f".{fmt}")
        sub.write_text(subtitles(result.alignment, fmt), encoding="utf-8")
        subtitle_files.append(str(sub))
    yield None, str(path), status_line(result, notes + result.notes), timed_text_html(options.text,
                                                                                     result.alignment), subtitle_files


def timed_text_html(source: str, items) -> str:
    """The caller's text, each spoken character tagged with when it is heard (the page's script
    highlights it while the player is there); markup between sentences is left out."""
    chars = {t.offset: t for t in items if t.kind == "character"}
    shown = sorted({o for t in items if t.kind == "sentence" for o in t.offsets} | set(chars))
    if not shown:
        return ""
    out, last = [], None
    for i in shown:
        if last is not None and i != last + 1 and source[last + 1:i].strip():
            out.append(" ")  # markup left out between two pieces of text
        ch = html.escape(source[i])
        t = chars.get(i)
        out.append(f'<span data-s="{t.start:.3f}" data-e="{t.end:.3f}">{ch}</span>' if t else ch)
        last = i
    return '<div class="tts-timed">' + "".join(out) + "</div>"


def read_batch_lines(text: str | None, upload: str | None) -> list[str]:
    raw = text or ""
    if upload:
        data = Path(upload).read_bytes()
        if len(data) > MAX_UPLOAD_TEXT_BYTES:
            raise UserFacingError(f"文件太大 · the file is larger than {MAX_UPLOAD_TEXT_BYTES // 2**20} MB")
        for encoding in ("utf-8-sig", "gb18030"):
            try:
                raw = data.decode(encoding)
                break
            except UnicodeDecodeError:
                continue
        else:
            raise UserFacingError("无法识别文件编码 · the file is not UTF-8 or GB18030 text")
    lines = [line.strip() for line in raw.splitlines() if line.strip()]
    if not lines:
        raise UserFacingError("没有可合成的文本 · no text lines to synthesize")
    if len(lines) > MAX_BATCH_LINES:
        raise UserFacingError(f"行数过多 · at most {MAX_BATCH_LINES} lines per batch")
    return lines


def synthesize_batch(synth: Synthesizer, out_dir: Path, text: str, upload: str | None, voice: str, emotion: str,
                     speed: float, quality: str, progress=None) -> tuple[str, str, str]:
    """One WAV per line in a zip, plus all lines joined (with a pause) in one WAV."""
    lines = read_batch_lines(text, upload)
    zip_path = new_output_file(out_dir, "batch", ".zip")
    joined: list[np.ndarray] = []
    started = time.perf_counter()
    failed = []
    with zipfile.ZipFile(zip_path, "w", zipfile.ZIP_DEFLATED) as zf:
        for i, line in enumerate(lines):
            if progress is not None:
                progress((i, len(lines)), desc=f"{i}/{len(lines)}")
            try:
                result = synth.synthesize(SynthesisOptions(line, voice=voice, emotion=emotion, speed=float(speed),
                                                           quality=quality or None))
            except RequestError as exc:
                failed.append(f"第{i + 1}行 line {i + 1}: {exc}")
                continue
            zf.writestr(f"{i + 1:04d}.wav", wav_bytes(result.audio, result.sample_rate))
            joined += [result.audio, silence(0.6, result.sample_rate)]
    if not joined:
        raise UserFacingError("没有一行合成成功 · no line could be synthesized: " + "; ".join(failed[:3]))
    audio = np.concatenate(joined[:-1])
    joined_path = zip_path.with_name(zip_path.stem + "-all.wav")  # unique as its zip's name is
    write_wav(joined_path, audio, synth.sample_rate)
    took = time.perf_counter() - started
    status = (f"{len(lines) - len(failed)}/{len(lines)} 行 lines · 音频 audio {len(audio) / synth.sample_rate:.1f} s · "
              f"用时 took {took:.1f} s")
    if failed:
        status += "\n\n" + "\n".join(failed[:20])
    return str(zip_path), str(joined_path), status


def system_markdown(synth: Synthesizer) -> str:
    info = synth.info()
    mem = ", ".join(f"{k}: {v / 2**20:.0f} MiB" for k, v in info["memory_bytes"].items())
    cache = info["cache"]
    rows = [
        ("配置 Profile", f"**{info['profile']}** — {info['profile_description']}"),
        ("原因 Why", info["reason"]),
        ("设备 Devices", f"acoustic {info['acoustic_device']} ({info['acoustic_precision']}), "
                         f"vocoder {info['vocoder_device']}"),
        ("硬件 Hardware", f"GPU {info['gpu'] or '—'}"
                          + (f" {info['vram_gb']:.1f} GiB" if info["gpu"] else "")
                          + f"; RAM {info['ram_gb'] or 0:.0f} GiB; {info['cores']} cores; {info['threads']} threads"),
        ("模型 Models", "; ".join(f"{k}: {v}" for k, v in info["models"].items())),
        ("声码器 Vocoders", ", ".join(info["vocoders"]) + f" (default {info['default_vocoder']})"),
        ("内存 Memory", mem),
        ("队列 Queue", f"{info['running']} running / {info['concurrency']} slots, "
                       f"{info['waiting']} waiting / {info['queue_size']}"),
        ("缓存 Cache", f"{cache['entries']} entries, {cache['bytes'] / 2**20:.1f} MiB, "
                       f"{cache['hits']} hits / {cache['misses']} misses"),
    ]
    return "| | |\n|---|---|\n" + "\n".join(f"| {k} | {v} |" for k, v in rows)


def new_output_file(out_dir: Path, prefix: str, suffix: str) -> Path:
    """A new empty file in out_dir, named prefix-date-time-random+suffix, that no other request gets.

    A name made of the clock alone is shared by two requests that finish together, and the later
    one's audio would replace the earlier one's before its user downloads it; mkstemp creates
    the file atomically under a name nobody else holds.
    """
    fd, name = tempfile.mkstemp(suffix=suffix, prefix=f"{prefix}-{time.strftime('%Y%m%d-%H%M%S')}-", dir=out_dir)
    os.close(fd)
    return Path(name)


def new_output_dir() -> Path:
    """The app's own temporary area: the only place the UI writes or serves files from."""
    return Path(tempfile.mkdtemp(prefix="zh-tts-ui-"))
