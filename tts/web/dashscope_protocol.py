"""The DashScope CosyVoice speech-synthesis task protocol, as data: commands in, events out.

What the official `dashscope` SDK (`dashscope.audio.tts_v2.SpeechSynthesizer`) sends and
expects over its WebSocket, read from the SDK and DashScope's documentation:

    client -> server (JSON text frames, {"header": {...}, "payload": {...}})
        run-task       header.task_id; payload.model, payload.parameters (voice, format, ...)
        continue-task  payload.input.text: the next piece of text, any size from one character
        finish-task    no more text (payload.input.directive "cancel": drop what is left)
    server -> client
        task-started      the task runs; text may come
        result-generated  payload.output.type sentence-begin / sentence-synthesis / sentence-end,
                          payload.output.sentence {index, words[]}; each sentence-synthesis
                          is followed by one binary frame of audio
        task-finished     all audio sent
        task-failed       header.error_code / error_message; the task is over, the socket stays

This module holds the decisions (parameter ranges, the voice table, event shapes); the route
and the task's run live in tts/web/dashscope_ws.py. docs/streaming.md documents both.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from tts.expressive.presets import EMOTIONS, VOICES
from tts.options import LIMITS
from tts.request import RequestInput
from tts.timing.alignment import Timed

PATH = "/api-ws/v1/inference"  # what dashscope.base_websocket_api_url ends with
PIECE_LIMIT = 20_000  # characters in one continue-task (DashScope's limit; a profile's lower one wins)
TASK_LIMIT = 200_000  # characters in one task (DashScope's limit)
FORMATS = ("pcm", "wav", "mp3", "opus")
SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)  # the SDK's AudioFormat rates
# The SDK's AudioFormat.DEFAULT sends format "Default" and sample rate 0: CosyVoice then answers
# mp3 at 22050 Hz, and the SDK assumes so when it measures what it received.
DEFAULT_FORMAT, DEFAULT_SAMPLE_RATE = "mp3", 22050
EMOTION_SEPARATOR = "+"  # this project's own names: VOICE or VOICE+EMOTION ("baker-low+happy")

# DashScope voice -> (this project's voice, emotion). CosyVoice's voices are people; this project
# has one speaker (Baker) in four timbres and six emotions, so each name maps to the nearest
# timbre and manner. A "_v2"/"_v3" suffix (the same voices for later models) is ignored.
VOICE_ALIASES: dict[str, tuple[str, str | None]] = {
    "longxiaochun": ("baker", None),  # the SDK's default voice: bright, gentle female
    "longwan": ("baker", None),
    "longyue": ("baker", "gentle"),
    "longxiaoxia": ("baker-bright", None),
    "longmiao": ("baker-bright", None),
    "longhua": ("baker-bright", "happy"),
    "longxiaobai": ("baker-bright", "happy"),
    "longcheng": ("baker-low", None),  # male voices: the lowest timbre there is
    "longshu": ("baker-low", None),
    "longshuo": ("baker-low", None),
    "longxiang": ("baker-low", None),
    "longlaotie": ("baker-low", "happy"),
    "longtong": ("baker-child", None),
    "longjielidou": ("baker-child", "happy"),
}
# Model names that choose a vocoder; any other model name is accepted (and reported back).
MODEL_QUALITY = {"zh-tts-fast": "fast", "zh-tts-hifi": "high"}


class TaskError(Exception):
    """A command this server refuses: a task-failed event with `code` and the message."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def invalid(message: str) -> TaskError:
    return TaskError("InvalidParameter", message)


@dataclass(frozen=True)
class Command:
    """One client command: its action, task id and payload."""

    action: str
    task_id: str
    payload: dict[str, Any]


def parse_command(raw: str) -> Command:
    """A text frame -> Command (TaskError when it is not one; the task id may then be empty)."""
    try:
        message = json.loads(raw)
    except ValueError:
        raise TaskError("InvalidParameter", "a command must be JSON") from None
    if not isinstance(message, dict) or not isinstance(message.get("header"), dict):
        raise invalid("a command must be a JSON object with a 'header' object")
    header = message["header"]
    task_id = header.get("task_id")
    action = header.get("action")
    payload = message.get("payload", {})
    if not isinstance(task_id, str) or not task_id:
        raise invalid("header.task_id must be a non-empty string")
    if action not in ("run-task", "continue-task", "finish-task"):
        raise TaskError("InvalidParameter", f"unknown action {action!r} (run-task, continue-task, finish-task)")
    if not isinstance(payload, dict):
        raise invalid("payload must be an object")
    return Command(action, task_id, payload)


@dataclass(frozen=True)
class TaskParams:
    """A run-task's parameters, checked and mapped onto this project's request fields."""

    model: str
    voice: str
    emotion: str | None
    fmt: str
    sample_rate: int
    volume: int  # 0-100, 50 = as synthesized
    speed: float | None  # None: not given (the default applies)
    pitch: float | None  # semitones, None: not given
    ssml: bool  # text_type SSML: the whole text is one SSML document, spoken at finish-task
    enable_ssml: bool  # the SDK's call(): a text that starts with <speak is SSML
    word_timestamps: bool

    @property
    def gain(self) -> float:
        """Linear gain of `volume` (50 -> 1, 100 -> 2, 0 -> silence)."""
        return self.volume / 50.0

    @property
    def quality(self) -> str | None:
        return MODEL_QUALITY.get(self.model)

    def request(self, text: str) -> RequestInput:
        """The one request builder's input for `text` spoken with these parameters."""
        return RequestInput(text, voice=self.voice, emotion=self.emotion, speed=self.speed, pitch=self.pitch,
                            quality=self.quality)


def resolve_voice(name: str) -> tuple[str, str | None]:
    """A DashScope voice name or this project's VOICE[+EMOTION] -> (voice, emotion); TaskError if unknown."""
    base, _, emotion = name.strip().lower().partition(EMOTION_SEPARATOR)
    if not emotion:
        alias = VOICE_ALIASES.get(base.removesuffix("_v2").removesuffix("_v3"))
        if alias is not None:
            return alias
    if base in VOICES and (not emotion or emotion in EMOTIONS):
        return base, emotion or None
    known = ", ".join([*VOICES, *VOICE_ALIASES])
    raise invalid(f"unknown voice {name!r} (available: {known}; or VOICE+EMOTION with emotion one of "
                  f"{', '.join(EMOTIONS)})")


def _number(parameters: dict[str, Any], name: str, default: float, lo: float, hi: float) -> float:
    value = parameters.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not lo <= value <= hi:
        raise invalid(f"parameters.{name} must be a number from {lo:g} to {hi:g}, got {value!r}")
    return float(value)


def _flag(parameters: dict[str, Any], name: str) -> bool:
    value = parameters.get(name, False)
    if not isinstance(value, bool):
        raise invalid(f"parameters.{name} must be true or false, got {value!r}")
    return value


# DashScope's pitch is a frequency ratio (0.5-2); this project shifts by semitones within LIMITS.
_PITCH = LIMITS["pitch"]
PITCH_RANGE = (round(2 ** (_PITCH.lo / 12), 3), round(2 ** (_PITCH.hi / 12), 3))
# DashScope's rate 0.5-2 is a speaking-rate factor, as this project's speed (a wider range).
RATE_RANGE = (max(0.5, LIMITS["speed"].lo), min(2.0, LIMITS["speed"].hi))


def task_params(payload: dict[str, Any]) -> TaskParams:
    """A run-task payload's parameters (TaskError naming the first one that is wrong)."""
    model = payload.get("model")
    if not isinstance(model, str) or not model.strip():
        raise invalid("payload.model must be a non-empty string")
    parameters = payload.get("parameters", {})
    if not isinstance(parameters, dict):
        raise invalid("payload.parameters must be an object")
    voice_name = parameters.get("voice")
    if not isinstance(voice_name, str):
        raise invalid("parameters.voice must be a string")
    voice, emotion = resolve_voice(voice_name)
    fmt = parameters.get("format", DEFAULT_FORMAT)
    fmt = fmt.lower() if isinstance(fmt, str) else fmt
    if fmt == "default":
        fmt = DEFAULT_FORMAT
    if fmt not in FORMATS:
        raise invalid(f"parameters.format must be one of {', '.join(FORMATS)}, got {fmt!r}")
    rate = parameters.get("sample_rate", DEFAULT_SAMPLE_RATE)
    if rate == 0:
        rate = DEFAULT_SAMPLE_RATE
    if isinstance(rate, bool) or rate not in SAMPLE_RATES:
        raise invalid(f"parameters.sample_rate must be one of {', '.join(map(str, SAMPLE_RATES))}, got {rate!r}")
    volume = _number(parameters, "volume", 50, 0, 100)
    speed = _number(parameters, "rate", 1.0, *RATE_RANGE)
    ratio = _number(parameters, "pitch", 1.0, *PITCH_RANGE)
    text_type = parameters.get("text_type", "PlainText")
    if text_type not in ("PlainText", "SSML"):
        raise invalid(f"parameters.text_type must be PlainText or SSML, got {text_type!r}")
    return TaskParams(
        model=model, voice=voice, emotion=emotion, fmt=fmt, sample_rate=int(rate), volume=round(volume),
        speed=None if "rate" not in parameters else speed,
        pitch=None if "pitch" not in parameters else round(12 * math.log2(ratio), 3),
        ssml=text_type == "SSML", enable_ssml=_flag(parameters, "enable_ssml"),
        word_timestamps=_flag(parameters, "word_timestamp_enabled"))


def piece_text(payload: dict[str, Any], limit: int) -> str:
    """A continue-task's text (TaskError when missing or longer than `limit`)."""
    given = payload.get("input")
    text = given.get("text", "") if isinstance(given, dict) else None
    if not isinstance(text, str):
        raise invalid("payload.input.text must be a string")
    if len(text) > limit:
        raise invalid(f"one continue-task may carry at most {limit} characters, this one has {len(text)}")
    return text


def is_cancel(payload: dict[str, Any]) -> bool:
    given = payload.get("input")
    return isinstance(given, dict) and given.get("directive") == "cancel"


# ---- events


def event(name: str, task_id: str, payload: dict[str, Any] | None = None, **header: str) -> str:
    """One server event as its JSON text frame."""
    return json.dumps({"header": {"task_id": task_id, "event": name, "attributes": {}, **header},
                       "payload": payload or {}}, ensure_ascii=False)


def task_failed(task_id: str, error: TaskError) -> str:
    return event("task-failed", task_id, error_code=error.code, error_message=str(error))


def sentence_event(task_id: str, kind: str, index: int, words: list[dict[str, Any]], **output: Any) -> str:
    """result-generated: `kind` sentence-begin / sentence-synthesis / sentence-end."""
    return event("result-generated", task_id, {"output": {"type": kind, "sentence": {"index": index, "words": words},
                                                          **output}})


def words(items: Iterable[Timed], time_offset_s: float) -> list[dict[str, Any]]:
    """Timing items of one sentence's request -> DashScope words: each word heard, with its
    [begin_index, end_index) in the sentence's text (as sent) and its begin/end in milliseconds
    of the task's audio (`time_offset_s`: where the sentence's request starts in it).

    A word is a character, or a run of adjacent characters read together: the aligner gives
    every character of an English word read as a word (``Spotify``), or of a token read as a
    whole (``¥100`` as 一百元), the time of all the syllables that read it, so such a run is
    one word with one span rather than a letter per entry."""
    runs: list[list[Timed]] = []
    for t in sorted((t for t in items if t.kind == "character"), key=lambda t: (t.start, t.offset)):
        last = runs[-1][-1] if runs else None
        if (last is not None and (t.start, t.end) == (last.start, last.end)
                and t.offset == last.offset + last.length):
            runs[-1].append(t)
        else:
            runs.append([t])
    return [{"text": "".join(t.text for t in run), "begin_index": run[0].offset,
             "end_index": run[-1].offset + run[-1].length,
             "begin_time": round(1000 * (run[0].start + time_offset_s)),
             "end_time": round(1000 * (run[0].end + time_offset_s))}
            for run in runs]
