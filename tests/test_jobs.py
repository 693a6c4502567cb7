"""Durable jobs: the store's claims and leases, the runner resuming after a crash with the same
audio, damaged segment files redone, a full disk, cancellation, credentials, bad requests — on
the tiny random-weight voice — then a real server process killed with SIGKILL mid-job and
restarted, and one job end to end with the real weights."""

from __future__ import annotations

import base64
import errno
import io
import os
import re
import signal
import subprocess
import sys
import threading
import time
import wave
from pathlib import Path

import httpx
import numpy as np
import pytest
from conftest import cpu_variant, slow_vocoder, ROOT, decode_any, read_markers, report, snr_db
from webserver import free_port, serve

from tts.jobs.files import CorruptSegment, JobFiles
from tts.jobs.runner import JobRunner
from tts.jobs.service import JobService
from tts.jobs.store import JobStore, LeaseLost, NewJob, PlannedRow
from tts.request import RequestInput

BOOK = ("第一章 春天\n春天来了，小草从地下探出头来。桃花开了，粉红粉红的，像一片片云霞。"
        "燕子从南方飞回来了，在屋檐下筑巢。\n"
        "第二章 夏天\n夏天到了，荷塘里的荷花开得正旺。孩子们在树荫下乘凉，听爷爷讲故事。"
        "蝉在树上不停地叫着。\n"
        "第三章 秋天\n秋天是收获的季节，田野里一片金黄。农民伯伯忙着收割稻谷，脸上露出了丰收的笑容。")


make = cpu_variant  # the CPU profile, some keys replaced


def wait_for(predicate, timeout: float = 120.0, every: float = 0.1):
    """Poll until predicate() is truthy (its value) or fail after `timeout` (generous, never a threshold)."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"condition not met within {timeout} s")
        time.sleep(every)


def wav_audio(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32767


def job_audio(service: JobService, job_id: str) -> np.ndarray:
    path, _, _ = service.audio_file(service.store.get(job_id))
    return wav_audio(path.read_bytes())


def segment_audio(service: JobService, job_id: str) -> list[np.ndarray]:
    return [service.files.read_segment(job_id, r.file, r.sha256, r.samples) for r in service.store.segments(job_id)]


@pytest.fixture
def slow_synth(tiny_engine, tiny_pipeline):
    """The tiny voice with short leases and a slowed vocoder, so a test can act in the middle of a job."""
    s = make(tiny_engine, tiny_pipeline, jobs={"lease_s": 2.0})
    slow_vocoder(s, 0.05)
    yield s
    s.close()


# ---- the store: claims and leases ----

def new_job(store: JobStore, owner: str = "me", text: str = "你好。") -> str:
    return store.create(NewJob(owner, "wav", {}, [{"title": "t", "text": text}]))


def test_a_claim_is_exclusive_until_its_lease_runs_out(tmp_path):
    store = JobStore.in_directory(tmp_path)
    job_id = new_job(store)
    first = store.claim("worker-a", lease_s=1.0)
    assert first.id == job_id and first.status == "running" and first.attempts == 1
    assert store.claim("worker-b", lease_s=1.0) is None  # held
    store.record_plan(job_id, "worker-a", [PlannedRow(0, 0, 3, "x")])
    time.sleep(1.2)  # worker-a dies silently: its lease runs out
    second = store.claim("worker-b", lease_s=30.0)
    assert second.id == job_id and second.attempts == 2
    with pytest.raises(LeaseLost):  # the old holder can no longer record work
        store.segment_done(job_id, "worker-a", 0, "f", "sha", 10, 0, 30.0)
    store.segment_done(job_id, "worker-b", 0, "f", "sha", 10, 0, 30.0)
    assert store.get(job_id).done == 1


def test_concurrent_claims_never_share_a_job(tmp_path):
    """Sixteen workers on two connections each race for eight jobs: every job goes to exactly one."""
    store_a, store_b = JobStore.in_directory(tmp_path), JobStore.in_directory(tmp_path)
    ids = {new_job(store_a, text=f"第{i}个。") for i in range(8)}
    won: list[tuple[str, str]] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        store = (store_a, store_b)[n % 2]
        while (job := store.claim(f"w{n}", lease_s=60)) is not None:
            with lock:
                won.append((job.id, f"w{n}"))

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(16)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(j for j, _ in won) == sorted(ids)


def test_jobs_are_claimed_fairly_between_owners(tmp_path):
    """A owns a running job and two queued ones; B's job, submitted last, is claimed next."""
    store = JobStore.in_directory(tmp_path)
    a_running, a_next, a_last = (new_job(store, "a", f"第{i}个。") for i in range(3))
    b_job = new_job(store, "b")
    assert store.claim("w1", lease_s=60).id == a_running
    assert store.claim("w2", lease_s=60).id == b_job
    assert [store.claim(f"w{n}", lease_s=60).id for n in (3, 4)] == [a_next, a_last]


def test_a_dead_local_process_lease_is_taken_over_at_once(tmp_path):
    """A restarted server need not wait for the lease of its killed predecessor on this host."""
    store = JobStore.in_directory(tmp_path)
    job_id = new_job(store)
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    import socket

    ghost = f"{socket.gethostname()}:{dead.stdout.strip()}:cafe"
    assert store.claim(ghost, lease_s=3600).id == job_id
    assert store.claim("other", lease_s=60) is None
    assert store.expire_dead_leases() == 1
    assert store.claim("other", lease_s=60).id == job_id


# ---- the runner: a job, a crash, a resume ----

class Crash(BaseException):
    """A worker dying mid-job (not an error it could handle): nothing is released or failed."""


def crash_after(runner: JobRunner, segments: int) -> None:
    """The runner (with JobFiles of its own) dies when it is about to write its next segment."""
    write = runner.files.write_segment
    count = {"n": 0}

    def writes_then_dies(job_id, idx, audio):
        if count["n"] == segments:
            raise Crash()
        count["n"] += 1
        return write(job_id, idx, audio)

    runner.files.write_segment = writes_then_dies


def test_a_job_resumes_after_a_crash_and_its_audio_equals_an_uninterrupted_run(slow_synth, tmp_path):
    service = JobService(slow_synth, tmp_path, start=False)
    reference = service.submit("me", RequestInput(BOOK), "wav").id
    assert service.runner.run_job(reference) == "done"
    job_id = service.submit("me", RequestInput(BOOK), "wav").id
    crashed = JobRunner(slow_synth, service.store, JobFiles(service.files.root))
    crash_after(crashed, 3)
    with pytest.raises(Crash):
        crashed.run(service.store.claim(crashed.worker, slow_synth.profile.jobs.lease_s, job_id))
    job = service.store.get(job_id)
    assert job.status == "running" and job.done == 3 and job.total > 3
    before = {r.idx: (service.files.job_dir(job_id) / r.file).stat().st_mtime_ns
              for r in service.store.segments(job_id) if r.done}

    resumed = JobRunner(slow_synth, service.store, JobFiles(service.files.root))  # another worker, after the lease ran out
    assert resumed.run_job(job_id) == "done"
    after = {r.idx: (service.files.job_dir(job_id) / r.file).stat().st_mtime_ns
             for r in service.store.segments(job_id) if r.idx in before}
    assert after == before  # the segments done before the crash were kept, not redone
    assert service.store.get(job_id).attempts == 2
    ours, theirs = segment_audio(service, job_id), segment_audio(service, reference)
    assert [len(a) for a in ours] == [len(a) for a in theirs]  # same segments, same lengths
    assert min(snr_db(b, a) for a, b in zip(ours, theirs) if len(a)) >= 60
    whole, uninterrupted = job_audio(service, job_id), job_audio(service, reference)
    assert len(whole) == len(uninterrupted) and snr_db(uninterrupted, whole) >= 60
    subtitles = [service.audio_file(service.store.get(j), subtitles="srt")[0].read_text() for j in (job_id, reference)]
    assert subtitles[0] == subtitles[1] and "-->" in subtitles[0]  # timed from each segment: a resume changes nothing
    service.close()


def test_missing_and_damaged_segment_files_are_found_and_redone(slow_synth, tmp_path):
    service = JobService(slow_synth, tmp_path, start=False)
    job_id = service.submit("me", RequestInput(BOOK), "wav").id
    crashed = JobRunner(slow_synth, service.store, JobFiles(service.files.root))
    crash_after(crashed, 4)
    with pytest.raises(Crash):
        crashed.run(service.store.claim(crashed.worker, slow_synth.profile.jobs.lease_s, job_id))
    rows = [r for r in service.store.segments(job_id) if r.done and r.file]
    damaged, missing = (service.files.job_dir(job_id) / rows[0].file), (service.files.job_dir(job_id) / rows[2].file)
    data = bytearray(damaged.read_bytes())
    data[len(data) // 2] ^= 0xFF
    damaged.write_bytes(bytes(data))
    missing.unlink()
    with pytest.raises(CorruptSegment):
        service.files.read_segment(job_id, rows[0].file, rows[0].sha256, rows[0].samples)

    redone = []
    resumed = JobRunner(slow_synth, service.store, JobFiles(service.files.root))
    write = resumed.files.write_segment
    resumed.files.write_segment = lambda j, idx, audio: (redone.append(idx), write(j, idx, audio))[1]
    assert resumed.run_job(job_id) == "done"
    assert {rows[0].idx, rows[2].idx} <= set(redone) and rows[1].idx not in redone
    for r in service.store.segments(job_id):  # every file intact again
        assert service.files.check_segment(job_id, r.file, r.sha256)
    assert len(job_audio(service, job_id)) == sum(r.samples + r.pause for r in service.store.segments(job_id)) \
        + int(1.5 * 24000) * 2  # two gaps between three chapters
    service.close()


def test_a_full_disk_fails_the_job_clearly_and_the_server_keeps_serving(slow_synth, tmp_path, monkeypatch):
    import builtins

    import tts.jobs.files as files_module

    writes = {"n": 0}
    real_open = builtins.open

    class FullDisk(io.RawIOBase):
        def writable(self):
            return True

        def write(self, data):
            raise OSError(errno.ENOSPC, "No space left on device")

    def open_on_a_filling_disk(path, mode="r", *args, **kwargs):
        if "w" in mode and str(path).endswith(".tmp") and "segments" in str(path):
            writes["n"] += 1
            if writes["n"] > 2:
                return FullDisk()
        return real_open(path, mode, *args, **kwargs)

    monkeypatch.setattr(files_module, "open", open_on_a_filling_disk, raising=False)
    service = JobService(slow_synth, tmp_path)
    with serve(slow_synth, ui=False, jobs=service) as url:
        job_id = httpx.post(f"{url}/v1/jobs", json={"input": BOOK, "response_format": "wav"}).json()["id"]
        job = wait_for(lambda: (j := httpx.get(f"{url}/v1/jobs/{job_id}").json())["status"] in ("failed", "done") and j)
        assert job["status"] == "failed"
        assert "no space left" in job["error"] and str(tmp_path) in job["error"]
        assert job["progress"]["done"] == 2
        assert not list((tmp_path / "jobs" / job_id / "segments").glob("*.tmp"))  # no half-written file left
        # The server goes on: speech, health, and (space freed) a new job.
        assert httpx.post(f"{url}/v1/audio/speech", json={"input": "还在工作。", "response_format": "wav"},
                          timeout=60).status_code == 200
        assert httpx.get(f"{url}/healthz").json()["status"] == "ok"
        monkeypatch.setattr(files_module, "open", real_open, raising=False)
        again = httpx.post(f"{url}/v1/jobs", json={"input": "空间释放以后。", "response_format": "wav"}).json()["id"]
        assert wait_for(lambda: httpx.get(f"{url}/v1/jobs/{again}").json()["status"] == "done")
    service.close()


def test_deleting_a_running_job_stops_it_and_removes_its_files(slow_synth, tmp_path):
    service = JobService(slow_synth, tmp_path)
    job_id = service.submit("me", RequestInput(BOOK * 3), "wav").id
    wait_for(lambda: (service.store.get(job_id) or service.store.get(job_id)).done >= 2)
    calls = []
    vocode = slow_synth.workers["cpu"].handlers["vocoder"]
    slow_synth.workers["cpu"].handlers["vocoder"] = lambda p: (calls.append(1), vocode(p))[1]
    assert service.delete(job_id, "me")
    assert service.get(job_id, "me") is None
    wait_for(lambda: not (tmp_path / "jobs" / job_id).exists())  # the runner let go and purged it
    settled = len(calls)
    time.sleep(1.0)
    assert len(calls) == settled  # nothing more is computed for it
    assert not service.delete(job_id, "me")
    slow_synth.workers["cpu"].handlers["vocoder"] = vocode
    service.close()


# ---- the HTTP API ----

@pytest.fixture
def jobs_url(tiny_synth, tmp_path):
    service = JobService(tiny_synth, tmp_path)
    with serve(tiny_synth, ui=False, jobs=service) as url:
        yield url
    service.close()


def test_a_job_through_the_api(jobs_url):
    url = jobs_url
    r = httpx.post(f"{url}/v1/jobs", json={"input": BOOK, "voice": "alloy", "speed": 1.2, "response_format": "wav",
                                           "title": "四季"})
    assert r.status_code == 202
    body = r.json()
    assert body["status"] == "queued" and r.headers["location"] == f"/v1/jobs/{body['id']}"
    assert len(body["id"]) >= 32 and [c["title"] for c in body["chapters"]] == ["第一章 春天", "第二章 夏天", "第三章 秋天"]
    job = wait_for(lambda: (j := httpx.get(f"{url}/v1/jobs/{body['id']}").json())["status"] == "done" and j)
    assert job["progress"]["done"] == job["progress"]["total"] > 3 and job["eta_seconds"] == 0
    assert job["title"] == "四季" and job["error"] is None
    joined = httpx.get(f"{url}{job['audio_url']}")
    assert joined.status_code == 200 and joined.headers["content-type"] == "audio/wav"
    audio = wav_audio(joined.content)
    chapters = [wav_audio(httpx.get(f"{url}{c['url']}").content) for c in job["chapters"]]
    assert len(audio) == sum(map(len, chapters)) + 2 * int(1.5 * 24000)
    start = 0
    for listed, chapter in zip(job["chapters"], chapters):  # the joined file is the chapters, with gaps
        assert listed["start_s"] == pytest.approx(start / 24000, abs=0.01)
        assert np.array_equal(audio[start:start + len(chapter)], chapter)
        start += len(chapter) + int(1.5 * 24000)
    assert job["progress"]["audio_seconds"] == pytest.approx(sum(map(len, chapters)) / 24000, abs=0.01)
    # Subtitles per chapter and for the joined file: every character of the chapter in its cues,
    # the joined file's cues the chapters' own, moved to where each chapter starts.
    import srt
    import webvtt

    per_chapter = [list(srt.parse(httpx.get(f"{url}{c['subtitles']['srt']}").text)) for c in job["chapters"]]
    joined_cues = list(srt.parse(httpx.get(f"{url}{job['subtitles']['srt']}").text))
    assert len(joined_cues) == sum(map(len, per_chapter)) and all(per_chapter)
    book_chapters = [f"{t}\n{b}" for t, b in (part.split("\n", 1) for part in BOOK.replace("\n第", "\n\x00第").split("\n\x00"))]
    assert len(book_chapters) == len(job["chapters"]) == 3
    at = iter(joined_cues)
    for listed, cues, text in zip(job["chapters"], per_chapter, book_chapters):
        assert "".join(c.content for c in cues) == re.sub(r"\s", "", text)
        assert cues[-1].end.total_seconds() <= listed["audio_seconds"] + 0.01
        for cue in cues:
            moved = next(at)
            assert moved.content == cue.content
            assert moved.start.total_seconds() == pytest.approx(cue.start.total_seconds() + listed["start_s"], abs=0.01)
    vtt = httpx.get(f"{url}{job['chapters'][0]['subtitles']['vtt']}")
    assert vtt.headers["content-type"].startswith("text/vtt") and len(webvtt.from_string(vtt.text).captions) == len(per_chapter[0])
    assert httpx.get(f"{url}/v1/jobs/{body['id']}/subtitles?format=ass").status_code == 400
    listed = httpx.get(f"{url}/v1/jobs").json()["data"]
    assert [j["id"] for j in listed] == [body["id"]]
    assert httpx.get(f"{url}/v1/jobs/{body['id']}/chapters/4").status_code == 404
    assert httpx.delete(f"{url}/v1/jobs/{body['id']}").json()["deleted"] is True
    assert httpx.get(f"{url}/v1/jobs/{body['id']}").status_code == 404
    assert httpx.get(f"{url}/v1/jobs/{body['id']}/audio").status_code == 404


def test_audio_of_an_unfinished_job_is_409(slow_synth, tmp_path):
    service = JobService(slow_synth, tmp_path)
    with serve(slow_synth, ui=False, jobs=service) as url:
        job_id = httpx.post(f"{url}/v1/jobs", json={"input": BOOK * 4}).json()["id"]
        r = httpx.get(f"{url}/v1/jobs/{job_id}/audio")
        assert r.status_code == 409 and "once it is done" in r.json()["error"]["message"]
        httpx.delete(f"{url}/v1/jobs/{job_id}")
    service.close()


@pytest.mark.parametrize("payload,status,param", [
    ({"input": ""}, 400, "input"),
    ({"input": "你好", "voice": "nobody"}, 400, "voice"),
    ({"input": "你好", "response_format": "mp4"}, 400, "response_format"),
    ({"input": "你好", "speed": 9}, 400, "speed"),
    ({"input": "你好", "stream": True}, 400, "stream"),
    ({"input": "你好", "colour": "red"}, 400, "colour"),
    ({"input": BOOK, "pinyin": "ni3 hao3"}, 400, "pinyin"),
    ({"input": "你好", "reference_audio": base64.b64encode(b"not audio").decode()}, 400, "reference_audio"),
])
def test_bad_job_requests_are_4xx(jobs_url, payload, status, param):
    r = httpx.post(f"{jobs_url}/v1/jobs", json=payload)
    assert r.status_code == status, r.text
    assert r.json()["error"]["param"] == param


def test_a_job_takes_a_book_sized_input_and_defaults_to_mp3(tiny_synth, tmp_path):
    """The profile as shipped: a job's input may be far longer than one request's (2,000,000
    characters by default, against /v1/audio/speech's max_request_chars), and its audio is mp3
    unless asked otherwise."""
    limit = tiny_synth.profile.jobs.max_chars
    assert limit == 2_000_000 and limit > tiny_synth.profile.text.max_request_chars
    queued = JobService(tiny_synth, tmp_path / "queued", start=False)  # nothing runs: only what is accepted
    with serve(tiny_synth, ui=False, jobs=queued) as url:
        book = ("第一章 开始\n" + "春天来了，小草从地下探出头来。" * (limit // 15))[:limit]
        assert len(book) == limit
        accepted = httpx.post(f"{url}/v1/jobs", json={"input": book}, timeout=120)
        assert accepted.status_code == 202, accepted.text[:300]
        assert accepted.json()["response_format"] == "mp3"
        over = httpx.post(f"{url}/v1/jobs", json={"input": book + "。"}, timeout=120)
        assert over.status_code == 413 and over.json()["error"]["param"] == "input"
        speech = httpx.post(f"{url}/v1/audio/speech", json={"input": book[:tiny_synth.profile.text.max_request_chars + 1]},
                            timeout=120)
        assert speech.status_code == 413  # the same text is too long for one request
    queued.close()
    service = JobService(tiny_synth, tmp_path / "run")
    with serve(tiny_synth, ui=False, jobs=service) as url:
        job_id = httpx.post(f"{url}/v1/jobs", json={"input": BOOK}).json()["id"]
        job = wait_for(lambda: (j := httpx.get(f"{url}/v1/jobs/{job_id}").json())["status"] in ("done", "failed") and j)
        assert job["status"] == "done", job["error"]
        joined = httpx.get(f"{url}/v1/jobs/{job_id}/audio")
        assert joined.headers["content-type"] == "audio/mpeg"
        assert [t for _, t in read_markers(joined.content, ".mp3")] == ["第一章 春天", "第二章 夏天", "第三章 秋天"]
        chapter = httpx.get(f"{url}/v1/jobs/{job_id}/chapters/1")
        assert chapter.headers["content-type"] == "audio/mpeg"
        seconds = len(decode_any(joined.content, ".mp3")) / 24000
        assert seconds == pytest.approx(job["progress"]["audio_seconds"] + 2 * 1.5, abs=0.2)
    service.close()


def test_the_state_directory_defaults_to_the_users_data_directory(monkeypatch, tmp_path):
    from tts.jobs.service import default_state_dir
    from tts.apps.serve import parse_args

    monkeypatch.delenv("ZH_TTS_STATE_DIR", raising=False)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert default_state_dir() == tmp_path / "home" / ".local" / "share" / "zh-tts"
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert default_state_dir() == tmp_path / "data" / "zh-tts"
    monkeypatch.setenv("ZH_TTS_STATE_DIR", str(tmp_path / "state"))
    assert default_state_dir() == tmp_path / "state"
    assert parse_args(["--state-dir", "/srv/tts"]).state_dir == "/srv/tts" and parse_args([]).state_dir is None


def test_job_limits_length_and_active_jobs_per_client(tiny_engine, tiny_pipeline, tmp_path):
    s = make(tiny_engine, tiny_pipeline, jobs={"max_chars": 500, "max_active_per_client": 2})
    service = JobService(s, tmp_path, start=False)  # nothing runs: the jobs stay queued
    with serve(s, ui=False, jobs=service) as url:
        too_long = httpx.post(f"{url}/v1/jobs", json={"input": "长" * 501})
        assert too_long.status_code == 413
        assert httpx.post(f"{url}/v1/jobs", json={"input": "一。"}).status_code == 202
        assert httpx.post(f"{url}/v1/jobs", json={"input": "二。"}).status_code == 202
        third = httpx.post(f"{url}/v1/jobs", json={"input": "三。"})
        assert third.status_code == 429 and "2 jobs" in third.json()["error"]["message"]
        other = httpx.post(f"{url}/v1/jobs", json={"input": "四。"}, headers={"Authorization": "Bearer another"})
        assert other.status_code == 202  # another client has its own allowance
    service.close()
    s.close()


def test_jobs_belong_to_their_credentials(tiny_synth, tmp_path):
    """Without --auth: each API key sees only its own jobs (404 for the rest, as for none)."""
    service = JobService(tiny_synth, tmp_path)
    with serve(tiny_synth, ui=False, jobs=service) as url:
        alice, bob = {"Authorization": "Bearer key-alice"}, {"Authorization": "Bearer key-bob"}
        job_id = httpx.post(f"{url}/v1/jobs", json={"input": "爱丽丝的工作。", "response_format": "wav"},
                            headers=alice).json()["id"]
        wait_for(lambda: httpx.get(f"{url}/v1/jobs/{job_id}", headers=alice).json()["status"] == "done")
        for who in (bob, {}):
            assert httpx.get(f"{url}/v1/jobs/{job_id}", headers=who).status_code == 404
            assert httpx.get(f"{url}/v1/jobs/{job_id}/audio", headers=who).status_code == 404
            assert httpx.get(f"{url}/v1/jobs/{job_id}/chapters/1", headers=who).status_code == 404
            assert httpx.delete(f"{url}/v1/jobs/{job_id}", headers=who).status_code == 404
            assert httpx.get(f"{url}/v1/jobs", headers=who).json()["data"] == []
        assert httpx.get(f"{url}/v1/jobs/{job_id}/audio", headers=alice).status_code == 200
    service.close()


def test_with_auth_jobs_need_the_login(tiny_synth, tmp_path):
    service = JobService(tiny_synth, tmp_path)
    with serve(tiny_synth, ui=False, jobs=service, auth=("alice", "s3cret")) as url:
        basic = {"Authorization": "Basic " + base64.b64encode(b"alice:s3cret").decode()}
        bearer = {"Authorization": "Bearer s3cret"}
        assert httpx.post(f"{url}/v1/jobs", json={"input": "你好。"}).status_code == 401
        job_id = httpx.post(f"{url}/v1/jobs", json={"input": "登录以后的工作。"}, headers=bearer).json()["id"]
        for route in (f"/v1/jobs/{job_id}", f"/v1/jobs/{job_id}/audio", "/v1/jobs"):
            assert httpx.get(url + route).status_code == 401
            assert httpx.get(url + route, headers={"Authorization": "Bearer wrong"}).status_code == 401
        assert httpx.delete(f"{url}/v1/jobs/{job_id}").status_code == 401
        assert httpx.get(f"{url}/v1/jobs/{job_id}", headers=basic).status_code == 200  # the same user either way
        assert [j["id"] for j in httpx.get(f"{url}/v1/jobs", headers=basic).json()["data"]] == [job_id]
        assert httpx.delete(f"{url}/v1/jobs/{job_id}", headers=basic).status_code == 200
    service.close()


# ---- a real server process killed with SIGKILL, then restarted ----

class ServerProcess:
    def __init__(self, state_dir: Path, log: Path, slow_ms: float):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "a")
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "tests" / "jobs_server.py"), "--port", str(self.port), "--state-dir",
             str(state_dir), "--slow-ms", str(slow_ms)], cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._up, timeout=120, every=0.2)

    def _up(self) -> bool:
        if self.proc.poll() is not None:
            raise AssertionError(f"the server exited with {self.proc.returncode}")
        try:
            return httpx.get(f"{self.url}/healthz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()


def test_a_job_survives_kill_9_and_its_audio_equals_an_uninterrupted_run(tmp_path):
    state = tmp_path / "state"
    text = BOOK * 2
    server = ServerProcess(state, tmp_path / "server.log", slow_ms=40)
    try:
        job_id = httpx.post(f"{server.url}/v1/jobs", json={"input": text, "response_format": "wav"}).json()["id"]
        job = wait_for(lambda: (j := httpx.get(f"{server.url}/v1/jobs/{job_id}").json())["progress"]["done"] >= 4 and j)
        server.kill()  # SIGKILL: no handler runs, the lease is left held
        assert job["status"] == "running" and job["progress"]["done"] < job["progress"]["total"]
        server = ServerProcess(state, tmp_path / "server.log", slow_ms=0)
        resumed = wait_for(lambda: (j := httpx.get(f"{server.url}/v1/jobs/{job_id}").json())["status"] == "done" and j)
        reference_id = httpx.post(f"{server.url}/v1/jobs", json={"input": text, "response_format": "wav"}).json()["id"]
        wait_for(lambda: httpx.get(f"{server.url}/v1/jobs/{reference_id}").json()["status"] == "done")
        audio = wav_audio(httpx.get(f"{server.url}/v1/jobs/{job_id}/audio").content)
        reference = wav_audio(httpx.get(f"{server.url}/v1/jobs/{reference_id}/audio").content)
    finally:
        server.stop()
    assert_resumed_like_an_uninterrupted_run(state, job_id, reference_id, audio, reference)
    report(f"kill -9 mid-job: resumed at segment {job['progress']['done']} of {job['progress']['total']}, "
           f"final audio {len(audio) / 24000:.1f} s equal to an uninterrupted run "
           f"(SNR {snr_db(reference, audio):.0f} dB); job done {resumed['progress']['done']}/{resumed['progress']['total']}")


def assert_resumed_like_an_uninterrupted_run(state: Path, job_id: str, reference_id: str, audio: np.ndarray,
                                             reference: np.ndarray) -> None:
    """The killed and resumed job's segments equal the uninterrupted reference job's, one by one,
    it was taken up again (not started over), and its joined audio equals the reference's."""
    store = JobStore.in_directory(state)
    ours, theirs = store.segments(job_id), store.segments(reference_id)
    assert [(r.samples, r.pause) for r in ours] == [(r.samples, r.pause) for r in theirs]  # segment by segment
    assert store.get(job_id).attempts == 2  # taken up again, not started over
    assert len(audio) == len(reference) and snr_db(reference, audio) >= 60


class AppProcess(ServerProcess):
    """`python app.py --no-ui` itself, on the real weights, its state directory from
    $ZH_TTS_STATE_DIR (the flag's twin; the browser test passes --state-dir)."""

    def __init__(self, state_dir: Path, log: Path, weights: Path):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = open(log, "a")
        env = {**os.environ, "ZH_TTS_STATE_DIR": str(state_dir), "ZH_TTS_DATA_DIR": str(weights)}
        for name in ("ZH_TTS_JOBS_DB", "ZH_TTS_AUTH", "ZH_TTS_HOST", "ZH_TTS_PORT"):
            env.pop(name, None)
        self.proc = subprocess.Popen(
            [sys.executable, str(ROOT / "app.py"), "--no-ui", "--profile", "cpu", "--port", str(self.port)],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT)
        wait_for(self._up, timeout=300, every=0.2)


def test_a_job_survives_kill_9_of_app_py_with_the_real_voice(weights_dir, tmp_path):
    """The issue's CI case on the real weights and the real entry point: app.py is killed with
    SIGKILL mid-job, started again on the same state directory; the job resumes and its audio
    equals an uninterrupted run's, segment by segment."""
    state = tmp_path / "state"
    text = BOOK * 6
    server = AppProcess(state, tmp_path / "app.log", weights_dir)
    try:
        job_id = httpx.post(f"{server.url}/v1/jobs", json={"input": text, "response_format": "wav"}).json()["id"]
        job = wait_for(lambda: (j := httpx.get(f"{server.url}/v1/jobs/{job_id}").json())["progress"]["done"] >= 4 and j,
                       timeout=600, every=0.05)
        server.kill()
        assert job["status"] == "running" and job["progress"]["done"] < job["progress"]["total"]
        assert (state / "jobs.db").is_file() and list((state / "jobs" / job_id / "segments").glob("*.flac"))
        server = AppProcess(state, tmp_path / "app.log", weights_dir)
        resumed = wait_for(lambda: (j := httpx.get(f"{server.url}/v1/jobs/{job_id}").json())["status"]
                           in ("done", "failed") and j, timeout=600)
        assert resumed["status"] == "done", resumed["error"]
        reference_id = httpx.post(f"{server.url}/v1/jobs", json={"input": text, "response_format": "wav"}).json()["id"]
        reference_job = wait_for(lambda: (j := httpx.get(f"{server.url}/v1/jobs/{reference_id}").json())["status"]
                                 in ("done", "failed") and j, timeout=600)
        assert reference_job["status"] == "done", reference_job["error"]
        audio = wav_audio(httpx.get(f"{server.url}/v1/jobs/{job_id}/audio").content)
        reference = wav_audio(httpx.get(f"{server.url}/v1/jobs/{reference_id}/audio").content)
    finally:
        server.stop()
    assert_resumed_like_an_uninterrupted_run(state, job_id, reference_id, audio, reference)
    assert float(np.sqrt(np.mean(audio**2))) > 0.02  # speech, not silence
    report(f"kill -9 of app.py mid-job (real voice): resumed at segment {job['progress']['done']} of "
           f"{job['progress']['total']}, {len(audio) / 24000:.1f} s of audio equal to an uninterrupted run "
           f"(SNR {snr_db(reference, audio):.0f} dB)")


# ---- real weights ----

def test_a_job_with_the_real_voice_end_to_end(url, pipeline):
    r = httpx.post(f"{url}/v1/jobs", json={"input": BOOK, "response_format": "m4b", "emotion": "gentle"})
    assert r.status_code == 202
    job_id = r.json()["id"]
    job = wait_for(lambda: (j := httpx.get(f"{url}/v1/jobs/{job_id}").json())["status"] in ("done", "failed") and j,
                   timeout=600)
    assert job["status"] == "done", job["error"]
    m4b = httpx.get(f"{url}/v1/jobs/{job_id}/audio")
    assert m4b.headers["content-type"] == "audio/mp4" and m4b.content[4:8] == b"ftyp"
    audio = decode_any(m4b.content, ".m4b")
    syllables = len(pipeline.frontend.pinyin(BOOK))
    assert 0.15 * syllables < len(audio) / 24000 < 0.45 * syllables + 3 * 1.5
    assert [t for _, t in read_markers(m4b.content, ".m4b")] == ["第一章 春天", "第二章 夏天", "第三章 秋天"]
    import srt

    for chapter in job["chapters"]:
        got = httpx.get(f"{url}{chapter['url']}")
        speech = decode_any(got.content, ".m4a")
        assert got.status_code == 200 and float(np.sqrt(np.mean(speech**2))) > 0.01
        cues = list(srt.parse(httpx.get(f"{url}{chapter['subtitles']['srt']}").text))
        assert cues[0].content.startswith(chapter["title"].split()[0])  # the heading is read first
        assert cues[-1].end.total_seconds() <= len(speech) / 24000 + 0.1
    httpx.delete(f"{url}/v1/jobs/{job_id}")


# ---- fair sharing and per-client limits ----

def test_background_work_never_holds_back_interactive_work():
    """A CPU worker runs jobs' items in a lane of their own: an interactive item runs at once,
    whatever background work is queued or running."""
    from tts.serving.batching import BACKGROUND, BatchWorker

    done: list[str] = []

    def handler(payloads):
        for kind in payloads:
            if kind == "background":
                time.sleep(0.3)
            done.append(kind)
        return payloads

    worker = BatchWorker("cpu", {"work": handler}, max_batch=8, max_wait_s=0.0, parallel=2)
    try:
        background = worker.submit_many("work", [("background", None)] * 6, BACKGROUND)
        time.sleep(0.05)  # the lane has started on them
        worker.submit("work", "interactive").result(timeout=30)
        finished_before = done.count("background")
        for f in background:
            f.result(timeout=30)
    finally:
        worker.stop()
    assert finished_before < 6  # it did not wait for the jobs' queue to drain
    assert done.index("interactive") < len(done) - 1


def test_on_a_single_queue_interactive_items_go_first():
    """Workers without a background lane (a GPU) serve the most urgent priority first."""
    from tts.serving.batching import BACKGROUND, BatchWorker

    order: list[str] = []
    gate = threading.Event()

    def handler(payloads):
        gate.wait(10)
        order.extend(payloads)
        return payloads

    worker = BatchWorker("cuda", {"work": handler}, max_batch=1, max_wait_s=0.0, parallel=1)
    try:
        first = worker.submit("work", "b0", priority=BACKGROUND)  # taken at once, held at the gate
        time.sleep(0.1)
        later = worker.submit_many("work", [("b1", None), ("b2", None)], BACKGROUND)
        urgent = worker.submit("work", "i0")
        gate.set()
        for f in [first, *later, urgent]:
            f.result(timeout=10)
    finally:
        worker.stop()
    assert order == ["b0", "i0", "b1", "b2"]


def test_jobs_hold_at_most_their_share_of_slots_and_yield_to_waiting_requests():
    from tts.serving.admission import Admission

    admission = Admission(concurrency=4, queue_size=8, background_slots=2)
    stop = threading.Event()
    assert admission.acquire_background(stop) and admission.acquire_background(stop)
    stop.set()
    assert not admission.acquire_background(stop, poll_s=0.05)  # a third job waits: the jobs' share is taken
    stop.clear()
    assert admission.acquire(1.0) == 0.0 and admission.acquire(1.0) == 0.0  # requests still get theirs: full
    admission.release(background=True)  # one job done: 3 running, 1 of them a job
    got: list[str] = []
    job = threading.Thread(target=lambda: admission.acquire_background(stop) and got.append("job"))
    request = threading.Thread(target=lambda: admission.acquire(30.0) is not None and got.append("request"))
    assert admission.acquire(1.0) == 0.0  # full again
    request.start()
    wait_for(lambda: admission.waiting == 1)
    job.start()
    admission.release()  # a slot frees while a request and a job both wait: the request gets it
    wait_for(lambda: got == ["request"])
    admission.release()
    wait_for(lambda: got == ["request", "job"])
    assert admission.background == 2 and admission.running == 4
    request.join()
    job.join()


def test_waiting_requests_are_served_fairly_between_clients():
    """Client A holds the only slot and queues three more before B queues one: B goes next (A
    was just served), not after all of A's."""
    from tts.serving.admission import Admission

    admission = Admission(concurrency=1, queue_size=8)
    admission.acquire(1.0, "a")
    served: list[str] = []
    lock = threading.Lock()

    def request(client: str, name: str) -> None:
        admission.acquire(30.0, client)
        with lock:
            served.append(name)

    threads = []
    for client, name in (("a", "a1"), ("a", "a2"), ("a", "a3"), ("b", "b1")):
        threads.append(threading.Thread(target=request, args=(client, name)))
        threads[-1].start()
        wait_for(lambda n=len(threads): admission.waiting == n)
    holder = "a"
    for n in range(4):
        admission.release(client=holder)  # the holder finishes; the next in line starts
        wait_for(lambda: len(served) == n + 1)
        holder = served[-1][0]
    assert served == ["b1", "a1", "a2", "a3"]


def test_a_client_with_one_request_in_flight_is_never_limited_at_the_defaults(tiny_synth):
    """The defaults `zh-tts serve` runs with: a script sending one sentence after another (the
    old request-rate limit answered 429 after about 35 of them)."""
    from tts.apps.serve import client_limits, parse_args

    with serve(tiny_synth, ui=False, **client_limits(parse_args([]), tiny_synth)) as url:
        statuses = [httpx.post(f"{url}/v1/audio/speech", json={"input": f"第{i}句。", "response_format": "pcm"},
                               timeout=60).status_code for i in range(60)]
    assert statuses == [200] * 60


def test_sharing_publicly_turns_stricter_limits_on():
    sys.path.insert(0, str(ROOT / "deploy"))
    from share import public_limits

    assert public_limits(["--auth", "a:b"]) == ["--auth", "a:b", "--client-concurrency", "1", "--rate-limit", "60"]
    assert public_limits(["--rate-limit=0"]) == ["--rate-limit=0", "--client-concurrency", "1"]  # yours win


# ---- the book command ----

@pytest.mark.real_weights  # the command loads the fetched weights itself
def test_the_book_command_resumes_after_ctrl_c(tmp_path):
    chapters = BOOK.split("\n第")
    text = "\n第".join(part + part.split("\n", 1)[1] * 3 if "\n" in part else part for part in chapters)
    book = tmp_path / "四季.txt"
    book.write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "tts", "book", str(book), "-o", str(out), "--format", "mp3"]
    # SIGINT at its default in the child, so Python turns it into KeyboardInterrupt even when the
    # suite itself runs with SIGINT ignored (started with `&` by a shell without job control).
    first = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                             preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))

    def progressed():
        if first.poll() is not None:
            raise AssertionError(f"the command ended early: {first.communicate()}")
        if not (out / ".zh-tts" / "jobs.db").exists():
            return None
        jobs = JobStore.in_directory(out / ".zh-tts").list("cli")
        return jobs and jobs[0].done >= 3 and jobs[0]

    wait_for(progressed, timeout=600, every=0.2)
    first.send_signal(signal.SIGINT)  # Ctrl-C
    _, err = first.communicate(timeout=120)
    assert first.returncode == 130 and "run the same command again to resume" in err
    store = JobStore.in_directory(out / ".zh-tts")
    job = store.list("cli")[0]
    assert job.status == "queued" and 3 <= job.done < job.total
    kept = {r.idx: (out / ".zh-tts" / "jobs" / job.id / r.file).stat().st_mtime_ns
            for r in store.segments(job.id) if r.done and r.file}

    second = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, timeout=900)
    assert second.returncode == 0, second.stderr
    assert f"resuming: {job.done} of {job.total} segments already done" in second.stderr
    assert re.search(rf"^\[#{{30}}\] 100\.0% {job.total}/{job.total} segments, \d+\.\d min of audio$", second.stderr,
                     re.MULTILINE), second.stderr  # the progress bar, to its end
    assert {idx: (out / ".zh-tts" / "jobs" / job.id / f"segments/{idx:06d}.flac").stat().st_mtime_ns
            for idx in kept} == kept  # what was done before Ctrl-C was not done again
    files = sorted(p.name for p in out.glob("*.mp3"))
    assert files == ["001 第一章 春天.mp3", "002 第二章 夏天.mp3", "003 第三章 秋天.mp3", "四季.mp3"], files
    assert sorted(p.name for p in out.glob("*.srt")) == [name.replace(".mp3", ".srt") for name in files]
    joined = decode_any((out / "四季.mp3").read_bytes(), ".mp3")
    parts = [decode_any((out / name).read_bytes(), ".mp3") for name in files[:3]]
    assert len(joined) / 24000 == pytest.approx(sum(map(len, parts)) / 24000 + 2 * 1.5, abs=0.3)
