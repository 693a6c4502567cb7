"""Admission: how many requests synthesize at once, how many may wait, and the errors for the rest.

Every entry point (the HTTP API, the page, Wyoming, a WebSocket route) waits for a slot here, so
the fair queue between clients exists once.
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass

from tts.options import RequestError

MAX_REMEMBERED_CLIENTS = 10_000


class ServiceBusy(RequestError):
    """Every synthesis slot is taken and the waiting line is full (HTTP 503)."""

    def __init__(self, message: str):
        super().__init__(message, None, status=503)


class ClientQueueFull(ServiceBusy):
    """This client already has its share running and its share of the line waiting (HTTP 429)."""

    def __init__(self, message: str):
        super().__init__(message)
        self.status = 429


class Abandoned(RequestError):
    """The caller went away (its `stop` was set) while its request waited; it left the line."""

    def __init__(self) -> None:
        super().__init__("the client went away while its request waited", None, status=499)


@dataclass(frozen=True)
class ClientShare:
    """One client's share of a server: at most `running` of its requests synthesize at once and
    at most `waiting` more wait for their turn; a request beyond both is refused (429)."""

    running: int
    waiting: int


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

    A request may bring its client's share (ClientShare): while the client has `running` requests
    synthesizing, its next ones wait however many slots are free, in their arrival order, and at
    most `waiting` of them may wait. A burst from one client then queues instead of failing, and
    a colleague's request arriving during it takes the next slot any request of the burst
    finishes with.

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
        self._shares: dict[int, ClientShare] = {}  # ticket -> its client's share, where it has one
        self._served: dict[str, int] = {}  # client -> when last served (insertion-ordered: oldest first)
        self._tickets = itertools.count()
        self._serial = itertools.count()
        self._cond = threading.Condition()

    @property
    def waiting(self) -> int:
        return len(self._waiters)

    def _may_run(self, ticket: int) -> bool:
        """Whether the waiting request's client is below its share of running requests."""
        share = self._shares.get(ticket)
        client = self._waiters[ticket]
        return share is None or client is None or self._by_client.get(client, 0) < share.running

    def _next(self) -> int | None:
        """The ticket the next free slot goes to, among those whose client is below its share:
        (client's running requests, when the client was last served, arrival) smallest first;
        None when every waiting client has its share running."""
        def rank(ticket: int) -> tuple[int, int, int]:
            client = self._waiters[ticket]
            if client is None:
                return 0, -1, ticket
            return self._by_client.get(client, 0), self._served.get(client, -1), ticket

        eligible = [ticket for ticket in self._waiters if self._may_run(ticket)]
        return min(eligible, key=rank) if eligible else None

    def _refuse(self, client: str | None, share: ClientShare | None) -> None:
        """Raise ClientQueueFull / ServiceBusy if a new request may not join the line."""
        if share is not None and client is not None:
            queued = sum(1 for c in self._waiters.values() if c == client)
            if queued >= share.waiting:
                raise ClientQueueFull(f"you already have {self._by_client.get(client, 0)} requests in progress "
                                      f"and {queued} waiting; send more when some have finished")
        if len(self._waiters) >= self.queue_size:
            raise ServiceBusy(f"the service is busy ({self.running} requests running, "
                              f"{len(self._waiters)} waiting); try again shortly")

    def _take(self, client: str | None) -> None:
        self.running += 1
        if client is not None:
            self._by_client[client] = self._by_client.get(client, 0) + 1
            self._served.pop(client, None)
            self._served[client] = next(self._serial)
            if len(self._served) > MAX_REMEMBERED_CLIENTS:  # forget the longest unserved
                del self._served[next(iter(self._served))]

    def acquire(self, timeout: float, client: str | None = None, share: ClientShare | None = None,
                stop: threading.Event | None = None, poll_s: float = 0.25) -> float:
        """Take a slot for `client` (within its `share`, if given); returns seconds waited.

        Raises ClientQueueFull (the client's own line is full), ServiceBusy (the whole line is
        full), RequestTimeout (waited `timeout` s) or Abandoned (`stop` was set while waiting:
        the caller hung up, so its request leaves the line; checked every `poll_s` s).
        """
        start = time.monotonic()
        with self._cond:
            over_share = (share is not None and client is not None
                          and self._by_client.get(client, 0) >= share.running)
            if self.running < self.concurrency and not self._waiters and not over_share:
                self._take(client)
                return 0.0
            self._refuse(client, share)
            ticket = next(self._tickets)
            self._waiters[ticket] = client
            if share is not None:
                self._shares[ticket] = share
            try:
                deadline = start + timeout
                while not (self.running < self.concurrency and self._next() == ticket):
                    if stop is not None and stop.is_set():
                        raise Abandoned()
                    left = deadline - time.monotonic()
                    if left <= 0:
                        raise RequestTimeout(f"waited {timeout:.0f} s for a free synthesis slot")
                    self._cond.wait(min(left, poll_s) if stop is not None else left)
                self._take(client)
            finally:
                del self._waiters[ticket]
                self._shares.pop(ticket, None)
                self._cond.notify_all()  # whoever is next in line now may go
        return time.monotonic() - start

    def acquire_background(self, stop: threading.Event | None = None, poll_s: float = 0.5) -> bool:
        """Take a slot for background work once one is free, fewer than `background_slots` are
        held by background work and no interactive request waits; False if `stop` is set first."""
        with self._cond:
            # Interactive requests that wait only for their own client's share do not hold jobs back.
            while not (self.background < self.background_slots and self.running < self.concurrency
                       and self._next() is None):
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
