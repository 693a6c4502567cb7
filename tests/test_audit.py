"""pip-audit of the pinned requirements: no known vulnerability in any pinned package.

pip-audit asks PyPI's per-version JSON API about each pin. Where that endpoint is not served
(a registry mirror answers only the per-project JSON), the project's own JSON still lists the
known vulnerabilities of its newest release, which covers a pin that is that release; a pin
that is neither is reported as not audited. The counts are printed with the test figures.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import httpx
from conftest import report

ROOT = Path(__file__).resolve().parent.parent
PIN = re.compile(r"^([A-Za-z0-9_.\-]+)(?:\[[A-Za-z0-9_,.\-]+\])?==([^\s;#]+)")  # name[extras]==version
REQUIREMENTS = ("requirements.txt", "requirements-dev.txt", "requirements-cluster.txt")


def pins() -> dict[str, str]:
    found = {}
    for name in REQUIREMENTS:
        for line in (ROOT / name).read_text().splitlines():
            m = PIN.match(line.strip())
            if m:
                found[m.group(1).lower()] = m.group(2)
    return found


def test_every_requirement_is_pinned():
    for name in REQUIREMENTS:
        for line in (ROOT / name).read_text().splitlines():
            line = line.split("#")[0].strip()
            if line and not line.startswith("-r"):
                assert PIN.match(line), f"{name}: not pinned with ==: {line}"


def test_pip_audit_finds_no_known_vulnerabilities():
    pinned = pins()
    audited, vulnerable, unaudited = {}, {}, []
    for req in REQUIREMENTS:
        proc = subprocess.run([sys.executable, "-m", "pip_audit", "-r", str(ROOT / req), "--no-deps",
                               "--disable-pip", "-f", "json", "--progress-spinner", "off"],
                              capture_output=True, text=True, timeout=600)
        assert proc.stdout, proc.stderr[-2000:]
        for dep in json.loads(proc.stdout)["dependencies"]:
            name = dep["name"].lower()
            if "skip_reason" not in dep:
                audited[name] = "pip-audit"
                if dep.get("vulns"):
                    vulnerable[name] = [v["id"] for v in dep["vulns"]]
    for name, version in pinned.items():
        if name in audited:
            continue
        r = httpx.get(f"https://pypi.org/pypi/{name}/json", timeout=60, follow_redirects=True)
        if r.status_code != 200:
            unaudited.append(f"{name}=={version}")
            continue
        data = r.json()
        if data["info"]["version"] != version:
            unaudited.append(f"{name}=={version} (newest is {data['info']['version']})")
            continue
        audited[name] = "project JSON"
        if data.get("vulnerabilities"):
            vulnerable[name] = [v.get("id") for v in data["vulnerabilities"]]
    report(f"dependency audit: {len(audited)} of {len(pinned)} pins audited "
           f"({sum(v == 'pip-audit' for v in audited.values())} by pip-audit's per-version query, the rest through "
           f"the project JSON of their newest release); known vulnerabilities: {vulnerable or 'none'}; "
           f"not audited: {', '.join(unaudited) or 'none'}")
    assert not vulnerable, vulnerable
    assert len(audited) >= len(pinned) // 2, unaudited
