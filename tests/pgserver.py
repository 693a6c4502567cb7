"""A private PostgreSQL server for tests: Debian's `postgresql` package (./run.sh test installs
it), a cluster of its own made with initdb in a temporary directory and run by pg_ctl as the
unprivileged `postgres` user (PostgreSQL refuses to run as root), listening only on a Unix
socket in that directory, so it needs no port and no network. Stopped and removed on exit.

For the job store across cluster replicas (issue 14, item 3): a SQLAlchemy URL every replica of
a local test cluster can reach.
"""

from __future__ import annotations

import glob
import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

USER = "postgres"  # made by the Debian package


def postgres_bin() -> Path | None:
    """The newest installed PostgreSQL's bin directory (Debian keeps it off PATH), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[4]))
    return Path(found[-1]).parent if found else None


@contextmanager
def private_postgres() -> Iterator[str]:
    """Yields the SQLAlchemy URL (psycopg 3, Unix socket) of a fresh server; needs root."""
    bindir = postgres_bin()
    if bindir is None:
        raise RuntimeError("PostgreSQL is not installed (Debian package postgresql)")
    root = Path(tempfile.mkdtemp(prefix="zhpg-", dir="/tmp"))  # short: socket paths are limited
    data, sock = root / "data", root / "sock"
    sock.mkdir()
    shutil.chown(root, USER)
    shutil.chown(sock, USER)

    def run(*cmd: str) -> None:
        proc = subprocess.run([str(bindir / cmd[0]), *cmd[1:]], user=USER, capture_output=True, text=True,
                              timeout=120, cwd=root)
        if proc.returncode != 0:
            raise RuntimeError(f"{cmd[0]} failed: {proc.stdout[-1500:]}{proc.stderr[-1500:]}")

    try:
        # trust: only this socket, in a directory only root and postgres can reach; no fsync: a
        # test database that dies with the test.
        run("initdb", "-D", str(data), "-U", USER, "-A", "trust", "--no-sync", "-E", "UTF8")
        run("pg_ctl", "-D", str(data), "-w", "-t", "60", "-l", str(root / "server.log"), "-o",
            f"-k {sock} -c listen_addresses='' -c fsync=off -c max_connections=100", "start")
        try:
            yield f"postgresql+psycopg://{USER}@/{USER}?host={sock}"
        finally:
            run("pg_ctl", "-D", str(data), "-m", "immediate", "-w", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def can_run() -> bool:
    return os.geteuid() == 0 and postgres_bin() is not None
