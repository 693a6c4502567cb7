"""A reference clip is analysed once: the analysis is kept by the clip's content hash."""

from __future__ import annotations

import base64

import httpx

from tts.audio.formats import encode
from tts.expressive.reference import ANALYSES, AnalysisCache, analyze_reference
from tts.options import SynthesisOptions


def test_the_cache_is_bounded_and_keeps_the_most_recently_used():
    cache = AnalysisCache(max_entries=2)
    entries = {name: object() for name in "abc"}
    cache.put("a", entries["a"])  # type: ignore[arg-type]
    cache.put("b", entries["b"])  # type: ignore[arg-type]
    assert cache.get("a") is entries["a"]  # a is now the most recent
    cache.put("c", entries["c"])  # type: ignore[arg-type]
    assert cache.get("b") is None and cache.get("a") is entries["a"] and cache.get("c") is entries["c"]
    assert (cache.hits, cache.misses) == (3, 3)


def test_the_same_reference_clip_is_analysed_once_across_requests_and_cached_audio(synth, url, tmp_path):
    speech = synth.synthesize(SynthesisOptions("今天天气很好，我们一起去公园散步吧。公园里有很多花，红的黄的都有，非常漂亮。"))
    clip = encode(speech.audio, synth.sample_rate, "wav")
    body = {"input": "参考音频只分析一次。", "response_format": "pcm", "reference_audio": base64.b64encode(clip).decode()}
    misses, hits = ANALYSES.misses, ANALYSES.hits
    first = httpx.post(f"{url}/v1/audio/speech", json=body, timeout=120)
    again = httpx.post(f"{url}/v1/audio/speech", json=body, timeout=120)  # the audio comes from the cache
    other = httpx.post(f"{url}/v1/audio/speech", json={**body, "input": "换一句话，同一个参考音频。"}, timeout=120)
    assert [r.status_code for r in (first, again, other)] == [200, 200, 200], first.text[:200]
    assert again.content == first.content
    path = tmp_path / "clip.wav"
    path.write_bytes(clip)
    assert analyze_reference(path) == analyze_reference(clip)  # a file with the same bytes is the same clip
    assert ANALYSES.misses - misses == 1 and ANALYSES.hits - hits == 4


def test_a_corrupt_reference_clip_is_a_400_at_request_time(url):
    """Refused when the request arrives, before any synthesis, with a message saying why."""
    corrupt = b"RIFF\x24\x00\x00\x00WAVEfmt " + bytes(range(256)) * 8  # a WAV header over garbage
    r = httpx.post(f"{url}/v1/audio/speech", timeout=60, json={
        "input": "你好。", "response_format": "pcm", "stream": True,
        "reference_audio": base64.b64encode(corrupt).decode()})
    assert r.status_code == 400 and r.json()["error"]["param"] == "reference_audio"
    assert "reference" in r.json()["error"]["message"].lower()
