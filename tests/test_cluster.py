"""Scaling past one machine on Ray Serve (tts/serving/cluster.py, docs/cluster.md).

Without a cluster: single-process mode imports no Ray; the profile's cluster keys; the Serve
options a profile gives; deploy/ray/serve.yaml and the KubeRay RayService are valid; the health
check fails when a batching worker thread is dead.

With a cluster (markers `cluster`, `real_weights`): tests/cluster_scenario.py runs once, in a
network namespace of its own, a head and two 1-CPU worker nodes with two API replicas on the
real weights, and reports every step; each test below asserts on one step of that report.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from conftest import ROOT, cpu_synthesizer, report

SCENARIO_TIMEOUT_S = 900  # the scenario's own deadline is 780 s; typically it takes about 2.5 min


def test_single_process_mode_imports_no_ray():
    code = ("import sys; import tts.web.app, tts.web.api, tts.synthesizer, tts.serving.profiles, tts.apps.cli, tts.apps.serve; "
            "assert not [m for m in sys.modules if m == 'ray' or m.startswith('ray.')], 'ray imported'")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr


def test_cluster_extra_pins_ray_serve():
    lines = [line.strip() for line in (ROOT / "requirements-cluster.txt").read_text().splitlines()
             if line.strip() and not line.startswith("#")]
    assert lines == ["ray[serve]==2.60.0", "psycopg[binary]==3.3.9"]
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'optional-dependencies.cluster = { file = ["requirements-cluster.txt"] }' in pyproject


def test_every_profile_has_valid_cluster_keys():
    from tts.serving.profiles import PROFILE_DIR, ProfileError, load_profile, profile_from_dict

    for path in PROFILE_DIR.glob("*.yaml"):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        assert set(data["cluster"]) == {"min_replicas", "max_replicas", "target_ongoing_requests", "replica_cpus"}
        c = load_profile(path.stem).cluster
        assert 1 <= c.min_replicas <= c.max_replicas
    data = yaml.safe_load((PROFILE_DIR / "cpu.yaml").read_text(encoding="utf-8"))
    with pytest.raises(ProfileError, match="min_replicas must not exceed"):
        profile_from_dict({**data, "cluster": {**data["cluster"], "min_replicas": 5, "max_replicas": 2}})
    with pytest.raises(ProfileError, match="cluster.min_replicas"):
        profile_from_dict({**data, "cluster": {**data["cluster"], "min_replicas": 0}})
    with pytest.raises(ProfileError, match="unknown key 'cluster.replicas'"):
        profile_from_dict({**data, "cluster": {**data["cluster"], "replicas": 3}})


def test_serve_options_come_from_the_profile():
    pytest.importorskip("ray.serve")
    from tts.serving.cluster import RETRY_AFTER_S, deployment_options, replica_profile
    from tts.serving.profiles import load_profile

    cpu = replica_profile(load_profile("cpu"))
    options = deployment_options(cpu)
    assert options["max_ongoing_requests"] == cpu.serving.concurrency
    assert options["max_queued_requests"] == cpu.serving.queue_size
    assert options["backpressure_config"].status_code == 503
    assert options["backpressure_config"].retry_after_s == RETRY_AFTER_S
    assert options["autoscaling_config"] == {"min_replicas": cpu.cluster.min_replicas,
                                             "max_replicas": cpu.cluster.max_replicas,
                                             "target_ongoing_requests": cpu.cluster.target_ongoing_requests}
    assert options["ray_actor_options"] == {"num_cpus": cpu.cluster.replica_cpus, "num_gpus": 0}
    assert cpu.cpu.threads == int(cpu.cluster.replica_cpus)  # a replica uses the CPUs it reserved
    gpu = replica_profile(load_profile("gpu-16gb"))
    assert deployment_options(gpu)["ray_actor_options"]["num_gpus"] == 1
    fixed = deployment_options(replica_profile(load_profile("cpu"), replica_cpus=1), replicas=2, max_replicas_per_node=1)
    assert fixed["num_replicas"] == 2 and "autoscaling_config" not in fixed and fixed["max_replicas_per_node"] == 1
    assert fixed["ray_actor_options"]["num_cpus"] == 1


def serve_app_config(text: str):
    from ray.serve.schema import ServeDeploySchema

    return ServeDeploySchema.model_validate(yaml.safe_load(text))


def test_serve_yaml_is_a_serve_config_whose_builder_makes_the_app():
    pytest.importorskip("ray.serve")
    from ray.serve._private.utils import import_attr

    config = serve_app_config((ROOT / "deploy" / "ray" / "serve.yaml").read_text(encoding="utf-8"))
    app, ui = config.applications
    assert app.import_path == "tts.apps.cluster:build" and app.route_prefix == "/"
    built = import_attr(app.import_path)(app.args)
    deployment = built._bound_deployment
    assert deployment.name == "SpeechAPI"
    assert deployment.max_ongoing_requests == 4 and deployment.max_queued_requests == 32  # cpu profile
    # The web page: one replica, calling the API application by its name.
    assert ui.import_path == "tts.apps.cluster:build_ui" and ui.route_prefix == "/ui"
    assert ui.args["api_app"] == app.name
    page = import_attr(ui.import_path)(ui.args)._bound_deployment
    assert page.name == "WebUI" and page.num_replicas == 1
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="profil\n  Extra inputs are not permitted"):
        import_attr(app.import_path)({"profil": "cpu"})  # a typo is an error, not a default


def test_kuberay_rayservice_is_structurally_valid():
    pytest.importorskip("ray.serve")
    service = yaml.safe_load((ROOT / "deploy" / "kuberay" / "rayservice.yaml").read_text(encoding="utf-8"))
    assert service["apiVersion"] == "ray.io/v1" and service["kind"] == "RayService"
    spec = service["spec"]
    config = serve_app_config(spec["serveConfigV2"])
    app, ui = config.applications
    assert app.import_path == "tts.apps.cluster:build"
    assert ui.import_path == "tts.apps.cluster:build_ui" and ui.args["api_app"] == app.name
    from tts.apps.cluster import ClusterArgs
    from tts.serving.profiles import load_profile

    args = ClusterArgs.model_validate(app.args)
    assert load_profile(args.profile).uses_cuda
    cluster = spec["rayClusterConfig"]
    pinned = (ROOT / "requirements-cluster.txt").read_text()
    assert f"ray[serve]=={cluster['rayVersion']}" in pinned
    head = cluster["headGroupSpec"]
    assert head["rayStartParams"]["num-cpus"] == "0"
    head_ports = {p["name"]: p["containerPort"] for p in head["template"]["spec"]["containers"][0]["ports"]}
    assert head_ports["gcs-server"] == 6379 and head_ports["serve"] == 8000
    (workers,) = cluster["workerGroupSpecs"]
    assert workers["minReplicas"] <= workers["replicas"] <= workers["maxReplicas"]
    container = workers["template"]["spec"]["containers"][0]
    assert container["resources"]["limits"]["nvidia.com/gpu"] == "1"  # one replica per GPU
    images = {head["template"]["spec"]["containers"][0]["image"], container["image"]}
    assert len(images) == 1 and cluster["rayVersion"] in images.pop()
    # Jobs: every pod sees the same store (PostgreSQL URL from a Secret) and the same files.
    for pod in (head["template"]["spec"], workers["template"]["spec"]):
        (c,) = pod["containers"]
        env = {e["name"]: e for e in c["env"]}
        assert env["ZH_TTS_JOBS_DB"]["valueFrom"]["secretKeyRef"]["name"] == "zh-tts-jobs"
        mount = next(m for m in c["volumeMounts"] if m["mountPath"] == env["ZH_TTS_STATE_DIR"]["value"])
        (volume,) = [v for v in pod["volumes"] if v["name"] == mount["name"]]
        assert volume["persistentVolumeClaim"]["claimName"] == "zh-tts-state"
    dockerfile = (ROOT / "deploy" / "kuberay" / "Dockerfile").read_text()
    assert f"rayproject/ray:{cluster['rayVersion']}-py311-gpu" in dockerfile


def test_health_check_fails_when_a_worker_thread_is_dead(tiny_engine, tiny_pipeline):
    pytest.importorskip("ray.serve")
    from tts.apps.cluster import SpeechAPI
    from tts.serving.cluster import check_workers

    assert SpeechAPI.func_or_class.check_health  # what Serve calls on every replica, periodically

    from fastapi.testclient import TestClient

    from tts.web.app import create_app

    gen = cpu_synthesizer(tiny_engine, tiny_pipeline)
    synth = next(gen)
    try:
        client = TestClient(create_app(synth, ui=False))
        check_workers(synth)  # healthy
        assert client.get("/healthz").status_code == 200
        worker = next(iter(synth.workers.values()))
        worker.stop()
        with pytest.raises(RuntimeError, match="batching worker"):
            check_workers(synth)
        assert client.get("/healthz").json()["status"] == "degraded"  # the same fact, over HTTP
    finally:
        gen.close()


class LocalHandle:
    """A DeploymentHandle stand-in: `handle[.options(stream=True)].method.remote(...)` calls the
    API deployment's method on a local replica object at once (`.result()`, or iterate)."""

    class _Stream:
        def __init__(self, gen):
            self._gen = gen

        def __iter__(self):
            return self._gen

        def cancel(self):
            self._gen.close()

    def __init__(self, replica):
        self._replica = replica

    def options(self, stream: bool = False) -> "LocalHandle":
        return self

    def __getattr__(self, name):
        import inspect
        import types

        from tts.apps.cluster import SpeechAPI

        method = getattr(SpeechAPI.func_or_class, name)

        def remote(*args, **kwargs):
            out = method(self._replica, *args, **kwargs)
            return self._Stream(out) if inspect.isgenerator(out) else types.SimpleNamespace(result=lambda: out)

        return types.SimpleNamespace(remote=remote)


def test_the_web_page_builds_and_speaks_over_the_api_deployments_methods(tiny_synth, tmp_path):
    """What the cluster's web page runs, without a cluster: create_app(ui=True, api=False) over a
    RemoteSynthesizer whose calls go to SpeechAPI's ui_* methods, with a runner-less job service
    (every attribute the page and its jobs tab read must exist there); its stream gives the
    synthesizer's own audio."""
    pytest.importorskip("ray.serve")
    import types

    import numpy as np
    from fastapi.testclient import TestClient

    from tts.options import SynthesisOptions
    from tts.apps.cluster import RemoteSynthesizer, job_service
    from tts.web.app import create_app

    remote = RemoteSynthesizer(LocalHandle(types.SimpleNamespace(synth=tiny_synth)), tiny_synth.profile)
    jobs = job_service(remote, str(tmp_path), None, start=False, runner_slots=1)
    try:
        client = TestClient(create_app(remote, ui=True, api=False, jobs=jobs))
        assert client.get("/").status_code == 200
        assert client.post("/v1/audio/speech", json={"input": "你好"}).status_code == 404  # no API here
        options = SynthesisOptions("今天天气很好。")
        with remote.stream(options) as stream:
            streamed = np.concatenate([chunk.audio for chunk in stream])
        assert np.array_equal(streamed, stream.result.audio)
        assert np.array_equal(streamed, tiny_synth.synthesize(options, use_cache=False).audio)
        assert remote.plan(options).segments and remote.info()["profile"] == tiny_synth.profile.name
    finally:
        jobs.close()


@pytest.mark.debian_tools
def test_private_postgresql_hands_concurrent_claimers_different_rows():
    """The job store's database for a cluster: a private PostgreSQL (run as `postgres`, on a Unix
    socket only) through SQLAlchemy and psycopg; two transactions claiming with
    SELECT ... FOR UPDATE SKIP LOCKED, as replicas do, each get a different row."""
    pytest.importorskip("psycopg")
    from pgserver import can_run, private_postgres
    from sqlalchemy import Column, Integer, MetaData, Table, create_engine, insert, select

    if not can_run():
        pytest.skip("needs root and the Debian postgresql package (./run.sh test installs it)")
    with private_postgres() as url:
        engine = create_engine(url)
        try:
            rows = Table("work", MetaData(), Column("id", Integer, primary_key=True))
            rows.metadata.create_all(engine)
            with engine.begin() as conn:
                conn.execute(insert(rows), [{"id": i} for i in range(3)])
            claim = select(rows.c.id).order_by(rows.c.id).limit(1).with_for_update(skip_locked=True)
            with engine.connect() as first, engine.connect() as second:
                with first.begin(), second.begin():
                    assert first.execute(claim).scalar() == 0
                    assert second.execute(claim).scalar() == 1  # not blocked, not the same row
        finally:
            engine.dispose()


# ---- on a local Ray cluster ----

@pytest.fixture(scope="module")
def scenario(weights_dir, tmp_path_factory):
    """The report of one run of tests/cluster_scenario.py (a head, two worker nodes, two replicas)."""
    pytest.importorskip("ray.serve")
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("the cluster runs in a network namespace of its own: needs root and unshare")
    from raycluster import kill_cluster_processes, short_temp_dir

    out = tmp_path_factory.mktemp("cluster") / "report.json"
    root = short_temp_dir()  # the nodes' --temp-dir: what to clean up should the scenario be killed
    env = {**os.environ, "ZH_TTS_DATA_DIR": str(weights_dir), "ZH_TTS_CLUSTER_ROOT": str(root)}
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "tests" / "cluster_scenario.py"), str(out)],
                              capture_output=True, text=True, timeout=SCENARIO_TIMEOUT_S, env=env, cwd=ROOT)
    finally:
        kill_cluster_processes(root)
        shutil.rmtree(root, ignore_errors=True)
    assert out.is_file(), f"no report (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
    data = json.loads(out.read_text())
    assert "error" not in data, f"{data['error']}\nnode logs: {json.dumps(data.get('logs'), indent=1)[-4000:]}"
    report(f"cluster: up in {data['cluster_up_s']} s, 2 replicas deployed in {data['deployed_s']} s, "
           f"whole scenario {data['total_s']} s")
    return data["steps"]


def step(scenario: dict, name: str) -> dict:
    result = scenario.get(name)
    assert result is not None, f"step {name} did not run"
    assert "error" not in result, f"step {name} failed:\n{result['error']}"
    return result


def every_request_succeeded_within_one_retry(result: dict) -> None:
    assert len(result["requests"]) == result["expected"], "some client threads did not finish"
    for r in result["requests"]:
        assert len(r["attempts"]) <= 2 and r["attempts"][-1] == 200, r



@pytest.mark.cluster
def test_two_replicas_run_on_distinct_worker_nodes(scenario):
    s = step(scenario, "placement")
    assert len(s["replicas"]) == 2
    assert len(s["nodes"]) == 2 and s["nodes"] == s["worker_node_ids"]


@pytest.mark.cluster
def test_openai_client_gets_speech_through_serve(scenario):
    s = step(scenario, "openai")
    assert s["rate"] == 24000 and s["audio_s"] > 1 and s["rms"] > 0.02


@pytest.mark.cluster
def test_streamed_response_arrives_in_pieces_through_the_proxy(scenario):
    s = step(scenario, "streaming")
    assert s["status"] == 200 and s["pieces"] > 1
    assert s["first_piece_s"] < s["last_piece_s"]  # the first audio came before the rest was made
    assert s["samples"] == s["whole_samples"] and s["snr_vs_whole_db"] > 30


@pytest.mark.cluster
def test_concurrent_responses_equal_their_single_request_audio(scenario):
    s = step(scenario, "cross_talk")
    assert len(s["responses"]) == 18
    for r in s["responses"]:
        assert r["status"] == 200, r
        assert r["samples"] == r["reference_samples"], r
        assert r["snr_db"] > 30, r


@pytest.mark.cluster
def test_the_web_page_synthesizes_through_the_api_replicas(scenario):
    """The Gradio page is its own one-replica deployment (at /ui) over a streaming handle to the
    API deployment: the WAV it offers equals the API's audio of the same text."""
    s = step(scenario, "web_ui")
    assert "server's first audio" in s["status"]
    assert s["samples"] == s["api_samples"] and s["snr_db"] > 30


@pytest.mark.cluster
def test_every_replica_reports_metrics_with_its_replica_label(scenario):
    s = step(scenario, "metrics")
    replicas = {name.rsplit("#", 1)[1] for name in s["replica_names"]}
    exported = {r for names in s["replicas_by_node"].values() for r in names}
    assert replicas <= exported, s
    assert len(s["replicas_by_node"]) == 2  # each from the node it runs on


@pytest.mark.cluster
def test_a_burst_gets_503_with_retry_after_and_no_500(scenario):
    s = step(scenario, "burst")
    assert set(s["statuses"]) <= {"200", "503"}, s["other"]
    assert s["statuses"].get("503", 0) > 0 and s["statuses"].get("200", 0) > 0
    assert s["busy_without_retry_after"] == 0
    assert "server_busy" not in s["busy_kinds"]  # Serve's queue answers first: the app is never overfull


@pytest.mark.cluster
def test_the_apps_own_503_passes_through_serve(scenario):
    """Serve allowed more requests per replica than the app admits: the app's ServiceBusy
    answers (its JSON error, Retry-After) reach the client unchanged, and still no 500."""
    s = step(scenario, "app_busy")
    assert set(s["statuses"]) <= {"200", "503"}, s["other"]
    assert s["busy_kinds"].get("server_busy", 0) > 0, s["busy_kinds"]
    assert s["busy_without_retry_after"] == 0
    report(f"cluster: the app's own 503 passed through Serve ({s['busy_kinds']['server_busy']} of "
           f"{sum(s['statuses'].values())} requests; burst {s['bursts']} of at most 3)")


@pytest.mark.cluster
def test_a_job_survives_the_loss_of_the_replica_running_it(scenario):
    """The job store on PostgreSQL, a job runner in every replica: the replica holding a job's
    lease is killed mid-job; another claims it once the lease runs out and finishes it, and its
    audio equals the same job run again without interruption (nothing lost, nothing doubled)."""
    s = step(scenario, "job_survives")
    assert s["status"] == "done", s["job_error"]
    assert 1 <= s["done_at_kill"] < s["total"] == s["done"]  # killed mid-job
    assert s["attempts"] >= 2  # claimed again after the kill
    assert s["samples"] == s["store_samples"] == s["reference_samples"]
    assert s["snr_db"] > 30
    assert s["replaced"]["states"] == {"RUNNING": 2}
    report(f"cluster: a job whose replica was killed after {s['done_at_kill']}/{s['total']} segments "
           f"finished elsewhere {s['resumed_after_s']} s later (lease 5 s)")


@pytest.mark.cluster
def test_a_killed_replica_costs_at_most_one_retry_and_is_replaced(scenario):
    s = step(scenario, "kill_replica")
    every_request_succeeded_within_one_retry(s)
    assert s["disrupted"] in s["before"] and s["disrupted"] not in s["after"]
    assert len(s["after"]) == 2 and s["states"] == {"RUNNING": 2}
    report(f"cluster: a killed replica was replaced (RUNNING) after {s['replaced_after_s']} s; "
           f"{sum(len(r['attempts']) - 1 for r in s['requests'])} of {s['expected']} requests needed their retry")


@pytest.mark.cluster
def test_the_service_keeps_answering_when_a_worker_node_is_lost(scenario):
    s = step(scenario, "remove_node")
    every_request_succeeded_within_one_retry(s)
    assert s["after"] == [200, 200, 200]


# ---- ./run.sh cluster, as README.md describes it ----

def test_run_sh_cluster_runs_the_cluster_command_after_its_set_up():
    """`./run.sh cluster` sets up with the extra, then is `python -m tts.apps.cluster` (which the
    next test runs: it cannot run run.sh itself without reinstalling the shared environment)."""
    script = (ROOT / "run.sh").read_text()
    branch = script.split("\n  cluster)\n", 1)[1].split(";;", 1)[0]
    assert [line.strip() for line in branch.strip().splitlines()] == [
        "shift", "setup_venv", "install_requirements requirements-cluster.txt",
        'exec "$VENV/bin/python" -m tts.apps.cluster "$@"']


@pytest.mark.cluster
def test_the_cluster_command_serves_the_api_the_page_and_jobs_and_ctrl_c_stops_what_it_started(weights_dir):
    """`./run.sh cluster` with its defaults (deploy/ray/serve.yaml, port 8000), in a network
    namespace of its own (tests/cluster_command.py): it prints the URLs README names; the API
    speaks, the page answers at /ui/, a job runs; Ctrl-C exits 0 and leaves no process of its
    Ray head behind, nor its temporary directory."""
    pytest.importorskip("ray.serve")
    if os.geteuid() != 0 or not shutil.which("unshare"):
        pytest.skip("the cluster runs in a network namespace of its own: needs root and unshare")
    from raycluster import kill_cluster_processes, short_temp_dir

    root = short_temp_dir()
    out = root / "report.json"
    env = {**os.environ, "ZH_TTS_DATA_DIR": str(weights_dir)}
    try:
        proc = subprocess.run([sys.executable, str(ROOT / "tests" / "cluster_command.py"), str(root), str(out)],
                              capture_output=True, text=True, timeout=SCENARIO_TIMEOUT_S, env=env, cwd=ROOT)
        assert out.is_file(), f"no report (exit {proc.returncode}):\n{proc.stderr[-4000:]}"
        data = json.loads(out.read_text())
    finally:
        kill_cluster_processes(root)
        shutil.rmtree(root, ignore_errors=True)
    assert "error" not in data, f"{data['error']}\ncommand log:\n{data.get('log_tail', '')}"
    assert data["exit_code"] == 0 and data["left_running"] == [] and data["head_processes"] > 0
    assert data["speech"]["audio_s"] > 1.5 and data["ui_status"] == 200 and data["job"]["status"] == "done"
    report(f"./run.sh cluster: URLs printed after {data['ready_s']} s; speech, /ui/ and a job answered; "
           f"Ctrl-C stopped all {data['head_processes']} processes of its head")
