"""One way to build a request, for every entry point (HTTP API, web UI, CLI, and any later one).

A caller says what it was given — `RequestInput`, where a field left at None was not given —
and `build_request` turns that, plus style instructions and a reference clip, into validated
`SynthesisOptions` and a record of how each setting was decided (`AppliedRequest`):

* a setting the caller gave wins;
* style instructions fill the settings the caller did not give (and always add their pitch
  range, pause and sentence-final offsets, which no setting of their own covers);
* a reference clip's prosody is added on top as offsets (it never replaces a setting);
* everything else takes its default (`LIMITS`).

An instruction that wanted a setting the caller gave is recorded as overridden, so the UI and
the API can say "speed 1.65 (yours) kept; the instructions asked for 0.75".
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from tts.options import LIMITS, MAX_INSTRUCTION_CHARS, RequestError, SynthesisOptions

if TYPE_CHECKING:  # loaded only when instructions or a clip are given (build_request)
    from tts.expressive.instructions import ParsedInstructions
    from tts.expressive.reference import ReferenceProsody

# The settings a caller may give, besides the text; defaults come from SynthesisOptions.
SETTINGS = ("voice", "emotion", "emotion_intensity", "speed", "pitch", "energy", "quality", "pinyin")
DEFAULTS = {f.name: f.default for f in dataclasses.fields(SynthesisOptions) if f.name in SETTINGS}


@dataclass(frozen=True)
class RequestInput:
    """What a caller gave. None means "not given" (the default, or what instructions say, applies)."""

    text: str
    voice: str | None = None
    emotion: str | None = None
    emotion_intensity: float | None = None
    speed: float | None = None
    pitch: float | None = None
    energy: float | None = None
    quality: str | None = None
    pinyin: str | None = None
    instructions: str | None = None
    reference: bytes | str | os.PathLike | None = None  # a clip's bytes or path; its prosody is followed
    ssml_strict: bool | None = None  # SSML input: unknown elements refused (default) or spoken plainly

    def given(self) -> dict[str, Any]:
        return {name: getattr(self, name) for name in SETTINGS if getattr(self, name) is not None}


@dataclass(frozen=True)
class Overridden:
    """A setting the instructions asked for, which the caller's own setting replaced."""

    name: str
    kept: object  # the caller's value, which applies
    wanted: object  # what the instructions asked for

    def describe(self) -> str:
        return f"{self.name} {_show(self.kept)} kept (instructions asked for {_show(self.wanted)})"


@dataclass(frozen=True)
class AppliedRequest:
    """The built request and the record of how each setting was decided."""

    options: SynthesisOptions
    sources: dict[str, str]  # setting -> "request" | "instructions" | "default"
    overridden: tuple[Overridden, ...] = ()
    instructions: ParsedInstructions | None = None  # when instructions were given
    reference: ReferenceProsody | None = None  # when a usable clip was given
    reference_error: str | None = None  # why a given clip was not used (lenient callers only)
    reference_seconds: float = 0.0  # time spent decoding and analysing the clip
    notes: tuple[str, ...] = field(default_factory=tuple)  # lines to show the user, bilingual

    def settings(self) -> dict[str, object]:
        return {name: getattr(self.options, name) for name in SETTINGS}


def _show(value: object) -> str:
    return f"{value:g}" if isinstance(value, float) else str(value)


def build_request(given: RequestInput, *, strict_reference: bool = True) -> AppliedRequest:
    """Caller input + instructions + reference clip -> options and the record (see the module doc).

    Values are range-checked here (RequestError naming the field), so every entry point rejects
    the same things the same way. With `strict_reference` an unusable clip is a RequestError
    (the API); without it the clip is dropped with a note and neutral prosody (UI, CLI).
    """
    if not isinstance(given.text, str):
        raise RequestError("text must be a string", "text")
    explicit = given.given()
    for name, value in explicit.items():
        if name in LIMITS:
            LIMITS[name].check(name, value)
    options = SynthesisOptions(text=given.text, **explicit)
    if given.ssml_strict is not None:
        options = dataclasses.replace(options, ssml_strict=bool(given.ssml_strict))
    sources = {name: ("request" if name in explicit else "default") for name in SETTINGS}
    notes: list[str] = []
    overridden: list[Overridden] = []

    reference = reference_error = None
    took = 0.0
    if given.reference is not None:
        from tts.audio.decode import AudioInputError
        from tts.expressive.reference import analyze_reference

        started = time.perf_counter()
        try:
            reference = analyze_reference(given.reference)
        except AudioInputError as exc:
            if strict_reference:
                raise RequestError(f"reference_audio: {exc}", "reference_audio") from None
            reference_error = f"{exc}\n已改用中性韵律。 / Falling back to neutral prosody."
            notes.append(reference_error)
        took = time.perf_counter() - started
        if reference is not None:
            options = options.with_prosody(reference.prosody)
            notes.append(reference.summary)
            notes.extend(reference.warnings)

    parsed = None
    if given.instructions is not None and given.instructions.strip():
        from tts.expressive.instructions import parse_instructions, wanted_settings

        if len(given.instructions) > MAX_INSTRUCTION_CHARS:
            raise RequestError(f"instructions are longer than {MAX_INSTRUCTION_CHARS} characters", "instructions")
        parsed = parse_instructions(given.instructions)
        changes: dict[str, Any] = {}
        for name, wanted in wanted_settings(parsed).items():
            if name in explicit:
                if explicit[name] != wanted:
                    overridden.append(Overridden(name, explicit[name], wanted))
            else:
                changes[name] = wanted
                sources[name] = "instructions"
        options = dataclasses.replace(options, **changes).with_prosody(parsed.extra)
        notes.append(parsed.summary)
        if overridden:
            notes.append("你的设置优先 · Your settings win: " + "; ".join(o.describe() for o in overridden) + ".")
    return AppliedRequest(options, sources, tuple(overridden), parsed, reference, reference_error, took, tuple(notes))
