"""The server factory: the HTTP API, with or without the Gradio UI, on one FastAPI app (the `serve`
command that runs it is tts/apps/serve.py).

    create_app(synthesizer)            API + UI (what `zh-tts serve` / app.py run)
    create_app(synthesizer, ui=False)  the API alone (what a cluster deployment replicates)
"""

from __future__ import annotations

MAX_UPLOAD = "16mb"


def create_app(synthesizer, *, ui: bool = True, auth: tuple[str, str] | None = None, public_metrics: bool = False,
               cors_origins: list[str] | None = None, rate_per_minute: float = 0, rate_burst: int = 20,
               client_concurrency: int = 0, client_queue: int = 0, jobs=None, api: bool = True):
    """The FastAPI app over one Synthesizer: the HTTP API, and with `ui` the Gradio UI mounted at /.

    Security (login on every route, CORS, rate limit) wraps both; without the UI the app needs no
    Gradio at all, which is what an API replica of a cluster deployment serves. `jobs` is the
    JobService behind /v1/jobs and the Batch tab (`serve` makes it over --state-dir); without one
    the app makes its own in a temporary directory, which lasts as long as the process.
    Limits per client (off unless given; `serve` turns the share on): at most
    `client_concurrency` synthesis requests in progress and `client_queue` more waiting for their
    turn (0: three quarters of the profile's queue), `rate_per_minute` requests a minute.
    `api=False` leaves the HTTP API (and /v1/jobs) out: the cluster's web page, whose synthesizer
    is the API replicas, serves only the UI.
    """
    from fastapi import FastAPI

    from tts.jobs.service import JobService
    from tts.serving.admission import ClientShare
    from tts.web.api import router as api_router
    from tts.web.jobs_api import router as jobs_router
    from tts.web.security import RateLimiter, install_security

    app = FastAPI(title="Mandarin TTS", docs_url="/docs", redoc_url=None)
    limiter = RateLimiter(rate_per_minute, rate_burst) if rate_per_minute > 0 else None
    install_security(app, auth=auth, public_metrics=public_metrics, cors_origins=cors_origins or [],
                     rate_limit=limiter)
    # Each client's share of the synthesis slots; every route that synthesizes hands it to admission.
    app.state.client_share = (ClientShare(client_concurrency,
                                          client_queue or max(1, synthesizer.profile.serving.queue_size * 3 // 4))
                              if client_concurrency > 0 else None)
    if jobs is None:
        jobs = JobService.temporary(synthesizer)
    app.state.jobs = jobs
    app.state.auth = auth  # whose jobs a request sees (tts.web.jobs_api.current_owner)
    app.state.synth = synthesizer  # what the routes' dependencies hand them (tts.web.api.current_synth)
    if api:
        app.include_router(api_router)
        app.include_router(jobs_router)
        from tts.web import dashscope_ws  # the DashScope task protocol (WebSocket), same auth and limits

        dashscope_ws.install(app, dashscope_ws.DashScopeService(synthesizer, auth, limiter, app.state.client_share))
    if not ui:
        return app
    import gradio as gr

    from tts.web.ui import PAGE_CSS, PAGE_JS, build_ui
    from tts.web.ui_handlers import new_output_dir

    out_dir = new_output_dir()
    demo = build_ui(synthesizer, jobs, out_dir)
    # Files are served only from the app's own temporary area (and Gradio's upload cache);
    # uploads are capped (a 30 s reference clip as WAV is ~5 MB; a .txt chapter far less).
    return gr.mount_gradio_app(app, demo, path="/", auth=auth, allowed_paths=[str(out_dir)],
                               footer_links=["api"], show_error=True, max_file_size=MAX_UPLOAD,
                               enable_monitoring=False, js=PAGE_JS, css=PAGE_CSS)
