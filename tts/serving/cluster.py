"""Ray Serve machinery for the cluster deployments (tts/apps/cluster.py wires them up): the
options a profile gives the API replicas, the health check, Ray nodes started by this project,
and each replica's metrics mirrored into Ray's metrics pipeline.

- `serving.concurrency` is the replica's `max_ongoing_requests` (Serve sends it no more than it
  synthesizes at once) and `serving.queue_size` the `max_queued_requests` that wait in each
  caller's router for a free replica; past that Serve answers 503 with `Retry-After` (its
  `backpressure_config`), the same status and header as the app's own ServiceBusy.
- `cluster.*` are the autoscaling bounds and target, and the CPUs reserved per replica; GPU
  profiles reserve one GPU per replica.
- A replica whose batching worker thread died fails Serve's health check and is replaced.
- Every replica's tts_* metrics also go to Ray's metrics pipeline with `deployment`, `replica`
  and `application` labels; each node's metrics agent exports them for Prometheus
  (docs/cluster.md), so no figure is lost to whichever replica answered `/metrics`.

Single-process mode never imports this module; it alone (with tts/apps/cluster.py) needs Ray.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

try:
    from ray.serve.config import BackpressureConfig
except ImportError as exc:  # pragma: no cover - the message is the point
    raise ImportError("tts.serving.cluster needs Ray Serve: pip install '.[cluster]' "
                      "(see docs/cluster.md)") from exc

from tts.serving.profiles import Profile

log = logging.getLogger(__name__)

RETRY_AFTER_S = 2  # what the app's own ServiceBusy answers (tts/web/api.py)
GAUGE_PERIOD_S = 5.0  # how often a replica copies its gauges (queue depth, memory) to Ray


def replica_profile(profile: Profile, replica_cpus: float | None = None) -> Profile:
    """The profile a replica runs: its CPU reservation, and on the CPU profile with automatic
    threads, that many torch threads (every core of a node would oversubscribe it when Ray
    places several replicas on one machine)."""
    cluster = profile.cluster if replica_cpus is None else dataclasses.replace(profile.cluster,
                                                                               replica_cpus=replica_cpus)
    cpu = profile.cpu
    if cpu.threads == 0 and not profile.uses_cuda and cluster.replica_cpus >= 1:
        cpu = dataclasses.replace(cpu, threads=int(cluster.replica_cpus))
    return dataclasses.replace(profile, cluster=cluster, cpu=cpu)


def deployment_options(profile: Profile, replicas: int | None = None,
                       max_replicas_per_node: int | None = None) -> dict:
    """Serve's deployment options for the API replicas, from the profile."""
    c = profile.cluster
    options = {
        "max_ongoing_requests": profile.serving.concurrency,
        "max_queued_requests": profile.serving.queue_size,
        "backpressure_config": BackpressureConfig(status_code=503, retry_after_s=RETRY_AFTER_S),
        "ray_actor_options": {"num_cpus": c.replica_cpus, "num_gpus": 1 if profile.uses_cuda else 0},
    }
    if replicas is not None:
        options["num_replicas"] = replicas
    else:
        options["autoscaling_config"] = {"min_replicas": c.min_replicas, "max_replicas": c.max_replicas,
                                         "target_ongoing_requests": c.target_ongoing_requests}
    if max_replicas_per_node is not None:
        options["max_replicas_per_node"] = max_replicas_per_node
    return options


def check_workers(synth) -> None:
    """Serve's health check of a replica: raising marks it unhealthy, and Serve replaces it."""
    if not synth.workers_alive():
        dead = [name for name, worker in synth.workers.items() if not worker.alive]
        raise RuntimeError(f"batching worker thread(s) {', '.join(dead)} stopped; this replica serves nothing")


# ---- Ray nodes started by this project (./run.sh cluster, the tests and the bench) ----

def start_node(args: list[str], temp_dir: Path, log: Path, env: dict | None = None) -> subprocess.Popen:
    """`ray start --block ARGS` as a session of its own: every process of the node (GCS, raylet,
    agents, workers) stays in that one process group, so stop_node() ends exactly this node,
    never `ray stop`, which would end every Ray process on the machine."""
    cmd = [sys.executable, "-m", "ray.scripts.scripts", "start", "--block", "--disable-usage-stats",
           f"--temp-dir={temp_dir}", *args]
    with open(log, "wb") as out:
        return subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, start_new_session=True)


def stop_node(proc: subprocess.Popen, grace_s: float = 10.0) -> None:
    """End a node from start_node(): SIGTERM to its process group, SIGKILL what is left."""
    for sig, wait in ((signal.SIGTERM, grace_s), (signal.SIGKILL, 5.0)):
        try:
            os.killpg(proc.pid, sig)
        except ProcessLookupError:
            return
        deadline = time.monotonic() + wait
        while time.monotonic() < deadline:
            try:
                os.killpg(proc.pid, 0)
            except ProcessLookupError:
                proc.poll()
                return
            proc.poll()  # reap the leader, or its group never empties
            time.sleep(0.1)


def wait_for_head(head: subprocess.Popen, address: str, timeout: float = 120) -> bool:
    """Until the head's GCS port accepts connections (True), or the head exited or time ran out."""
    host, _, port = address.rpartition(":")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and head.poll() is None:
        with socket.socket() as s:
            if s.connect_ex((host, int(port))) == 0:
                return True
        time.sleep(0.5)
    return False


# ---- metrics: each replica's figures into Ray's per-node metrics export ----

class _Mirrored:
    """A prometheus_client counter or histogram (or one labelled child of it) whose every change
    also goes to a Ray Serve metric, which adds the replica's deployment/replica/application
    labels. The replica's own /metrics stays as it was."""

    def __init__(self, local, remote, tags: dict | None = None):
        self._local, self._remote, self._tags = local, remote, tags or {}

    def labels(self, **labels) -> _Mirrored:
        return _Mirrored(self._local.labels(**labels), self._remote, {**self._tags, **labels})

    def inc(self, amount: float = 1.0) -> None:
        self._local.inc(amount)
        if amount > 0:  # Ray's counters take positive increments only
            self._remote.inc(amount, tags=self._tags)

    def observe(self, value: float) -> None:
        self._local.observe(value)
        self._remote.observe(value, tags=self._tags)


class _GaugeCopier:
    """Copies the replica's gauges (queue depth, requests in progress, memory) to Ray gauges
    every few seconds: they are read on demand, so there is no change to mirror."""

    def __init__(self, metrics, period_s: float = GAUGE_PERIOD_S):
        from ray.serve.metrics import Gauge

        self._metrics = metrics
        self._period_s = period_s
        self._gauges: dict[str, Gauge] = {}
        self._make = Gauge
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._loop, name="metrics-gauges", daemon=True)
        self._thread.start()

    def _loop(self) -> None:
        while not self._stop.wait(self._period_s):
            try:
                self.copy()
            except Exception:  # noqa: BLE001 - metrics must never take a replica down
                log.exception("copying gauges to Ray failed")

    def copy(self) -> None:
        self._metrics.refresh_memory()
        for family in self._metrics.registry.collect():
            if family.type != "gauge":
                continue
            for sample in family.samples:
                gauge = self._gauges.get(sample.name)
                if gauge is None:
                    gauge = self._gauges[sample.name] = self._make(sample.name, family.documentation,
                                                                   tag_keys=tuple(sample.labels))
                gauge.set(sample.value, tags=dict(sample.labels))

    def stop(self) -> None:
        self._stop.set()


def mirror_metrics(metrics) -> _GaugeCopier:
    """Tee every counter and histogram of a Synthesizer's Metrics into Ray Serve metrics of the
    same name and labels, and start copying its gauges; returns the gauge copier (stop() it)."""
    from prometheus_client import Counter, Histogram
    from ray.serve.metrics import Counter as RayCounter
    from ray.serve.metrics import Histogram as RayHistogram

    for attr, metric in list(vars(metrics).items()):
        # prometheus_client keeps a metric's name, help, label names and buckets in these
        # attributes (pinned version, requirements.txt); Ray needs the same to declare its twin.
        remote: RayCounter | RayHistogram
        if isinstance(metric, Counter):
            remote = RayCounter(metric._name, metric._documentation, tag_keys=tuple(metric._labelnames))
        elif isinstance(metric, Histogram):
            bounds = [b for b in metric._upper_bounds if b != float("inf")]
            remote = RayHistogram(metric._name, metric._documentation, boundaries=bounds,
                                  tag_keys=tuple(metric._labelnames))
        else:
            continue
        setattr(metrics, attr, _Mirrored(metric, remote))
    return _GaugeCopier(metrics)


