"""Emotion presets on real synthesized speech: each moves F0 level and range, loudness, speaking
rate, pauses and the sentence-final contour the way it says, the audio stays clean, and the
intensity slider scales the effect."""

from __future__ import annotations

import math

import numpy as np
import pytest

from conftest import eval_sentences, report
from tts.expressive.presets import EMOTIONS, Emotion, acoustic_item, resolve, scaled_emotion
from tts.options import Prosody, RequestError, SynthesisOptions
from bench.measure import measure_set, spoken_timing

SENTENCES = [eval_sentences()[i] for i in (0, 1, 5, 9, 13)]


def run(synth, texts, **options):
    audios, syllables, speech, finals, pauses = [], [], [], [], 0.0
    for text in texts:
        res = synth.synthesize(SynthesisOptions(text, quality="fast", **options), use_cache=False)
        audios.append(res.audio)
        n, speech_s, final = spoken_timing(res.segments)
        syllables.append(n)
        speech.append(speech_s)
        finals.append(final)
        pauses += sum(seg.pause_s for seg in res.segments)
    return measure_set(audios, res.sample_rate, syllables, speech, finals), pauses, audios


@pytest.fixture(scope="module")
def measured(synth):
    out = {name: run(synth, SENTENCES, emotion=name) for name in EMOTIONS}
    base = out["neutral"][0]
    for name, (m, pauses, _) in out.items():
        report(f"emotion {name:9s}: F0 {12 * math.log2(m.f0_median_hz / base.f0_median_hz):+.2f} st, range "
               f"{m.f0_range_st - base.f0_range_st:+.2f} st, level {m.energy_db - base.energy_db:+.2f} dB, rate "
               f"x{m.syllables_per_s / base.syllables_per_s:.3f}, "
               f"final {m.final_rise_st - base.final_rise_st:+.2f} st, "
               f"pauses {pauses:.2f} s, voiced {m.voiced_fraction:.1%}, F0 jumps {m.f0_jump_fraction:.2%}")
    return out


def deltas(measured, name):
    m, base = measured[name][0], measured["neutral"][0]
    return {"f0": 12 * math.log2(m.f0_median_hz / base.f0_median_hz), "range": m.f0_range_st - base.f0_range_st,
            "db": m.energy_db - base.energy_db, "rate": m.syllables_per_s / base.syllables_per_s,
            "final": m.final_rise_st - base.final_rise_st,
            "pauses": measured[name][1] / measured["neutral"][1]}


def test_the_six_presets_exist_with_bilingual_labels():
    assert list(EMOTIONS) == ["neutral", "happy", "sad", "angry", "gentle", "surprised"]
    for name, e in EMOTIONS.items():
        assert isinstance(e, Emotion) and isinstance(e, Prosody)
        assert name in e.label and any("\u4e00" <= ch <= "\u9fff" for ch in e.label)


@pytest.mark.parametrize("name", list(EMOTIONS))
def test_presets_stay_in_the_models_sane_range(name):
    e = EMOTIONS[name]
    assert abs(e.pitch_shift) <= 1.5 and abs(e.pitch_shift + e.final_pitch) <= 2.5
    assert 0.6 <= e.pitch_range <= 1.5 and 0.75 <= e.duration_scale <= 1.35
    assert -1.0 <= e.energy_shift <= 1.0 and 0.7 <= e.energy_scale <= 1.4 and 0.5 <= e.pause_scale <= 2.0


def test_happy_is_higher_livelier_and_faster(measured):
    d = deltas(measured, "happy")
    assert d["f0"] > 0.8 and d["range"] > 0.3 and d["rate"] > 1.05 and d["db"] > 0.5


def test_sad_is_lower_flatter_slower_quieter_with_longer_pauses(measured):
    d = deltas(measured, "sad")
    assert d["f0"] < -0.8 and d["range"] < -0.5 and d["rate"] < 0.9 and d["db"] < -1.5
    assert d["pauses"] > 1.3 and d["final"] < 0


def test_angry_is_louder_faster_and_wider(measured):
    d = deltas(measured, "angry")
    assert d["db"] > 1.2 and d["rate"] > 1.05 and d["range"] > 0.5 and d["pauses"] < 1.0


def test_gentle_is_softer_slower_and_narrower(measured):
    d = deltas(measured, "gentle")
    assert d["db"] < -1.2 and d["rate"] < 0.95 and d["range"] < -0.3 and d["pauses"] > 1.0


def test_surprised_is_higher_with_a_rising_end(measured):
    d = deltas(measured, "surprised")
    assert d["f0"] > 1.2 and d["final"] > 0.7


@pytest.mark.parametrize("name", list(EMOTIONS))
def test_expressive_audio_stays_clean(measured, name):
    m, _, audios = measured[name]
    assert m.finite and all(np.abs(a).max() <= 1.0 for a in audios)
    assert m.voiced_fraction > 0.9  # speech frames stay voiced (no breakdown into noise)
    assert m.f0_jump_fraction < 0.04  # F0 stays continuous inside voiced runs
    assert 150 < m.f0_median_hz < 400


def test_intensity_zero_is_neutral_and_intensity_scales_the_effect(synth, measured):
    texts = SENTENCES[:2]
    neutral = [synth.synthesize(SynthesisOptions(t, quality="fast"), use_cache=False).audio for t in texts]
    zero = [synth.synthesize(SynthesisOptions(t, quality="fast", emotion="sad", emotion_intensity=0.0),
                             use_cache=False).audio for t in texts]
    for a, b in zip(neutral, zero):
        assert a.shape == b.shape and np.allclose(a, b, atol=1e-5)
    f0 = [run(synth, texts, emotion="happy", emotion_intensity=k)[0].f0_median_hz for k in (0.5, 1.0, 1.6)]
    rate = [run(synth, texts, emotion="sad", emotion_intensity=k)[0].syllables_per_s for k in (0.5, 1.0, 1.6)]
    report(f"intensity 0.5/1/1.6: happy F0 {[round(x) for x in f0]} Hz, sad syllables/s {[round(x, 2) for x in rate]}")
    assert f0[0] < f0[1] < f0[2]
    assert rate[0] > rate[1] > rate[2]


def test_scaled_emotion_and_resolve():
    sad = EMOTIONS["sad"]
    assert scaled_emotion(sad, 0.0) == Prosody()
    half = scaled_emotion(sad, 0.5)
    assert half.pitch_shift == pytest.approx(sad.pitch_shift / 2)
    assert half.duration_scale == pytest.approx(math.sqrt(sad.duration_scale))
    voice, p = resolve(SynthesisOptions("你好", emotion="happy", speed=2.0))
    assert voice.name == "baker" and p.duration_scale == pytest.approx(EMOTIONS["happy"].duration_scale / 2)
    with pytest.raises(RequestError) as err:
        resolve(SynthesisOptions("你好", emotion="bored"))
    assert err.value.field == "emotion" and "surprised" in str(err.value)


def test_final_pitch_bends_the_last_two_syllables_and_their_boundary_tokens(synth):
    seg = synth.pipeline.prepare("今天天气很好。", max_chars=60)[0]
    item = acoustic_item(seg.ids, seg.utterance, Prosody(pitch_shift=0.1, final_pitch=1.0))
    shifts = item.pitch_shift
    assert len(shifts) == len(seg.ids)
    owners = seg.utterance.phoneme_syllable
    n = len(seg.utterance.syllables)
    for i, (ph, s) in enumerate(zip(seg.utterance.phonemes, owners)):
        if s == n - 1:
            assert shifts[i] == pytest.approx(1.1)
        elif s == n - 2:
            assert shifts[i] == pytest.approx(0.6)
        elif s >= 0 and s < n - 2:
            assert shifts[i] == pytest.approx(0.1)
        elif ph == "sil":
            assert shifts[i] == pytest.approx(0.1)
    # the boundary token after the penultimate syllable carries its bend
    boundary = [i for i, (ph, s) in enumerate(zip(seg.utterance.phonemes, owners))
                if ph.startswith("#") and i > 0 and owners[i - 1] == n - 2]
    assert boundary and all(shifts[i] == pytest.approx(0.6) for i in boundary)
    assert shifts[-1] == pytest.approx(0.1)  # eos
