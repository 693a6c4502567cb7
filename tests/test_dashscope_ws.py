"""The DashScope task protocol at /api-ws/v1/inference, driven by the real `dashscope` SDK (and,
where the SDK cannot say it, by a raw WebSocket client) against the server on loopback.

The tiny random-weight voice checks the plumbing (events, errors, limits, cancellation,
concurrency); the real voice checks that a text streamed in 1-3 character pieces sounds as the
same text sent whole, and that word timestamps cover the text.
"""

from __future__ import annotations

import json
import random
import re
import threading
import time
import uuid

import dashscope
import httpx
import numpy as np
import pytest
import websocket
from conftest import snr_db
from dashscope.audio.tts_v2 import AudioFormat, ResultCallback, SpeechSynthesizer
from dashscope.common.error import RequestFailure
from webserver import serve

from tts.audio.wav import to_int16
from tts.request import RequestInput, build_request
from tts.web.dashscope_protocol import PATH

PCM = AudioFormat.PCM_24000HZ_MONO_16BIT
RATE = 24000
FRAME = 300  # samples in one 12.5 ms acoustic frame at 24 kHz
TEXT = "今天是2024年3月5日，气温12.5度。银行的行长说：我们一起去长城吧！你觉得怎么样？"
KEY = "sk-test-0123456789"


@pytest.fixture(scope="module")
def tiny_ws(tiny_synth):
    with serve(tiny_synth, ui=False) as base:
        yield base.replace("http://", "ws://") + PATH, base


@pytest.fixture(scope="module")
def real_ws(synth):
    with serve(synth, ui=False) as base:
        yield base.replace("http://", "ws://") + PATH


@pytest.fixture(autouse=True)
def api_key(monkeypatch):
    monkeypatch.setattr(dashscope, "api_key", KEY)


class Recorder(ResultCallback):
    """Everything the SDK hands its callback, in order."""

    def __init__(self) -> None:
        self.log: list[str] = []
        self.events: list[dict] = []
        self.audio = bytearray()
        self.errors: list[str] = []
        self.done = threading.Event()

    def on_open(self) -> None:
        self.log.append("open")

    def on_event(self, message: str) -> None:
        parsed = json.loads(message)
        self.events.append(parsed)
        self.log.append(parsed["payload"]["output"]["type"])

    def on_data(self, data: bytes) -> None:
        self.audio += data
        self.log.append("data")

    def on_complete(self) -> None:
        self.log.append("complete")

    def on_error(self, message) -> None:
        self.errors.append(str(message))
        self.log.append("error")

    def on_close(self) -> None:
        self.log.append("close")
        self.done.set()


def pieces(text: str, seed: int = 0, sizes: tuple[int, int] = (1, 3)) -> list[str]:
    """`text` cut into pieces of 1-3 characters, as an LLM's tokens arrive."""
    rng = random.Random(seed)
    out, at = [], 0
    while at < len(text):
        n = rng.randint(*sizes)
        out.append(text[at:at + n])
        at += n
    return out


def stream_task(url: str, text: str, voice: str = "longxiaochun", fmt: AudioFormat = PCM, seed: int = 0,
                **params) -> Recorder:
    recorder = Recorder()
    synthesizer = SpeechSynthesizer(model="cosyvoice-v2", voice=voice, format=fmt, callback=recorder, url=url,
                                    additional_params=params or None)
    for piece in pieces(text, seed):
        synthesizer.streaming_call(piece)
    synthesizer.streaming_complete()
    return recorder


def whole(synth, text: str, voice: str = "baker") -> np.ndarray:
    """The same text sent whole through the facade (streaming plan, cache off), as 16-bit PCM."""
    options = build_request(RequestInput(text, voice=voice)).options
    with synth.stream(options, use_cache=False) as stream:
        for _ in stream:
            pass
        return to_int16(stream.result.audio)


def assert_same_audio(got: bytes | bytearray, want: np.ndarray, min_snr: float = 30.0) -> None:
    samples = np.frombuffer(bytes(got), dtype="<i2")
    assert abs(len(samples) - len(want)) <= FRAME, (len(samples), len(want))
    n = min(len(samples), len(want))
    assert np.abs(want).max() > 0
    assert snr_db(want[:n].astype(np.float64), samples[:n].astype(np.float64)) > min_snr


def metric(base: str, name: str) -> float:
    """One sample's value from /metrics (summed over label sets matching `name`'s prefix)."""
    text = httpx.get(f"{base}/metrics", timeout=10).text
    total = 0.0
    for line in text.splitlines():
        if line.startswith(name):
            total += float(line.rsplit(" ", 1)[1])
    return total


class Raw:
    """A raw WebSocket client speaking the task protocol, for what the SDK cannot send."""

    def __init__(self, url: str, key: str | None = KEY):
        headers = [f"Authorization: Bearer {key}"] if key else []
        self.ws = websocket.create_connection(url, header=headers, timeout=30)

    def send(self, action: str, task_id: str, payload: dict | None = None) -> None:
        self.ws.send(json.dumps({"header": {"action": action, "task_id": task_id, "streaming": "duplex"},
                                 "payload": payload or {}}))

    def run(self, task_id: str, voice: str = "longxiaochun", **parameters) -> None:
        self.send("run-task", task_id, {"model": "cosyvoice-v2", "task_group": "audio", "task": "tts",
                                        "function": "SpeechSynthesizer", "input": {},
                                        "parameters": {"voice": voice, "format": "pcm", "sample_rate": 24000,
                                                       **parameters}})

    def text(self, task_id: str, text: str) -> None:
        self.send("continue-task", task_id, {"input": {"text": text}})

    def until(self, *names: str) -> tuple[dict, bytes]:
        """Read to the next event named one of `names`: (that event, the audio received before it)."""
        audio = bytearray()
        while True:
            frame = self.ws.recv()
            if isinstance(frame, bytes):
                audio += frame
                continue
            message = json.loads(frame)
            if message["header"]["event"] in names:
                return message, bytes(audio)

    def task(self, text: str, **parameters) -> tuple[dict, bytes]:
        task_id = uuid.uuid4().hex
        self.run(task_id, **parameters)
        assert self.until("task-started", "task-failed")[0]["header"]["event"] == "task-started"
        self.text(task_id, text)
        self.send("finish-task", task_id, {"input": {}})
        return self.until("task-finished", "task-failed")

    def close(self) -> None:
        self.ws.close()


# ---- the protocol, with the tiny voice


def test_sdk_streaming_call_events_arrive_in_the_documented_order(tiny_ws, tiny_synth):
    url, _ = tiny_ws
    recorder = stream_task(url, TEXT)
    assert not recorder.errors
    assert recorder.log[0] == "open" and recorder.log[-2:] == ["complete", "close"]
    body = recorder.log[1:-2]
    sentences = [e for e in recorder.events if e["payload"]["output"]["type"] == "sentence-begin"]
    whole_cut = tiny_synth.pipeline.frontend.split(TEXT, max_chars=len(TEXT))
    assert len(sentences) == len(whole_cut) == 3  # each sentence of the text, announced once
    assert [e["payload"]["output"]["sentence"]["index"] for e in sentences] == [0, 1, 2]
    # Per sentence: sentence-begin, then audio (each sentence-synthesis followed by its frame), sentence-end.
    shape = re.sub(r"(sentence-synthesis data )+", "S ", " ".join(body) + " ")
    assert re.fullmatch(r"(sentence-begin (S )+sentence-end )+", shape), shape
    assert "".join(e["payload"]["output"]["original_text"] for e in sentences) == TEXT
    assert_same_audio(recorder.audio, whole(tiny_synth, TEXT))


def test_sdk_call_returns_the_whole_audio(tiny_ws, tiny_synth):
    url, _ = tiny_ws
    synthesizer = SpeechSynthesizer(model="cosyvoice-v1", voice="baker", format=PCM, url=url)
    audio = synthesizer.call(TEXT)
    assert_same_audio(audio, whole(tiny_synth, TEXT))
    assert synthesizer.get_response()["header"]["event"] == "task-finished"
    assert synthesizer.get_response()["payload"]["output"]["model"] == "cosyvoice-v1"


@pytest.mark.parametrize("fmt,magic", [(AudioFormat.WAV_16000HZ_MONO_16BIT, b"RIFF"),
                                       (AudioFormat.MP3_22050HZ_MONO_256KBPS, None),
                                       (AudioFormat.OGG_OPUS_24KHZ_MONO_32KBPS, b"OggS")])
def test_formats_and_sample_rates(tiny_ws, fmt, magic):
    url, _ = tiny_ws
    audio = SpeechSynthesizer(model="cosyvoice-v2", voice="longcheng", format=fmt, url=url).call("你好，世界。")
    assert audio and (magic is None or audio.startswith(magic))
    if magic == b"RIFF":
        assert int.from_bytes(audio[24:28], "little") == 16000


def test_bad_voice_and_oversized_piece_are_task_failed_with_a_message(tiny_ws, tiny_synth):
    url, _ = tiny_ws
    with pytest.raises(RequestFailure) as failed:
        SpeechSynthesizer(model="cosyvoice-v2", voice="nobody", format=PCM, url=url).call("你好。")
    assert failed.value.name == "InvalidParameter" and "unknown voice 'nobody'" in failed.value.message

    limit = min(20000, tiny_synth.profile.text.max_request_chars)
    recorder = Recorder()
    synthesizer = SpeechSynthesizer(model="cosyvoice-v2", voice="baker", format=PCM, callback=recorder, url=url)
    synthesizer.streaming_call("好" * (limit + 1))
    assert recorder.done.wait(30)
    assert recorder.log[-2:] == ["error", "close"]
    error = json.loads(recorder.errors[0])["header"]
    assert error["error_code"] == "InvalidParameter"
    assert f"at most {limit} characters" in error["error_message"]


def test_errors_leave_the_socket_open_for_the_next_task(tiny_ws, tiny_synth):
    url, _ = tiny_ws
    raw = Raw(url)
    try:
        for parameters, says in [({"voice": "nobody"}, "unknown voice"), ({"format": "aac"}, "format"),
                                 ({"sample_rate": 12345}, "sample_rate"), ({"rate": 9}, "rate"),
                                 ({"pitch": "high"}, "pitch"), ({"text_type": "Markdown"}, "text_type")]:
            raw.run("t-bad", **parameters)
            failed, _ = raw.until("task-failed", "task-started")
            assert failed["header"]["event"] == "task-failed" and says in failed["header"]["error_message"]
        raw.text("nobody-started-me", "你好")
        failed, _ = raw.until("task-failed")
        assert failed["header"]["error_code"] == "InvalidTask"
        raw.ws.send_binary(b"\x00\x01")
        assert "JSON text" in raw.until("task-failed")[0]["header"]["error_message"]
        # Several tasks one after another on the same connection, each its own audio.
        for text in ("第一个任务。", "第二个任务，长一点。"):
            finished, audio = raw.task(text, voice="baker")
            assert finished["header"]["event"] == "task-finished"
            assert_same_audio(audio, whole(tiny_synth, text))
    finally:
        raw.close()


def test_volume_rate_and_pitch_take_effect(tiny_ws):
    url, _ = tiny_ws
    raw = Raw(url)
    text = "音量语速和音高都可以调。"
    try:
        def audio(**parameters) -> np.ndarray:
            finished, data = raw.task(text, voice="baker", **parameters)
            assert finished["header"]["event"] == "task-finished"
            return np.frombuffer(data, dtype="<i2").astype(np.float64)

        plain = audio()
        quiet = audio(volume=25)
        assert len(quiet) == len(plain) and np.allclose(quiet, plain / 2, atol=1)  # a linear gain
        assert len(audio(rate=2.0)) < 0.7 * len(plain)
        assert len(audio(rate=0.5)) > 1.5 * len(plain)
        higher = audio(pitch=1.2)
        assert len(higher) > 0 and (len(higher) != len(plain) or not np.allclose(higher, plain, atol=1))
    finally:
        raw.close()


def test_a_task_over_the_total_limit_fails(tiny_ws, monkeypatch):
    from tts.web import dashscope_ws

    monkeypatch.setattr(dashscope_ws, "TASK_LIMIT", 30)
    url, _ = tiny_ws
    raw = Raw(url)
    try:
        raw.run("t-long", voice="baker")
        raw.until("task-started")
        for _ in range(4):
            raw.text("t-long", "一二三四五六七八九十")
        failed, _ = raw.until("task-failed")
        assert "at most 30 characters" in failed["header"]["error_message"]
    finally:
        raw.close()


def test_ssml_and_this_projects_voice_names(tiny_ws, tiny_synth):
    url, _ = tiny_ws
    raw = Raw(url)
    try:
        finished, audio = raw.task('<speak>你好<break time="300ms"/>世界。</speak>', voice="baker-low+happy",
                                   text_type="SSML")
        assert finished["header"]["event"] == "task-finished" and len(audio) > 2 * RATE * 0.3
    finally:
        raw.close()


def test_the_api_key_is_checked_against_auth(tiny_synth):
    with serve(tiny_synth, ui=False, auth=("user", KEY)) as base:
        url = base.replace("http://", "ws://") + PATH
        assert len(SpeechSynthesizer(model="cosyvoice-v2", voice="baker", format=PCM, url=url).call("你好。")) > 0
        dashscope.api_key = "sk-wrong"
        with pytest.raises(RequestFailure) as failed:
            SpeechSynthesizer(model="cosyvoice-v2", voice="baker", format=PCM, url=url).call("你好。")
        assert failed.value.name == "InvalidApiKey"


def test_a_clients_tasks_beyond_its_share_wait_in_line_instead_of_failing(tiny_synth):
    """The per-client share is the HTTP API's fair queue: a client's second task waits for the
    slot its first holds (it is not refused), and another client is not held back meanwhile."""
    with serve(tiny_synth, ui=False, client_concurrency=1) as base:
        url = base.replace("http://", "ws://") + PATH
        first, second = Raw(url), Raw(url)  # the same address and no --auth: the same client
        try:
            first.run("t-1", voice="baker")
            first.until("task-started")
            second.run("t-2", voice="baker")
            assert second.until("task-started", "task-failed")[0]["header"]["event"] == "task-started"
            first.text("t-1", "这是第一个任务的第一句话。这是它的第二句话。")
            second.text("t-2", "第二个任务也说两句话。它等着轮到自己。")
            first.send("finish-task", "t-1", {"input": {}})
            second.send("finish-task", "t-2", {"input": {}})
            assert first.until("task-finished", "task-failed")[0]["header"]["event"] == "task-finished"
            assert second.until("task-finished", "task-failed")[0]["header"]["event"] == "task-finished"
            other = Raw(url, key="sk-someone-else")
            assert other.task("你好。", voice="baker")[0]["header"]["event"] == "task-finished"
            other.close()
        finally:
            first.close()
            second.close()


def test_a_vanished_client_frees_its_slot_and_an_idle_task_times_out(tiny_synth):
    from conftest import slow_vocoder

    apps = []

    vocode = tiny_synth.workers[tiny_synth.engine.vocoder_device.type].handlers["vocoder"]
    slow_vocoder(tiny_synth, 0.3)
    try:
        with serve(tiny_synth, configure=apps.append, ui=False) as base:
            url = base.replace("http://", "ws://") + PATH
            cancelled = metric(base, 'tts_requests_total{status="cancelled"}')
            raw = Raw(url)
            raw.run("t-gone", voice="baker")
            raw.until("task-started")
            raw.text("t-gone", "这是一个很长的句子，" * 8 + "说完了。")
            while not isinstance(raw.ws.recv(), bytes):  # its first audio: the request holds a slot
                pass
            assert metric(base, "tts_active_requests") == 1
            raw.ws.sock.close()  # gone without a close frame
            deadline = time.monotonic() + 10
            while metric(base, "tts_active_requests") and time.monotonic() < deadline:
                time.sleep(0.05)
            assert metric(base, "tts_active_requests") == 0 and tiny_synth.admission.running == 0
            assert metric(base, 'tts_requests_total{status="cancelled"}') == cancelled + 1

            cancelled = metric(base, 'tts_requests_total{status="cancelled"}')
            raw = Raw(url)  # finish-task with directive cancel: what is not yet spoken is dropped
            raw.run("t-cancel", voice="baker")
            raw.until("task-started")
            raw.text("t-cancel", "这是一个很长的句子，" * 8 + "说完了。还有一句。")
            while not isinstance(raw.ws.recv(), bytes):
                pass
            raw.send("finish-task", "t-cancel", {"input": {"directive": "cancel"}})
            finished, _ = raw.until("task-finished", "task-failed")
            assert finished["header"]["event"] == "task-finished"
            deadline = time.monotonic() + 10  # the producer thread closes the stream as it stops
            while metric(base, 'tts_requests_total{status="cancelled"}') == cancelled and time.monotonic() < deadline:
                time.sleep(0.05)
            assert metric(base, 'tts_requests_total{status="cancelled"}') == cancelled + 1
            assert raw.task("还能用。", voice="baker")[0]["header"]["event"] == "task-finished"  # the next task
            raw.close()

            apps[0].state.dashscope.idle_timeout_s = 1.0  # instead of DashScope's 23 s
            idle = Raw(url)  # a client that stops sending: the task ends, the socket closes
            idle.run("t-idle", voice="baker")
            idle.until("task-started")
            idle.text("t-idle", "没有说完")
            failed, _ = idle.until("task-failed")
            assert failed["header"]["error_code"] == "RequestTimeOut"
            try:
                rest = idle.ws.recv()  # the close frame reads as an empty message
            except websocket.WebSocketConnectionClosedException:
                rest = ""
            assert rest == "" and not idle.ws.connected
    finally:
        tiny_synth.workers[tiny_synth.engine.vocoder_device.type].handlers["vocoder"] = vocode


def test_eight_streaming_tasks_and_http_requests_at_once_do_not_mix(tiny_ws, tiny_synth):
    url, base = tiny_ws
    texts = [f"第{n}位客人，您好。您的订单号是{1000 + 37 * n}号，请稍候！谢谢。" for n in range(8)]
    results: dict[int, bytes] = {}
    http: dict[int, bytes] = {}

    def streamer(n: int) -> None:
        results[n] = bytes(stream_task(url, texts[n], voice="baker", seed=n).audio)

    def requester(n: int) -> None:
        body = {"model": "tts-1", "input": f"普通请求{n}号。", "voice": "baker", "response_format": "pcm"}
        http[n] = httpx.post(f"{base}/v1/audio/speech", json=body, timeout=120).content

    threads = [threading.Thread(target=streamer, args=(n,)) for n in range(8)]
    threads += [threading.Thread(target=requester, args=(n,)) for n in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(180)
    assert sorted(results) == list(range(8)) and sorted(http) == [0, 1, 2]
    for n, text in enumerate(texts):
        assert_same_audio(results[n], whole(tiny_synth, text))
    for n, audio in http.items():
        assert_same_audio(audio, whole(tiny_synth, f"普通请求{n}号。"))
    assert tiny_synth.admission.running == 0


# ---- the real voice


@pytest.mark.slow
def test_real_voice_streamed_in_small_pieces_is_the_whole_texts_audio(real_ws, synth):
    """Numbers, a polyphone (银行/行长) and sandhi cut across pieces read as in the whole text:
    the same length within a frame, and the same sound."""
    recorder = stream_task(real_ws, TEXT, voice="longxiaochun", seed=3)
    assert not recorder.errors
    assert_same_audio(recorder.audio, whole(synth, TEXT))


@pytest.mark.slow
def test_real_voice_word_timestamps_cover_the_text(real_ws, synth):
    recorder = stream_task(real_ws, TEXT, word_timestamp_enabled=True)
    ends = [e["payload"]["output"] for e in recorder.events if e["payload"]["output"]["type"] == "sentence-end"]
    covered = "".join(w["text"] for end in ends for w in end["sentence"]["words"])
    for end in ends:  # each word is the sentence's own characters at its indices, in time order
        text = end["original_text"]
        times = [(w["begin_time"], w["end_time"]) for w in end["sentence"]["words"]]
        assert all(b <= e for b, e in times) and times == sorted(times)
        assert all(text[w["begin_index"]:w["end_index"]] == w["text"] for w in end["sentence"]["words"])
    assert covered == re.sub(r"[^\w.]", "", TEXT)  # every character read aloud (not the punctuation)
    duration_ms = len(recorder.audio) / 2 / RATE * 1000
    assert ends[-1]["sentence"]["words"][-1]["end_time"] <= duration_ms + 1
