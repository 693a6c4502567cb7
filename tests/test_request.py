"""One request builder for every entry point: precedence (given settings win over instructions,
which fill the rest), the record of what was overridden, one limits table read by the API schema,
the UI sliders, the CLI help and the instruction clamps — and the same answer through CLI, API
and UI for the case that used to differ (`--intensity 0.5` beside an instruction)."""

from __future__ import annotations

import io
import subprocess
import sys
import wave

import httpx
import numpy as np
import pytest
from conftest import ROOT, acoustic_int8, snr_db

from tts.engine import int8_acoustic_applies
from tts.expressive.instructions import parse_instructions
from tts.options import LIMITS, MAX_INSTRUCTION_CHARS, RequestError, SynthesisOptions
from tts.request import DEFAULTS, RequestInput, build_request
from tts.serving.profiles import load_profile

HAPPY_TEXT = "真是太好了！"


def wav_samples(data: bytes) -> np.ndarray:
    with wave.open(io.BytesIO(data)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float32) / 32767


def test_given_settings_win_and_the_override_is_recorded():
    applied = build_request(RequestInput(HAPPY_TEXT, emotion="happy", emotion_intensity=0.5, instructions="兴奋"))
    assert applied.options.emotion == "happy" and applied.options.emotion_intensity == 0.5
    assert applied.sources["emotion_intensity"] == "request"
    [kept] = applied.overridden
    assert (kept.name, kept.kept, kept.wanted) == ("emotion_intensity", 0.5, 1.5)
    assert "emotion_intensity 0.5 kept" in applied.notes[-1]


def test_instructions_fill_what_was_not_given():
    applied = build_request(RequestInput("你好。", speed=1.65, instructions="语速很慢，声音低沉温柔"))
    parsed = parse_instructions("语速很慢，声音低沉温柔")
    assert applied.options.speed == 1.65 and applied.sources["speed"] == "request"
    assert applied.options.emotion == "gentle" == parsed.emotion and applied.sources["emotion"] == "instructions"
    assert applied.options.pitch == parsed.pitch and applied.sources["pitch"] == "instructions"
    assert [o.name for o in applied.overridden] == ["speed"]
    assert applied.sources["energy"] == "default" and applied.options.energy == DEFAULTS["energy"]


def test_nothing_given_means_defaults_and_no_record():
    applied = build_request(RequestInput("你好。"))
    assert applied.options == SynthesisOptions("你好。")
    assert set(applied.sources.values()) == {"default"} and not applied.overridden and not applied.notes


@pytest.mark.parametrize("name", sorted(LIMITS))
def test_out_of_range_settings_are_refused_naming_the_field(name):
    limit = LIMITS[name]
    for bad in (limit.lo - 0.01, limit.hi + 0.01, float("nan")):
        with pytest.raises(RequestError) as err:
            build_request(RequestInput("你好", **{name: bad}))
        assert err.value.field == name and str(limit.hi) in str(err.value)
    build_request(RequestInput("你好", **{name: limit.lo}))
    build_request(RequestInput("你好", **{name: limit.hi}))


def test_overlong_instructions_and_bad_clips_are_refused():
    with pytest.raises(RequestError) as err:
        build_request(RequestInput("你好", instructions="慢" * (MAX_INSTRUCTION_CHARS + 1)))
    assert err.value.field == "instructions"
    with pytest.raises(RequestError) as err:
        build_request(RequestInput("你好", reference=b"not audio at all"), strict_reference=True)
    assert err.value.field == "reference_audio"
    lenient = build_request(RequestInput("你好", reference=b"not audio at all"), strict_reference=False)
    assert lenient.reference is None and lenient.reference_error and "neutral" in lenient.notes[0]
    assert lenient.options.prosody == SynthesisOptions("你好").prosody


def test_instruction_clamps_read_the_limits_table():
    extreme = parse_instructions("非常非常非常快，极其大声，特别特别高亢")
    assert LIMITS["speed"].lo <= extreme.speed <= LIMITS["speed"].hi
    assert LIMITS["energy"].lo <= extreme.energy <= LIMITS["energy"].hi
    assert LIMITS["pitch"].lo <= extreme.pitch <= LIMITS["pitch"].hi
    assert extreme.intensity <= LIMITS["emotion_intensity"].hi


def test_cli_help_reads_the_limits_table():
    proc = subprocess.run([sys.executable, "-m", "tts", "say", "--help"], capture_output=True, text=True,
                          timeout=60, cwd=ROOT)
    help_text = " ".join(proc.stdout.split())
    for limit in LIMITS.values():
        assert " ".join(limit.describe().split()) in help_text


def test_api_schema_reads_the_limits_table(url):
    schema = httpx.get(f"{url}/openapi.json", timeout=30).json()
    body = schema["paths"]["/v1/audio/speech"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    props = body["properties"]
    for name, limit in LIMITS.items():
        assert props[name]["minimum"] == limit.lo and props[name]["maximum"] == limit.hi, name
        assert props[name]["default"] == limit.default


def test_ui_sliders_read_the_limits_table(synth):
    from tts.web.ui import build_ui

    demo = build_ui(synth)
    sliders = {b.label: b for b in demo.blocks.values() if type(b).__name__ == "Slider"}
    for limit in LIMITS.values():
        slider = sliders[limit.label]
        assert (slider.minimum, slider.maximum, slider.value, slider.step) == (limit.lo, limit.hi, limit.default,
                                                                               limit.step)


# ---- the same precedence through CLI, API and UI, measured on the audio


@pytest.fixture(scope="module")
def intensity_audio(synth):
    """What 'happy at 0.5' and 'happy at the instruction's 1.5' sound like through the facade."""
    half = synth.synthesize(SynthesisOptions(HAPPY_TEXT, emotion="happy", emotion_intensity=0.5, quality="fast"))
    excited = synth.synthesize(SynthesisOptions(HAPPY_TEXT, emotion="happy", emotion_intensity=1.5, quality="fast"))
    assert len(half.audio) != len(excited.audio)  # the two settings are audibly different requests
    return half.audio, excited.audio


def assert_is_half_intensity(audio: np.ndarray, intensity_audio) -> None:
    half, excited = intensity_audio
    assert len(audio) == len(half), (len(audio), len(half), len(excited))
    assert snr_db(half, audio) > 35.0  # the same audio, up to 16-bit rounding / encoding


@pytest.mark.real_weights  # the CLI process loads the fetched models
def test_cli_intensity_beside_instructions_is_kept(tmp_path, synth, intensity_audio):
    out = tmp_path / "x.wav"
    proc = subprocess.run([sys.executable, "-m", "tts", "say", HAPPY_TEXT, "--emotion", "happy", "--intensity", "0.5",
                           "--instructions", "兴奋", "--quality", "fast", "-o", str(out)],
                          capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert proc.returncode == 0, proc.stderr
    assert "emotion_intensity 0.5 kept" in proc.stderr
    # The CLI loads the detected (cpu) profile's precision; the shared engine is float32: hear
    # "happy at 0.5" computed the CLI's way.
    with acoustic_int8(synth.engine, int8_acoustic_applies(load_profile("cpu"))):
        half = synth.synthesize(SynthesisOptions(HAPPY_TEXT, emotion="happy", emotion_intensity=0.5, quality="fast"),
                                use_cache=False).audio
    assert_is_half_intensity(wav_samples(out.read_bytes()), (half, intensity_audio[1]))


def test_api_intensity_beside_instructions_is_kept(url, intensity_audio):
    r = httpx.post(f"{url}/v1/audio/speech", timeout=120, json={
        "input": HAPPY_TEXT, "emotion": "happy", "emotion_intensity": 0.5, "instructions": "兴奋",
        "response_format": "wav", "quality": "fast"})
    assert r.status_code == 200, r.text
    assert_is_half_intensity(wav_samples(r.content), intensity_audio)


def test_ui_intensity_beside_instructions_is_kept(url, intensity_audio):
    from gradio_client import Client

    client = Client(url + "/", verbose=False)
    _, wav_path, status, _, _ = client.predict(HAPPY_TEXT, "baker", "happy", 0.5, "兴奋", None, 1.0, 0.0, 1.0, "fast",
                                               "", False, api_name="/synthesize")
    with open(wav_path, "rb") as f:
        assert_is_half_intensity(wav_samples(f.read()), intensity_audio)
    # The status says what the audio has: the user's intensity, and that it won over the instructions.
    assert "强度 intensity **×0.50**（你的设置 yours）" in status, status
    assert "Your settings won over the instructions: 强度 intensity ×0.50（描述要求 asked for" in status, status
