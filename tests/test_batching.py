"""The batching worker with plain Python handlers: grouping, routing, isolation, cancellation."""

from __future__ import annotations

import threading
import time

import pytest

from tts.serving.batching import BatchWorker, WorkerStopped


class Recorder:
    def __init__(self, delay: float = 0.0, fail_on=None):
        self.batches: list[list] = []
        self.delay = delay
        self.fail_on = fail_on
        self.lock = threading.Lock()

    def __call__(self, payloads: list) -> list:
        with self.lock:
            self.batches.append(list(payloads))
        time.sleep(self.delay)
        if self.fail_on is not None and self.fail_on in payloads:
            raise ValueError(f"bad item {self.fail_on}")
        return [p * 10 for p in payloads]


def test_items_from_many_threads_are_batched_and_routed_back():
    rec = Recorder(delay=0.02)
    worker = BatchWorker("t", {"double": rec}, max_batch=8, max_wait_s=0.05)
    results = {}

    def client(i):
        results[i] = worker.submit("double", i).result(timeout=5)

    threads = [threading.Thread(target=client, args=(i,)) for i in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    worker.stop()
    assert results == {i: i * 10 for i in range(20)}
    assert max(len(b) for b in rec.batches) > 1  # concurrent items shared calls
    assert all(len(b) <= 8 for b in rec.batches)


def test_items_with_different_keys_or_kinds_never_share_a_batch():
    a, b = Recorder(delay=0.01), Recorder(delay=0.01)
    worker = BatchWorker("t", {"a": a, "b": b}, max_batch=16, max_wait_s=0.05)
    futures = [worker.submit("a", i, key=i % 2) for i in range(10)] + [worker.submit("b", i) for i in range(5)]
    assert [f.result(timeout=5) for f in futures] == [i * 10 for i in range(10)] + [i * 10 for i in range(5)]
    worker.stop()
    for batch in a.batches:
        assert len({p % 2 for p in batch}) == 1
    assert sum(len(x) for x in b.batches) == 5


def test_a_failing_item_fails_only_its_own_request():
    rec = Recorder(fail_on=3)
    worker = BatchWorker("t", {"x": rec}, max_batch=8, max_wait_s=0.05)
    gate = threading.Event()
    worker.submit("x", -1).add_done_callback(lambda f: gate.set())
    futures = [worker.submit("x", i) for i in range(6)]
    for i, f in enumerate(futures):
        if i == 3:
            with pytest.raises(ValueError, match="bad item 3"):
                f.result(timeout=5)
        else:
            assert f.result(timeout=5) == i * 10
    worker.stop()


def test_cancelled_items_are_never_computed():
    rec = Recorder(delay=0.1)
    worker = BatchWorker("t", {"x": rec}, max_batch=1, max_wait_s=0.0)
    first = worker.submit("x", 1)
    doomed = [worker.submit("x", 100 + i) for i in range(5)]
    for f in doomed:
        assert f.cancel()
    assert first.result(timeout=5) == 10
    last = worker.submit("x", 2)
    assert last.result(timeout=5) == 20
    worker.stop()
    computed = [p for b in rec.batches for p in b]
    assert not any(p >= 100 for p in computed)


def test_no_waiting_when_the_batch_already_serves_every_request():
    rec = Recorder()
    worker = BatchWorker("t", {"x": rec}, max_batch=8, max_wait_s=5.0, demand=lambda: 1)
    started = time.monotonic()
    assert worker.submit("x", 1).result(timeout=5) == 10
    assert time.monotonic() - started < 2.0  # not the 5 s max wait
    worker.stop()


def test_stopping_fails_pending_items_and_refuses_new_ones():
    rec = Recorder(delay=0.2)
    worker = BatchWorker("t", {"x": rec}, max_batch=1, max_wait_s=0.0)
    running = worker.submit("x", 1)
    time.sleep(0.05)
    pending = worker.submit("x", 2)
    worker.stop()
    assert running.result(timeout=5) == 10
    with pytest.raises(WorkerStopped):
        pending.result(timeout=5)
    with pytest.raises(WorkerStopped):
        worker.submit("x", 3)


def test_unknown_kind_is_rejected_at_submit():
    worker = BatchWorker("t", {"x": Recorder()}, max_batch=1, max_wait_s=0.0)
    with pytest.raises(ValueError, match="no handler"):
        worker.submit("y", 1)
    worker.stop()


def test_parallel_worker_runs_a_batchs_items_side_by_side_on_set_up_helpers():
    """parallel=2: every helper is set up (helper_init) before the worker's own thread_init runs,
    and the two items of a batch run at the same time on two helpers, one item per call: the
    handler meets both items at a barrier, which a one-after-the-other run could never pass."""
    events: list[str] = []
    meet = threading.Barrier(2, timeout=10)
    calls: list[tuple[str, list]] = []

    def handler(payloads: list) -> list:
        calls.append((threading.current_thread().name, list(payloads)))
        meet.wait()
        return [p * 10 for p in payloads]

    release = threading.Event()
    worker = BatchWorker("p", {"x": handler}, max_batch=8, max_wait_s=1.0, demand=lambda: 2, parallel=2,
                         helper_init=lambda: events.append("helper"),
                         thread_init=lambda: (events.append("worker"), release.wait(5)))
    a, b = worker.submit("x", 1), worker.submit("x", 2)
    release.set()
    assert (a.result(timeout=10), b.result(timeout=10)) == (10, 20)
    assert events == ["helper", "helper", "worker"]
    assert sorted(p for _, p in calls) == [[1], [2]]  # one item per call
    names = {name for name, _ in calls}
    assert len(names) == 2 and all(name.startswith("batch-p-item") for name in names)
    worker.stop()


def test_parallel_worker_isolates_a_failing_item():
    rec = Recorder(fail_on=3)
    worker = BatchWorker("t", {"x": rec}, max_batch=8, max_wait_s=0.2, demand=lambda: 4, parallel=2)
    futures = [worker.submit("x", i) for i in range(4)]
    with pytest.raises(ValueError, match="bad item 3"):
        futures[3].result(timeout=10)
    assert [f.result(timeout=10) for f in futures[:3]] == [0, 10, 20]
    worker.stop()


def test_parallel_worker_batches_items_whatever_their_keys():
    """Keys keep apart items that cannot share one call; run one per call, they may share a batch."""
    sizes: list[int] = []
    worker = BatchWorker("k", {"x": lambda ps: [p * 10 for p in ps]}, max_batch=8, max_wait_s=1.0,
                         demand=lambda: 3, parallel=2, on_batch=lambda kind, size, s: sizes.append(size))
    futures = [worker.submit("x", i, key=("voc", length)) for i, length in enumerate((200, 208, 64))]
    assert [f.result(timeout=10) for f in futures] == [0, 10, 20]
    assert sizes == [3]
    worker.stop()
