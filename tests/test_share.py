"""Sharing the app (deploy/share.py, `./run.sh --share ...`), all on loopback.

Caddy: the real Debian Caddy in front of the real app, started by the real command line, with a
plain-HTTP site address on a free port (no certificates). Synthesis goes through it with the
official `openai` client and with plain HTTP, with and without credentials, and streamed audio
has to arrive in pieces, uncompressed.

localtunnel: no tunnel server is reachable from here, so the tests check what happens when none
answers (one clear message, the app keeps serving) and drive the real npm client against a small
stand-in server that speaks the localtunnel protocol on loopback.
"""

from __future__ import annotations

import base64
import importlib.util
import io
import json
import os
import queue
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import wave
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import httpx
import numpy as np
import pytest
from conftest import report


ROOT = Path(__file__).resolve().parent.parent
# The share launcher is a script beside the Caddyfile template, not part of the runtime package.
_spec = importlib.util.spec_from_file_location("share", ROOT / "deploy" / "share.py")
share = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(share)
CADDY = shutil.which("caddy")
needs_caddy = pytest.mark.usefixtures("caddy_installed")
# The app the launcher starts loads the fetched models; Caddy comes from Debian.
pytestmark = [pytest.mark.real_weights, pytest.mark.debian_tools]


@pytest.fixture()
def caddy_installed():
    assert CADDY, "caddy is not installed (./run.sh test installs it)"
TEXT = ("今天天气很好，我们一起去公园散步吧。公园里的花都开了，红的、黄的、紫的，非常漂亮。"
        "散步以后，我们再去图书馆看书。")
PASSWORD = "correct-horse-battery-staple"
USER = "alice"


# -- helpers ---------------------------------------------------------------------------------

def subprocess_env(tmp: Path) -> dict[str, str]:
    """The environment for the share command: this venv's tools first, every scratch file in tmp.
    (HOME and XDG_CACHE_HOME stay: the weights live in the user's cache.)"""
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env.update({"XDG_CONFIG_HOME": str(tmp / "config"), "XDG_DATA_HOME": str(tmp / "data"),
                "GRADIO_TEMP_DIR": str(tmp / "gradio"), "TMPDIR": str(tmp), "PYTHONUNBUFFERED": "1"})
    for name in ("ZH_TTS_AUTH", "ZH_TTS_API_KEY", "ZH_TTS_SHARE_PASSWORD", "ZH_TTS_HOST", "ZH_TTS_PORT"):
        env.pop(name, None)
    return env


class ShareCommand:
    """`python deploy/share.py ...` as a child process whose output is collected line by line."""

    def __init__(self, args: list[str], env: dict[str, str]):
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self.proc = subprocess.Popen([sys.executable, str(ROOT / "deploy" / "share.py"), *args], cwd=str(ROOT), env=env,
                                     stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in iter(self.proc.stdout.readline, ""):
            self._queue.put(line.rstrip("\n"))
        self._queue.put(None)

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for_line(self, pattern: str, timeout: float = 300.0) -> re.Match:
        """The first output line matching `pattern`; fails with the whole output if none comes."""
        regex = re.compile(pattern)
        for line in self.lines:
            if m := regex.search(line):
                return m
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                continue
            if line is None:
                pytest.fail(f"share command exited ({self.proc.wait()}) before printing /{pattern}/:\n{self.output}")
            self.lines.append(line)
            if m := regex.search(line):
                return m
        pytest.fail(f"no /{pattern}/ within {timeout:.0f} s:\n{self.output}")

    def stop(self, timeout: float = 60.0) -> int:
        """Ctrl+C as a terminal would send it; the command must stop its children and exit 0."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(timeout)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:  # let the reader thread take the last lines
            try:
                line = self._queue.get(timeout=0.2)
            except queue.Empty:
                continue
            if line is None:
                break
            self.lines.append(line)
        return self.proc.returncode


def wait_closed(port: int, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not share.port_open(port):
            return True
        time.sleep(0.2)
    return False


def decode_wav(data: bytes) -> tuple[np.ndarray, int]:
    with wave.open(io.BytesIO(data)) as w:
        assert w.getnchannels() == 1 and w.getsampwidth() == 2
        return np.frombuffer(w.readframes(w.getnframes()), "<i2").astype(np.float64) / 32768, w.getframerate()


def rms(samples: np.ndarray) -> float:
    return float(np.sqrt(np.mean(samples**2))) if samples.size else 0.0


def assert_speech(samples: np.ndarray, rate: int, text: str = TEXT) -> None:
    hanzi = len(re.findall(r"[\u4e00-\u9fff]", text))
    seconds = len(samples) / rate
    assert 0.08 * hanzi < seconds < 0.6 * hanzi + 2, f"{seconds:.2f} s of audio for {hanzi} characters"
    assert rms(samples) > 0.01, f"RMS {rms(samples):.4f}: silence, not speech"


# -- Caddyfile and helpers -------------------------------------------------------------------

def adapt(text: str, tmp_path: Path) -> dict:
    """Caddy's own reading of a Caddyfile (JSON), so a broken file fails here, not in production."""
    path = tmp_path / "Caddyfile"
    path.write_text(text)
    proc = subprocess.run([CADDY, "adapt", "--config", str(path), "--adapter", "caddyfile"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    return json.loads(proc.stdout)


def handlers(config: dict) -> list[dict]:
    found = []

    def walk(node):
        if isinstance(node, dict):
            if "handler" in node:
                found.append(node)
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(config)
    return found


@needs_caddy
def test_caddyfile_for_a_domain_proxies_streams_and_logs_in(tmp_path):
    hashed = share.hash_password("s3cret pass", CADDY)
    assert hashed.startswith("$2")
    text = share.render_caddyfile("tts.example.com", "127.0.0.1:7860", (USER, hashed), api_key=True,
                                  email="ops@example.com")
    config = adapt(text, tmp_path)
    assert config["admin"]["disabled"] is True
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":443"]  # a real domain: automatic HTTPS, not switched off
    assert "automatic_https" not in server
    assert config["apps"]["tls"]["automation"]["policies"][0]["issuers"][0]["email"] == "ops@example.com"
    by_kind = {h["handler"]: h for h in handlers(config)}
    proxy = by_kind["reverse_proxy"]
    assert proxy["flush_interval"] == -1
    assert proxy["upstreams"] == [{"dial": "127.0.0.1:7860"}]
    account = by_kind["authentication"]["providers"]["http_basic"]["accounts"][0]
    assert account == {"username": USER, "password": hashed}
    encode = by_kind["encode"]
    compressed = encode["match"]["headers"]["Content-Type"]
    assert "text/html*" in compressed and "application/json*" in compressed
    assert not [t for t in compressed if t.startswith(("audio", "text/event-stream", "*"))]
    login = json.dumps(config)
    assert "Bearer {env.ZH_TTS_API_KEY}" in login and '"/healthz"' in login


@needs_caddy
def test_caddyfile_without_user_or_key(tmp_path):
    text = share.render_caddyfile("http://127.0.0.1:8080", "127.0.0.1:7860")
    config = adapt(text, tmp_path)
    kinds = [h["handler"] for h in handlers(config)]
    assert "authentication" not in kinds and "reverse_proxy" in kinds
    server = next(iter(config["apps"]["http"]["servers"].values()))
    assert server["listen"] == [":8080"] and server["automatic_https"]["disable"] is True
    hashed = share.hash_password("pw", CADDY)
    no_key = share.render_caddyfile("http://127.0.0.1:8080", "127.0.0.1:7860", (USER, hashed), api_key=False)
    assert "Bearer" not in json.dumps(adapt(no_key, tmp_path))


def test_share_input_checks():
    assert share.usable_api_key("correct-horse-battery-staple")
    for key in ("", None, "ab*", "a{env.X}", 'a"b', "a b", "a\\b"):
        assert not share.usable_api_key(key)
    with pytest.raises(share.ShareError):
        share.render_caddyfile("tts.example.com", "127.0.0.1:7860", ("bad user", "$2a$14$x"))
    with pytest.raises(share.ShareError):
        share.site_address("tts.example.com {")
    with pytest.raises(share.ShareError):
        share.hash_password("two\nlines")
    assert share.parse_tunnel_url("your url is: https://quiet-cat-12.loca.lt") == "https://quiet-cat-12.loca.lt"
    assert share.parse_tunnel_url("tunnel server offline: connect ECONNREFUSED") is None
    trace = ["/x/lt.js:81", "    throw err;", "    ^", "", "Error: subdomain is taken", "    at Tunnel.js:68:25"]
    assert share.lt_error(trace) == "subdomain is taken"
    log = ['{"level":"info","msg":"using provided configuration"}',
           "Error: loading initial config: listen tcp :443: bind: permission denied"]
    assert "permission denied" in share.caddy_problem(log) and "setcap" in share.caddy_problem(log)


# -- Caddy in front of the app, end to end ---------------------------------------------------

@pytest.fixture(scope="module")
def caddy_share(tmp_path_factory):
    """`python deploy/share.py caddy --domain http://127.0.0.1:P --user alice` (app + Caddy)."""
    assert CADDY, "caddy is not installed (./run.sh test installs it)"
    tmp = tmp_path_factory.mktemp("caddy-share")
    app_port, caddy_port = share.free_port(), share.free_port()
    env = subprocess_env(tmp)
    env["ZH_TTS_SHARE_PASSWORD"] = PASSWORD
    cmd = ShareCommand(["caddy", "--domain", f"http://127.0.0.1:{caddy_port}", "--user", USER,
                        "--port", str(app_port), "--caddyfile", str(tmp / "Caddyfile")], env)
    try:
        cmd.wait_for_line(r"\[share\] serving http://127\.0\.0\.1:\d+ through Caddy")
        yield {"base": f"http://127.0.0.1:{caddy_port}", "app_port": app_port, "caddy_port": caddy_port,
               "caddyfile": tmp / "Caddyfile", "cmd": cmd}
    finally:
        code = cmd.stop()
    assert code == 0, cmd.output
    assert "Traceback" not in cmd.output, cmd.output
    assert wait_closed(app_port) and wait_closed(caddy_port), "the app or Caddy outlived the share command"


def test_caddyfile_on_disk_holds_a_hash_not_the_password(caddy_share):
    path = caddy_share["caddyfile"]
    text = path.read_text()
    assert PASSWORD not in text and f"basicauth @login {{\n\t\t{USER} $2" in text
    assert path.stat().st_mode & 0o077 == 0


def test_openai_client_with_the_key_gets_audio(caddy_share):
    import openai

    client = openai.OpenAI(base_url=caddy_share["base"] + "/v1", api_key=PASSWORD, max_retries=0, timeout=120)
    audio = client.audio.speech.create(model="tts-1", voice="alloy", input=TEXT, response_format="wav")
    samples, rate = decode_wav(audio.read())
    assert_speech(samples, rate)


def test_openai_client_with_basic_auth_headers_gets_audio(caddy_share):
    """The other way for API clients: Basic credentials in default_headers (api_key unused)."""
    import openai

    basic = "Basic " + base64.b64encode(f"{USER}:{PASSWORD}".encode()).decode()
    client = openai.OpenAI(base_url=caddy_share["base"] + "/v1", api_key="unused", max_retries=0, timeout=120,
                           default_headers={"Authorization": basic})
    audio = client.audio.speech.create(model="tts-1", voice="nova", input="你好，欢迎使用。", response_format="wav")
    samples, rate = decode_wav(audio.read())
    assert_speech(samples, rate, "你好，欢迎使用。")


def test_openai_client_without_the_key_is_refused(caddy_share):
    import openai

    client = openai.OpenAI(base_url=caddy_share["base"] + "/v1", api_key="wrong-key", max_retries=0, timeout=60)
    with pytest.raises(openai.AuthenticationError) as info:
        client.audio.speech.create(model="tts-1", voice="alloy", input="你好", response_format="wav")
    assert info.value.status_code == 401


def test_plain_http_with_and_without_credentials(caddy_share):
    base = caddy_share["base"]
    body = {"model": "tts-1", "input": TEXT, "voice": "alloy", "response_format": "wav"}
    with httpx.Client(timeout=120) as http:
        ok = http.post(base + "/v1/audio/speech", json=body, auth=(USER, PASSWORD))
        assert ok.status_code == 200, ok.text
        assert ok.headers["content-type"].startswith("audio/wav")
        assert_speech(*decode_wav(ok.content))
        for auth in (None, (USER, "wrong"), ("mallory", PASSWORD)):
            refused = http.post(base + "/v1/audio/speech", json=body, auth=auth)
            assert refused.status_code == 401
            assert refused.headers.get("www-authenticate", "").startswith("Basic")
        assert http.get(base + "/v1/voices").status_code == 401
        assert http.get(base + "/metrics").status_code == 401
        assert http.get(base + "/").status_code == 401  # the UI too
        health = http.get(base + "/healthz")  # open for load balancers and uptime checks
        assert health.status_code == 200 and health.json()["status"] == "ok"


def test_pages_are_compressed_audio_is_not(caddy_share):
    base, auth = caddy_share["base"], (USER, PASSWORD)
    with httpx.Client(timeout=120) as http:
        page = http.get(base + "/", auth=auth, headers={"Accept-Encoding": "gzip"})
        assert page.status_code == 200 and "text/html" in page.headers["content-type"]
        assert page.headers.get("content-encoding") == "gzip"
        assert "中文语音合成" in page.text
        audio = http.post(base + "/v1/audio/speech", auth=auth, headers={"Accept-Encoding": "gzip, zstd"},
                          json={"input": "你好。", "response_format": "wav"})
        assert audio.status_code == 200 and "content-encoding" not in audio.headers


def read_stream(response) -> list[bytes]:
    assert response.headers.get("transfer-encoding") == "chunked", dict(response.headers)
    assert "content-length" not in response.headers and "content-encoding" not in response.headers
    return [chunk for chunk in response.iter_bytes() if chunk]


def test_streaming_passes_through_caddy_in_pieces(caddy_share):
    """stream=true audio arrives through Caddy as several pieces, not one buffered body."""
    import openai

    client = openai.OpenAI(base_url=caddy_share["base"] + "/v1", api_key=PASSWORD, max_retries=0, timeout=120)
    with client.audio.speech.with_streaming_response.create(
            model="tts-1", voice="alloy", input=TEXT, response_format="pcm", extra_body={"stream": True},
            extra_headers={"Accept-Encoding": "gzip, zstd"}) as response:
        assert response.headers["content-type"].startswith("audio/pcm")
        chunks = read_stream(response)
    assert len(chunks) >= 2, f"{len(chunks)} piece(s): the stream was buffered"
    pcm = np.frombuffer(b"".join(chunks), "<i2").astype(np.float64) / 32768
    assert rms(pcm) > 0.01
    report(f"through Caddy: streamed pcm arrived in {len(chunks)} pieces ({len(pcm) * 2 / 1024:.0f} KiB)")

    body = {"input": TEXT, "response_format": "wav", "stream": True}
    with httpx.Client(timeout=120) as http, http.stream("POST", caddy_share["base"] + "/v1/audio/speech", json=body,
                                                       auth=(USER, PASSWORD)) as response:
        assert response.status_code == 200
        chunks = read_stream(response)
    assert len(chunks) >= 2, f"{len(chunks)} piece(s): the stream was buffered"
    assert chunks[0][:4] == b"RIFF"


def test_the_ui_works_through_caddy_in_a_browser(caddy_share, tmp_path):
    """Gradio's event stream and HLS audio through the proxy, logged in with basic auth."""
    chromium = shutil.which("chromium") or "/usr/bin/chromium"
    assert Path(chromium).exists(), "no Chromium (./run.sh test installs Debian's chromium)"
    from playwright import sync_api
    args = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
            "--disable-component-update", "--disable-sync", "--no-first-run"]
    with sync_api.sync_playwright() as p:
        context = p.chromium.launch_persistent_context(
            str(tmp_path / "profile"), executable_path=chromium, headless=True, args=args,
            http_credentials={"username": USER, "password": PASSWORD})
        try:
            page = context.new_page()
            page.goto(caddy_share["base"] + "/", wait_until="domcontentloaded", timeout=120_000)
            page.locator("#tts-text textarea").fill("你好，这是通过反向代理的测试。")
            page.locator("#synthesize").click()
            sync_api.expect(page.locator("#tts-download a").first).to_be_attached(timeout=300_000)
            sync_api.expect(page.locator("#tts-status")).to_contain_text("server's first audio", timeout=300_000)
            href = page.locator("#tts-download a").first.get_attribute("href")
            wav = page.request.get(href)
            assert wav.ok
            samples, rate = decode_wav(wav.body())
            assert_speech(samples, rate, "你好，这是通过反向代理的测试。")
            src = page.locator("#tts-audio audio").get_attribute("src")
            assert src and src.startswith("blob:")
        finally:
            context.close()


@needs_caddy
def test_caddy_that_cannot_start_is_one_message_and_the_app_stops(tmp_path):
    busy = socket.create_server(("127.0.0.1", 0))  # Caddy's port, taken
    app_port = share.free_port()
    cmd = ShareCommand(["caddy", "--domain", f"http://127.0.0.1:{busy.getsockname()[1]}", "--port", str(app_port),
                        "--caddyfile", str(tmp_path / "Caddyfile")], subprocess_env(tmp_path))
    try:
        cmd.wait_for_line(r"^error: Caddy did not start: .*address already in use")
        code = cmd.proc.wait(120)
    finally:
        cmd.stop()
        busy.close()
    assert code == 1 and "Traceback" not in cmd.output, cmd.output
    assert wait_closed(app_port)


def test_share_without_a_password_or_terminal_says_what_to_set(tmp_path):
    env = subprocess_env(tmp_path)
    proc = subprocess.run([sys.executable, str(ROOT / "deploy" / "share.py"), "caddy", "--domain", "tts.example.com", "--user",
                           USER, "--port", str(share.free_port()), "--caddyfile", str(tmp_path / "Caddyfile")],
                          cwd=str(ROOT), env=env, stdin=subprocess.DEVNULL, capture_output=True, text=True,
                          timeout=120)
    if CADDY is None:
        assert proc.returncode == 1 and "Caddy is not installed" in proc.stderr
        return
    assert proc.returncode == 1, proc.stdout + proc.stderr
    assert "ZH_TTS_SHARE_PASSWORD" in proc.stderr and "Traceback" not in proc.stderr
    assert not (tmp_path / "Caddyfile").exists()


# -- localtunnel -----------------------------------------------------------------------------

def localtunnel_client() -> str | None:
    try:
        return share.find_localtunnel()
    except share.ShareError:
        return None


needs_lt = pytest.mark.usefixtures("localtunnel_installed")


@pytest.fixture()
def localtunnel_installed():
    assert localtunnel_client(), ("the localtunnel client is not installed: ./run.sh test installs it into "
                                  ".venv/tools (this test never reaches the internet)")


def closed_port() -> int:
    port = share.free_port()
    assert not share.port_open(port)
    return port


def app_keeps_serving(port: int) -> None:
    health = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=30)
    assert health.status_code == 200 and health.json()["status"] == "ok"


def test_localtunnel_missing_client_is_one_message_and_the_app_runs_on(tmp_path):
    app_port = share.free_port()
    cmd = ShareCommand(["localtunnel", "--port", str(app_port), "--lt-bin", str(tmp_path / "no-such-lt")],
                       subprocess_env(tmp_path))
    try:
        cmd.wait_for_line(r"the localtunnel client .* does not exist")
        cmd.wait_for_line(rf"keeps running locally at http://127\.0\.0\.1:{app_port}")
        app_keeps_serving(app_port)
    finally:
        code = cmd.stop()
    assert code == 0 and "Traceback" not in cmd.output, cmd.output
    assert wait_closed(app_port)


@needs_lt
def test_localtunnel_unreachable_server_is_one_message_and_the_app_runs_on(tmp_path):
    app_port, dead = share.free_port(), closed_port()
    cmd = ShareCommand(["localtunnel", "--port", str(app_port), "--tunnel-host", f"http://127.0.0.1:{dead}",
                        "--tunnel-timeout", "5", "--auth", f"{USER}:{PASSWORD}"], subprocess_env(tmp_path))
    try:
        m = cmd.wait_for_line(r"localtunnel: cannot reach the tunnel server (\S+) \((.*)\) within")
        assert m.group(1) == f"http://127.0.0.1:{dead}" and "ECONNREFUSED" in m.group(2)
        cmd.wait_for_line(rf"keeps running locally at http://127\.0\.0\.1:{app_port}")
        time.sleep(1)
        assert cmd.proc.poll() is None, cmd.output
        app_keeps_serving(app_port)
        speech = httpx.post(f"http://127.0.0.1:{app_port}/v1/audio/speech", auth=(USER, PASSWORD), timeout=120,
                            json={"input": "你好。", "response_format": "wav"})
        assert speech.status_code == 200
    finally:
        code = cmd.stop()
    assert code == 0, cmd.output
    assert "Traceback" not in cmd.output and "    at " not in cmd.output, cmd.output
    assert wait_closed(app_port)


class TunnelServer:
    """A loopback stand-in for a localtunnel server: `GET /?new` hands out a tunnel, the client
    dials the tunnel port, and a visitor's request is written into that connection."""

    def __init__(self, public_url: str):
        self.tunnel = socket.create_server(("127.0.0.1", 0))
        self.tunnel.settimeout(60)
        self.requests: list[str] = []
        info = {"id": "zh-tts-test", "ip": "127.0.0.1", "port": self.tunnel.getsockname()[1], "max_conn_count": 1,
                "url": public_url}
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802 - http.server's naming
                owner.requests.append(self.path)
                body = json.dumps(info).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        self.http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.http.server_address[1]}"
        threading.Thread(target=self.http.serve_forever, daemon=True).start()

    def visit(self, path: str, host: str) -> bytes:
        """One request from the 'internet' through the tunnel; the raw HTTP response."""
        conn, _ = self.tunnel.accept()
        with conn:
            conn.settimeout(60)
            conn.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\nConnection: close\r\n\r\n".encode())
            data = b""
            while chunk := conn.recv(65536):
                data += chunk
        return data

    def close(self) -> None:
        self.http.shutdown()
        self.http.server_close()
        self.tunnel.close()


@needs_lt
def test_localtunnel_prints_the_public_url_and_relays_requests(tmp_path):
    server = TunnelServer("https://zh-tts-test.tunnel.test")
    app_port = share.free_port()
    cmd = ShareCommand(["localtunnel", "--port", str(app_port), "--tunnel-host", server.url], subprocess_env(tmp_path))
    try:
        cmd.wait_for_line(r"\[share\] public URL: https://zh-tts-test\.tunnel\.test\b")
        assert server.requests == ["/?new"]
        response = server.visit("/healthz", "zh-tts-test.tunnel.test")
        head, _, body = response.partition(b"\r\n\r\n")
        assert head.startswith(b"HTTP/1.1 200"), response[:500]
        assert json.loads(body)["status"] == "ok"
    finally:
        code = cmd.stop()
        server.close()
    assert code == 0 and "Traceback" not in cmd.output, cmd.output
    assert wait_closed(app_port)
