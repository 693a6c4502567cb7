"""The HTTP API on a real loopback server: the official openai client, every format, errors,
queue limits under a burst, auth, and every named Gradio endpoint through gradio_client.
Errors, limits and auth run on the tiny random-weight voice; what judges the speech on the real one."""

from __future__ import annotations

import base64
import dataclasses
import io
import json
import re
import threading
import time
import wave

import httpx
import numpy as np
import pytest
from conftest import report, snr_db
from webserver import serve

from tts.serving.profiles import load_profile
from tts.synthesizer import Synthesizer

TEXT = "你好，欢迎使用离线中文语音合成服务。"


def cpu_profile(**serving):
    profile = load_profile("cpu")
    return dataclasses.replace(profile, serving=dataclasses.replace(profile.serving, **serving))


def decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32767, w.getframerate()


def assert_speech(audio: np.ndarray, rate: int, syllables: int) -> None:
    seconds = len(audio) / rate
    assert 0.12 * syllables < seconds < 0.5 * syllables + 1.0, seconds
    assert float(np.sqrt(np.mean(audio**2))) > 0.02


def test_openai_client_gets_speech(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key="unused")
    response = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format="wav")
    audio, rate = decode_wav(response.read())
    assert rate == 24000
    assert_speech(audio, rate, 17)


def test_openai_client_streaming_pcm(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key="unused")
    pieces = []
    with client.audio.speech.with_streaming_response.create(
            model="tts-1", voice="nova", input="今天天气很好。我们一起去公园散步吧！请问去火车站怎么走？",
            response_format="pcm", extra_body={"stream": True}) as response:
        assert response.headers["content-type"] == "audio/pcm"
        for block in response.iter_bytes(4096):
            pieces.append(block)
    data = b"".join(pieces)
    assert len(pieces) > 1 and len(data) % 2 == 0
    audio = np.frombuffer(data, "<i2").astype(np.float32) / 32767  # 24 kHz 16-bit mono, like OpenAI's pcm
    assert_speech(audio, 24000, 26)


def test_openai_hd_model_and_instructions_are_accepted(url):
    from openai import OpenAI

    client = OpenAI(base_url=f"{url}/v1", api_key="unused")
    response = client.audio.speech.create(model="tts-1-hd", voice="shimmer", input="高保真模式。",
                                          response_format="wav", speed=1.2)
    audio, rate = decode_wav(response.read())
    assert_speech(audio, rate, 5)


@pytest.mark.parametrize("fmt,magic", [("wav", b"RIFF"), ("mp3", None), ("flac", b"fLaC"), ("opus", b"OggS"),
                                       ("aac", None), ("pcm", None)])
def test_every_response_format(url, fmt, magic):
    r = httpx.post(f"{url}/v1/audio/speech", json={"input": "格式测试。", "response_format": fmt}, timeout=60)
    assert r.status_code == 200, r.text
    data = r.content
    if magic:
        assert data[:4] == magic
    elif fmt == "mp3":
        assert data[:3] == b"ID3" or (data[0] == 0xFF and data[1] & 0xE0 == 0xE0)
    elif fmt == "aac":
        assert data[0] == 0xFF and data[1] & 0xF0 == 0xF0  # ADTS sync word
    else:
        assert len(data) > 24000 and len(data) % 2 == 0


def test_streaming_mp3_arrives_in_chunks(url):
    with httpx.stream("POST", f"{url}/v1/audio/speech", timeout=60,
                      json={"input": "流式传输测试。第二句话。第三句话。", "response_format": "mp3", "stream": True}) as r:
        assert r.status_code == 200 and r.headers.get("transfer-encoding") == "chunked"
        chunks = [c for c in r.iter_bytes() if c]
    assert len(chunks) >= 2


@pytest.mark.parametrize("payload,status,param", [
    ({"voice": "alloy"}, 400, "input"),
    ({"input": "你好", "speed": 9}, 400, "speed"),
    ({"input": "你好", "voice": "darth"}, 400, "voice"),
    ({"input": "你好", "model": "whisper-1"}, 400, "model"),
    ({"input": "你好", "response_format": "ogg"}, 400, "response_format"),
    ({"input": "你好", "colour": "red"}, 400, "colour"),
    ({"input": 42}, 400, "input"),
    ({"input": "   "}, 400, "text"),
    ({"input": "你" * 10001}, 413, "text"),
    ({"input": "你好", "emotion": "bored"}, 400, "emotion"),
    ({"input": "你好", "pinyin": "ni3"}, 400, "pinyin"),
    ({"input": "你好", "reference_audio": "%%%not base64%%%"}, 400, "reference_audio"),
])
def test_bad_requests_are_4xx_json(tiny_url, payload, status, param):
    url = tiny_url
    r = httpx.post(f"{url}/v1/audio/speech", json=payload, timeout=30)
    assert r.status_code == status, r.text
    error = r.json()["error"]
    assert error["param"] == param and error["message"]
    assert "Traceback" not in r.text and "/work/" not in r.text


@pytest.mark.parametrize("path", ["/v1/audio/speech", "/v1/audio/speech/timestamps"])
@pytest.mark.parametrize("stream", [False, True])
def test_text_with_nothing_to_read_is_one_clean_400(tiny_url, caplog, path, stream):
    """Issue 29, item 4: punctuation only used to stream 200, half a second of silence, then a
    broken transfer and a traceback in the log. Now one 400 before any audio, streamed or not."""
    with caplog.at_level("INFO"):
        r = httpx.post(f"{tiny_url}{path}", timeout=60,
                       json={"input": "。，！？……——", "response_format": "mp3", "stream": stream})
    assert r.status_code == 400, (r.status_code, r.headers, r.content[:200])
    assert r.headers["content-type"].startswith("application/json")
    error = r.json()["error"]
    assert error["param"] == "text" and "nothing to speak" in error["message"], error
    assert not [rec for rec in caplog.records if rec.exc_info or "Traceback" in rec.getMessage()], caplog.text


def test_malformed_bodies(tiny_url):
    url = tiny_url
    for body in (b"not json", b"{", b"[1, 2]", "\udcff".encode("utf-8", "surrogatepass")):
        r = httpx.post(f"{url}/v1/audio/speech", content=body, headers={"content-type": "application/json"},
                       timeout=30)
        assert r.status_code == 400, (body, r.text)


def test_voices_models_health_and_metrics(url):
    voices = httpx.get(f"{url}/v1/voices").json()
    assert "baker" in [v["id"] for v in voices["voices"]] and "alloy" in voices["voices"][0]["openai_aliases"]
    assert {"fast", "high"} <= set(voices["qualities"]) and "mp3" in voices["response_formats"]
    assert "tts-1" in [m["id"] for m in httpx.get(f"{url}/v1/models").json()["data"]]
    health = httpx.get(f"{url}/healthz")
    assert health.status_code == 200 and health.json()["status"] == "ok"
    metrics = httpx.get(f"{url}/metrics", follow_redirects=False)
    assert metrics.status_code == 200 and metrics.headers["content-type"].startswith("text/plain")
    assert "tts_requests_total" in metrics.text


def test_queue_limits_hold_under_a_burst(tiny_engine, tiny_pipeline):
    """Twelve simultaneous clients against 2 slots + 2 waiting: the rest get 503, nobody 500."""
    s = Synthesizer(cpu_profile(concurrency=2, queue_size=2), tiny_engine, tiny_pipeline, warm_up=False)
    statuses: list[int] = []
    bodies: list[dict] = []
    lock = threading.Lock()
    with serve(s) as base:
        def client(i):
            r = httpx.post(f"{base}/v1/audio/speech", timeout=120, json={
                "input": f"第{i}位用户的请求，内容比较长，需要一些时间来合成。" * 2, "response_format": "wav"})
            with lock:
                statuses.append(r.status_code)
                if r.status_code != 200:
                    bodies.append(r.json())

        threads = [threading.Thread(target=client, args=(i,)) for i in range(12)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=180)
    s.close()
    assert len(statuses) == 12
    assert set(statuses) <= {200, 503}, statuses
    assert statuses.count(200) >= 2 and statuses.count(503) >= 1
    assert all(b["error"]["type"] == "server_busy" for b in bodies)
    report(f"burst of 12 clients on 2 slots + 2 queue places: {statuses.count(200)} served, "
           f"{statuses.count(503)} x 503, 0 x 5xx otherwise")


def test_auth_protects_the_api_and_metrics(tiny_synth):
    with serve(tiny_synth, auth=("alice", "s3cret")) as base:
        body = {"input": "鉴权测试。", "response_format": "wav"}
        assert httpx.post(f"{base}/v1/audio/speech", json=body).status_code == 401
        assert httpx.get(f"{base}/metrics").status_code == 401
        assert httpx.get(f"{base}/v1/voices", headers={"Authorization": "Bearer wrong"}).status_code == 401
        ok = httpx.post(f"{base}/v1/audio/speech", json=body, headers={"Authorization": "Bearer s3cret"}, timeout=60)
        assert ok.status_code == 200 and ok.content[:4] == b"RIFF"
        basic = "Basic " + base64.b64encode(b"alice:s3cret").decode()
        assert httpx.get(f"{base}/metrics", headers={"Authorization": basic}).status_code == 200
        assert httpx.get(f"{base}/healthz").status_code == 200  # health checks need no secret
        ui = httpx.get(f"{base}/config", follow_redirects=False)
        assert ui.status_code in (401, 403) or "login" in ui.text.lower()


def ui_synthesize(client, text: str) -> tuple:
    """The UI's synthesize button through gradio_client, the rest of the form at its defaults:
    (streamed audio, downloadable WAV path, status); the timed text and subtitles are left out."""
    return client.predict(text, "baker", "neutral", 1.0, "", None, 1.0, 0.0, 1.0, "fast", "", False,
                          api_name="/synthesize")[:3]


def test_every_ui_result_gets_a_file_of_its_own(tmp_path):
    """Results made within one second never share a file: one user's audio never replaces another's."""
    from tts.web.ui_handlers import new_output_files

    results = [new_output_files(tmp_path, (".wav", ".srt")) for _ in range(200)]
    paths = [p for files in results for p in files]
    assert len(set(paths)) == 400
    assert all(p.parent.parent == tmp_path and p.name.startswith("speech-") for p in paths)
    assert all(wav.parent == srt.parent and wav.suffix == ".wav" and srt.suffix == ".srt" for wav, srt in results)


def test_concurrent_ui_users_each_download_their_own_audio(url):
    from gradio_client import Client

    texts = ["今天天气很好。", "请问去火车站应该怎么走？", "谢谢大家！"]
    expected = {}
    for text in texts:
        r = httpx.post(f"{url}/v1/audio/speech", json={"input": text, "response_format": "wav"}, timeout=120)
        expected[text] = decode_wav(r.content)[0]
    got, errors = [], []

    def user(i: int) -> None:
        client = Client(url + "/", verbose=False)
        try:
            for k in range(4):
                text = texts[(i + k) % len(texts)]
                _, wav_path, _ = ui_synthesize(client, text)
                with open(wav_path, "rb") as f:
                    got.append((text, wav_path, decode_wav(f.read())[0]))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=user, args=(i,)) for i in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and len(got) == 12
    for text, _, audio in got:
        assert len(audio) == len(expected[text]), text
        assert snr_db(expected[text], audio) > 30, text


def test_gradio_client_calls_every_named_endpoint(url):
    from gradio_client import Client

    client = Client(url + "/", verbose=False)
    endpoints = set(client.view_api(print_info=False, return_format="dict")["named_endpoints"])
    assert {"/synthesize", "/preview_pinyin", "/submit_job", "/jobs", "/cancel_job", "/char_count",
            "/system_info"} <= endpoints
    count, pinyin = client.predict("你好", api_name="/char_count")  # a new text also clears corrected pinyin
    assert count.startswith("2 / 10000") and pinyin == ""
    assert client.predict("银行行长", api_name="/preview_pinyin")[0] == "yin2 hang2 hang2 zhang3"
    assert "cpu" in client.predict(api_name="/system_info")
    audio, wav_path, status = ui_synthesize(client, "客户端调用测试。")
    with open(wav_path, "rb") as f:
        samples, rate = decode_wav(f.read())
    assert_speech(samples, rate, 7)
    assert "RTF" in status
    ids, note, _, _ = client.predict([], "第一章\n第一行。\n第二章\n第二行。", None, "", "wav", "baker", "neutral", 1.0, "",
                                     None, 1.0, 0.0, 1.0, "fast", api_name="/submit_job")
    assert len(ids) == 1 and "2 章 chapter(s)" in note
    deadline = time.monotonic() + 120
    while 'data-status="done"' not in (view := client.predict(ids, api_name="/jobs")[0]):
        assert time.monotonic() < deadline and 'data-status="failed"' not in view, view
        time.sleep(0.5)
    links = re.findall(r'href="([^"]+)"', view)
    assert links == [f"/v1/jobs/{ids[0]}/audio", f"/v1/jobs/{ids[0]}/chapters/1", f"/v1/jobs/{ids[0]}/chapters/2",
                     f"/v1/jobs/{ids[0]}/subtitles?format=srt", f"/v1/jobs/{ids[0]}/subtitles?format=vtt"]
    samples, rate = decode_wav(httpx.get(url + links[0]).content)  # the page's download link, as the browser follows it
    assert_speech(samples, rate, 12)
    left, note, view, _ = client.predict(ids[0], ids, True, api_name="/cancel_job")
    assert left == [] and "No jobs yet" in view and "Cancelled" in note
