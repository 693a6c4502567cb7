"""The job store: jobs and their segments in a SQL database, through SQLAlchemy Core.

SQLite (a file under the state directory) is the embedded default; the same code runs on
PostgreSQL given its URL, so several replicas can share one queue. Work is handed out by leases:
a worker claims a job (status queued, or running under an expired lease) by writing its own id
and an expiry into the row, renews the lease as it goes, and records each finished segment only
while it still holds the lease. A killed worker simply stops renewing; once its lease expires the
job is claimed again and resumes from its last recorded segment.

Claims are a conditional UPDATE (compare-and-set on the lease), which is atomic on any database.
On PostgreSQL the candidate is first picked with SELECT ... FOR UPDATE SKIP LOCKED, so replicas
claiming at once each get a different job instead of all racing for the oldest; SQLite ignores
the clause and serializes writers itself (every transaction starts with BEGIN IMMEDIATE, so two
processes never deadlock upgrading a read to a write).
"""

from __future__ import annotations

import builtins
import json
import os
import secrets
import socket
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import (
    Boolean,
    Column,
    Float,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    and_,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import OperationalError

STATUSES = ("queued", "running", "done", "failed", "cancelled")
ACTIVE = ("queued", "running")

metadata = MetaData()

jobs = Table(
    "jobs", metadata,
    Column("id", String(64), primary_key=True),
    Column("owner", String(128), nullable=False, index=True),
    Column("status", String(16), nullable=False, index=True),
    Column("deleted", Boolean, nullable=False, default=False),  # DELETE seen; purged once no worker holds it
    Column("created_at", Float, nullable=False),
    Column("updated_at", Float, nullable=False),
    Column("title", Text, nullable=False, default=""),
    Column("response_format", String(8), nullable=False),
    Column("options", Text, nullable=False),  # JSON of the SynthesisOptions, text left out
    Column("chapters", Text, nullable=False),  # JSON [{"title", "text"}]: the job's input
    Column("source", Text, nullable=False, default=""),  # JSON: where the input came from (file name, hash)
    Column("total", Integer),  # planned segments (None until first planned)
    Column("done", Integer, nullable=False, default=0),
    Column("total_chars", Integer, nullable=False, default=0),
    Column("done_chars", Integer, nullable=False, default=0),
    Column("audio_samples", Integer, nullable=False, default=0),
    Column("error", Text),
    Column("outputs", Text),  # JSON, once done: the joined file and each chapter's file
    Column("lease_owner", String(160)),
    Column("lease_expires", Float),
    Column("attempts", Integer, nullable=False, default=0),
    Column("attempt_started_at", Float),  # for the ETA: this attempt's pace
    Column("attempt_done_chars", Integer, nullable=False, default=0),
    Column("finished_at", Float),
)

segments = Table(
    "segments", metadata,
    Column("job_id", String(64), primary_key=True),
    Column("idx", Integer, primary_key=True),
    Column("chapter", Integer, nullable=False),
    Column("chars", Integer, nullable=False),
    Column("text_sha", String(64), nullable=False),  # the planned text: a changed plan redoes the segment
    Column("done", Boolean, nullable=False, default=False),
    Column("file", String(255)),  # None for a segment with nothing to speak
    Column("sha256", String(64)),
    Column("samples", Integer, nullable=False, default=0),  # speech samples
    Column("pause", Integer, nullable=False, default=0),  # samples of silence after it
    Column("timing", Text),  # JSON: what the aligner needs for its subtitles, timed from the segment's start
)


class LeaseLost(RuntimeError):
    """This worker no longer holds the job (its lease expired and another took it, or the job
    was cancelled or deleted): it must stop working on it."""


@dataclass
class Job:
    """One row of `jobs`, decoded."""

    id: str
    owner: str
    status: str
    deleted: bool
    created_at: float
    updated_at: float
    title: str
    response_format: str
    options: dict
    chapters: list[dict]
    source: dict
    total: int | None
    done: int
    total_chars: int
    done_chars: int
    audio_samples: int
    error: str | None
    outputs: dict | None
    lease_owner: str | None
    lease_expires: float | None
    attempts: int
    attempt_started_at: float | None
    attempt_done_chars: int
    finished_at: float | None

    @classmethod
    def from_row(cls, row) -> Job:
        data = dict(row._mapping)
        for name, empty in (("options", {}), ("chapters", []), ("source", {}), ("outputs", None)):
            data[name] = json.loads(data[name]) if data[name] else empty
        return cls(**data)


@dataclass(frozen=True)
class SegmentRow:
    idx: int
    chapter: int
    chars: int
    text_sha: str
    done: bool
    file: str | None
    sha256: str | None
    samples: int
    pause: int
    timing: str | None = None


@dataclass(frozen=True)
class PlannedRow:
    """What the runner planned for one segment (recorded the first time a job is planned)."""

    idx: int
    chapter: int
    chars: int
    text_sha: str


@dataclass
class NewJob:
    owner: str
    response_format: str
    options: dict
    chapters: list[dict]
    title: str = ""
    source: dict = field(default_factory=dict)


def worker_id() -> str:
    """Who holds a lease: host, process id and a nonce (a restarted process is someone else)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


def new_job_id() -> str:
    """Unguessable: 192 random bits, URL-safe."""
    return "job_" + secrets.token_urlsafe(24)


class JobStore:
    """Jobs and segments in one database (a SQLAlchemy URL)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = self._connect(url)
        metadata.create_all(self.engine)

    @classmethod
    def in_directory(cls, state_dir: str | os.PathLike) -> JobStore:
        path = Path(state_dir) / "jobs.db"
        path.parent.mkdir(parents=True, exist_ok=True)
        return cls(f"sqlite:///{path}")

    @staticmethod
    def _connect(url: str) -> Engine:
        if not url.startswith("sqlite"):
            return create_engine(url, pool_pre_ping=True)
        engine = create_engine(url, connect_args={"timeout": 30, "check_same_thread": False})

        @event.listens_for(engine, "connect")
        def on_connect(dbapi_connection, _record) -> None:
            dbapi_connection.isolation_level = None  # transactions are begun below, not by the driver
            cursor = dbapi_connection.cursor()
            # WAL: readers never block the writer; FULL: a committed segment survives power loss too.
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA synchronous=FULL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def on_begin(connection) -> None:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

        return engine

    def close(self) -> None:
        self.engine.dispose()

    # ---- jobs ----

    def create(self, job: NewJob) -> str:
        now = time.time()
        job_id = new_job_id()
        total_chars = sum(len(c["text"]) for c in job.chapters)
        with self.engine.begin() as conn:
            conn.execute(insert(jobs).values(
                id=job_id, owner=job.owner, status="queued", deleted=False, created_at=now, updated_at=now,
                title=job.title, response_format=job.response_format,
                options=json.dumps(job.options, ensure_ascii=False),
                chapters=json.dumps(job.chapters, ensure_ascii=False),
                source=json.dumps(job.source, ensure_ascii=False), total_chars=total_chars))
        return job_id

    def get(self, job_id: str, owner: str | None = None) -> Job | None:
        """The job, unless deleted (or, with `owner`, someone else's)."""
        query = select(jobs).where(jobs.c.id == job_id, jobs.c.deleted.is_(False))
        if owner is not None:
            query = query.where(jobs.c.owner == owner)
        with self.engine.begin() as conn:
            row = conn.execute(query).first()
        return Job.from_row(row) if row else None

    def list(self, owner: str, limit: int = 100) -> list[Job]:
        query = (select(jobs).where(jobs.c.owner == owner, jobs.c.deleted.is_(False))
                 .order_by(jobs.c.created_at.desc()).limit(limit))
        with self.engine.begin() as conn:
            return [Job.from_row(r) for r in conn.execute(query)]

    def find(self, owner: str, source: dict) -> Job | None:
        """The newest of the owner's jobs made from exactly this source (the CLI resumes it)."""
        wanted = json.dumps(source, ensure_ascii=False)
        query = (select(jobs).where(jobs.c.owner == owner, jobs.c.source == wanted, jobs.c.deleted.is_(False))
                 .order_by(jobs.c.created_at.desc()).limit(1))
        with self.engine.begin() as conn:
            row = conn.execute(query).first()
        return Job.from_row(row) if row else None

    def active_count(self, owner: str) -> int:
        query = select(func.count()).select_from(jobs).where(
            jobs.c.owner == owner, jobs.c.status.in_(ACTIVE), jobs.c.deleted.is_(False))
        with self.engine.begin() as conn:
            return int(conn.execute(query).scalar_one())

    def delete(self, job_id: str, owner: str) -> bool:
        """Cancel and mark deleted (a worker on it notices at its next renewal); False if not found."""
        with self.engine.begin() as conn:
            result = conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.owner == owner,
                                                     jobs.c.deleted.is_(False))
                                  .values(deleted=True, status="cancelled", updated_at=time.time()))
        return result.rowcount == 1

    def purgeable(self) -> builtins.list[str]:
        """Deleted jobs no live worker holds: their rows and files can go."""
        now = time.time()
        query = select(jobs.c.id).where(jobs.c.deleted.is_(True), or_(jobs.c.lease_owner.is_(None),
                                                                       jobs.c.lease_expires < now))
        with self.engine.begin() as conn:
            return [r.id for r in conn.execute(query)]

    def purge(self, job_id: str) -> None:
        with self.engine.begin() as conn:
            conn.execute(delete(segments).where(segments.c.job_id == job_id))
            conn.execute(delete(jobs).where(jobs.c.id == job_id, jobs.c.deleted.is_(True)))

    # ---- leases ----

    def _claimable(self, now: float):
        return and_(jobs.c.status.in_(ACTIVE), jobs.c.deleted.is_(False),
                    or_(jobs.c.lease_owner.is_(None), jobs.c.lease_expires < now))

    def claim(self, worker: str, lease_s: float, job_id: str | None = None) -> Job | None:
        """Take the next claimable job (or `job_id`) under a lease of `lease_s`; None if none."""
        for _ in range(5):  # another worker may win the candidate between the pick and the update
            now = time.time()
            # Fair between clients: the job of the owner with the fewest jobs running goes first,
            # then the oldest (one client's ten books do not make everyone wait behind them).
            other = jobs.alias("other")
            running = (select(func.count()).select_from(other)
                       .where(other.c.owner == jobs.c.owner, other.c.status == "running",
                              other.c.deleted.is_(False), other.c.lease_expires >= now)
                       .scalar_subquery())
            pick = select(jobs.c.id).where(self._claimable(now))
            if job_id is not None:
                pick = pick.where(jobs.c.id == job_id)
            pick = pick.order_by(running, jobs.c.created_at).limit(1).with_for_update(skip_locked=True)
            with self.engine.begin() as conn:
                candidate = conn.execute(pick).scalar_one_or_none()
                if candidate is None:
                    return None
                won = conn.execute(update(jobs).where(jobs.c.id == candidate, self._claimable(now)).values(
                    status="running", lease_owner=worker, lease_expires=now + lease_s, updated_at=now,
                    attempts=jobs.c.attempts + 1, attempt_started_at=now, attempt_done_chars=jobs.c.done_chars,
                    error=None)).rowcount == 1
                if won:
                    return Job.from_row(conn.execute(select(jobs).where(jobs.c.id == candidate)).first())
        return None

    def renew(self, job_id: str, worker: str, lease_s: float) -> None:
        """Extend the lease; LeaseLost if the job was cancelled, deleted or taken over."""
        now = time.time()
        with self.engine.begin() as conn:
            if conn.execute(update(jobs).where(*self._held(job_id, worker))
                            .values(lease_expires=now + lease_s, updated_at=now)).rowcount != 1:
                raise LeaseLost(f"job {job_id} is no longer held by this worker")

    def _held(self, job_id: str, worker: str):
        return (jobs.c.id == job_id, jobs.c.lease_owner == worker, jobs.c.status == "running",
                jobs.c.deleted.is_(False))

    def release(self, job_id: str, worker: str) -> None:
        """Give the job back unfinished (a graceful stop): queued again, claimable at once."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(*self._held(job_id, worker)).values(
                status="queued", lease_owner=None, lease_expires=None, updated_at=time.time()))

    def requeue(self, job_id: str) -> bool:
        """A failed job queued again (its finished segments are kept): the CLI's second try."""
        with self.engine.begin() as conn:
            return conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.status == "failed",
                                                   jobs.c.deleted.is_(False))
                                .values(status="queued", error=None, attempts=0, finished_at=None,
                                        updated_at=time.time())).rowcount == 1

    def let_go(self, job_id: str, worker: str) -> None:
        """Drop this worker's lease whatever the job's state (it was cancelled or deleted under it)."""
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(jobs.c.id == job_id, jobs.c.lease_owner == worker)
                         .values(lease_owner=None, lease_expires=None))

    def chapter_progress(self, job_id: str) -> dict[int, tuple[int, int, int]]:
        """Per chapter: (segments done, segments planned, samples done)."""
        query = (select(segments.c.chapter, func.count(),
                        func.coalesce(func.sum(case((segments.c.done.is_(True), 1), else_=0)), 0),
                        func.coalesce(func.sum(case((segments.c.done.is_(True), segments.c.samples + segments.c.pause),
                                                    else_=0)), 0))
                 .where(segments.c.job_id == job_id).group_by(segments.c.chapter))
        with self.engine.begin() as conn:
            return {r[0]: (int(r[2]), int(r[1]), int(r[3])) for r in conn.execute(query)}

    def expire_dead_leases(self, alive: Iterable[str] = ()) -> int:
        """Expire leases held by dead processes of this host (a restarted server need not wait
        for them to run out): same host, and a pid that no longer runs or is this very process
        (then the lease is a previous incarnation's: the nonce differs). Returns how many."""
        host = socket.gethostname()
        now = time.time()
        with self.engine.begin() as conn:
            rows = conn.execute(select(jobs.c.id, jobs.c.lease_owner).where(
                jobs.c.lease_owner.is_not(None), jobs.c.lease_expires >= now)).all()
            expired = 0
            for row in rows:
                owner_host, _, rest = row.lease_owner.partition(":")
                pid, _, _ = rest.partition(":")
                if owner_host != host or row.lease_owner in alive or not pid.isdigit():
                    continue
                if int(pid) == os.getpid() or not _pid_alive(int(pid)):
                    expired += conn.execute(update(jobs).where(jobs.c.id == row.id, jobs.c.lease_owner == row.lease_owner)
                                            .values(lease_expires=now - 1)).rowcount
        return expired

    # ---- segments ----

    def record_plan(self, job_id: str, worker: str, planned: builtins.list[PlannedRow]) -> builtins.list[int]:
        """Record the job's plan on first run; on a later run compare it with the recorded one.

        Returns the indices whose recorded work no longer matches the plan (a different text at
        that index, e.g. after a lexicon change): they are reset and redone. A plan of another
        length resets every segment.
        """
        with self.engine.begin() as conn:
            self._check_held(conn, job_id, worker)
            recorded = {r.idx: r for r in conn.execute(select(segments).where(segments.c.job_id == job_id))}
            changed: builtins.list[int] = []
            if len(recorded) != len(planned):
                if recorded:
                    changed = sorted(recorded)
                conn.execute(delete(segments).where(segments.c.job_id == job_id))
                if planned:
                    conn.execute(insert(segments), [dict(job_id=job_id, idx=p.idx, chapter=p.chapter, chars=p.chars,
                                                         text_sha=p.text_sha, done=False, samples=0, pause=0)
                                                    for p in planned])
            else:
                for p in planned:
                    old = recorded[p.idx]
                    if old.text_sha != p.text_sha or old.chapter != p.chapter:
                        changed.append(p.idx)
                        conn.execute(update(segments).where(segments.c.job_id == job_id, segments.c.idx == p.idx)
                                     .values(chapter=p.chapter, chars=p.chars, text_sha=p.text_sha, done=False,
                                             file=None, sha256=None, samples=0, pause=0, timing=None))
            self._update_progress(conn, job_id, total=len(planned))
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(total_chars=sum(p.chars for p in planned)))
        return changed

    def segments(self, job_id: str) -> builtins.list[SegmentRow]:
        with self.engine.begin() as conn:
            rows = conn.execute(select(segments).where(segments.c.job_id == job_id).order_by(segments.c.idx))
            return [SegmentRow(r.idx, r.chapter, r.chars, r.text_sha, bool(r.done), r.file, r.sha256, r.samples,
                               r.pause, r.timing) for r in rows]

    def segment_done(self, job_id: str, worker: str, idx: int, file: str | None, sha256: str | None,
                     samples: int, pause: int, lease_s: float, timing: str | None = None) -> None:
        """Record a finished segment (and renew the lease), only while this worker holds the job."""
        with self.engine.begin() as conn:
            self._check_held(conn, job_id, worker)
            mine = and_(segments.c.job_id == job_id, segments.c.idx == idx)
            before = conn.execute(select(segments.c.done, segments.c.chars, segments.c.samples, segments.c.pause)
                                  .where(mine)).one()
            conn.execute(update(segments).where(mine).values(done=True, file=file, sha256=sha256, samples=samples,
                                                             pause=pause, timing=timing))
            # Counters move by this segment alone (recounting a book's thousands of rows for each
            # of them would cost more than the segment): counted once, however often it is redone.
            was = bool(before.done)
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(
                done=jobs.c.done + (0 if was else 1), done_chars=jobs.c.done_chars + (0 if was else before.chars),
                audio_samples=jobs.c.audio_samples + samples + pause - (before.samples + before.pause if was else 0),
                lease_expires=time.time() + lease_s, updated_at=time.time()))

    def redo(self, job_id: str, worker: str, indices: builtins.list[int]) -> None:
        """Mark segments to be done again (their file is missing or corrupt)."""
        if not indices:
            return
        with self.engine.begin() as conn:
            self._check_held(conn, job_id, worker)
            conn.execute(update(segments).where(segments.c.job_id == job_id, segments.c.idx.in_(indices))
                         .values(done=False, file=None, sha256=None, samples=0, pause=0, timing=None))
            self._update_progress(conn, job_id)

    def finish(self, job_id: str, worker: str, outputs: dict) -> None:
        now = time.time()
        with self.engine.begin() as conn:
            self._check_held(conn, job_id, worker)
            conn.execute(update(jobs).where(jobs.c.id == job_id).values(
                status="done", outputs=json.dumps(outputs, ensure_ascii=False), lease_owner=None,
                lease_expires=None, finished_at=now, updated_at=now, error=None))

    def fail(self, job_id: str, worker: str, error: str) -> None:
        now = time.time()
        with self.engine.begin() as conn:
            conn.execute(update(jobs).where(*self._held(job_id, worker)).values(
                status="failed", error=error, lease_owner=None, lease_expires=None, finished_at=now, updated_at=now))

    def _check_held(self, conn, job_id: str, worker: str) -> None:
        held = conn.execute(select(jobs.c.id).where(*self._held(job_id, worker))).first()
        if held is None:
            raise LeaseLost(f"job {job_id} is no longer held by this worker")

    def _update_progress(self, conn, job_id: str, total: int | None = None) -> None:
        """Progress counters recomputed from the segments (after a plan or a redo)."""
        mine = segments.c.job_id == job_id
        done = and_(mine, segments.c.done.is_(True))
        values = {
            "done": select(func.count()).select_from(segments).where(done).scalar_subquery(),
            "done_chars": select(func.coalesce(func.sum(segments.c.chars), 0)).where(done).scalar_subquery(),
            "audio_samples": select(func.coalesce(func.sum(segments.c.samples + segments.c.pause), 0))
            .where(done).scalar_subquery(),
            "updated_at": time.time(),
        }
        if total is not None:
            values["total"] = total
        conn.execute(update(jobs).where(jobs.c.id == job_id).values(**values))


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


__all__ = ["ACTIVE", "STATUSES", "Job", "JobStore", "LeaseLost", "NewJob", "OperationalError", "PlannedRow",
           "SegmentRow", "new_job_id", "worker_id"]
