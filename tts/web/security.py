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

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from tts.web.api import error_response

log = logging.getLogger(__name__)

API_PREFIXES = ("/v1/", "/docs", "/openapi.json")


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


def install_security(app: FastAPI, auth: tuple[str, str] | None, public_metrics: bool,
                     cors_origins: list[str]) -> None:
    if cors_origins:
        from fastapi.middleware.cors import CORSMiddleware

        app.add_middleware(CORSMiddleware, allow_origins=cors_origins, allow_methods=["GET", "POST"],
                           allow_headers=["Authorization", "Content-Type"])

    @app.middleware("http")
    async def guard(request: Request, call_next):
        path = request.url.path
        protected = path.startswith(API_PREFIXES) or (path == "/metrics" and not public_metrics)
        if auth and protected and not check_credentials(request.headers.get("authorization"), auth):
            return error_response(401, "missing or wrong credentials", kind="authentication_error",
                                  headers={"WWW-Authenticate": 'Basic realm="tts"'})
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        return response

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
        log.exception("unhandled error on %s", request.url.path)
        return error_response(500, "internal error; the server log has the details")
