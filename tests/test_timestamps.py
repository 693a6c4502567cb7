"""Timestamps from the model's durations, measured on real audio: every character of the input
(through its offsets), syllable and sentence; per streamed chunk; the timestamps endpoint (JSON
and NDJSON); SRT and WebVTT subtitles that parse back with their libraries."""

from __future__ import annotations

import base64
import io
import json

import httpx
import numpy as np
import pytest
import srt
import webvtt

from tts.options import SynthesisOptions
from tts.timing.subtitles import cues, subtitles

FRAME_S = 300 / 24000
TEXT = "今天是2024年11月21日，天气很好！我们一起去公园散步吧。票价¥100，请问去火车站应该怎么走？"


@pytest.fixture(scope="module")
def result(synth):
    return synth.synthesize(SynthesisOptions(TEXT, quality="fast"), use_cache=False)


def rms(audio: np.ndarray, start_s: float, end_s: float, rate: int = 24000) -> float:
    piece = audio[max(0, int(start_s * rate)): max(int(start_s * rate) + 1, int(end_s * rate))]
    return float(np.sqrt(np.mean(piece.astype(np.float64) ** 2))) if len(piece) else 0.0


def test_the_last_character_ends_where_the_audio_ends(result):
    chars = result.timed("character")
    assert abs(chars[-1].end - len(result.audio) / 24000) <= FRAME_S
    assert chars[-1].text == "走"


def test_characters_are_the_inputs_own_in_order_and_punctuation_is_left_out(result):
    chars = result.timed("character")
    assert all(TEXT[c.offset] == c.text for c in chars)
    assert [c.offset for c in chars] == sorted(c.offset for c in chars)
    assert not any(c.text in "，！。？" for c in chars)
    spoken = {i for i, ch in enumerate(TEXT) if ch not in "，！。？"}
    assert {c.offset for c in chars} == spoken
    for a, b in zip(chars, chars[1:]):
        assert a.start <= a.end <= b.end


def test_a_year_gives_each_digit_its_own_syllable(result):
    chars = {c.offset: c for c in result.timed("character")}
    syllables = result.timed("syllable")
    year = [chars[TEXT.index("2024") + k] for k in range(4)]
    digits = [s for s in syllables if s.offset in range(TEXT.index("2024"), TEXT.index("2024") + 4)]
    assert [s.text for s in digits] == ["er4", "ling2", "er4", "si4"]
    assert [(c.start, c.end) for c in year] == [(s.start, s.end) for s in digits]
    price = [chars[TEXT.index("¥100") + k] for k in range(4)]  # ¥100 read 一百元: all share the reading
    assert len({(c.start, c.end) for c in price}) == 1


def test_sentence_boundaries_fall_in_low_energy_audio(result):
    audio = result.audio
    speech = float(np.median([rms(audio, s.start, s.end) for s in result.timed("syllable")]))
    sentences = result.timed("sentence")
    assert [s.text for s in sentences] == ["今天是2024年11月21日，天气很好！", "我们一起去公园散步吧。",
                                           "票价¥100，请问去火车站应该怎么走？"]
    for s in sentences:
        for edge in (s.start, s.end):
            level = rms(audio, edge - FRAME_S, edge + FRAME_S)
            assert level < 0.1 * speech, (s.text, edge, level, speech)


def test_speed_and_emotion_scale_the_timing_exactly(synth):
    slow = synth.synthesize(SynthesisOptions(TEXT, speed=0.5, emotion="sad", quality="fast"), use_cache=False)
    chars = slow.timed("character")
    assert abs(chars[-1].end - len(slow.audio) / 24000) <= FRAME_S
    plain = synth.synthesize(SynthesisOptions(TEXT, quality="fast"))
    ratio = slow.timed("sentence")[0].end / plain.timed("sentence")[0].end
    assert 1.8 < ratio < 2.9  # half speed, and sad is slower still


def test_every_streamed_chunk_carries_what_its_audio_completes(synth, result):
    heard, until = [], 0.0
    with synth.stream(SynthesisOptions(TEXT, quality="fast"), use_cache=False) as stream:
        for chunk in stream:
            until += len(chunk.audio) / 24000
            assert all(t.end <= until + 1e-6 for t in chunk.alignment)
            heard.extend(chunk.alignment)
    assert sorted(heard, key=lambda t: (t.kind, t.offset, t.start)) == \
        sorted(result.alignment, key=lambda t: (t.kind, t.offset, t.start))


def test_subtitles_parse_back_and_match_the_sentences(result):
    sentences = result.timed("sentence")
    parsed = list(srt.parse(subtitles(result.alignment, "srt")))
    assert "".join(s.content for s in parsed) == "".join(s.text for s in sentences)
    assert abs(parsed[0].start.total_seconds() - sentences[0].start) < 0.001
    assert abs(parsed[-1].end.total_seconds() - sentences[-1].end) < 0.001
    assert "2024年" in parsed[0].content  # the caller's text, not the reading
    vtt = webvtt.from_string(subtitles(result.alignment, "vtt"))
    assert [c.text for c in vtt.captions] == [s.content for s in parsed]
    for cue, sub in zip(vtt.captions, parsed):
        assert abs(seconds(cue.start) - sub.start.total_seconds()) < 0.002
        assert abs(seconds(cue.end) - sub.end.total_seconds()) < 0.002
    karaoke = webvtt.from_string(subtitles(result.alignment, "vtt", karaoke=True))
    assert "<00:00:0" in karaoke.captions[0].raw_text and karaoke.captions[0].text == vtt.captions[0].text


def seconds(stamp: str) -> float:
    h, m, s = stamp.split(":")
    return int(h) * 3600 + int(m) * 60 + float(s)


def test_long_sentences_are_cut_into_cues_at_clauses(result):
    short = cues(result.alignment, line_chars=8)
    assert all(len(c.text) <= 8 for c in short)
    assert "".join(c.text for c in short) == "".join(s.text for s in result.timed("sentence"))
    assert all(a.end <= b.start + 1e-9 for a, b in zip(short, short[1:]))


# ---- the HTTP endpoint


def wav_samples(data: bytes) -> np.ndarray:
    import wave

    with wave.open(io.BytesIO(data)) as w:
        return np.frombuffer(w.readframes(w.getnframes()), "<i2")


def test_timestamps_endpoint_answers_audio_and_timing(url, result):
    r = httpx.post(f"{url}/v1/audio/speech/timestamps", timeout=120, json={
        "input": TEXT, "response_format": "wav", "quality": "fast", "subtitle_format": "srt"})
    assert r.status_code == 200, r.text
    body = r.json()
    audio = wav_samples(base64.b64decode(body["audio"]))
    assert body["format"] == "wav" and body["sample_rate"] == 24000
    assert len(audio) == len(result.audio) and body["duration"] == pytest.approx(len(audio) / 24000, abs=1e-3)
    assert [c["text"] for c in body["characters"]] == [c.text for c in result.timed("character")]
    assert all(TEXT[c["offset"]] == c["text"] for c in body["characters"])
    assert {"pinyin", "start", "end", "offset"} <= set(body["syllables"][0])
    assert [s["text"] for s in body["sentences"]] == [s.text for s in result.timed("sentence")]
    assert list(srt.parse(body["subtitles"]))


def test_timestamps_stream_as_ndjson_whose_audio_joins_into_the_whole(url):
    body = {"input": TEXT, "response_format": "pcm", "quality": "fast"}
    whole = httpx.post(f"{url}/v1/audio/speech/timestamps", json=body, timeout=120).json()
    lines = []
    with httpx.stream("POST", f"{url}/v1/audio/speech/timestamps", json={**body, "stream": True,
                                                                        "subtitle_format": "vtt"}, timeout=120) as r:
        assert r.status_code == 200 and r.headers["content-type"].startswith("application/x-ndjson")
        for line in r.iter_lines():
            if line:
                lines.append(json.loads(line))
    assert len(lines) > 2
    joined = b"".join(base64.b64decode(obj["audio"]) for obj in lines)
    assert joined == base64.b64decode(whole["audio"])
    heard = 0.0
    for obj in lines:  # each object's items are completed by the audio sent so far
        heard += len(base64.b64decode(obj["audio"])) / 2 / 24000
        for kind in ("characters", "syllables", "sentences"):
            assert all(item["end"] <= heard + 1e-3 for item in obj[kind])
    for kind in ("characters", "syllables", "sentences"):
        assert sorted(json.dumps(i, sort_keys=True) for o in lines for i in o[kind]) == \
            sorted(json.dumps(i, sort_keys=True) for i in whole[kind])
    assert webvtt.from_string(lines[-1]["subtitles"]).captions


def test_timestamps_refuse_an_unknown_subtitle_format(tiny_url):
    r = httpx.post(f"{tiny_url}/v1/audio/speech/timestamps", json={"input": "你好", "subtitle_format": "ass"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "subtitle_format"
