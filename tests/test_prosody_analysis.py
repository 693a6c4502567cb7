"""Reference-audio prosody transfer on real audio: espeak-ng Mandarin clips of known pitch and
rate, decoded from several formats and rates, analysed, and transferred onto the Baker voice;
unusable clips rejected with clear messages."""

from __future__ import annotations

import io
import math
import shutil
import subprocess

import numpy as np
import pytest
import soundfile as sf
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.signal import resample_poly
from scipy.stats import spearmanr

from conftest import report
from tts.options import Prosody, SynthesisOptions
from bench.measure import articulation_seconds
from tts.audio.decode import MAX_SECONDS, AudioInputError, decode_audio
from tts.audio.formats import ffmpeg_path
from tts.expressive.reference import (TRANSFER_NOTE, BakerProsodyStats, ProsodyFeatures, analyze_reference, baker_stats,
                                      measure, pitch_level_semitones, prosody_from_features,
                                      reference_prosody_or_neutral)

pytestmark = pytest.mark.debian_tools  # espeak-ng makes the reference clips

ESPEAK_TEXT = "今天天气很好，我们一起去公园散步吧。小明昨天晚上看了一部很感人的电影。"
# (pitch -p, speed -s) in a Latin square: pitch and rate vary independently across the five clips.
SETTINGS = [(55, 210), (62, 270), (70, 150), (78, 240), (92, 180)]
OUTPUT_TEXT = "人工智能正在改变我们的生活方式。周末的时候，我喜欢在家里读书。"

def espeak(path, text: str = ESPEAK_TEXT, pitch: int = 50, speed: int = 175):
    if shutil.which("espeak-ng") is None:  # `./run.sh test` installs it: missing is a broken setup
        pytest.fail("espeak-ng is not installed (run ./run.sh test, which installs it)")
    subprocess.run(["espeak-ng", "-v", "cmn", "-p", str(pitch), "-s", str(speed), "-w", str(path), text],
                   check=True, capture_output=True)
    audio, rate = sf.read(str(path), dtype="float32")
    return audio, rate


def wav_bytes(audio: np.ndarray, rate: int, subtype: str = "PCM_16", fmt: str = "WAV") -> bytes:
    buf = io.BytesIO()
    sf.write(buf, audio, rate, subtype=subtype, format=fmt)
    return buf.getvalue()


def encode(tmp_path, audio: np.ndarray, rate: int, suffix: str, *args: str) -> bytes:
    src, dst = tmp_path / "src.wav", tmp_path / f"out{suffix}"
    sf.write(str(src), audio, rate)
    subprocess.run([ffmpeg_path(), "-nostdin", "-y", "-loglevel", "error", "-i", str(src), *args, str(dst)],
                   check=True, capture_output=True)
    return dst.read_bytes()


@pytest.fixture(scope="module")
def clip(tmp_path_factory):
    """One espeak-ng clip (22.05 kHz mono, about 12 s) and its analysis."""
    path = tmp_path_factory.mktemp("ref") / "clip.wav"
    audio, rate = espeak(path, pitch=60, speed=180)
    return audio, rate, analyze_reference(path)


# ---------------------------------------------------------------- transfer ranks like the references


def test_output_pitch_and_rate_rank_like_the_espeak_references(tmp_path, synth):
    refs, outs = [], []
    for p, s in SETTINGS:
        audio, rate = espeak(tmp_path / f"p{p}_s{s}.wav", pitch=p, speed=s)
        assert 8.0 <= len(audio) / rate <= 15.5
        ref = analyze_reference(tmp_path / f"p{p}_s{s}.wav")
        res = synth.synthesize(SynthesisOptions(OUTPUT_TEXT, quality="fast", prosody=ref.prosody), use_cache=False)
        out = measure(res.audio, res.sample_rate)
        syllables = sum(len(seg.pinyin) for seg in res.segments)
        out_rate = syllables / sum(articulation_seconds(seg.phonemes, seg.durations) for seg in res.segments)
        refs.append(ref.features)
        outs.append((out.f0_median_hz, out_rate, out.voiced_fraction))
    ref_f0 = [f.f0_median_hz for f in refs]
    ref_rate = [f.syllable_rate for f in refs]
    out_f0 = [o[0] for o in outs]
    out_rate = [o[1] for o in outs]
    # the analysis ranks the clips as espeak-ng made them ...
    assert spearmanr([p for p, _ in SETTINGS], ref_f0).statistic == pytest.approx(1.0)
    assert spearmanr([s for _, s in SETTINGS], ref_rate).statistic == pytest.approx(1.0)
    # ... and the synthesized speech follows that ranking
    rho_f0 = spearmanr(ref_f0, out_f0).statistic
    rho_rate = spearmanr(ref_rate, out_rate).statistic
    report(f"reference transfer (espeak-ng, 5 clips): Spearman F0 {rho_f0:.2f}, rate {rho_rate:.2f}; "
           f"ref F0 {[round(x) for x in ref_f0]} Hz -> out {[round(x) for x in out_f0]} Hz; "
           f"ref nuclei/s {[round(x, 2) for x in ref_rate]} -> out syllables/s {[round(x, 2) for x in out_rate]}")
    assert rho_f0 >= 0.9
    assert rho_rate >= 0.9
    assert all(o[2] > 0.85 for o in outs)  # the transferred speech stays cleanly voiced
    # a low, slow reference lowers and slows the Baker voice; the extremes differ clearly
    assert max(out_f0) / min(out_f0) > 1.1
    assert max(out_rate) / min(out_rate) > 1.25


def test_measured_features_of_a_known_clip(clip):
    audio, rate, ref = clip
    f = ref.features
    # espeak-ng -p 60 speaks near 95 Hz; its 32 syllables take about 12 s
    assert 80 < f.f0_median_hz < 110
    assert 0 < f.f0_range_st < 12
    assert 3.0 < f.syllable_rate < 8.0
    assert 0.0 <= f.pause_ratio < 0.2
    assert f.voiced_fraction > 0.7 and f.snr_db > 25
    assert not ref.warnings and ref.channels == 1 and ref.source_rate == rate
    # the summary says what was measured, what transfers and that the timbre does not
    assert "Hz" in ref.summary and "不迁移音色" in ref.summary and "Timbre does not transfer" in ref.summary


def test_transfer_note_says_what_transfers_and_what_does_not():
    for word in ("韵律", "音色", "prosody", "timbre", "pitch", "speaking rate", "pause"):
        assert word in TRANSFER_NOTE


# ---------------------------------------------------------------- formats, rates, channels


def _close(a: ProsodyFeatures, b: ProsodyFeatures, f0_tol: float = 0.04, rate_tol: float = 0.15) -> None:
    assert abs(math.log(a.f0_median_hz / b.f0_median_hz)) < f0_tol, (a.f0_median_hz, b.f0_median_hz)
    assert abs(a.syllable_rate - b.syllable_rate) / b.syllable_rate < rate_tol, (a.syllable_rate, b.syllable_rate)


@pytest.mark.parametrize("kind", ["mp3", "m4a", "ogg", "flac", "stereo-48k", "8k", "192k", "8-channels"])
def test_formats_rates_and_channels_decode_to_the_same_prosody(clip, tmp_path, kind):
    audio, rate, ref = clip
    if kind == "mp3":
        data = encode(tmp_path, audio, rate, ".mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    elif kind == "m4a":
        data = encode(tmp_path, audio, rate, ".m4a", "-c:a", "aac", "-b:a", "96k")
    elif kind == "ogg":
        data = wav_bytes(audio, rate, "VORBIS", "OGG")
    elif kind == "flac":
        data = wav_bytes(audio, rate, "PCM_16", "FLAC")
    elif kind == "stereo-48k":
        up = resample_poly(audio, 320, 147).astype(np.float32)
        data = wav_bytes(np.stack([up, 0.5 * up], axis=1), 48000)
    elif kind == "8k":
        data = wav_bytes(resample_poly(audio, 160, 441).astype(np.float32), 8000)
    elif kind == "192k":
        data = wav_bytes(resample_poly(audio, 2560, 294).astype(np.float32), 192000, "FLOAT")
    else:
        data = wav_bytes(np.repeat(audio[:, None], 8, axis=1) * 0.9, rate)
    got = analyze_reference(data)
    _close(got.features, ref.features)
    expected_channels = {"stereo-48k": 2, "8-channels": 8}.get(kind, 1)
    assert got.channels == expected_channels
    if kind in ("8k", "192k", "stereo-48k"):
        assert got.source_rate == {"8k": 8000, "192k": 192000, "stereo-48k": 48000}[kind]


def test_decode_keeps_at_most_thirty_seconds(clip):
    audio, rate, ref = clip
    long = np.concatenate([audio, audio, audio, audio])  # about 50 s
    decoded = decode_audio(wav_bytes(long, rate))
    assert decoded.trimmed and decoded.duration_s == pytest.approx(MAX_SECONDS, abs=0.01)
    assert len(decoded.samples) == pytest.approx(MAX_SECONDS * decoded.sample_rate, abs=2)
    got = analyze_reference(wav_bytes(long, rate))
    assert got.warnings and "30" in got.warnings[0]
    _close(got.features, ref.features, rate_tol=0.2)


# ---------------------------------------------------------------- unusable clips: clear errors, neutral fallback


def _reason(data) -> tuple[str, str]:
    with pytest.raises(AudioInputError) as err:
        analyze_reference(data)
    return err.value.reason, str(err.value)


def test_rejects_silence_and_near_silence():
    reason, msg = _reason(wav_bytes(np.zeros(24000 * 5, np.float32), 24000))
    assert reason == "silent" and "silent" in msg and "静音" in msg
    rng = np.random.default_rng(0)
    reason, _ = _reason(wav_bytes((1e-5 * rng.standard_normal(24000 * 5)).astype(np.float32), 24000, "FLOAT"))
    assert reason == "silent"


def test_rejects_too_short_clips(clip):
    audio, rate, _ = clip
    reason, msg = _reason(wav_bytes(audio[: int(2.5 * rate)], rate))
    assert reason == "too_short" and "3" in msg and "too short" in msg


def test_rejects_clipped_clips(clip):
    audio, rate, _ = clip
    loud = np.clip(audio * 12.0, -1.0, 1.0)
    reason, msg = _reason(wav_bytes(loud, rate))
    assert reason == "clipped" and "clipped" in msg


def test_rejects_noise_and_very_noisy_speech(clip):
    audio, rate, _ = clip
    rng = np.random.default_rng(1)
    noise = rng.standard_normal(len(audio)).astype(np.float32)
    reason, msg = _reason(wav_bytes(0.1 * noise, rate))
    assert reason == "noisy" and ("noisy" in msg or "noise" in msg)
    speech_rms = float(np.sqrt(np.mean(audio**2)))
    mixed = audio + 2.0 * speech_rms * noise  # -6 dB SNR
    reason, _ = _reason(wav_bytes(mixed / np.abs(mixed).max() * 0.5, rate))
    assert reason == "noisy"


def test_rejects_nan_and_inf():
    x = np.full(24000 * 5, np.nan, dtype=np.float32)
    reason, msg = _reason(wav_bytes(x, 24000, "FLOAT"))
    assert reason == "not_finite" and "NaN" in msg
    y = np.sin(np.arange(24000 * 5) * 0.05).astype(np.float32) * 0.3
    y[1000] = np.inf
    assert _reason(wav_bytes(y, 24000, "FLOAT"))[0] == "not_finite"


@pytest.mark.parametrize("data,expected", [
    (b"", "empty"), (b"not audio at all" * 100, "undecodable"), (b"RIFF\x24\x00\x00\x00WAVEfmt ", "undecodable"),
    (bytes(np.random.default_rng(2).integers(0, 256, 5000, dtype=np.uint8)), "undecodable")])
def test_rejects_empty_and_corrupt_bytes(data, expected):
    reason, msg = _reason(data)
    assert reason == expected
    assert "/" in msg and ("empty" in msg or "decode" in msg)


def test_rejects_truncated_mp3(clip, tmp_path):
    audio, rate, _ = clip
    data = encode(tmp_path, audio, rate, ".mp3", "-c:a", "libmp3lame", "-b:a", "64k")
    reason, _ = _reason(data[:600])
    assert reason in ("undecodable", "too_short")


def test_rejects_more_than_eight_channels():
    x = np.zeros((24000 * 4, 9), np.float32)
    reason, msg = _reason(wav_bytes(x, 24000))
    assert reason == "too_many_channels" and "9" in msg


def test_rejects_non_audio_inputs(tmp_path):
    reason, _ = _reason(tmp_path / "missing.wav")
    assert reason == "undecodable"
    with pytest.raises(AudioInputError):
        analyze_reference(12345)  # type: ignore[arg-type]


def test_fallback_helper_returns_neutral_with_the_message(clip):
    prosody, message = reference_prosody_or_neutral(wav_bytes(np.zeros(24000 * 4, np.float32), 24000))
    assert prosody == Prosody() and "silent" in message and "neutral" in message
    assert reference_prosody_or_neutral(None) == (Prosody(), None)
    audio, rate, ref = clip
    prosody, message = reference_prosody_or_neutral(wav_bytes(audio, rate))
    assert message is None and prosody.duration_scale == pytest.approx(ref.prosody.duration_scale, rel=0.05)


# ---------------------------------------------------------------- the mapping itself


def test_baker_statistics_describe_the_baker_voice():
    b = baker_stats()
    assert 200 < b.f0_median_hz < 300 and 3 < b.f0_range_st < 12
    assert 3.5 < b.syllable_rate < 6.5 and 0 < b.pause_ratio < 0.5 and -40 < b.energy_db < -5
    assert "bench/expressive_tables.py" in b.provenance


def test_speech_like_bakers_own_maps_to_neutral():
    b = baker_stats()
    f = ProsodyFeatures(10, 8, b.f0_median_hz, 0, 0, b.f0_range_st, 0.9, b.energy_db, b.syllable_rate, 40,
                        b.pause_ratio, 40)
    p = prosody_from_features(f)
    for value, neutral in ((p.pitch_shift, 0), (p.pitch_range, 1), (p.duration_scale, 1), (p.pause_scale, 1),
                           (p.energy_shift, 0)):
        assert value == pytest.approx(neutral, abs=1e-9)


def test_register_normalization_a_man_at_his_usual_pitch_is_only_somewhat_low():
    b = baker_stats()
    assert pitch_level_semitones(120.0, b.f0_median_hz) == pytest.approx(-3.0)
    assert pitch_level_semitones(b.f0_median_hz, b.f0_median_hz) == pytest.approx(0.0)
    assert pitch_level_semitones(80.0, b.f0_median_hz) < -5
    assert pitch_level_semitones(400.0, b.f0_median_hz) > 5


@settings(max_examples=300, deadline=None)
@given(st.floats(50, 600), st.floats(50, 600))
def test_pitch_level_is_strictly_increasing(a, b):
    stats = baker_stats()
    if b > a * 1.0001:
        assert pitch_level_semitones(b, stats.f0_median_hz) > pitch_level_semitones(a, stats.f0_median_hz)


@settings(max_examples=300, deadline=None)
@given(f0=st.floats(50, 700), rng=st.floats(0, 30), rate=st.floats(0, 15), pause=st.floats(0, 1),
       energy=st.floats(-90, 0))
def test_mapped_prosody_stays_in_the_models_sane_range(f0, rng, rate, pause, energy):
    stats = BakerProsodyStats(240.0, 7.0, -21.0, 5.0, 0.18)
    f = ProsodyFeatures(10, 8, f0, 0, 0, rng, 0.9, energy, rate, 40, pause, 40)
    p = prosody_from_features(f, stats)
    assert abs(p.pitch_shift) <= 1.5
    assert 1 / 1.5 - 1e-9 <= p.pitch_range <= 1.5 + 1e-9
    assert 1 / 1.6 - 1e-9 <= p.duration_scale <= 1.6 + 1e-9
    assert 0.5 - 1e-9 <= p.pause_scale <= 2.0 + 1e-9
    assert -0.6 <= p.energy_shift <= 0.4
    assert all(math.isfinite(v) for v in (p.pitch_shift, p.pitch_range, p.duration_scale, p.pause_scale))
