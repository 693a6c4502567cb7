"""A real server process over the tiny random-weight voice, with a job state directory: what the
kill -9 tests start, kill with SIGKILL and start again. No weights needed.

    python tests/jobs_server.py --port P --state-dir DIR [--slow-ms N] [--lease-s S]

`--slow-ms` adds that long to every vocoder call (the tiny voice is so fast that a test could not
otherwise catch a job in the middle); it is this helper's, not the app's.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))


def main() -> None:
    p = argparse.ArgumentParser()
    p.add_argument("--port", type=int, required=True)
    p.add_argument("--state-dir", required=True)
    p.add_argument("--slow-ms", type=float, default=0.0)
    p.add_argument("--lease-s", type=float, default=30.0)
    args = p.parse_args()

    import uvicorn
    from conftest import slow_vocoder
    from tiny_voice import tiny_engine, tiny_pipeline

    from tts.jobs.service import JobService
    from tts.serving.profiles import load_profile
    from tts.synthesizer import Synthesizer
    from tts.web.app import create_app

    profile = load_profile("cpu")
    profile = dataclasses.replace(profile, jobs=dataclasses.replace(profile.jobs, lease_s=args.lease_s))
    synth = Synthesizer(profile, tiny_engine(), tiny_pipeline(), warm_up=False)
    if args.slow_ms:
        slow_vocoder(synth, args.slow_ms / 1000)
    jobs = JobService(synth, args.state_dir)
    app = create_app(synth, ui=False, jobs=jobs)
    print("ready", flush=True)
    try:
        uvicorn.run(app, host="127.0.0.1", port=args.port, log_level="warning")
    finally:
        jobs.close()
        synth.close()


if __name__ == "__main__":
    main()
