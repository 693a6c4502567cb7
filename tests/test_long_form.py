"""Long work that never loses a word: progress-based timeouts, streams that fail visibly, the
long-form mode (whole-segment vocoding, a request's segments batched together), and a
10,000-character chapter through the HTTP API, whole and streamed at once, on the CPU profile as
shipped (real weights)."""

from __future__ import annotations

import io
import json
import socket
import threading
import time
import wave

import httpx
import numpy as np
import pytest
from conftest import cpu_variant, slow_vocoder, chapter, report, snr_db
from webserver import serve

from tts.options import SynthesisOptions

PARAGRAPH = ("人工智能正在改变我们的生活方式。今天天气很好，我们一起去公园散步吧！"
             "请问去火车站应该怎么走？北京是中华人民共和国的首都。谢谢大家的支持，我们明年再见！")


make = cpu_variant  # the CPU profile, some keys replaced


# ---- progress, not total time ----

def test_a_slow_request_that_keeps_progressing_completes(tiny_engine, tiny_pipeline):
    """Every vocoder call is slow, the whole request takes several stall timeouts, but work keeps
    finishing: it completes (a total-time limit would have cut it off)."""
    s = make(tiny_engine, tiny_pipeline, serving={"stall_timeout_s": 1.0})
    slow_vocoder(s, 0.3)
    try:
        result = s.synthesize(SynthesisOptions(PARAGRAPH * 2), use_cache=False)
    finally:
        s.close()
    assert result.timings.total_s > 3 * s.profile.serving.stall_timeout_s  # the case this test is about
    assert result.pinyin.split() == tiny_pipeline.frontend.pinyin(PARAGRAPH * 2)


def test_a_slow_reader_does_not_count_as_a_stall(tiny_engine, tiny_pipeline):
    """Time the caller spends between chunks (a client reading slowly) is not the service stalling."""
    s = make(tiny_engine, tiny_pipeline, serving={"stall_timeout_s": 1.0})
    chunks = 0
    try:
        with s.stream(SynthesisOptions(PARAGRAPH), use_cache=False) as stream:
            for _ in stream:
                chunks += 1
                if chunks <= 2:
                    time.sleep(1.5)
        assert stream.result is not None
    finally:
        s.close()


# ---- a stream that fails after its headers went out ends abnormally ----

def raw_post(url: str, body: dict) -> bytes:
    """POST with a plain socket; everything the server sends until it closes the connection."""
    host, port = url.removeprefix("http://").split(":")
    data = json.dumps(body).encode()
    with socket.create_connection((host, int(port)), timeout=60) as sock:
        sock.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: test\r\nContent-Type: application/json\r\n"
                     b"Connection: close\r\nContent-Length: %d\r\n\r\n" % len(data) + data)
        received = b""
        while block := sock.recv(65536):
            received += block
    return received


def dechunk(body: bytes) -> tuple[bytes, bool]:
    """A chunked body's payload, and whether it ended with the terminating zero-length chunk."""
    payload = b""
    while body:
        line, sep, rest = body.partition(b"\r\n")
        if not sep:
            return payload, False
        size = int(line.split(b";")[0], 16)
        if size == 0:
            return payload, rest.startswith(b"\r\n")
        if len(rest) < size + 2:
            return payload + rest[:size], False
        payload += rest[:size]
        body = rest[size + 2:]
    return payload, False


@pytest.fixture
def failing_server(tiny_engine, tiny_pipeline):
    """A server whose vocoder fails after a few calls: a streamed response fails midway."""
    s = make(tiny_engine, tiny_pipeline)
    original = s._run_vocoder
    calls = {"n": 0}

    def fails_later(payloads):
        calls["n"] += 1
        if calls["n"] > 3:
            raise RuntimeError("simulated vocoder crash")
        return original(payloads)

    s.workers["cpu"].handlers["vocoder"] = fails_later
    with serve(s) as url:
        yield url, calls
    s.close()


@pytest.mark.parametrize("fmt", ["pcm", "mp3"])
def test_a_stream_failing_after_its_headers_is_visibly_incomplete(failing_server, fmt):
    url, calls = failing_server
    calls["n"] = 0
    received = raw_post(url, {"input": PARAGRAPH * 3, "response_format": fmt, "stream": True})
    head, _, body = received.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200") and b"transfer-encoding: chunked" in head.lower()
    payload, terminated = dechunk(body)
    assert payload  # audio had started before the failure
    assert not terminated  # no terminating chunk: the transfer is visibly incomplete

    # What an ordinary client sees: an error, not a short file.
    calls["n"] = 0
    with pytest.raises(httpx.RemoteProtocolError):
        with httpx.stream("POST", f"{url}/v1/audio/speech", timeout=60,
                          json={"input": PARAGRAPH * 3, "response_format": fmt, "stream": True}) as r:
            assert r.status_code == 200
            for _ in r.iter_bytes():
                pass


def test_a_stream_that_succeeds_ends_cleanly(tiny_url):
    """The other side of the test above: a complete stream has its terminating chunk."""
    received = raw_post(tiny_url, {"input": PARAGRAPH, "response_format": "pcm", "stream": True})
    payload, terminated = dechunk(received.partition(b"\r\n\r\n")[2])
    assert terminated and len(payload) > 24000


# ---- long-form mode ----

def test_long_form_batches_a_requests_segments_and_vocodes_each_whole(tiny_engine, tiny_pipeline):
    s = make(tiny_engine, tiny_pipeline, batching={"long_form_segments": 4})
    vocoded = []
    run_vocoder = s._run_vocoder

    def spy_vocoder(payloads):
        vocoded.extend(mel.shape[0] for _, mel in payloads)
        return run_vocoder(payloads)

    s.workers["cpu"].handlers["vocoder"] = spy_vocoder
    try:
        result = s.synthesize(SynthesisOptions(PARAGRAPH * 2), use_cache=False, long_form=True)
    finally:
        s.close()
    spoken = [seg for seg in result.segments if seg.durations]
    sample = s.metrics.registry.get_sample_value
    items, batches = (sample(f"tts_batch_size_{k}", {"kind": "acoustic"}) for k in ("sum", "count"))
    assert items == len(spoken) and batches < items  # one request's segments shared batches
    assert len(vocoded) == len(spoken)  # one vocoder call per segment: no blocks
    assert vocoded == [sum(seg.durations) for seg in spoken]  # each the segment's whole mel, no padding
    assert len(result.segments[0].text) > s.profile.acoustic.first_chunk_chars  # the first not cut short


def test_a_whole_api_response_runs_long_form_and_a_streamed_one_does_not(tiny_engine, tiny_pipeline):
    """Through /v1/audio/speech: the whole response's vocoder calls are exactly the long-form
    path's (each segment's whole mel, the first segment not cut short); the streamed response's
    are the streaming blocks (short first block, padded blocks of at most block + 2 pad frames)."""
    s = make(tiny_engine, tiny_pipeline)
    vocoded: list[int] = []
    run_vocoder = s._run_vocoder

    def spy_vocoder(payloads):
        vocoded.extend(mel.shape[0] for _, mel in payloads)
        return run_vocoder(payloads)

    s.workers["cpu"].handlers["vocoder"] = spy_vocoder
    cfg = s.profile.vocoder
    text = PARAGRAPH * 2
    try:
        reference = s.synthesize(SynthesisOptions(text), use_cache=False, long_form=True)
        long_form = sorted(sum(seg.durations) for seg in reference.segments if seg.durations)
        with serve(s, ui=False) as url:
            vocoded.clear()
            whole = httpx.post(f"{url}/v1/audio/speech", json={"input": text, "response_format": "pcm"}, timeout=120)
            assert whole.status_code == 200
            whole_calls = sorted(vocoded)
            vocoded.clear()
            streamed = httpx.post(f"{url}/v1/audio/speech", timeout=120,
                                  json={"input": text, "response_format": "pcm", "stream": True})
            assert streamed.status_code == 200
            streamed_calls = list(vocoded)
    finally:
        s.close()
    assert whole_calls == long_form  # one call per segment, its whole mel
    assert len(whole.content) // 2 == len(reference.audio)
    assert max(streamed_calls) <= cfg.block_frames + 2 * cfg.pad_frames and len(streamed_calls) > len(long_form)
    assert min(streamed_calls) <= cfg.first_block_frames + 2 * cfg.pad_frames  # the short first block


@pytest.mark.parametrize("quality,name", [("fast", "mb_melgan"), ("high", "hifigan")])
def test_long_form_audio_equals_whole_segment_decoding(engine, pipeline, quality, name):
    s = make(engine, pipeline)
    mels = []
    original = s._run_acoustic

    def spy(items):  # on a CPU a batch's items run on helper threads, one call each: keyed by their ids
        out = original(items)
        mels.extend((tuple(it.ids), r.mel) for it, r in zip(items, out))
        return out

    s.workers["cpu"].handlers["acoustic"] = spy
    try:
        result = s.synthesize(SynthesisOptions(PARAGRAPH, quality=quality), use_cache=False, long_form=True)
    finally:
        s.close()
    spoken = [seg for seg in result.segments if seg.durations]
    by_ids = dict(mels)
    assert len(by_ids) == len(mels) == len(spoken)
    worst = np.inf
    for seg in spoken:
        mel = by_ids[tuple(pipeline.symbols.encode(seg.phonemes))]
        assert mel.shape[0] == sum(seg.durations)
        start = round(seg.start_s * 24000)
        got = result.audio[start : start + mel.shape[0] * 300]
        worst = min(worst, snr_db(engine.vocode(mel, name), got))
    report(f"long-form vs whole decoding, {name}: worst segment SNR {worst:.1f} dB")
    assert worst >= 60.0


# ---- a 10,000-character chapter through the API, whole and streamed at once ----

def decode_wav(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getframerate() == 24000
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32767


@pytest.mark.slow
def test_a_ten_thousand_character_chapter_through_the_api_whole_and_streamed(url, pipeline):
    """The CPU profile as shipped (its stall timeout included): a chapter at exactly the advertised
    max_request_chars, sent as a whole and as a streamed request at the same time (the two
    colleagues of the issue), both complete, with audio for every syllable."""
    text = chapter()
    assert len(text) == 10000
    syllables = len(pipeline.frontend.pinyin(text))
    got: dict[str, object] = {}

    def whole() -> None:
        started = time.perf_counter()
        r = httpx.post(f"{url}/v1/audio/speech", json={"input": text, "response_format": "wav"}, timeout=3600)
        got["whole"] = (r.status_code, decode_wav(r.content) if r.status_code == 200 else r.text,
                        time.perf_counter() - started)

    def streamed() -> None:
        started = time.perf_counter()
        pcm = bytearray()
        try:
            with httpx.stream("POST", f"{url}/v1/audio/speech", timeout=3600,
                              json={"input": text, "response_format": "pcm", "stream": True}) as r:
                for block in r.iter_bytes():
                    pcm += block
            got["streamed"] = (r.status_code, np.frombuffer(bytes(pcm), "<i2").astype(np.float32) / 32767,
                               time.perf_counter() - started)
        except httpx.HTTPError as exc:  # an aborted stream: reported, and fails the assertions below
            got["streamed"] = (None, repr(exc), time.perf_counter() - started)

    threads = [threading.Thread(target=whole), threading.Thread(target=streamed)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    for kind in ("whole", "streamed"):
        status, audio, took = got[kind]
        assert status == 200 and isinstance(audio, np.ndarray), (kind, status, audio)
        seconds = len(audio) / 24000
        # Every syllable is there: 0.15-0.45 s a syllable including pauses (a cut-off stream
        # would have lost a third of them); the end is speech, not a truncation's silence.
        assert 0.15 * syllables < seconds < 0.45 * syllables, (kind, seconds, syllables)
        tail = audio[-24000 * 3:]
        assert float(np.sqrt(np.mean(tail**2))) > 0.01, kind
        report(f"10,000-character chapter via the API ({kind}, concurrently with the other): "
               f"{seconds / 60:.1f} min of audio for {syllables} syllables in {took:.0f} s")
    whole_s, streamed_s = (len(got[k][1]) / 24000 for k in ("whole", "streamed"))
    assert abs(whole_s - streamed_s) < 0.02 * whole_s  # the two plans differ only in the first cut
