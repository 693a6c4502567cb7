"""Admission: how many requests synthesize at once, how many may wait, and the errors for the rest."""

from __future__ import annotations

import threading
import time

from tts.options import RequestError


class ServiceBusy(RequestError):
    """Every synthesis slot is taken and the waiting line is full (HTTP 503)."""

    def __init__(self, message: str):
        super().__init__(message, None, status=503)


class RequestTimeout(RequestError):
    """The request ran past the profile's timeout; its remaining work was cancelled (HTTP 504)."""

    def __init__(self, message: str):
        super().__init__(message, None, status=504)


class Admission:
    """At most `concurrency` requests run; up to `queue_size` wait; beyond that: busy.

    Background work (jobs) takes slots too, but never more than `background_slots` of them, and
    only while no interactive request is waiting: a book can never crowd out a colleague.
    """

    def __init__(self, concurrency: int, queue_size: int, background_slots: int | None = None):
        self.concurrency = concurrency
        self.queue_size = queue_size
        self.background_slots = max(1, min(concurrency, background_slots or concurrency))
        self.running = 0
        self.waiting = 0
        self.background = 0
        self._cond = threading.Condition()

    def acquire(self, timeout: float) -> float:
        """Take a slot; returns seconds waited. Raises ServiceBusy or RequestTimeout."""
        start = time.monotonic()
        with self._cond:
            if self.running < self.concurrency and self.waiting == 0:
                self.running += 1
                return 0.0
            if self.waiting >= self.queue_size:
                raise ServiceBusy(f"the service is busy ({self.running} requests running, "
                                  f"{self.waiting} waiting); try again shortly")
            self.waiting += 1
            try:
                deadline = start + timeout
                while self.running >= self.concurrency:
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RequestTimeout(f"waited {timeout:.0f} s for a free synthesis slot")
                    self._cond.wait(left)
                self.running += 1
            finally:
                self.waiting -= 1
        return time.monotonic() - start

    def acquire_background(self, stop: threading.Event | None = None, poll_s: float = 0.5) -> bool:
        """Take a slot for background work once one is free, fewer than `background_slots` are
        held by background work and no interactive request waits; False if `stop` is set first."""
        with self._cond:
            while not (self.background < self.background_slots and self.running < self.concurrency
                       and self.waiting == 0):
                if stop is not None and stop.is_set():
                    return False
                self._cond.wait(poll_s)
            self.running += 1
            self.background += 1
        return True

    def release(self, background: bool = False) -> None:
        with self._cond:
            self.running -= 1
            if background:
                self.background -= 1
            # Interactive and background waiters wait for different things: wake them all.
            self._cond.notify_all()
