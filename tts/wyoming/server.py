"""Starting and stopping the Wyoming server over one Synthesizer.

`WyomingServer` runs the wyoming library's server on an event loop of its own, in a daemon
thread. One way to run it everywhere: inside the web app's process (`app.py --wyoming URI`,
beside uvicorn's loop, so the page, the HTTP API and Home Assistant share one set of models,
one admission and one batching worker per device), standalone (`zh-tts wyoming`: `serve` keeps
the main thread waiting for a signal) and in the tests.

Only `tcp://HOST:PORT` and `unix://PATH` are served: the library's stdio server has no way to
start without taking over the thread, and nothing asks for it.
"""

from __future__ import annotations

import asyncio
import logging
import signal
import threading
from functools import partial
from urllib.parse import urlparse

from wyoming.server import AsyncServer

from tts.synthesizer import Synthesizer
from tts.wyoming import DEFAULT_URI
from tts.wyoming.handler import WyomingHandler
from tts.wyoming.voices import server_info

log = logging.getLogger(__name__)



def check_uri(uri: str) -> AsyncServer:
    """The library's server for `uri` (not started); ValueError when it cannot be served here."""
    if urlparse(uri).scheme not in ("tcp", "unix"):
        raise ValueError(f"the Wyoming URI must be tcp://HOST:PORT or unix://PATH, got {uri!r}")
    return AsyncServer.from_uri(uri)  # ValueError for tcp:// without a port


class WyomingServer:
    """The Wyoming server on its own event loop in a daemon thread; `start()` returns once it listens."""

    def __init__(self, synth: Synthesizer, uri: str = DEFAULT_URI):
        self.synth = synth
        self.uri = uri
        self._server = check_uri(uri)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._ready = threading.Event()
        self._error: BaseException | None = None

    def start(self, timeout: float = 30.0) -> WyomingServer:
        """Listen (OSError when the address is taken) and serve in the background."""
        self._thread = threading.Thread(target=self._run, name="wyoming-server", daemon=True)
        self._thread.start()
        if not self._ready.wait(timeout):
            raise RuntimeError(f"the Wyoming server did not start on {self.uri} within {timeout:.0f} s")
        if self._error is not None:
            raise self._error
        log.info("Wyoming server listening on %s", self.uri)
        return self

    def stop(self, timeout: float = 10.0) -> None:
        """Close every connection (their synthesis streams close too) and the listening socket."""
        loop, thread = self._loop, self._thread
        if loop is None or thread is None or not thread.is_alive():
            return
        try:
            asyncio.run_coroutine_threadsafe(self._shutdown(timeout / 2), loop).result(timeout)
        except Exception as exc:  # noqa: BLE001 - stopping goes on regardless
            log.warning("Wyoming server did not shut down cleanly: %s", exc)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout)

    def __enter__(self) -> WyomingServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def _run(self) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        self._loop = loop
        factory = partial(WyomingHandler, synth=self.synth, info=server_info().event())
        try:
            loop.run_until_complete(self._server.start(factory))
        except BaseException as exc:  # noqa: BLE001 - handed to start(), which raises it
            self._error = exc
            self._ready.set()
            loop.close()
            return
        self._ready.set()
        try:
            loop.run_forever()
        finally:
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    async def _shutdown(self, timeout: float) -> None:
        await self._server.stop()  # every handler stops reading, so each one's disconnect() runs
        tasks = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if tasks:
            _, pending = await asyncio.wait(tasks, timeout=timeout)
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)


def serve(synth: Synthesizer, uri: str = DEFAULT_URI) -> None:
    """Serve until SIGTERM or Ctrl-C (`zh-tts wyoming`); OSError when the address is taken."""
    stop = threading.Event()
    previous = signal.signal(signal.SIGTERM, lambda *_: stop.set())
    try:
        with WyomingServer(synth, uri).start():
            print(f"Wyoming server: profile {synth.profile.name} ({synth.reason}); listening on {uri}", flush=True)
            try:
                while not stop.wait(1.0):
                    pass
            except KeyboardInterrupt:
                pass
    finally:
        signal.signal(signal.SIGTERM, previous)
