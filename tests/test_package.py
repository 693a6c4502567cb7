"""The package is self-contained: cheap to import, its facade names at the top, its data inside,
and the `zh-tts` command installed by ./run.sh works from any directory."""

from __future__ import annotations

import subprocess
import sys
import wave
from pathlib import Path

import pytest
from conftest import ROOT

ZH_TTS = Path(sys.executable).parent / "zh-tts"


def test_importing_tts_does_not_import_torch():
    code = ("import sys, tts; assert 'torch' not in sys.modules, 'torch imported'; "
            "from tts import SynthesisOptions, RequestError, RequestInput, LIMITS; "
            "assert 'torch' not in sys.modules, 'torch imported by the options'; "
            "from tts import Synthesizer; assert Synthesizer.__name__ == 'Synthesizer'; "
            "assert 'torch' in sys.modules; print(sorted(tts.__all__))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "Synthesizer" in proc.stdout


def test_unknown_names_are_attribute_errors():
    import tts

    with pytest.raises(AttributeError):
        tts.NoSuchThing  # noqa: B018


def test_package_data_ships_inside_the_package():
    import tts
    from tts.serving.profiles import PROFILE_DIR, load_profile

    package = Path(tts.__file__).parent
    assert PROFILE_DIR.is_relative_to(package)
    assert {p.stem for p in PROFILE_DIR.glob("*.yaml")} == {"cpu", "gpu-16gb", "gpu-8gb", "gpu-small"}
    assert load_profile("gpu-small").devices.vocoder == "cpu"
    from tts.expressive.reference import STATS_PATH as prosody_stats
    from tts.models.hifigan_bridge import STATS_PATH as mel_stats

    assert prosody_stats.is_file() and prosody_stats.is_relative_to(package)
    assert mel_stats.is_file() and mel_stats.is_relative_to(package)


def test_top_level_of_the_package_stays_small():
    modules = [p.name for p in (ROOT / "tts").glob("*.py") if p.name not in ("__init__.py", "__main__.py")]
    assert len(modules) <= 10, modules


def test_console_script_is_installed():
    assert ZH_TTS.is_file(), "./run.sh installs the project into .venv (pip install -e .)"
    proc = subprocess.run([str(ZH_TTS), "--help"], capture_output=True, text=True, timeout=60, cwd="/")
    assert proc.returncode == 0 and "say" in proc.stdout and "serve" in proc.stdout


@pytest.mark.parametrize("args", [["serve", "--help"], ["serve", "--no-ui", "--help"], ["serve", "--port", "1", "--help"]])
def test_zh_tts_serve_takes_the_servers_own_options(args):
    """`zh-tts serve` hands every option to the server's parser, a leading --option included."""
    proc = subprocess.run([str(ZH_TTS), *args], capture_output=True, text=True, timeout=60, cwd="/")
    assert proc.returncode == 0, proc.stderr
    assert "--client-queue" in proc.stdout and "--no-ui" in proc.stdout


@pytest.mark.real_weights
def test_zh_tts_say_works_from_any_directory(tmp_path):
    proc = subprocess.run([str(ZH_TTS), "say", "你好", "-o", "x.wav"], capture_output=True, text=True,
                          timeout=300, cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    with wave.open(str(tmp_path / "x.wav")) as w:
        assert w.getframerate() == 24000 and w.getnframes() > 0.3 * 24000
