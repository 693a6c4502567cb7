"""Derived voices: the mel formant warp (exact properties on synthetic frames) and, on real
synthesized speech, voices that differ as designed in pitch and spectral centroid while the
audio stays clean."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from conftest import eval_sentences, report
from tts.expressive.presets import VOICES, Voice, resolve, transform_mel
from tts.models.hifigan_bridge import BakerMelStats
from tts.options import RequestError, SynthesisOptions
from bench.measure import measure_set
from tts.expressive.voice_warp import band_centres_hz, envelope_projection, warp_matrix_bands, warp_mel

SENTENCES = [eval_sentences()[i] for i in (0, 5, 9, 15)]
STATS = BakerMelStats.load()


def normalize(log10_mel: np.ndarray) -> torch.Tensor:
    return torch.tensor((log10_mel - STATS.mean) / STATS.std, dtype=torch.float32)


def denormalize(mel: torch.Tensor) -> np.ndarray:
    return mel.double().numpy() * STATS.std + STATS.mean


@pytest.fixture(scope="module")
def measured(synth):
    out = {}
    for name in VOICES:
        audios = [synth.synthesize(SynthesisOptions(t, voice=name, quality="fast"), use_cache=False).audio
                  for t in SENTENCES]
        out[name] = measure_set(audios, synth.sample_rate, [1] * len(audios))
    base = out["baker"]
    for name, m in out.items():
        shift = 12 * math.log2(m.f0_median_hz / base.f0_median_hz)
        report(f"voice {name:12s}: F0 {m.f0_median_hz:.0f} Hz ({shift:+.2f} st), "
               f"centroid {m.centroid_hz:.0f} Hz, voiced {m.voiced_fraction:.1%}, F0 jumps {m.f0_jump_fraction:.2%}")
    return out


def test_derived_voices_say_they_are_derived_from_baker():
    assert {"baker", "baker-low", "baker-bright", "baker-child"} <= set(VOICES)
    for name, voice in VOICES.items():
        if name == "baker":
            assert voice.formant_shift == 1.0 and voice.derived_from is None
        else:
            assert name.startswith("baker-") and voice.derived_from == "baker"
            assert "派生 derived" in voice.label and "Baker" in voice.label
            assert "derived" in voice.description.lower() or "Derived" in voice.description


def test_baker_transform_is_the_identity_object():
    mel = torch.randn(50, 80)
    assert transform_mel(VOICES["baker"], mel) is mel
    assert warp_mel(mel, 1.0) is mel


@pytest.mark.parametrize("name", ["baker-low", "baker-bright", "baker-child"])
def test_transform_keeps_shape_dtype_and_is_finite(name):
    voice = VOICES[name]
    for mel in (torch.randn(123, 80), torch.randn(2, 40, 80), torch.randn(7, 80, dtype=torch.float64),
                torch.randn(9, 80).to(torch.bfloat16), torch.zeros(0, 80)):
        out = transform_mel(voice, mel)
        assert out.shape == mel.shape and out.dtype == mel.dtype
        assert torch.isfinite(out.float()).all()


def test_warp_rejects_bad_input():
    with pytest.raises(ValueError):
        warp_mel(torch.zeros(5, 79), 1.1)
    with pytest.raises(ValueError):
        warp_mel(torch.zeros(5, 80), 3.0)
    with pytest.raises(ValueError):
        transform_mel(Voice("x", "x", "x", formant_shift=0.1), torch.zeros(3, 80))


def test_envelope_projection_is_a_projection():
    p = envelope_projection()
    assert np.allclose(p @ p, p, atol=1e-10) and np.allclose(p, p.T, atol=1e-12)
    assert np.allclose(p @ np.ones(80), np.ones(80))  # a flat spectrum is all envelope


@pytest.mark.parametrize("alpha", [0.85, 0.92, 1.08, 1.18, 1.3])
def test_a_flat_spectrum_stays_flat_and_band_edges_extend_constantly(alpha):
    flat = np.full((3, 80), -2.5)
    out = denormalize(warp_mel(normalize(flat), alpha))
    assert np.allclose(out, -2.5, atol=1e-4)
    w = warp_matrix_bands(alpha)
    assert np.allclose(w.sum(axis=1), 1.0) and (w >= 0).all()


@pytest.mark.parametrize("alpha", [0.9, 1.1, 1.2])
def test_a_formant_peak_moves_by_the_warp_factor(alpha):
    centres = band_centres_hz()
    pos = np.log(centres)
    peak_hz = 1200.0
    frame = -3.0 + 1.5 * np.exp(-0.5 * ((pos - math.log(peak_hz)) / 0.25) ** 2)  # a smooth formant bump
    out = denormalize(warp_mel(normalize(frame[None]), alpha))[0]
    moved = centres[int(np.argmax(out))]
    assert abs(math.log(moved / (peak_hz * alpha))) < 0.05, (moved, peak_hz * alpha)


def test_harmonic_fine_structure_is_not_warped():
    centres = band_centres_hz()
    ripple = 0.3 * np.cos(2 * np.pi * centres / 250.0) * (centres < 1000)  # 250 Hz harmonics, low bands
    frame = -3.0 + ripple
    out = denormalize(warp_mel(normalize(frame[None]), 1.2))[0]
    low = centres < 900
    # the harmonic ripple (what sets the pitch the vocoder hears) keeps its place
    assert np.corrcoef(out[low] - out[low].mean(), ripple[low])[0, 1] > 0.8


def test_voices_differ_as_designed(measured):
    f0 = {k: m.f0_median_hz for k, m in measured.items()}
    centroid = {k: m.centroid_hz for k, m in measured.items()}
    assert centroid["baker-low"] < centroid["baker"] < centroid["baker-bright"] < centroid["baker-child"]
    assert f0["baker-low"] < f0["baker"] < f0["baker-bright"] < f0["baker-child"]
    assert 12 * math.log2(f0["baker"] / f0["baker-low"]) > 1.0
    assert 12 * math.log2(f0["baker-child"] / f0["baker"]) > 2.0
    assert centroid["baker-child"] / centroid["baker"] > 1.15


@pytest.mark.parametrize("name", list(VOICES))
def test_voice_audio_stays_clean(measured, name):
    m = measured[name]
    assert m.finite and m.voiced_fraction > 0.9 and m.f0_jump_fraction < 0.04


def test_unknown_voice_is_a_request_error():
    with pytest.raises(RequestError) as err:
        resolve(SynthesisOptions("你好", voice="alto"))
    assert err.value.field == "voice" and "baker-child" in str(err.value)
