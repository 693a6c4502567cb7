"""The Gradio Blocks page: layout and wiring only; what the buttons do lives in ui_handlers
(synthesis), ui_jobs (the Batch / audiobook tab) and ui_status (what the status line says).

Layout: the text, then 合成 / Stop right under it; the result (player, status, the text timed
for highlighting, downloads) beside them on a desktop and right after them on a phone; the
controls below. No handler raises into Gradio (a toast fades and leaves bare "Error" badges):
errors are status lines that stay until the next run, which clears the previous result first.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home: the service runs offline

import gradio as gr  # noqa: E402

from tts.web import ui_handlers as h  # noqa: E402
from tts.web import ui_jobs  # noqa: E402

if TYPE_CHECKING:
    from tts.jobs.service import JobService
    from tts.speech_service import SpeechService

RUNNING = "排队或合成中… Waiting for a slot or synthesizing…"
STOPPED = "已停止 · Stopped."
SAMPLE_TEXT = "欢迎使用离线中文语音合成。今天天气很好，我们一起去公园散步吧。"
FORMATS = [("MP3", "mp3"), ("M4B (有声书章节 audiobook chapters)", "m4b"), ("WAV", "wav"), ("FLAC", "flac"),
           ("Opus", "opus")]


def build_ui(synthesizer: SpeechService, jobs: JobService | None = None, out_dir: Path | None = None) -> gr.Blocks:
    """The page over one Synthesizer and its JobService: Synthesize, Batch / audiobook (the
    jobs view) and System tabs. Its audio files go to `out_dir` (default: a new temporary one)."""
    synth = synthesizer
    out_dir = out_dir or h.new_output_dir()
    with gr.Blocks(title="中文语音合成 · Mandarin TTS", analytics_enabled=False) as demo:
        gr.Markdown("## 中文语音合成 · Offline Mandarin text-to-speech", elem_id="page-title")
        with gr.Tabs(elem_id="tabs"):
            with gr.Tab("合成 Speak", elem_id="synth-tab"):
                speak = _speak_tab(synth)
            with gr.Tab("批量 Batch", elem_id="jobs-tab"):
                batch = _batch_tab(synth, jobs)
            with gr.Tab("系统 System", elem_id="system-tab") as system_tab:
                system = gr.Markdown(h.system_markdown(synth), elem_id="system-info")
                refresh = gr.Button("刷新 Refresh")
        _wire_speak(demo, synth, out_dir, speak)
        # ---- System: current figures whenever the tab is opened ----
        system_tab.select(lambda: h.system_markdown(synth), None, system, queue=False, show_progress="hidden",
                          api_visibility="private")
        refresh.click(lambda: h.system_markdown(synth), None, system, queue=False, api_name="system_info")
        if jobs is not None and batch is not None:
            _wire_batch(demo, jobs, batch)
    demo.queue(default_concurrency_limit=synth.profile.serving.concurrency,
               max_size=synth.profile.serving.queue_size)
    return demo


@dataclass
class _SpeakTab:
    """The Speak tab's components that its events read or write."""

    text: gr.Textbox
    count: gr.Markdown
    ssml: gr.Checkbox
    go: gr.Button
    stop: gr.Button
    audio: gr.Audio
    status: gr.Markdown
    timed: gr.HTML
    wav: gr.File
    subtitle_files: gr.File
    controls: list[Any]  # _controls' order
    examples: list[tuple[gr.Button, str]]  # each SSML example's button and the markup it fills in
    pinyin: gr.Textbox
    preview: gr.Button


def _speak_tab(synth: SpeechService) -> _SpeakTab:
    """The Speak tab's layout: text and run buttons beside the result, then the controls, the
    SSML examples and reference, and the pinyin preview."""
    limit = synth.profile.text.max_request_chars
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            # A sample to start from: an empty box made the first 合成 an error.
            text = gr.Textbox(SAMPLE_TEXT, label="文本 Text", lines=5, max_lines=12, elem_id="tts-text",
                              placeholder="输入中文，例如：今天天气很好，我们一起去公园散步吧。")
            with gr.Row(elem_id="text-tools"):
                count = gr.Markdown(h.char_count(SAMPLE_TEXT, limit), elem_id="char-count")
                ssml = gr.Checkbox(False, label="SSML 标记 markup", elem_id="tts-ssml", min_width=120)
            with gr.Row(elem_id="run-row"):
                go = gr.Button("合成 Synthesize", variant="primary", elem_id="synthesize", scale=2, min_width=0)
                stop = gr.Button("停止 Stop", variant="stop", elem_id="stop", interactive=False, scale=1, min_width=0)
        with gr.Column(scale=2, min_width=300, elem_id="result"):
            # No download button on the streaming player (Gradio's needs ffprobe, which the
            # ffmpeg wheel lacks): the whole WAV is offered just below.
            audio = gr.Audio(label="播放 Playback (streaming)", streaming=True, autoplay=True,
                             interactive=False, elem_id="tts-audio", buttons=[])
            # Filled by the page's script: when sound began, as the browser heard it.
            gr.HTML('<span class="tts-heard"></span>', elem_id="tts-heard")
            status = gr.Markdown("", elem_id="tts-status")
            timed = gr.HTML(elem_id="tts-karaoke")
            with gr.Column():
                wav = gr.File(label="下载 Download WAV", elem_id="tts-download")
                subtitle_files = gr.File(label="字幕 Subtitles (SRT / WebVTT)", elem_id="tts-subtitles",
                                         file_count="multiple")
    controls = _controls(synth, "tts")
    examples = _ssml_help()
    with gr.Accordion("拼音预览与校正 Pinyin preview & correction", open=False, elem_id="pinyin-box"):
        pinyin = gr.Textbox(label="拼音 Pinyin：可修改，合成时使用；改动文本会清空 · editable, used when "
                                  "synthesizing; cleared when the text changes", lines=3, elem_id="pinyin")
        preview = gr.Button("预览拼音 Preview pinyin", elem_id="preview-pinyin")
    return _SpeakTab(text, count, ssml, go, stop, audio, status, timed, wav, subtitle_files, controls, examples,
                     pinyin, preview)


def _ssml_help() -> list[tuple[gr.Button, str]]:
    """The SSML examples (a labelled button beside each, returned with the markup it fills in)
    and the SSML reference (docs/ssml.md, closed until opened or linked to)."""
    examples = []
    with gr.Accordion("SSML 示例 Examples", open=False, elem_id="ssml-examples"):
        gr.Markdown("以 `<speak>` 开头的文本总按 SSML 读（阿里云 / Azure 写法）· Text starting with "
                    "`<speak>` is always read as SSML (Alibaba or Azure dialect); "
                    "[SSML 参考 reference (docs/ssml.md)](#ssml-reference) has the rest. "
                    "点击示例即填入上面的文本框 · Click an example to put it in the text box above.")
        for n, (label, example) in enumerate(SSML_EXAMPLES):
            with gr.Row(equal_height=True):
                button = gr.Button(label, elem_id=f"ssml-example-{n}", scale=0, min_width=200, size="sm")
                gr.Markdown(f"`{example}`", elem_classes="ssml-example-text")
            examples.append((button, example))
    with gr.Accordion("SSML 参考 Reference (docs/ssml.md)", open=False, elem_id="ssml-reference"):
        gr.Markdown(_ssml_reference())
    return examples


def _wire_speak(demo: gr.Blocks, synth: SpeechService, out_dir: Path, tab: _SpeakTab) -> None:
    """The Speak tab's events: character count, pinyin preview, synthesize (streamed), stop, and
    the SSML examples."""
    limit = synth.profile.text.max_request_chars
    # Changing the text clears corrected pinyin: it belonged to the old text.
    tab.text.change(lambda t: (h.char_count(t, limit), ""), tab.text, [tab.count, tab.pinyin], queue=False,
                    show_progress="hidden", api_name="char_count")
    tab.preview.click(lambda t: h.preview_pinyin(synth, t), tab.text, [tab.pinyin, tab.status],
                      api_name="preview_pinyin")
    form = [tab.text, *tab.controls, tab.pinyin, tab.ssml]
    results = [tab.audio, tab.wav, tab.status, tab.timed, tab.subtitle_files]
    go, stop = tab.go, tab.stop

    def synthesize(text, voice, emotion, intensity, instructions, reference, speed, pitch, energy, quality,
                   pinyin, ssml=False, request: gr.Request | None = None):
        _drop_finished_streams(demo, request)
        streamed = False
        for audio_chunk, *rest in h.synthesize_stream(synth, out_dir, text, voice, emotion, intensity,
                                                      instructions, reference, speed, pitch, energy, quality,
                                                      pinyin, ssml=bool(ssml)):
            # A run that fails before any audio leaves the player alone: a stream that ends
            # without a segment is an empty HLS playlist, a fatal error in the page's player.
            streamed = streamed or audio_chunk is not None
            yield (audio_chunk if streamed else gr.skip(), *rest)

    def start():  # the previous result goes before the new run starts; one run at a time
        return (gr.update(interactive=False), gr.update(interactive=True), None, None, RUNNING, "", None)

    def finish():
        return gr.update(interactive=True), gr.update(interactive=False)

    run = go.click(start, None, [go, stop, *results], queue=False, show_progress="hidden", api_visibility="private")
    running = run.then(synthesize, form, results, api_name="synthesize", show_progress="hidden")
    running.then(finish, None, [go, stop], queue=False, show_progress="hidden", api_visibility="private")
    # Cancel first, then say so: a status written with the cancel itself could be overwritten
    # by the stopped run's last update still on its way.
    # The player is emptied too: what it had buffered is not the result (the page's script
    # has already paused it; see PAGE_JS).
    stop.click(None, None, None, cancels=[running], queue=False, api_visibility="private").then(
        lambda: (*finish(), STOPPED, None), None, [go, stop, tab.status, tab.audio], queue=False,
        show_progress="hidden", api_visibility="private")
    # An example fills the text box (the SSML switch on) and brings it into view, focused:
    # the box is far above the examples, so a fill without a scroll looks like nothing happened.
    for button, example in tab.examples:
        button.click(lambda example=example: (example, True), None, [tab.text, tab.ssml], queue=False,
                     show_progress="hidden", api_visibility="private").then(
            None, None, None, js=SHOW_TEXT_JS, queue=False, show_progress="hidden", api_visibility="private")


@dataclass
class _BatchTab:
    """The Batch tab's components that its events read or write."""

    text: gr.Textbox
    upload: gr.File
    title: gr.Textbox
    format: gr.Dropdown
    go: gr.Button
    note: gr.Markdown
    view: gr.HTML
    pick: gr.Dropdown
    cancel: gr.Button
    confirmed: gr.Checkbox  # set by the page's confirm step (CONFIRM_DELETE_JS); never shown
    controls: list[Any]  # _controls' order
    ids: gr.BrowserState
    poll: gr.Timer
    shown: gr.State  # the list and choices the page has now (polls skip the same)


def _batch_tab(synth: SpeechService, jobs: JobService | None) -> _BatchTab | None:
    """The Batch tab's layout (None without a job service: build_ui alone, in tests)."""
    if jobs is None:  # create_app always passes the job service
        gr.Markdown("任务不可用 · Jobs are not available in this page.")
        return None
    gr.Markdown("长文本和整本书作为后台任务合成：关闭页面、刷新或重启服务都不会丢失进度。"
                " · Long texts and whole books run as background jobs: closing the page, reloading it "
                "or restarting the server loses nothing. Chapters: `第X章` / `Chapter N` headings, or an "
                "EPUB's table of contents. 本页的设置只用于任务 · This tab's settings apply to jobs only.")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3, min_width=300):
            text = gr.Textbox(label="文本 Text（或上传文件 or upload a file）", lines=6,
                              elem_id="job-text", placeholder="第一章 ……\n正文……\n第二章 ……")
            upload = gr.File(label=".txt（UTF-8 / UTF-16 / GB18030）或 .epub · or an .epub",
                             file_types=[".txt", ".epub"], type="filepath", elem_id="job-file")
            title = gr.Textbox(label="书名 Title（可选，用作整本下载的文件名 optional: names the "
                                     "whole book's download）", elem_id="job-title", max_lines=1)
            fmt = gr.Dropdown(FORMATS, value="mp3", label="格式 Format", elem_id="job-format")
            go = gr.Button("提交任务 Submit job", variant="primary", elem_id="job-submit")
            note = gr.Markdown(elem_id="job-note")
        with gr.Column(scale=2, min_width=300):
            view = gr.HTML(ui_jobs.EMPTY, elem_id="jobs-view")
            with gr.Row():
                pick = gr.Dropdown([], label="任务 Job", elem_id="job-pick")
                cancel = gr.Button("取消并删除 Cancel & delete", elem_id="job-cancel")
                confirmed = gr.Checkbox(True, visible=False, elem_id="job-confirmed")
    controls = _controls(synth, "job")
    # The browser keeps its job ids (localStorage, encrypted with a key kept in the
    # state directory, so a server restart can still read them).
    ids = gr.BrowserState([], storage_key="zh-tts-jobs", secret=jobs.ui_secret())
    return _BatchTab(text, upload, title, fmt, go, note, view, pick, cancel, confirmed, controls, ids,
                     gr.Timer(2.0), gr.State(None))


def _wire_batch(demo: gr.Blocks, jobs: JobService, tab: _BatchTab) -> None:
    """The Batch tab's events: submit and cancel (the job list redrawn after each), then the
    list kept current (_wire_job_list)."""
    def submit_job(ids, text, upload, title, fmt, voice, emotion, intensity, instructions, reference, speed,
                   pitch, energy, quality, request: gr.Request):
        owner = ui_jobs.ui_owner(request)
        ids, note = ui_jobs.submit_job(jobs, owner, ids, text, upload, fmt, voice, emotion, intensity,
                                       instructions, reference, speed, pitch, energy, quality, title)
        view, choices = ui_jobs.jobs_html(jobs, owner, ids)
        return ids, note, view, gr.update(choices=choices, value=ids[0] if ids else None)

    def cancel_job(job_id, ids, confirmed=True, request: gr.Request | None = None):
        if not confirmed:  # a finished job the user chose to keep (CONFIRM_DELETE_JS)
            return gr.skip(), ui_jobs.NOT_DELETED, gr.skip(), gr.skip()
        owner = ui_jobs.ui_owner(request)
        ids, note = ui_jobs.cancel_job(jobs, owner, job_id, ids)
        view, choices = ui_jobs.jobs_html(jobs, owner, ids)
        return ids, note, view, gr.update(choices=choices, value=None)

    listed = [tab.view, tab.pick]
    # After a submit the note and the job list are brought into view: below a long paste
    # (or below the form, on a phone) they are out of sight.
    tab.go.click(submit_job, [tab.ids, tab.text, tab.upload, tab.title, tab.format, *tab.controls],
                 [tab.ids, tab.note, *listed], api_name="submit_job").then(
        None, None, None, js=SHOW_JOBS_JS, queue=False, show_progress="hidden", api_visibility="private")
    # A finished job is deleted only when the user confirms it (its audio goes with it).
    tab.cancel.click(cancel_job, [tab.pick, tab.ids, tab.confirmed], [tab.ids, tab.note, *listed],
                     api_name="cancel_job", js=CONFIRM_DELETE_JS)
    _wire_job_list(demo, jobs, tab)


def _wire_job_list(demo: gr.Blocks, jobs: JobService, tab: _BatchTab) -> None:
    """The job list redrawn from the server's job store: on every page load (a reload, a server
    restart) and every two seconds, so progress simply carries on."""
    def show_jobs(ids, request: gr.Request):
        view, choices = ui_jobs.jobs_html(jobs, ui_jobs.ui_owner(request), ids)
        return view, gr.update(choices=choices)

    def poll_jobs(ids, shown, request: gr.Request):
        """The list again, if it changed: redrawing the same list every tick closed the job
        dropdown while it was open (and re-rendered the players)."""
        view, choices = ui_jobs.jobs_html(jobs, ui_jobs.ui_owner(request), ids)
        now = [view, repr(choices)]  # a string: the state's copy of tuples need not stay tuples
        old = shown or [None, None]
        return (gr.skip() if now[0] == old[0] else view,
                gr.skip() if now[1] == old[1] else gr.update(choices=choices), now)

    listed = [tab.view, tab.pick]
    demo.load(show_jobs, [tab.ids], listed, queue=False, show_progress="hidden", api_name="jobs")
    tab.poll.tick(poll_jobs, [tab.ids, tab.shown], [*listed, tab.shown], queue=False, show_progress="hidden",
                  api_visibility="private")


def _controls(synth, prefix: str) -> list:
    """One set of "how to say it" controls (a tab's own): voice, emotion, intensity,
    instructions, reference clip, speed, pitch, energy, quality, in the handlers' order."""
    from tts.expressive.presets import EMOTIONS, VOICES

    voices = [(v.label, v.name) for v in VOICES.values()]
    emotions = [(getattr(e, "label", name), name) for name, e in EMOTIONS.items()]
    qualities = h.quality_choices(synth)
    default = "high" if synth.profile.vocoder.default == "hifigan" and len(qualities) > 1 else "fast"
    with gr.Group(elem_id=f"{prefix}-controls"):
        with gr.Row():
            voice = gr.Dropdown(voices, value="baker", label="音色 Voice", elem_id=f"{prefix}-voice", min_width=160)
            emotion = gr.Dropdown(emotions, value="neutral", label="情感 Emotion", elem_id=f"{prefix}-emotion",
                                  min_width=160)
            intensity = _slider("emotion_intensity", f"{prefix}-intensity")
        instructions = gr.Textbox(label="风格描述 Style instructions（你移动过的控件优先 the controls you moved win）",
                                  placeholder="例如：语速很慢，声音低沉温柔 / e.g. excited, fast",
                                  elem_id=f"{prefix}-instructions")
        with gr.Row():
            speed = _slider("speed", f"{prefix}-speed")
            pitch = _slider("pitch", f"{prefix}-pitch")
            energy = _slider("energy", f"{prefix}-energy")
        quality = gr.Radio(qualities, value=default, label="音质 Quality", elem_id=f"{prefix}-quality")
    with gr.Accordion("参考音频 Reference clip（只迁移韵律 prosody only）", open=False, elem_id=f"{prefix}-reference"):
        reference = gr.Audio(sources=["upload", "microphone"], type="filepath", elem_id=f"{prefix}-clip",
                             label="3–30 秒，拖放或点击上传，或录音 · 3–30 s: drop a file, click to upload, or record")
        gr.Markdown(_transfer_note())
        # A clip is checked when it arrives, not first at synthesis; said beside the clip (the
        # status line belongs to the runs: a slow check must not overwrite a newer result).
        clip_note = gr.Markdown(elem_id=f"{prefix}-clip-note")
        for event in (reference.upload, reference.stop_recording):
            event(h.check_reference, reference, clip_note, api_visibility="private", show_progress="hidden")
        reference.clear(lambda: "", None, clip_note, queue=False, api_visibility="private", show_progress="hidden")
    return [voice, emotion, intensity, instructions, reference, speed, pitch, energy, quality]


# What the SSML examples fill in, each with its button's label: one of each dialect
# (docs/ssml.md, shown in the page's SSML reference, has the rest).
SSML_EXAMPLES = [
    ["阿里云写法 Alibaba dialect",
     '<speak>欢迎收听<break time="500ms"/>今天的新闻。我们来到<phoneme alphabet="py" ph="chong2 qing4">重庆</phoneme>，'
     '<say-as interpret-as="telephone">13812345678</say-as>是热线电话。'
     '<emotion category="happy" intensity="1.2">祝大家周末愉快！</emotion></speak>'],
    ["Azure 写法 Azure dialect",
     '<speak version="1.0" xmlns="http://www.w3.org/2001/10/synthesis" xmlns:mstts="https://www.w3.org/2001/mstts" '
     'xml:lang="zh-CN"><voice name="baker-low"><prosody rate="-20%" pitch="-2st">晚上好，</prosody>'
     '<mstts:express-as style="gentle" styledegree="1.5">欢迎回家。</mstts:express-as></voice>'
     '<s><sub alias="世界卫生组织">WHO</sub>发布了新的报告</s></speak>'],
]
# After a job is submitted: the list (its progress, the newest job first) in view.
SHOW_JOBS_JS = """
() => {
  const list = document.querySelector('#jobs-view');
  if (list) list.scrollIntoView({block: 'start', behavior: 'instant'});
}
"""
# Before Cancel & delete: a finished job (whose audio would go) is deleted only if confirmed;
# the handler is told whether it was (an API caller, who has no dialog, counts as confirmed).
CONFIRM_DELETE_JS = """
(id, ids, confirmed) => {
  const row = id && document.querySelector(`#jobs-view .job[data-job-id="${id}"]`);
  const finished = row && row.dataset.status === 'done';
  const ask = '删除这个已完成的任务和它的音频？ · Delete this finished job and its audio?';
  return [id, ids, !finished || window.confirm(ask)];
}
"""
# After an example fills the text box: scroll it into view and focus it.
SHOW_TEXT_JS = """
() => {
  const box = document.querySelector('#tts-text textarea');
  if (box) { box.scrollIntoView({block: 'center'}); box.focus({preventScroll: true}); }
}
"""
# The page's script. (1) Highlights the character being heard: the streaming player's time
# against each character's span. (2) Time to first sound as the user meets it: from the click
# on 合成 to the player starting to play (upload, queue, synthesis, encoding and the player's
# buffering included), which the server's own first-chunk figure cannot see.
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
  // Stop silences the player at once: the server stops synthesizing, but segments already
  // encoded would still play (and keep arriving) for a while. Until the next 合成, any attempt
  // of the player to play again is paused as well.
  let stopped = false, clickedAt = null;
  const silence = () => document.querySelectorAll('#tts-audio audio').forEach((a) => a.pause());
  document.addEventListener('click', (e) => {
    if (!e.target.closest || !e.target.closest('#stop')) return;
    stopped = true;
    clickedAt = null;
    silence();
  }, true);
  document.addEventListener('play', (e) => {
    if (stopped && e.target.closest && e.target.closest('#tts-audio')) e.target.pause();
  }, true);
  // For screen readers: the status lines are announced when they change; download links say
  // what they download (not just their size); each slider's reset button names its slider.
  const labelled = () => {
    for (const id of ['#tts-status', '#job-note', '#tts-clip-note', '#job-clip-note']) {
      const el = document.querySelector(id);
      if (el && !el.hasAttribute('aria-live')) { el.setAttribute('role', 'status'); el.setAttribute('aria-live', 'polite'); }
    }
    const what = {'#tts-download': '下载音频 Download the audio (WAV)', '#tts-subtitles': '下载字幕 Download the subtitles'};
    for (const [id, words] of Object.entries(what)) {
      for (const a of document.querySelectorAll(`${id} a[href]`)) {
        const name = (a.getAttribute('download') || a.textContent).trim();  // the link's own text is its size
        const kind = id === '#tts-subtitles' ? ` (${name.split('.').pop().toUpperCase()})` : '';
        a.setAttribute('aria-label', `${words}${kind}: ${name}`);
      }
    }
    for (const b of document.querySelectorAll('button.reset-button')) {
      const block = b.closest('.block');
      const label = block && block.querySelector('label, [data-testid="block-info"]');
      const name = label ? label.textContent.trim() : '';
      if (name) b.setAttribute('aria-label', `把「${name}」恢复默认值 · Reset ${name} to its default`);
    }
  };
  new MutationObserver(labelled).observe(document.body, {childList: true, subtree: true});
  labelled();
  // The link to the SSML reference opens it (an accordion, closed until then) and shows it.
  document.addEventListener('click', (e) => {
    const link = e.target.closest && e.target.closest('a[href="#ssml-reference"]');
    if (!link) return;
    e.preventDefault();
    const box = document.querySelector('#ssml-reference');
    const label = box && box.querySelector('.label-wrap');
    if (label && !label.classList.contains('open')) label.click();
    if (box) box.scrollIntoView({block: 'start'});
  }, true);
  const heard = () => document.querySelector('#tts-heard .tts-heard');
  document.addEventListener('click', (e) => {
    if (!e.target.closest || !e.target.closest('#synthesize')) return;
    stopped = false;
    clickedAt = performance.now();
    const el = heard();
    if (el) { el.textContent = ''; delete el.dataset.seconds; }
  }, true);
  document.addEventListener('playing', (e) => {
    if (clickedAt === null || !e.target.closest || !e.target.closest('#tts-audio')) return;
    const s = ((performance.now() - clickedAt) / 1000).toFixed(2);
    clickedAt = null;
    const el = heard();
    if (!el) return;
    el.dataset.seconds = s;
    el.textContent = `点击后 ${s} 秒开始出声（本浏览器实测，含排队、传输和播放器缓冲；下面的“服务器首包”只算服务器内的合成）`
      + ` · Sound began ${s} s after the click, measured in this browser: it includes waiting, transfer and`
      + ` the player's buffering, which the "server's first audio" below (synthesis on the server alone) does not`;
  }, true);
}
"""
PAGE_CSS = """
#tts-karaoke .tts-timed { font-size: 1.2em; line-height: 1.8; }
#tts-karaoke .tts-said { color: var(--body-text-color-subdued); }
#tts-karaoke .tts-now { background: var(--color-accent-soft); border-radius: 3px; }
#tts-heard .tts-heard { font-size: var(--text-sm); color: var(--body-text-color-subdued); }
#tts-status { min-height: 1.5em; }
/* Long voice / emotion names end in an ellipsis instead of running under the dropdown arrow. */
.secondary-wrap { min-width: 0; }
.secondary-wrap input[role="combobox"] {
  flex: 1 1 0; width: 0; min-width: 0; overflow: hidden; white-space: nowrap; text-overflow: ellipsis;
  padding-right: 28px; }
.secondary-wrap .icon-wrap { flex: none; }
/* The two run buttons stay side by side on a phone. */
#run-row { flex-wrap: nowrap; }
/* The download boxes show only once they hold a file: empty, they pushed the voice and
   emotion controls below a laptop's first screen. */
#tts-download:not(:has(a[href])), #tts-subtitles:not(:has(a[href])) { display: none; }
/* An SSML example is shown whole, wrapped, beside its button. */
.ssml-example-text code { white-space: pre-wrap; word-break: break-all; }
"""


def _slider(name: str, elem_id: str) -> gr.Slider:
    """A slider over an option's whole accepted range (the one LIMITS table)."""
    from tts.options import LIMITS

    limit = LIMITS[name]
    return gr.Slider(limit.lo, limit.hi, value=limit.default, step=limit.step, label=limit.label, info=limit.help,
                     elem_id=elem_id, min_width=160)


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


def _ssml_reference() -> str:
    """docs/ssml.md for the page's SSML reference (the page runs offline: nothing to link out to)."""
    from pathlib import Path

    doc = Path(__file__).resolve().parents[2] / "docs" / "ssml.md"
    if not doc.is_file():  # an installed package without the docs
        return "docs/ssml.md 不在本机 · docs/ssml.md is not installed on this server."
    return doc.read_text(encoding="utf-8")


def _transfer_note() -> str:
    try:
        from tts.expressive.reference import TRANSFER_NOTE
    except ImportError:
        return "只迁移韵律（音高、能量、语速、停顿），不迁移音色 · Transfers prosody, not timbre."
    return TRANSFER_NOTE
