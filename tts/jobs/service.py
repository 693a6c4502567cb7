"""Jobs as the API, the web page and the CLI see them: submit, describe, list, delete, files.

One `JobService` per server (or CLI run) holds the store, the segment files and the runner over
one Synthesizer. Every job request is built like any other request (`build_request`, strict
about reference clips), validated against the profile's job limit instead of the request limit,
and stored with its chapters; the runner does the rest.
"""

from __future__ import annotations

import dataclasses
import hashlib
import os
import re
import secrets
import shutil
import tempfile
import time
from pathlib import Path

from tts.jobs.books import Book, Chapter, book_from_text
from tts.jobs.files import FORMATS, JOB_CONTENT_TYPES, SUBTITLE_FORMATS, CorruptSegment, JobFiles
from tts.jobs.runner import JobRunner, options_to_json
from tts.jobs.store import Job, JobStore, NewJob
from tts.options import RequestError
from tts.request import RequestInput, build_request
from tts.ssml import is_ssml

STATE_DIR_ENV = "ZH_TTS_STATE_DIR"
JOBS_DB_ENV = "ZH_TTS_JOBS_DB"


def default_state_dir() -> Path:
    """$ZH_TTS_STATE_DIR, else the user's data directory: $XDG_DATA_HOME/zh-tts or ~/.local/share/zh-tts."""
    if os.environ.get(STATE_DIR_ENV):
        return Path(os.environ[STATE_DIR_ENV])
    base = os.environ.get("XDG_DATA_HOME") or Path.home() / ".local" / "share"
    return Path(base) / "zh-tts"


class JobService:
    def __init__(self, synth, state_dir: str | os.PathLike, db_url: str | None = None, start: bool = True,
                 runner_slots: int | None = None):
        self.synth = synth
        self._temporary = False  # temporary(): the state directory goes on close
        self.state_dir = Path(state_dir)
        self.state_dir.mkdir(parents=True, exist_ok=True)
        db_url = db_url or os.environ.get(JOBS_DB_ENV) or None
        self.store = JobStore(db_url) if db_url else JobStore.in_directory(self.state_dir)
        self.files = JobFiles(self.state_dir / "jobs", synth.sample_rate, synth.hop_size)
        self.limits = synth.profile.jobs
        self.runner = JobRunner(synth, self.store, self.files, slots=runner_slots)
        if start:
            self.runner.start()

    def ui_secret(self) -> str:
        """A random key kept in the state directory: the web page encrypts the job ids it keeps in
        the browser with it, and a restarted server must still be able to read them."""
        path = self.state_dir / "ui-secret"
        try:
            return path.read_text().strip()
        except FileNotFoundError:
            secret = secrets.token_urlsafe(24)
            try:
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:  # another process of this state directory made it first
                return path.read_text().strip()
            with os.fdopen(fd, "w") as f:
                f.write(secret)
            return secret

    @classmethod
    def temporary(cls, synth) -> JobService:
        """Over a fresh temporary directory, removed on close (an app made without a state dir)."""
        service = cls(synth, tempfile.mkdtemp(prefix="zh-tts-state-"))
        service._temporary = True
        return service

    def close(self) -> None:
        self.runner.stop()
        self.store.close()
        if self._temporary:
            shutil.rmtree(self.state_dir, ignore_errors=True)

    # ---- submitting ----

    def submit(self, owner: str, given: RequestInput, response_format: str = "mp3", book: Book | None = None,
               title: str = "", source: dict | None = None) -> Job:
        """A new job from a request's fields and either its text (`given.text`, chapters found at
        its headings) or a book read from a file; returns it as created (queued). RequestError
        (with its HTTP status) if refused."""
        if response_format not in FORMATS:
            raise RequestError(f"response_format must be one of {', '.join(FORMATS)}", "response_format")
        if book is None:
            if not isinstance(given.text, str) or not given.text.strip():
                raise RequestError("input is empty", "input")
            name = title or _first_line(given.text)
            if given.pinyin or is_ssml(given.text):  # readings, markup: they cover the whole text, one chapter
                book = Book(name, (Chapter(name, given.text.strip()),))
            else:
                book = book_from_text(given.text, name)
        elif given.pinyin:
            raise RequestError("pinyin cannot be given for a book file", "pinyin")
        if given.pinyin and len(book.chapters) > 1:
            raise RequestError("pinyin can only be given for a single chapter", "pinyin")
        text = "\n".join(c.text for c in book.chapters)
        if len(text) > self.limits.max_chars:
            raise RequestError(f"the job has {len(text)} characters; the limit is {self.limits.max_chars}", "input",
                               status=413)
        applied = build_request(dataclasses.replace(given, text=text), strict_reference=True)
        options = self.synth.validate(applied.options, max_chars=self.limits.max_chars)
        if options.pinyin or is_ssml(options.text):  # bad markup or a wrong count of readings: the caller's error, now
            self.synth.plan(options, long_form=True, max_chars=self.limits.max_chars)
        if self.store.active_count(owner) >= self.limits.max_active_per_client:
            raise RequestError(f"you already have {self.limits.max_active_per_client} jobs queued or running; "
                               "wait for one to finish or delete one", None, status=429)
        source = dict(source or {})
        source.setdefault("sha256", hashlib.sha256(text.encode("utf-8")).hexdigest())
        job_id = self.store.create(NewJob(
            owner=owner, response_format=response_format, options=options_to_json(options),
            chapters=[{"title": c.title, "text": c.text} for c in book.chapters],
            title=title or book.title, source=source))
        job = self.store.get(job_id)
        if job is None:  # just created in this transaction's store: only a broken database loses it
            raise RuntimeError(f"job {job_id} vanished from the store as it was created")
        self.runner.wake()
        return job

    # ---- reading ----

    def get(self, job_id: str, owner: str) -> Job | None:
        return self.store.get(job_id, owner)

    def list(self, owner: str, limit: int = 100) -> list[Job]:
        return self.store.list(owner, limit)

    def delete(self, job_id: str, owner: str) -> bool:
        """Cancel (a worker on it stops at its next segment) and delete, files included."""
        if not self.store.delete(job_id, owner):
            return False
        self.runner.wake()
        for purgeable in self.store.purgeable():
            self.files.remove(purgeable)
            self.store.purge(purgeable)
        return True

    def describe(self, job: Job, base: str = "/v1/jobs", detail: bool = True) -> dict:
        """The job as the API shows it."""
        rate = self.synth.sample_rate
        eta = None
        if job.status == "running" and job.attempt_started_at and job.done_chars > job.attempt_done_chars:
            pace = (time.time() - job.attempt_started_at) / (job.done_chars - job.attempt_done_chars)
            eta = round(max(0, job.total_chars - job.done_chars) * pace, 1)
        elif job.status == "done":
            eta = 0.0
        chapters = []
        per_chapter = self.store.chapter_progress(job.id) if detail else {}
        outputs = {out["index"]: out for out in (job.outputs or {}).get("chapters", [])}
        for n, chapter in enumerate(job.chapters):
            entry = {"index": n + 1, "title": chapter["title"], "chars": len(chapter["text"])}
            if detail:
                done, total, samples = per_chapter.get(n, (0, 0, 0))
                entry.update(done=done, total=total, audio_seconds=round(samples / rate, 2))
            out = outputs.get(n + 1)
            if out is not None:
                url = f"{base}/{job.id}/chapters/{n + 1}"
                entry.update(url=url, start_s=round(out["start_s"], 2),
                             subtitles={fmt: f"{url}/subtitles?format={fmt}" for fmt in SUBTITLE_FORMATS})
            chapters.append(entry)
        body = {
            "id": job.id, "object": "job", "status": job.status, "title": job.title,
            "created_at": round(job.created_at, 3), "response_format": job.response_format,
            "progress": {"done": job.done, "total": job.total or 0, "audio_seconds": round(job.audio_samples / rate, 2)},
            "eta_seconds": eta, "chapters": chapters, "error": job.error,
        }
        if job.status == "done":
            body["audio_url"] = f"{base}/{job.id}/audio"
            body["subtitles"] = {fmt: f"{base}/{job.id}/subtitles?format={fmt}" for fmt in SUBTITLE_FORMATS}
        return body

    def audio_file(self, job: Job, chapter: int | None = None, subtitles: str | None = None) -> tuple[Path, str, str]:
        """(path, content type, download name) of a done job's joined file or chapter (from 1),
        or with `subtitles` ("srt"/"vtt") their subtitles. RequestError 409 while not done, 404
        for no such chapter, 410 when the file is gone."""
        if job.status != "done" or not job.outputs:
            raise RequestError(f"the job is {job.status} ({job.done}/{job.total or 0} segments); its audio is "
                               "there once it is done", None, status=409)
        if chapter is None:
            entry = job.outputs["audio"]
            name = job.title or "book"
        else:
            entry = next((c for c in job.outputs["chapters"] if c["index"] == chapter), None)
            if entry is None:
                raise RequestError(f"no chapter {chapter} with audio: the job has {len(job.chapters)} chapters, "
                                   "numbered from 1", "chapter", status=404)
            name = f"{chapter:03d} {entry['title']}"
        if subtitles is not None:
            if subtitles not in SUBTITLE_FORMATS:
                raise RequestError(f"format must be one of {', '.join(SUBTITLE_FORMATS)}", "format")
            entry = entry["subtitles"][subtitles]
        try:
            path = self.files.output_path(job.id, entry)
        except CorruptSegment as exc:
            raise RequestError(f"the job's audio is no longer available ({exc})", None, status=410) from None
        return path, JOB_CONTENT_TYPES[entry["format"]], f"{name}.{entry['format']}"


def _first_line(text: str, limit: int = 30) -> str:
    """A title for a job sent without one: its first line, cut short."""
    line = next((line.strip() for line in text.splitlines() if line.strip()), "job")
    return line if len(line) <= limit else line[:limit] + "…"


def safe_name(text: str, limit: int = 80) -> str:
    """A file name from a title: no path separators or characters file systems refuse."""
    name = re.sub(r'[\x00-\x1f/\\:*?"<>|]+', "_", text).strip(" ._") or "untitled"
    return name[:limit]


def export(service: JobService, job: Job, out_dir: str | os.PathLike) -> list[Path]:
    """Copy a done job's files to `out_dir` under readable names: the joined file as its title,
    each chapter as "NNN title", each with its SRT subtitles beside it (hard links where the
    file system allows: books are large)."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    if job.outputs is None:
        raise ValueError(f"job {job.id} has no files yet: it is {job.status}")
    written = []
    entries = [(job.outputs["audio"], safe_name(job.title or "book"))]
    entries += [(c, f"{c['index']:03d} {safe_name(c['title'])}") for c in job.outputs["chapters"]]
    entries += [(entry["subtitles"]["srt"], stem) for entry, stem in entries if "subtitles" in entry]
    for entry, stem in entries:
        source = service.files.output_path(job.id, entry)
        target = out / f"{stem}.{entry['format']}"
        target.unlink(missing_ok=True)
        try:
            os.link(source, target)
        except OSError:
            shutil.copyfile(source, target)
        written.append(target)
    return written
