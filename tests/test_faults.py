"""Faults and limits on a real server: vocoder failure mid-stream, client disconnect mid-stream,
rate limiting (on the tiny random-weight voice), and a 10,000-character chapter spoken completely
(real weights)."""

from __future__ import annotations

import dataclasses
import re
import threading
import time

import httpx
import numpy as np
import pytest
from conftest import chapter, report
from webserver import serve

from tts.options import SynthesisOptions
from tts.serving.profiles import load_profile
from tts.synthesizer import Synthesizer

LONG = "第一句话用来测试流式传输。第二句话继续测试。第三句话还在测试。第四句话快要结束了。第五句话结束。" * 3


def make(engine, pipeline, **serving) -> Synthesizer:
    profile = load_profile("cpu")
    profile = dataclasses.replace(profile, serving=dataclasses.replace(profile.serving, **serving))
    return Synthesizer(profile, engine, pipeline, warm_up=False)


def sample(synth: Synthesizer, name: str, **labels) -> float:
    return synth.metrics.registry.get_sample_value(name, labels) or 0.0


def test_vocoder_failure_mid_stream_ends_only_that_request(tiny_engine, tiny_pipeline):
    engine, pipeline = tiny_engine, tiny_pipeline
    s = make(engine, pipeline, concurrency=4)
    original = s._run_vocoder
    calls = {"n": 0}
    lock = threading.Lock()

    def flaky(payloads):
        with lock:
            calls["n"] += 1
            doomed = any(mel.shape[0] == 37 for _, mel in payloads)  # only the victim's 37-frame blocks
        if doomed and calls["n"] > 3:
            raise RuntimeError("simulated vocoder crash")
        return original(payloads)

    s.workers["cpu"].handlers["vocoder"] = flaky
    # The victim's blocks have a distinct length: make its vocoder blocks 13 frames + 2 x 12 pad.
    victim = dataclasses.replace(s.profile, vocoder=dataclasses.replace(s.profile.vocoder, block_frames=13,
                                                                         first_block_frames=13, pad_frames=12))
    v = Synthesizer(victim, engine, pipeline, warm_up=False)
    v.workers["cpu"].handlers["vocoder"] = flaky
    outcome = {}

    def other():
        outcome["other"] = s.synthesize(SynthesisOptions("另一个请求不受影响，正常完成。"), use_cache=False)

    thread = threading.Thread(target=other)
    thread.start()
    got = 0
    with pytest.raises(RuntimeError, match="simulated vocoder crash"):
        for chunk in v.stream(SynthesisOptions(LONG), use_cache=False):
            got += 1
    thread.join(timeout=60)
    assert got >= 1  # it failed mid-stream, after audio had started
    assert len(outcome["other"].audio) > 0
    assert sample(v, "tts_requests_total", status="error") == 1
    assert sample(v, "tts_errors_total", kind="RuntimeError") == 1
    v.close()
    s.close()


def waiting_on_a_stream() -> int:
    """Worker threads of the event loop's pool that, inside a job, wait on a queue (a streamed
    response's consumer waiting for audio) - not idle workers waiting for their next job."""
    import sys

    count = 0
    for frame in sys._current_frames().values():
        waited = None  # the queue a `Queue.get` in this stack waits on
        while frame is not None:
            name, path = frame.f_code.co_name, frame.f_code.co_filename
            if name == "get" and path.endswith("queue.py"):
                waited = frame.f_locals.get("self")
            elif waited is not None and name == "run" and "anyio" in path:
                count += waited is not getattr(frame.f_locals.get("self"), "queue", None)
                break
            frame = frame.f_back
    return count


def test_client_disconnect_mid_stream_stops_the_work(tiny_engine, tiny_pipeline):
    engine, pipeline = tiny_engine, tiny_pipeline
    s = make(engine, pipeline)
    original = s._run_vocoder
    calls = []

    def counting(payloads):
        calls.append(time.monotonic())
        time.sleep(0.05)  # keep the request running long enough to hang up in the middle
        return original(payloads)

    s.workers["cpu"].handlers["vocoder"] = counting
    with serve(s) as url:
        with httpx.stream("POST", f"{url}/v1/audio/speech", timeout=60,
                          json={"input": LONG * 2, "response_format": "pcm", "stream": True}) as r:
            assert r.status_code == 200
            for block in r.iter_bytes():
                if block:
                    break  # hang up after the first audio
        deadline = time.monotonic() + 20
        while sample(s, "tts_requests_total", status="cancelled") < 1 and time.monotonic() < deadline:
            time.sleep(0.1)
        assert sample(s, "tts_requests_total", status="cancelled") == 1
        # No thread stays behind for the departed client (each hang-up once left one waiting
        # forever on the stream's queue: threads and memory grew with every cancellation).
        deadline = time.monotonic() + 10
        while waiting_on_a_stream() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert waiting_on_a_stream() == 0
        time.sleep(0.5)
        settled = len(calls)
        time.sleep(1.5)
        assert len(calls) == settled  # nothing more is computed for the departed client
        assert s.admission.running == 0  # its slot is free again
        ok = httpx.post(f"{url}/v1/audio/speech", json={"input": "服务仍然正常。", "response_format": "wav"},
                        timeout=60)
        assert ok.status_code == 200
    s.close()


@pytest.fixture(scope="module")
def limited(tiny_engine, tiny_pipeline):
    s = make(tiny_engine, tiny_pipeline)
    with serve(s, rate_per_minute=6, rate_burst=3) as url:
        yield s, url
    s.close()


def test_rate_limit_answers_429_with_retry_after(limited):
    _, url = limited
    body = {"input": "限流。", "response_format": "pcm"}
    statuses = [httpx.post(f"{url}/v1/audio/speech", json=body, timeout=60).status_code for _ in range(5)]
    assert statuses[:3] == [200, 200, 200] and statuses[3:] == [429, 429]
    r = httpx.post(f"{url}/v1/audio/speech", json=body, timeout=60)
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert r.json()["error"]["type"] == "rate_limit_error"
    # Without --auth a client is its address: a made-up key is no way around the limit ...
    other_key = httpx.post(f"{url}/v1/audio/speech", json=body, headers={"Authorization": "Bearer another"},
                           timeout=60)
    assert other_key.status_code == 429
    # ... while another address has its own bucket.
    with httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=60) as elsewhere:
        assert elsewhere.post(f"{url}/v1/audio/speech", json=body).status_code == 200


@pytest.mark.slow
def test_a_ten_thousand_character_chapter_is_spoken_completely(engine, pipeline):
    s = make(engine, pipeline)  # the CPU profile as shipped, its stall timeout included
    text = chapter()
    assert len(text) == 10000
    started = time.perf_counter()
    result = s.synthesize(SynthesisOptions(text), use_cache=False)
    took = time.perf_counter() - started
    s.close()
    expected = pipeline.frontend.split(text, max_chars=s.profile.text.max_segment_chars)
    spoken = "".join(seg.text for seg in result.segments)
    assert re.sub(r"\s", "", spoken) == re.sub(r"\s", "", "".join(seg.text for seg in expected))
    assert result.pinyin.split() == pipeline.frontend.pinyin(text)  # every syllable, in order
    total = sum(seg.speech_s + seg.pause_s for seg in result.segments)
    assert total == pytest.approx(len(result.audio) / 24000, abs=1e-6)  # per-segment durations add up
    for seg in result.segments:
        if seg.pinyin:
            assert seg.speech_s >= 0.06 * len(seg.pinyin), seg.text  # none truncated
    silent = [seg.text for seg in result.segments if seg.pinyin and float(np.sqrt(np.mean(
        result.audio[round(seg.start_s * 24000): round((seg.start_s + seg.speech_s) * 24000)] ** 2))) < 0.01]
    assert not silent
    report(f"10,000-character chapter: {len(text)} chars, {len(result.segments)} segments, "
           f"{len(result.pinyin.split())} syllables, {result.timings.audio_s / 60:.1f} min of audio in {took:.0f} s "
           f"(RTF {took / result.timings.audio_s:.3f})")
