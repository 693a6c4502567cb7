"""Security of the running server: file access, upload limits, CORS, errors without internals."""

from __future__ import annotations

import base64

import httpx
import pytest
from webserver import serve


# Security is plumbing: the tiny random-weight voice serves it (no fetched weights needed).
@pytest.fixture(scope="module")
def synth(tiny_synth):
    return tiny_synth


@pytest.fixture(scope="module")
def url(tiny_url):
    return tiny_url


@pytest.mark.parametrize("path", ["/gradio_api/file=/etc/passwd", "/gradio_api/file=../../../../etc/passwd",
                                  "/gradio_api/file=%2Fetc%2Fpasswd", "/file=/etc/passwd",
                                  "/gradio_api/file=/proc/self/environ", "/static/../../../etc/passwd"])
def test_no_file_outside_the_apps_areas_is_served(url, path):
    r = httpx.get(url + path)
    assert r.status_code in (400, 403, 404, 405)
    assert "root:" not in r.text and "PATH=" not in r.text


def test_uploads_are_capped(url):
    big = b"\0" * (17 * 2**20)
    r = httpx.post(f"{url}/gradio_api/upload", files={"files": ("big.wav", big, "audio/wav")}, timeout=60)
    assert r.status_code == 413, r.status_code


def test_reference_audio_in_the_api_is_capped(url):
    clip = base64.b64encode(b"\0" * (11 * 2**20)).decode()
    r = httpx.post(f"{url}/v1/audio/speech", json={"input": "你好", "reference_audio": clip}, timeout=60)
    assert r.status_code == 413 and r.json()["error"]["param"] == "reference_audio"


def test_cors_is_closed_by_default(url):
    r = httpx.options(f"{url}/v1/audio/speech", headers={"Origin": "https://evil.example",
                                                           "Access-Control-Request-Method": "POST"})
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}
    r = httpx.post(f"{url}/v1/audio/speech", json={"input": "你好", "response_format": "pcm"},
                   headers={"Origin": "https://evil.example"}, timeout=60)
    assert "access-control-allow-origin" not in {k.lower() for k in r.headers}


def test_cors_opens_only_for_named_origins(synth):
    with serve(synth, cors_origins=["https://intranet.example"]) as base:
        ok = httpx.options(f"{base}/v1/audio/speech", headers={"Origin": "https://intranet.example",
                                                                "Access-Control-Request-Method": "POST"})
        assert ok.headers.get("access-control-allow-origin") == "https://intranet.example"
        other = httpx.options(f"{base}/v1/audio/speech", headers={"Origin": "https://evil.example",
                                                                   "Access-Control-Request-Method": "POST"})
        assert other.headers.get("access-control-allow-origin") != "https://evil.example"


def test_unknown_routes_and_methods_reveal_nothing(url):
    for method, path in (("GET", "/v1/nothing"), ("PUT", "/v1/audio/speech"), ("GET", "/v1/audio/speech"),
                         ("DELETE", "/metrics")):
        r = httpx.request(method, url + path)
        assert 400 <= r.status_code < 500
        assert "Traceback" not in r.text and "/work/" not in r.text and "site-packages" not in r.text


def test_every_route_needs_credentials_when_auth_is_on(synth):
    with serve(synth, auth=("alice", "s3cret")) as base:
        for method, path in (("POST", "/v1/audio/speech"), ("GET", "/v1/voices"), ("GET", "/v1/models"),
                             ("GET", "/metrics"), ("GET", "/docs"), ("GET", "/openapi.json"),
                             ("GET", "/config"), ("POST", "/gradio_api/upload"), ("GET", "/gradio_api/info")):
            r = httpx.request(method, base + path, follow_redirects=False)
            assert r.status_code in (401, 403, 302, 307), (path, r.status_code)
        with httpx.Client(base_url=base) as browser:  # the UI's login: wrong, then right credentials
            assert browser.post("/login", data={"username": "alice", "password": "nope"}).status_code >= 400
            assert browser.get("/config").status_code in (401, 403)
            assert browser.post("/login", data={"username": "alice", "password": "s3cret"}).status_code == 200
            assert browser.get("/config").status_code == 200
        assert httpx.get(base + "/healthz").status_code == 200
