"""The Wyoming server on loopback, driven by the wyoming library's own client: describe,
synthesize, streaming synthesis of a reply sent 2 characters at a time, voice names, 8 concurrent
clients, a client leaving mid-stream, a busy server, malformed events; the `zh-tts wyoming`
command and `app.py --wyoming` as real processes; and the sentence buffer behind streaming.

Protocol plumbing runs on the tiny random-weight voice, where the audio must equal what the
facade gives for the same request alone; describe + synthesize and the streamed reply also run
on the real voice, judged as speech. "Audio before synthesize-stop" is shown by the order of
events (the client waits for a sentence's audio before sending more), never by timing: read
timeouts below only keep a broken server from hanging the suite.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import signal
import subprocess
import sys
import time

import httpx
import numpy as np
import pytest
from conftest import ROOT, eval_sentences, snr_db
from test_api import assert_speech
from test_faults import LONG, make, sample
from test_synthesis import voiced_f0
from webserver import free_port
from wyoming.audio import AudioChunk, AudioStart
from wyoming.client import AsyncClient
from wyoming.error import Error
from wyoming.event import Event, async_read_event
from wyoming.info import Describe, Info
from wyoming.ping import Ping
from wyoming.tts import Synthesize, SynthesizeChunk, SynthesizeStart, SynthesizeStop, SynthesizeVoice

from tts.audio.wav import to_int16
from tts.expressive.presets import EMOTIONS, VOICES
from tts.frontend.splitter import PAUSE_SENTENCE
from tts.request import RequestInput, build_request
from tts.wyoming.handler import SAMPLES_PER_EVENT
from tts.incremental import SentenceBuffer
from tts.wyoming.server import WyomingServer

READ_TIMEOUT = 120  # per event: a guard against a hung server, not a speed requirement
RATE = 24000
REPLY = ["今天天气很好。", "我们下午一起去公园散步吧！", "你想几点出发？", "谢谢"]  # the last one has no end


# ---- helpers


def connect(uri: str) -> AsyncClient:
    return AsyncClient.from_uri(uri, connect_timeout=10, read_timeout=READ_TIMEOUT)


async def read_until(client: AsyncClient, *types: str) -> list[Event]:
    """Events up to and including the first one of `types`; stops early if the server closes."""
    events = []
    while True:
        event = await client.read_event()
        if event is None:
            return events
        events.append(event)
        if event.type in types:
            return events


async def exchange(uri: str, *events: Event, until: tuple[str, ...] = ("audio-stop", "error")) -> list[Event]:
    async with connect(uri) as client:
        for event in events:
            await client.write_event(event)
        return await read_until(client, *until)


def types(events: list[Event]) -> list[str]:
    return [e.type for e in events]


def pcm(events: list[Event]) -> np.ndarray:
    chunks = [AudioChunk.from_event(e).audio for e in events if AudioChunk.is_type(e.type)]
    return np.frombuffer(b"".join(chunks), "<i2")


def groups(events: list[Event]) -> list[np.ndarray]:
    """The audio of each audio-start ... audio-stop group, in order."""
    out, current = [], None
    for event in events:
        if event.type == "audio-start":
            current = []
        elif event.type == "audio-chunk":
            current.append(event)
        elif event.type == "audio-stop":
            out.append(pcm(current))
            current = None
    return out


def alone(synth, text: str, voice: str | None = None, emotion: str | None = None, first_cut: bool = True) -> np.ndarray:
    """The same request synthesized alone by the facade (cache off), as the 16-bit PCM sent. A
    streamed reply's later sentences are planned without the first segment cut short, as the
    whole reply would be (tts.incremental.SentencePlan)."""
    options = build_request(RequestInput(text, voice=voice, emotion=emotion)).options
    with synth.stream(options, use_cache=False, first_cut=first_cut) as stream:
        for _ in stream:
            pass
        return to_int16(stream.result.audio)


def assert_same_audio(got: np.ndarray, want: np.ndarray) -> None:
    assert len(got) == len(want), (len(got), len(want))
    assert np.abs(want).max() > 0
    assert snr_db(want.astype(np.float64), got.astype(np.float64)) > 40


def wait_for(condition, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while not condition() and time.monotonic() < deadline:
        time.sleep(0.05)
    return condition()


@pytest.fixture(scope="module")
def tiny_uri(tiny_synth):
    with WyomingServer(tiny_synth, f"tcp://127.0.0.1:{free_port()}").start() as server:
        yield server.uri


@pytest.fixture(scope="module")
def real_uri(synth):
    with WyomingServer(synth, f"tcp://127.0.0.1:{free_port()}").start() as server:
        yield server.uri


# ---- describe


def test_describe_lists_every_voice_emotion_language_and_attribution(tiny_uri):
    events = asyncio.run(exchange(tiny_uri, Describe().event(), until=("info",)))
    info = Info.from_event(events[-1])
    assert len(info.tts) == 1
    program = info.tts[0]
    assert program.installed and program.version and program.supports_synthesize_streaming
    names = {v.name for v in program.voices}
    assert names == set(VOICES) | {f"{v}+{e}" for v in VOICES for e in EMOTIONS if e != "neutral"}
    for voice in program.voices:
        assert voice.installed and voice.description and {"zh", "zh_CN"} <= set(voice.languages)
        credit = voice.attribution.name
        assert "Baker" in credit and "non-commercial" in credit and "MIT" in credit, credit
        assert voice.attribution.url.startswith("https://")
        if "+" not in voice.name:
            assert [s.name for s in voice.speakers] == list(EMOTIONS)  # the speaker field is an emotion
    assert "MIT" in program.attribution.name and "non-commercial" in program.attribution.name


# ---- synthesize (tiny voice: the audio must be the facade's own)


def test_synthesize_sends_the_facades_audio_in_bounded_chunks(tiny_uri, tiny_synth):
    text = "离线语音合成服务欢迎你，今天我们测试怀俄明协议。"
    events = asyncio.run(exchange(tiny_uri, Synthesize(text).event()))
    assert types(events)[0] == "audio-start" and types(events)[-1] == "audio-stop"
    start = AudioStart.from_event(events[0])
    assert (start.rate, start.width, start.channels) == (RATE, 2, 1)
    chunks = [AudioChunk.from_event(e) for e in events if AudioChunk.is_type(e.type)]
    assert len(chunks) > 1 and all(len(c.audio) <= 2 * SAMPLES_PER_EVENT and c.rate == RATE for c in chunks)
    assert_same_audio(pcm(events), alone(tiny_synth, text))


@pytest.mark.parametrize("name,speaker,voice,emotion", [
    ("baker-low+happy", None, "baker-low", "happy"),  # an emotion as a suffix of the name
    ("baker-child", "sad", "baker-child", "sad"),  # an emotion as the speaker
    ("baker-bright+gentle", "angry", "baker-bright", "gentle"),  # the name's suffix wins
    ("en_US-lessac-medium", None, None, None),  # an unknown voice: the default voice, and a log line
    ("baker+bored", None, "baker", None),  # an unknown emotion: neutral, and a log line
])
def test_voice_names_emotions_and_fallbacks(tiny_uri, tiny_synth, caplog, name, speaker, voice, emotion):
    text = f"这句话用{name}的声音来读。"
    with caplog.at_level(logging.WARNING, logger="tts.wyoming"):
        events = asyncio.run(exchange(tiny_uri, Synthesize(text, voice=SynthesizeVoice(name, speaker=speaker)).event()))
    assert_same_audio(pcm(events), alone(tiny_synth, text, voice, emotion))
    unknown = voice is None or (emotion is None and "+" in name)
    assert any(name in r.getMessage() and "unknown" in r.getMessage() for r in caplog.records) == unknown


def test_empty_or_unspeakable_text_gives_an_empty_audio_group(tiny_uri):
    async def talk():
        async with connect(tiny_uri) as client:
            seen = []
            for text in ("", "   \n", "。。。！"):
                await client.write_event(Synthesize(text).event())
                seen.append(types(await read_until(client, "audio-stop", "error")))
            await client.write_event(SynthesizeStart().event())  # a streamed reply of whitespace only
            for piece in ("  ", "\n", " "):
                await client.write_event(SynthesizeChunk(piece).event())
            await client.write_event(SynthesizeStop().event())
            seen.append(types(await read_until(client, "synthesize-stopped", "error")))
            await client.write_event(Describe().event())  # the connection is still good
            seen.append(types(await read_until(client, "info")))
            return seen

    assert asyncio.run(talk()) == [["audio-start", "audio-stop"]] * 3 + [["synthesize-stopped"], ["info"]]


def test_ping_gets_pong_and_unknown_events_are_ignored(tiny_uri):
    events = asyncio.run(exchange(tiny_uri, Event("transcribe", {"language": "zh"}), Ping(text="hi").event(),
                                  until=("pong",)))
    assert types(events) == ["pong"] and events[0].data["text"] == "hi"


# ---- streaming synthesis


async def stream_reply(uri: str) -> list[list[Event]]:
    """A reply in 2-character chunks, as Home Assistant streams an LLM's text. The client waits
    for each complete sentence's audio before it sends more text, so any audio it gets arrived
    before synthesize-stop by construction. Returns the events read after each phase."""
    text = "".join(REPLY)
    first_end = len(REPLY[0]) + 2  # the first sentence and the start of the second
    phases = []
    async with connect(uri) as client:
        await client.write_event(SynthesizeStart(voice=SynthesizeVoice("baker")).event())
        sent = 0
        for cut, sentences in ((first_end, 1), (len(text), 2)):
            for at in range(sent, cut, 2):
                await client.write_event(SynthesizeChunk(text[at:min(at + 2, cut)]).event())
            sent = cut
            events = []
            for _ in range(sentences):
                events += await read_until(client, "audio-stop", "error")
            phases.append(events)
        # Home Assistant repeats the whole text for servers that do not stream; spoken once only.
        await client.write_event(Synthesize(text, voice=SynthesizeVoice("baker")).event())
        await client.write_event(SynthesizeStop().event())
        phases.append(await read_until(client, "synthesize-stopped", "error"))
    return phases


def check_streamed_reply(phases: list[list[Event]], synth) -> np.ndarray:
    """Each complete sentence came as its own audio group, in order, before synthesize-stop; the
    rest came after it, then synthesize-stopped. Returns the whole reply's audio."""
    assert [t for t in types(phases[0]) if t != "audio-chunk"] == ["audio-start", "audio-stop"]
    assert [t for t in types(phases[1]) if t != "audio-chunk"] == ["audio-start", "audio-stop"] * 2
    assert [t for t in types(phases[2]) if t != "audio-chunk"] == ["audio-start", "audio-stop", "synthesize-stopped"]
    got = groups(phases[0]) + groups(phases[1]) + groups(phases[2])
    assert len(got) == len(REPLY)
    pause = round(PAUSE_SENTENCE * RATE)  # the splitter's pause after a sentence, owed before the next
    for k, (audio, sentence) in enumerate(zip(got, REPLY)):
        if k:
            assert not audio[:pause].any()  # silence first, as the same text sent whole would have
            audio = audio[pause:]
        assert_same_audio(audio, alone(synth, sentence, "baker", first_cut=k == 0))
    return np.concatenate(got)


def test_streamed_reply_is_spoken_sentence_by_sentence(tiny_uri, tiny_synth):
    check_streamed_reply(asyncio.run(stream_reply(tiny_uri)), tiny_synth)
    assert tiny_synth.admission.running == 0


def test_real_voice_streamed_reply_is_voiced_speech_sentence_by_sentence(real_uri, synth):
    audio = check_streamed_reply(asyncio.run(stream_reply(real_uri)), synth)
    syllables = len(synth.pipeline.frontend.pinyin("".join(REPLY)))
    assert_real_speech(audio, syllables, pauses=len(REPLY) - 1)


def test_streaming_protocol_mistakes_are_errors(tiny_uri):
    for events in ([SynthesizeChunk("你好").event()], [SynthesizeStop().event()],
                   [SynthesizeStart().event(), SynthesizeStart().event()]):
        got = asyncio.run(exchange(tiny_uri, *events))
        assert types(got) == ["error"] and Error.from_event(got[0]).code == "protocol_error"
        assert "协议错误" in Error.from_event(got[0]).text


# ---- the real voice


def assert_real_speech(audio: np.ndarray, syllables: int, pauses: int = 0) -> None:
    """Speech as tests/test_api.py and tests/test_synthesis.py judge it: a plausible length for its
    syllables, audible, mostly voiced, and the Baker speaker's female pitch."""
    samples = audio.astype(np.float32) / 32767
    assert_speech(samples, RATE, syllables + 2 * pauses)  # a 0.5 s pause is about two syllables long
    f0 = voiced_f0(samples)
    assert len(f0) / (len(samples) / RATE * 100) > 0.3
    assert 150 <= np.median(f0) <= 350, np.median(f0)


def test_real_voice_describe_and_synthesize(real_uri, synth):
    text = "你好，欢迎使用离线中文语音合成服务。"
    info = Info.from_event(asyncio.run(exchange(real_uri, Describe().event(), until=("info",)))[-1])
    assert "baker" in {v.name for v in info.tts[0].voices}
    events = asyncio.run(exchange(real_uri, Synthesize(text, voice=SynthesizeVoice("baker")).event()))
    assert types(events)[0] == "audio-start" and types(events)[-1] == "audio-stop"
    assert types(events).count("audio-chunk") > 1
    assert_real_speech(pcm(events), len(synth.pipeline.frontend.pinyin(text)))


# ---- concurrency, departures, busy, malformed input


def test_eight_concurrent_clients_each_get_their_own_audio(tiny_uri, tiny_synth):
    texts = [f"第{n}位客户端说：{s}" for n, s in enumerate(
        ["今天天气很好。", "请问去火车站怎么走？", "这家餐厅的红烧肉很好吃。", "人工智能正在改变生活。",
         "你好！", "春眠不觉晓，处处闻啼鸟。", "谢谢大家的支持，我们明年再见！", "长江全长约六千三百公里。"], 1)]

    async def everyone():
        return await asyncio.gather(*(exchange(tiny_uri, Synthesize(t).event()) for t in texts))

    results = asyncio.run(everyone())
    for text, events in zip(texts, results):
        assert types(events)[0] == "audio-start" and types(events)[-1] == "audio-stop", text
        assert_same_audio(pcm(events), alone(tiny_synth, text))
    assert tiny_synth.admission.running == 0


@pytest.mark.parametrize("streamed", [False, True])
def test_a_client_leaving_mid_stream_stops_its_synthesis(tiny_engine, tiny_pipeline, streamed):
    s = make(tiny_engine, tiny_pipeline)
    original = s.workers["cpu"].handlers["vocoder"]
    calls = []

    def slow(payloads):
        calls.append(time.monotonic())
        time.sleep(0.05)  # keep the request running long enough to leave in the middle
        return original(payloads)

    s.workers["cpu"].handlers["vocoder"] = slow

    async def leave_after_first_audio(uri):
        async with connect(uri) as client:
            if streamed:  # a reply of long sentences: the first one is still being spoken when the client leaves
                reply = "这是一段很长的句子，用来测试客户端在流式合成的中途离开，服务器应该马上停止合成。" * 4
                await client.write_event(SynthesizeStart().event())
                for at in range(0, len(reply), 2):
                    await client.write_event(SynthesizeChunk(reply[at:at + 2]).event())
            else:
                await client.write_event(Synthesize(LONG).event())
            await read_until(client, "audio-chunk")
        # the connection is closed here, mid-stream

    with WyomingServer(s, f"tcp://127.0.0.1:{free_port()}").start() as server:
        asyncio.run(leave_after_first_audio(server.uri))
        assert wait_for(lambda: sample(s, "tts_requests_total", status="cancelled") == 1)
        assert wait_for(lambda: s.admission.running == 0)  # its slot is free again
        time.sleep(0.5)
        settled = len(calls)
        time.sleep(1.5)
        assert len(calls) == settled  # nothing more is computed for the departed client
        assert sample(s, "tts_requests_total", status="ok") == 0  # no later sentence was started
        events = asyncio.run(exchange(server.uri, Synthesize("服务仍然正常。").event()))
        assert types(events)[-1] == "audio-stop"
    s.close()


def test_a_busy_server_answers_with_an_error_event(tiny_engine, tiny_pipeline):
    s = make(tiny_engine, tiny_pipeline, concurrency=1, queue_size=0)
    held = s.stream(build_request(RequestInput(LONG)).options, use_cache=False)
    next(held)  # the only slot is taken
    try:
        with WyomingServer(s, f"tcp://127.0.0.1:{free_port()}").start() as server:
            events = asyncio.run(exchange(server.uri, Synthesize("你好。").event(), until=()))
            assert types(events) == ["error"]  # and then the server closed the connection
            error = Error.from_event(events[0])
            assert error.code == "busy" and "服务繁忙" in error.text and "busy" in error.text
    finally:
        held.close()
    assert s.admission.running == 0
    s.close()


def test_a_too_long_text_is_an_invalid_request_error(tiny_uri, tiny_synth):
    limit = tiny_synth.profile.text.max_request_chars
    events = asyncio.run(exchange(tiny_uri, Synthesize("长" * (limit + 1)).event(), until=()))
    assert types(events) == ["error"]  # and then the server closed the connection
    error = Error.from_event(events[0])
    assert error.code == "invalid_request" and "请求无效" in error.text and f"the limit is {limit}" in error.text


def test_a_failed_synthesis_is_an_error_event_and_frees_the_slot(tiny_engine, tiny_pipeline):
    s = make(tiny_engine, tiny_pipeline)

    def broken(payloads):
        raise RuntimeError("simulated vocoder crash")

    s.workers["cpu"].handlers["vocoder"] = broken
    with WyomingServer(s, f"tcp://127.0.0.1:{free_port()}").start() as server:
        events = asyncio.run(exchange(server.uri, Synthesize("这一句合成会失败。").event(), until=()))
        assert types(events) == ["error"]
        error = Error.from_event(events[0])
        assert error.code == "synthesis_failed" and "合成失败" in error.text
        assert wait_for(lambda: s.admission.running == 0)
    s.close()


def test_malformed_events_close_the_connection_and_the_server_stays_up(tiny_uri):
    async def send_raw(data: bytes) -> list[Event]:
        """Write `data` and end the client's side; every event read until the server closes."""
        host, port = tiny_uri.removeprefix("tcp://").split(":")
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(data)
        writer.write_eof()
        events = []
        while (event := await asyncio.wait_for(async_read_event(reader), READ_TIMEOUT)) is not None:
            events.append(event)
        writer.close()
        return events

    def frame(kind: str, data) -> bytes:
        return json.dumps({"type": kind, "data": data}).encode() + b"\n"

    unreadable = [b"this is not json\n", b'{"data": {"text": "no type"}}\n', b"[1, 2, 3]\n",
                  b'{"type": "synthesize", "data_length": "ten"}\n',
                  b'{"type": "synthesize", "data_length": 500}\n{"text": "cut short']
    for data in unreadable:  # the library cannot read it: the connection is just closed
        assert asyncio.run(send_raw(data)) == [], data
    answered = [frame("synthesize", {"text": 5}), frame("synthesize", {"voice": {"name": "baker"}}),
                frame("synthesize", {"text": "你好", "voice": {"name": ["baker"]}}),
                frame("synthesize", {"text": "你好", "voice": None}), frame("synthesize", ["text"]),
                frame("synthesize-start", {}) + frame("synthesize-chunk", {"text": 3})]
    for data in answered:  # readable but wrong: an error event, then the connection is closed
        events = asyncio.run(send_raw(data))
        assert types(events) == ["error"], data
        assert Error.from_event(events[0]).code == "protocol_error"
    events = asyncio.run(exchange(tiny_uri, Describe().event(), until=("info",)))
    assert types(events) == ["info"]  # the server is still up


# ---- the processes: `zh-tts wyoming` and `app.py --wyoming`


def wait_for_describe(uri: str, proc: subprocess.Popen, seconds: float = 240) -> Info:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        assert proc.poll() is None, proc.communicate()[0]
        try:
            events = asyncio.run(exchange(uri, Describe().event(), until=("info",)))
            if events:
                return Info.from_event(events[-1])
        except OSError:
            time.sleep(0.5)
    raise AssertionError("the server did not answer describe in time")


def end(proc: subprocess.Popen) -> int | None:
    """SIGTERM, then kill if it does not end in time; its exit status after SIGTERM (None if killed)."""
    proc.send_signal(signal.SIGTERM)
    try:
        return proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=30)
        return None


@pytest.mark.real_weights  # the process loads the fetched models
def test_cli_wyoming_command_serves_until_sigterm():
    uri = f"tcp://127.0.0.1:{free_port()}"
    proc = subprocess.Popen([sys.executable, "-m", "tts", "wyoming", "--uri", uri, "--profile", "cpu"], cwd=ROOT,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        info = wait_for_describe(uri, proc)
        assert info.tts[0].name == "zh-tts" and info.tts[0].supports_synthesize_streaming
        events = asyncio.run(exchange(uri, Synthesize("你好。").event()))
        assert types(events)[-1] == "audio-stop" and len(pcm(events)) > RATE // 4
    finally:
        status = end(proc)
    output = proc.stdout.read()
    assert status == 0, output  # SIGTERM is a clean stop
    assert f"listening on {uri}" in output and "Traceback" not in output


def test_cli_wyoming_rejects_a_uri_it_cannot_serve():
    proc = subprocess.run([sys.executable, "-m", "tts", "wyoming", "--uri", "stdio://"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "tcp://HOST:PORT" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.real_weights  # the process loads the fetched models
def test_app_serves_http_and_wyoming_from_one_process_and_one_synthesizer(tmp_path):
    port, uri = free_port(), f"tcp://127.0.0.1:{free_port()}"
    env = {**os.environ, "ZH_TTS_RATE_LIMIT": "0", "ZH_TTS_STATE_DIR": str(tmp_path / "state")}
    proc = subprocess.Popen([sys.executable, "app.py", "--port", str(port), "--no-ui", "--profile", "cpu",
                             "--wyoming", uri], cwd=ROOT, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for_describe(uri, proc)  # the Wyoming server starts first, uvicorn right after it

        def healthy() -> bool:
            try:
                return httpx.get(f"{base}/healthz", timeout=5).status_code == 200
            except httpx.HTTPError:
                return False

        assert wait_for(healthy, 60)
        events = asyncio.run(exchange(uri, Synthesize("一个进程，两种协议。").event()))
        assert types(events)[-1] == "audio-stop" and len(pcm(events)) > RATE // 4
        r = httpx.post(f"{base}/v1/audio/speech", timeout=120, json={
            "model": "zh-tts", "input": "一个进程，两种协议。", "response_format": "pcm"})  # the same options
        assert r.status_code == 200
        # One Synthesizer: the HTTP request was a cache hit on the audio the Wyoming request made.
        assert np.array_equal(np.frombuffer(r.content, "<i2"), pcm(events))
        metrics = httpx.get(f"{base}/metrics", timeout=10).text
        assert 'tts_cache_hits_total 1.0' in metrics
    finally:
        status = end(proc)
    # It stops on SIGTERM by itself; uvicorn re-raises the signal after its graceful shutdown, so
    # the exit status may be the signal's.
    assert status in (0, -signal.SIGTERM), proc.stdout.read()


def test_compose_health_check_passes_on_a_live_server_and_fails_without_one(tiny_uri):
    import yaml

    check = yaml.safe_load((ROOT / "compose.yaml").read_text())["services"]["wyoming"]["healthcheck"]["test"]
    assert check[:3] == ["CMD", "python", "-c"]
    live = check[3].replace("10200", tiny_uri.rsplit(":", 1)[1])
    assert subprocess.run([sys.executable, "-c", live], timeout=30).returncode == 0
    dead = check[3].replace("10200", str(free_port()))  # nothing listens there
    assert subprocess.run([sys.executable, "-c", dead], capture_output=True, timeout=30).returncode != 0


# ---- the sentence buffer behind streaming synthesis (no server)


def stream_text(fe, pieces: list[str], max_chars: int = 10000) -> tuple[list[tuple[int, str]], str | None]:
    """Feed `pieces` in order; (index of the piece that completed it, sentence) for each sentence, and the rest."""
    buffer = SentenceBuffer(fe.split, max_chars)
    done = [(i, s.text) for i, piece in enumerate(pieces) for s in buffer.add(piece)]
    rest = buffer.finish()
    return done, rest.text if rest else None


def chunks_of(text: str, n: int) -> list[str]:
    return [text[i:i + n] for i in range(0, len(text), n)]


def test_sentences_are_complete_as_soon_as_their_punctuation_arrives(fe):
    text = "".join(REPLY)
    done, rest = stream_text(fe, chunks_of(text, 2))
    assert [s for _, s in done] == REPLY[:3] and rest == REPLY[3]
    assert [i for i, _ in done] == [text.index(p) // 2 for p in "。！？"]  # the very chunks that end them


@pytest.mark.parametrize("pieces,sentences,rest", [
    (["价格是3.", "5元。", "好"], ["价格是3.5元。"], "好"),  # "3." is not a sentence end
    (["他说：“你好！”", "然后走了。"], ["他说：“你好！”", "然后走了。"], None),  # the quote stays
    (["他说：“你好！", "”然后走了。"], ["他说：“你好！", "”然后走了。"], None),  # a late quote: nothing lost
    (["嗯…", "…我想想。"], ["嗯……", "我想想。"], None),  # an ellipsis waits for its second half
    (["第一行\n", "第二行"], ["第一行\n"], "第二行"),  # a newline ends a sentence
    (["Hello. ", "World."], ["Hello. "], "World."),
    (["好的；", "明天见"], ["好的；"], "明天见"),
    (["  ", "\n"], [], None),  # only whitespace: nothing to speak
])
def test_sentence_boundaries_in_streamed_text(fe, pieces, sentences, rest):
    done, left = stream_text(fe, pieces)
    assert [s for _, s in done] == sentences and left == rest


@pytest.mark.parametrize("size", [1, 2, 3, 7])
def test_streamed_text_is_cut_where_the_whole_text_is(fe, size):
    text = "".join(eval_sentences()[:10]) + "还有最后半句"
    done, rest = stream_text(fe, chunks_of(text, size))
    assert "".join(s for _, s in done) + (rest or "") == text  # nothing lost, nothing twice
    whole = [text[slice(*seg.source.span())] for seg in fe.split(text, max_chars=len(text))]
    assert [s for _, s in done] + [rest] == whole


def test_a_run_of_text_without_any_sentence_end_stays_bounded(fe):
    done, rest = stream_text(fe, chunks_of("没有标点的文字" * 20, 2), max_chars=50)
    assert all(len(s) <= 51 for _, s in done) and len(done) >= 2
    assert "".join(s for _, s in done) + (rest or "") == "没有标点的文字" * 20


def test_piece_pauses_follow_the_splitter(fe):
    buffer = SentenceBuffer(fe.split, 10000)
    got = buffer.add("好的；明天见。再见\n谢谢")
    assert [(s.text, s.pause_after) for s in got] == [("好的；", 0.4), ("明天见。", PAUSE_SENTENCE),
                                                       ("再见\n", 0.5)]
