"""The job runner: worker threads that claim jobs from the store and speak them segment by segment.

A job runs as background work through the synthesizer (`Synthesizer.segment_stream`): a
background admission slot, below interactive requests on the device workers. Its chapters are
planned by the pipeline exactly as a request would be (long-form: the same text always gives the
same segments); each finished segment is written to its file and recorded in the store before
the next is counted, so a killed server loses at most the segments in flight. A restarted (or
another) worker claims the job once its lease has run out, checks every recorded segment's file
against its checksum, redoes what is missing or damaged, and goes on; outputs are made when all
segments are there.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import threading
import time

from sqlalchemy.exc import SQLAlchemyError

from tts.jobs.files import ChapterAudio, CorruptSegment, DiskFull, JobFiles
from tts.jobs.store import Job, JobStore, LeaseLost, PlannedRow, worker_id
from tts.options import Prosody, RequestError, SynthesisOptions
from tts.pipeline import PlannedSegment
from tts.serving.admission import RequestTimeout
from tts.serving.batching import lower_priority
from tts.timing.alignment import Piece

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 5  # claims of one job before it is failed (e.g. it stalls every time)
MAX_REPAIRS = 3  # rounds of redoing damaged segments before giving up


class Interrupted(Exception):
    """The runner is stopping (server shutdown, Ctrl-C): the job is handed back, not failed."""


def options_to_json(options: SynthesisOptions) -> dict:
    """A job's options as stored: everything but the text (the chapters hold that)."""
    data = dataclasses.asdict(options)
    data.pop("text")
    return data


def options_from_json(data: dict, text: str = "") -> SynthesisOptions:
    values = dict(data)
    values["prosody"] = Prosody(**values.get("prosody", {}))
    return SynthesisOptions(text=text, **values)


def timing_to_json(done) -> str:
    """A segment's timing pieces as stored: their start counted from the segment's own start
    (a resumed job's runs start anywhere), character offsets in its chapter's text."""
    base = done.infos[0].start_s if done.infos else 0.0
    return json.dumps([[list(p.syllables), list(p.phoneme_syllable), list(p.durations),
                        [list(x) for x in p.syllable_sources], [list(x) for x in p.char_sources],
                        round(p.start_s - base, 6), p.ends_sentence] for p in done.timing], ensure_ascii=False)


def timing_from_json(data: str | None) -> list[Piece]:
    """Stored pieces, timed from their segment's start (empty for a segment recorded without)."""
    return [Piece(tuple(syl), tuple(owner), tuple(dur), tuple(map(tuple, syl_src)), tuple(map(tuple, char_src)),
                  start, ends) for syl, owner, dur, syl_src, char_src, start, ends in json.loads(data or "[]")]


@dataclasses.dataclass(frozen=True)
class PlannedJob:
    segments: list[PlannedSegment]  # every segment of the job, `index` numbering them across chapters
    chapters: list[int]  # per segment, its chapter (0-based)

    def rows(self) -> list[PlannedRow]:
        return [PlannedRow(p.index, c, len(p.segment.text), _identity(p)) for p, c in zip(self.segments, self.chapters)]


def _identity(p: PlannedSegment) -> str:
    """What makes a planned segment's audio: a change here means its file is for another text."""
    key = "\x00".join((p.segment.text, repr(p.segment.pause_after), repr(p.controls), repr(p.readings)))
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def plan_job(synth, job: Job) -> PlannedJob:
    """Each chapter planned by the pipeline (long-form), segments numbered across the book."""
    options = options_from_json(job.options)
    segments: list[PlannedSegment] = []
    chapters: list[int] = []
    for n, chapter in enumerate(job.chapters):
        try:
            planned = synth.plan(dataclasses.replace(options, text=chapter["text"]), long_form=True,
                                 max_chars=synth.profile.jobs.max_chars).segments
        except RequestError as exc:
            if "nothing to speak" in str(exc):
                continue  # a chapter of symbols only: it has no audio, the others go on
            raise
        for p in planned:
            segments.append(dataclasses.replace(p, index=len(segments)))
            chapters.append(n)
    if not segments:
        raise RequestError("the job has nothing to speak (no Chinese, letters or digits)", "input")
    return PlannedJob(segments, chapters)


class JobRunner:
    """`slots` worker threads (default: the admission's background slots) running claimed jobs."""

    def __init__(self, synth, store: JobStore, files: JobFiles, slots: int | None = None, poll_s: float = 2.0):
        self.synth = synth
        self.store = store
        self.files = files
        self.slots = slots or synth.admission.background_slots
        self.poll_s = poll_s
        self.lease_s = synth.profile.jobs.lease_s
        self.worker = worker_id()
        self._stopping = threading.Event()
        self._wake = threading.Condition()
        self._threads: list[threading.Thread] = []
        self._running: dict[str, threading.Event] = {}  # job id -> its stop signal
        self._lock = threading.Lock()

    # ---- lifecycle ----

    def start(self) -> JobRunner:
        expired = self.store.expire_dead_leases()
        if expired:
            log.info("took over %d job(s) of a previous server process", expired)
        for n in range(self.slots):
            thread = threading.Thread(target=self._loop, name=f"job-runner-{n}", daemon=True)
            thread.start()
            self._threads.append(thread)
        return self

    def stop(self, timeout: float = 30.0) -> None:
        """Stop claiming, hand running jobs back (their finished segments are kept)."""
        self._stopping.set()
        with self._lock:
            for signal in self._running.values():
                signal.set()
        self.wake()
        for thread in self._threads:
            thread.join(timeout)

    def wake(self) -> None:
        """A job was submitted (or deleted): look now rather than at the next poll."""
        with self._wake:
            self._wake.notify_all()

    def _loop(self) -> None:
        lower_priority()  # a job's own work (planning, the frontend, files) yields the cores to requests
        while not self._stopping.is_set():
            try:
                self._purge()
                job = self.store.claim(self.worker, self.lease_s)
            except SQLAlchemyError as exc:
                log.warning("job store unavailable: %s", exc)
                job = None
            if job is None:
                with self._wake:
                    self._wake.wait(self.poll_s)
                continue
            self.run(job)

    def _purge(self) -> None:
        for job_id in self.store.purgeable():
            self.files.remove(job_id)
            self.store.purge(job_id)

    # ---- one job ----

    def run(self, job: Job) -> str:
        """Work on a claimed job until it is done, fails, is cancelled or the runner stops.
        Returns what became of it: done, failed, cancelled, lost or interrupted."""
        stop = threading.Event()
        with self._lock:
            self._running[job.id] = stop
        beat = threading.Thread(target=self._heartbeat, args=(job.id, stop), name=f"job-lease-{job.id[:12]}",
                                daemon=True)
        beat.start()
        try:
            if job.attempts > MAX_ATTEMPTS:
                raise RequestError(f"gave up after {MAX_ATTEMPTS} attempts", None)
            self._work(job, stop)
            return "done"
        except Interrupted:
            self._quietly(self.store.release, job.id, self.worker)
            return "interrupted"
        except LeaseLost:
            current = self.store.get(job.id)
            if current is None:  # deleted: nothing of it is wanted any more
                self._quietly(self.store.let_go, job.id, self.worker)
                self._purge()
                return "cancelled"
            return "lost"
        except RequestTimeout as exc:  # a stall: try again later from where it stopped
            log.warning("job %s stalled (%s); handing it back", job.id, exc)
            self._quietly(self.store.release, job.id, self.worker)
            return "interrupted"
        except (RequestError, DiskFull) as exc:
            log.warning("job %s failed: %s", job.id, exc)
            self._quietly(self.store.fail, job.id, self.worker, str(exc))
            return "failed"
        except SQLAlchemyError as exc:  # e.g. the database's disk is full: keep serving, fail the job if possible
            log.error("job %s: job store error: %s", job.id, exc)
            self._quietly(self.store.fail, job.id, self.worker, f"job store error: {exc.__class__.__name__}: "
                                                                f"{str(exc).splitlines()[0][:200]}")
            return "failed"
        except Exception as exc:  # noqa: BLE001 - one job's failure must not stop the runner
            log.exception("job %s failed", job.id)
            self._quietly(self.store.fail, job.id, self.worker, f"internal error: {exc.__class__.__name__}: {exc}")
            return "failed"
        finally:
            stop.set()
            beat.join()
            with self._lock:
                self._running.pop(job.id, None)

    def _quietly(self, fn, *args) -> None:
        try:
            fn(*args)
        except (SQLAlchemyError, LeaseLost) as exc:
            log.warning("job store: %s", exc)

    def _heartbeat(self, job_id: str, stop: threading.Event) -> None:
        """Renew the lease while the job runs: a long segment or a wait for a slot must not let
        it expire. A failed renewal (cancelled, deleted, taken over) stops the work."""
        while not stop.wait(self.lease_s / 3):
            try:
                self.store.renew(job_id, self.worker, self.lease_s)
            except LeaseLost:
                stop.set()
                return
            except SQLAlchemyError as exc:
                log.warning("job %s: could not renew its lease: %s", job_id, exc)

    def _work(self, job: Job, stop: threading.Event) -> None:
        options = options_from_json(job.options)
        planned = plan_job(self.synth, job)
        for idx in self.store.record_plan(job.id, self.worker, planned.rows()):
            log.info("job %s: segment %d was planned differently before; redoing it", job.id, idx)
        for _ in range(MAX_REPAIRS):
            rows = self.store.segments(job.id)
            damaged = [r.idx for r in rows if r.done and not self.files.check_segment(job.id, r.file, r.sha256)]
            if damaged:
                log.warning("job %s: %d segment file(s) missing or damaged; redoing them", job.id, len(damaged))
                self.store.redo(job.id, self.worker, damaged)
            todo = [planned.segments[r.idx] for r in rows if not r.done or r.idx in damaged]
            if todo:
                self._speak(job, options, todo, len(planned.segments), stop)
            try:
                outputs = self._assemble(job, planned)
            except CorruptSegment as exc:  # damaged between the check and its use: redo and try again
                log.warning("job %s: %s", job.id, exc)
                continue
            self.store.finish(job.id, self.worker, outputs)
            return
        raise RequestError(f"segment files kept being damaged after {MAX_REPAIRS} repairs; check the disk", None)

    def _speak(self, job: Job, options: SynthesisOptions, todo: list[PlannedSegment], total: int,
               stop: threading.Event) -> None:
        stream = self.synth.segment_stream(options, todo, total, stop=stop)
        if stream is None:
            self._stopped(stop)
        with stream:
            for done in stream:
                name, sha = self.files.write_segment(job.id, done.index, done.speech)
                self.store.segment_done(job.id, self.worker, done.index, name, sha, len(done.speech), done.pause,
                                        self.lease_s, timing_to_json(done))
                if stop.is_set():
                    self._stopped(stop)

    def _stopped(self, stop: threading.Event):
        if self._stopping.is_set():
            raise Interrupted()
        raise LeaseLost("the job was cancelled or taken over")

    def _assemble(self, job: Job, planned: PlannedJob) -> dict:
        rows = self.store.segments(job.id)
        chapters = []
        for n, chapter in enumerate(job.chapters):
            mine = [(r.file, r.sha256, r.samples, r.pause) for r in rows if r.chapter == n]
            if mine:
                chapters.append(ChapterAudio(n + 1, chapter["title"], mine, chapter["text"],
                                             [timing_from_json(r.timing) for r in rows if r.chapter == n]))
        return self.files.write_outputs(job.id, job.title, chapters, job.response_format)

    def run_job(self, job_id: str, wait_s: float | None = None) -> str:
        """Claim one job and run it on this thread (the CLI). Waits up to `wait_s` (None: the
        lease) for a lease another process holds to run out. Returns what became of it."""
        deadline = time.monotonic() + (self.lease_s + 1 if wait_s is None else wait_s)
        self.store.expire_dead_leases()
        while True:
            job = self.store.claim(self.worker, self.lease_s, job_id)
            if job is not None:
                return self.run(job)
            current = self.store.get(job_id)
            if current is None or current.status not in ("queued", "running"):
                return current.status if current else "cancelled"
            if time.monotonic() > deadline or self._stopping.is_set():
                return "busy"
            time.sleep(0.5)
