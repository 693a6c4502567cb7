"""`GET /api-ws/v1/inference`: the DashScope CosyVoice task protocol over WebSocket, for the
official `dashscope` SDK pointed at this server (docs/streaming.md).

One connection runs tasks one after another. A task's text arrives in continue-task pieces; the
shared incremental planner (tts/incremental.py) hands out each sentence as soon as it is
complete, cut where the whole text would be cut, and each sentence is one request through the
facade (the same admission, fair queueing per client, batching, cache and metrics as an HTTP
request), planned as the whole text would plan it, so the task's audio is the whole text's.

Threads: the event loop reads commands and sends frames; one producer thread per task
(`PumpedStream`) takes the sentences from a bounded hand-over queue, synthesizes them in order
and encodes the task's audio as one stream (pcm/wav directly, mp3/opus through one ffmpeg).

Everything a task holds is bounded: the text it waits on (the piece and task limits), the pumped
frames (the pump's depth), and time: a task with no command for `idle_timeout_s` fails and the
connection closes; a connection with no task closes after `connection_idle_s`. A closed socket
stops the producer at once, which closes the synthesis stream: its queued work is cancelled and
its slot freed. Failures are task-failed events; the socket stays open for the next task.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import queue
import threading
from collections import deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
from fastapi import FastAPI, WebSocket
from starlette.websockets import WebSocketDisconnect, WebSocketState

from tts.audio.formats import encode_stream
from tts.audio.wav import silence
from tts.incremental import Sentence, SentenceBuffer, SentencePlan
from tts.options import RequestError
from tts.request import build_request
from tts.serving.admission import ClientShare, RequestTimeout, ServiceBusy
from tts.serving.pump import PumpedStream
from tts.ssml import is_ssml
from tts.synthesizer import NOTHING_TO_SPEAK, Synthesizer
from tts.web.api import client_id
from tts.web.dashscope_protocol import (
    PATH,
    PIECE_LIMIT,
    TASK_LIMIT,
    Command,
    TaskError,
    TaskParams,
    event,
    invalid,
    is_cancel,
    parse_command,
    piece_text,
    sentence_event,
    task_failed,
    task_params,
    words,
)
from tts.web.security import check_credentials

log = logging.getLogger(__name__)

IDLE_TIMEOUT_S = 23.0  # DashScope's longest wait between a task's commands
CONNECTION_IDLE_S = 60.0  # a connection with no task open


class ClientRate(Protocol):
    """The app's per-client rate limit (tts.web.security.RateLimiter): seconds to wait, 0 = go."""

    def take(self, client: str) -> float: ...


@dataclass
class DashScopeService:
    """What the route needs: the facade, the app's credentials and per-client limits, the timeouts."""

    synth: Synthesizer
    auth: tuple[str, str] | None = None
    rate_limit: ClientRate | None = None
    share: ClientShare | None = None  # each client's share of the slots and of the line (admission)
    idle_timeout_s: float = IDLE_TIMEOUT_S
    connection_idle_s: float = CONNECTION_IDLE_S

    @property
    def piece_limit(self) -> int:
        """One continue-task's limit: DashScope's, or the profile's request limit when lower."""
        return min(PIECE_LIMIT, self.synth.profile.text.max_request_chars)


def install(app: FastAPI, service: DashScopeService) -> None:
    """Serve the task protocol at PATH on `app`."""
    app.state.dashscope = service
    app.add_api_websocket_route(PATH, inference)


async def inference(websocket: WebSocket) -> None:
    """The route: one connection, its tasks one after another (module doc)."""
    service: DashScopeService = websocket.app.state.dashscope
    await websocket.accept()
    connection = _Connection(service, websocket)
    try:
        await connection.run()
    finally:
        await connection.end_task(cancel=True)


_END = object()  # after a task's last sentence


@dataclass
class _Task:
    """One task: its parameters, its text so far, and the producer that speaks it."""

    task_id: str
    params: TaskParams
    client: str
    buffer: SentenceBuffer
    share: ClientShare | None = None
    characters: int = 0
    ssml_text: list[str] = field(default_factory=list)  # an SSML task's text, spoken at finish-task
    mode_known: bool = False  # whether the text has shown whether it is SSML (the SDK's call())
    finishing: bool = False  # finish-task received: no more commands for it
    sentences: queue.Queue = field(default_factory=queue.Queue)  # bounded by the task's text limit
    stop: threading.Event = field(default_factory=threading.Event)
    pump: PumpedStream | None = None
    sender: asyncio.Task | None = None


class _Connection:
    def __init__(self, service: DashScopeService, websocket: WebSocket):
        self.service = service
        self.ws = websocket
        self.task: _Task | None = None
        self._send_lock = asyncio.Lock()
        self._authorized = service.auth is None or check_credentials(websocket.headers.get("authorization"),
                                                                     service.auth)
        # Who the task counts against, as for HTTP (api.client_id): the --auth user, else the address.
        self.client = ("user:" + service.auth[0] if service.auth is not None and self._authorized
                       else client_id(websocket))  # type: ignore[arg-type]  # reads only the address

    async def run(self) -> None:
        while True:
            waiting_for_client = self.task is not None and not self.task.finishing
            timeout = self.service.idle_timeout_s if waiting_for_client else self.service.connection_idle_s
            try:
                message = await asyncio.wait_for(self.ws.receive(), timeout)
            except TimeoutError:
                if self.task is not None and not self.task.finishing:
                    await self.fail(self.task.task_id, TaskError(
                        "RequestTimeOut", f"no command for {self.service.idle_timeout_s:g} s; the task is ended"))
                elif self.task is not None:
                    continue  # its audio is still being made: the client is waiting, not idle
                await self._close()
                return
            if message["type"] == "websocket.disconnect":
                return
            if message.get("text") is None:
                await self.fail(self.task.task_id if self.task else "",
                                invalid("commands are JSON text frames, not binary"))
                continue
            try:
                await self.handle(parse_command(message["text"]))
            except TaskError as exc:
                await self.fail(_task_id_of(message["text"]) or (self.task.task_id if self.task else ""), exc)
            except (WebSocketDisconnect, RuntimeError):
                return
            if not self._authorized:
                await self._close()
                return

    async def handle(self, command: Command) -> None:
        if not self._authorized:
            raise TaskError("InvalidApiKey", "missing or wrong API key (Authorization: Bearer KEY)")
        if command.action == "run-task":
            await self.start(command)
            return
        task = self.task
        if task is None or task.task_id != command.task_id or task.finishing:
            raise TaskError("InvalidTask", f"no task {command.task_id!r} is waiting for text on this connection")
        if command.action == "continue-task":
            self.add_text(task, piece_text(command.payload, self.service.piece_limit))
        else:
            self.finish(task, cancel=is_cancel(command.payload))

    async def start(self, command: Command) -> None:
        if self.task is not None:
            raise TaskError("InvalidTask", f"task {self.task.task_id!r} is still running on this connection")
        params = task_params(command.payload)
        synth = self.service.synth
        try:
            synth.validate(build_request(params.request("你好")).options)  # the voice, speed, pitch … here
        except RequestError as exc:
            raise invalid(str(exc)) from None
        limits = self.service
        if limits.rate_limit is not None and (wait := limits.rate_limit.take(self.client)) > 0:
            raise TaskError("Throttling", f"too many tasks; retry in {wait:.0f} s")
        task = _Task(command.task_id, params, self.client,
                     SentenceBuffer(synth.pipeline.frontend.split, synth.profile.text.max_request_chars),
                     share=self.service.share)
        self.task = task
        task.pump = PumpedStream(_frames(synth, task), name="dashscope-task")
        await self.send(event("task-started", task.task_id))
        task.sender = asyncio.create_task(self._send_task(task), name="dashscope sender")

    def add_text(self, task: _Task, text: str) -> None:
        task.characters += len(text)
        if task.characters > TASK_LIMIT:
            raise invalid(f"a task may carry at most {TASK_LIMIT} characters of text")
        if not task.mode_known and text.strip():
            task.mode_known = True
            if task.params.enable_ssml and is_ssml(text):  # the SDK's call() sends SSML this way
                task.params = _as_ssml(task.params)
        if task.params.ssml:
            task.ssml_text.append(text)
            return
        for sentence in task.buffer.add(text):
            task.sentences.put(sentence)

    def finish(self, task: _Task, cancel: bool) -> None:
        task.finishing = True
        if cancel:  # drop what is not yet spoken: the producer stops at once, task-finished follows
            task.stop.set()
            if task.pump is not None:
                task.pump.stop()
        elif task.params.ssml:
            if "".join(task.ssml_text).strip():
                task.sentences.put(Sentence("".join(task.ssml_text), 0.0))
        else:
            rest = task.buffer.finish()
            if rest is not None:
                task.sentences.put(rest)
        task.sentences.put(_END)

    async def _send_task(self, task: _Task) -> None:
        """Send the task's frames as they are produced; then task-finished, or task-failed."""
        assert task.pump is not None
        try:
            async for frame in task.pump:
                try:
                    await self.send(frame)
                except (WebSocketDisconnect, RuntimeError, ConnectionError) as exc:  # the client is gone
                    if self.ws.application_state != WebSocketState.DISCONNECTED:
                        log.info("DashScope client went away mid-task: %s", exc)
                    task.stop.set()
                    return
        except Exception as exc:  # noqa: BLE001 - the producer's failure is told to the client as task-failed
            error = _task_error(exc)
            log.warning("DashScope task failed (%s): %s", error.code, error)
            await self._finish_task(task, task_failed(task.task_id, error))
            return
        if task.stop.is_set() and not task.finishing:
            return  # failed or closed meanwhile: already answered
        await self._finish_task(task, event("task-finished", task.task_id,
                                            {"output": {"model": task.params.model},
                                             "usage": {"characters": task.characters}}))

    async def _finish_task(self, task: _Task, frame: str) -> None:
        self._release(task)
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, ConnectionError):
            await self.send(frame)

    async def fail(self, task_id: str, error: TaskError) -> None:
        """Answer task-failed; a running task with that id (or any, for an unnamed error) ends."""
        log.info("DashScope task %s refused (%s): %s", task_id or "-", error.code, error)
        task = self.task
        if task is not None and (task.task_id == task_id or not task_id):
            await self.end_task(cancel=True)
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, ConnectionError):
            await self.send(task_failed(task_id, error))

    async def end_task(self, cancel: bool) -> None:
        """Stop the task's producer (its synthesis is cancelled) and wait for its sender."""
        task = self.task
        if task is None:
            return
        if cancel:
            task.stop.set()
            if task.pump is not None:
                task.pump.stop()
            if task.sender is not None and task.sender is not asyncio.current_task():
                task.sender.cancel()
                await asyncio.gather(task.sender, return_exceptions=True)
        self._release(task)

    def _release(self, task: _Task) -> None:
        task.stop.set()
        if task.pump is not None:
            task.pump.stop()
        if self.task is task:
            self.task = None

    async def send(self, frame: str | bytes) -> None:
        async with self._send_lock:
            if isinstance(frame, bytes):
                await self.ws.send_bytes(frame)
            else:
                await self.ws.send_text(frame)

    async def _close(self) -> None:
        with contextlib.suppress(WebSocketDisconnect, RuntimeError, ConnectionError):
            await self.ws.close()


def _as_ssml(params: TaskParams) -> TaskParams:
    return dataclasses.replace(params, ssml=True)


def _task_id_of(raw: str) -> str:
    """The task id of a command that could not be read whole, if it has one."""
    try:
        task_id = json.loads(raw)["header"]["task_id"]
    except (ValueError, KeyError, TypeError):
        return ""
    return task_id if isinstance(task_id, str) else ""


def _task_error(exc: Exception) -> TaskError:
    if isinstance(exc, TaskError):
        return exc
    if isinstance(exc, ServiceBusy):
        return TaskError("Throttling", f"the server is busy; retry shortly ({exc})")
    if isinstance(exc, RequestTimeout):
        return TaskError("RequestTimeOut", str(exc))
    if isinstance(exc, RequestError):
        return invalid(str(exc))
    return TaskError("InternalError", f"synthesis failed ({type(exc).__name__}); the server log has the details")


# ---- the producer (runs on the task's pump thread)


def _next_sentence(task: _Task) -> Sentence | None:
    """The task's next sentence, waiting for the client's text; None at the end or once stopped."""
    while not task.stop.is_set():
        try:
            item = task.sentences.get(timeout=0.1)
        except queue.Empty:
            continue
        return None if item is _END else item
    return None


def _frames(synth: Synthesizer, task: _Task) -> Iterator[str | bytes]:
    """The task's frames in order: result-generated events (text) and encoded audio (bytes)."""
    events: deque[str] = deque()  # filled as the encoder takes each chunk, sent before its audio
    for block in encode_stream(_audio(synth, task, events), synth.sample_rate, task.params.fmt,
                               task.params.sample_rate):
        while events:
            yield events.popleft()
        yield block
    while events:
        yield events.popleft()


def _audio(synth: Synthesizer, task: _Task, events: deque[str]) -> Iterator[np.ndarray]:
    """Each sentence through the facade as soon as it is complete, planned as the whole text would
    be (SentencePlan): its audio chunks at the task's volume, with its events queued alongside."""
    plan = SentencePlan()
    rate = synth.sample_rate
    heard = 0  # samples of the task's audio so far
    index = 0
    while (sentence := _next_sentence(task)) is not None:
        params = task.params  # read per sentence: the first text may have shown the task to be SSML
        options = build_request(params.request(sentence.text)).options
        events.append(sentence_event(task.task_id, "sentence-begin", index, [], original_text=sentence.text))
        said: list[dict[str, Any]] = []
        try:
            stream = synth.stream(options, client=task.client, share=task.share, stop=task.stop,
                                  first_cut=plan.first_cut)
        except RequestError as exc:
            if str(exc) != NOTHING_TO_SPEAK:
                raise
            stream = None  # punctuation only (a closing quote after its sentence): nothing to say
        if stream is not None:
            with stream:
                start = heard
                for chunk in stream:
                    if start == heard and plan.pause_before():
                        pause = silence(plan.pause_before(), rate)
                        heard += len(pause)
                        start = heard
                        events.append(sentence_event(task.task_id, "sentence-synthesis", index, []))
                        yield pause  # the last sentence's pause: every frame has its sentence-synthesis
                    if params.word_timestamps:
                        said.extend(words(chunk.alignment, start / rate))
                    heard += len(chunk.audio)
                    events.append(sentence_event(task.task_id, "sentence-synthesis", index,
                                                 words(chunk.alignment, start / rate) if params.word_timestamps
                                                 else []))
                    yield chunk.audio * params.gain if params.gain != 1.0 else chunk.audio
            plan.spoken(sentence, options)
        events.append(sentence_event(task.task_id, "sentence-end", index, said, original_text=sentence.text,
                                     usage={"characters": task.characters}))
        index += 1
