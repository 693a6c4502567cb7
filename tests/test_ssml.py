"""SSML in both dialects, each element's effect measured on real audio through the timestamps;
safe parsing (hostile XML answered fast with a 4xx, the server alive); strict and lenient modes."""

from __future__ import annotations

import httpx
import numpy as np
import pytest

from bench.measure import spectral_centroid_hz
from tts.expressive.reference import measure
from tts.options import RequestError, SynthesisOptions

FRAME_S = 300 / 24000
AZURE = ('<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" '
         'xmlns:mstts="https://www.w3.org/2001/mstts" xml:lang="zh-CN">{}</speak>')


def say(synth, ssml: str, **options):
    return synth.synthesize(SynthesisOptions(ssml, quality="fast", **options), use_cache=False)


def chars_of(result, text: str, source: str) -> list:
    """The timed characters reading `text` (its first occurrence in the source)."""
    at = source.index(text)
    return [c for c in result.timed("character") if at <= c.offset < at + len(text)]


def span(result, text: str, source: str) -> tuple[float, float]:
    chars = chars_of(result, text, source)
    return chars[0].start, chars[-1].end


# ---- <break>: exactly that silence


@pytest.mark.parametrize("time_attr,seconds", [("1200ms", 1.2), ("0.2s", 0.2), ("3s", 3.0)])
def test_a_break_adds_exactly_its_silence(synth, time_attr, seconds):
    base = say(synth, '<speak>你好<break time="0ms"/>世界</speak>')
    longer = say(synth, f'<speak>你好<break time="{time_attr}"/>世界</speak>')
    assert abs((len(longer.audio) - len(base.audio)) / 24000 - seconds) <= FRAME_S
    end_of_hello = chars_of(longer, "好", '<speak>你好')[0].end
    gap = longer.audio[int(end_of_hello * 24000): int((end_of_hello + seconds) * 24000)]
    assert np.abs(gap).max() == 0.0  # the break itself is digital silence


def test_break_strength_keywords(synth):
    weak = say(synth, '<speak>你好<break strength="x-weak"/>世界</speak>')
    strong = say(synth, '<speak>你好<break strength="x-strong"/>世界</speak>')
    assert abs((len(strong.audio) - len(weak.audio)) / 24000 - 1.0) <= FRAME_S


# ---- <phoneme>, <sub>, <say-as>, <w>: what is read, and the timing points at the caller's characters


@pytest.mark.parametrize("alphabet,ph", [("py", "zhong4 qing4"), ("sapi", "zhong 4 qing 4")])
def test_phoneme_changes_the_syllables_reported(synth, alphabet, ph):
    source = f'<speak>我们去<phoneme alphabet="{alphabet}" ph="{ph}">重庆</phoneme>。</speak>'
    result = say(synth, source)
    chong = chars_of(result, "重庆", source)
    assert [c.text for c in chong] == ["重", "庆"]
    syllables = {s.offset: s.text for s in result.timed("syllable")}
    assert syllables[chong[0].offset] == "zhong4" and syllables[chong[1].offset] == "qing4"
    plain = say(synth, "<speak>我们去重庆。</speak>")
    assert "chong2" in plain.pinyin and "zhong4" in result.pinyin


def test_sub_say_as_and_w_read_as_asked_and_point_at_their_text(synth):
    source = ('<speak><sub alias="世界卫生组织">WHO</sub>的热线是<say-as interpret-as="telephone">12315</say-as>，'
              '编号<say-as interpret-as="digits">2024</say-as>，共<say-as interpret-as="cardinal">2024</say-as>人，'
              '<w>长江</w>很长。</speak>')
    result = say(synth, source)
    pinyin = result.pinyin.split()
    assert pinyin[:6] == ["shi4", "jie4", "wei4", "sheng1", "zu3", "zhi1"]
    assert "yao1 er4 san1 yao1 wu3" in result.pinyin  # a telephone number: 1 as yao1
    assert "er4 ling2 er4 si4" in result.pinyin and "liang3 qian1 ling2 er4 shi2 si4" in result.pinyin
    who = chars_of(result, "WHO", source)
    assert [c.text for c in who] == ["W", "H", "O"] and len({(c.start, c.end) for c in who}) == 1
    assert result.timed("sentence")[0].text.startswith("WHO的热线是12315")


def test_say_as_characters_spells_letter_by_letter(synth):
    result = say(synth, '<speak>她说<say-as interpret-as="characters">hello</say-as></speak>')
    plain = say(synth, "<speak>她说hello</speak>")
    assert plain.pinyin.split()[-2:] == ["ha1", "lou2"]  # a word it knows, read as the word
    assert result.pinyin.split()[2:] == ["ai4", "qi1", "yi4", "ai4", "le5", "ai4", "le5", "ou1"]  # H E L L O


# ---- <prosody>, <emotion>, <mstts:express-as>, <voice>: inside the span only


def test_half_rate_doubles_that_span_and_leaves_the_rest(synth):
    plain_src = "<speak>我们今天慢慢地走回家，然后一起吃晚饭。</speak>"
    slow_src = '<speak>我们今天<prosody rate="50%">慢慢地走</prosody>回家，然后一起吃晚饭。</speak>'
    plain, slow = say(synth, plain_src), say(synth, slow_src)
    inside = (np.diff(span(slow, "慢慢地走", slow_src)) / np.diff(span(plain, "慢慢地走", plain_src)))[0]
    outside = (np.diff(span(slow, "然后一起吃晚饭", slow_src)) / np.diff(span(plain, "然后一起吃晚饭", plain_src)))[0]
    assert 1.7 < inside < 2.3, inside
    assert 0.9 < outside < 1.1, outside
    assert len(slow.segments) == len(plain.segments)  # still one utterance: no pause of its own


def region(result, audio_span: tuple[float, float]) -> np.ndarray:
    return result.audio[round(audio_span[0] * 24000): round(audio_span[1] * 24000)]


def test_emotion_and_voice_spans_change_only_their_own_sentence(synth):
    plain_src = "<speak>前面这句话很平静。中间这句话要换个说法。后面这句话也很平静。</speak>"
    styled = [
        "<speak>前面这句话很平静。<emotion category=\"happy\" intensity=\"1.5\">中间这句话要换个说法。</emotion>"
        "后面这句话也很平静。</speak>",
        AZURE.format('前面这句话很平静。<mstts:express-as style="cheerful" styledegree="1.5">中间这句话要换个说法。'
                     '</mstts:express-as>后面这句话也很平静。'),
        '<speak>前面这句话很平静。<voice name="baker-child">中间这句话要换个说法。</voice>后面这句话也很平静。</speak>',
    ]
    plain = say(synth, plain_src)
    for k, src in enumerate(styled):
        result = say(synth, src)
        before_plain = region(plain, span(plain, "前面这句话很平静", plain_src))
        before = region(result, span(result, "前面这句话很平静", src))
        assert np.array_equal(before, before_plain), k  # the sentence before: untouched
        mid_plain = region(plain, span(plain, "中间这句话要换个说法", plain_src))
        mid = region(result, span(result, "中间这句话要换个说法", src))
        if k < 2:  # happy: higher and livelier pitch inside the span
            assert measure(mid, 24000).f0_median_hz > measure(mid_plain, 24000).f0_median_hz * 1.05, k
        else:  # the child-like voice: brighter (formants up) inside the span
            assert spectral_centroid_hz(mid, 24000) > spectral_centroid_hz(mid_plain, 24000) * 1.15
        after_plain = region(plain, span(plain, "后面这句话也很平静", plain_src))
        after = region(result, span(result, "后面这句话也很平静", src))
        assert len(after) == len(after_plain) and np.array_equal(after, after_plain), k


def test_a_voice_span_inside_one_sentence_changes_only_its_frames(synth):
    src = '<speak>我们一起<voice name="baker-child">去公园散步</voice>吧，好不好？</speak>'
    plain_src = "<speak>我们一起去公园散步吧，好不好？</speak>"
    result, plain = say(synth, src), say(synth, plain_src)
    assert len(result.segments) == len(plain.segments)
    inside = spectral_centroid_hz(region(result, span(result, "去公园散步", src)), 24000)
    inside_plain = spectral_centroid_hz(region(plain, span(plain, "去公园散步", plain_src)), 24000)
    assert inside > inside_plain * 1.15


def test_sentences_and_paragraphs_bound_sentences(synth):
    src = "<speak><p><s>第一句没有标点</s><s>第二句也没有</s></p><p>第三段</p></speak>"
    result = say(synth, src)
    assert [s.text for s in result.timed("sentence")] == ["第一句没有标点", "第二句也没有", "第三段"]
    assert abs(result.timed("character")[-1].end - len(result.audio) / 24000) <= FRAME_S


# ---- strict and lenient, limits, errors


def test_unknown_elements_are_refused_or_spoken_and_reported(synth):
    src = ("<speak xmlns:mstts='https://www.w3.org/2001/mstts'>你好"
           "<mstts:ttsembedding speakerProfileId='x'>音频</mstts:ttsembedding>世界</speak>")
    with pytest.raises(RequestError) as err:
        say(synth, src)
    assert "<mstts:ttsembedding>" in str(err.value) and "line 1" in str(err.value)
    lenient = say(synth, src, ssml_strict=False)
    assert "yin1 pin2" in lenient.pinyin and any("<mstts:ttsembedding>" in n for n in lenient.notes)


@pytest.mark.parametrize("bad,fragment", [
    ("<speak>你好<break time='forever'/></speak>", "break time"),
    ("<speak><prosody rate='fast-ish'>你好</prosody></speak>", "rate"),
    ("<speak><phoneme alphabet='py' ph='xyz9'>好</phoneme></speak>", "ph"),
    ("<speak><phoneme alphabet='py' ph='ni3 hao3'>好</phoneme></speak>", "phoneme"),
    ("<speak><say-as interpret-as='morse'>12</say-as></speak>", "interpret-as"),
    ("<speak><voice name='darth'>你好</voice></speak>", "voice"),
    ("<speak><emotion category='bored'>你好</emotion></speak>", "emotion"),
    ("<speak>你好<b>世界</speak>", "line 1"),
    ("<speaker>你好</speaker>", "must start with <speak>"),
])
def test_bad_markup_is_a_clear_error(tiny_synth, bad, fragment):
    with pytest.raises(RequestError) as err:
        tiny_synth.synthesize(SynthesisOptions(bad), use_cache=False)
    assert fragment in str(err.value)
    assert tiny_synth.admission.running == 0


def test_only_spoken_text_counts_against_the_limit(tiny_synth):
    limit = tiny_synth.profile.text.max_request_chars
    markup = "<speak>" + "<prosody rate='1.0'>好</prosody>" * (limit // 20) + "</speak>"
    assert len(markup) > limit
    assert len(tiny_synth.synthesize(SynthesisOptions(markup), use_cache=False).audio)
    over = "<speak>" + "好" * (limit + 1) + "</speak>"
    with pytest.raises(RequestError) as err:
        tiny_synth.synthesize(SynthesisOptions(over), use_cache=False)
    assert err.value.status == 413


HOSTILE = {
    "billion laughs": '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;'
                      '&lol;&lol;&lol;&lol;&lol;&lol;"><!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;'
                      '&lol2;&lol2;&lol2;">]><speak>&lol3;</speak>',
    "external entity": '<?xml version="1.0"?><!DOCTYPE speak [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                       '<speak>&xxe;</speak>',
    "deep nesting": "<speak>" + "<s>" * 10000 + "深" + "</s>" * 10000 + "</speak>",
    "1 MB of attributes": "<speak><prosody pitch='" + "1" * 2**20 + "'>你好</prosody></speak>",
    "many elements": "<speak>" + "<break time='0ms'/>" * 20000 + "你好</speak>",
}


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_hostile_xml_gets_a_fast_4xx_and_the_server_stays_up(tiny_url, name):
    # the client's timeout is the hang detector: a parse that blew up would never answer
    r = httpx.post(f"{tiny_url}/v1/audio/speech", json={"input": HOSTILE[name], "response_format": "pcm"}, timeout=60)
    assert 400 <= r.status_code < 500, (name, r.status_code, r.text[:200])
    error = r.json()["error"]
    assert error["message"] and "Traceback" not in r.text and "/etc/passwd" not in error["message"]
    assert httpx.get(f"{tiny_url}/healthz").status_code == 200


def test_api_reports_what_lenient_mode_left_out(tiny_url):
    """Lenient is the API's default (pasted scripts); ssml_strict=true keeps the 400."""
    src = "<speak>你好<foo>世界</foo></speak>"
    r = httpx.post(f"{tiny_url}/v1/audio/speech", json={"input": src, "response_format": "pcm"})
    assert r.status_code == 200 and "foo" in r.headers["x-tts-notes"] and r.headers["x-ssml-ignored"] == "<foo>"
    strict = httpx.post(f"{tiny_url}/v1/audio/speech", json={"input": src, "ssml_strict": True})
    assert strict.status_code == 400 and "<foo>" in strict.json()["error"]["message"]


def test_ssml_streams_with_timestamps(url):
    import base64
    import json

    src = '<speak>第一句。<break time="300ms"/><prosody rate="fast">第二句。</prosody></speak>'
    lines = []
    with httpx.stream("POST", f"{url}/v1/audio/speech/timestamps", timeout=120,
                      json={"input": src, "response_format": "pcm", "stream": True}) as r:
        assert r.status_code == 200
        lines = [json.loads(line) for line in r.iter_lines() if line]
    audio = b"".join(base64.b64decode(o["audio"]) for o in lines)
    sentences = [s for o in lines for s in o["sentences"]]
    assert [s["text"] for s in sentences] == ["第一句。", "第二句。"]
    assert abs(sentences[-1]["end"] - len(audio) / 2 / 24000) <= FRAME_S
