"""The Gradio Blocks UI: layout and wiring only; what the buttons do lives in ui_handlers."""

from __future__ import annotations

import functools
import os

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home: the service runs offline

import gradio as gr  # noqa: E402

from tts.web import ui_handlers as h  # noqa: E402


def build_ui(synthesizer, jobs) -> gr.Blocks:
    """The Blocks UI over one Synthesizer and its JobService: Synthesize, Batch / audiobook
    (the jobs view) and System tabs."""
    from tts.expressive.presets import EMOTIONS, VOICES

    synth = synthesizer
    out_dir = h.new_output_dir()
    limit = synth.profile.text.max_request_chars
    voices = [(v.label, v.name) for v in VOICES.values()]
    emotions = [(getattr(e, "label", name), name) for name, e in EMOTIONS.items()]
    qualities = [(label, q) for label, q in h.QUALITY_CHOICES if q in synth.available_qualities()]
    default_quality = "high" if synth.profile.vocoder.default == "hifigan" and len(qualities) > 1 else "fast"

    def guarded(fn):
        @functools.wraps(fn)
        def wrapper(*args, **kwargs):
            try:
                result = fn(*args, **kwargs)
                if hasattr(result, "__next__"):
                    yield from result
                else:
                    yield result
            except Exception as exc:  # noqa: BLE001 - every failure becomes a readable message
                raise gr.Error(h.friendly(exc)) from None
        return wrapper

    with gr.Blocks(title="中文语音合成 · Mandarin TTS", analytics_enabled=False) as demo:
        gr.Markdown("# 中文语音合成 · Offline Mandarin text-to-speech\n"
                    "FastSpeech2 + MB-MelGAN / HiFi-GAN, 流式播放 streamed as it is synthesized.")
        with gr.Tabs():
            with gr.Tab("合成 Synthesize"):
                with gr.Row():
                    with gr.Column(scale=3):
                        text = gr.Textbox(label="文本 Text", lines=6, elem_id="tts-text",
                                          placeholder="输入中文，例如：今天天气很好，我们一起去公园散步吧。")
                        count = gr.Markdown(h.char_count("", limit), elem_id="char-count")
                        with gr.Row():
                            ssml = gr.Checkbox(False, label="SSML 标记 markup (阿里云 / Azure)", elem_id="tts-ssml",
                                               info="以 <speak> 开头的文本总按 SSML 读 · text starting with <speak> "
                                                    "is always read as SSML")
                        with gr.Accordion("SSML 示例 Examples", open=False, elem_id="ssml-examples"):
                            gr.Examples(SSML_EXAMPLES, inputs=[text, ssml], label="点击填入 Click to fill in")
                        with gr.Row():
                            voice = gr.Dropdown(voices, value="baker", label="音色 Voice")
                            emotion = gr.Dropdown(emotions, value="neutral", label="情感 Emotion")
                            intensity = _slider("emotion_intensity")
                        instructions = gr.Textbox(label="风格描述 Style instructions",
                                                  placeholder="例如：语速很慢，声音低沉温柔 / e.g. excited, fast")
                        with gr.Row():
                            speed = _slider("speed")
                            pitch = _slider("pitch")
                            energy = _slider("energy")
                        quality = gr.Radio(qualities, value=default_quality, label="音质 Quality")
                        with gr.Accordion("参考音频 Reference audio (韵律 prosody only)", open=False):
                            reference = gr.Audio(sources=["upload", "microphone"], type="filepath",
                                                 label="3-30 秒 seconds")
                            gr.Markdown(_transfer_note())
                        with gr.Accordion("拼音预览与校正 Pinyin preview & correction", open=False):
                            pinyin = gr.Textbox(label="拼音 Pinyin (每段一行 one line per segment; 可编辑 editable)",
                                                lines=3, elem_id="pinyin")
                            with gr.Row():
                                preview = gr.Button("预览拼音 Preview pinyin")
                                use_pinyin = gr.Checkbox(False, label="使用校正后的拼音 Use corrected pinyin")
                        go = gr.Button("合成 Synthesize", variant="primary", elem_id="synthesize")
                    with gr.Column(scale=2):
                        # No download button on the streaming player (Gradio's needs ffprobe, which the
                        # ffmpeg wheel lacks): the whole WAV is offered just below.
                        audio = gr.Audio(label="播放 Playback (streaming)", streaming=True, autoplay=True,
                                         interactive=False, elem_id="tts-audio", buttons=[])
                        wav = gr.File(label="下载 Download WAV", elem_id="tts-download")
                        status = gr.Markdown(elem_id="tts-status")
                        timed = gr.HTML(elem_id="tts-karaoke", label="朗读进度 What is being read")
                        subtitle_files = gr.File(label="字幕 Subtitles (SRT / WebVTT)", elem_id="tts-subtitles",
                                                 file_count="multiple")
            with gr.Tab("批量 / 有声书 Batch / audiobook", elem_id="jobs-tab"):
                gr.Markdown("长文本和整本书作为后台任务合成：关闭页面、刷新或重启服务都不会丢失进度。"
                            " · Long texts and whole books run as background jobs: closing the page, reloading it "
                            "or restarting the server loses nothing. Chapters: `第X章` / `Chapter N` headings, or an "
                            "EPUB's table of contents.")
                with gr.Row():
                    with gr.Column(scale=3):
                        job_text = gr.Textbox(label="文本 Text", lines=8, elem_id="job-text",
                                              placeholder="第一章 ……\n正文……\n第二章 ……")
                        job_file = gr.File(label="或上传 .txt / .epub · Or upload a .txt / .epub",
                                           file_types=[".txt", ".epub"], type="filepath", elem_id="job-file")
                        with gr.Row():
                            job_voice = gr.Dropdown(voices, value="baker", label="音色 Voice", elem_id="job-voice")
                            job_emotion = gr.Dropdown(emotions, value="neutral", label="情感 Emotion")
                            job_speed = _slider("speed")
                        with gr.Row():
                            job_quality = gr.Radio(qualities, value=default_quality, label="音质 Quality")
                            job_format = gr.Dropdown([("MP3", "mp3"), ("M4B (有声书章节 audiobook chapters)", "m4b"),
                                                      ("WAV", "wav"), ("FLAC", "flac"), ("Opus", "opus")],
                                                     value="mp3", label="格式 Format", elem_id="job-format")
                        job_go = gr.Button("提交任务 Submit job", variant="primary", elem_id="job-submit")
                        job_note = gr.Markdown(elem_id="job-note")
                    with gr.Column(scale=2):
                        jobs_view = gr.HTML('<div class="job-empty">还没有任务 · No jobs yet.</div>',
                                            elem_id="jobs-view")
                        with gr.Row():
                            job_pick = gr.Dropdown([], label="任务 Job", elem_id="job-pick")
                            job_cancel = gr.Button("取消并删除 Cancel & delete", elem_id="job-cancel")
                # The browser keeps its job ids (localStorage, encrypted with a key kept in the
                # state directory, so a server restart can still read them).
                job_ids = gr.BrowserState([], storage_key="zh-tts-jobs", secret=jobs.ui_secret())
                poll = gr.Timer(2.0)
            with gr.Tab("系统 System"):
                system = gr.Markdown(h.system_markdown(synth))
                gr.Button("刷新 Refresh").click(lambda: h.system_markdown(synth), None, system, queue=False,
                                               api_name="system_info")

        text.change(lambda t: h.char_count(t, limit), text, count, queue=False, show_progress="hidden",
                    api_name="char_count")
        preview.click(guarded(lambda t: h.preview_pinyin(synth, t)), text, pinyin, api_name="preview_pinyin")
        instructions.submit(guarded(lambda i: _instruction_summary(i)), instructions, status,
                            api_name="parse_instructions")
        form = [text, voice, emotion, intensity, instructions, reference, speed, pitch, energy, quality, pinyin,
                use_pinyin, ssml]

        def synthesize(text, voice, emotion, intensity, instructions, reference, speed, pitch, energy, quality,
                       pinyin, use_pinyin, ssml=False, request: gr.Request = None):
            _drop_finished_streams(demo, request)
            yield from h.synthesize_stream(synth, out_dir, text, voice, emotion, intensity, instructions, reference,
                                           speed, pitch, energy, quality, pinyin, use_pinyin, ssml=bool(ssml))

        go.click(guarded(synthesize), form, [audio, wav, status, timed, subtitle_files], api_name="synthesize")

        def show_jobs(ids, request: gr.Request):
            view, choices = h.jobs_html(jobs, h.ui_owner(request), ids)
            return view, gr.update(choices=choices)

        def submit_job(text, upload, voice, emotion, speed, quality, fmt, ids, request: gr.Request):
            ids, note = h.submit_job(jobs, h.ui_owner(request), text, upload, voice, emotion, speed, quality, fmt, ids)
            view, choices = h.jobs_html(jobs, h.ui_owner(request), ids)
            return ids, note, view, gr.update(choices=choices, value=ids[0])

        def cancel_job(job_id, ids, request: gr.Request):
            ids = h.cancel_job(jobs, h.ui_owner(request), job_id, ids)
            view, choices = h.jobs_html(jobs, h.ui_owner(request), ids)
            return ids, view, gr.update(choices=choices, value=None)

        job_go.click(guarded(submit_job), [job_text, job_file, job_voice, job_emotion, job_speed, job_quality,
                                           job_format, job_ids], [job_ids, job_note, jobs_view, job_pick],
                     api_name="submit_job")
        job_cancel.click(guarded(cancel_job), [job_pick, job_ids], [job_ids, jobs_view, job_pick],
                         api_name="cancel_job")
        # The list is redrawn from the server's job store: on every page load (a reload, a
        # server restart) and every two seconds, so progress simply carries on.
        demo.load(show_jobs, [job_ids], [jobs_view, job_pick], queue=False, show_progress="hidden",
                  api_name="jobs")
        poll.tick(show_jobs, [job_ids], [jobs_view, job_pick], queue=False, show_progress="hidden",
                  api_name=False)
    demo.queue(default_concurrency_limit=synth.profile.serving.concurrency,
               max_size=synth.profile.serving.queue_size)
    demo.tts_output_dir = out_dir
    return demo


# What the SSML examples fill in: one of each dialect (docs/ssml.md has the reference).
SSML_EXAMPLES = [
    ['<speak>欢迎收听<break time="500ms"/>今天的新闻。我们来到<phoneme alphabet="py" ph="chong2 qing4">重庆</phoneme>，'
     '<say-as interpret-as="telephone">13812345678</say-as>是热线电话。'
     '<emotion category="happy" intensity="1.2">祝大家周末愉快！</emotion></speak>', True],
    ['<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xmlns:mstts="https://www.w3.org/2001/mstts" '
     'xml:lang="zh-CN"><voice name="baker-low"><prosody rate="-20%" pitch="-2st">晚上好，</prosody>'
     '<mstts:express-as style="gentle" styledegree="1.5">欢迎回家。</mstts:express-as></voice>'
     '<s><sub alias="世界卫生组织">WHO</sub>发布了新的报告</s></speak>', True],
]
# Highlights the character being heard: the streaming player's time against each character's span.
PAGE_JS = """
() => {
  setInterval(() => {
    const audio = document.querySelector('#tts-audio audio');
    const box = document.querySelector('#tts-karaoke');
    if (!audio || !box) return;
    const t = audio.currentTime;
    for (const el of box.querySelectorAll('span[data-s]')) {
      el.classList.toggle('tts-now', t >= +el.dataset.s && t < +el.dataset.e);
      el.classList.toggle('tts-said', t >= +el.dataset.e);
    }
  }, 80);
}
"""
PAGE_CSS = """
#tts-karaoke .tts-timed { font-size: 1.2em; line-height: 1.8; }
#tts-karaoke .tts-said { color: var(--body-text-color-subdued); }
#tts-karaoke .tts-now { background: var(--color-accent-soft); border-radius: 3px; }
"""


def _slider(name: str) -> gr.Slider:
    """A slider over an option's whole accepted range (the one LIMITS table)."""
    from tts.options import LIMITS

    limit = LIMITS[name]
    return gr.Slider(limit.lo, limit.hi, value=limit.default, step=limit.step, label=limit.label, info=limit.help)


def _drop_finished_streams(demo: gr.Blocks, request: gr.Request | None) -> None:
    """Forget a session's finished audio streams when it starts a new one.

    Gradio keeps every streamed output's encoded segments for the whole session; a user (or an
    API client) who synthesizes again and again in one session would grow the server's memory
    without bound. Finished streams are not needed again: the page plays the newest one and the
    whole result is offered as a WAV file.
    """
    streams = getattr(demo, "pending_streams", {}).get(getattr(request, "session_hash", None))
    if not streams:
        return
    for run, outputs in list(streams.items()):
        if all(getattr(stream, "ended", False) for stream in outputs.values()):
            streams.pop(run, None)


def _transfer_note() -> str:
    try:
        from tts.expressive.reference import TRANSFER_NOTE
    except ImportError:
        return "只迁移韵律（音高、能量、语速、停顿），不迁移音色 · Transfers prosody, not timbre."
    return TRANSFER_NOTE


def _instruction_summary(text: str) -> str:
    from tts.expressive.instructions import parse_instructions

    return parse_instructions(text).summary
