"""The cluster scenario that tests/test_cluster.py asserts on: run as its own process in a private
network namespace, it starts a local Ray cluster (a head and two 1-CPU worker nodes), deploys the
API with two replicas (the real weights), drives it over loopback and writes one JSON report:
a section per step with what was observed, or the error that stopped the step.

    python tests/cluster_scenario.py REPORT.json      (re-runs itself under `unshare -n`)

The application is deployed as an operator would: `serve deploy` of deploy/ray/serve.yaml (with
the test's profile, two replicas, one proxy). Steps, in order, on one cluster: placement (replicas on distinct nodes, through Ray's state API),
the openai client, a streamed response through Serve's proxy, concurrent requests against their
single-request audio (no cross-talk), metrics of every replica at the nodes' exports, a burst
past the queue (503 with Retry-After, no 500), the app's own 503 passed through, `ray.kill` of a replica under load (at most one
retry per request, a replacement RUNNING), a job whose replica is killed finishing elsewhere
(the job store on a private PostgreSQL), then a worker node killed (the service keeps answering).
Every request has a timeout and every wait a deadline; the cluster is torn down however it ends.
"""

from __future__ import annotations

import io
import json
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
import wave
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import numpy as np
import yaml

TESTS = Path(__file__).resolve().parent
sys.path[:0] = [str(TESTS.parent), str(TESTS)]

from pgserver import private_postgres  # noqa: E402
from raycluster import LocalCluster, enter_private_network, free_port  # noqa: E402

TEXTS = ["今天天气很好。", "我们一起去公园散步吧！", "请问去火车站怎么走？", "这本书的内容非常有意思。",
         "明天上午九点开会。", "他喜欢在周末打篮球。"]
REQUEST_TIMEOUT = 120


def test_profile(directory: Path) -> Path:
    """The CPU profile with small limits, so a burst of a few dozen requests overflows the queue
    quickly, and no cache, so every request is synthesized (and compared) for real."""
    from tts.serving.profiles import PROFILE_DIR

    data = yaml.safe_load((PROFILE_DIR / "cpu.yaml").read_text(encoding="utf-8"))
    data["name"] = "cluster-test"
    data["serving"].update(concurrency=2, queue_size=4)
    data["cache"].update(max_entries=0, max_mb=0)
    data["cluster"].update(replica_cpus=1)
    data["jobs"].update(lease_s=5)  # a dead replica's job is claimed again soon
    path = directory / "cluster-test.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def serve_config(profile: Path, http_port: int, jobs: dict, deployments: list[dict] | None = None) -> dict:
    """deploy/ray/serve.yaml as this test deploys it: the test profile, two replicas on distinct
    nodes, and one proxy, on the head: every node of this test shares one address, so the
    proxies Serve puts on every node by default would all want the same port."""
    config = yaml.safe_load((TESTS.parent / "deploy" / "ray" / "serve.yaml").read_text(encoding="utf-8"))
    config["proxy_location"] = "HeadOnly"
    config["http_options"] = {"host": "127.0.0.1", "port": http_port}
    api, ui = config["applications"]
    api["args"].update(profile=str(profile), replicas=2, max_replicas_per_node=1, **jobs)
    ui["args"].update(profile=str(profile), **jobs)
    if deployments:
        api["deployments"] = deployments
    return config


def pcm(data: bytes) -> np.ndarray:
    return np.frombuffer(data, "<i2").astype(np.float32) / 32767


def snr_db(reference: np.ndarray, estimate: np.ndarray) -> float:
    noise = float(((reference.astype(np.float64) - estimate) ** 2).sum())
    return float("inf") if noise == 0 else 10 * np.log10(float((reference.astype(np.float64) ** 2).sum()) / noise)


def busy_kind(body: str) -> str:
    """Who answered a 503: the app ("server_busy", its JSON error type) or Serve's proxy (plain text)."""
    try:
        return json.loads(body)["error"]["type"]
    except (ValueError, KeyError, TypeError):
        return "serve: " + body.split("(")[0].strip()[:60]


class Scenario:
    def __init__(self, cluster: LocalCluster, http_port: int, profile: Path, jobs_db: str):
        self.cluster, self.http_port, self.profile = cluster, http_port, profile
        # The job store the replicas share: PostgreSQL, and the segment files in one directory.
        self.jobs = {"jobs_db": jobs_db, "state_dir": str(cluster.root / "state")}
        self.url = f"http://127.0.0.1:{http_port}"
        self.http = httpx.Client(base_url=self.url, timeout=REQUEST_TIMEOUT)

    def deploy(self, deployments: list[dict] | None = None, timeout: float = 300) -> None:
        """`serve deploy` (the CLI, through the head's dashboard) of the adapted serve.yaml, then
        wait until the application is RUNNING with both replicas."""
        from ray import serve

        from tts.apps.cluster import APP_NAME

        path = self.cluster.root / "serve.yaml"
        path.write_text(yaml.safe_dump(serve_config(self.profile, self.http_port, self.jobs, deployments)), encoding="utf-8")
        # Wait for this deploy (a newer deploy time), not the previous one's RUNNING, and for the
        # overridden options to show in the controller's own details.
        previous = getattr(serve.status().applications.get(APP_NAME), "last_deployed_time_s", None)
        cli = Path(sys.executable).parent / "serve"
        proc = subprocess.run([str(cli), "deploy", str(path), "--address",
                               f"http://127.0.0.1:{self.cluster.dashboard_port}"],
                              capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            raise RuntimeError(f"serve deploy failed: {proc.stdout[-1500:]}{proc.stderr[-1500:]}")
        deadline = time.monotonic() + timeout
        while True:
            time.sleep(1)
            apps = serve.status().applications
            statuses = {name: str(getattr(apps.get(name), "status", "")) for name in (APP_NAME, "ui")}
            redeployed = getattr(apps.get(APP_NAME), "last_deployed_time_s", None) != previous
            if (redeployed and all(s.endswith("RUNNING") for s in statuses.values())
                    and self.replica_states() == {"RUNNING": 2} and self.options_applied(deployments or [])):
                return
            failed = {n: getattr(apps.get(n), "message", "") for n, s in statuses.items() if s.endswith("FAILED")}
            if failed or time.monotonic() > deadline:
                raise RuntimeError(f"applications {statuses}: {failed}")

    def options_applied(self, deployments: list[dict]) -> bool:
        """Whether the controller's details (the dashboard's Serve REST API) show each overridden
        deployment option, with every replica of those deployments RUNNING."""
        from tts.apps.cluster import APP_NAME

        if not deployments:
            return True
        try:
            details = httpx.get(f"http://127.0.0.1:{self.cluster.dashboard_port}/api/serve/applications/",
                                timeout=10).json()["applications"][APP_NAME]["deployments"]
        except (httpx.HTTPError, ValueError, KeyError):
            return False
        for override in deployments:
            shown = details.get(override["name"], {})
            config = shown.get("deployment_config", {})
            if any(config.get(k) != v for k, v in override.items() if k != "name"):
                return False
            if any(r.get("state") != "RUNNING" for r in shown.get("replicas", [])):
                return False
        return True

    def speech(self, text: str, fmt: str = "pcm", client: httpx.Client | None = None) -> httpx.Response:
        return (client or self.http).post("/v1/audio/speech", json={"input": text, "response_format": fmt})

    def replicas(self) -> list[dict]:
        from ray.util.state import list_actors

        from tts.apps.cluster import DEPLOYMENT

        actors = list_actors(address=f"http://127.0.0.1:{self.cluster.dashboard_port}",
                             filters=[("state", "=", "ALIVE")], detail=True, limit=1000, raise_on_missing_output=False)
        return [{"name": a.name, "node_id": a.node_id, "pid": a.pid} for a in actors
                if a.class_name.startswith("ServeReplica") and a.class_name.endswith(DEPLOYMENT)]

    def replica_states(self) -> dict:
        from ray import serve

        from tts.apps.cluster import APP_NAME, DEPLOYMENT

        status = serve.status().applications[APP_NAME].deployments[DEPLOYMENT]
        return {str(k.value if hasattr(k, "value") else k): v for k, v in status.replica_states.items()}

    # ---- steps ----

    def placement(self) -> dict:
        reps = self.replicas()
        return {"replicas": reps, "nodes": sorted({r["node_id"] for r in reps}),
                "worker_node_ids": sorted(n["NodeID"] for n in __import__("ray").nodes()
                                          if n["Alive"] and n["Resources"].get("CPU"))}

    def openai(self) -> dict:
        from openai import OpenAI

        client = OpenAI(base_url=f"{self.url}/v1", api_key="unused", max_retries=0, timeout=REQUEST_TIMEOUT)
        response = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXTS[0], response_format="wav")
        with wave.open(io.BytesIO(response.read())) as w:
            frames, rate = w.getnframes(), w.getframerate()
            audio = pcm(w.readframes(frames))
        return {"rate": rate, "audio_s": frames / rate, "rms": float(np.sqrt(np.mean(audio**2)))}

    def streaming(self) -> dict:
        text = "".join(TEXTS[:4])
        started = time.perf_counter()
        arrivals, pieces = [], []
        with self.http.stream("POST", "/v1/audio/speech",
                              json={"input": text, "response_format": "pcm", "stream": True}) as r:
            status = r.status_code
            for piece in r.iter_raw():
                arrivals.append(time.perf_counter() - started)
                pieces.append(piece)
        whole = self.speech(text)
        streamed = pcm(b"".join(pieces))
        return {"status": status, "pieces": len(pieces), "first_piece_s": arrivals[0] if arrivals else None,
                "last_piece_s": arrivals[-1] if arrivals else None, "samples": len(streamed),
                "whole_samples": len(pcm(whole.content)),
                "snr_vs_whole_db": snr_db(pcm(whole.content), streamed) if len(streamed) == len(pcm(whole.content))
                else None}

    def cross_talk(self) -> dict:
        """Each text alone first (the reference), then all of them three times, concurrently."""
        reference = {t: pcm(self.speech(t).content) for t in TEXTS}
        jobs = [t for _ in range(3) for t in TEXTS]

        def one(text: str):
            r = self.speech(text, client=httpx.Client(base_url=self.url, timeout=REQUEST_TIMEOUT))
            return text, r.status_code, pcm(r.content) if r.status_code == 200 else None

        with ThreadPoolExecutor(len(TEXTS)) as pool:
            results = list(pool.map(one, jobs))
        out = []
        for text, status, audio in results:
            ref = reference[text]
            same_len = audio is not None and len(audio) == len(ref)
            out.append({"text": text, "status": status, "samples": None if audio is None else len(audio),
                        "reference_samples": len(ref), "snr_db": snr_db(ref, audio) if same_len else None})
        return {"responses": out}

    def web_ui(self) -> dict:
        """The web page (its own single-replica deployment at /ui) synthesizes through the API
        replicas: its WAV equals the API's audio of the same text."""
        from gradio_client import Client

        client = Client(f"{self.url}/ui/", verbose=False)
        text = TEXTS[3]
        _, wav_path, status = client.predict(text, "baker", "neutral", 1.0, "", None, 1.0, 0.0, 1.0, "fast", "",
                                             False, api_name="/synthesize")[:3]
        with wave.open(wav_path) as w:
            ui_audio = pcm(w.readframes(w.getnframes()))
        api_audio = pcm(self.speech(text).content)
        same_len = len(ui_audio) == len(api_audio)
        return {"status": status, "samples": len(ui_audio), "api_samples": len(api_audio),
                "snr_db": snr_db(api_audio, ui_audio) if same_len else None}

    def metrics(self) -> dict:
        """Which replicas' tts request counters each node's metrics export shows."""
        deadline = time.monotonic() + 60
        seen: dict[str, set] = {}
        example = ""
        while time.monotonic() < deadline:
            seen = {}
            for node in self.cluster.nodes:
                try:
                    text = httpx.get(f"http://127.0.0.1:{node.metrics_port}/metrics", timeout=10).text
                except httpx.HTTPError:
                    continue
                for line in text.splitlines():
                    if line.startswith("ray_tts_requests") and 'replica="' in line:
                        example = line
                        replica = line.split('replica="', 1)[1].split('"', 1)[0]
                        seen.setdefault(node.name, set()).add(replica)
            if sum(len(v) for v in seen.values()) >= 2:
                break
            time.sleep(2)
        return {"replicas_by_node": {k: sorted(v) for k, v in seen.items()}, "example": example,
                "replica_names": [r["name"] for r in self.replicas()]}

    def burst(self, n: int = 40) -> dict:
        """n requests at once against 2 replicas x 2 in progress + 4 queued."""
        barrier = threading.Barrier(n)

        def one(i: int):
            with httpx.Client(base_url=self.url, timeout=REQUEST_TIMEOUT) as c:
                barrier.wait(timeout=30)
                r = self.speech(TEXTS[i % len(TEXTS)], client=c)
                return {"status": r.status_code, "retry_after": r.headers.get("retry-after"),
                        "body": r.text[:400] if r.status_code != 200 else ""}

        with ThreadPoolExecutor(n) as pool:
            results = list(pool.map(one, range(n)))
        statuses: dict[int, int] = {}
        busy_kinds: dict[str, int] = {}
        for r in results:
            statuses[r["status"]] = statuses.get(r["status"], 0) + 1
            if r["status"] == 503:
                kind = busy_kind(r["body"])
                busy_kinds[kind] = busy_kinds.get(kind, 0) + 1
        return {"statuses": statuses, "busy_kinds": busy_kinds, "busy": [r for r in results if r["status"] == 503][:5],
                "busy_without_retry_after": sum(1 for r in results if r["status"] == 503 and not r["retry_after"]),
                "other": [r for r in results if r["status"] not in (200, 503)][:5]}

    def app_busy(self, n: int = 40) -> dict:
        """The app's own admission (ServiceBusy) behind Serve: with Serve allowed more requests
        per replica (16) than the app admits (2 running + 4 waiting), the app answers the rest
        503 itself, in the API's JSON shape with Retry-After, and Serve passes that through.
        The override is serve.yaml's `deployments:` section; the original is restored after."""
        self.deploy([{"name": "SpeechAPI", "max_ongoing_requests": 16}])
        try:
            # The controller has the new limit once deploy() returns; Serve's proxy learns it by
            # the controller's long poll, later on a loaded machine. Until it does, the proxy
            # still sheds at the old limit and no request reaches the app's own admission, so a
            # burst answered only by Serve is tried again (at most three bursts in all).
            tries, result = 1, self.burst(n)
            while not result["busy_kinds"].get("server_busy", 0) and tries < 3:
                time.sleep(5)
                tries, result = tries + 1, self.burst(n)
            return {**result, "bursts": tries}
        finally:
            self.deploy()

    def job_survives(self) -> dict:
        """A long job; once its first segments are done, the replica holding its lease is killed.
        Another replica claims it after the lease runs out and finishes it; its audio equals the
        same job run again without interruption."""
        import ray
        from sqlalchemy import create_engine, text as sql

        lines = (TESTS.parent / "assets" / "eval_sentences.txt").read_text(encoding="utf-8").splitlines()
        sentences = [s.strip() for s in lines if s.strip() and not s.startswith("#")]
        body = {"input": "".join(sentences * 2), "response_format": "wav", "title": "cluster"}
        engine = create_engine(self.jobs["jobs_db"])
        try:
            job = self.http.post("/v1/jobs", json=body).json()
            first = self.wait_job(job["id"], lambda j: j["status"] == "running" and j["progress"]["done"] >= 1)
            with engine.connect() as conn:
                holder = conn.execute(sql("SELECT lease_owner FROM jobs WHERE id = :id"), {"id": job["id"]}).scalar()
            pid = int(holder.split(":")[1])
            victims = [r for r in self.replicas() if r["pid"] == pid]
            ray.kill(ray.get_actor(victims[0]["name"], namespace="serve"), no_restart=True)
            killed_at = time.monotonic()
            done = self.wait_job(job["id"], lambda j: j["status"] in ("done", "failed", "cancelled"), timeout=300)
            resumed_s = round(time.monotonic() - killed_at, 1)
            with engine.connect() as conn:
                row = conn.execute(sql("SELECT lease_owner, attempts, done, total, audio_samples FROM jobs "
                                       "WHERE id = :id"), {"id": job["id"]}).one()
            audio = self.job_audio(job["id"]) if done["status"] == "done" else None
            # The same job again, with nothing killed: the reference for "nothing lost".
            again = self.http.post("/v1/jobs", json=body).json()
            self.wait_job(again["id"], lambda j: j["status"] in ("done", "failed", "cancelled"), timeout=300)
            reference = self.job_audio(again["id"])
        finally:
            engine.dispose()
        replaced = self.wait_replicas()
        same_len = audio is not None and len(audio) == len(reference)
        return {"status": done["status"], "job_error": done.get("error"), "done_at_kill": first["progress"]["done"],
                "total": row.total, "done": row.done, "attempts": row.attempts, "killed": victims[0]["name"],
                "killed_holder": holder, "finished_by": row.lease_owner, "resumed_after_s": resumed_s,
                "samples": None if audio is None else len(audio), "store_samples": row.audio_samples,
                "reference_samples": len(reference), "snr_db": snr_db(reference, audio) if same_len else None,
                "replaced": replaced}

    def wait_job(self, job_id: str, ready, timeout: float = 180) -> dict:
        """Poll the job through the proxy (any replica answers) until `ready(job)`; a poll that
        reaches a replica being killed is simply repeated."""
        deadline, last = time.monotonic() + timeout, ""
        while time.monotonic() < deadline:
            try:
                r = self.http.get(f"/v1/jobs/{job_id}")
                last = r.text[:300]
                if r.status_code == 200 and ready(r.json()):
                    return r.json()
            except httpx.HTTPError:
                pass
            time.sleep(0.5)
        raise TimeoutError(f"job {job_id} did not get there in {timeout} s: {last}")

    def job_audio(self, job_id: str) -> np.ndarray:
        r = self.http.get(f"/v1/jobs/{job_id}/audio")
        r.raise_for_status()
        with wave.open(io.BytesIO(r.content)) as w:
            return pcm(w.readframes(w.getnframes()))

    def wait_replicas(self, timeout: float = 180) -> dict:
        """Until Serve has two RUNNING replicas again (after a kill)."""
        started, deadline = time.monotonic(), time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.replica_states() == {"RUNNING": 2} and len(self.replicas()) == 2:
                break
            time.sleep(1)
        return {"states": self.replica_states(), "after_s": round(time.monotonic() - started, 1)}

    def load_with(self, disrupt, clients: int = 3, per_client: int = 6) -> dict:
        """`clients` threads, each sending `per_client` requests one after another (each allowed
        one retry); `disrupt()` runs once two requests have succeeded."""
        done = threading.Semaphore(0)
        records: list[dict] = []

        def client(i: int) -> None:
            with httpx.Client(base_url=self.url, timeout=REQUEST_TIMEOUT) as c:
                for k in range(per_client):
                    text = TEXTS[(i + k) % len(TEXTS)]
                    attempts = []
                    for _ in range(2):
                        try:
                            r = self.speech(text, client=c)
                            attempts.append(r.status_code)
                            if r.status_code == 200:
                                break
                        except httpx.HTTPError as exc:
                            attempts.append(type(exc).__name__)
                    records.append({"text": text, "attempts": attempts})
                    done.release()

        threads = [threading.Thread(target=client, args=(i,)) for i in range(clients)]
        for t in threads:
            t.start()
        for _ in range(2):
            done.acquire(timeout=REQUEST_TIMEOUT)
        disrupted = disrupt()
        for t in threads:
            t.join(REQUEST_TIMEOUT * 2 * per_client)
        return {"disrupted": disrupted, "requests": records, "expected": clients * per_client}

    def kill_replica(self) -> dict:
        import ray

        before = self.replicas()

        def disrupt():
            victim = before[0]["name"]
            ray.kill(ray.get_actor(victim, namespace="serve"), no_restart=True)
            return victim

        load = self.load_with(disrupt)
        started, deadline = time.monotonic(), time.monotonic() + 180
        states, after = {}, []
        while time.monotonic() < deadline:
            states, after = self.replica_states(), self.replicas()
            if states.get("RUNNING") == 2 and len(after) == 2 and load["disrupted"] not in {a["name"] for a in after}:
                break
            time.sleep(1)
        return {**load, "before": [r["name"] for r in before], "after": [r["name"] for r in after],
                "states": states, "replaced_after_s": round(time.monotonic() - started, 1)}

    def remove_node(self) -> dict:
        reps = self.replicas()
        victim = self.cluster.node_of(reps[-1]["node_id"])

        def disrupt():
            victim.kill()
            return victim.name

        load = self.load_with(disrupt, clients=2, per_client=5)
        # And afterwards, one at a time: the remaining replica answers.
        after = []
        for text in TEXTS[:3]:
            try:
                after.append(self.speech(text).status_code)
            except httpx.HTTPError as exc:
                after.append(type(exc).__name__)
        return {**load, "after": after}


def out_of_time(*_) -> None:
    raise TimeoutError("the cluster scenario ran out of time")


def main(report_path: str) -> int:
    enter_private_network([__file__, report_path])
    report: dict = {"steps": {}}
    path = Path(report_path)
    started = time.monotonic()
    # A deadline of its own, below the caller's: the cluster is torn down by this process.
    signal.signal(signal.SIGALRM, out_of_time)
    signal.alarm(int(os.environ.get("ZH_TTS_CLUSTER_DEADLINE", "780")))
    root = os.environ.get("ZH_TTS_CLUSTER_ROOT")
    cluster = LocalCluster(workers=2, cpus_per_worker=1, root=Path(root) if root else None)
    try:
        with private_postgres() as jobs_db, cluster:
            report["cluster_up_s"] = round(time.monotonic() - started, 1)
            scenario = Scenario(cluster, free_port(), test_profile(cluster.root), jobs_db)
            t = time.monotonic()
            scenario.deploy()
            report["deployed_s"] = round(time.monotonic() - t, 1)
            for step in ("placement", "openai", "streaming", "cross_talk", "web_ui", "metrics", "burst", "app_busy",
                         "job_survives", "kill_replica", "remove_node"):
                t = time.monotonic()
                try:
                    result = getattr(scenario, step)()
                    result["seconds"] = round(time.monotonic() - t, 1)
                except Exception:  # noqa: BLE001 - reported, and the next step still runs
                    result = {"error": traceback.format_exc()[-3000:]}
                report["steps"][step] = result
                path.write_text(json.dumps(report, default=str, ensure_ascii=False, indent=1))
    except Exception:  # noqa: BLE001 - the report says why
        report["error"] = traceback.format_exc()[-4000:]
        report["logs"] = {node.name: node.tail for node in cluster.nodes}
    signal.alarm(0)
    report["total_s"] = round(time.monotonic() - started, 1)
    path.write_text(json.dumps(report, default=str, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
