"""The web UI in a real browser: Debian's Chromium driven by Playwright against the real app.

The app runs as its own process (python app.py) on a free loopback port; Chromium runs headless
with a fresh profile. Synthesis has to come out of the page as speech twice over: the streamed
<audio> element's source (the HLS segments it was fed, decoded in the page with WebAudio) and the
downloadable WAV. The run also saves a screenshot (test-results/screenshot.png). No timing thresholds:
waits are generous and only results are checked.
"""

from __future__ import annotations

import io
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
import wave
from pathlib import Path

import numpy as np
import pytest
from conftest import report

pytestmark = [pytest.mark.browser, pytest.mark.real_weights]  # Chromium against app.py

ROOT = Path(__file__).resolve().parent.parent
# Each run saves its screenshot under test-results/ (git-ignored); ZH_TTS_UPDATE_SCREENSHOT=1 also
# refreshes the README's docs/screenshot.png.
SCREENSHOT = ROOT / "test-results" / "screenshot.png"
README_SCREENSHOT = ROOT / "docs" / "screenshot.png"
CHROMIUM = os.environ.get("ZH_TTS_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run",
                 "--autoplay-policy=no-user-gesture-required"]
TEXT = ("今天天气很好，我们一起去公园散步吧。公园里的花都开了，红的、黄的、紫的，非常漂亮。"
        "散步以后，我们再去图书馆看书。")
WAIT_MS = 300_000  # synthesis on a slow CI machine: generous, and never a pass/fail threshold

from playwright import sync_api  # noqa: E402


@pytest.fixture(autouse=True)
def chromium_installed():
    assert Path(CHROMIUM).exists(), f"no Chromium at {CHROMIUM} (./run.sh test installs Debian's chromium)"

expect = sync_api.expect


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def get_json(url: str):
    import json

    with urllib.request.urlopen(url, timeout=10) as r:
        return r.status, json.loads(r.read())


def launch_app(tmp: Path, port: int) -> tuple[subprocess.Popen, str]:
    """python app.py on the loopback port, its jobs in tmp/state; returns once /healthz answers."""
    env = dict(os.environ, GRADIO_TEMP_DIR=str(tmp / "gradio"), TMPDIR=str(tmp), PYTHONUNBUFFERED="1")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    for name in ("ZH_TTS_AUTH", "ZH_TTS_HOST", "ZH_TTS_PORT", "ZH_TTS_STATE_DIR"):
        env.pop(name, None)
    log_path = tmp / "app.log"
    with open(log_path, "a") as log:
        proc = subprocess.Popen([sys.executable, str(ROOT / "app.py"), "--host", "127.0.0.1", "--port", str(port),
                                 "--state-dir", str(tmp / "state")],
                                cwd=str(ROOT), env=env, stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 300
        while True:
            if proc.poll() is not None:
                pytest.fail(f"app.py exited with {proc.returncode}:\n{log_path.read_text()}")
            try:
                if get_json(base + "/healthz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                pytest.fail(f"app.py did not answer /healthz in 300 s:\n{log_path.read_text()}")
            time.sleep(0.5)
    except BaseException:
        proc.kill()
        proc.wait()
        raise
    return proc, base


def stop_app(proc: subprocess.Popen, tmp: Path) -> None:
    """Stop the app (Ctrl-C) and check its log for unexpected errors."""
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    log = (tmp / "app.log").read_text(errors="replace")
    assert not unexpected_errors(log), log


@pytest.fixture(scope="module")
def app_server(tmp_path_factory):
    """python app.py on a free loopback port; yields its base URL; always stopped afterwards."""
    tmp = tmp_path_factory.mktemp("browser-app")
    proc, base = launch_app(tmp, free_port())
    try:
        yield base
    finally:
        stop_app(proc, tmp)


def unexpected_errors(log: str) -> list[str]:
    """The exceptions that ended tracebacks in the app's log, less gr.Error: Gradio logs the
    traceback of every gr.Error it shows the user (the empty-text test makes one on purpose)."""
    ends = re.findall(r"^Traceback \(most recent call last\):\n(?:[ \t].*\n|\n)*(\S.*)$", log, re.M)
    return [e for e in ends if not e.startswith("gradio.exceptions.Error:")]


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium with a fresh, temporary profile (user data dir)."""
    with tempfile.TemporaryDirectory(prefix="zh-tts-chromium-") as profile, sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            profile, executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS, locale="zh-CN",
            viewport={"width": 1400, "height": 1000})
        try:
            yield context
        finally:
            context.close()


@pytest.fixture
def page(browser, app_server):
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    try:
        page.goto(app_server + "/", wait_until="domcontentloaded")
        expect(page.locator("#tts-text textarea")).to_be_visible(timeout=120_000)
        page.page_errors = errors
        yield page
    finally:
        page.close()


def test_character_counter_updates_live(page):
    counter = page.locator("#char-count")
    expect(counter).to_contain_text(re.compile(r"^\s*0 / \d+"))
    box = page.locator("#tts-text textarea")
    box.fill("你好")
    expect(counter).to_contain_text(re.compile(r"^\s*2 / \d+"))
    box.press_sequentially("，世界！", delay=50)  # typed key by key
    expect(counter).to_contain_text(re.compile(r"^\s*6 / \d+"))
    box.fill("")
    expect(counter).to_contain_text(re.compile(r"^\s*0 / \d+"))


def test_empty_text_shows_an_error_and_nothing_breaks(page, app_server):
    page.locator("#tts-text textarea").fill("")
    page.locator("#synthesize").click()
    toast = page.locator("[data-testid='toast-body'].error, .toast-body.error").first
    expect(toast).to_be_visible(timeout=WAIT_MS)
    message = toast.inner_text()
    assert re.search(r"empty|空", message), message
    assert "Traceback" not in message and "Error(" not in message
    assert page.locator("#tts-download a").count() == 0
    code, health = get_json(app_server + "/healthz")  # the server is fine
    assert code == 200 and health["status"] == "ok"
    page.locator("#tts-text textarea").fill("还好")  # the page still reacts
    expect(page.locator("#char-count")).to_contain_text(re.compile(r"^\s*2 / \d+"))
    assert not page.page_errors, page.page_errors


def test_system_tab_shows_the_profile(page, app_server):
    profile = get_json(app_server + "/healthz")[1]["profile"]
    page.get_by_role("tab", name=re.compile("System")).click()
    panel = page.get_by_role("tabpanel").filter(has_text="Profile")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text(re.compile(rf"配置 Profile\s*{re.escape(profile)}\b"))


# Decode, in the page, exactly what the streaming <audio> element was fed: Gradio streams it as HLS
# (hls.js into MediaSource, so the element's blob: URL cannot itself be fetched); the playlist lists
# the ADTS/AAC segments, which join into one decodable stream.
DECODE_STREAM_JS = """
async () => {
  const audio = document.querySelector('#tts-audio audio');
  const playlists = performance.getEntriesByType('resource').map(e => e.name)
    .filter(u => u.includes('/playlist.m3u8'));
  if (!audio || !playlists.length) return {error: 'no <audio> element or no HLS playlist loaded'};
  const playlistUrl = playlists[playlists.length - 1];
  let list = '';
  for (let i = 0; i < 240 && !list.includes('#EXT-X-ENDLIST'); i++) {
    if (i) await new Promise(r => setTimeout(r, 500));
    list = await (await fetch(playlistUrl, {cache: 'no-store'})).text();
  }
  if (!list.includes('#EXT-X-ENDLIST')) return {error: 'the stream never ended', list};
  const names = list.split('\\n').map(l => l.trim()).filter(l => l && !l.startsWith('#'));
  const parts = [];
  for (const name of names) {
    const r = await fetch(new URL(name, playlistUrl));
    if (!r.ok) return {error: `segment ${name}: HTTP ${r.status}`};
    parts.push(new Uint8Array(await r.arrayBuffer()));
  }
  const bytes = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { bytes.set(p, at); at += p.length; }
  const ctx = new OfflineAudioContext(1, 1, 24000);
  const decoded = await ctx.decodeAudioData(bytes.buffer);
  const x = decoded.getChannelData(0);
  let sum = 0, peak = 0;
  for (const v of x) { sum += v * v; peak = Math.max(peak, Math.abs(v)); }
  const frame = Math.round(decoded.sampleRate * 0.02);
  let frames = 0, loud = 0;
  for (let i = 0; i + frame <= x.length; i += frame, frames++) {
    let s = 0;
    for (let j = i; j < i + frame; j++) s += x[j] * x[j];
    if (Math.sqrt(s / frame) > 0.02) loud++;
  }
  return {segments: names.length, bytes: bytes.length, duration: decoded.duration,
          rms: Math.sqrt(sum / x.length), peak, loudFraction: frames ? loud / frames : 0,
          elementDuration: audio.duration, src: audio.src};
}
"""


def plausible_seconds(seconds: float, text: str = TEXT) -> bool:
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", text))
    return 0.08 * hanzi < seconds < 0.6 * hanzi + 2


def test_synthesis_streams_speech_and_offers_the_wav(page):
    page.locator("#tts-text textarea").fill(TEXT)
    page.locator("#synthesize").click()
    download = page.locator("#tts-download a").first
    expect(download).to_be_attached(timeout=WAIT_MS)
    status = page.locator("#tts-status")
    expect(status).to_contain_text(re.compile(r"首包 first chunk \*?\*?\d+ ms"), timeout=WAIT_MS)
    assert re.search(r"RTF", status.inner_text())

    # The streaming player got a source and started playing it (autoplay).
    page.wait_for_function("() => { const a = document.querySelector('#tts-audio audio');"
                           " return a && a.src && (a.played.length > 0 || a.currentTime > 0); }", timeout=WAIT_MS)
    stream = page.evaluate(DECODE_STREAM_JS)
    assert "error" not in stream, stream
    assert stream["src"].startswith(("blob:", "http")), stream
    assert stream["segments"] >= 2, f"one piece only: not streamed ({stream})"
    assert plausible_seconds(stream["duration"]), stream
    assert stream["rms"] > 0.01 and stream["loudFraction"] > 0.3, f"not speech: {stream}"
    assert stream["peak"] <= 1.01, stream

    # The whole WAV to download.
    response = page.request.get(download.get_attribute("href"))
    assert response.ok, response.status
    with wave.open(io.BytesIO(response.body())) as w:
        assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
        rate = w.getframerate()
        samples = np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768
    wav_seconds = len(samples) / rate
    assert plausible_seconds(wav_seconds), wav_seconds
    assert float(np.sqrt(np.mean(samples**2))) > 0.01
    # Streamed and downloaded audio are the same speech (AAC adds a little padding per segment).
    assert 0.8 * wav_seconds < stream["duration"] < 1.3 * wav_seconds + 0.5, (stream, wav_seconds)
    assert page.locator(".toast-body.error").count() == 0
    assert not page.page_errors, page.page_errors
    report(f"browser: {stream['segments']} streamed segments decode to {stream['duration']:.2f} s "
           f"(RMS {stream['rms']:.3f}), WAV {wav_seconds:.2f} s; status: {status.inner_text().splitlines()[0]}")

    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.evaluate("() => window.scrollTo(0, 0)")
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT), full_page=True)
    if os.environ.get("ZH_TTS_UPDATE_SCREENSHOT") == "1":
        README_SCREENSHOT.write_bytes(SCREENSHOT.read_bytes())
    assert SCREENSHOT.stat().st_size > 10_000


def test_ssml_example_subtitles_and_the_text_highlighted_as_it_is_heard(page):
    page.locator("#ssml-examples").get_by_text("SSML 示例 Examples").click()
    page.locator("#ssml-examples").get_by_text("欢迎收听", exact=False).first.click()
    expect(page.locator("#tts-text textarea")).to_have_value(re.compile(r"^<speak>欢迎收听"))
    expect(page.locator("#tts-ssml input")).to_be_checked()
    page.locator("#synthesize").click()
    expect(page.locator("#tts-download a").first).to_be_attached(timeout=WAIT_MS)
    # The spoken text, tagged with when each character is heard: the caller's characters, no markup.
    timed = page.locator("#tts-karaoke span[data-s]")
    expect(timed.first).to_be_attached(timeout=WAIT_MS)
    shown = page.locator("#tts-karaoke").inner_text()
    assert "重庆" in shown and "<" not in shown and "13812345678" in shown, shown
    # While the player plays, the character under its time is highlighted.
    page.wait_for_function("() => document.querySelector('#tts-karaoke .tts-now') !== null", timeout=WAIT_MS)
    # SRT and WebVTT to download, timed to the audio.
    links = page.locator("#tts-subtitles a[href]")
    expect(links.first).to_be_attached(timeout=WAIT_MS)
    texts = {}
    for href in {links.nth(i).get_attribute("href") for i in range(links.count())}:
        texts[href.rsplit(".", 1)[-1]] = page.request.get(href).body().decode("utf-8")
    assert set(texts) == {"srt", "vtt"}, texts.keys()
    assert texts["vtt"].startswith("WEBVTT") and "-->" in texts["srt"] and "重庆" in texts["srt"]
    assert not page.page_errors, page.page_errors


JOB_TEXT = ("第一章 出发\n" + "清晨的阳光洒在小路上，我们背起行囊，沿着河岸慢慢向山里走去。" * 30 + "\n"
            "第二章 到达\n" + "傍晚时分，我们终于到达了山顶，看见远处的村庄升起了袅袅炊烟。" * 30)


def test_the_jobs_view_survives_a_reload_and_a_server_restart(browser, tmp_path):
    """Batch tab: its own controls, a job submitted, its progress shown after a page reload and
    after the server is killed (SIGKILL) and started again on the same state directory, then
    its downloads."""
    port = free_port()
    proc, base = launch_app(tmp_path, port)
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.set_default_timeout(60_000)
    try:
        def open_jobs_tab():
            page.goto(base + "/", wait_until="domcontentloaded")
            page.get_by_role("tab", name=re.compile("Batch")).click()

        open_jobs_tab()
        page.locator("#job-text textarea").fill(JOB_TEXT)
        page.locator("#job-submit").click()
        job = page.locator("#jobs-view .job").first
        expect(job).to_be_attached(timeout=WAIT_MS)
        job_id = job.get_attribute("data-job-id")
        expect(page.locator("#job-note")).to_contain_text("2 章 chapter(s)")

        def done_segments() -> int:
            text = page.locator(f'#jobs-view .job[data-job-id="{job_id}"] .job-progress').inner_text()
            return int(text.split("/")[0])

        deadline = time.monotonic() + WAIT_MS / 1000
        while done_segments() < 2:  # progress shows while it runs
            assert time.monotonic() < deadline
            time.sleep(0.5)
        page.reload(wait_until="domcontentloaded")  # the browser remembers its job
        page.get_by_role("tab", name=re.compile("Batch")).click()
        expect(page.locator(f'#jobs-view .job[data-job-id="{job_id}"]')).to_be_attached(timeout=WAIT_MS)

        assert page.locator(f'#jobs-view .job[data-job-id="{job_id}"]').get_attribute("data-status") == "running"
        proc.send_signal(signal.SIGKILL)  # the server dies mid-job
        proc.wait(30)
        proc, base = launch_app(tmp_path, port)  # and comes back on the same address and state
        open_jobs_tab()
        row = page.locator(f'#jobs-view .job[data-job-id="{job_id}"]')
        expect(row).to_be_attached(timeout=WAIT_MS)
        expect(row).to_have_attribute("data-status", "done", timeout=WAIT_MS)
        links = row.locator("a")
        expect(links).to_have_count(5)  # the joined file, two chapters, SRT and WebVTT subtitles
        response = page.request.get(base + row.locator("a.job-audio").get_attribute("href"))
        assert response.ok and response.headers["content-type"] == "audio/mpeg"
        from conftest import decode_any

        seconds = len(decode_any(response.body(), ".mp3")) / 24000
        assert plausible_seconds(seconds - 1.5, JOB_TEXT), seconds
        assert not errors, errors
        report(f"browser jobs view: job survived a reload and a kill -9 + restart; {seconds:.1f} s of audio")
    finally:
        page.close()
        stop_app(proc, tmp_path)
