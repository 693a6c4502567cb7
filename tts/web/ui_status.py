"""What the page's status line says: what was applied and why, what it cost, and errors.

Everything here is built from the request builder's record (`AppliedRequest`) and the
facade's `Result`, so the page says what the audio actually has: a setting the user moved
wins over the style instructions, and the status says so instead of repeating what the
instructions asked for. Errors are sentences in both languages that stay in the status line
until the next run (no toast that fades, no bare "Error" badge).
"""

from __future__ import annotations

import dataclasses
import html
import logging
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from tts.document import Controls
from tts.options import RequestError
from tts.request import AppliedRequest
from tts.serving.admission import RequestTimeout, ServiceBusy

if TYPE_CHECKING:
    from tts.pipeline import PlannedSegment
    from tts.synthesis_run import Plan

log = logging.getLogger("tts.web.ui")

# Setting -> its name on the page (Chinese · English).
SETTING_NAMES = {"voice": "音色 voice", "emotion": "情感 emotion", "emotion_intensity": "强度 intensity",
                 "speed": "语速 speed", "pitch": "音高 pitch", "energy": "能量 energy", "quality": "音质 quality"}
SOURCE_NAMES = {"request": "你的设置 yours", "instructions": "风格描述 instructions", "default": "默认 default"}
QUALITY_NAMES = {"fast": "快速 fast (MB-MelGAN)", "high": "高保真 high fidelity (HiFi-GAN)"}

NOTHING_TO_READ = ("没有可朗读的文字（只有标点、符号或表情）· "
                   "Nothing to read: the text has only punctuation, symbols or emoji.")
BAD_PINYIN = "校正后的拼音不能用（可清空拼音框或重新预览）· The corrected pinyin cannot be used (clear the pinyin box or " \
             "preview it again)"
# The facade's and builder's messages that users meet most (by how they start), with their
# Chinese; others are shown in English after a Chinese lead-in.
KNOWN_MESSAGES = {
    "text is empty": "请先输入文本 · The text is empty: type something first.",
    "the text has nothing to speak": NOTHING_TO_READ,
}


# An SSML error as the request builder words it: "SSML: <what> (line L, column C)" (the place
# is SSMLError's own suffix); the API's hint is replaced by one that names what the page has.
_SSML_ERROR = re.compile(r"^SSML: (?P<what>.*?)(?: \(line (?P<line>\d+), column (?P<column>\d+)\))?$", re.S)
_API_HINT = re.compile(r";? ?send ssml_strict=false to speak its text anyway")
SSML_PAGE_HINT = ("删除或改写这个标签（保留其中的文字），支持的写法见「SSML 示例」和 docs/ssml.md · Remove or rewrite the "
                  "tag (keep its text): the SSML examples below and docs/ssml.md show what is supported.")


def as_text(message: str) -> str:
    """`message` for a Markdown component, shown as the characters it holds: a tag in it
    (`<foo>` from an SSML error, `<b>` from pasted markup) is not HTML and `*`/`_` format nothing."""
    escaped = html.escape(" ".join(message.split("\n")), quote=False)
    return re.sub(r"([\\`*_\[\]{}#|~])", r"\\\1", escaped)


class UserFacingError(Exception):
    """A problem to show to the user as is (already bilingual)."""


def error_message(exc: BaseException) -> str:
    """The status line for a failed run: bilingual, without a traceback. Input errors are
    logged as one line; anything unexpected keeps its traceback in the server log."""
    if isinstance(exc, UserFacingError):
        message = str(exc)
    elif isinstance(exc, ServiceBusy):
        message = "服务繁忙，请稍后再试 · The service is busy, please try again in a moment."
    elif isinstance(exc, RequestTimeout):
        message = f"合成超时 · Synthesis timed out: {exc}"
    elif isinstance(exc, RequestError):
        message = _request_error(exc)
    else:
        log.exception("unexpected failure in the web page")
        return "出错 Failed: 出了意外，请重试 · Something went wrong, please try again (the server log has the details)."
    log.info("page input refused: %s", message.replace("\n", " "))
    return f"出错 Failed: {as_text(message)}"


def _request_error(exc: RequestError) -> str:
    text = str(exc)
    if exc.field == "pinyin":
        return f"{BAD_PINYIN} ({text})"
    if (ssml := _SSML_ERROR.match(text)) is not None:
        return ssml_error(ssml["what"], ssml["line"], ssml["column"])
    for start, message in KNOWN_MESSAGES.items():
        if text.startswith(start):
            return message
    if "characters; the limit is" in text:
        return f"文本太长 · The text is too long: {text}."
    return f"请求有误 · Invalid request: {text}"


def ssml_error(what: str, line: str | None, column: str | None) -> str:
    """An SSML error in both languages: where it is, which tag, what is wrong, what to do."""
    what = _API_HINT.sub("", what).strip()
    tag = re.search(r"<[\w:-]+>", what)
    where_zh = f"第 {line} 行第 {column} 列" if line else ""
    where_en = f" at line {line}, column {column}" if line else ""
    tag_zh = f"标签 {tag.group(0)}" if tag else ""
    lead = "，".join(p for p in (where_zh, tag_zh) if p)
    return (f"SSML 标记有误{'（' + lead + '）' if lead else ''} · SSML error{where_en}"
            f"{' in ' + tag.group(0) if tag else ''}: {what}. {SSML_PAGE_HINT}")


def shown(name: str, value: Any) -> str:
    """A setting's value as the page words it."""
    from tts.expressive.presets import EMOTIONS, VOICES

    if name == "voice":
        return str(getattr(VOICES.get(value), "label", value))
    if name == "emotion":
        return str(getattr(EMOTIONS.get(value), "label", value))
    if name == "pitch":
        return f"{value:+.1f} 半音 st"
    if name == "quality":
        return QUALITY_NAMES.get(str(value), "默认 profile default") if value else "默认 profile default"
    return f"×{value:.2f}"


def applied_lines(applied: AppliedRequest) -> list[str]:
    """What the audio was made with: every setting, where its value came from, what the
    caller's own settings overrode, what a reference clip added (its offsets come on top of
    pitch, energy and durations) and what the style instructions added on top."""
    from tts.options import SEMITONES_PER_PITCH_UNIT

    clip = getattr(applied.reference, "prosody", None)
    from_clip = {} if clip is None else {
        "speed": f"时长 durations ×{clip.duration_scale:.2f}",
        "pitch": f"{clip.pitch_shift * SEMITONES_PER_PITCH_UNIT:+.1f} 半音 st",
        "energy": f"{clip.energy_shift:+.2f}"}
    parts = []
    for name in SETTING_NAMES:
        source = applied.sources.get(name, "default")
        value = getattr(applied.options, name)
        # The page always sends a quality (its radio has no "unset"): no mark for it.
        mark = f"（{SOURCE_NAMES[source]}）" if source != "default" and name != "quality" else ""
        if name in from_clip:
            mark += f"（+ 参考音频 clip **{from_clip[name]}**）"
        parts.append(f"{SETTING_NAMES[name]} **{shown(name, value)}**{mark}")
    lines = ["实际使用 Applied: " + " · ".join(parts)]
    if applied.overridden:
        lines.append("注意 Note: 你的设置优先于风格描述 · Your settings won over the instructions: " + "; ".join(
            f"{SETTING_NAMES.get(o.name, o.name)} {shown(o.name, o.kept)}（描述要求 asked for "
            f"{shown(o.name, o.wanted)}）" for o in applied.overridden))
    if applied.options.pinyin:
        lines.append("拼音 Pinyin：按你校正的读音 read as you corrected: " + applied.options.pinyin)
    if applied.instructions is not None:
        lines.append("风格描述理解为 Instructions read as: " + applied.instructions.summary.replace("\n", " / "))
    return lines


MARKUP_SHOWN = 16  # characters of a span quoted in the markup line


def markup_lines(plan: Plan, source: str) -> list[str]:
    """What SSML markup set (voice, emotion, intensity, speed, pitch, energy), span by span where
    it varies: neighbouring characters with the same settings are quoted as one, as `source`
    (the caller's input) has them. Nothing for text the markup leaves to the request's
    settings. Then what the markup left out (the API's X-SSML-Ignored), if anything."""
    groups: list[tuple[Controls, str]] = []
    for planned in plan.segments:
        for controls, written in _as_written(planned, source):
            controls = dataclasses.replace(controls, pinyin=None)
            if groups and groups[-1][0] == controls:
                groups[-1] = (controls, groups[-1][1] + written)
            else:
                groups.append((controls, written))
    parts = []
    for controls, said in groups:
        settings = [f"{SETTING_NAMES[name]} **{shown(name, getattr(controls, name))}**"
                    for name in SETTING_NAMES if getattr(controls, name, None) is not None]
        if settings and said.strip():
            quoted = said.strip() if len(said.strip()) <= MARKUP_SHOWN else said.strip()[:MARKUP_SHOWN] + "…"
            parts.append(f"「{as_text(quoted)}」" + " · ".join(settings))
    lines = ["SSML 标记设置 Markup set: " + "；".join(parts)] if parts else []
    if plan.ignored:
        lines.append("未使用的 SSML 标记 · Markup left out: " + as_text(", ".join(plan.ignored)))
    return lines


def _as_written(planned: PlannedSegment, source: str) -> Iterator[tuple[Controls, str]]:
    """A planned segment's characters with their controls, each as the caller wrote it: the
    segment's text is normalized ("," for "，"), and several characters read for one written
    (an alias) are quoted once."""
    text, where = planned.segment.text, planned.segment.source
    last_end = -1
    for i, controls in enumerate(planned.char_controls or (Controls(),) * len(text)):
        if where is None:
            yield controls, text[i]
        elif where.starts[i] >= last_end:
            yield controls, source[where.starts[i]:where.ends[i]]
            last_end = where.ends[i]


def reference_lines(applied: AppliedRequest) -> list[str]:
    """The reference clip: used or not, what was measured and taken from it, and its cost."""
    if applied.reference is not None:
        lines = [f"参考音频 Reference: 已使用（分析用时 {applied.reference_seconds:.2f} 秒）· used, analysed in "
                 f"{applied.reference_seconds:.2f} s: " + applied.reference.summary.replace("\n", " / ")]
        return lines + list(applied.reference.warnings)
    if applied.reference_error:
        return ["注意 Note: 参考音频未使用 · Reference clip not used: " + as_text(applied.reference_error)]
    return []


def times(factor: float) -> str:
    """A ratio as "×1.05" (two decimals while they matter): "快 1 倍" would read as twice as fast."""
    return f"×{factor:.2f}" if factor < 10 else f"×{factor:.0f}"


def listening_words(rtf: float, cached: bool, reference_seconds: float) -> str:
    """What the listener meets, from how fast the audio was made against how fast it plays: the
    synthesis alone (a clip's analysis happens once, before the first sound, and is said so)."""
    if cached:
        words = "来自缓存，立即可播，不会停顿 · from the cache: it plays at once, without pauses"
    elif rtf <= 0:
        return ""
    elif rtf < 1:
        words = (f"合成速度是播放速度的 {times(1 / rtf)}，边合成边播放不会停顿 · made {times(1 / rtf)} as fast as it "
                 "plays: the stream plays without pauses")
    else:
        words = (f"合成速度只有播放速度的 {times(1 / rtf)}，边合成边播放会停下等待；下载的 WAV 可流畅播放 · made at "
                 f"{times(1 / rtf)} of playing speed: the stream pauses to catch up; the downloaded WAV plays smoothly")
    if reference_seconds:
        words += (f"；分析参考音频用了 {reference_seconds:.1f} 秒，在出声之前 · the clip's analysis took "
                  f"{reference_seconds:.1f} s before the first sound")
    return words


def done_status(result, applied: AppliedRequest, markup: list[str] | None = None) -> str:
    """The finished run: figures first, what the listener meets, then what was applied (with
    `markup`: what SSML set, from markup_lines), the clip, and reading notes."""
    t = result.timings
    total = t.total_s + applied.reference_seconds
    figures = [f"完成 Done · 音频 audio **{t.audio_s:.2f} s**", f"用时 took **{total:.2f} s**",
               f"服务器首包 server's first audio **{t.first_chunk_s * 1000:.0f} ms** (RTF {t.rtf:.3f})"]
    lines = [" · ".join(figures)]
    if listening := listening_words(t.rtf, result.cached, applied.reference_seconds):
        lines.append("收听 Listening: " + listening)
    lines += applied_lines(applied)
    lines += markup or []
    lines += reference_lines(applied)
    if result.unknown:
        lines.append("未能朗读的字符 not read: " + as_text(" ".join(result.unknown)))
    lines += [as_text(n) for n in result.notes if n]
    return "\n\n".join(lines)
