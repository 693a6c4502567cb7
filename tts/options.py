"""Per-request synthesis options (what one caller asks for), separate from load-time profiles, and
the one table of their limits that every entry point reads (API schema, UI sliders, CLI help,
instruction clamps, validation)."""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import asdict, dataclass, field, replace

QUALITIES = ("fast", "high")  # fast = MB-MelGAN, high = HiFi-GAN (high fidelity)


@dataclass(frozen=True)
class Limit:
    """The accepted range of one numeric option, its default, and how people are shown it."""

    lo: float
    hi: float
    default: float
    step: float  # slider step in the UI
    label: str  # bilingual UI label
    help: str  # one line for CLI help and the API schema

    def describe(self) -> str:
        return f"{self.help} ({self.lo:g} to {self.hi:g}, default {self.default:g})"

    def clamp(self, value: float) -> float:
        return min(self.hi, max(self.lo, value))

    def check(self, name: str, value: object) -> float:
        """`value` when it is a finite number in range, else RequestError naming `name`: the one
        range check every entry point's values go through (the request builder and validation)."""
        if isinstance(value, bool) or not isinstance(value, (int, float)) or not math.isfinite(value):
            raise RequestError(f"{name} must be a number between {self.lo} and {self.hi}", name)
        if not self.lo <= value <= self.hi:
            raise RequestError(f"{name} must be between {self.lo} and {self.hi}, got {value}", name)
        return value


LIMITS: dict[str, Limit] = {
    "speed": Limit(0.25, 4.0, 1.0, 0.05, "语速 Speed", "speaking rate, 2.0 = twice as fast"),
    "pitch": Limit(-6.0, 6.0, 0.0, 0.5, "音高 Pitch (semitones)", "pitch shift in semitones"),
    "energy": Limit(0.5, 2.0, 1.0, 0.05, "能量 Energy", "loudness, relative to the voice's own"),
    "emotion_intensity": Limit(0.0, 2.0, 1.0, 0.1, "情感强度 Intensity",
                               "emotion intensity: 0 = neutral, 1 = the preset, 2 = exaggerated"),
}
MAX_INSTRUCTION_CHARS = 2000  # style instructions are read up to here; the API refuses longer ones
MARKUP_FACTOR = 20  # SSML may be this many times max_request_chars long; its spoken text counts against the limit


def is_ssml(text: str) -> bool:
    """An input whose first non-blank characters are <speak, or an XML document (an XML declaration
    or a DOCTYPE first): markup, never text to read aloud (a DOCTYPE is then refused)."""
    if not isinstance(text, str):
        return False
    head = text.lstrip()
    return head.startswith("<speak") or head.startswith("<?xml") or head.startswith("<!DOCTYPE")


class RequestError(ValueError):
    """A request is invalid; `field` names the offending option, the message says what is allowed."""

    def __init__(self, message: str, field: str | None = None, status: int = 400):
        super().__init__(message)
        self.field = field
        self.status = status


@dataclass(frozen=True)
class Prosody:
    """Prosody offsets applied through FastSpeech2's variance adaptor, in the model's units.

    duration_scale multiplies every duration; pitch_shift/energy_shift add standard deviations
    of the Baker speaker's per-phoneme pitch/energy; pitch_range scales pitch around the speaker's
    mean; pause_scale multiplies pauses between sentences.
    """

    duration_scale: float = 1.0
    pitch_shift: float = 0.0
    pitch_range: float = 1.0
    energy_shift: float = 0.0
    energy_scale: float = 1.0
    pause_scale: float = 1.0
    final_pitch: float = 0.0  # extra pitch shift on a sentence's last syllables (rising > 0, falling < 0)

    def combine(self, other: Prosody) -> Prosody:
        """Apply `other` on top of this one (scales multiply, shifts add)."""
        return Prosody(
            duration_scale=self.duration_scale * other.duration_scale,
            pitch_shift=self.pitch_shift + other.pitch_shift,
            pitch_range=self.pitch_range * other.pitch_range,
            energy_shift=self.energy_shift + other.energy_shift,
            energy_scale=self.energy_scale * other.energy_scale,
            pause_scale=self.pause_scale * other.pause_scale,
            final_pitch=self.final_pitch + other.final_pitch)


# Semitones of median F0 that one unit of the model's pitch shift moves near neutral, on the
# Baker voice (it saturates further out); how it was measured: BENCHMARKS.md, "Figures behind constants".
SEMITONES_PER_PITCH_UNIT = 2.4


@dataclass(frozen=True)
class SynthesisOptions:
    """One request: the text and how to say it (ranges in LIMITS)."""

    text: str
    voice: str = "baker"
    emotion: str = "neutral"
    emotion_intensity: float = LIMITS["emotion_intensity"].default
    speed: float = LIMITS["speed"].default
    pitch: float = LIMITS["pitch"].default  # semitones
    energy: float = LIMITS["energy"].default
    quality: str | None = None  # "fast" | "high" | None (the profile's default vocoder)
    prosody: Prosody = field(default_factory=Prosody)  # extra offsets (reference audio, instructions)
    pinyin: str | None = None  # corrected readings: every syllable of the text, space-separated
    ssml_strict: bool = True  # SSML input: unknown elements are an error (else their text is spoken)

    def with_prosody(self, prosody: Prosody) -> SynthesisOptions:
        """These options with `prosody` applied on top of their own extra offsets."""
        return replace(self, prosody=self.prosody.combine(prosody))

    def validated(self, max_chars: int) -> SynthesisOptions:
        """Check every option against LIMITS and the profile's `max_chars`; returns them unchanged.

        The text is kept exactly as given (the frontend normalizes it and keeps offsets into it).
        """
        if not isinstance(self.text, str):
            raise RequestError("text must be a string", "text")
        try:
            self.text.encode("utf-8")
        except UnicodeEncodeError:
            raise RequestError("text contains invalid characters (unpaired surrogates)", "text") from None
        if not self.text.strip():
            raise RequestError("text is empty", "text")
        if is_ssml(self.text):  # only its spoken text counts against max_chars (the pipeline checks)
            if len(self.text) > MARKUP_FACTOR * max_chars:
                raise RequestError(f"the SSML has {len(self.text)} characters; markup may be at most "
                                   f"{MARKUP_FACTOR * max_chars}", "text", status=413)
            if self.pinyin is not None:
                raise RequestError("pinyin corrections apply to plain text; in SSML use <phoneme>", "pinyin")
        elif len(self.text) > max_chars:
            raise RequestError(f"text has {len(self.text)} characters; the limit is {max_chars}", "text", status=413)
        for name, limit in LIMITS.items():
            limit.check(name, getattr(self, name))
        if self.pinyin is not None:
            from tts.frontend.syllables import is_valid

            if not isinstance(self.pinyin, str) or len(self.pinyin) > 8 * max_chars:
                raise RequestError("pinyin must be a string of space-separated syllables", "pinyin")
            bad = [s for s in self.pinyin.split() if not is_valid(s)]
            if bad:
                raise RequestError(f"not a valid pinyin syllable with tone 1-5: {bad[0]!r}", "pinyin")
        if self.quality is not None and self.quality not in QUALITIES:
            raise RequestError(f"quality must be one of {', '.join(QUALITIES)}", "quality")
        for name in ("voice", "emotion"):
            if not isinstance(getattr(self, name), str):
                raise RequestError(f"{name} must be a string", name)
        return self

    def cache_key(self) -> str:
        """Identifies the audio this request produces (same key, same audio).

        `ssml_strict` is left out: it only decides whether unsupported markup is refused, so a
        document both modes accept sounds the same in each (and plain text ignores it)."""
        fields = asdict(self)
        fields.pop("ssml_strict", None)
        payload = json.dumps(fields, sort_keys=True, ensure_ascii=False)
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()
