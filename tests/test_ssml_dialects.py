"""SSML as users paste it from Azure and Alibaba scripts: complete documents (tests/data/ssml/),
sent to the API as they are. What maps onto this engine is done; the rest is spoken and named in
X-SSML-Ignored; ssml_strict=true still refuses it."""

from __future__ import annotations

import json
from pathlib import Path

import httpx
import pytest

from tts.timing.subtitles import _vtt_time as vtt_time

DOCUMENTS = Path(__file__).parent / "data" / "ssml"
AZURE = (DOCUMENTS / "azure_podcast.xml").read_text(encoding="utf-8")
ALIBABA = (DOCUMENTS / "alibaba_notice.xml").read_text(encoding="utf-8")


def timestamps(url: str, **body) -> dict:
    r = httpx.post(f"{url}/v1/audio/speech/timestamps", json={"response_format": "pcm", **body}, timeout=120)
    assert r.status_code == 200, r.text[:300]
    return {**r.json(), "ignored_header": r.headers.get("x-ssml-ignored")}


def spoken(answer: dict) -> str:
    return "".join(c["text"] for c in answer["characters"])


@pytest.mark.parametrize("document,ignored", [(AZURE, "<audio src>, <mstts:viseme>"), (ALIBABA, "<soundEvent>")])
def test_a_complete_real_world_document_is_spoken_and_what_was_left_out_is_named(tiny_url, document, ignored):
    r = httpx.post(f"{tiny_url}/v1/audio/speech", json={"input": document, "response_format": "pcm"}, timeout=120)
    assert r.status_code == 200, r.text[:300]
    assert len(r.content) > 24000 * 2  # more than a second of audio
    assert r.headers["x-ssml-ignored"] == ignored
    strict = httpx.post(f"{tiny_url}/v1/audio/speech", json={"input": document, "ssml_strict": True}, timeout=60)
    assert strict.status_code == 400
    assert ignored.split(",")[-1].strip() in strict.json()["error"]["message"]


def test_azure_bookmarks_are_timed_and_its_markup_is_read(tiny_url):
    answer = timestamps(tiny_url, input=AZURE, subtitle_format="vtt")
    text = spoken(answer)
    for words in ("大家好", "请注意", "叮咚", "我们下次再见"):  # <audio> speaks its fallback content
        assert words in text
    assert answer["ssml_ignored"] == ["<audio src>", "<mstts:viseme>"] and answer["ignored_header"]
    marks = {m["name"]: m for m in answer["marks"]}
    assert list(marks) == ["intro_end", "outro"]
    after = next(c for c in answer["characters"] if c["text"] == "接")  # the first character after intro_end
    assert marks["intro_end"]["time"] == after["start"]
    assert AZURE[marks["intro_end"]["offset"]:].startswith("<bookmark mark=\"intro_end\"/>")
    assert marks["outro"]["time"] == answer["duration"]  # nothing is said after it
    vtt = answer["subtitles"]
    at = vtt.index(f"NOTE bookmark intro_end {vtt_time(marks['intro_end']['time'])}")
    assert "接下来" in vtt[at:].split("\n\n")[1]  # the note comes right before the cue it is heard in
    assert vtt.rstrip().endswith(f"NOTE bookmark outro {vtt_time(answer['duration'])}")
    with httpx.stream("POST", f"{tiny_url}/v1/audio/speech/timestamps", timeout=120,
                      json={"input": AZURE, "response_format": "pcm", "stream": True}) as r:
        lines = [json.loads(line) for line in r.iter_lines() if line]
    assert lines[-1]["marks"] == answer["marks"]  # the streamed answer's last line: the same marks
    notes = " ".join(answer["notes"])
    assert "YoungAdultMale" in notes and "baker-low" in notes  # express-as role -> a voice
    assert "Leading" not in notes and "Sentenceboundary" not in notes  # both supported, nothing to say


def test_azure_silences_lead_and_follow_every_sentence(tiny_url):
    ns = 'xmlns:mstts="https://www.w3.org/2001/mstts"'
    plain = timestamps(tiny_url, input=f"<speak {ns}>第一句话。第二句话。</speak>")
    silent = timestamps(tiny_url, input=f'<speak {ns}><mstts:silence type="Leading-exact" value="400ms"/>'
                                        '<mstts:silence type="Sentenceboundary" value="900ms"/>第一句话。第二句话。</speak>')
    assert silent["characters"][0]["start"] >= plain["characters"][0]["start"] + 0.4 - 0.02

    def gap(answer: dict) -> float:
        chars = answer["characters"]
        second = next(i for i, c in enumerate(chars) if c["text"] == "第" and i > 0)
        return chars[second]["start"] - chars[second - 1]["end"]

    assert gap(silent) >= 0.9 - 0.02 and gap(silent) > gap(plain)


def test_emphasis_is_said_slower_and_an_unknown_azure_style_is_spoken_plainly_and_named(url, tiny_url):
    """Emphasis is louder (the model's energy) and a little slower: the real voice's durations."""
    def said(answer: dict) -> float:
        return answer["characters"][-1]["end"] - answer["characters"][0]["start"]

    stressed = timestamps(url, input="<speak><emphasis level='strong'>这一点非常重要</emphasis></speak>")
    assert said(stressed) > said(timestamps(url, input="<speak>这一点非常重要</speak>"))
    ns = 'xmlns:mstts="https://www.w3.org/2001/mstts"'
    r = httpx.post(f"{tiny_url}/v1/audio/speech", json={
        "input": f'<speak {ns}><mstts:express-as style="livecommercial">您好</mstts:express-as></speak>',
        "response_format": "pcm"}, timeout=60)
    assert r.status_code == 200 and "livecommercial" in r.headers["x-ssml-ignored"]
