"""A long job's wall time: a 100,000-character book (ten 10,000-character chapters) as one job.

One Synthesizer (CPU profile as shipped, real weights) and a JobService over a temporary state
directory, nothing else running: the book (tests/conftest.py's `chapter()` text, ten times, each
under a `第N章` heading) is submitted and timed until it is done. Prints the wall time, the
audio produced, RTF, how long the final encoding (joined file + chapter files) took, and the
disk used by segment files and outputs.

    .venv/bin/python bench/job_bench.py --chars 100000 --format mp3
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from conftest import chapter  # noqa: E402

from tts.jobs.service import JobService  # noqa: E402
from tts.request import RequestInput  # noqa: E402
from tts.synthesizer import Synthesizer  # noqa: E402


def size(path: Path, pattern: str) -> int:
    return sum(p.stat().st_size for p in path.rglob(pattern))


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--chars", type=int, default=100_000)
    p.add_argument("--chapters", type=int, default=10)
    p.add_argument("--format", default="mp3")
    p.add_argument("--profile", default="cpu")
    args = p.parse_args()

    per = args.chars // args.chapters
    text = "\n".join(f"第{n + 1}章\n" + chapter(per - len(f"第{n + 1}章\n")) for n in range(args.chapters))
    synth = Synthesizer.from_profile(args.profile)
    state = Path(tempfile.mkdtemp(prefix="zh-tts-job-bench-"))
    service = JobService(synth, state)
    try:
        started = time.perf_counter()
        job_id = service.submit("bench", RequestInput(text), args.format).id
        spoken_at = None
        while (job := service.store.get(job_id)).status not in ("done", "failed"):
            if spoken_at is None and job.total and job.done == job.total:
                spoken_at = time.perf_counter()
            time.sleep(1.0)
        wall = time.perf_counter() - started
        if job.status != "done":
            raise SystemExit(f"the job failed: {job.error}")
        spoken_at = spoken_at or wall + started
        audio = job.audio_samples / synth.sample_rate
        job_dir = state / "jobs" / job_id
        print(f"profile {synth.profile.name}; {len(text)} characters in {args.chapters} chapters -> {args.format}")
        print("| characters | segments | audio | wall | RTF | final encoding | segment files | outputs |")
        print("| --- | --- | --- | --- | --- | --- | --- | --- |")
        print(f"| {len(text)} | {job.total} | {audio / 3600:.2f} h | {wall / 60:.1f} min | {wall / audio:.4f} | "
              f"{wall - (spoken_at - started):.0f} s | {size(job_dir / 'segments', '*.flac') / 2**20:.0f} MiB | "
              f"{size(job_dir / 'out', '*') / 2**20:.0f} MiB |")
    finally:
        service.close()
        synth.close()
        shutil.rmtree(state, ignore_errors=True)


if __name__ == "__main__":
    main()
