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
from collections.abc import Iterator
from pathlib import Path

from tts.audio.wav import wav_bytes, write_wav
from tts.options import RequestError, SynthesisOptions
from tts.request import DEFAULTS, RequestInput, build_request
from tts.ssml import is_ssml
from tts.timing.subtitles import FORMATS as SUBTITLE_FORMATS
from tts.timing.subtitles import subtitles
from tts.serving.admission import RequestTimeout, ServiceBusy
from tts.synthesizer import Synthesizer

log = logging.getLogger(__name__)

QUALITY_CHOICES = [("快速 Fast (MB-MelGAN)", "fast"), ("高保真 High fidelity (HiFi-GAN)", "high")]


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


# ---- the jobs view (Batch / audiobook tab) ----

STATUS_LABELS = {"queued": "排队中 queued", "running": "合成中 running", "done": "完成 done",
                 "failed": "失败 failed", "cancelled": "已取消 cancelled"}
MAX_BROWSER_JOBS = 50  # ids a browser keeps; older ones drop off its list (the jobs stay on the server)


def ui_owner(request) -> str:
    """The jobs owner of a page user: the login's user (the same as the API's with those
    credentials), else "anonymous" (the same as an API caller without credentials)."""
    name = getattr(request, "username", None)
    return f"user:{name}" if name else "anonymous"


def submit_job(service, owner: str, text: str, upload: str | None, voice: str, emotion: str, speed: float,
               quality: str, fmt: str, ids: list | None) -> tuple[list, str]:
    """A new job from the tab's own controls: the text (chapters at its 第X章 headings) or an
    uploaded .txt/.epub. Returns the browser's job ids (newest first) and a note."""
    from tts.jobs.books import read_book

    given = form_input(text or "", voice, emotion, 1.0, "", None, speed, 0.0, 1.0, quality, "", False)
    book, source = None, {}
    if upload:
        path = Path(upload)
        if path.stat().st_size > service.limits.max_upload_mb * 2**20:
            raise UserFacingError(f"文件太大 · the file is larger than {service.limits.max_upload_mb} MB")
        data = path.read_bytes()
        book = read_book(data, path.name, service.limits.max_upload_mb * 2**20)
        source = {"file": path.name}
    elif not (text or "").strip():
        raise UserFacingError("请输入文本或上传文件 · Enter some text or upload a .txt/.epub file")
    job = service.submit(owner, given, fmt, book, source=source)
    ids = [job.id] + [i for i in (ids or []) if i != job.id]
    note = (f"已提交 · Submitted: **{job.title}** ({len(job.chapters)} 章 chapter(s)); "
            "进度在右侧，刷新页面或重启服务都不会丢失 · progress is on the right and survives a reload or a restart.")
    return ids[:MAX_BROWSER_JOBS], note


def jobs_html(service, owner: str, ids: list | None) -> tuple[str, list[tuple[str, str]]]:
    """The browser's jobs as an HTML list (progress bars, downloads, errors) and (title, id)
    choices for the cancel box; ids that are gone (deleted) are left out."""
    import html

    rows, choices = [], []
    for job_id in ids or []:
        job = service.get(str(job_id), owner)
        if job is None:
            continue
        body = service.describe(job, detail=False)
        done, total = body["progress"]["done"], body["progress"]["total"]
        percent = 100.0 * done / total if total else 0.0
        minutes = body["progress"]["audio_seconds"] / 60
        title = html.escape(job.title or job.id)
        parts = [f'<div class="job" data-job-id="{job.id}" data-status="{job.status}">',
                 f'<b>{title}</b> · <span class="job-status">{STATUS_LABELS.get(job.status, job.status)}</span>',
                 f'<br><progress max="100" value="{percent:.1f}"></progress> '
                 f'<span class="job-progress">{done}/{total or "?"}</span> · {minutes:.1f} min']
        if body["eta_seconds"] and job.status == "running":
            parts.append(f" · 约 about {body['eta_seconds'] / 60:.0f} min left")
        if job.status == "done":
            links = [f'<a class="job-audio" href="{body["audio_url"]}" download>'
                     f'全部 All ({job.response_format})</a>']
            links += [f'<a class="job-chapter" href="{c["url"]}" download>{c["index"]}. {html.escape(c["title"])}</a>'
                      for c in body["chapters"] if "url" in c]
            links += [f'<a class="job-subtitles" href="{url}" download>字幕 Subtitles ({fmt.upper()})</a>'
                      for fmt, url in body["subtitles"].items()]
            parts.append("<br>下载 Download: " + " · ".join(links))
        if job.error:
            parts.append(f'<br><span class="job-error">{html.escape(job.error)}</span>')
        parts.append("</div>")
        rows.append("".join(parts))
        choices.append((f"{job.title or job.id} ({STATUS_LABELS.get(job.status, job.status)})", job.id))
    if not rows:
        return '<div class="job-empty">还没有任务 · No jobs yet.</div>', []
    return "<hr>".join(rows), choices


def cancel_job(service, owner: str, job_id: str | None, ids: list | None) -> list:
    if not job_id:
        raise UserFacingError("请先选择任务 · Choose a job first")
    service.delete(job_id, owner)
    return [i for i in (ids or []) if i != job_id]


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
