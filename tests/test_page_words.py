"""What the page says, checked without a browser (issue 29): messages shown as text, SSML
errors in both languages, the listener's words, the jobs' time left. The browser tests check
the same on the page itself."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest

from tts.options import RequestError
from tts.web.ui_jobs import eta_words
from tts.web.ui_status import as_text, error_message, listening_words


def test_a_message_is_text_not_html_or_markdown():
    shown = as_text("element <b>x</b> is *bold* and _this_ [a](b)")
    assert "<" not in shown and ">" not in shown
    assert "\\*bold\\*" in shown and "\\_this\\_" in shown and "\\[a\\]" in shown


def test_an_ssml_error_says_where_and_which_tag_in_both_languages_with_the_pages_hint():
    exc = RequestError("SSML: element <foo> is not supported (supported: speak, voice); send ssml_strict=false to "
                       "speak its text anyway (line 3, column 12)", "text")
    line = error_message(exc)
    assert line.startswith("出错 Failed: SSML 标记有误（第 3 行第 12 列，标签 &lt;foo&gt;）")
    assert "SSML error at line 3, column 12 in &lt;foo&gt;: element &lt;foo&gt; is not supported" in line
    assert "ssml_strict" not in line and "SSML 示例" in line and "SSML examples" in line


@pytest.mark.parametrize("rtf,cached,clip,expected", [
    (1 / 1.05, False, 0.0, "made ×1.05 as fast as it plays: the stream plays without pauses"),
    (0.05, False, 0.0, "made ×20 as fast as it plays"),
    (1.5, False, 0.0, "made at ×0.67 of playing speed: the stream pauses to catch up"),
    (0.1, True, 0.0, "from the cache: it plays at once"),
    (0.2, False, 3.2, "the clip's analysis took 3.2 s before the first sound"),
])
def test_the_listener_is_told_what_they_will_meet(rtf, cached, clip, expected):
    words = listening_words(rtf, cached, clip)
    assert expected in words, words
    assert "倍" not in words  # "快 1 倍" reads as twice as fast


def job(total: int, done: int, attempt_done: int = 0):
    return SimpleNamespace(total_chars=total, done_chars=done, attempt_done_chars=attempt_done)


def test_the_time_left_waits_for_a_measured_pace_and_says_seconds_near_the_end():
    assert "estimating" in eta_words(job(1000, 50), 600.0)  # 5 %: the first segment's wait is in it
    assert "estimating" in eta_words(job(1000, 0), None)
    assert "estimating" in eta_words(job(1000, 540, attempt_done=500), 60.0)  # a resumed run measures anew
    assert eta_words(job(1000, 700), 25.0).endswith("about 25 s left")  # not "about 0 min"
    assert re.search(r"about 8 min left$", eta_words(job(1000, 200), 480.0))


def test_the_parsers_own_ssml_error_is_matched_and_its_api_hint_replaced(fe):
    """The page words what tts.ssml says today (the request builder's "SSML: … (line, column)"),
    not a copy of it: the page is strict, so the API's ssml_strict hint must not show."""
    from tts.pipeline import Pipeline

    with pytest.raises(RequestError) as caught:
        Pipeline(fe, None).document("<speak>你好\n  <foo>世界</foo></speak>", ssml_strict=True)
    line = error_message(caught.value)
    assert line.startswith("出错 Failed: SSML 标记有误（第 2 行第 3 列，标签 &lt;foo&gt;）")
    assert "SSML error at line 2, column 3 in &lt;foo&gt;: element &lt;foo&gt; is not supported" in line
    assert "ssml_strict" not in line and "SSML examples" in line


def test_the_markup_line_says_what_each_span_set_and_what_was_left_out(fe):
    """From the plan the facade makes: spans with their own settings quoted with them, text the
    markup leaves alone not quoted, all as the caller wrote it (the fullwidth comma, not the alias),
    and left-out markup (X-SSML-Ignored) named as written."""
    from tts.pipeline import Pipeline
    from tts.synthesis_run import Plan
    from tts.web.ui_status import markup_lines

    pipeline = Pipeline(fe, None)
    text = ('<speak>今天<prosody rate="slow" pitch="+2st">慢慢地，说<sub alias="世界卫生组织">WHO</sub></prosody>，'
            '<audio src="ding.wav">叮</audio>好了。</speak>')
    document = pipeline.document(text, ssml_strict=True)
    plan = Plan(pipeline.plan(document, 100), document.notes, document.marks, document.ignored)
    lines = markup_lines(plan, text)
    assert len(lines) == 2
    assert lines[0].startswith("SSML 标记设置 Markup set: "
                               "「慢慢地，说WHO」语速 speed **×0.65** · 音高 pitch **+2.0 半音 st**")
    assert "今天" not in lines[0] and "好了" not in lines[0]
    assert lines[1] == "未使用的 SSML 标记 · Markup left out: &lt;audio src&gt;"
    plain = pipeline.document("今天天气很好。")
    assert markup_lines(Plan(pipeline.plan(plain, 100), (), (), ()), "今天天气很好。") == []
