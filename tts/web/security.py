"""Access control for the HTTP API: credentials, CORS (closed by default), error hygiene.

With `--auth USER:PASS` every API route needs credentials, as HTTP Basic (USER:PASS) or as
`Authorization: Bearer PASS` (what OpenAI clients send as their API key); /metrics too unless
made public; /healthz stays open for health checks and says nothing sensitive. The UI is
protected by Gradio's own login with the same credentials.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import threading
import time

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.datastructures import MutableHeaders
from starlette.exceptions import HTTPException as StarletteHTTPException

from tts.web.api import StreamAborted, client_id, error_response

log = logging.getLogger(__name__)

API_PREFIXES = ("/v1/", "/docs", "/openapi.json")
SYNTHESIS_ROUTES = ("/v1/audio/speech",)  # requests that hold a synthesis slot while they run


def check_credentials(header: str | None, auth: tuple[str, str]) -> bool:
    if not header:
        return False
    scheme, _, value = header.partition(" ")
    user, password = auth
    if scheme.lower() == "bearer":
        return hmac.compare_digest(value.strip().encode(), password.encode())
    if scheme.lower() == "basic":
        try:
            given = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError, ValueError):
            return False
        u, _, p = given.partition(":")
        return hmac.compare_digest(u.encode(), user.encode()) & hmac.compare_digest(p.encode(), password.encode())
    return False


class RateLimiter:
    """Per-client token buckets: `per_minute` requests a minute on average, bursts of `burst`."""

    def __init__(self, per_minute: float, burst: int, max_clients: int = 10000):
        self.rate = per_minute / 60.0
        self.burst = float(burst)
        self.max_clients = max_clients
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def take(self, client: str) -> float:
        """0 if the request may go ahead, else the seconds until it may."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(client, (self.burst, now))
            tokens = min(self.burst, tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[client] = (tokens - 1.0, now)
                wait = 0.0
            else:
                self._buckets[client] = (tokens, now)
                wait = (1.0 - tokens) / self.rate if self.rate > 0 else 60.0
            if len(self._buckets) > self.max_clients:  # forget the idlest clients
                for key, _ in sorted(self._buckets.items(), key=lambda kv: kv[1][1])[: self.max_clients // 10]:
                    del self._buckets[key]
        return wait


class InFlight:
    """Per-client count of synthesis requests in progress (whole or streamed, until the last
    byte); a client at `limit` gets 429 for another until one of its own finishes. This, not a
    request rate, is what keeps one client from taking every slot: a script sending one
    sentence after another, one in flight at a time, is never limited."""

    def __init__(self, limit: int):
        self.limit = limit
        self._counts: dict[str, int] = {}
        self._lock = threading.Lock()

    def enter(self, client: str) -> bool:
        with self._lock:
            if self._counts.get(client, 0) >= self.limit:
                return False
            self._counts[client] = self._counts.get(client, 0) + 1
            return True

    def leave(self, client: str) -> None:
        with self._lock:
            self._counts[client] -= 1
            if not self._counts[client]:
                del self._counts[client]


class Guard:
    """The outermost layer of the app, as plain ASGI: credentials, rate limit, response headers.

    Plain ASGI rather than Starlette's `@app.middleware("http")`: that wrapper re-sends a
    streamed body through its own stream and, when the app fails in the middle of a body, still
    ends the response with a clean terminating chunk; the client then takes audio that stops
    halfway for a complete file. Here the app's exception reaches the server, which aborts the
    connection, so a failed stream is visibly incomplete.
    """

    def __init__(self, app, auth: tuple[str, str] | None, public_metrics: bool,
                 rate_limit: RateLimiter | None = None, in_flight: InFlight | None = None):
        self.app = app
        self.auth = auth
        self.public_metrics = public_metrics
        self.rate_limit = rate_limit
        self.in_flight = in_flight

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        path = request.url.path
        protected = path.startswith(API_PREFIXES) or (path == "/metrics" and not self.public_metrics)
        if self.auth and protected and not check_credentials(request.headers.get("authorization"), self.auth):
            response = error_response(401, "missing or wrong credentials", kind="authentication_error",
                                      headers={"WWW-Authenticate": 'Basic realm="tts"'})
            await response(scope, receive, send)
            return
        client = client_id(request)
        if self.rate_limit and request.method == "POST" and path.startswith("/v1/"):
            wait = self.rate_limit.take(client)
            if wait > 0:
                response = error_response(429, f"too many requests; retry in {wait:.0f} s", kind="rate_limit_error",
                                          headers={"Retry-After": str(max(1, round(wait)))})
                await response(scope, receive, send)
                return
        counted = self.in_flight if request.method == "POST" and path in SYNTHESIS_ROUTES else None
        if counted is not None and not counted.enter(client):
            response = error_response(429, f"you already have {counted.limit} requests in progress; send the "
                                           "next when one has finished", kind="rate_limit_error",
                                      headers={"Retry-After": "1"})
            await response(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                MutableHeaders(scope=message).setdefault("X-Content-Type-Options", "nosniff")
            await send(message)

        try:
            await self.app(scope, receive, send_with_headers)
        finally:
            if counted is not None:
                counted.leave(client)


def install_security(app: FastAPI, auth: tuple[str, str] | None, public_metrics: bool,
                     cors_origins: list[str], rate_limit: RateLimiter | None = None,
                     in_flight: InFlight | None = None) -> None:
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST", "DELETE"],
                           allow_headers=["Authorization", "Content-Type"])
    app.add_middleware(Guard, auth=auth, public_metrics=public_metrics, rate_limit=rate_limit,
                       in_flight=in_flight)  # outermost

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError):
        first = exc.errors()[0] if exc.errors() else {}
        loc = [str(x) for x in first.get("loc", ()) if x not in ("body", "query")]
        return error_response(400, f"{'.'.join(loc) + ': ' if loc else ''}{first.get('msg', 'invalid request')}",
                              loc[0] if loc else None)

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException):
        if request.url.path.startswith(API_PREFIXES) or request.url.path in ("/metrics", "/healthz"):
            return error_response(exc.status_code, str(exc.detail))
        from fastapi.responses import PlainTextResponse

        return PlainTextResponse(str(exc.detail), status_code=exc.status_code)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception):
        if isinstance(exc, StreamAborted):  # already logged where it failed; the connection is aborted
            return error_response(500, "the stream failed")
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "internal error; the server log has the details")
