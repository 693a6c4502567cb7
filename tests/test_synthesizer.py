"""The synthesizer facade on the CPU: streaming, batching, faults, cache, metrics (plumbing on the tiny
random-weight voice, audio equality and cross-talk on the real models)."""

from __future__ import annotations

import dataclasses
import os
import threading
import time

import numpy as np
import pytest
import torch
from conftest import acoustic_int8, report, snr_db

from tts.engine import AcousticItem
from tts.options import RequestError, SynthesisOptions
from tts.serving.profiles import Profile, load_profile
from tts.serving.admission import RequestTimeout, ServiceBusy
from tts.synthesizer import Synthesizer

PARAGRAPH = ("人工智能正在改变我们的生活方式。今天天气很好，我们一起去公园散步吧！"
             "请问去火车站应该怎么走？北京是中华人民共和国的首都。谢谢大家的支持，我们明年再见！")


def variant(name: str = "cpu", **changes) -> Profile:
    """A built-in profile with some sections replaced, e.g. serving={"concurrency": 1}, on CPU devices."""
    profile = load_profile(name)
    fields = {"devices": dataclasses.replace(profile.devices, acoustic="cpu", vocoder="cpu")}
    for section, values in changes.items():
        fields[section] = dataclasses.replace(getattr(profile, section), **values)
    return dataclasses.replace(profile, **fields)


@pytest.fixture(scope="module")
def synth(engine, pipeline):
    s = Synthesizer(variant(), engine, pipeline, warm_up=False)
    yield s
    s.close()


def make(engine, pipeline, **changes) -> Synthesizer:
    return Synthesizer(variant(**changes), engine, pipeline, warm_up=False)


def test_result_carries_audio_pinyin_durations_and_timings(synth):
    result = synth.synthesize(SynthesisOptions("你好，世界。今天是2024年11月21日。"), use_cache=False)
    assert result.sample_rate == 24000 and result.audio.dtype == np.float32
    assert result.pinyin.startswith("ni2 hao3 shi4 jie4")
    assert "er4 ling2 er4 si4 nian2" in result.pinyin
    for seg in result.segments:
        assert len(seg.durations) == len(seg.phonemes) + 1  # + eos
        assert abs(sum(seg.durations) * 300 / 24000 - seg.speech_s) < 1e-6
    t = result.timings
    assert 0 < t.first_chunk_s <= t.total_s and t.audio_s == pytest.approx(len(result.audio) / 24000)
    assert t.rtf == pytest.approx(t.total_s / t.audio_s)


def test_every_segment_present_and_in_order(synth):
    result = synth.synthesize(SynthesisOptions(PARAGRAPH), use_cache=False)
    texts = "".join(seg.text for seg in result.segments)
    assert texts.replace(",", "，").replace("!", "！").replace("?", "？") == PARAGRAPH
    starts = [seg.start_s for seg in result.segments]
    assert starts == sorted(starts)
    total = sum(seg.speech_s + seg.pause_s for seg in result.segments)
    assert total == pytest.approx(len(result.audio) / 24000, abs=1e-6)


@pytest.mark.parametrize("profile_name", ["cpu", "cpu+int8", "gpu-16gb", "gpu-8gb", "gpu-small"])
def test_streamed_audio_equals_whole_segment_decoding(engine, pipeline, profile_name):
    """For each vocoder and each profile's chunk settings, the stream equals decoding whole mels;
    "cpu+int8": with the acoustic model in int8 (the cpu profile's precision.acoustic_int8)."""
    profile_name, _, precision = profile_name.partition("+")
    for quality, name in (("fast", "mb_melgan"), ("high", "hifigan")):
        if name not in engine.vocoders:
            pytest.fail(f"{name} is not loaded: run `python -m tts fetch`")
        profile = load_profile(profile_name)
        s = make(engine, pipeline, vocoder=dataclasses.asdict(profile.vocoder), text=dataclasses.asdict(profile.text),
                 acoustic=dataclasses.asdict(profile.acoustic))
        mels = []
        original = s._run_acoustic

        def spy(items, original=original):
            out = original(items)
            mels.extend(r.mel for r in out)
            return out

        s._run_acoustic = spy
        s.workers["cpu"].handlers["acoustic"] = spy
        try:
            with acoustic_int8(engine, precision == "int8"):
                result = s.synthesize(SynthesisOptions(PARAGRAPH, quality=quality), use_cache=False)
        finally:
            s.close()
        assert len(mels) == len(result.segments)
        worst = np.inf
        for seg, mel in zip(result.segments, mels):
            start = round(seg.start_s * 24000)
            streamed = result.audio[start : start + mel.shape[0] * 300]
            whole = engine.vocode(mel, name)
            worst = min(worst, snr_db(whole, streamed))
        report(f"streamed vs whole, profile {profile_name} chunking, {name}: worst segment SNR {worst:.1f} dB")
        assert worst >= 60.0, (profile_name, name, worst)


def test_first_chunk_comes_before_later_segments_are_computed(tiny_engine, tiny_pipeline):
    engine, pipeline = tiny_engine, tiny_pipeline
    s = make(engine, pipeline)
    log: list[int] = []
    original = s._run_acoustic

    def spy(items):
        log.extend(len(it.ids) for it in items)
        return original(items)

    s.workers["cpu"].handlers["acoustic"] = spy
    try:
        stream = s.stream(SynthesisOptions(PARAGRAPH), use_cache=False)
        first = next(stream)
        computed_at_first_chunk = len(log)
        rest = list(stream)
        assert len(first.audio) and rest
        segments = len(stream.result.segments)
    finally:
        s.close()
    assert segments >= 5
    assert computed_at_first_chunk <= 2  # segment 0, at most segment 1 queued behind its first block
    assert len(log) == segments


def test_first_segment_starts_before_iteration_and_nothing_competes_with_its_first_chunk(tiny_engine, tiny_pipeline):
    """stream() queues the first segment's acoustic call before the caller iterates; until the
    first chunk is handed out, no other work of the request is queued (the next segment's
    frontend and acoustic call wait behind it); the audio is the same as a whole synthesis."""
    s = make(tiny_engine, tiny_pipeline)
    log: list[int] = []
    original = s._run_acoustic
    began = threading.Event()

    def spy(items):
        log.extend(len(it.ids) for it in items)
        began.set()
        return original(items)

    s.workers["cpu"].handlers["acoustic"] = spy
    try:
        whole = s.synthesize(SynthesisOptions(PARAGRAPH), use_cache=False)
        log.clear()
        began.clear()
        stream = s.stream(SynthesisOptions(PARAGRAPH), use_cache=False)
        assert began.wait(30), "the first segment's acoustic call did not start before iteration"
        first = next(stream)
        assert len(log) == 1 and s.workers["cpu"].depth == 0
        rest = list(stream)
        closed = s.stream(SynthesisOptions(PARAGRAPH + "再见。"), use_cache=False)
        closed.close()  # never iterated: its queued first segment is cancelled, not left running
        assert all(f.done() for f in closed._state.futures)
    finally:
        s.close()
    streamed = np.concatenate([first.audio, *(c.audio for c in rest)])
    np.testing.assert_array_equal(streamed, whole.audio)


def test_a_stream_closed_before_its_first_read_gives_its_slot_back(tiny_engine, tiny_pipeline):
    """A caller that opens a stream and hangs up before reading it (a client gone while the
    response was being set up) must not keep a slot: with concurrency 1, a second request
    still gets one, and the first is counted as cancelled."""
    s = make(tiny_engine, tiny_pipeline)
    try:
        s.admission.concurrency = 1
        for use_cache in (False, True):  # a fresh synthesis and a cache replay alike
            opened = s.stream(SynthesisOptions("你好。"), use_cache=use_cache)
            assert s.admission.running == 1
            opened.close()
            opened.close()  # a second close releases nothing twice
            assert s.admission.running == 0
            assert s.synthesize(SynthesisOptions("你好。")).audio.size > 0
        assert s.metrics.requests.labels(status="cancelled")._value.get() == 2
    finally:
        s.close()


def test_batched_acoustic_output_equals_unbatched(engine, pipeline):
    items = [AcousticItem(p.ids) for text in ("你好。", "今天天气很好，我们一起去公园散步吧。", "谢谢！")
             for p in pipeline.prepare(text, 60)]
    alone = [engine.acoustic([it])[0] for it in items]
    together = engine.acoustic(items)
    for a, b in zip(alone, together):
        assert np.array_equal(a.durations, b.durations)
        torch.testing.assert_close(a.mel, b.mel, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("items_per_core,int8", [(True, False), (False, False), (True, True)],
                         ids=["items-per-core", "padded-batch", "items-per-core-int8"])
def test_concurrent_requests_never_receive_each_others_audio(engine, pipeline, items_per_core, int8):
    """Both ways a batch can run: items side by side one per core (the CPU profiles), or one
    padded batched call (CUDA devices; exercised here on the CPU); and the CPU profiles' way with
    the acoustic model in int8 (precision.acoustic_int8: each item is quantized on its own range)."""
    with acoustic_int8(engine, int8):
        _concurrent_requests_get_their_own_audio(engine, pipeline, items_per_core)


def _concurrent_requests_get_their_own_audio(engine, pipeline, items_per_core: bool) -> None:
    s = make(engine, pipeline, serving={"concurrency": 12, "queue_size": 12},
             batching={"max_wait_ms": 20, "cpu_items_per_core": items_per_core})
    texts = [f"这是第{i}号测试句子，内容各不相同。" + "春夏秋冬"[i % 4] * (i % 3 + 1) for i in range(12)]
    reference = {t: s.synthesize(SynthesisOptions(t), use_cache=False).audio for t in texts}
    torch_threads: dict[str, set] = {}  # thread name -> torch thread counts seen there by the vocoder
    vocode = s.workers["cpu"].handlers["vocoder"]

    def spy(payloads):
        torch_threads.setdefault(threading.current_thread().name, set()).add(torch.get_num_threads())
        return vocode(payloads)

    s.workers["cpu"].handlers["vocoder"] = spy
    got: dict[str, np.ndarray] = {}
    errors = []

    def client(t):
        try:
            got[t] = s.synthesize(SynthesisOptions(t), use_cache=False).audio
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=client, args=(t,)) for t in texts]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    batches = s.metrics.registry.get_sample_value("tts_batch_size_sum", {"kind": "acoustic"})
    calls = s.metrics.registry.get_sample_value("tts_batch_size_count", {"kind": "acoustic"})
    s.synthesize(SynthesisOptions("最后单独一句。"), use_cache=False)  # its first block runs alone, on the worker
    s.close()
    assert not errors
    worst = min(snr_db(reference[t], got[t]) for t in texts)
    assert all(len(got[t]) == len(reference[t]) for t in texts)
    assert worst >= 40.0
    assert batches > calls  # some batches carried several requests' items
    report(f"12 concurrent distinct requests ({'items per core' if items_per_core else 'padded batches'}"
           f"{', int8 acoustic' if engine.acoustic_model.frame_level_int8 else ''}): "
           f"all matched their single-request audio (worst SNR {worst:.1f} dB); "
           f"acoustic items per batch {batches / calls:.2f}")
    # the helpers' one-thread setting is theirs alone: a thread started now still uses every core
    seen = []
    probe = threading.Thread(target=lambda: seen.append(torch.get_num_threads()))
    probe.start()
    probe.join()
    threads = s.profile.cpu.threads or os.cpu_count()
    assert seen == [threads]
    helpers = {n: c for n, c in torch_threads.items() if "-item" in n}
    assert torch_threads["batch-worker-cpu"] == {threads}
    if items_per_core and threads > 1:
        assert helpers and all(c == {1} for c in helpers.values()), torch_threads
    else:
        assert not helpers


def test_cache_answers_repeats_instantly(tiny_synth):
    synth = tiny_synth
    options = SynthesisOptions("缓存测试：同样的请求应该直接返回。")
    first = synth.synthesize(options)
    hits = synth.cache.stats().hits
    second = synth.synthesize(options)
    assert second.cached and not first.cached
    assert np.array_equal(first.audio, second.audio)
    assert synth.cache.stats().hits == hits + 1
    assert second.timings.total_s < first.timings.total_s
    other = synth.synthesize(dataclasses.replace(options, speed=1.2))
    assert not other.cached


def test_metrics_are_exposed(tiny_synth):
    synth = tiny_synth
    synth.synthesize(SynthesisOptions("指标。"), use_cache=False)
    text = synth.metrics.render().decode()
    for name in ("tts_requests_total", "tts_first_chunk_seconds_bucket", "tts_real_time_factor",
                 "tts_audio_seconds_total", "tts_cache_hits_total", "tts_queue_depth", "tts_device_memory_bytes",
                 "tts_batch_size"):
        assert name in text, name


def test_busy_when_slots_and_queue_are_full(tiny_engine, tiny_pipeline):
    engine, pipeline = tiny_engine, tiny_pipeline
    s = make(engine, pipeline, serving={"concurrency": 1, "queue_size": 1})
    running = s.stream(SynthesisOptions("第一个请求占用唯一的合成位置。"), use_cache=False)
    next(running)
    waiter_done = threading.Event()

    def waiter():
        s.synthesize(SynthesisOptions("第二个请求排队等待。"), use_cache=False)
        waiter_done.set()

    thread = threading.Thread(target=waiter)
    thread.start()
    deadline = time.monotonic() + 5
    while s.admission.waiting == 0 and time.monotonic() < deadline:
        time.sleep(0.01)
    with pytest.raises(ServiceBusy) as busy:
        s.stream(SynthesisOptions("第三个请求被拒绝。"))
    assert busy.value.status == 503
    running.close()
    thread.join(timeout=60)
    assert waiter_done.is_set()
    assert 'tts_requests_total{status="rejected"} 1.0' in s.metrics.render().decode()
    s.close()


def test_a_stalled_request_times_out_its_work_stops_and_others_still_finish(tiny_engine, tiny_pipeline):
    """The timeout measures progress: a vocoder call that hangs past `stall_timeout_s` fails the
    request (its queued work is cancelled); a slow request that keeps progressing is
    tests/test_long_form.py's."""
    engine, pipeline = tiny_engine, tiny_pipeline
    s = make(engine, pipeline, serving={"stall_timeout_s": 1.0})
    calls = []
    original = s._run_vocoder

    def hangs_once(payloads):
        calls.append(len(payloads))
        if len(calls) == 3:
            time.sleep(3.0)  # a wedged call: nothing of the request finishes meanwhile
        return original(payloads)

    s.workers["cpu"].handlers["vocoder"] = hangs_once
    with pytest.raises(RequestTimeout, match="no progress for 1 s"):
        s.synthesize(SynthesisOptions(PARAGRAPH * 2), use_cache=False)
    time.sleep(3.0)  # the hanging call returns
    settled = len(calls)
    time.sleep(1.0)
    assert len(calls) == settled  # nothing of the timed-out request is still being computed
    s.workers["cpu"].handlers["vocoder"] = original
    assert len(s.synthesize(SynthesisOptions("超时之后的请求照常完成。"), use_cache=False).audio)
    assert 'tts_requests_total{status="timeout"} 1.0' in s.metrics.render().decode()
    s.close()


def test_a_failing_request_does_not_take_others_down(tiny_engine, tiny_pipeline):
    engine, pipeline = tiny_engine, tiny_pipeline
    s = make(engine, pipeline, serving={"concurrency": 8}, batching={"max_wait_ms": 30})
    original = s._run_acoustic
    poison = np.log2(1.9)  # the energy shift of requests with energy=1.9

    def fragile(items):
        if any(abs(float(np.mean(it.energy_shift)) - poison) < 1e-6 for it in items):
            raise RuntimeError("simulated model failure")
        return original(items)

    s.workers["cpu"].handlers["acoustic"] = fragile
    outcomes: dict[str, object] = {}

    def client(name, options):
        try:
            outcomes[name] = s.synthesize(options, use_cache=False)
        except Exception as exc:  # noqa: BLE001
            outcomes[name] = exc

    jobs = [("bad", SynthesisOptions("这个请求会失败。", energy=1.9))] + [
        (f"ok{i}", SynthesisOptions(f"正常的请求{i}号。")) for i in range(5)]
    threads = [threading.Thread(target=client, args=job) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    s.close()
    assert isinstance(outcomes["bad"], RuntimeError)
    assert all(len(outcomes[f"ok{i}"].audio) for i in range(5))


def test_vocoder_out_of_memory_retries_in_smaller_chunks(tiny_engine, tiny_pipeline):
    engine, pipeline = tiny_engine, tiny_pipeline
    """A simulated CUDA OOM on long vocoder calls: the call is redone in halves, exactly."""
    s = make(engine, pipeline, vocoder={"block_frames": 160})
    model = engine.vocoders["mb_melgan"]
    real_forward = model.forward
    fail_above = 100

    def forward(mel):
        if mel.shape[1] > fail_above:
            raise torch.OutOfMemoryError("CUDA out of memory. Tried to allocate 2.00 GiB (simulated)")
        return real_forward(mel)

    text = "科学家们发现了一种新的治疗方法，可以有效缓解病人的疼痛。"
    expected = s.synthesize(SynthesisOptions(text), use_cache=False).audio
    model.forward = forward
    try:
        result = s.synthesize(SynthesisOptions(text), use_cache=False)
    finally:
        model.forward = real_forward
    assert snr_db(expected, result.audio) >= 60.0
    assert 'tts_fallbacks_total{kind="vocoder_smaller_chunks"}' in s.metrics.render().decode()
    s.close()


def test_a_segment_too_long_for_the_model_is_split_and_spoken(synth):
    text = "人工智能技术的快速发展正在深刻地改变着我们每一个人的日常生活方式和工作方式以及思维方式"
    result = synth.synthesize(SynthesisOptions(text, speed=0.25), use_cache=False)
    syllables = len(result.pinyin.split())
    assert syllables == len(text)
    assert result.timings.audio_s > 0.12 * syllables * 4  # every syllable spoken, four times slower


@pytest.mark.parametrize("options,field_name", [
    (SynthesisOptions(""), "text"), (SynthesisOptions("   \n"), "text"),
    (SynthesisOptions("你好", speed=5.0), "speed"), (SynthesisOptions("你好", pitch=float("nan")), "pitch"),
    (SynthesisOptions("你好", voice="nobody"), "voice"), (SynthesisOptions("你好", emotion="bored"), "emotion"),
    (SynthesisOptions("你好", quality="ultra"), "quality"), (SynthesisOptions("你" * 10001), "text"),
])
def test_bad_options_are_clear_errors(tiny_synth, options, field_name):
    synth = tiny_synth
    with pytest.raises(RequestError) as err:
        synth.stream(options)
    assert err.value.field == field_name
    assert synth.admission.running == 0  # nothing leaked


def test_text_with_nothing_to_speak_is_a_clear_error(tiny_synth):
    synth = tiny_synth
    with pytest.raises(RequestError, match="nothing to speak"):
        synth.synthesize(SynthesisOptions("🙂🙂？！"), use_cache=False)
    assert synth.admission.running == 0


@pytest.mark.real_weights  # loads the fetched models itself
def test_from_profile_detects_and_warms_up():
    s = Synthesizer.from_profile()
    try:
        assert s.profile.name == "cpu" and s.reason.startswith("detected")
        info = s.info()
        assert info["acoustic_device"] == "cpu" and "mb_melgan" in info["vocoders"]
        assert s.metrics.render()  # warm-up went through the whole path
    finally:
        s.close()
