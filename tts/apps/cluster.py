"""Ray Serve deployments: the HTTP API replicated across the machines of a Ray cluster.

    pip install '.[cluster]'                   # Ray Serve, pinned (requirements-cluster.txt)
    serve run deploy/ray/serve.yaml            # import_path: tts.apps.cluster:build
    python -m tts.apps.cluster                 # ./run.sh cluster: a local head and the application

Each API replica is a Ray actor that loads its own Synthesizer (models, one batching worker per
device) and serves `create_app(synth, ui=False)`: the very routes of the single server, behind
Serve's proxy. The profile decides the rest (tts/serving/cluster.py: the Serve options, the
health check, the metrics mirrored to Ray). The web page is one more deployment over the API
replicas, through a deployment handle (RemoteSynthesizer).

Single-process mode never imports this module; it alone (with tts/serving/cluster.py) needs Ray.
"""

from __future__ import annotations

import argparse
import asyncio
import importlib
import logging
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from fastapi import FastAPI
from pydantic import BaseModel, ConfigDict, Field

try:
    from ray import serve
    from ray.serve import Application
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError("tts.apps.cluster needs Ray Serve: pip install '.[cluster]' "
                      "(see docs/cluster.md)") from exc

from tts.apps.service import ServiceConfig, build_service, open_jobs, parse_auth
from tts.jobs.service import JobService
from tts.options import SynthesisOptions
from tts.pipeline import PlannedSegment, PreparedSegment
from tts.results import AudioChunk, Result
from tts.serving.cluster import (
    check_workers,
    deployment_options,
    mirror_metrics,
    replica_profile,
    start_node,
    stop_node,
    wait_for_head,
)
from tts.serving.profiles import Profile, load_profile
from tts.speech_service import SpeechService, drain
from tts.synthesizer import Plan, Synthesizer
from tts.web.app import create_app

APP_NAME = "tts"
DEPLOYMENT = "SpeechAPI"


class _StreamedItems(Protocol):
    """What a streaming DeploymentHandle call gives: ui_stream's items, and a way to stop it."""

    def __next__(self) -> Any: ...

    def __iter__(self) -> Iterator[Any]: ...

    def cancel(self) -> None: ...
class ClusterArgs(BaseModel):
    """The application's arguments: `args:` in deploy/ray/serve.yaml (unknown keys are errors)."""

    model_config = ConfigDict(extra="forbid")

    # A built-in profile or a YAML path readable on every node. Not detected: the machine that
    # deploys (often a CPU-only head) is not the one a replica lands on.
    profile: str = Field(default_factory=lambda: os.environ.get("ZH_TTS_PROFILE") or "cpu")
    data_dir: str | None = None  # weights on every node; default $ZH_TTS_DATA_DIR or ~/.cache/zh-tts
    lexicon: str | None = None
    replicas: int | None = Field(None, ge=1)  # a fixed count instead of the profile's autoscaling
    replica_cpus: float | None = Field(None, ge=0)  # instead of the profile's cluster.replica_cpus
    max_replicas_per_node: int | None = Field(None, ge=1)  # 1 spreads replicas over the nodes
    auth: str | None = Field(default_factory=lambda: os.environ.get("ZH_TTS_AUTH") or None)  # USER:PASS
    public_metrics: bool = False
    # The job store every replica shares (docs/cluster.md): a database URL (PostgreSQL across
    # machines: postgresql+psycopg://...) and the directory of the segment and output files,
    # which every replica must see (shared storage across machines). Defaults: $ZH_TTS_JOBS_DB,
    # else SQLite in the state directory; $ZH_TTS_STATE_DIR, else ~/.local/share/zh-tts.
    jobs_db: str | None = Field(default_factory=lambda: os.environ.get("ZH_TTS_JOBS_DB") or None)
    state_dir: str | None = Field(default_factory=lambda: os.environ.get("ZH_TTS_STATE_DIR") or None)


def job_service(synth: SpeechService, state_dir: str | None, jobs_db: str | None, start: bool = True,
                runner_slots: int | None = None) -> JobService:
    """The replica's (or the web page's) view of the shared job store."""
    return open_jobs(synth, state_dir, jobs_db, start=start, runner_slots=runner_slots)


@serve.deployment(name=DEPLOYMENT)
@serve.ingress()
class SpeechAPI:
    """One API replica: its own models and batching workers, the single server's routes."""

    def __init__(self, profile: Profile, data_dir: str | None = None, lexicon: str | None = None,
                 auth: tuple[str, str] | None = None, public_metrics: bool = False,
                 jobs_db: str | None = None, state_dir: str | None = None):
        # Every replica runs a job runner on the shared store: it claims queued jobs (and jobs
        # whose holder's lease ran out: a replica that died) under leases, so a job submitted
        # to any replica is worked on by whichever has a free background slot.
        self._service = build_service(ServiceConfig(profile, data_dir, lexicon, jobs=True, state_dir=state_dir,
                                                    jobs_db=jobs_db, trim_memory=True, ffmpeg=True))
        assert self._service.local is not None and self._service.jobs is not None
        self.synth: Synthesizer = self._service.local
        self.jobs: JobService = self._service.jobs
        self._gauges = mirror_metrics(self.synth.metrics)
        # Per-client limits are per replica here, so the single server's default concurrency
        # limit would only bite clients that happen to land on one replica: Serve's queue governs.
        self._auth, self._public_metrics = auth, public_metrics

    def __serve_build_asgi_app__(self) -> FastAPI:
        return create_app(self.synth, ui=False, auth=self._auth, public_metrics=self._public_metrics, jobs=self.jobs)

    def check_health(self) -> None:
        check_workers(self.synth)

    # ---- what the web page (WebUI) calls through a deployment handle ----

    def ui_stream(self, options: SynthesisOptions) -> Iterator[tuple[str, ...] | AudioChunk | Result | None]:
        """One request for the web page: its notes, its chunks, then its Result. A generator, so
        Serve streams each item to the caller as it is made (handle.options(stream=True))."""
        with self.synth.stream(options) as stream:
            yield stream.notes
            yield from stream
            yield stream.result

    def ui_plan(self, options: SynthesisOptions, long_form: bool = False, max_chars: int | None = None) -> Plan:
        return self.synth.plan(options, long_form, max_chars)

    def ui_validate(self, options: SynthesisOptions, max_chars: int | None = None) -> SynthesisOptions:
        return self.synth.validate(options, max_chars)

    def ui_prepare(self, planned: PlannedSegment) -> PreparedSegment:
        return self.synth.prepare_segment(planned)

    def ui_describe(self) -> dict[str, Any]:
        return {"sample_rate": self.synth.sample_rate, "hop_size": self.synth.hop_size,
                "vocoder_device": self.synth.vocoder_device,
                "qualities": self.synth.available_qualities(), "info": self.synth.info()}

    def __del__(self) -> None:  # Serve calls it when it stops the replica
        if getattr(self, "_gauges", None) is not None:
            self._gauges.stop()
        if getattr(self, "_service", None) is not None:
            self._service.close()


class RemoteStream:
    """A SynthesisStream whose chunks come from an API replica (RemoteSynthesizer.stream)."""

    def __init__(self, items: _StreamedItems):
        self._items = items
        self.notes: tuple[str, ...] = next(items)  # raises the replica's RequestError / ServiceBusy first
        self.result: Result | None = None

    def __iter__(self) -> RemoteStream:
        return self

    def __next__(self) -> AudioChunk:
        item = next(self._items)
        if isinstance(item, Result):
            self.result = item
            raise StopIteration
        return item

    def close(self) -> None:
        if self.result is None:
            self._items.cancel()  # the page went away: the replica stops the request

    def __enter__(self) -> RemoteStream:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class RemoteSynthesizer:
    """What the web page uses of a Synthesizer, with the API replicas doing the work: each call
    goes to one replica through a deployment handle (synthesis streamed chunk by chunk), so the
    page needs no models of its own and its requests share the replicas' queue and autoscaling."""

    def __init__(self, handle: Any, profile: Profile):
        self._handle = handle  # a DeploymentHandle of SpeechAPI (untyped: Ray's generics say nothing here)
        self.profile = profile
        described = handle.ui_describe.remote().result()
        self.sample_rate: int = described["sample_rate"]
        self.hop_size: int = described["hop_size"]
        self.vocoder_device: str = described["vocoder_device"]
        self._qualities: list[str] = described["qualities"]

    def available_qualities(self) -> list[str]:
        return list(self._qualities)

    def plan(self, options: SynthesisOptions, long_form: bool = False, max_chars: int | None = None) -> Plan:
        return self._handle.ui_plan.remote(options, long_form, max_chars).result()

    def validate(self, options: SynthesisOptions, max_chars: int | None = None) -> SynthesisOptions:
        return self._handle.ui_validate.remote(options, max_chars).result()

    def prepare_segment(self, planned: PlannedSegment) -> PreparedSegment:
        return self._handle.ui_prepare.remote(planned).result()

    def stream(self, options: SynthesisOptions) -> RemoteStream:
        return RemoteStream(iter(self._handle.options(stream=True).ui_stream.remote(options)))

    def synthesize(self, options: SynthesisOptions) -> Result:
        return drain(self.stream(options))

    def info(self) -> dict[str, Any]:
        return self._handle.ui_describe.remote().result()["info"]  # one replica's view


if TYPE_CHECKING:  # mypy checks here that both synthesizers implement the interface the page uses
    def _speech_services(local: Synthesizer, remote: RemoteSynthesizer) -> list[SpeechService]:
        return [local, remote]


@serve.deployment(name="WebUI", num_replicas=1, ray_actor_options={"num_cpus": 0})
@serve.ingress()
class WebUI:
    """The Gradio page, one replica (its queue and sessions live in one process), over the API
    deployment of application `api_app` through a streaming handle."""

    # Both run on the replica's event loop, where a handle's blocking result() is refused: the
    # calls that wait for the API replicas (describing them, the System tab's first figures)
    # go to a thread. Serve awaits an async constructor (plain Python would not).
    async def __init__(self, profile: Profile, api_app: str = APP_NAME,  # type: ignore[misc]
                       auth: tuple[str, str] | None = None, jobs_db: str | None = None, state_dir: str | None = None):
        handle = serve.get_deployment_handle(DEPLOYMENT, app_name=api_app)
        remote = await asyncio.to_thread(RemoteSynthesizer, handle, profile)
        # The jobs tab submits to and reads the store the API replicas share; it runs no jobs
        # itself (no runner started), the replicas do.
        config = ServiceConfig(profile, jobs=True, state_dir=state_dir, jobs_db=jobs_db, run_jobs=False,
                               runner_slots=1, ffmpeg=True)  # Gradio re-encodes streamed audio chunks with ffmpeg
        self._service = await asyncio.to_thread(build_service, config, remote)
        self.synth = remote
        self._auth = auth

    async def __serve_build_asgi_app__(self) -> FastAPI:
        return await asyncio.to_thread(create_app, self.synth, ui=True, api=False, auth=self._auth,
                                       jobs=self._service.jobs)


def build_ui(args: dict[str, Any]) -> Application:
    """The web page's application (deploy/ray/serve.yaml's second application): `profile`
    (its limits and queue, the API's profile), `api_app` (the API application's name), `auth`."""
    a = UIArgs.model_validate(args or {})
    # After its decorators the class is a serve.Deployment, which Ray's annotations do not say.
    return WebUI.bind(  # type: ignore[attr-defined]
        load_profile(a.profile), a.api_app, parse_auth(a.auth), a.jobs_db, a.state_dir)


class UIArgs(BaseModel):
    model_config = ConfigDict(extra="forbid")

    profile: str = Field(default_factory=lambda: os.environ.get("ZH_TTS_PROFILE") or "cpu")
    api_app: str = APP_NAME
    auth: str | None = Field(default_factory=lambda: os.environ.get("ZH_TTS_AUTH") or None)
    jobs_db: str | None = Field(default_factory=lambda: os.environ.get("ZH_TTS_JOBS_DB") or None)  # as the API's
    state_dir: str | None = Field(default_factory=lambda: os.environ.get("ZH_TTS_STATE_DIR") or None)


def build(args: dict[str, Any]) -> Application:
    """The application (Serve's app builder, named by deploy/ray/serve.yaml's import_path)."""
    a = ClusterArgs.model_validate(args or {})
    profile = replica_profile(load_profile(a.profile), a.replica_cpus)
    options = deployment_options(profile, a.replicas, a.max_replicas_per_node)
    return SpeechAPI.options(**options).bind(  # type: ignore[attr-defined]  # a serve.Deployment, as above
        profile, a.data_dir, a.lexicon, parse_auth(a.auth), a.public_metrics, a.jobs_db, a.state_dir)


def main(argv: list[str] | None = None) -> int:
    """`./run.sh cluster`: a Ray head on this machine (a temporary directory of its own), the
    application of deploy/ray/serve.yaml on it, its URL; Ctrl-C stops what this started."""
    import tempfile

    import yaml
    from ray.serve.schema import ServeDeploySchema

    p = argparse.ArgumentParser(prog="python -m tts.apps.cluster", description=main.__doc__)
    p.add_argument("--config", default="deploy/ray/serve.yaml", help="Serve config file (its first application)")
    p.add_argument("--host", default=os.environ.get("ZH_TTS_HOST", "127.0.0.1"), help="the HTTP proxy's address")
    p.add_argument("--port", type=int, default=int(os.environ.get("ZH_TTS_PORT", "8000")))
    p.add_argument("--ray-port", type=int, default=6379, help="the head's GCS port (workers join with it)")
    p.add_argument("--num-cpus", type=int, default=None, help="CPUs this head offers (default: all)")
    p.add_argument("--profile", default=None, help="overrides the config's profile argument")
    args = p.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    config = ServeDeploySchema.model_validate(yaml.safe_load(Path(args.config).read_text(encoding="utf-8")))
    apps = []  # (builder, its arguments, name, route prefix): every application of the config
    for app in config.applications:
        module, _, attr = app.import_path.replace(":", ".").rpartition(".")
        builder = getattr(importlib.import_module(module), attr)
        app_args = {**(app.args or {}), **({"profile": args.profile} if args.profile else {})}
        builder(app_args)  # a typo in the arguments fails now, not after the head started
        apps.append((builder, app_args, app.name, app.route_prefix or "/"))
    temp_dir = Path(tempfile.mkdtemp(prefix="zh-tts-ray-"))
    head_args = ["--head", f"--port={args.ray_port}", "--dashboard-host=127.0.0.1"]
    if args.num_cpus is not None:
        head_args.append(f"--num-cpus={args.num_cpus}")
    log = temp_dir / "head.log"
    head = start_node(head_args, temp_dir, log)
    import ray
    from ray import serve

    # The address Ray gives this machine's node (on some machines the interface address even
    # when 127.0.0.1 is asked for): the head listens there, and the driver connects there.
    address = f"{ray.util.get_node_ip_address()}:{args.ray_port}"
    try:
        if not wait_for_head(head, address):
            print(f"error: the Ray head did not start; its log: {log}\n{log.read_text(errors='replace')[-2000:]}",
                  file=sys.stderr)
            return 1
        # Always this head: without an address, or when it cannot be reached, ray.init would
        # start a Ray instance of its own.
        ray.init(address=address, logging_level=logging.WARNING)
        serve.start(proxy_location="EveryNode", http_options={"host": args.host, "port": args.port})
        for builder, app_args, name, prefix in apps:
            serve.run(builder(app_args), name=name, route_prefix=prefix)
        base = f"http://{args.host}:{args.port}"
        where = ", ".join(f"{name} at {base}{prefix.rstrip('/')}/" for _, _, name, prefix in apps)
        print(f"Mandarin TTS on Ray Serve: {where} (the API: {base}/v1/audio/speech); Ray dashboard "
              f"http://127.0.0.1:8265; another machine joins with `ray start --address={address}`. Ctrl-C stops.",
              flush=True)
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        while head.poll() is None:
            time.sleep(1)
        return 1
    except KeyboardInterrupt:
        return 0
    finally:
        try:
            serve.shutdown()
        except Exception:  # noqa: BLE001 - the node goes anyway
            pass
        ray.shutdown()
        stop_node(head)
        if head.returncode is not None and head.returncode <= 0:
            shutil.rmtree(temp_dir, ignore_errors=True)  # else its log stays for the reader


if __name__ == "__main__":
    sys.exit(main())
