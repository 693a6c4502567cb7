"""Baker mel -> HiFi-GAN bridge, the 24 kHz HiFi-GAN vocoder and its chunked streaming (real weights)."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch

from tts.models.chunking import run_chunked
from tts.engine import AcousticItem, Engine
from tts.models.hifigan_bridge import STATS_PATH, BakerMelStats, HiFiGANVocoder, MelBridge, load_hifigan_vocoder
from tts.audio.spectral import (Resampler, baker_log_mel, hifigan_log_mel, hz_to_mel,
                          mel_band_edges, mel_to_hz, slaney_mel_filterbank)
from tts.models.vocabulary import SymbolTable
from tts.weights.fetch_hifigan import fetch_hifigan

# 卡尔普陪外孙玩滑梯。 (Baker 000001) and 请问去火车站应该怎么走？
PHONEMES = [
    "sil k a3 #0 ^ er3 #0 p u3 #2 p ei2 #0 ^ uai4 #0 s uen1 #1 ^ uan2 #0 h ua2 #0 t i1 sil",
    "sil q ing3 #0 ^ uen4 #1 q v4 #0 h uo3 #0 ch e1 #0 zh an4 #2 ^ ing1 #0 g ai1 #0 z en3 #0 m e5 #0 z ou3 sil",
]


def snr_db(reference: torch.Tensor, test: torch.Tensor) -> float:
    return float(10 * torch.log10((reference ** 2).sum() / ((reference - test) ** 2).sum().clamp(min=1e-20)))


@pytest.fixture(scope="module")
def stats() -> BakerMelStats:
    return BakerMelStats.load()


@pytest.fixture(scope="module")
def mels(engine) -> list[torch.Tensor]:  # `engine`: the session fixture of tests/conftest.py
    symbols = SymbolTable.load()
    return [r.mel for r in engine.acoustic([AcousticItem(symbols.encode(p.split())) for p in PHONEMES])]


@pytest.fixture(scope="module")
def vocoder(stats) -> HiFiGANVocoder:
    fetch_hifigan(log=lambda *_: None)
    return load_hifigan_vocoder(stats=stats)


def test_stats_file_is_sane(stats):
    raw = json.loads(STATS_PATH.read_text())
    assert len(raw["mean"]) == len(raw["std"]) == len(raw["r2"]) == 80
    assert (stats.std > 0.1).all() and (stats.std < 3).all()
    assert (stats.mean > -6).all() and (stats.mean < 1).all()
    assert np.median(raw["r2"]) > 0.8
    assert raw["provenance"]["script"] == "bench/estimate_baker_stats.py"
    for framing in ("matched", "interp"):
        assert np.isfinite(stats.offset(framing)).all() and np.abs(stats.offset(framing)).max() < 2
    with pytest.raises(ValueError, match="std > 0"):
        BakerMelStats(np.zeros(80), np.zeros(80))


def test_slaney_mel_scale_and_filterbank():
    assert float(hz_to_mel(1000.0)) == pytest.approx(15.0)
    assert float(hz_to_mel(200.0)) == pytest.approx(3.0)
    f = np.array([0.0, 80.0, 999.0, 1000.0, 4000.0, 7600.0])
    assert np.allclose(mel_to_hz(hz_to_mel(f)), f)
    basis = slaney_mel_filterbank(24000, 2048, 80, 80, 7600)
    assert basis.shape == (80, 1025) and (basis >= 0).all()
    freqs = np.linspace(0, 12000, 1025)
    edges = mel_band_edges(80, 80, 7600)
    assert (basis[:, freqs < 80] == 0).all() and (basis[:, freqs > 7600] == 0).all()
    # Slaney norm: each triangle has unit area over Hz (sum * bin spacing), up to sampling.
    assert np.allclose(basis[20:].sum(1) * (freqs[1] - freqs[0]), 1.0, atol=0.02)
    peak = freqs[basis[40].argmax()]
    assert abs(peak - edges[41]) <= freqs[1] - freqs[0]


def test_log_mel_frame_counts_and_tone_band():
    t = np.arange(24000) / 24000
    tone = 0.5 * np.sin(2 * np.pi * 1000 * t)
    mel = baker_log_mel(tone)
    assert mel.shape == (1 + 24000 // 300, 80)
    centres = mel_band_edges(80, 80, 7600)[1:-1]
    assert abs(centres[int(mel[40].argmax())] - 1000) < 60
    assert hifigan_log_mel(torch.zeros(2, 22050)).shape == (2, 22050 // 256, 80)
    assert float(hifigan_log_mel(torch.zeros(2560)).max()) == pytest.approx(np.log(1e-5), abs=1e-3)


@pytest.mark.parametrize("orig,new", [(24000, 20480), (20480, 24000), (22050, 24000)])
def test_resampler_is_accurate(orig, new):
    r = Resampler(orig, new)
    n = np.arange(orig)
    for hz in (150.0, 3100.0, 7000.0):
        y = r(torch.tensor(np.sin(2 * np.pi * hz * n / orig), dtype=torch.float32)[None])[0]
        assert y.shape[0] == new
        ref = torch.tensor(np.sin(2 * np.pi * hz * np.arange(new) / new), dtype=torch.float32)
        assert snr_db(ref[200:-200], y[200:-200]) > 70


def test_bridge_shapes_and_finite_output(stats, mels):
    mel = mels[0][None]
    matched, interp = MelBridge(stats, "matched"), MelBridge(stats, "interp")
    out = matched(mel)
    assert out.shape == mel.shape and torch.isfinite(out).all()
    out_i = interp(mel)
    assert out_i.shape == (1, interp.interp_frames(mel.shape[1]), 80) and torch.isfinite(out_i).all()
    assert out_i.shape[1] == pytest.approx(mel.shape[1] * 22050 / 256 / 80, abs=2)
    extreme = torch.cat([torch.full((1, 3, 80), -12.0), torch.full((1, 3, 80), 6.0)], dim=1)
    assert torch.isfinite(matched(extreme)).all() and torch.isfinite(interp(extreme)).all()
    assert (out >= np.log(1e-5) - 3).all() and (out < 6).all()
    with pytest.raises(ValueError, match="framing"):
        MelBridge(stats, "nearest")


def test_bridge_maps_a_real_signal_mel_to_its_hifigan_mel(stats):
    """Harmonic tone + noise: bridging its Baker mel ~ computing HiFi-GAN's mel of it directly."""
    rng = np.random.default_rng(0)
    t = np.arange(24000 * 2) / 24000
    f0 = 180 + 40 * np.sin(2 * np.pi * 0.7 * t)
    phase = 2 * np.pi * np.cumsum(f0) / 24000
    audio = sum(np.sin(k * phase) / k for k in range(1, 30)) * 0.05 + 0.01 * rng.standard_normal(t.size)
    audio = torch.tensor(audio, dtype=torch.float32)
    bridge = MelBridge(stats, "matched")
    normalized = (baker_log_mel(audio) - bridge.mean) / bridge.std
    got = bridge(normalized[None])[0]
    x = Resampler(24000, 20480)(audio[None])[0]
    ref = hifigan_log_mel(torch.cat([x.new_zeros(128), x]))  # 20480 Hz read as 22050, frame j on Baker frame j
    n = min(len(ref), len(got)) - 4
    err = (got[4:n, 1:] - ref[4:n, 1:]).abs().mean()
    assert err < 0.5, f"mean |bridge - direct| = {err:.2f} nats"


def test_vocoder_interface_and_real_output(vocoder, mels, stats):
    assert (vocoder.hop_size, vocoder.sample_rate, vocoder.min_frames) == (300, 24000, 1)
    assert vocoder.receptive_field_frames == 15 and vocoder.recommended_pad >= 15 and vocoder.streamable
    mel = mels[0][None, :150]
    with torch.inference_mode():
        audio = vocoder(mel)
    assert audio.shape == (1, mel.shape[1] * 300)
    assert torch.isfinite(audio).all() and audio.abs().max() <= 1.0
    assert float(audio.pow(2).mean().sqrt()) > 0.01
    # It renders the requested mel: log-spectral distance to the de-normalized input, in dB.
    target = mel[0].numpy() * stats.std + stats.mean
    rendered = baker_log_mel(audio[0])[: mel.shape[1]].numpy()
    lsd = np.mean(np.sqrt(np.mean((20 * (rendered - target)) ** 2, axis=1)))
    assert lsd < 6.0, f"LSD {lsd:.2f} dB"


def test_vocoder_very_short_inputs(vocoder, mels):
    with torch.inference_mode():
        for frames in (0, 1, 2, 3):
            out = vocoder(mels[1][None, :frames])
            assert out.shape == (1, frames * 300) and torch.isfinite(out).all()


@pytest.fixture(scope="module")
def whole(vocoder, mels) -> tuple[torch.Tensor, torch.Tensor]:
    mel = mels[1][None, 20:76]  # 56 frames from inside the utterance
    with torch.inference_mode():
        return mel, vocoder(mel)


@pytest.mark.parametrize("first_block,block", [(8, 32), (16, 64), (16, 32), (8, 64)])
def test_chunked_stream_equals_whole(vocoder, whole, first_block, block):
    mel, whole = whole
    pad = vocoder.recommended_pad
    with torch.inference_mode():
        stream = torch.cat(list(run_chunked(vocoder, mel, block, pad, scale=vocoder.hop_size,
                                            first_block=first_block)), dim=1)
    assert stream.shape == whole.shape
    assert snr_db(whole, stream) >= 60


def test_engine_streams_with_the_hifigan_vocoder(engine, vocoder, mels):
    hifi = Engine(engine.acoustic_model, {"hifigan": vocoder})
    mel = mels[0][:40]
    whole = hifi.vocode(mel, "hifigan")
    pieces = list(hifi.vocode_stream(mel, block=16, pad=16, first_block=8, name="hifigan"))
    assert len(pieces) == 3 and whole.shape == (40 * 300,)
    assert snr_db(torch.from_numpy(whole), torch.from_numpy(np.concatenate(pieces))) >= 60


def test_interp_framing_runs(stats, vocoder, mels):
    interp = HiFiGANVocoder(vocoder.generator, stats, framing="interp").eval()
    assert not interp.streamable
    with torch.inference_mode():
        out = interp(mels[0][None, 10:30])
    assert out.shape == (1, 20 * 300) and float(out.pow(2).mean().sqrt()) > 0.005


@pytest.mark.parametrize("orig,new,n,offset", [(24000, 20480, 5000, 0), (22050, 24000, 4410, 7), (22050, 24000, 3, 0)])
def test_resampler_product_equals_the_strided_convolution(orig, new, n, offset):
    import torch.nn.functional as F

    r = Resampler(orig, new)
    x = torch.randn(2, n)
    out = r(x, offset=offset)
    length = r.output_length(n - offset)
    blocks = -(-length // r.up)
    start = offset - r.reach
    needed = blocks * r.down + 2 * r.reach
    padded = F.pad(x, (r.reach, needed))[:, start + r.reach: start + r.reach + needed]
    reference = F.conv1d(padded[:, None], r.weight, stride=r.down).transpose(1, 2).reshape(2, -1)[:, :length]
    assert out.shape == reference.shape == (2, length)
    assert torch.allclose(out, reference, atol=1e-5)
