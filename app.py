"""Web app: a Gradio Blocks UI and the HTTP API on one FastAPI server.

    python app.py [--host H] [--port P] [--profile NAME|PATH] [--auth USER:PASS]

The UI is layout and wiring only; what buttons do lives in tts/web/ui_handlers.py, the API in
tts/web/api.py, the synthesis in tts/synthesizer.py.
"""

from __future__ import annotations

import argparse
import functools
import logging
import os
import sys

os.environ.setdefault("GRADIO_ANALYTICS_ENABLED", "False")  # no calls home: the service runs offline

import gradio as gr  # noqa: E402

from tts.web import ui_handlers as h  # noqa: E402


MAX_UPLOAD = "16mb"


def build_app(synthesizer) -> gr.Blocks:
    """The Blocks UI over one Synthesizer: Synthesize, Batch / audiobook, and System tabs."""
    from tts.expressive import EMOTIONS, VOICES

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
                            voice = gr.Dropdown(voices, value="baker", label="音色 Voice")
                            emotion = gr.Dropdown(emotions, value="neutral", label="情感 Emotion")
                            intensity = gr.Slider(0, 2, value=1, step=0.1, label="情感强度 Intensity")
                        instructions = gr.Textbox(label="风格描述 Style instructions",
                                                  placeholder="例如：语速很慢，声音低沉温柔 / e.g. excited, fast")
                        with gr.Row():
                            speed = gr.Slider(0.5, 2.0, value=1.0, step=0.05, label="语速 Speed")
                            pitch = gr.Slider(-6, 6, value=0, step=0.5, label="音高 Pitch (semitones)")
                            energy = gr.Slider(0.5, 2.0, value=1.0, step=0.05, label="能量 Energy")
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
            with gr.Tab("批量 / 有声书 Batch / audiobook"):
                batch_text = gr.Textbox(label="每行一条 One item per line", lines=10)
                batch_file = gr.File(label="或上传 .txt Or upload a .txt file", file_types=[".txt"], type="filepath")
                batch_go = gr.Button("批量合成 Synthesize all", variant="primary")
                with gr.Row():
                    batch_zip = gr.File(label="每行一个 WAV (zip) One WAV per line")
                    batch_wav = gr.File(label="合并音频 Joined WAV")
                batch_status = gr.Markdown()
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
                use_pinyin]

        def synthesize(text, voice, emotion, intensity, instructions, reference, speed, pitch, energy, quality,
                       pinyin, use_pinyin, request: gr.Request):
            _drop_finished_streams(demo, request)
            yield from h.synthesize_stream(synth, out_dir, text, voice, emotion, intensity, instructions, reference,
                                           speed, pitch, energy, quality, pinyin, use_pinyin)

        go.click(guarded(synthesize), form, [audio, wav, status], api_name="synthesize")

        def run_batch(t, f, v, e, s, q, progress=gr.Progress()):
            return h.synthesize_batch(synth, out_dir, t, f, v, e, s, q, progress)

        batch_go.click(guarded(run_batch), [batch_text, batch_file, voice, emotion, speed, quality],
                       [batch_zip, batch_wav, batch_status], api_name="batch")
    demo.queue(default_concurrency_limit=synth.profile.serving.concurrency,
               max_size=synth.profile.serving.queue_size)
    demo.tts_output_dir = out_dir
    return demo


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
        from tts.prosody_analysis import TRANSFER_NOTE
    except ImportError:
        return "只迁移韵律（音高、能量、语速、停顿），不迁移音色 · Transfers prosody, not timbre."
    return TRANSFER_NOTE


def _instruction_summary(text: str) -> str:
    from tts.instructions import parse_instructions

    return parse_instructions(text).summary


def create_server(synthesizer, auth: tuple[str, str] | None = None, public_metrics: bool = False,
                  cors_origins: list[str] | None = None, rate_per_minute: float = 0, rate_burst: int = 20):
    """FastAPI app with the HTTP API and the UI mounted at /."""
    from fastapi import FastAPI

    from tts.web.api import create_router
    from tts.web.security import RateLimiter, install_security

    app = FastAPI(title="Mandarin TTS", docs_url="/docs", redoc_url=None)
    limiter = RateLimiter(rate_per_minute, rate_burst) if rate_per_minute > 0 else None
    install_security(app, auth=auth, public_metrics=public_metrics, cors_origins=cors_origins or [],
                     rate_limit=limiter)
    app.include_router(create_router(synthesizer))
    demo = build_app(synthesizer)
    # Files are served only from the app's own temporary area (and Gradio's upload cache);
    # uploads are capped (a 30 s reference clip as WAV is ~5 MB; a .txt chapter far less).
    return gr.mount_gradio_app(app, demo, path="/", auth=auth, allowed_paths=[str(demo.tts_output_dir)],
                               footer_links=["api"], show_error=True, max_file_size=MAX_UPLOAD,
                               enable_monitoring=False)


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description="Offline Mandarin TTS web app and API")
    p.add_argument("--host", default=os.environ.get("ZH_TTS_HOST", "127.0.0.1"))
    p.add_argument("--port", type=int, default=int(os.environ.get("ZH_TTS_PORT", "7860")))
    p.add_argument("--profile", default=None, help="built-in profile name or YAML path (default: detect)")
    p.add_argument("--auth", default=os.environ.get("ZH_TTS_AUTH"), help="USER:PASS for the UI and the API")
    p.add_argument("--data-dir", default=None, help="weights directory (default ~/.cache/zh-tts)")
    p.add_argument("--lexicon", default=None, help="user lexicon file")
    p.add_argument("--public-metrics", action="store_true", help="serve /metrics without auth")
    p.add_argument("--cors-origin", action="append", default=[], help="allow this browser origin (repeatable)")
    p.add_argument("--rate-limit", type=float, default=float(os.environ.get("ZH_TTS_RATE_LIMIT", "120")),
                   help="API requests per minute per client (API key or address); 0 = unlimited")
    p.add_argument("--rate-burst", type=int, default=30, help="requests a client may send at once")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    import uvicorn

    from tts.native_memory import HeapTrimmer
    from tts.profiles import ProfileError
    from tts.synthesizer import Synthesizer
    from tts.weights import WeightsError
    from tts.web.audio_formats import ensure_ffmpeg_on_path

    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    auth = None
    if args.auth:
        user, sep, password = args.auth.partition(":")
        if not sep or not user or not password:
            print("error: --auth must be USER:PASS", file=sys.stderr)
            return 2
        auth = (user, password)
    ensure_ffmpeg_on_path()  # Gradio re-encodes streamed audio chunks with ffmpeg
    try:
        synth = Synthesizer.from_profile(args.profile, data_dir=args.data_dir, lexicon_path=args.lexicon)
    except (ProfileError, WeightsError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    trimmer = HeapTrimmer().start()  # a long-running server: hand freed memory back (tts/native_memory.py)
    app = create_server(synth, auth=auth, public_metrics=args.public_metrics, cors_origins=args.cors_origin,
                        rate_per_minute=args.rate_limit, rate_burst=args.rate_burst)
    print(f"Mandarin TTS: profile {synth.profile.name} ({synth.reason}); open http://{args.host}:{args.port}",
          flush=True)
    try:
        uvicorn.run(app, host=args.host, port=args.port, log_level="warning", timeout_graceful_shutdown=5)
    finally:
        trimmer.stop()
        synth.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
