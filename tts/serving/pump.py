"""A bridge from a blocking synthesis stream to an event loop, for every streaming server.

The synthesizer's stream is a blocking iterator (it waits on the device workers); servers run on
an event loop (uvicorn's for the HTTP API, the Wyoming server's own). `PumpedStream` iterates the
stream in a thread of its own and hands its blocks to the loop, and stops it cleanly when the
consumer goes away, so a departed client's queued work is cancelled and its slot freed.

The first block is the one a listener waits for (the first audio): the thread asks the stream
for the second only once the consumer has passed the first on (a server: written it to its
socket). Asking sooner would start the stream's next work (the rest of the request's first
segment, its next segment's frontend and acoustic model) while the first block is still on its
way out through the thread hand-over and the event loop, competing with it for the cores and
the interpreter lock.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import AsyncIterator, Iterator

import anyio

log = logging.getLogger(__name__)

_END = object()


class PumpedStream:
    """Audio blocks produced by a dedicated thread, consumed by an event loop.

    The producer thread owns the synthesis stream: it iterates it and closes it itself (a
    generator must not be closed from another thread). When the response ends early (client
    gone), `stop()` is called; the producer notices at its next block, closes the stream, and
    the synthesis cancels its queued work and frees its slot.
    """

    def __init__(self, blocks: Iterator, depth: int = 8, name: str = "api-stream"):
        self._blocks = blocks
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._stop = threading.Event()
        self._first_passed = threading.Event()  # the consumer came back for the block after the first
        self._thread = threading.Thread(target=self._produce, name=name, daemon=True)
        self._thread.start()

    def _produce(self) -> None:
        try:
            for n, block in enumerate(self._blocks):
                if not self._put(block) or (n == 0 and not self._wait(self._first_passed)):
                    break
        except Exception as exc:  # noqa: BLE001 - handed to the consumer, which ends the response
            log.warning("streamed synthesis failed: %s", exc)
            self._put(exc)
            return
        finally:
            close = getattr(self._blocks, "close", None)
            if close:
                close()
        self._put(_END)

    def _put(self, item) -> bool:
        """Queue `item`, waiting in short slices so that a stop is noticed; False once stopped."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _wait(self, event: threading.Event) -> bool:
        """Wait for `event` in short slices, so that a stop is noticed; False once stopped."""
        while not self._stop.is_set():
            if event.wait(0.1):
                return True
        return False

    def stop(self) -> None:
        self._stop.set()

    def _next(self):
        """The next item, or _END once stopped. Waits in short slices: a worker thread left
        waiting here after its client hung up (the awaiting task is cancelled and abandons it)
        must still come back, or every hang-up would keep one thread forever."""
        while True:
            try:
                return self._queue.get(timeout=0.2)
            except queue.Empty:
                if self._stop.is_set():
                    return _END

    async def __aiter__(self) -> AsyncIterator:
        while True:
            item = await anyio.to_thread.run_sync(self._next, abandon_on_cancel=True)
            if item is _END:
                return
            if isinstance(item, Exception):
                raise item  # the consumer's loop ends with the producer's error (HTTP: a truncated body)
            yield item
            self._first_passed.set()  # back for the next one: the block went on its way
