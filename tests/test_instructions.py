"""Style instructions -> voice, emotion and prosody by the rule table: 40 descriptions with their
expected parameters, negation, conflicts, robustness on any input, and precedence when applied
to a request."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts.expressive.presets import EMOTIONS, VOICES, resolve
from tts.expressive.instructions import (FAST, LOUD, LOW_ST, NARROW, SLOW, SOFT, WHISPER, ParsedInstructions, apply_to_options,
                              parse_instructions)
from tts.options import Prosody, SynthesisOptions

# description -> expected (voice, emotion, intensity, speed, pitch semitones, energy, extra prosody fields)
CASES = [
    ("语速很慢，声音低沉温柔", dict(emotion="gentle", speed=SLOW ** 1.3, pitch=LOW_ST)),
    ("excited, fast", dict(emotion="happy", intensity=1.5, speed=FAST)),
    ("慢一点", dict(speed=SLOW ** 0.5)),
    ("快一点", dict(speed=FAST ** 0.5)),
    ("语速快", dict(speed=FAST)),
    ("请说得非常快", dict(speed=FAST ** 1.6)),
    ("有点快", dict(speed=FAST ** 0.5)),
    ("slow", dict(speed=SLOW)),
    ("a bit slower please", dict(speed=SLOW ** 0.5)),
    ("very quick", dict(speed=FAST ** 1.6)),
    ("不要太快", dict(speed=SLOW ** 0.4)),
    ("not too fast", dict(speed=SLOW ** 0.4)),
    ("别太大声", dict(energy=SOFT ** 0.4)),
    ("不快不慢", dict(speed=1.0)),
    ("大声", dict(energy=LOUD)),
    ("小声一点", dict(energy=SOFT ** 0.5)),
    ("轻声细语", dict(energy=SOFT)),
    ("whisper", dict(energy=WHISPER)),
    ("loud and angry", dict(emotion="angry", energy=LOUD)),
    ("高亢", dict(pitch=-LOW_ST)),
    ("deep voice", dict(pitch=LOW_ST)),
    ("稍微低沉一点", dict(pitch=LOW_ST * 0.5)),
    ("开心", dict(emotion="happy")),
    ("非常高兴", dict(emotion="happy", intensity=1.6)),
    ("有点难过", dict(emotion="sad", intensity=0.5)),
    ("伤心", dict(emotion="sad")),
    ("很生气", dict(emotion="angry", intensity=1.3)),
    ("愤怒", dict(emotion="angry")),
    ("惊讶", dict(emotion="surprised")),
    ("surprised", dict(emotion="surprised")),
    ("slightly sad", dict(emotion="sad", intensity=0.5)),
    ("very happy", dict(emotion="happy", intensity=1.6)),
    ("calm", dict(emotion="neutral")),
    ("平静地读", dict(emotion="neutral")),
    ("gentle and slow", dict(emotion="gentle", speed=SLOW)),
    ("用孩子的声音", dict(voice="baker-child")),
    ("童声，开心", dict(voice="baker-child", emotion="happy")),
    ("child-like voice, excited", dict(voice="baker-child", emotion="happy", intensity=1.5)),
    ("声音明亮", dict(voice="baker-bright")),
    ("男声", dict(voice="baker-low")),
    ("非常兴奋", dict(emotion="happy", intensity=2.0)),  # 1.6 x 1.5 capped at 2
    ("不要生气", dict()),  # a negated emotion chooses nothing
    ("开心，不对，还是难过吧", dict(emotion="sad")),  # the last emotion wins
    ("说得快一点……还是慢一点吧", dict(speed=SLOW ** 0.5)),  # the last speed wins
    ("单调", dict(pitch_range=NARROW)),
    ("monotone, robotic", dict(pitch_range=NARROW)),
    ("抑扬顿挫，声情并茂", dict(pitch_range=1.25)),
    ("停顿长一点", dict(pause_scale=1.5 ** 0.5)),
    ("用疑问的语气", dict(final_pitch=1.0)),
    ("夸张地表现出惊讶", dict(emotion="surprised", intensity=1.5)),
    ("含蓄的开心", dict(emotion="happy", intensity=0.6)),
    ("小声，有点难过，慢慢说", dict(emotion="sad", intensity=0.5, energy=SOFT, speed=SLOW)),
    ("Speak slowly and softly, a little sad", dict(emotion="sad", intensity=0.5, speed=SLOW, energy=SOFT)),
]


@pytest.mark.parametrize("text,expected", CASES, ids=[c[0] for c in CASES])
def test_descriptions_parse_to_the_expected_parameters(text, expected):
    p = parse_instructions(text)
    assert p.voice == expected.get("voice")
    assert p.emotion == expected.get("emotion")
    assert p.intensity == pytest.approx(expected.get("intensity", 1.0), abs=2e-3)
    assert p.speed == pytest.approx(expected.get("speed", 1.0), abs=2e-3)
    assert p.pitch == pytest.approx(expected.get("pitch", 0.0), abs=2e-3)
    assert p.energy == pytest.approx(expected.get("energy", 1.0), abs=2e-3)
    assert p.extra.pitch_range == pytest.approx(expected.get("pitch_range", 1.0), abs=2e-3)
    assert p.extra.pause_scale == pytest.approx(expected.get("pause_scale", 1.0), abs=2e-3)
    assert p.extra.final_pitch == pytest.approx(expected.get("final_pitch", 0.0), abs=2e-3)
    assert p.summary.count("\n") == 1  # a Chinese line and an English line
    if expected:
        assert p.matched and not p.summary.startswith("风格描述中没有")


def test_there_are_at_least_thirty_descriptions():
    assert len(CASES) >= 30


def test_matched_phrases_and_ignored_words_are_reported():
    p = parse_instructions("语速很慢，像外星人一样 blorp，声音低沉")
    assert p.matched == ["很慢", "低沉"]
    assert "blorp" in p.ignored and any("外星人" in w for w in p.ignored)
    assert "blorp" in p.summary and "未识别" in p.summary and "ignored" in p.summary
    assert "×0.75" in p.summary and "x0.75" in p.summary and "-2.0" in p.summary


def test_negated_phrases_say_so():
    p = parse_instructions("不要生气")
    assert p.emotion is None and "negated" in p.matched[0]
    assert parse_instructions("not angry").emotion is None
    assert parse_instructions("don't be sad, be happy").emotion == "happy"


def test_prosody_combines_the_controls_and_extras():
    p = parse_instructions("很慢，高亢，大声，抑扬顿挫，停顿长")
    q = p.prosody
    assert q.duration_scale == pytest.approx(1 / p.speed)
    assert q.pitch_shift == pytest.approx(p.pitch / 2.4)
    assert q.energy_shift == pytest.approx(math.log2(p.energy))
    assert q.pitch_range == pytest.approx(1.25) and q.pause_scale == pytest.approx(1.5)


@pytest.mark.parametrize("text", ["", "   ", "😀🎉🔥" * 50, "\x00\x01\x02", "\ud800 lone surrogate", "慢" * 10000,
                                  "fast " * 3000, "的的的的", "ＦＡＳＴ，ＳＬＯＷ", "<script>alert(1)</script>",
                                  "不" * 500 + "快", "very " * 200 + "slow"])
def test_any_text_parses_without_error(text):
    p = parse_instructions(text)
    assert isinstance(p, ParsedInstructions) and p.summary
    assert 0.25 <= p.speed <= 4 and -6 <= p.pitch <= 6 and 0.5 <= p.energy <= 2 and 0 <= p.intensity <= 2
    assert len(p.ignored) <= 20
    assert p.emotion in (None, *EMOTIONS) and p.voice in (None, *VOICES)


def test_non_strings_read_as_empty():
    for value in (None, 42, b"fast", ["fast"]):
        p = parse_instructions(value)
        assert p.empty and p.speed == 1.0


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300))
def test_parsing_never_fails_and_stays_in_range(text):
    p = parse_instructions(text)
    assert 0.25 <= p.speed <= 4 and -6 <= p.pitch <= 6 and 0.5 <= p.energy <= 2 and 0 <= p.intensity <= 2
    resolve(apply_to_options(p, SynthesisOptions("你好")))  # always a valid request


# ---------------------------------------------------------------- applying onto a request


def test_instructions_fill_what_the_caller_left_at_default():
    p = parse_instructions("童声，非常开心，快一点，高亢，大声，单调")
    out = apply_to_options(p, SynthesisOptions("你好"))
    assert out.voice == "baker-child" and out.emotion == "happy" and out.emotion_intensity == pytest.approx(1.6)
    assert out.speed == pytest.approx(FAST ** 0.5, abs=1e-3) and out.pitch == pytest.approx(2.0) and out.energy == LOUD
    assert out.prosody == Prosody(pitch_range=NARROW)
    assert out.text == "你好"


def test_explicit_caller_settings_win():
    p = parse_instructions("很慢，难过，低沉，小声，童声")
    caller = SynthesisOptions("你好", speed=1.5, emotion="angry", voice="baker-bright")
    out = apply_to_options(p, caller)  # explicit = whatever differs from the defaults
    assert (out.speed, out.emotion, out.voice) == (1.5, "angry", "baker-bright")
    assert out.pitch == pytest.approx(LOW_ST) and out.energy == pytest.approx(SOFT)
    # an API request names the fields it sent: an explicit default still wins
    out = apply_to_options(p, SynthesisOptions("你好"), explicit={"speed", "input", "model"})
    assert out.speed == 1.0 and out.emotion == "sad" and out.voice == "baker-child"


def test_extras_add_to_existing_prosody():
    p = parse_instructions("停顿长，抑扬顿挫")
    out = apply_to_options(p, SynthesisOptions("你好", prosody=Prosody(pitch_range=0.8, duration_scale=1.1)))
    assert out.prosody.pitch_range == pytest.approx(0.8 * 1.25)
    assert out.prosody.pause_scale == pytest.approx(1.5) and out.prosody.duration_scale == pytest.approx(1.1)


def test_empty_instructions_change_nothing():
    options = SynthesisOptions("你好", speed=1.2)
    assert apply_to_options(parse_instructions(""), options) is options


@pytest.mark.real_weights  # loads the fetched models itself
def test_instructions_change_real_speech_as_described():
    from tts.expressive.reference import measure
    from tts.synthesizer import Synthesizer

    synth = Synthesizer.from_profile("cpu")
    try:
        text = "今天天气很好，我们一起去公园散步吧。"
        plain = synth.synthesize(SynthesisOptions(text, quality="fast"), use_cache=False)
        styled_options = apply_to_options(parse_instructions("语速很慢，声音低沉，小声"), SynthesisOptions(text, quality="fast"))
        styled = synth.synthesize(styled_options, use_cache=False)
    finally:
        synth.close()
    a, b = measure(plain.audio, plain.sample_rate), measure(styled.audio, styled.sample_rate)
    assert len(styled.audio) / len(plain.audio) > 1.2  # slower
    assert 12 * math.log2(b.f0_median_hz / a.f0_median_hz) < -1.0  # lower
    assert b.energy_db < a.energy_db - 1.0  # softer


@pytest.mark.parametrize("text,understood", [
    ("用开心的语气读", "开心"), ("请用悲伤的语气朗读这段话", "悲伤"), ("声音低沉一些地读出来", "低沉"),
    ("语速慢一点，用温柔的声音说", "温柔"),
])
def test_filler_words_are_not_reported_as_not_understood(text, understood):
    """Issue 29: "语气读" (the filler around what was asked) was listed as not understood."""
    p = parse_instructions(text)
    assert p.ignored == [] and any(understood in m for m in p.matched), (p.ignored, p.matched)
    assert "未识别" not in p.summary


def test_an_unknown_style_is_still_reported_without_its_filler():
    assert parse_instructions("用播音腔读").ignored == ["播音腔"]
