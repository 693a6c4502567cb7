"""One worker thread per device that batches work items from concurrent requests.

Requests submit items (kind, key, payload) and wait on futures. The worker takes the oldest
pending item, gathers every pending item of the same kind and key (up to max_batch, waiting at
most max_wait for more while other requests could still contribute), runs one batched call,
and routes each result back to its own future, so no request ever sees another's output.
If a batched call fails, each item is retried alone, so one bad item fails only its request.
Cancelled items (client gone, request timed out) are dropped before they are computed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable, Hashable
from concurrent.futures import Future
from dataclasses import dataclass, field

log = logging.getLogger(__name__)

BatchFn = Callable[[list], list]


@dataclass(eq=False)
class WorkItem:
    kind: str
    key: Hashable
    payload: object
    future: Future = field(default_factory=Future)
    enqueued: float = field(default_factory=time.monotonic)


class WorkerStopped(RuntimeError):
    """The worker was shut down before the item ran."""


class BatchWorker:
    """Runs batches of same-kind, same-key items on one device, in arrival order of their oldest item."""

    def __init__(self, name: str, handlers: dict[str, BatchFn], max_batch: int, max_wait_s: float,
                 demand: Callable[[], int] | None = None, on_batch: Callable[[str, int, float], None] | None = None,
                 thread_init: Callable[[], None] | None = None):
        """handlers: kind -> fn(list of payloads) -> list of results (same order).

        demand() says how many requests are in flight: the worker stops waiting for more items once
        a batch holds one per in-flight request. on_batch(kind, size, seconds) observes each batch.
        """
        self.name = name
        self.handlers = handlers
        self.max_batch = max_batch
        self.max_wait_s = max_wait_s
        self.demand = demand or (lambda: max_batch)
        self.on_batch = on_batch
        self.thread_init = thread_init
        self._pending: list[WorkItem] = []
        self._cond = threading.Condition()
        self._stopping = False
        self._thread = threading.Thread(target=self._loop, name=f"batch-worker-{name}", daemon=True)
        self._thread.start()

    def submit(self, kind: str, payload, key: Hashable = None) -> Future:
        if kind not in self.handlers:
            raise ValueError(f"worker {self.name} has no handler for {kind!r}")
        item = WorkItem(kind, key, payload)
        with self._cond:
            if self._stopping:
                raise WorkerStopped(f"worker {self.name} is stopped")
            self._pending.append(item)
            self._cond.notify_all()
        return item.future

    @property
    def depth(self) -> int:
        with self._cond:
            return len(self._pending)

    def stop(self, timeout: float = 5.0) -> None:
        with self._cond:
            self._stopping = True
            for item in self._pending:
                item.future.set_exception(WorkerStopped(f"worker {self.name} stopped"))
            self._pending.clear()
            self._cond.notify_all()
        self._thread.join(timeout)

    def _take_batch(self) -> list[WorkItem] | None:
        with self._cond:
            while True:
                self._pending = [it for it in self._pending if not it.future.cancelled()]
                if self._stopping:
                    return None
                if self._pending:
                    break
                self._cond.wait()
            first = self._pending[0]
            deadline = time.monotonic() + self.max_wait_s
            while True:
                self._pending = [it for it in self._pending if not it.future.cancelled()]
                batch = [it for it in self._pending if it.kind == first.kind and it.key == first.key]
                batch = batch[: self.max_batch]
                remaining = deadline - time.monotonic()
                if (not batch or len(batch) >= self.max_batch or remaining <= 0
                        or len(batch) >= self.demand() or self._stopping):
                    break
                self._cond.wait(remaining)
            chosen = set(map(id, batch))
            self._pending = [it for it in self._pending if id(it) not in chosen]
            return batch

    def _loop(self) -> None:
        if self.thread_init:
            self.thread_init()
        while True:
            batch = self._take_batch()
            if batch is None:
                return
            batch = [it for it in batch if it.future.set_running_or_notify_cancel()]
            if batch:
                self._run(batch)

    def _run(self, batch: list[WorkItem]) -> None:
        fn = self.handlers[batch[0].kind]
        started = time.perf_counter()
        try:
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
