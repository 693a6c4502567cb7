"""The Wyoming event handler: one per client connection, over the process's one Synthesizer.

    describe                          -> info (tts/wyoming/voices.py)
    ping                              -> pong
    synthesize {text, voice}          -> audio-start, audio-chunk..., audio-stop: one audio group
                                         for the whole text, chunks sent as they are synthesized
    synthesize-start {voice},
    synthesize-chunk {text}...,
    synthesize-stop                   -> per complete sentence, as soon as it is complete:
                                         audio-start, audio-chunk..., audio-stop; then
                                         synthesize-stopped

One audio group per sentence in a streamed reply is what wyoming-piper sends, and Home Assistant
reads a streamed reply from its first audio-start to synthesize-stopped, so both shapes play.
Inside a streamed reply, Home Assistant sends the whole text once more as a `synthesize` event,
for servers that do not stream; it is ignored here, or the reply would be spoken twice.

Every synthesis is one request built by `build_request` and run by `Synthesizer.stream`: the same
admission, batching and cache as the HTTP API, so Wyoming clients and HTTP clients share the
slots fairly and never hear each other's audio. Empty text (or punctuation only) gives an empty
audio group; a busy server, a too-long text or a failed synthesis gives an `error` event (code
and a bilingual text), after which the connection is closed: a client waiting for audio-stop
then sees the end at once instead of waiting forever. Malformed or out-of-order events are
errors too (code `protocol_error`), and a frame the library cannot even parse just closes the
connection; the server itself stays up.

Why a speaker task: the library's loop reads events one at a time, and a streamed reply's text
keeps arriving while its first sentences are spoken. The reading loop only queues work; one task
per connection speaks it, in order. When the client goes away (end of its stream, or a failed
write), the speaker is cancelled and the synthesis stream closed, which cancels the request's
queued work in the device workers and frees its slot.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from collections.abc import Iterator
from dataclasses import dataclass

from wyoming.audio import AudioChunk, AudioStart, AudioStop
from wyoming.error import Error
from wyoming.event import Event
from wyoming.info import Describe
from wyoming.ping import Ping, Pong
from wyoming.server import AsyncEventHandler
from wyoming.tts import (
    Synthesize,
    SynthesizeChunk,
    SynthesizeStart,
    SynthesizeStop,
    SynthesizeStopped,
    SynthesizeTextFormat,
    SynthesizeVoice,
)

from tts.audio.wav import to_int16
from tts.incremental import Sentence, SentenceBuffer, SentencePlan
from tts.options import RequestError, SynthesisOptions
from tts.request import RequestInput, build_request
from tts.serving.admission import RequestTimeout, ServiceBusy
from tts.serving.pump import PumpedStream
from tts.synthesizer import NOTHING_TO_SPEAK, Synthesizer
from tts.wyoming.voices import VoiceChoice, choose_voice

log = logging.getLogger(__name__)

SAMPLE_WIDTH = 2  # bytes: 16-bit PCM, mono, at the model's own rate (24 kHz)
# Audio events of at most ~85 ms: a synthesized block can be 2 s long, and small satellites
# buffer events whole (wyoming-piper sends 1024 samples per event).
SAMPLES_PER_EVENT = 2048


@dataclass(frozen=True)
class _Speak:
    """One request for the speaker: a `synthesize` text, or one sentence of a streamed reply."""

    text: str
    choice: VoiceChoice
    whole: bool  # a `synthesize` request: one audio group even when there is nothing to speak
    pause_after: float = 0.0  # a streamed sentence: seconds of silence owed before the next one


_REPLY_DONE = object()  # queued after a streamed reply's last sentence: answer synthesize-stopped


class ProtocolError(Exception):
    """An event this server cannot take (malformed, or out of order): error event, connection closed."""


class _Reported(Exception):
    """A synthesis failed and the client has been sent an error event; the connection is closed."""


class WyomingHandler(AsyncEventHandler):
    """One client connection (see the module doc)."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, synth: Synthesizer,
                 info: Event):
        super().__init__(reader, writer)
        self.synth = synth
        self.info = info
        self._jobs: asyncio.Queue = asyncio.Queue()
        self._speaker: asyncio.Task | None = None
        self._reply: SentenceBuffer | None = None  # open between synthesize-start and synthesize-stop
        self._reply_voice = VoiceChoice()
        self._plan = SentencePlan()  # a streamed reply: first cut and pauses between its sentences

    # ---- reading (the library's loop)

    async def run(self) -> None:
        try:
            await super().run()  # closes the connection and calls disconnect() however it ends
        except Exception as exc:  # noqa: BLE001 - a frame the library cannot parse must not reach the server
            log.warning("Wyoming connection closed after an unreadable event: %s: %s", type(exc).__name__, exc)

    async def handle_event(self, event: Event) -> bool:
        try:
            return await self._handle(event)
        except ProtocolError as exc:
            log.warning("Wyoming protocol error, closing the connection: %s", exc)
            try:
                await self._send_error(f"协议错误 / protocol error: {exc}", "protocol_error")
            except ConnectionError:
                pass
            return False

    async def disconnect(self) -> None:
        """The client is gone (or the server stops): stop speaking; its synthesis stream closes."""
        if self._speaker is not None:
            self._speaker.cancel()
            await asyncio.gather(self._speaker, return_exceptions=True)

    async def _handle(self, event: Event) -> bool:
        if Describe.is_type(event.type):
            await self.write_event(self.info)
        elif Ping.is_type(event.type):
            await self.write_event(Pong(text=_parse(Ping, event).text).event())
        elif Synthesize.is_type(event.type):
            if self._reply is None:  # inside a streamed reply it repeats the whole text: ignored
                request = _parse(Synthesize, event)
                self._queue(_Speak(_plain_text(request, event), _voice(request.voice), True))
        elif SynthesizeStart.is_type(event.type):
            if self._reply is not None:
                raise ProtocolError("synthesize-start while a streamed request is still open")
            self._reply_voice = _voice(_parse(SynthesizeStart, event).voice)
            self._reply = SentenceBuffer(self.synth.pipeline.frontend.split, self.synth.profile.text.max_request_chars)
        elif SynthesizeChunk.is_type(event.type):
            reply = self._open_reply(event)
            for sentence in reply.add(_string(_parse(SynthesizeChunk, event).text, event)):
                self._queue(_Speak(sentence.text, self._reply_voice, False, sentence.pause_after))
        elif SynthesizeStop.is_type(event.type):
            rest = self._open_reply(event).finish()
            if rest is not None:
                self._queue(_Speak(rest.text, self._reply_voice, False))
            self._queue(_REPLY_DONE)
            self._reply = None
        else:
            log.debug("ignoring a %r event", event.type)  # the protocol's rule for unknown events
        return True

    def _open_reply(self, event: Event) -> SentenceBuffer:
        if self._reply is None:
            raise ProtocolError(f"{event.type} without synthesize-start")
        return self._reply

    # ---- speaking (one task per connection, in order)

    def _queue(self, job) -> None:
        self._jobs.put_nowait(job)
        if self._speaker is None:
            self._speaker = asyncio.create_task(self._speak_all(), name="wyoming speaker")

    async def _speak_all(self) -> None:
        try:
            while True:
                job = await self._jobs.get()
                if job is _REPLY_DONE:
                    self._plan.reset()
                    await self.write_event(SynthesizeStopped().event())
                else:
                    await self._speak(job)
        except _Reported:
            await self.stop()
        except ConnectionError as exc:
            log.info("Wyoming client went away mid-reply: %s", exc)
            await self.stop()
        except Exception:  # noqa: BLE001 - never leave a client waiting on a dead speaker
            log.exception("Wyoming speaker failed")
            await self.stop()

    async def _speak(self, job: _Speak) -> None:
        """One request through the facade, its audio sent as it is synthesized, as one audio group."""
        started = False
        log.debug("speaking %d characters (voice %s, emotion %s)", len(job.text), job.choice.voice, job.choice.emotion)
        if job.text.strip():
            pump = None
            try:
                options = _options(job)
                first_cut = job.whole or self._plan.first_cut
                pump = PumpedStream(_pcm(self.synth, options, first_cut), name="wyoming-stream")
                async for pcm in pump:
                    if not started:
                        started = True
                        await self._start_audio()
                        if not job.whole and self._plan.pause_before():
                            pause = self._plan.pause_before()
                            await self._send_pcm(bytes(SAMPLE_WIDTH * round(pause * self.synth.sample_rate)))
                    await self._send_pcm(pcm)
            except ConnectionError:
                raise
            except Exception as exc:  # noqa: BLE001 - every failure is told to the client, then it ends
                await self._report(exc)
                raise _Reported from exc
            finally:
                if pump is not None:
                    pump.stop()  # the pump's thread closes the synthesis stream: its queued work is cancelled
            if started and not job.whole:
                self._plan.spoken(Sentence(job.text, job.pause_after), options)
        if job.whole and not started:
            started = True
            await self._start_audio()  # nothing to speak: an empty audio group, so the client is not left waiting
        if started:
            await self.write_event(AudioStop().event())

    async def _start_audio(self) -> None:
        await self.write_event(AudioStart(rate=self.synth.sample_rate, width=SAMPLE_WIDTH, channels=1).event())

    async def _send_pcm(self, pcm: bytes) -> None:
        step = SAMPLES_PER_EVENT * SAMPLE_WIDTH
        for at in range(0, len(pcm), step):
            await self.write_event(AudioChunk(rate=self.synth.sample_rate, width=SAMPLE_WIDTH, channels=1,
                                              audio=pcm[at:at + step]).event())

    async def _report(self, exc: Exception) -> None:
        if isinstance(exc, ServiceBusy):
            text, code = f"服务繁忙，请稍后再试 / {exc}", "busy"
        elif isinstance(exc, RequestTimeout):
            text, code = f"合成超时 / {exc}", "timeout"
        elif isinstance(exc, RequestError):
            text, code = f"请求无效 / invalid request: {exc}", "invalid_request"
        else:  # the facade has logged it with its traceback
            text, code = f"合成失败 / synthesis failed: {type(exc).__name__}", "synthesis_failed"
        log.warning("Wyoming request failed (%s): %s", code, exc)
        await self._send_error(text, code)

    async def _send_error(self, text: str, code: str) -> None:
        await self.write_event(Error(text=text, code=code).event())


def _options(job: _Speak) -> SynthesisOptions:
    """The one request builder every entry point uses; Wyoming gives only text, voice and emotion."""
    return build_request(RequestInput(job.text, voice=job.choice.voice, emotion=job.choice.emotion)).options


def _pcm(synth: Synthesizer, options: SynthesisOptions, first_cut: bool) -> Iterator[bytes]:
    """The request's audio as 16-bit PCM blocks, run on the pump's thread; nothing at all when the
    text has nothing to speak (punctuation only, e.g. a closing quote that came after its sentence)."""
    try:
        with synth.stream(options, first_cut=first_cut) as stream:
            for chunk in stream:
                yield to_int16(chunk.audio).tobytes()
    except RequestError as exc:
        if str(exc) != NOTHING_TO_SPEAK:
            raise


def _parse(kind, event: Event):
    """The library's reading of an event, a ProtocolError when its data does not fit."""
    try:
        return kind.from_event(event)
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise ProtocolError(f"malformed {event.type} event ({type(exc).__name__}: {exc})") from None


def _string(value: object, event: Event) -> str:
    if not isinstance(value, str):
        raise ProtocolError(f"malformed {event.type} event (text must be a string)")
    return value


def _voice(requested: SynthesizeVoice | None) -> VoiceChoice:
    if requested is not None and not all(isinstance(v, (str, type(None))) for v in (requested.name, requested.speaker)):
        raise ProtocolError("malformed voice (name and speaker must be strings)")
    return choose_voice(requested)


_TAG = re.compile(r"<[^>]*>")


def _plain_text(request: Synthesize, event: Event) -> str:
    """The text to speak; SSML is not interpreted, but its tags are dropped rather than read out."""
    text = _string(request.text, event)
    if request.text_format == SynthesizeTextFormat.SSML:
        return html.unescape(_TAG.sub("", text))
    return text
