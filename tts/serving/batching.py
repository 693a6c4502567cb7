"""One worker thread per device that batches work items from concurrent requests.

Requests submit items (kind, key, payload) and wait on futures. The worker takes the oldest
pending item, gathers every pending item of the same kind and key (up to max_batch, waiting at
most max_wait for more while other requests could still contribute), runs one batched call,
and routes each result back to its own future, so no request ever sees another's output.
If a batched call fails, each item is retried alone, so one bad item fails only its request.
Cancelled items (client gone, request timed out) are dropped before they are computed.

Items carry a priority, INTERACTIVE (a person waits) or BACKGROUND (jobs). On a CPU worker
(parallel > 1) background items run in a lane of their own: a thread that takes up to one item
per core and runs them on helper threads at a lower OS priority (nice +10), one single-threaded
item each. Interactive work never queues behind a background item: it runs at once on the
worker thread, and the kernel gives it the cores while the background lane gets what is left
(a background item is a whole segment, up to seconds of work, far too long to wait behind). On
other workers (a GPU, where calls are short and the OS cannot prioritize the device) one queue
serves the oldest item of the most urgent priority first, batched only with its own priority.

With `parallel` > 1 (CPU devices) a batch is not one call: its items run side by side on that
many helper threads, one call of one item each, the way a CPU gets the most out of its cores
(one single-threaded product per core, no synchronization between them). Keys, which keep
items that cannot share a call apart (unequal lengths), are then not needed: only kinds are.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

BatchFn = Callable[[list], list]
INTERACTIVE = 0  # a person waits for it: requests of the API and the UI
BACKGROUND = 1  # jobs: run when no interactive work is pending
# Niceness of the background lane's threads: the kernel gives a nice-10 thread about a tenth of
# a core's time when a nice-0 thread wants it, and all of it otherwise.
BACKGROUND_NICE = 10


def lower_priority(nice: int = BACKGROUND_NICE) -> None:
    """Make the calling thread nicer (Linux: per thread). Raising niceness needs no privilege."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)
    except (AttributeError, OSError):  # not Linux: background work just shares the cores evenly
        pass


@dataclass(eq=False)
class WorkItem:
    kind: str
    key: Hashable
    payload: object
    future: Future = field(default_factory=Future)
    enqueued: float = field(default_factory=time.monotonic)
    priority: int = INTERACTIVE


class WorkerStopped(RuntimeError):
    """The worker was shut down before the item ran."""


class BatchWorker:
    """Runs batches of same-kind, same-key items on one device, in arrival order of their oldest item."""

    def __init__(self, name: str, handlers: dict[str, BatchFn], max_batch: int, max_wait_s: float,
                 demand: Callable[[], int] | None = None, on_batch: Callable[[str, int, float], None] | None = None,
                 thread_init: Callable[[], None] | None = None, parallel: int = 1,
                 helper_init: Callable[[], None] | None = None):
        """handlers: kind -> fn(list of payloads) -> list of results (same order).

        demand() says how many requests are in flight: the worker stops waiting for more items once
        a batch holds one per in-flight request. on_batch(kind, size, seconds) observes each batch.
        thread_init runs on the worker thread before its first batch; with parallel > 1 the
        batch's items run one per call on `parallel` helper threads, each set up by helper_init
        (all of them before thread_init runs).
        """
        self.name = name
        self.handlers = handlers
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.demand = demand or (lambda: max_batch)
        self.on_batch = on_batch
        self.thread_init = thread_init
        self.parallel = parallel
        self.helper_init = helper_init
        self._helpers: ThreadPoolExecutor | None = None
        self._pending: list[WorkItem] = []
        self._background: list[WorkItem] = []  # the background lane's items (CPU workers)
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=f"batch-worker-{name}", daemon=True)
        self._thread.start()
        self._lane: threading.Thread | None = None
        if parallel > 1:
            self._lane = threading.Thread(target=self._background_loop, name=f"batch-{name}-background", daemon=True)
            self._lane.start()

    def submit(self, kind: str, payload, key: Hashable = None, priority: int = INTERACTIVE) -> Future:
        return self.submit_many(kind, [(payload, key)], priority)[0]

    def submit_many(self, kind: str, items: list[tuple[object, Hashable]], priority: int = INTERACTIVE) -> list[Future]:
        """Several (payload, key) items at once: they are pending together, so one batch can take
        them all (submitted one by one, the worker may start on the first alone)."""
        if kind not in self.handlers:
            raise ValueError(f"worker {self.name} has no handler for {kind!r}")
        work = [WorkItem(kind, key, payload, priority=priority) for payload, key in items]
        with self._cond:
            if self._stopping:
                raise WorkerStopped(f"worker {self.name} is stopped")
            (self._background if self._lane is not None and priority > INTERACTIVE else self._pending).extend(work)
            self._cond.notify_all()
        return [item.future for item in work]

    @property
    def depth(self) -> int:
        with self._cond:
            return len(self._pending) + len(self._background)

    @property
    def alive(self) -> bool:
        """Whether the worker thread still runs (health checks: a dead one serves nothing)."""
        return self._thread.is_alive()

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            for item in self._pending + self._background:
                if item.future.set_running_or_notify_cancel():
                    item.future.set_exception(WorkerStopped(f"worker {self.name} stopped"))
            self._pending.clear()
            self._background.clear()
            self._cond.notify_all()
        self._thread.join(timeout)
        if self._lane is not None:
            self._lane.join(timeout)
        if self._helpers is not None:
            self._helpers.shutdown(wait=False, cancel_futures=True)

    def _take_batch(self) -> list[WorkItem] | None:
        with self._cond:
            while True:
                self._pending = [it for it in self._pending if not it.future.cancelled()]
                if self._stopping:
                    return None
                if self._pending:
                    break
                self._cond.wait()
            first = min(self._pending, key=lambda it: it.priority)  # the oldest of the most urgent
            limit = self.max_batch
            deadline = time.monotonic() + self.max_wait_s
            while True:
                self._pending = [it for it in self._pending if not it.future.cancelled()]
                batch = [it for it in self._pending
                         if it.kind == first.kind and it.priority == first.priority
                         and (self.parallel > 1 or it.key == first.key)]
                batch = batch[:limit]
                remaining = deadline - time.monotonic()
                if (not batch or len(batch) >= limit or remaining <= 0
                        or len(batch) >= self.demand() or self._stopping):
                    break
                self._cond.wait(remaining)
            chosen = set(map(id, batch))
            self._pending = [it for it in self._pending if id(it) not in chosen]
            return batch

    def _start_helpers(self) -> None:
        ready = threading.Barrier(self.parallel + 1)

        def init() -> None:
            if self.helper_init:
                self.helper_init()
            ready.wait()

        self._helpers = ThreadPoolExecutor(self.parallel, thread_name_prefix=f"batch-{self.name}-item")
        for _ in range(self.parallel):  # start every helper now, each blocked until all are set up
            self._helpers.submit(init)
        ready.wait()

    def _loop(self) -> None:
        if self.parallel > 1:
            self._start_helpers()
        if self.thread_init:
            self.thread_init()
        while True:
            batch = self._take_batch()
            if batch is None:
                return
            batch = [it for it in batch if it.future.set_running_or_notify_cancel()]
            if batch:
                self._run(batch)

    def _background_loop(self) -> None:
        """The background lane: one item per core in flight, oldest first, each on a nicer
        single-threaded helper; a helper that finishes takes the next item at once."""
        def init() -> None:
            if self.helper_init:
                self.helper_init()
            lower_priority()

        free = threading.Semaphore(self.parallel)
        helpers = ThreadPoolExecutor(self.parallel, thread_name_prefix=f"batch-{self.name}-background",
                                     initializer=init)

        def run(item: WorkItem) -> None:
            try:
                self._run([item])
            finally:
                free.release()

        try:
            while True:
                free.acquire()
                with self._cond:
                    while True:
                        self._background = [it for it in self._background if not it.future.cancelled()]
                        if self._stopping:
                            return
                        if self._background:
                            break
                        self._cond.wait()
                    item = self._background.pop(0)
                if item.future.set_running_or_notify_cancel():
                    helpers.submit(run, item)
                else:
                    free.release()
        finally:
            helpers.shutdown(wait=False, cancel_futures=True)

    def _run(self, batch: list[WorkItem]) -> None:
        fn = self.handlers[batch[0].kind]
        started = time.perf_counter()
        try:
            if self._helpers is not None and len(batch) > 1:
                results = list(self._helpers.map(lambda payload: fn([payload])[0], [it.payload for it in batch]))
            else:
                results = fn([it.payload for it in batch])
            if len(results) != len(batch):
                raise RuntimeError(f"{batch[0].kind} handler returned {len(results)} results for {len(batch)} items")
        except BaseException as exc:  # noqa: BLE001 - isolate the failing item, keep the worker alive
            if len(batch) == 1:
                batch[0].future.set_exception(exc)
                return
            log.warning("%s: batch of %d %s items failed (%s); retrying one by one",
                        self.name, len(batch), batch[0].kind, exc)
            for item in batch:
                self._run_one(fn, item)
            return
        if self.on_batch:
            self.on_batch(batch[0].kind, len(batch), time.perf_counter() - started)
        for item, result in zip(batch, results):
            item.future.set_result(result)

    def _run_one(self, fn: BatchFn, item: WorkItem) -> None:
        try:
            item.future.set_result(fn([item.payload])[0])
        except BaseException as exc:  # noqa: BLE001
            item.future.set_exception(exc)
