"""A real HTTP server on loopback running the app (UI + API) in a background thread, for tests."""

from __future__ import annotations

import socket
import threading
import time
from contextlib import contextmanager

import httpx
import uvicorn


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serve(synth, configure=None, **server_options):
    """Start create_app(synth, ...) with uvicorn on 127.0.0.1:<free port>; yields the base URL.
    `configure(app)`, if given, runs on the app before it serves (a test's shorter timeouts)."""
    from tts.web.app import create_app
    from tts.audio.formats import ensure_ffmpeg_on_path

    ensure_ffmpeg_on_path()
    port = free_port()
    app = create_app(synth, **server_options)
    if configure is not None:
        configure(app)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning",
                                           timeout_graceful_shutdown=2))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=2).status_code in (200, 401):
                break
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError("the test server did not start")
        time.sleep(0.1)
    try:
        yield url
    finally:
        server.should_exit = True
        thread.join(timeout=10)
        if "jobs" not in server_options:  # the app made its own (temporary) job service
            app.state.jobs.close()
