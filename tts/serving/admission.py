"""Admission: how many requests synthesize at once, how many may wait, and the errors for the rest."""

from __future__ import annotations

import itertools
import threading
import time

from tts.options import RequestError

MAX_REMEMBERED_CLIENTS = 10_000


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

    Waiting requests are served fairly between clients, not first come first served: the next
    free slot goes to the waiting request whose client has the fewest requests running, then
    whose client was served longest ago (round robin), then the oldest. A client that queues ten
    requests does not make everyone else wait behind all ten (requests without a client count
    as their own).

    Background work (jobs) takes slots too, but never more than `background_slots` of them, and
    only while no interactive request is waiting: a book can never crowd out a colleague.
    """

    def __init__(self, concurrency: int, queue_size: int, background_slots: int | None = None):
        self.concurrency = concurrency
        self.queue_size = queue_size
        self.background_slots = max(1, min(concurrency, background_slots or concurrency))
        self.running = 0
        self.background = 0
        self._by_client: dict[str, int] = {}  # running requests per client
        self._waiters: dict[int, str | None] = {}  # ticket -> client, in arrival order
        self._served: dict[str, int] = {}  # client -> when last served (insertion-ordered: oldest first)
        self._tickets = itertools.count()
        self._serial = itertools.count()
        self._cond = threading.Condition()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def _next(self) -> int:
        """The ticket the next free slot goes to: (client's running requests, when the client was
        last served, arrival) smallest first."""
        def rank(ticket: int) -> tuple[int, int, int]:
            client = self._waiters[ticket]
            if client is None:
                return 0, -1, ticket
            return self._by_client.get(client, 0), self._served.get(client, -1), ticket

        return min(self._waiters, key=rank)

    def _take(self, client: str | None) -> None:
        self.running += 1
        if client is not None:
            self._by_client[client] = self._by_client.get(client, 0) + 1
            self._served.pop(client, None)
            self._served[client] = next(self._serial)
            if len(self._served) > MAX_REMEMBERED_CLIENTS:  # forget the longest unserved
                del self._served[next(iter(self._served))]

    def acquire(self, timeout: float, client: str | None = None) -> float:
        """Take a slot for `client`; returns seconds waited. Raises ServiceBusy or RequestTimeout."""
        start = time.monotonic()
        with self._cond:
            if self.running < self.concurrency and not self._waiters:
                self._take(client)
                return 0.0
            if len(self._waiters) >= self.queue_size:
                raise ServiceBusy(f"the service is busy ({self.running} requests running, "
                                  f"{len(self._waiters)} waiting); try again shortly")
            ticket = next(self._tickets)
            self._waiters[ticket] = client
            try:
                deadline = start + timeout
                while not (self.running < self.concurrency and self._next() == ticket):
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RequestTimeout(f"waited {timeout:.0f} s for a free synthesis slot")
                    self._cond.wait(left)
                self._take(client)
            finally:
                del self._waiters[ticket]
                self._cond.notify_all()  # whoever is next in line now may go
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

    def release(self, background: bool = False, client: str | None = None) -> None:
        with self._cond:
            self.running -= 1
            if background:
                self.background -= 1
            if client is not None:
                self._by_client[client] -= 1
                if not self._by_client[client]:
                    del self._by_client[client]
            # Interactive and background waiters wait for different things: wake them all.
            self._cond.notify_all()
