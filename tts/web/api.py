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
import collections
import functools
import json
import threading
from collections.abc import AsyncIterator, Iterator
from typing import Annotated, Any, TypeVar

import anyio
from fastapi import APIRouter, Depends, Request
from fastapi.responses import JSONResponse, Response, StreamingResponse
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from tts.audio.formats import CONTENT_TYPES, FORMATS, encode, encode_stream
from tts.expressive.voices import EMOTIONS, VOICES, alias_names, aliased_voice
from tts.options import LIMITS, MAX_INSTRUCTION_CHARS, RequestError, SynthesisOptions
from tts.request import RequestInput, build_request
from tts.results import AudioChunk, Result
from tts.serving.admission import ClientQueueFull, ClientShare, ServiceBusy
from tts.serving.pump import PumpedStream
from tts.speech_service import drain
from tts.synthesizer import SynthesisStream, Synthesizer
from tts.timing.alignment import grouped, mark_times
from tts.timing.subtitles import FORMATS as SUBTITLE_FORMATS
from tts.timing.subtitles import LINE_CHARS, subtitles

Body = TypeVar("Body", bound=BaseModel)  # a request model parsed from a body

OPENAI_MODELS = {"tts-1": "fast", "tts-1-hd": "high", "gpt-4o-mini-tts": None,
                 "zh-tts": None, "zh-tts-fast": "fast", "zh-tts-hifi": "high"}
# OpenAI voice -> this server's voices, tried in order (the one table: tts.expressive.voices).
OPENAI_VOICES = alias_names("openai")
MAX_REFERENCE_BYTES = 10 * 2**20
AUTHENTICATED_USER = "tts_user"  # the scope state key under which security.Guard records who logged in


def _limited(name: str) -> float:
    """A pydantic field for a numeric option: default, description and the schema's range from the
    one LIMITS table. The range is checked where every entry point's values are (build_request)."""
    limit = LIMITS[name]
    return Field(limit.default, description=limit.describe(),
                 json_schema_extra={"minimum": limit.lo, "maximum": limit.hi})


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
    # SSML input: unknown elements are spoken plainly and reported (X-SSML-Ignored), as pasted
    # Azure and Alibaba scripts need; true makes them a 400.
    ssml_strict: bool = False


class TimestampsRequest(SpeechRequest):
    """The speech request plus what the timestamps endpoint adds: subtitles."""

    subtitle_format: str | None = None  # "srt" | "vtt": adds a "subtitles" string
    subtitle_line_chars: int = Field(LINE_CHARS, ge=4, le=200, description="longest subtitle cue, in characters")
    subtitle_karaoke: bool = False  # WebVTT with a timing tag before every character


def error_response(status: int, message: str, param: str | None = None, kind: str | None = None,
                   headers: dict | None = None) -> JSONResponse:
    kind = kind or ("invalid_request_error" if status < 500 else "server_error")
    return JSONResponse({"error": {"message": message, "type": kind, "param": param, "code": status}},
                        status_code=status, headers=headers)


def notes_header(notes, ignored: tuple[str, ...] = ()) -> dict[str, str]:
    """How the input was read (SSML left out, styles mapped …), as a header: JSON, ASCII-escaped;
    and the markup left out, as written, comma-separated (X-SSML-Ignored)."""
    headers = {"X-TTS-Notes": json.dumps(list(notes), ensure_ascii=True)} if notes else {}
    if ignored:
        headers["X-SSML-Ignored"] = ", ".join(ignored).encode("ascii", "backslashreplace").decode("ascii")
    return headers


def validation_message(exc: ValidationError) -> tuple[str, str | None]:
    first = exc.errors()[0]
    loc = [str(x) for x in first.get("loc", ()) if x != "body"]
    field = loc[0] if loc else None
    if first.get("type") == "extra_forbidden":
        return f"unknown field '{field}'", field
    return f"{field}: {first.get('msg', 'invalid value')}" if field else first.get("msg", "invalid request"), field


def client_id(request: Request) -> str:
    """Who a request counts against (its share of the slots, fair turns, rate limit): the
    authenticated user when the server has --auth (security.Guard records it), else the address.
    Not a key the caller may make up: without --auth a new key is no way around the share."""
    user = request.scope.get("state", {}).get(AUTHENTICATED_USER)
    if user is not None:
        return "user:" + user
    return "ip:" + (request.client.host if request.client else "unknown")


async def _hung_up(request: Request, gone: threading.Event) -> None:
    """Set `gone` when the client disconnects (the body has been read: the next message the
    server has for this request is the disconnect)."""
    while (await request.receive())["type"] != "http.disconnect":
        pass
    gone.set()


async def start_stream(request: Request, synth: Synthesizer, options: SynthesisOptions,
                       long_form: bool) -> SynthesisStream:
    """synth.stream for an HTTP request: within its client's share of the slots (app.state.client_share,
    set by create_app), leaving the line if the client hangs up while it waits.

    The wait blocks a thread; those threads come from their own pool, as large as the line can
    get, so a full line never takes the threads that running requests need to finish."""
    state = request.app.state
    if getattr(state, "waiting_threads", None) is None:  # made on first use: it belongs to the app's event loop
        profile = synth.profile.serving
        state.waiting_threads = anyio.CapacityLimiter(profile.queue_size + profile.concurrency + 8)
    share: ClientShare | None = getattr(request.app.state, "client_share", None)
    gone = threading.Event()
    start = functools.partial(synth.stream, options, long_form=long_form, client=client_id(request), share=share,
                              stop=gone)
    outcome: list[SynthesisStream | Exception] = []
    async with anyio.create_task_group() as watch:
        watch.start_soon(_hung_up, request, gone)
        try:
            outcome.append(await anyio.to_thread.run_sync(start, limiter=state.waiting_threads))
        except Exception as exc:  # raised outside the task group, which would wrap it in a group
            outcome.append(exc)
        watch.cancel_scope.cancel()
    if isinstance(outcome[0], Exception):
        raise outcome[0]
    return outcome[0]


def parse_body(model: type[Body], payload: Any) -> Body | JSONResponse:
    """The request model from a parsed body, or the 400 response that says what is wrong with it."""
    try:
        return model.model_validate(payload)
    except ValidationError as exc:
        message, param = validation_message(exc)
        return error_response(400, message, param)


def resolve_voice(name: str) -> str:
    if name in VOICES:
        return name
    mapped = aliased_voice(name, "openai")
    if mapped is not None:
        return mapped
    known = sorted(set(VOICES) | set(OPENAI_VOICES))
    raise RequestError(f"unknown voice {name!r} (available: {', '.join(known)})", "voice")


def to_request(req: SpeechRequest, formats: tuple[str, ...] = FORMATS) -> RequestInput:
    """What the API caller gave: only the fields present in the body count as given."""
    if req.model not in OPENAI_MODELS:
        raise RequestError(f"unknown model {req.model!r} (available: {', '.join(OPENAI_MODELS)})", "model")
    if req.response_format not in formats:
        raise RequestError(f"response_format must be one of {', '.join(formats)}", "response_format")
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
        instructions=req.instructions, reference=reference, ssml_strict=req.ssml_strict)


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


class StreamAborted(RuntimeError):
    """A streamed response failed after its headers went out. Raised out of the body so the
    server aborts the connection without the terminating chunk: the client sees an incomplete
    transfer (httpx: RemoteProtocolError), never a clean end of audio that simply stops."""


async def _aborting(pumped: PumpedStream) -> AsyncIterator[bytes]:
    """The pumped blocks; the producer's failure (it ends the consumer's loop) as StreamAborted."""
    try:
        async for block in pumped:
            yield block
    except Exception as exc:
        raise StreamAborted(f"streamed synthesis failed: {exc}") from exc


class StoppingStreamingResponse(StreamingResponse):
    """A StreamingResponse that tells its producer to stop however the response ends."""

    def __init__(self, pumped: PumpedStream, **kwargs):
        super().__init__(_aborting(pumped), **kwargs)
        self._pumped = pumped

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        finally:
            self._pumped.stop()


def current_synth(request: Request) -> Synthesizer:
    """The app's Synthesizer (create_app keeps it on app.state): the routes' dependency."""
    return request.app.state.synth


Synth = Annotated[Synthesizer, Depends(current_synth)]
router = APIRouter()  # the HTTP API's routes; create_app includes them over its Synthesizer


def _schema(model: type[SpeechRequest]) -> dict[str, Any]:
    """The body is parsed by hand (errors in OpenAI's shape); its schema still goes into /docs."""
    return {"requestBody": {"required": True, "content": {
        "application/json": {"schema": model.model_json_schema()}}}}


Speech = TypeVar("Speech", bound="SpeechRequest")  # the speech request or one that extends it


async def _begin(request: Request, synth: Synthesizer, model: type[Speech],
                 long_form_whole: bool = True) -> tuple[Speech, SynthesisStream[AudioChunk]] | JSONResponse:
    """Parse, build and start a request: (the request, its synthesis stream) or an error response.
    A whole (non-streamed) response runs in long-form mode unless `long_form_whole` is off."""
    try:
        payload = await request.json()
    except ValueError:
        return error_response(400, "the request body must be JSON")
    req = parse_body(model, payload)
    if isinstance(req, JSONResponse):
        return req
    if getattr(req, "subtitle_format", None) not in (None, *SUBTITLE_FORMATS):
        return error_response(400, f"subtitle_format must be one of {', '.join(SUBTITLE_FORMATS)}", "subtitle_format")
    try:
        options = await anyio.to_thread.run_sync(to_options, req)
        # A whole response wants the whole result, not early audio: long-form mode.
        return req, await start_stream(request, synth, options, long_form_whole and not req.stream)
    except ClientQueueFull as exc:  # this client's own line is full: the others' is not
        return error_response(429, str(exc), kind="rate_limit_error", headers={"Retry-After": "2"})
    except ServiceBusy as exc:
        return error_response(503, str(exc), kind="server_busy", headers={"Retry-After": "2"})
    except RequestError as exc:
        return error_response(exc.status, str(exc), exc.field)


async def _finished(stream: SynthesisStream[AudioChunk], sample_rate: int, fmt: str) -> tuple[Result, bytes] | JSONResponse:
    """A whole response: (the result, its audio encoded in `fmt`) or an error response."""
    try:
        result = await anyio.to_thread.run_sync(drain, stream)
        return result, await anyio.to_thread.run_sync(encode, result.audio, sample_rate, fmt)
    except RequestError as exc:
        return error_response(exc.status, str(exc), exc.field)


@router.post("/v1/audio/speech", openapi_extra=_schema(SpeechRequest))
async def speech(request: Request, synth: Synth) -> Response:
    begun = await _begin(request, synth, SpeechRequest)
    if isinstance(begun, JSONResponse):
        return begun
    req, stream = begun
    fmt = req.response_format
    chunks = (chunk.audio for chunk in stream)
    if req.stream:
        body = encode_stream(_closing(chunks, stream), synth.sample_rate, fmt)
        return StoppingStreamingResponse(PumpedStream(body), media_type=CONTENT_TYPES[fmt],
                                         headers=notes_header(stream.notes, stream.ignored))
    done = await _finished(stream, synth.sample_rate, fmt)
    if isinstance(done, JSONResponse):
        return done
    result, data = done
    headers = {"X-Queue-Wait-Seconds": f"{result.timings.queue_wait_s:.3f}",
               "X-First-Chunk-Seconds": f"{result.timings.first_chunk_s:.3f}",
               "X-Real-Time-Factor": f"{result.timings.rtf:.4f}", **notes_header(result.notes, stream.ignored)}
    return Response(data, media_type=CONTENT_TYPES[fmt], headers=headers)


@router.post("/v1/audio/speech/timestamps", openapi_extra=_schema(TimestampsRequest))
async def speech_timestamps(request: Request, synth: Synth) -> Response:
    """The audio with the time of every character, syllable and sentence (JSON), or as NDJSON
    objects, one per piece of the stream, each with the items its audio completes."""
    # The streaming plan either way: a whole answer here is promised to be exactly the
    # streamed one joined (the same audio, the same timings).
    begun = await _begin(request, synth, TimestampsRequest, long_form_whole=False)
    if isinstance(begun, JSONResponse):
        return begun
    req, stream = begun
    fmt = req.response_format
    if req.stream:
        lines = _timestamp_lines(stream, synth.sample_rate, req)
        return StoppingStreamingResponse(PumpedStream(lines), media_type="application/x-ndjson",
                                         headers=notes_header(stream.notes, stream.ignored))
    done = await _finished(stream, synth.sample_rate, fmt)
    if isinstance(done, JSONResponse):
        return done
    result, data = done
    marks = mark_times(((m.name, m.offset) for m in stream.marks), result.alignment,
                       len(result.audio) / synth.sample_rate)
    body = {"audio": base64.b64encode(data).decode("ascii"), "format": fmt, "sample_rate": synth.sample_rate,
            "duration": round(len(result.audio) / synth.sample_rate, 4), **grouped(result.alignment),
            "marks": marks, "notes": result.notes, "ssml_ignored": list(stream.ignored)}
    if req.subtitle_format:
        body["subtitles"] = subtitles(result.alignment, req.subtitle_format, req.subtitle_line_chars,
                                      req.subtitle_karaoke, [(m["name"], m["time"]) for m in marks])
    return JSONResponse(body, headers=notes_header((), stream.ignored))


@router.get("/v1/voices")
def voices(synth: Synth) -> dict[str, Any]:
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
def models() -> dict[str, Any]:
    return {"object": "list", "data": [{"id": m, "object": "model", "owned_by": "local"} for m in OPENAI_MODELS]}


@router.get("/healthz")
def healthz(synth: Synth) -> JSONResponse:
    alive = synth.workers_alive()
    body = {"status": "ok" if alive else "degraded", "profile": synth.profile.name,
            "running": synth.admission.running, "waiting": synth.admission.waiting}
    return JSONResponse(body, status_code=200 if alive else 503)


@router.get("/metrics")
def metrics(synth: Synth) -> Response:
    return Response(synth.metrics.render(), media_type="text/plain; version=0.0.4; charset=utf-8")


def _closing(chunks, stream) -> Iterator:
    """Chunks that close the synthesis stream (cancelling its pending work) when closed early."""
    try:
        yield from chunks
    finally:
        stream.close()


def _timestamp_lines(stream, sample_rate: int, req: TimestampsRequest) -> Iterator[bytes]:
    """NDJSON for a streamed timestamps request: each object holds the next encoded audio bytes
    (all of them joined are the whole file in the request's format) and the timing items heard
    by then; the last one also the SSML bookmarks' times and the subtitles, when asked for."""
    heard: collections.deque = collections.deque()  # filled as the encoder takes each chunk
    samples = [0]

    def audio():
        for chunk in stream:
            heard.extend(chunk.alignment)
            samples[0] += len(chunk.audio)
            yield chunk.audio

    def line(block: bytes, items: list) -> bytes:
        obj = {"audio": base64.b64encode(block).decode("ascii"), **grouped(items)}
        return (json.dumps(obj, ensure_ascii=False) + "\n").encode("utf-8")

    everything: list = []
    for block in encode_stream(_closing(audio(), stream), sample_rate, req.response_format):
        items = [heard.popleft() for _ in range(len(heard))]
        everything.extend(items)
        yield line(block, items)
    rest = [heard.popleft() for _ in range(len(heard))]
    everything.extend(rest)
    last = json.loads(line(b"", rest))
    last["marks"] = mark_times(((m.name, m.offset) for m in stream.marks), everything, samples[0] / sample_rate)
    if req.subtitle_format:
        last["subtitles"] = subtitles(everything, req.subtitle_format, req.subtitle_line_chars, req.subtitle_karaoke,
                                      [(m["name"], m["time"]) for m in last["marks"]])
    yield (json.dumps(last, ensure_ascii=False) + "\n").encode("utf-8")
