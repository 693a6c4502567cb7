"""The `serve` command (`zh-tts serve`, app.py): the HTTP API and the web page on one FastAPI app
(tts/web/app.py), and with `--wyoming URI` the Wyoming server too, over the same Synthesizer."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from typing import Any

from tts.apps.service import ServiceConfig, StartupError, build_service, parse_auth
from tts.apps.service import client_limits as service_limits
from tts.speech_service import SpeechService
from tts.web.app import create_app


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(prog="zh-tts serve", description="Offline Mandarin TTS web app and API")
    p.add_argument("--host", default=os.environ.get("ZH_TTS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("ZH_TTS_PORT", "7860")))
    p.add_argument("--profile", default=None, help="built-in profile name or YAML path (default: detect)")
    p.add_argument("--auth", default=os.environ.get("ZH_TTS_AUTH"), help="USER:PASS for the UI and the API")
    p.add_argument("--data-dir", default=None, help="weights directory (default ~/.cache/zh-tts)")
    p.add_argument("--lexicon", default=None, help="user lexicon file")
    p.add_argument("--public-metrics", action="store_true", help="serve /metrics without auth")
    p.add_argument("--cors-origin", action="append", default=[], help="allow this browser origin (repeatable)")
    p.add_argument("--client-concurrency", type=int, default=int(os.environ.get("ZH_TTS_CLIENT_CONCURRENCY", "0")),
                   help="synthesis requests one client (the --auth user, else the address) may have in "
                        "progress at once; more wait for their turn; 0 = half the profile's slots, at least 1 "
                        "(default)")
    p.add_argument("--client-queue", type=int, default=int(os.environ.get("ZH_TTS_CLIENT_QUEUE", "0")),
                   help="requests one client may have waiting beyond those in progress (then 429); "
                        "0 = three quarters of the profile's queue_size (default)")
    p.add_argument("--rate-limit", type=float, default=float(os.environ.get("ZH_TTS_RATE_LIMIT", "0")),
                   help="API requests per minute per client; 0 = no rate limit (default: the concurrency limit "
                        "is what keeps clients fair; sharing publicly turns a rate limit on)")
    p.add_argument("--rate-burst", type=int, default=30, help="requests a client may send at once under --rate-limit")
    p.add_argument("--no-ui", action="store_true", help="serve the HTTP API only (no web page)")
    p.add_argument("--wyoming", default=os.environ.get("ZH_TTS_WYOMING") or None, metavar="URI",
                   help="also serve the Wyoming protocol (Home Assistant) from this process, with the same "
                   "models, e.g. tcp://0.0.0.0:10200")
    p.add_argument("--state-dir", default=None,
                   help="where jobs are kept: their database and audio files (default $ZH_TTS_STATE_DIR, "
                        "else ~/.local/share/zh-tts)")
    p.add_argument("--jobs-db", default=os.environ.get("ZH_TTS_JOBS_DB"),
                   help="job database URL (SQLAlchemy), e.g. postgresql://... (default: SQLite in the state dir)")
    return p.parse_args(argv)


def client_limits(args: argparse.Namespace, synth: SpeechService) -> dict[str, Any]:
    """create_app's per-client limits from the command line (tts.apps.service.client_limits)."""
    return service_limits(synth.profile, args.client_concurrency, args.rate_limit, args.rate_burst,
                          args.client_queue)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        auth = parse_auth(args.auth)
    except ValueError:
        print("error: --auth must be USER:PASS", file=sys.stderr)
        return 2
    if args.wyoming:
        from tts.wyoming.server import WyomingServer, check_uri

        try:
            check_uri(args.wyoming)  # before minutes of loading, not after
        except ValueError as exc:
            print(f"error: --wyoming: {exc}", file=sys.stderr)
            return 2
    # A long-running server: hand freed memory back (tts/serving/memory.py); Gradio re-encodes
    # streamed audio chunks with ffmpeg.
    config = ServiceConfig(args.profile, args.data_dir, args.lexicon, jobs=True, state_dir=args.state_dir,
                           jobs_db=args.jobs_db, trim_memory=True, ffmpeg=True)
    try:
        service = build_service(config)
    except StartupError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    assert service.local is not None
    synth = service.local
    wyoming = None
    if args.wyoming:  # its own event loop in a thread, over the same Synthesizer
        try:
            wyoming = WyomingServer(synth, args.wyoming).start()
        except OSError as exc:
            print(f"error: cannot listen on {args.wyoming}: {exc}", file=sys.stderr)
            service.close()
            return 1
    app = create_app(synth, ui=not args.no_ui, auth=auth, public_metrics=args.public_metrics,
                     cors_origins=args.cors_origin, jobs=service.jobs, **client_limits(args, synth))
    also = f"; Wyoming on {args.wyoming}" if wyoming else ""
    print(f"Mandarin TTS: profile {synth.profile.name} ({synth.reason}); jobs in {service.state_dir}; "
          f"open http://{args.host}:{args.port}{also}", flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    finally:
        if wyoming is not None:
            wyoming.stop()
        service.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
