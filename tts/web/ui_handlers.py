"""What the web page's buttons do, kept out of ui.py so that file is layout and wiring only.

Every handler takes the Synthesizer explicitly. Nothing here raises into Gradio: a failed run
becomes a bilingual sentence in the status line (ui_status), which stays until the next run.
"""

from __future__ import annotations

import html
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from tts.audio.wav import wav_bytes, write_wav
from tts.options import SynthesisOptions
from tts.request import DEFAULTS, AppliedRequest, RequestInput, build_request
from tts.speech_service import SpeechService
from tts.ssml import is_ssml
from tts.timing.subtitles import FORMATS as SUBTITLE_FORMATS
from tts.timing.subtitles import subtitles
from tts.web.ui_status import NOTHING_TO_READ, UserFacingError, as_text, done_status, error_message, log, markup_lines

QUALITY_CHOICES = [("快速 Fast (MB-MelGAN)", "fast"), ("高保真 High fidelity (HiFi-GAN)", "high")]
SLOW_NOTE = " — 本机慢于实时，播放会卡顿 · slower than real time on this machine"


def quality_choices(synth: SpeechService) -> list[tuple[str, str]]:
    """The vocoders this server has, HiFi-GAN marked where its profile says it cannot keep up
    with playback (`Profile.hifigan_realtime`: a stream would stall)."""
    slow = not synth.profile.hifigan_realtime
    return [(label + (SLOW_NOTE if q == "high" and slow else ""), q) for label, q in QUALITY_CHOICES
            if q in synth.available_qualities()]


def char_count(text: str | None, limit: int) -> str:
    n = len(text or "")
    warn = " — 超出上限 over the limit" if n > limit else ""
    return f"{n} / {limit} 字 characters{warn}"


def preview_pinyin(synth: SpeechService, text: str) -> tuple[str, str]:
    """(one line of syllables per segment, a status line). Edited syllables are used by the
    next synthesis as long as the text stays as it is (changing the text clears them)."""
    try:
        if not (text or "").strip():
            raise UserFacingError("请先输入文本 · Enter some text first.")
        if is_ssml(text):
            raise UserFacingError("SSML 里请用 <phoneme> 指定读音 · In SSML, give readings with <phoneme>.")
        plan = synth.plan(SynthesisOptions(text))
        lines = [" ".join(s) for s in (synth.prepare_segment(p).utterance.syllables for p in plan.segments)
                 if s]
        if not lines:
            raise UserFacingError(NOTHING_TO_READ)
    except Exception as exc:  # noqa: BLE001 - the status line says what went wrong
        return "", error_message(exc)
    return "\n".join(lines), ("拼音可直接修改，合成时按修改后的读音朗读；改动文本会清空拼音 · Edit any syllable: "
                              "synthesis reads it so. Changing the text clears the pinyin.")


def check_reference(path: str | None) -> str:
    """A status line for a clip as soon as it is uploaded or recorded: usable (and what it
    measured) or why not. A broken file used to be found out only at synthesis."""
    if not path:
        return ""
    from tts.audio.decode import AudioInputError
    from tts.expressive.reference import analyze_reference

    try:
        reference = analyze_reference(Path(path))
    except AudioInputError as exc:
        log.info("page reference clip refused: %s", str(exc).replace("\n", " "))
        return ("出错 Failed: 参考音频不能用，合成时会改用中性韵律（可换一个文件）· The reference clip cannot be used, "
                f"synthesis would fall back to neutral prosody (try another file): {as_text(str(exc))}")
    return "参考音频可用 · The reference clip can be used: " + as_text(reference.summary)


def form_input(text: str, voice: str, emotion: str, intensity: float, instructions: str, reference: str | None,
               speed: float, pitch: float, energy: float, quality: str, pinyin: str) -> RequestInput:
    """The form's values as a RequestInput: controls at their defaults count as not given (the
    instructions may set them); the pinyin box, when it holds anything, is the reading to use."""
    controls: dict[str, Any] = {"voice": voice, "emotion": emotion, "emotion_intensity": float(intensity),
                                "speed": float(speed), "pitch": float(pitch), "energy": float(energy)}
    moved = {k: v for k, v in controls.items() if v != DEFAULTS[k]}
    corrected = " ".join((pinyin or "").split()) or None
    return RequestInput(text=text or "", quality=quality or None, pinyin=corrected,
                        instructions=instructions or None, reference=Path(reference) if reference else None, **moved)


def build_form_request(*form) -> AppliedRequest:
    """The request the form describes (the one request builder; a bad clip is dropped with a note)."""
    return build_request(form_input(*form), strict_reference=False)


def synthesize_stream(synth: SpeechService, out_dir: Path, *form, ssml: bool = False) -> Iterator[tuple]:
    """Yields (streamed audio chunk | None, downloadable WAV path | None, status markdown, the text
    timed for highlighting (HTML), subtitle files | None); a failure is its last yield, as a
    status line (the outputs of the failed run cleared).

    Chunks go to Gradio as WAV bytes: a numpy chunk would be peak-normalized one by one (the
    volume would jump between chunks) and written to a content-addressed cache file, which two
    requests producing the same chunk at once would race on. With `ssml`, text that does not
    start with <speak is wrapped in one (so markup fragments can be typed as they are).
    """
    heard: list = []
    seconds = 0.0
    try:
        if ssml and not is_ssml(form[0] or ""):
            form = (f"<speak>{form[0] or ''}</speak>", *form[1:])
        applied = build_form_request(*form)
        options = applied.options
        stream = synth.stream(options)
        with stream:
            for chunk in stream:
                heard.extend(chunk.alignment)
                seconds += len(chunk.audio) / synth.sample_rate
                yield (wav_bytes(chunk.audio, synth.sample_rate), None,
                       f"合成中… Synthesizing… {seconds:.1f} s", timed_text_html(options.text, heard), None)
        result = stream.result
        if result is None:
            raise RuntimeError("the synthesis stream ended without a result")
        path, *subtitle_paths = new_output_files(out_dir, (".wav", *(f".{fmt}" for fmt in SUBTITLE_FORMATS)))
        write_wav(path, result.audio, result.sample_rate)
        for fmt, sub in zip(SUBTITLE_FORMATS, subtitle_paths):
            sub.write_text(subtitles(result.alignment, fmt), encoding="utf-8")
        subtitle_files = [str(sub) for sub in subtitle_paths]
        # What the markup set and left out, for the status: the text is planned again (cheap,
        # no models), as not every SpeechService's stream carries it.
        markup = markup_lines(synth.plan(options), options.text) if is_ssml(options.text) else []
    except Exception as exc:  # noqa: BLE001 - every failure becomes a status line
        message = error_message(exc)
        if seconds:
            message = (f"{message}\n\n合成在 {seconds:.1f} 秒处中断，音频不完整 · "
                       f"Stopped after {seconds:.1f} s: the audio is incomplete.")
        yield None, None, message, "", None
        return
    yield (None, str(path), done_status(result, applied, markup), timed_text_html(options.text, result.alignment),
           subtitle_files)


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


def system_markdown(synth: SpeechService) -> str:
    """The System tab: what runs, where, and how busy it is, in words a team lead reads without
    the code (both languages; one labelled line each, so nothing is squeezed into a column on
    a phone)."""
    info = synth.info()
    mib = 2**20
    memory = "; ".join(f"服务进程 the server process {v / mib:.0f} MiB" if k == "cpu_rss"
                       else f"显存 GPU memory ({k}) {v / mib:.0f} MiB" for k, v in info["memory_bytes"].items())
    cache = info["cache"]
    gpu = (f"GPU {info['gpu']} ({info['vram_gb']:.1f} GiB)" if info["gpu"] else "无 GPU · no GPU")
    rows = [
        ("配置 Profile", f"**{info['profile']}** — {info['profile_description']}"),
        ("为何选它 Why this profile", info["reason"]),
        ("在哪里运行 Runs on", f"声学模型 acoustic model: {info['acoustic_device']} ({info['acoustic_precision']}); "
                              f"声码器 vocoder: {info['vocoder_device']}"),
        ("硬件 Hardware", f"{gpu}; 内存 RAM {info['ram_gb'] or 0:.0f} GiB; {info['cores']} 核 cores; "
                         f"{info['threads']} 线程 threads"),
        ("模型 Models", "; ".join(f"{k}: {v}" for k, v in info["models"].items())),
        ("声码器 Vocoders", ", ".join(info["vocoders"]) + f"（默认 default: {info['default_vocoder']}）"),
        ("内存占用 Memory in use", memory),
        ("请求 Requests", f"正在合成 {info['running']} 个（最多同时 {info['concurrency']} 个），排队 {info['waiting']} 个"
                         f"（最多 {info['queue_size']} 个）· {info['running']} being synthesized (at most "
                         f"{info['concurrency']} at once), {info['waiting']} waiting (room for {info['queue_size']})"),
        ("缓存 Cache", f"{cache['entries']} 段结果，{cache['bytes'] / mib:.1f} MiB；重复的请求直接取用 {cache['hits']} 次，"
                      f"新合成 {cache['misses']} 次 · {cache['entries']} results kept ({cache['bytes'] / mib:.1f} MiB); "
                      f"{cache['hits']} repeated requests answered from it, {cache['misses']} synthesized anew"),
    ]
    return "\n".join(f"- **{k}** {v}" for k, v in rows)


def new_output_files(out_dir: Path, suffixes: tuple[str, ...]) -> list[Path]:
    """One result's files (its WAV, its subtitles): speech-<time><suffix> in a folder of out_dir
    that no other request gets.

    A name made of the clock alone is shared by two requests that finish together, and the later
    one's audio would replace the earlier one's before its user downloads it; mkdtemp creates
    the folder atomically under a name nobody else holds, and the files keep a short name the
    page can show in full.
    """
    folder = Path(tempfile.mkdtemp(prefix="result-", dir=out_dir))
    stem = f"speech-{time.strftime('%H%M%S')}"
    return [folder / f"{stem}{suffix}" for suffix in suffixes]


def new_output_dir() -> Path:
    """The app's own temporary area: the only place the UI writes or serves files from."""
    return Path(tempfile.mkdtemp(prefix="zh-tts-ui-"))
