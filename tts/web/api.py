"""The HTTP API: an OpenAI-compatible `POST /v1/audio/speech`, plus voices, health and metrics.

Existing OpenAI clients work unchanged: OpenAI's model names map to the two vocoders
(tts-1 -> fast, tts-1-hd -> high fidelity) and its voice names to this server's voices. Extras:
`emotion`, `emotion_intensity`, `pitch`, `energy`, `quality`, `pinyin`, `reference_audio`
(base64) and `stream` (chunked transfer, audio starting with the first sentence). Every error
is a 4xx/5xx JSON body in OpenAI's shape, never a stack trace.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator

import anyio
from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tts.options import LIMITS, MAX_INSTRUCTION_CHARS, RequestError, SynthesisOptions
from tts.request import RequestInput, build_request
from tts.serving.admission import ServiceBusy
from tts.serving.pump import PumpedStream
from tts.synthesizer import Synthesizer
from tts.audio.formats import CONTENT_TYPES, FORMATS, encode, encode_stream

OPENAI_MODELS = {"tts-1": "fast", "tts-1-hd": "high", "gpt-4o-mini-tts": None,
                 "zh-tts": None, "zh-tts-fast": "fast", "zh-tts-hifi": "high"}
# OpenAI voice -> this server's voice, tried in order (derived voices may not be installed).
OPENAI_VOICES = {
    "alloy": ("baker",), "nova": ("baker",), "shimmer": ("baker",), "coral": ("baker",), "sage": ("baker",),
    "onyx": ("baker-low", "baker"), "echo": ("baker-low", "baker"), "ash": ("baker-low", "baker"),
    "fable": ("baker-bright", "baker"), "ballad": ("baker-bright", "baker"), "verse": ("baker-bright", "baker"),
}
MAX_REFERENCE_BYTES = 10 * 2**20


def _limited(name: str) -> float:
    """A pydantic field for a numeric option, range and description from the one LIMITS table."""
    limit = LIMITS[name]
    return Field(limit.default, ge=limit.lo, le=limit.hi, description=limit.describe())


class SpeechRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    model: str = "tts-1"
    input: str
    voice: str = "alloy"
    response_format: str = "mp3"
    speed: float = _limited("speed")
    instructions: str | None = Field(None, max_length=MAX_INSTRUCTION_CHARS)
    stream_format: str | None = None  # OpenAI's field; only "audio" is supported
    # extras
    emotion: str = "neutral"
    emotion_intensity: float = _limited("emotion_intensity")
    pitch: float = _limited("pitch")
    energy: float = _limited("energy")
    quality: str | None = None
    pinyin: str | None = None
    reference_audio: str | None = None  # base64 of a 3-30 s clip whose prosody to follow
    stream: bool = False


def error_response(status: int, message: str, param: str | None = None, kind: str | None = None,
                   headers: dict | None = None) -> JSONResponse:
    kind = kind or ("invalid_request_error" if status < 500 else "server_error")
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": status}},
                        status_code=status, headers=headers)


def validation_message(exc: ValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0]
    loc = [str(x) for x in first.get("loc", ()) if x != "body"]
    field = loc[0] if loc else None
    if first.get("type") == "extra_forbidden":
        return f"unknown field '{field}'", field
    return f"{field}: {first.get('msg', 'invalid value')}" if field else first.get("msg", "invalid request"), field


def resolve_voice(name: str) -> str:
    from tts.expressive.presets import VOICES

    if name in VOICES:
        return name
    for candidate in OPENAI_VOICES.get(name.lower(), ()):
        if candidate in VOICES:
            return candidate
    known = sorted(set(VOICES) | set(OPENAI_VOICES))
    raise RequestError(f"unknown voice {name!r} (available: {', '.join(known)})", "voice")


def to_request(req: SpeechRequest) -> RequestInput:
    """What the API caller gave: only the fields present in the body count as given."""
    if req.model not in OPENAI_MODELS:
        raise RequestError(f"unknown model {req.model!r} (available: {', '.join(OPENAI_MODELS)})", "model")
    if req.response_format not in FORMATS:
        raise RequestError(f"response_format must be one of {', '.join(FORMATS)}", "response_format")
    if req.stream_format not in (None, "audio"):
        raise RequestError("stream_format 'sse' is not supported; use 'audio'", "stream_format")
    sent = req.model_fields_set
    quality = req.quality if req.quality is not None else OPENAI_MODELS[req.model]
    reference = decode_reference(req.reference_audio) if req.reference_audio is not None else None
    return RequestInput(
        text=req.input, voice=resolve_voice(req.voice) if "voice" in sent else None,
        emotion=req.emotion if "emotion" in sent else None,
        emotion_intensity=req.emotion_intensity if "emotion_intensity" in sent else None,
        speed=req.speed if "speed" in sent else None, pitch=req.pitch if "pitch" in sent else None,
        energy=req.energy if "energy" in sent else None, quality=quality, pinyin=req.pinyin,
        instructions=req.instructions, reference=reference)


def to_options(req: SpeechRequest) -> SynthesisOptions:
    """The synthesis options of an API request (an unusable reference clip is a 400)."""
    return build_request(to_request(req), strict_reference=True).options


def decode_reference(data: str) -> bytes:
    if len(data) > MAX_REFERENCE_BYTES * 4 // 3 + 16:
        raise RequestError(f"reference_audio is larger than {MAX_REFERENCE_BYTES // 2**20} MB", "reference_audio",
                           status=413)
    try:
        return base64.b64decode(data, validate=True)
    except (binascii.Error, ValueError):
        raise RequestError("reference_audio must be base64-encoded audio", "reference_audio") from None


class StoppingStreamingResponse(StreamingResponse):
    """A StreamingResponse that tells its producer to stop however the response ends."""

    def __init__(self, pumped: PumpedStream, **kwargs):
        super().__init__(pumped.__aiter__(), **kwargs)
        self._pumped = pumped

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._pumped.stop()


def create_router(synth: Synthesizer, public_metrics: bool = False) -> APIRouter:
    router = APIRouter()

    # The body is parsed by hand (errors in OpenAI's shape); its schema still goes into /docs.
    body_schema = {"requestBody": {"required": True, "content": {
        "application/json": {"schema": SpeechRequest.model_json_schema()}}}}

    @router.post("/v1/audio/speech", openapi_extra=body_schema)
    async def speech(request: Request):
        try:
            payload = await request.json()
        except ValueError:
            return error_response(400, "the request body must be JSON")
        try:
            req = SpeechRequest.model_validate(payload)
        except ValidationError as exc:
            message, param = validation_message(exc)
            return error_response(400, message, param)
        try:
            options = await anyio.to_thread.run_sync(to_options, req)
            stream = await anyio.to_thread.run_sync(synth.stream, options)
        except ServiceBusy as exc:
            return error_response(503, str(exc), kind="server_busy", headers={"Retry-After": "2"})
        except RequestError as exc:
            return error_response(exc.status, str(exc), exc.field)
        fmt = req.response_format
        chunks = (chunk.audio for chunk in stream)
        if req.stream:
            body = encode_stream(_closing(chunks, stream), synth.sample_rate, fmt)
            return StoppingStreamingResponse(PumpedStream(body), media_type=CONTENT_TYPES[fmt])
        try:
            result = await anyio.to_thread.run_sync(_finish, stream)
            data = await anyio.to_thread.run_sync(encode, result.audio, synth.sample_rate, fmt)
        except RequestError as exc:
            return error_response(exc.status, str(exc), exc.field)
        headers = {"X-First-Chunk-Seconds": f"{result.timings.first_chunk_s:.3f}",
                   "X-Real-Time-Factor": f"{result.timings.rtf:.4f}"}
        return Response(data, media_type=CONTENT_TYPES[fmt], headers=headers)

    @router.get("/v1/voices")
    def voices():
        from tts.expressive.presets import EMOTIONS, VOICES

        return {
            "voices": [{"id": v.name, "name": v.label, "description": v.description,
                        "openai_aliases": sorted(k for k, c in OPENAI_VOICES.items() if c[0] == v.name)}
                       for v in VOICES.values()],
            "emotions": [{"id": k, "name": getattr(e, "label", k), "description": getattr(e, "description", "")}
                         for k, e in EMOTIONS.items()],
            "qualities": synth.available_qualities(),
            "models": list(OPENAI_MODELS), "response_formats": list(FORMATS),
        }

    @router.get("/v1/models")
    def models():
        return {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "local"} for m in OPENAI_MODELS]}

    @router.get("/healthz")
    def healthz():
        alive = all(w._thread.is_alive() for w in synth.workers.values())
        body = {"status": "ok" if alive else "degraded", "profile": synth.profile.name,
                "running": synth.admission.running, "waiting": synth.admission.waiting}
        return JSONResponse(body, status_code=200 if alive else 503)

    @router.get("/metrics")
    def metrics():
        return Response(synth.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")

    router.public_metrics = public_metrics
    return router


def _closing(chunks, stream) -> Iterator:
    """Chunks that close the synthesis stream (cancelling its pending work) when closed early."""
    try:
        yield from chunks
    finally:
        stream.close()


def _finish(stream):
    with stream:
        for _ in stream:
            pass
        return stream.result
