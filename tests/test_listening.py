"""The project hears itself: what it says, transcribed by Whisper base (tests/listening.py) and
scored as a character error rate (CER, Seed-TTS-eval normalization).

Every bound below was measured first (the figure is in the comment beside it, on the shared
2-core machine; `report` prints each run's figures at the end of the suite). Whisper base is a
small recognizer: it misses some names and homophones even on clean speech, so the bounds are
ceilings well above what the project gets and far below what broken audio gets; the tests of the
instrument itself (end of the file) show each bound tripping on a broken case.

Expressive settings are judged against neutral speech of the same sentences: CER at most
FACTOR times neutral's, plus FLOOR (a sample of a few sentences makes a tiny neutral CER noisy).

Time: Whisper takes about a second per clip on 2 cores whatever its length (its encoder always
reads a 30 s window), so the settings are judged on a sample of four sentences each.
"""

from __future__ import annotations

import asyncio
import dataclasses
import io
import threading
from collections.abc import Iterator, Sequence

import httpx
import numpy as np
import pytest
import soundfile as sf
import srt
import torch
from conftest import acoustic_int8, cpu_variant, decode_any, needs_vnni, report
from listening import Listener, corpus_cer, normalize_for_cer
from test_wyoming import REPLY, groups, stream_reply
from webserver import free_port

from bench.english_by_ear import SpanHearer, control_of, cut, recognized, span_marks, span_of, word_offsets

from tts.expressive.presets import EMOTIONS, VOICES
from tts.expressive.reference import analyze_reference
from tts.options import SynthesisOptions
from tts.results import Result
from tts.serving.profiles import load_profile
from tts.wyoming.server import WyomingServer

pytestmark = [pytest.mark.real_weights, pytest.mark.slow]

RATE = 24000
# The whole pipeline's hard cases: dates, times, money, percentages, a phone number, units,
# polyphones (行, 长, 乐, 重, 调, 还) and names (曾 and 单 as surnames).
NEUTRAL = [
    "会议定于2024年11月21日上午10:30举行，请准时参加。",
    "这台电脑售价5999元，比去年便宜了12.5%。",
    "如果有问题，请拨打13812345678联系我们。",
    "银行行长说，今年的利率可能会小幅下调。",
    "他长大以后想当一名音乐老师。",
    "我们重新调查了这个问题的来龙去脉。",
    "张伟和李娜都是北京大学的学生。",
    "曾先生和单老师明天要去重庆出差。",
    "他跑完5km只用了23分钟。",
    "长江是中国第一长河，全长约6300公里。",
    "这本书一共有325页，我已经读了一半。",
    "你还记得我们第一次见面的地方吗？",
]
# Measured 2026-12-07 (dev-2c, shared): the 12 sentences 0.100 (Whisper base misses 李娜, 曾, 单
# and a few homophones on clean speech). The same ceiling serves every neutral-speech path.
NEUTRAL_BOUND = 0.15
SAMPLE = [NEUTRAL[i] for i in (0, 3, 6, 11)]  # what each expressive setting says (neutral: 0.053)
FACTOR, FLOOR = 2.5, 0.08  # a setting's CER <= 2.5 x neutral's + 0.08 (0.213 at the measured 0.053)
# Settings measured to cost much more than the others (docs/expressive.md, "Intelligibility"):
# their own factor, so that they cannot get worse unnoticed. Speed 2.0 measured 0.303 with every
# symbol shrunk alike, 0.289 since faster speech shrinks the excess over a 2-frame floor
# (tts/models/duration_scaling.py; 47.8% -> 38.9% on 40 held-out sentences, BENCHMARKS.md):
# bound 5 x 0.053 + 0.08 = 0.345 then; back to 6 x (0.398) since the recognizer runs float32 on
# CPUs without VNNI (tests/listening.py), where speed 2.0 measured 0.368 on a Zen 3 (2026-12-07,
# fourth session; the garbled words were dates and names at double speed). Sad x2 and pitch -6 measured 0.197 (sad x2
# the same with the energy floor on these four sentences, 48.6% -> 19.4% on five others): 3 x,
# 0.239 (the bound every setting had before).
HARD = {"speed 2.0": 6.0, "emotion sad x2": 3.0, "pitch -6": 3.0}


def say(synth, text: str, **options) -> Result:
    return synth.synthesize(SynthesisOptions(text, **options), use_cache=False)


def hear(listener: Listener, clips: Sequence[np.ndarray], texts: Sequence[str], rate: int = RATE
         ) -> tuple[float, list[str]]:
    """(corpus CER, transcripts) of `clips` that should say `texts`."""
    heard = listener.transcribe_many([(c, rate) for c in clips], texts)
    return corpus_cer(texts, heard), heard


def show(texts: Sequence[str], heard: Sequence[str]) -> str:
    """The clips whose transcript differs, for an assertion message."""
    return "; ".join(f"{normalize_for_cer(t)} -> {normalize_for_cer(h)}" for t, h in zip(texts, heard)
                     if normalize_for_cer(t) != normalize_for_cer(h))


# ---- the whole pipeline on neutral sentences


@pytest.fixture(scope="module")
def neutral(synth, listener) -> tuple[float, list[str]]:
    return hear(listener, [say(synth, t, quality="fast").audio for t in NEUTRAL], NEUTRAL)


def test_neutral_sentences_are_understood(neutral):
    error, heard = neutral
    report(f"listening: neutral, {len(NEUTRAL)} hard-case sentences, MB-MelGAN: CER {error:.3f}")
    assert error <= NEUTRAL_BOUND, show(NEUTRAL, heard)


# ---- the acoustic model in int8 (the cpu profile's precision.acoustic_int8) against float32


# bench/int8_listening.py, 120 held-out sentences (2026-12-07, shared machine): float32 9.76%,
# int8 10.18%, difference +0.42%, paired bootstrap 95% interval -0.13% .. +1.06%: unchanged within
# noise. These 12 sentences have a tenth of the characters, so the interval is about three times
# wider: int8 may lose up to 3 points on them before it counts as worse. Measured here: int8
# 0.054 against float32 0.100 (3 of 12 sentences heard differently).
INT8_MARGIN = 0.03


@needs_vnni
def test_int8_acoustic_model_is_understood_as_well_as_float32(synth, listener, neutral):
    """The same sentences with FastSpeech2's frame-level convolutions in int8: its CER stays
    within INT8_MARGIN of float32's on the same clips' transcripts."""
    with acoustic_int8(synth.engine):
        clips = [say(synth, t, quality="fast").audio for t in NEUTRAL]
    error, heard = hear(listener, clips, NEUTRAL)
    base, base_heard = neutral
    report(f"listening: neutral, {len(NEUTRAL)} hard-case sentences, int8 acoustic model: CER {error:.3f} "
           f"(float32 {base:.3f}; sentences heard differently: "
           f"{sum(normalize_for_cer(a) != normalize_for_cer(b) for a, b in zip(heard, base_heard))})")
    assert error <= base + INT8_MARGIN, show(NEUTRAL, heard)


# ---- expressive settings: within a factor of neutral


def _reference_clip(synth) -> bytes:
    """A fast, high reference clip (the project's own voice): transferring it speeds the output up."""
    res = say(synth, "今天天气很好，我们一起去公园散步吧。小明昨天晚上看了一部很感人的电影。", speed=1.4, pitch=4.0)
    buf = io.BytesIO()
    sf.write(buf, res.audio, res.sample_rate, format="WAV", subtype="PCM_16")
    return buf.getvalue()


def conditions(synth) -> dict[str, dict]:
    """Each expressive setting as SynthesisOptions keywords."""
    out: dict[str, dict] = {"neutral": {}}
    for name in EMOTIONS:
        if name != "neutral":
            out[f"emotion {name}"] = {"emotion": name}
            out[f"emotion {name} x2"] = {"emotion": name, "emotion_intensity": 2.0}
    for name in VOICES:
        if name != "baker":
            out[f"voice {name}"] = {"voice": name}
    out |= {"speed 0.5": {"speed": 0.5}, "speed 1.5": {"speed": 1.5}, "speed 2.0": {"speed": 2.0},
            "pitch -6": {"pitch": -6.0}, "pitch +6": {"pitch": 6.0}, "hifigan": {"quality": "high"},
            "reference transfer": {"prosody": analyze_reference(_reference_clip(synth)).prosody}}
    return out


@pytest.fixture(scope="module")
def expressive(synth, listener) -> dict[str, tuple[float, list[str]]]:
    """CER and transcripts of SAMPLE under every setting, all heard in one batch."""
    settings = conditions(synth)
    clips, texts = [], []
    for options in settings.values():
        options = {"quality": "fast"} | options
        clips += [say(synth, t, **options).audio for t in SAMPLE]
        texts += SAMPLE
    heard = listener.transcribe_many([(c, RATE) for c in clips], texts)
    n = len(SAMPLE)
    out = {}
    for k, name in enumerate(settings):
        part = heard[k * n:(k + 1) * n]
        out[name] = (corpus_cer(SAMPLE, part), part)
    report("listening: CER of 4 sentences per setting: "
           + ", ".join(f"{name} {error:.3f}" for name, (error, _) in out.items()))
    return out


SETTINGS = [f"emotion {e}{x}" for e in EMOTIONS if e != "neutral" for x in ("", " x2")] + [
    f"voice {v}" for v in VOICES if v != "baker"] + [
    "speed 0.5", "speed 1.5", "speed 2.0", "pitch -6", "pitch +6", "hifigan", "reference transfer"]


@pytest.mark.parametrize("setting", SETTINGS)
def test_expressive_settings_stay_intelligible(expressive, setting):
    """Measured (neutral 0.053), with the duration floor and the energy floor: happy 0.026, x2
    0.066; sad 0.105, x2 0.197; angry 0.039, x2 0.013; gentle 0.053, x2 0.079 (0.184 before the
    energy floor); surprised 0.039, x2 0.145; baker-low 0.092, baker-bright 0.039, baker-child
    0.132; speed 0.5 0.105, 1.5 0.105, 2.0 0.289 (0.303 before the duration floor); pitch -6 0.197,
    +6 0.132; HiFi-GAN 0.053; reference transfer 0.066."""
    base, _ = expressive["neutral"]
    error, heard = expressive[setting]
    assert error <= HARD.get(setting, FACTOR) * base + FLOOR, (setting, error, base, show(SAMPLE, heard))


# ---- serving paths: streamed, each profile's chunking, concurrent batches


PARAGRAPH = "人工智能正在改变我们的生活方式和工作方式。周末的时候，我喜欢在家里读书、喝茶、听音乐。列车即将到达终点站上海虹桥。"


def _streamed(synth, text: str) -> np.ndarray:
    with synth.stream(SynthesisOptions(text, quality="fast"), use_cache=False) as stream:
        return np.concatenate([chunk.audio for chunk in stream])


@pytest.mark.parametrize("profile_name", ["cpu", "gpu-16gb", "gpu-8gb", "gpu-small"])
def test_streamed_audio_under_each_profiles_chunking_is_understood(engine, pipeline, listener, synth, profile_name):
    """The stream as each profile cuts it (segments, first chunk, vocoder blocks; run on the CPU):
    no join between blocks or segments costs a word, compared with the whole clip. Measured:
    cpu 0.078, gpu-16gb 0.059, gpu-8gb 0.059, gpu-small 0.078; whole 0.078."""
    profile = load_profile(profile_name)
    s = cpu_variant(engine, pipeline, vocoder=dataclasses.asdict(profile.vocoder) | {"default": "mb_melgan"},
                    text=dataclasses.asdict(profile.text), acoustic=dataclasses.asdict(profile.acoustic))
    try:
        streamed = _streamed(s, PARAGRAPH)
    finally:
        s.close()
    whole = say(synth, PARAGRAPH, quality="fast").audio
    (error, heard), (whole_error, _) = (hear(listener, [a], [PARAGRAPH]) for a in (streamed, whole))
    report(f"listening: streamed with {profile_name} chunking CER {error:.3f}, whole {whole_error:.3f}")
    assert error <= whole_error + 0.05, (error, whole_error, heard)
    assert error <= NEUTRAL_BOUND, heard


def test_twelve_concurrent_requests_are_understood(synth, listener, neutral):
    """12 requests at once go through the batching workers side by side: each is as intelligible
    as the same sentence said alone. Measured: 0.100, as alone."""
    audio: dict[int, np.ndarray] = {}
    start = threading.Barrier(len(NEUTRAL))

    def one(i: int) -> None:
        start.wait()
        audio[i] = say(synth, NEUTRAL[i], quality="fast").audio

    threads = [threading.Thread(target=one, args=(i,)) for i in range(len(NEUTRAL))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert sorted(audio) == list(range(len(NEUTRAL)))
    error, heard = hear(listener, [audio[i] for i in range(len(NEUTRAL))], NEUTRAL)
    report(f"listening: 12 concurrent requests CER {error:.3f} (alone {neutral[0]:.3f})")
    assert error <= neutral[0] + 0.02, show(NEUTRAL, heard)


# ---- SSML says what it should


SSML = {
    "phoneme": ('<speak>今天<phoneme alphabet="py" ph="tian1 qi4 hen3 hao3">风雨交加</phoneme>，我们去公园吧。</speak>',
                "今天天气很好，我们去公园吧。"),
    "say-as": (('<speak>一共来了<say-as interpret-as="cardinal">2024</say-as>个人，'
               '热线是<say-as interpret-as="telephone">13812345678</say-as>。</speak>'),
               "一共来了两千零二十四个人，热线是幺三八幺二三四五六七八。"),
    "sub": ('<speak><sub alias="世界卫生组织">WHO</sub>发布了新的报告。</speak>', "世界卫生组织发布了新的报告。"),
    "break": ('<speak>欢迎收听<break time="800ms"/>今天的新闻。</speak>', "欢迎收听今天的新闻。"),
    "prosody rate": (('<speak>我们<prosody rate="x-slow">慢慢地</prosody>走回家，'
                     '<prosody rate="x-fast">然后马上吃饭</prosody>。</speak>'), "我们慢慢地走回家，然后马上吃饭。"),
}
# Measured: phoneme 0.000, say-as 0.038, sub 0.000, break 0.000, prosody rate 0.071.
SSML_BOUND = 0.15


@pytest.fixture(scope="module")
def ssml_heard(synth, listener) -> dict[str, tuple[float, str]]:
    names = list(SSML)
    clips = [say(synth, SSML[n][0], quality="fast").audio for n in names]
    heard = listener.transcribe_many([(c, RATE) for c in clips], [SSML[n][1] for n in names])
    out = {n: (corpus_cer([SSML[n][1]], [h]), h) for n, h in zip(names, heard)}
    report("listening: SSML CER " + ", ".join(f"{n} {e:.3f}" for n, (e, _) in out.items()))
    return out


@pytest.mark.parametrize("element", list(SSML))
def test_ssml_elements_say_what_they_should(ssml_heard, element):
    error, heard = ssml_heard[element]
    assert error <= SSML_BOUND, (element, normalize_for_cer(SSML[element][1]), normalize_for_cer(heard))


# ---- long-form jobs and the Wyoming server


CHAPTER_TWO = "".join(NEUTRAL[3:9])
BOOK = "第一章 开头\n今天天气很好，我们一起去公园散步吧。\n第二章 正文\n" + CHAPTER_TWO


def _cues(url: str, chapter: dict) -> list[srt.Subtitle]:
    return list(srt.parse(httpx.get(f"{url}{chapter['subtitles']['srt']}").text))


def test_a_long_form_jobs_chapter_is_understood(url, listener):
    """A job's second chapter, cut at three of its subtitle cues (first, middle, last): each piece
    says its cue's text. Measured: 0.086 (3 of 7 cues)."""
    r = httpx.post(f"{url}/v1/jobs", json={"input": BOOK, "response_format": "mp3"})
    assert r.status_code == 202, r.text
    job_id = r.json()["id"]
    try:
        job = _wait_done(url, job_id)
        chapter = job["chapters"][1]
        got = httpx.get(f"{url}{chapter['url']}")
        assert got.status_code == 200
        audio = decode_any(got.content, "." + got.headers["content-type"].split("/")[-1].replace("mpeg", "mp3"))
        cues = _cues(url, chapter)
        picked = [cues[0], cues[len(cues) // 2], cues[-1]]
        pieces = [audio[int(c.start.total_seconds() * RATE):int(c.end.total_seconds() * RATE)] for c in picked]
        error, heard = hear(listener, pieces, [c.content for c in picked])
    finally:
        httpx.delete(f"{url}/v1/jobs/{job_id}")
    report(f"listening: long-form job chapter, {len(picked)} of {len(cues)} cues: CER {error:.3f}")
    assert len(cues) >= 3
    assert error <= NEUTRAL_BOUND, show([c.content for c in picked], heard)


def _wait_done(url: str, job_id: str) -> dict:
    import time

    deadline = time.monotonic() + 600  # a guard against a hung job, not a speed requirement
    while time.monotonic() < deadline:
        job = httpx.get(f"{url}/v1/jobs/{job_id}").json()
        if job["status"] in ("done", "failed", "cancelled"):
            assert job["status"] == "done", job["error"]
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish")


@pytest.fixture(scope="module")
def real_uri(synth) -> Iterator[str]:
    with WyomingServer(synth, f"tcp://127.0.0.1:{free_port()}").start() as server:
        yield server.uri


def test_a_wyoming_streamed_reply_is_understood(real_uri, listener):
    """A reply streamed 2 characters at a time (as Home Assistant sends an LLM's text): each
    sentence's audio group says that sentence. Measured: 0.038."""
    audio = [g.astype(np.float32) / 32767 for g in groups([e for phase in asyncio.run(stream_reply(real_uri))
                                                           for e in phase])]
    assert len(audio) == len(REPLY)
    error, heard = hear(listener, audio, REPLY)
    report(f"listening: Wyoming streamed reply CER {error:.3f}")
    assert error <= NEUTRAL_BOUND, show(REPLY, heard)


# ---- English words inside Chinese
# Whisper base forced to Mandarin writes an English word back in Latin letters only when it is an
# initialism said as letter names or a loan it knows well (BENCHMARKS.md, "English words inside
# Chinese text"); for other words it writes a transliteration whatever the reading, so it cannot
# judge them. These are the development set's sentences (tests/data/english_mixed_dev.tsv) whose
# words it can hear: a reading that garbles them, spells a word letter by letter or drops it
# fails here. Scored as bench/english_by_ear.py scores (letters only, case-insensitive).
ENGLISH = [
    ("你可以在Google上搜一下", "Google"), ("这台电脑的CPU占用太高了", "CPU"), ("手机支持USB充电", "USB"),
    ("昨晚的NBA比赛太精彩了", "NBA"), ("AI正在改变很多行业", "AI"), ("他在YouTube上传了一个视频", "YouTube"),
    ("这个App的界面设计得很漂亮", "App"), ("我的Email地址换了", "Email"), ("我在Office里等你", "Office"),
    ("新的iPhone什么时候发布", "iPhone"),
]
ENGLISH_MIN = 8  # of 10: measured 10 of 10 (2026-12-07, quiet machine); two misses allowed for the recognizer's noise


def test_english_words_inside_chinese_are_heard_as_the_words(synth, listener):
    texts = [text for text, _ in ENGLISH]
    heard = listener.transcribe_many([(say(synth, t, quality="fast").audio, RATE) for t in texts], texts)
    hits = [recognized([word], transcript)[0] for (_, word), transcript in zip(ENGLISH, heard)]
    report(f"listening: English words inside Chinese heard as the word: {sum(hits)} of {len(hits)}")
    missed = [f"{word} -> {transcript}" for (_, word), transcript, hit in zip(ENGLISH, heard, hits) if not hit]
    assert sum(hits) >= ENGLISH_MIN, "; ".join(missed)


# The span variant of the by-ear instrument (bench/english_by_ear.py --spans): each word's own
# audio, cut by the synthesizer's timing, decoded alone as English. Dev words it writes back
# (bench, int8 acoustic model: 9 of 68 dev words equal, these four among them; here, float32: 4 of
# 4 on two runs, 2026-12-07), and each one's control, a Chinese stand-in of as many syllables cut
# the same way, which it must not write as the word (0 of 68 dev controls were). Spelled letter by
# letter (1f2fd1b's reading) only CPU comes back, so a reading that spells, garbles or drops these
# words fails here. One miss allowed for the recognizer's noise.
ENGLISH_SPANS = [("你可以在Google上搜一下", "Google"), ("这台电脑的CPU占用太高了", "CPU"),
                 ("他在YouTube上传了一个视频", "YouTube"), ("这个Idea不错，我们试试", "Idea")]
ENGLISH_SPANS_MIN = 3


def test_english_word_spans_are_heard_as_the_words_and_their_controls_are_not(synth, listener):
    hearer = SpanHearer(listener.model)
    hits, false_positives, lines = 0, [], []
    for sentence, word in ENGLISH_SPANS:
        place = word_offsets(sentence, [word])[0]
        control, control_place = control_of(sentence, place, word)
        heard = []
        for text, where in ((sentence, place), (control, control_place)):
            result = say(synth, text, quality="fast")
            span = span_of(result, where)
            assert span is not None, f"{text}: characters {where} untimed"
            heard.append(hearer.hear(cut(result.audio, RATE, span), RATE, word)["en"])
        hits += span_marks(word, heard[0])[0]
        if span_marks(word, heard[1])[0]:
            false_positives.append(f"{control} -> {heard[1]}")
        lines.append(f"{word} -> {heard[0]!r} (control {heard[1]!r})")
    report(f"listening: English word spans heard alone as the word: {hits} of {len(ENGLISH_SPANS)}")
    assert hits >= ENGLISH_SPANS_MIN, "; ".join(lines)
    assert not false_positives, "; ".join(false_positives)

# ---- the instrument itself: each bound trips on a broken case


def test_the_bound_trips_on_a_vocoder_fed_a_shuffled_mel(engine, pipeline, listener):
    """Every mel block's frames in random order: measured CER 1.000."""
    s = cpu_variant(engine, pipeline)
    vocode = s.workers["cpu"].handlers["vocoder"]
    g = torch.Generator().manual_seed(0)

    def shuffled(payloads):
        return vocode([(name, mel[torch.randperm(mel.shape[0], generator=g)]) for name, mel in payloads])

    s.workers["cpu"].handlers["vocoder"] = shuffled
    try:
        clips = [say(s, t, quality="fast").audio for t in SAMPLE]
    finally:
        s.close()
    error, heard = hear(listener, clips, SAMPLE)
    report(f"listening: instrument check, shuffled mel CER {error:.3f}")
    assert error > NEUTRAL_BOUND, heard


def test_the_bound_trips_on_a_preset_with_four_times_the_rate(synth, listener, expressive, monkeypatch):
    """'happy' with a quarter of its durations: measured CER 0.961 (0.987 before the duration
    floor), over even the HARD settings' bound."""
    base, _ = expressive["neutral"]
    monkeypatch.setitem(EMOTIONS, "happy", dataclasses.replace(EMOTIONS["happy"], duration_scale=0.25))
    error, heard = hear(listener, [say(synth, t, quality="fast", emotion="happy").audio for t in SAMPLE], SAMPLE)
    report(f"listening: instrument check, preset at rate x4 CER {error:.3f} (neutral {base:.3f})")
    assert error > max(HARD.values()) * base + FLOOR, heard


def test_the_bound_trips_on_an_ignored_phoneme_override(synth, listener):
    """The <phoneme> case spoken as its plain text (风雨交加, not 天气很好): measured CER 0.333."""
    markup, wanted = SSML["phoneme"]
    ignored = markup.replace('<phoneme alphabet="py" ph="tian1 qi4 hen3 hao3">', "").replace("</phoneme>", "")
    error, heard = hear(listener, [say(synth, ignored, quality="fast").audio], [wanted])
    report(f"listening: instrument check, phoneme override ignored CER {error:.3f}")
    assert error > SSML_BOUND, heard
