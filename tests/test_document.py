"""The document model through the pipeline: every segment and syllable keeps its range in the
caller's original input (before Unicode and number normalization), spans carry their own controls,
and the pipeline — not the facade — plans, prepares and re-splits text."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tts.document import Controls, Document, Span
from tts.frontend import SYMBOLS, Frontend
from tts.frontend.alignment import Aligned, SourceMap, nfkc, one_to_one, sub
from tts.options import RequestError


def readings(fe: Frontend, text: str) -> list[tuple[str, str]]:
    utt = fe.analyze(text)
    return [(syl, text[a:b]) for syl, (a, b) in zip(utt.syllables, utt.syllable_spans)]


# ---- alignment primitives


def test_nfkc_keeps_where_each_character_came_from():
    text = "Ａ３８０，㎏…½"
    aligned = nfkc(text)
    assert aligned.text == unicodedata.normalize("NFKC", text).replace("\u2044", "/")
    sources = [text[s:e] for s, e in zip(aligned.starts, aligned.ends)]
    assert sources == ["Ａ", "３", "８", "０", "，", "㎏", "㎏", "…", "…", "…", "½", "½", "½"]
    plain = nfkc("你好。")
    assert plain.text == "你好。" and list(plain.starts) == [0, 1, 2]


def test_nfkc_keeps_combining_marks_with_their_base():
    aligned = nfkc("e\u0301a")
    assert aligned.text == "éa" and aligned.span(0, 1) == (0, 2) and aligned.span(1, 2) == (2, 3)


def test_sub_maps_a_rewrite_to_what_it_replaced_keeping_common_ends():
    out = sub(r"第(\d+)名", lambda m: "第二名", Aligned.identity("他得了第2名。"))
    assert out.text == "他得了第二名。"
    assert [out.span(i, i + 1) for i in range(len(out))] == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5), (5, 6), (6, 7)]
    grown = sub(r"¥\d+", lambda m: "一百元", Aligned.identity("票价¥100。"))
    assert [grown.span(i, i + 1) for i in range(len(grown))] == [(0, 1), (1, 2), (2, 6), (2, 6), (2, 6), (6, 7)]


def test_one_to_one_splits_only_runs_whose_counts_match():
    assert one_to_one([(0, 1), (1, 5), (1, 5), (1, 5), (1, 5), (5, 6)]) == [(0, 1), (1, 2), (2, 3), (3, 4), (4, 5),
                                                                            (5, 6)]
    assert one_to_one([(0, 2), (0, 2), (0, 2)]) == [(0, 2)] * 3


def test_source_maps_compose():
    inner = SourceMap((0, 2), (2, 3))  # two derived chars from "ab" and "c" of a middle text
    outer = SourceMap((10, 11, 15), (11, 15, 16))
    assert inner.through(outer) == SourceMap((10, 15), (15, 16))


# ---- the frontend: syllables and segments point into the input


def test_numbers_spell_out_digit_by_digit_where_counts_match(fe):
    assert readings(fe, "今天是２０２４年。")[3:8] == [("er4", "２"), ("ling2", "０"), ("er4", "２"), ("si4", "４"),
                                                    ("nian2", "年")]
    price = readings(fe, "票价¥100。")
    assert price[2:] == [("yi4", "¥100"), ("bai3", "¥100"), ("yuan2", "¥100")]


def test_erhua_letters_and_inline_overrides_map_to_their_characters(fe):
    assert readings(fe, "你去哪儿？")[-1] == ("nar3", "哪儿")
    assert readings(fe, "NBA比赛")[:3] == [("en1", "N"), ("bi4", "B"), ("ei1", "A")]
    text = "{银行|yin2 hang2}行长"
    assert readings(fe, text) == [("yin2", "银"), ("hang2", "行"), ("hang2", "行"), ("zhang3", "长")]


def test_segments_map_back_to_the_input(fe):
    text = "  你好！今天天气很好。\n\n我们去公园吧？好的……"
    for seg in fe.split(text, max_chars=6):
        assert seg.source is not None and len(seg.source) == len(seg.text)
        for ch, s, e in zip(seg.text, seg.source.starts, seg.source.ends):
            assert ch in unicodedata.normalize("NFKC", text[s:e]), (ch, text[s:e])


SAMPLES = st.lists(st.sampled_from(
    ["今天", "天气", "很好", "，", "。", "！", "？", "2024年", "3.5%", "¥100", "13812345678", "NBA", "哪儿", " ",
     "１２", "…", "\n", "😀", "第2名", "10:30", "{重|chong2}", "行长"]), min_size=1, max_size=25).map("".join)


@settings(max_examples=80, deadline=None)
@given(SAMPLES)
def test_every_syllable_points_into_the_input_in_order(pipeline_for_tests, text):
    plan = pipeline_for_tests.plan(pipeline_for_tests.document(text), 12, 6)
    last = 0
    for planned in plan:
        prepared = pipeline_for_tests.prepare_segment(planned)
        assert len(prepared.syllable_sources) == len(prepared.utterance.syllables)
        for s, e in prepared.syllable_sources:
            assert 0 <= s < e <= len(text), (text, s, e)
            assert text[s:e].strip(), (text, s, e)
            assert s >= last or e > last, (text, s, e, last)  # never goes backwards past a whole range
            last = max(last, s)
    # every Chinese character that has a reading is read by some syllable
    covered = {i for p in plan for s, e in pipeline_for_tests.prepare_segment(p).syllable_sources
               for i in range(s, e)}
    inside_override = set()
    for start in [i for i, c in enumerate(text) if c == "{"]:
        inside_override.update(range(start, text.index("}", start) + 1))
    for i, ch in enumerate(text):
        if "\u4e00" <= ch <= "\u9fff" and i not in inside_override:
            assert i in covered, (text, i, ch)


@pytest.fixture(scope="module")
def pipeline_for_tests(fe):
    """A pipeline without model weights: only its text half is used here."""
    from tts.models.vocabulary import SymbolTable
    from tts.pipeline import Pipeline

    return Pipeline(fe, SymbolTable.from_symbols(SYMBOLS))


# ---- the pipeline: plans, per-span controls, corrected readings, re-splitting


def test_plan_keeps_offsets_through_the_first_chunk_cut(pipeline_for_tests):
    text = "  人工智能正在改变我们的生活方式，今天天气很好。"
    plan = pipeline_for_tests.plan(pipeline_for_tests.document(text), 60, 8)
    assert len(plan) == 2 and len(plan[0].segment.text) <= 8
    joined = "".join(text[p.source[0]:p.source[1]] for p in plan)
    assert joined.replace("，", ",") == text.strip().replace("，", ",")


def test_spans_carry_their_controls_and_offsets(pipeline_for_tests):
    source = "前面。<慢>中间</慢>。后面"
    spans = (Span("前面。", SourceMap.identity(3)),
             Span("中间", SourceMap.identity(2, 6), Controls(speed=0.5), pause_after=0.3),
             Span("。后面", SourceMap.identity(3, 12)))
    plan = pipeline_for_tests.plan(Document(source, spans), 60)
    middle = [p for p in plan if Controls(speed=0.5) in p.controls]
    assert len(middle) == 1 and source[slice(*middle[0].source)] == "中间"
    assert middle[0].break_s == 0.3 and all(p.break_s is None for p in plan if p is not middle[0])
    prepared = pipeline_for_tests.prepare_segment(middle[0])
    assert [source[s:e] for s, e in prepared.syllable_sources] == ["中", "间"]
    assert prepared.syllable_controls == (Controls(speed=0.5),) * 2
    assert source[slice(*plan[-1].source)] == "后面"


def test_spans_inside_one_sentence_stay_one_utterance_with_their_own_controls(pipeline_for_tests):
    source = "我们<慢>慢慢地</慢>走回家。"
    spans = (Span("我们", SourceMap.identity(2)), Span("慢慢地", SourceMap.identity(3, 5), Controls(speed=0.5)),
             Span("走回家。", SourceMap.identity(4, 13)))
    [planned] = pipeline_for_tests.plan(Document(source, spans), 60)
    prepared = pipeline_for_tests.prepare_segment(planned)
    slow = [source[s:e] for (s, e), c in zip(prepared.syllable_sources, prepared.syllable_controls) if c.speed]
    assert slow == ["慢", "慢", "地"]
    assert planned.break_s is None and planned.segment.pause_after == 0.0


def test_corrected_readings_are_distributed_or_refused_before_any_audio(pipeline_for_tests):
    doc = pipeline_for_tests.document("重新开始。银行行长", "chong2 xin1 kai1 shi3 yin2 hang2 hang2 zhang3")
    plan = pipeline_for_tests.plan(doc, 60)
    assert [p.readings for p in plan] == [("chong2", "xin1", "kai1", "shi3"), ("yin2", "hang2", "hang2", "zhang3")]
    assert pipeline_for_tests.prepare_segment(plan[0]).utterance.syllables[0] == "chong2"
    with pytest.raises(RequestError) as err:
        pipeline_for_tests.plan(pipeline_for_tests.document("重新开始。", "chong2 xin1"), 60)
    assert err.value.field == "pinyin" and "2 syllables" in str(err.value)


def test_resplit_keeps_offsets_and_readings(pipeline_for_tests):
    text = "今天天气很好，我们一起去公园散步吧，然后去图书馆看书"
    doc = pipeline_for_tests.document(text, " ".join(pipeline_for_tests.frontend.pinyin(text)))
    [planned] = pipeline_for_tests.plan(doc, 60)
    pieces = pipeline_for_tests.resplit(pipeline_for_tests.prepare_segment(planned))
    assert len(pieces) >= 2
    assert [s for p in pieces for s in p.utterance.syllables] == pipeline_for_tests.frontend.pinyin(text)
    spans = [text[s:e] for p in pieces for s, e in p.syllable_sources]
    assert "".join(spans) == text.replace("，", "")
