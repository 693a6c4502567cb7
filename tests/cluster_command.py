"""`./run.sh cluster` as README.md describes it, checked end to end:

    python tests/cluster_command.py ROOT REPORT.json      (re-runs itself under `unshare -n`)

runs exactly what `./run.sh cluster` runs once its set-up is done (`python -m tts.apps.cluster`,
its default arguments: deploy/ray/serve.yaml, the API on 127.0.0.1:8000), in a private network
namespace. Once it prints its URLs: the API speaks, the web page answers at /ui/, a job runs on the
replica's job runner, and the printed line says how another machine joins. Then Ctrl-C (SIGINT):
the command exits 0, and every process of the Ray head it started is gone, its temporary
directory removed.

ROOT is a short directory of the caller's: the command's temporary directory (TMPDIR, where the
head's --temp-dir is made), the job state. The caller kills whatever names ROOT should this
program itself be killed. Writes a JSON report; a failed check is its "error".
"""

from __future__ import annotations

import io
import json
import os
import re
import signal
import subprocess
import sys
import time
import traceback
import wave
from pathlib import Path

import httpx
import numpy as np
import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from raycluster import ROOT, enter_private_network  # noqa: E402

READY = "Mandarin TTS on Ray Serve:"


def processes_naming(temp_dir: Path) -> list[psutil.Process]:
    """The head's processes (their command lines name its --temp-dir) and their trees."""
    found: dict[int, psutil.Process] = {}
    for proc in psutil.process_iter(["cmdline"]):
        if any(str(temp_dir) in arg for arg in proc.info["cmdline"] or ()):
            for p in [proc, *proc.children(recursive=True)]:
                found[p.pid] = p
    return list(found.values())


def ctrl_c_reaches_python() -> None:
    """In the child before exec: SIGINT back to its default, so Python turns Ctrl-C into
    KeyboardInterrupt even when this scenario was started with SIGINT ignored (a job started with
    `&` by a shell without job control ignores it, and children inherit that)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


def wait_ready(proc: subprocess.Popen, log: Path, deadline_s: float) -> str:
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        text = log.read_text(errors="replace") if log.exists() else ""
        for line in text.splitlines():
            if line.startswith(READY):
                return line
        if proc.poll() is not None:
            raise RuntimeError(f"the command exited with {proc.returncode} before printing its URL:\n{text[-3000:]}")
        time.sleep(1)
    raise TimeoutError(f"no URL printed in {deadline_s:.0f} s:\n{log.read_text(errors='replace')[-3000:]}")


def checks(root: Path, report: dict) -> None:
    log = root / "command.log"
    env = {**os.environ, "TMPDIR": str(root), "ZH_TTS_STATE_DIR": str(root / "state"),
           "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
           "RAY_USAGE_STATS_ENABLED": "0"}
    for name in ("ZH_TTS_JOBS_DB", "ZH_TTS_HOST", "ZH_TTS_PORT", "ZH_TTS_AUTH", "RAY_ADDRESS"):
        env.pop(name, None)
    started = time.monotonic()
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "tts.apps.cluster"], cwd=ROOT, env=env, stdout=out,
                                preexec_fn=ctrl_c_reaches_python,
                                stderr=subprocess.STDOUT, start_new_session=True)
    try:
        line = wait_ready(proc, log, 480)
        report["ready_s"] = round(time.monotonic() - started, 1)
        report["printed"] = line
        # README: the API at http://127.0.0.1:8000, the web page at /ui/, and how a machine joins.
        assert "http://127.0.0.1:8000/v1/audio/speech" in line and "http://127.0.0.1:8000/ui/" in line, line
        assert re.search(r"ray start --address=127\.0\.0\.1:6379", line), line
        base = "http://127.0.0.1:8000"
        with httpx.Client(base_url=base, timeout=300) as http:
            r = http.post("/v1/audio/speech", json={"input": "你好，欢迎使用语音合成服务。", "response_format": "wav"})
            assert r.status_code == 200, (r.status_code, r.text[:500])
            with wave.open(io.BytesIO(r.content)) as w:
                assert w.getframerate() == 24000
                audio = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32767
            report["speech"] = {"audio_s": round(len(audio) / 24000, 2), "rms": round(float(np.sqrt(np.mean(audio**2))), 4)}
            assert len(audio) / 24000 > 1.5 and report["speech"]["rms"] > 0.02, report["speech"]
            page = http.get("/ui/")
            report["ui_status"] = page.status_code
            assert page.status_code == 200 and "gradio" in page.text.lower(), page.text[:500]
            job = http.post("/v1/jobs", json={"input": "第一章 开始\n今天天气很好。\n第二章 结束\n我们明天见。",
                                              "response_format": "wav"})
            assert job.status_code == 202, job.text[:500]
            job_id, deadline = job.json()["id"], time.monotonic() + 300
            while (state := http.get(f"/v1/jobs/{job_id}").json())["status"] not in ("done", "failed", "cancelled"):
                assert time.monotonic() < deadline, state
                time.sleep(0.5)
            assert state["status"] == "done", state
            assert len(state["chapters"]) == 2 and http.get(f"/v1/jobs/{job_id}/audio").status_code == 200
            report["job"] = {"status": state["status"], "audio_s": state["progress"]["audio_seconds"]}
            assert list((root / "state" / "jobs" / job_id).glob("segments/*.flac"))  # in $ZH_TTS_STATE_DIR
        # Ctrl-C: the command stops what it started, and nothing else.
        temp_dirs = list(root.glob("zh-tts-ray-*"))  # the head's --temp-dir (mkdtemp in TMPDIR)
        assert len(temp_dirs) == 1, temp_dirs
        head = processes_naming(temp_dirs[0])
        report["head_processes"] = len(head)
        assert head, "no process of the Ray head names its temporary directory"
        proc.send_signal(signal.SIGINT)
        report["exit_code"] = proc.wait(120)
        assert proc.returncode == 0, log.read_text(errors="replace")[-3000:]
        _, alive = psutil.wait_procs(head, timeout=30)
        report["left_running"] = [" ".join(p.cmdline()[:3]) for p in alive if p.is_running()]
        assert not report["left_running"], report["left_running"]
        assert not temp_dirs[0].exists(), "the head's temporary directory was left behind"
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(30)
        report["log_tail"] = log.read_text(errors="replace")[-3000:] if log.exists() else ""


def main(root: str, report_path: str) -> int:
    enter_private_network([__file__, root, report_path])
    report: dict = {}
    started = time.monotonic()
    try:
        checks(Path(root), report)
    except Exception:  # noqa: BLE001 - the report says why
        report["error"] = traceback.format_exc()[-4000:]
    report["total_s"] = round(time.monotonic() - started, 1)
    Path(report_path).write_text(json.dumps(report, default=str, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
