"""The running service, put together in one place for every entry point (serve, cluster replicas
and the cluster's web page, wyoming, say, book): the synthesizer (or a remote replica handle),
the job service over its state directory, the memory trimmer, the login and the per-client limits.

Each entry point parses its own arguments, describes what it needs as a `ServiceConfig`, calls
`build_service` and closes what it got; a failure to start is a `StartupError` whose message is
meant for the person who started it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from tts.serving.profiles import Profile

if TYPE_CHECKING:
    from tts.jobs.service import JobService
    from tts.serving.memory import HeapTrimmer
    from tts.speech_service import SpeechService
    from tts.synthesizer import Synthesizer


class StartupError(Exception):
    """The service could not start; the message says why, for the command's `error:` line."""


@dataclass(frozen=True)
class ServiceConfig:
    """What an entry point needs built.

    Attributes:
        profile: a built-in profile name, a YAML path, a Profile, or None to detect the hardware.
        data_dir: the weights directory (None: $ZH_TTS_DATA_DIR or ~/.cache/zh-tts).
        lexicon: a user lexicon file.
        warm_up: run each model once before serving (a one-off command skips it).
        jobs: open the job service; `state_dir` None is $ZH_TTS_STATE_DIR or the user's data
            directory, `jobs_db` None is SQLite there.
        run_jobs: start the job runner (the cluster's web page only submits; the replicas run).
        runner_slots: the runner's background slots (None: the profile's).
        trim_memory: a long-running server: hand freed heap memory back to the system.
        ffmpeg: put the ffmpeg of the imageio-ffmpeg wheel on PATH (Gradio re-encodes with it).
    """

    profile: str | os.PathLike[str] | Profile | None = None
    data_dir: str | None = None
    lexicon: str | None = None
    warm_up: bool = True
    jobs: bool = False
    state_dir: str | os.PathLike[str] | None = None
    jobs_db: str | None = None
    run_jobs: bool = True
    runner_slots: int | None = None
    trim_memory: bool = False
    ffmpeg: bool = False


@dataclass
class RunningService:
    """What `build_service` made; `close()` stops it in the reverse order."""

    synth: SpeechService
    jobs: JobService | None = None
    trimmer: HeapTrimmer | None = None
    state_dir: Path | None = None
    local: Synthesizer | None = None  # the same object as `synth` when the models are in this process

    def close(self) -> None:
        if self.trimmer is not None:
            self.trimmer.stop()
        if self.jobs is not None:
            self.jobs.close()  # hands its running jobs back; their finished segments stay
        if self.local is not None:
            self.local.close()


def load_synthesizer(config: ServiceConfig) -> Synthesizer:
    """The models of this process, on the profile's devices; StartupError if they cannot load."""
    from tts.serving.profiles import ProfileError
    from tts.synthesizer import Synthesizer
    from tts.weights.fetch import WeightsError

    try:
        return Synthesizer.from_profile(config.profile, data_dir=config.data_dir, lexicon_path=config.lexicon,
                                        warm_up=config.warm_up)
    except (ProfileError, WeightsError, OSError) as exc:
        raise StartupError(str(exc)) from exc


def open_jobs(synth: SpeechService, state_dir: str | os.PathLike[str] | None, jobs_db: str | None,
              start: bool = True, runner_slots: int | None = None) -> JobService:
    """The job service over `state_dir` (None: the default state directory) and `jobs_db`."""
    from tts.jobs.service import JobService, default_state_dir

    return JobService(synth, Path(state_dir) if state_dir else default_state_dir(), jobs_db, start=start,
                      runner_slots=runner_slots)


def build_service(config: ServiceConfig, synth: SpeechService | None = None) -> RunningService:
    """Build the running service: `synth` when given (a remote replica handle), else the models
    loaded here; then the job service and the trimmer as `config` asks.

    Raises:
        StartupError: the profile, the weights or the job state could not be opened; whatever
            was already built is closed again.
    """
    from sqlalchemy.exc import SQLAlchemyError

    from tts.jobs.service import default_state_dir

    if config.ffmpeg:
        from tts.audio.formats import ensure_ffmpeg_on_path

        ensure_ffmpeg_on_path()
    local = None
    if synth is None:
        local = synth = load_synthesizer(config)
    service = RunningService(synth, local=local)
    if config.jobs:
        service.state_dir = Path(config.state_dir) if config.state_dir else default_state_dir()
        try:
            service.jobs = open_jobs(service.synth, service.state_dir, config.jobs_db, start=config.run_jobs,
                                     runner_slots=config.runner_slots)
        except (OSError, SQLAlchemyError) as exc:
            service.close()
            raise StartupError(f"cannot open the job state in {service.state_dir}: {exc}") from exc
    if config.trim_memory:
        from tts.serving.memory import HeapTrimmer

        service.trimmer = HeapTrimmer().start()
    return service


def parse_auth(auth: str | None) -> tuple[str, str] | None:
    """`USER:PASS` as the login pair (None when not given); ValueError when malformed."""
    if not auth:
        return None
    user, sep, password = auth.partition(":")
    if not sep or not user or not password:
        raise ValueError("auth must be USER:PASS")
    return user, password


def client_limits(profile: Profile, concurrency: int, rate_per_minute: float, rate_burst: int,
                  queue: int = 0) -> dict[str, Any]:
    """create_app's per-client limits; the concurrency limit's default (0) is half the profile's
    synthesis slots (at least 1), so no client can take them all; `queue` (0: create_app's
    default) is how many more of a client's requests may wait for their turn."""
    return {"client_concurrency": concurrency or max(1, profile.serving.concurrency // 2), "client_queue": queue,
            "rate_per_minute": rate_per_minute, "rate_burst": rate_burst}
