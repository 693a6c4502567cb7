"""Hardware profiles: validation that names the key, and detection from (faked) hardware."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
import torch
import yaml

from tts.serving.profiles import (PROFILE_DIR, Hardware, Profile, ProfileError, choose_profile_name, detect_hardware,
                          load_profile, profile_from_dict, select_profile)

BUILT_IN = ["cpu", "gpu-16gb", "gpu-8gb", "gpu-small"]


def base() -> dict:
    return yaml.safe_load((PROFILE_DIR / "cpu.yaml").read_text(encoding="utf-8"))


@pytest.mark.parametrize("name", BUILT_IN)
def test_built_in_profiles_load(name):
    profile = load_profile(name)
    assert isinstance(profile, Profile) and profile.name == name
    assert profile.text.max_request_chars >= 10000  # a 10,000-character chapter fits by default
    assert profile.vocoder.pad_frames >= 20  # at least both vocoders' receptive fields


def test_small_gpu_profile_puts_the_vocoder_on_the_cpu():
    p = load_profile("gpu-small")
    assert (p.devices.acoustic, p.devices.vocoder) == ("cuda", "cpu")


@pytest.mark.parametrize("path,value,message", [
    (("batching", "max_batchsize"), 4, "unknown key 'batching.max_batchsize'"),
    (("colour",), "red", "unknown key 'colour'"),
    (("batching", "max_batch_size"), "eight", "batching.max_batch_size: expected an integer"),
    (("batching", "max_batch_size"), 0, "batching.max_batch_size: 0 is below the minimum 1"),
    (("devices", "vocoder"), "tpu", "devices.vocoder: 'tpu' is not one of cpu, cuda"),
    (("precision", "fp16"), "yes", "precision.fp16: expected true or false"),
    (("text", "max_segment_chars"), 500, "text.max_segment_chars: 500 is above the maximum 120"),
    (("serving", "stall_timeout_s"), "soon", "serving.stall_timeout_s: expected a number"),
    (("serving", "request_timeout_s"), 120, "unknown key 'serving.request_timeout_s'"),
    (("vocoder", "default"), "wavenet", "vocoder.default: 'wavenet' is not one of mb_melgan, hifigan"),
    (("cache",), [1, 2], "cache: expected a mapping"),
])
def test_bad_keys_and_values_name_the_key(path, value, message):
    data = base()
    node = data
    for key in path[:-1]:
        node = node[key]
    node[path[-1]] = value
    with pytest.raises(ProfileError) as err:
        profile_from_dict(data, "test.yaml")
    assert message in str(err.value)
    assert str(err.value).startswith("test.yaml: ")


def test_missing_name_is_an_error():
    data = base()
    del data["name"]
    with pytest.raises(ProfileError, match="missing key 'name'"):
        profile_from_dict(data)


def test_cross_field_rules():
    data = base()
    data["vocoder"]["first_block_frames"] = 500
    with pytest.raises(ProfileError, match="first_block_frames must not exceed"):
        profile_from_dict(data)


def test_unknown_profile_name_lists_the_built_in_ones():
    with pytest.raises(ProfileError, match="built-in: cpu, gpu-16gb, gpu-8gb, gpu-small"):
        load_profile("gpu-huge")


def test_a_user_profile_file(tmp_path):
    data = base()
    data["name"] = "my-box"
    data["serving"]["concurrency"] = 2
    path = tmp_path / "mine.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    profile, reason, _ = select_profile(str(path), Hardware(cuda=False))
    assert profile.name == "my-box" and profile.serving.concurrency == 2
    assert reason.startswith("requested")


def test_invalid_yaml_is_reported(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("name: [unclosed", encoding="utf-8")
    with pytest.raises(ProfileError, match="not valid YAML"):
        load_profile(str(path))


@pytest.mark.parametrize("vram,expected", [(80.0, "gpu-16gb"), (24.0, "gpu-16gb"), (12.0, "gpu-16gb"),
                                           (11.9, "gpu-8gb"), (8.0, "gpu-8gb"), (7.9, "gpu-small"),
                                           (4.0, "gpu-small")])
def test_choice_by_vram(vram, expected):
    name, reason = choose_profile_name(Hardware(cuda=True, gpu_name="Fake GPU", vram_gb=vram))
    assert name == expected
    assert "Fake GPU" in reason


def test_no_cuda_means_cpu():
    assert choose_profile_name(Hardware(cuda=False, cores=2, ram_gb=24))[0] == "cpu"


@pytest.mark.parametrize("vram_gb,expected", [(10, "gpu-8gb"), (6, "gpu-small"), (40, "gpu-16gb")])
def test_detection_reads_the_reported_vram(monkeypatch, vram_gb, expected):
    """Fake what torch.cuda reports and check the whole detection path picks the right tier."""
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "get_device_properties",
                        lambda i: SimpleNamespace(name="Faked RTX", total_memory=vram_gb * 2**30))
    hw = detect_hardware()
    assert hw.cuda and hw.vram_gb == vram_gb and hw.gpu_name == "Faked RTX"
    profile, reason, _ = select_profile(hardware=hw)
    assert profile.name == expected
    assert reason.startswith("detected") and "Faked RTX" in reason


def test_environment_variable_overrides_detection(monkeypatch):
    monkeypatch.setenv("ZH_TTS_PROFILE", "gpu-8gb")
    profile, reason, _ = select_profile(hardware=Hardware(cuda=True, vram_gb=40))
    assert profile.name == "gpu-8gb" and "requested" in reason


def test_a_cuda_profile_without_cuda_is_refused():
    with pytest.raises(ProfileError, match="needs CUDA"):
        select_profile("gpu-16gb", Hardware(cuda=False))


def test_hifigan_realtime_is_declared_or_follows_the_vocoder_device():
    """One place decides whether the page marks HiFi-GAN slow: the profile's declaration, else
    its vocoder device (CUDA keeps up, a CPU does not)."""
    assert not load_profile("cpu").hifigan_realtime  # declared: not yet measured real-time on 2 cores
    assert load_profile("gpu-16gb").hifigan_realtime and not load_profile("gpu-small").hifigan_realtime
    raw = yaml.safe_load((PROFILE_DIR / "cpu.yaml").read_text())
    raw["vocoder"]["hifigan_realtime"] = True
    assert profile_from_dict(raw).hifigan_realtime
    del raw["vocoder"]["hifigan_realtime"]
    assert profile_from_dict(raw).vocoder.hifigan_realtime is None and not profile_from_dict(raw).hifigan_realtime
    raw["vocoder"]["hifigan_realtime"] = "yes"
    with pytest.raises(ProfileError, match="vocoder.hifigan_realtime: expected true, false or null"):
        profile_from_dict(raw)
