"""The fair queue: a client's requests beyond its share wait for their turn (round-robin between
clients, bounded per client and in total), a full line is a 429/503 with Retry-After, and a
client that hangs up while waiting leaves the line."""

from __future__ import annotations

import json
import socket
import threading
import time
from urllib.parse import urlparse

import httpx
import pytest
from conftest import cpu_variant, slow_vocoder
from webserver import serve

from tts.serving.admission import (
    Abandoned,
    Admission,
    ClientQueueFull,
    ClientShare,
    ServiceBusy,
)


def wait_for(predicate, timeout: float = 120.0, every: float = 0.05):
    """Poll until predicate() is truthy or fail after `timeout` (generous, never a threshold)."""
    deadline = time.monotonic() + timeout
    while not (value := predicate()):
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)
    return value


@pytest.fixture
def slow_synth(tiny_engine, tiny_pipeline):
    """The tiny voice with a slowed vocoder, so requests are still running while a test acts."""
    s = cpu_variant(tiny_engine, tiny_pipeline)
    slow_vocoder(s, 0.05)
    yield s
    s.close()


# ---- admission itself ----

def test_a_client_over_its_share_waits_and_a_colleague_goes_first():
    admission = Admission(concurrency=4, queue_size=16)
    share = ClientShare(running=2, waiting=8)
    admission.acquire(1.0, "a", share)
    admission.acquire(1.0, "a", share)
    served: list[str] = []
    lock = threading.Lock()

    def request(client: str, name: str) -> None:
        admission.acquire(30.0, client, share)
        with lock:
            served.append(name)

    threads = [threading.Thread(target=request, args=("a", f"a{i}")) for i in range(3)]
    for n, thread in enumerate(threads):
        thread.start()
        wait_for(lambda n=n: admission.waiting == n + 1)  # free slots, yet a's third waits: its share is 2
    assert admission.running == 2 and served == []
    colleague = threading.Thread(target=request, args=("b", "b1"))
    colleague.start()
    colleague.join(30)
    assert served == ["b1"]  # a free slot, and b is below its share: no wait behind a's burst
    for n in range(3):
        admission.release(client="a")
        wait_for(lambda n=n: len(served) == n + 2)
    assert served == ["b1", "a0", "a1", "a2"]  # a's own requests in their arrival order
    for thread in threads:
        thread.join(30)


def test_a_client_whose_line_is_full_gets_client_queue_full_and_a_full_line_service_busy():
    admission = Admission(concurrency=1, queue_size=3)
    share = ClientShare(running=1, waiting=2)
    admission.acquire(1.0, "a", share)
    waiters = [threading.Thread(target=admission.acquire, args=(30.0, "a", share)) for _ in range(2)]
    for thread in waiters:
        thread.start()
    wait_for(lambda: admission.waiting == 2)
    with pytest.raises(ClientQueueFull) as refused:
        admission.acquire(1.0, "a", share)
    assert refused.value.status == 429
    other = threading.Thread(target=admission.acquire, args=(30.0, "b", share))
    other.start()
    wait_for(lambda: admission.waiting == 3)
    with pytest.raises(ServiceBusy) as busy:
        admission.acquire(1.0, "c", share)
    assert busy.value.status == 503 and not isinstance(busy.value, ClientQueueFull)
    for holder, left in (("a", 2), ("b", 1), ("a", 0)):  # b, never served yet, goes before a's second
        admission.release(client=holder)
        wait_for(lambda left=left: admission.waiting == left)
    for thread in (*waiters, other):
        thread.join(30)


def test_a_request_whose_caller_went_away_leaves_the_line():
    admission = Admission(concurrency=1, queue_size=4)
    admission.acquire(1.0, "a")
    stop = threading.Event()
    outcome: list[BaseException] = []

    def waiter() -> None:
        try:
            admission.acquire(30.0, "b", stop=stop)
        except Abandoned as exc:
            outcome.append(exc)

    thread = threading.Thread(target=waiter)
    thread.start()
    wait_for(lambda: admission.waiting == 1)
    stop.set()
    thread.join(30)
    assert len(outcome) == 1 and admission.waiting == 0 and admission.running == 1


# ---- over HTTP ----

def burst_texts(n: int) -> list[str]:
    """Distinct sentences (the audio cache would otherwise answer all but the first)."""
    return [f"这是第{i}个请求，内容稍微长一点，让合成需要一些时间。" for i in range(n)]


def test_a_burst_of_24_from_one_openai_client_completes_and_a_colleague_is_not_kept_behind_it(slow_synth):
    """The issue's scene: 24 parallel `client.audio.speech.create` calls from one OpenAI client
    (default retries) all succeed; a colleague (another address) sending one request during the
    burst is served before the burst's tail."""
    from openai import OpenAI

    from tts.apps.serve import client_limits, parse_args

    with serve(slow_synth, ui=False, **client_limits(parse_args([]), slow_synth)) as url:
        client = OpenAI(base_url=f"{url}/v1", api_key="team-key")
        finished: list[str] = []
        lock = threading.Lock()
        errors: list[Exception] = []

        def speak(i: int, text: str) -> None:
            try:
                audio = client.audio.speech.create(model="tts-1", voice="alloy", input=text, response_format="pcm")
                assert len(audio.content) > 0
                with lock:
                    finished.append(f"a{i}")
            except Exception as exc:  # noqa: BLE001 -- collected and reported by the assertion below
                errors.append(exc)

        burst = [threading.Thread(target=speak, args=(i, text)) for i, text in enumerate(burst_texts(24))]
        for thread in burst:
            thread.start()
        health = httpx.Client(base_url=url, timeout=30)
        wait_for(lambda: health.get("/healthz").json()["waiting"] >= 12)
        # Another address on the loopback network: another client, as far as the server can tell.
        colleague = httpx.Client(transport=httpx.HTTPTransport(local_address="127.0.0.2"), timeout=120)
        r = colleague.post(f"{url}/v1/audio/speech", json={"input": "同事的一句话，也不算太短。", "response_format": "pcm"})
        assert r.status_code == 200, r.text
        with lock:
            finished.append("b")
        for thread in burst:
            thread.join(300)
    assert not errors, errors[:3]
    assert sorted(finished) == sorted([f"a{i}" for i in range(24)] + ["b"])  # 24/24 and the colleague's
    after = len(finished) - 1 - finished.index("b")
    assert after >= 12, finished  # first come first served would have put b behind all of the burst


def test_a_full_line_answers_429_with_retry_after_and_a_hung_up_client_leaves_it(slow_synth):
    with serve(slow_synth, ui=False, client_concurrency=1, client_queue=1) as url:
        body = {"input": "这是一个需要一些时间的流式请求。" * 4, "response_format": "pcm", "stream": True}
        health = httpx.Client(base_url=url, timeout=30)
        with httpx.stream("POST", f"{url}/v1/audio/speech", json=body, timeout=60) as first:
            assert first.status_code == 200
            # A waiting request sent over a raw socket, so the test can hang up on it.
            address = urlparse(url)
            waiting = socket.create_connection((address.hostname, address.port), timeout=30)
            payload = json.dumps({**body, "input": "排队等候的请求。"}).encode()
            waiting.sendall(b"POST /v1/audio/speech HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                            + f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
            wait_for(lambda: health.get("/healthz").json()["waiting"] == 1)
            full = httpx.post(f"{url}/v1/audio/speech", json=body, timeout=60)
            assert full.status_code == 429 and int(full.headers["retry-after"]) >= 1
            assert "waiting" in full.json()["error"]["message"]
            waiting.close()  # hangs up while queued
            wait_for(lambda: health.get("/healthz").json()["waiting"] == 0)
            for _ in first.iter_bytes():
                pass
        assert httpx.post(f"{url}/v1/audio/speech", json={**body, "stream": False}, timeout=60).status_code == 200


def test_with_auth_a_client_is_the_user_however_it_authenticates(slow_synth):
    """Basic USER:PASS and Bearer PASS are the same user: one share, one line."""
    import base64

    basic = {"Authorization": "Basic " + base64.b64encode(b"team:secret").decode()}
    bearer = {"Authorization": "Bearer secret"}
    with serve(slow_synth, ui=False, auth=("team", "secret"), client_concurrency=1, client_queue=1) as url:
        body = {"input": "这是一个需要一些时间的流式请求。" * 4, "response_format": "pcm", "stream": True}
        health = httpx.Client(base_url=url, timeout=30)
        with httpx.stream("POST", f"{url}/v1/audio/speech", json=body, headers=basic, timeout=60) as first:
            assert first.status_code == 200
            waited: list[int] = []
            second = threading.Thread(target=lambda: waited.append(httpx.post(
                f"{url}/v1/audio/speech", json={**body, "stream": False}, headers=bearer, timeout=120).status_code))
            second.start()
            wait_for(lambda: health.get("/healthz").json()["waiting"] == 1)  # the same user: it waits
            third = httpx.post(f"{url}/v1/audio/speech", json=body, headers=bearer, timeout=60)
            assert third.status_code == 429
            for _ in first.iter_bytes():
                pass
        second.join(120)
        assert waited == [200]
