"""A local Ray cluster for the cluster tests and bench: a head and worker nodes, each its own
`ray start --block` process with its own resources, ports and temporary directory, meant to run
inside a private network namespace (`unshare -n`, then lo up), where 127.0.0.1 is the only
address: Ray ignores --node-ip-address=127.0.0.1 when the machine has another interface.

Everything it starts it stops by process tree (never `ray stop`, which would end every Ray
process of the host, other people's too), also when something fails.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psutil

from tts.serving.cluster import start_node, stop_node

ROOT = Path(__file__).resolve().parent.parent


def enter_private_network(argv: list[str]) -> None:
    """Re-run this program in a network namespace of its own (lo only), unless already there.

    Inside, `ip link set lo up` makes 127.0.0.1 the one address Ray can find, so every byte of
    cluster traffic stays on this machine's loopback, in a namespace nobody else shares."""
    if os.environ.get("ZH_TTS_NETNS") == "1":
        subprocess.run(["ip", "link", "set", "lo", "up"], check=True)
        return
    env = {**os.environ, "ZH_TTS_NETNS": "1"}
    os.execvpe("unshare", ["unshare", "-n", "--", sys.executable, *argv], env)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def short_temp_dir() -> Path:
    return Path(tempfile.mkdtemp(prefix="zhray-", dir="/tmp"))


def kill_cluster_processes(root: Path) -> int:
    """Kill every process whose command line names `root` (our nodes' --temp-dir) and its tree:
    what a cluster left behind when its owner was killed before it could clean up."""
    killed = 0
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(root) in arg for arg in proc.info["cmdline"] or ()):
            kill_tree(proc.pid)
            killed += 1
    return killed


@dataclass
class Node:
    name: str
    proc: subprocess.Popen
    metrics_port: int
    temp_dir: Path
    log: Path
    tail: str = ""  # the end of its log, kept when the cluster's directory is removed

    def kill(self) -> None:
        """The node dies at once, as a machine would: every process of it, SIGKILL."""
        kill_tree(self.proc.pid)
        stop_node(self.proc)


def kill_tree(pid: int) -> None:
    try:
        parent = psutil.Process(pid)
        procs = parent.children(recursive=True) + [parent]
    except psutil.NoSuchProcess:
        return
    for p in procs:
        try:
            p.send_signal(signal.SIGKILL)
        except psutil.NoSuchProcess:
            pass
    psutil.wait_procs(procs, timeout=10)


@dataclass
class LocalCluster:
    """Head (no CPUs: it schedules, it does not synthesize) plus `workers` nodes of
    `cpus_per_worker` CPUs each, all on 127.0.0.1."""

    workers: int = 2
    cpus_per_worker: float = 1
    object_store_mb: int = 128
    env: dict = field(default_factory=dict)
    root: Path | None = None
    nodes: list[Node] = field(default_factory=list)
    gcs_port: int = 0
    dashboard_port: int = 0

    def __enter__(self) -> "LocalCluster":
        # Short paths: Ray's Unix sockets live under the temp dir and must fit in 107 bytes.
        self.root = self.root or short_temp_dir()
        self.root.mkdir(parents=True, exist_ok=True)
        try:
            self.start()
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.gcs_port}"

    def _env(self) -> dict:
        env = {**os.environ, **self.env}
        # The replicas import the project of this checkout (a real deployment has it installed
        # on every node); the weights directory and profile come through like any variable.
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
        env["RAY_USAGE_STATS_ENABLED"] = "0"
        env.setdefault("RAY_metrics_report_interval_ms", "2000")  # figures reach the export sooner
        return env

    def _start_node(self, name: str, args: list[str]) -> Node:
        temp_dir = self.root / name
        log = self.root / f"{name}.log"
        metrics_port = free_port()
        proc = start_node(["--node-ip-address=127.0.0.1", f"--metrics-export-port={metrics_port}",
                           f"--dashboard-agent-listen-port={free_port()}",
                           f"--object-store-memory={self.object_store_mb * 2**20}", *args], temp_dir, log, self._env())
        node = Node(name, proc, metrics_port, temp_dir, log)
        self.nodes.append(node)
        return node

    def start(self, timeout: float = 120) -> None:
        self.gcs_port, self.dashboard_port = free_port(), free_port()
        self._start_node("head", ["--head", f"--port={self.gcs_port}", "--num-cpus=0",
                                  "--include-dashboard=true", "--dashboard-host=127.0.0.1",
                                  f"--dashboard-port={self.dashboard_port}", f"--ray-client-server-port={free_port()}"])
        self._wait_for_port(self.gcs_port, timeout)
        for i in range(self.workers):
            self._start_node(f"worker{i + 1}", [f"--address={self.address}", f"--num-cpus={self.cpus_per_worker}"])
        self.wait_nodes(1 + self.workers, timeout)

    def _wait_for_port(self, port: int, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.nodes[0].proc.poll() is not None:
                raise RuntimeError(f"the Ray head exited:\n{self.nodes[0].log.read_text(errors='replace')[-3000:]}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", port)) == 0:
                    return
            time.sleep(0.2)
        raise RuntimeError("the Ray head did not start")

    def wait_nodes(self, count: int, timeout: float) -> None:
        """Until `count` nodes are alive in the cluster (the driver must be connected)."""
        import ray

        if not ray.is_initialized():
            ray.init(address=self.address, logging_level="warning", log_to_driver=False)
        deadline = time.monotonic() + timeout
        while sum(n["Alive"] for n in ray.nodes()) < count:
            for node in self.nodes:
                if node.proc.poll() is not None:
                    raise RuntimeError(f"Ray node {node.name} exited:\n{node.log.read_text(errors='replace')[-3000:]}")
            if time.monotonic() > deadline:
                raise RuntimeError(f"only {sum(n['Alive'] for n in ray.nodes())} of {count} Ray nodes came up")
            time.sleep(0.5)

    def node_of(self, node_id: str) -> Node:
        """Our Node for a Ray node id (matched by its metrics port, which is ours)."""
        import ray

        for info in ray.nodes():
            if info["NodeID"] == node_id:
                for node in self.nodes:
                    if info.get("MetricsExportPort") == node.metrics_port:
                        return node
        raise KeyError(node_id)

    def stop(self) -> None:
        try:
            import ray

            if ray.is_initialized():
                ray.shutdown()
        except Exception:  # noqa: BLE001 - tearing down regardless
            pass
        for node in reversed(self.nodes):
            node.kill()
            try:
                node.tail = node.log.read_text(errors="replace")[-3000:]
            except OSError:
                pass
        if self.root is not None:
            shutil.rmtree(self.root, ignore_errors=True)
