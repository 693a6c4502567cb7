"""Put the web app online: a localtunnel URL, or Caddy (automatic TLS, password) in front of it.

    python deploy/share.py localtunnel [--port P] [--subdomain S] [app options]
    python deploy/share.py caddy --domain D [--user U] [--email E] [--port P] [app options]

(`./run.sh --share localtunnel|caddy ...` runs this after setting up.) Either way the app itself
runs on 127.0.0.1:P (python app.py --host 127.0.0.1 --port P plus the app options given) and
only the front process faces the network.

localtunnel: the npm client (`lt`, installed by run.sh into .venv/tools) asks the tunnel server
for a public https URL and relays requests to the app. When the tunnel server cannot be reached,
this says so in one message and the app goes on serving locally.

caddy: writes a Caddyfile from deploy/Caddyfile.template (reverse proxy with flush_interval -1
so audio streams through unbuffered, compression for pages but not audio, HTTP basic auth with a
bcrypt hash when --user is given) and runs Caddy with it. With a plain domain Caddy listens on
:443 and :80 and gets a certificate by itself; an address with a scheme, e.g.
http://127.0.0.1:8080, is served as given (plain HTTP, no certificates). Behind --user, API
clients may send `Authorization: Bearer <key>` instead of a login, so OpenAI SDKs work
unchanged; the key is $ZH_TTS_API_KEY, or the password when that is not set.

The password comes from $ZH_TTS_SHARE_PASSWORD or is asked for on the terminal; the Caddyfile
holds only its bcrypt hash, and the key reaches Caddy through its environment, not the file.
"""

from __future__ import annotations

import argparse
import getpass
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TEMPLATE = ROOT / "deploy" / "Caddyfile.template"
LOCALTUNNEL_BIN = ROOT / ".venv" / "tools" / "node_modules" / ".bin" / "lt"
DEFAULT_TUNNEL_HOST = "https://localtunnel.me"
API_KEY_ENV = "ZH_TTS_API_KEY"
PASSWORD_ENV = "ZH_TTS_SHARE_PASSWORD"
URL_LINE = re.compile(r"your url is:\s*(https?://\S+)")
OFFLINE_LINE = re.compile(r"tunnel server offline:\s*(.*?)(?:,\s*retry \S+)?\s*$")
USER_NAME = re.compile(r"^[A-Za-z0-9._@+-]{1,64}$")
# Caddy's header matcher treats * as a wildcard and {...} as placeholders; a key with these (or
# with quotes, backslashes, spaces) would not mean what it says, so such a key is not used.
UNSAFE_KEY_CHARS = set('*{}"\\') | {" ", "\t", "\r", "\n"}
# yargs in the lt client reads every environment variable as an option (HOST -> --host, ...).
LT_ENV_OPTIONS = {"P", "PORT", "H", "HOST", "S", "SUBDOMAIN", "L", "LOCAL_HOST", "LOCAL_HTTPS", "LOCAL_CERT",
                  "LOCAL_KEY", "LOCAL_CA", "ALLOW_INVALID_CERT", "O", "OPEN", "PRINT_REQUESTS"}


class ShareError(Exception):
    """A problem to report in one line (no stack trace)."""


def say(message: str) -> None:
    print(f"[share] {message}", flush=True)


# -- processes -------------------------------------------------------------------------------

def _parent_death_signal():
    """A preexec_fn asking Linux to SIGTERM the child when this process dies (PR_SET_PDEATHSIG), so
    that a killed share command leaves no app or Caddy behind. libc is loaded here, before the
    fork: the child then only makes the call."""
    if not sys.platform.startswith("linux"):
        return None
    try:
        import ctypes

        prctl = ctypes.CDLL("libc.so.6", use_errno=True).prctl
    except (OSError, AttributeError):
        return None
    return lambda: prctl(1, signal.SIGTERM)


def spawn(cmd: list[str], **kwargs) -> subprocess.Popen:
    """Start a child in its own process group (a terminal's Ctrl+C reaches only this process, which
    then stops the children in order), bound to die with this process."""
    return subprocess.Popen(cmd, process_group=0, preexec_fn=_parent_death_signal(), **kwargs)


def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM, grace: float = 15.0) -> int | None:
    """Signal the child, wait up to `grace` seconds, then kill it; returns its exit status."""
    if proc is None:
        return None
    if proc.poll() is None:
        try:
            proc.send_signal(sig)
            proc.wait(grace)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        except ProcessLookupError:
            pass
    return proc.returncode


def free_port(host: str = "127.0.0.1") -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((host, 0))
        return s.getsockname()[1]


def port_open(port: int, host: str = "127.0.0.1") -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=3) as r:
            return r.status == 200
    except (OSError, urllib.error.URLError, ValueError):
        return False


class LineReader:
    """Reads a child's output stream line by line on a thread; keeps the last lines, calls back."""

    def __init__(self, stream, on_line=None, keep: int = 50):
        self.lines: deque[str] = deque(maxlen=keep)
        self._on_line = on_line
        self._thread = threading.Thread(target=self._run, args=(stream,), daemon=True)
        self._thread.start()

    def _run(self, stream) -> None:
        for raw in iter(stream.readline, ""):
            line = raw.rstrip("\r\n")
            self.lines.append(line)
            if self._on_line:
                self._on_line(line)
        stream.close()

    def join(self, timeout: float = 2.0) -> None:
        self._thread.join(timeout)


# A shared service meets strangers and scripts gone wrong: stricter per-client limits than on a
# team's own machine (one synthesis request in progress per client, 60 API requests a minute),
# unless the app options given say otherwise.
PUBLIC_LIMITS = (("--client-concurrency", "1"), ("--rate-limit", "60"))


def public_limits(app_args: list[str]) -> list[str]:
    """The app options with the public limits added where they were not given."""
    added = [part for name, value in PUBLIC_LIMITS if not has_option(app_args, name) for part in (name, value)]
    return [*app_args, *added]


def start_app(port: int, app_args: list[str], timeout: float = 600.0) -> subprocess.Popen:
    """python app.py on 127.0.0.1:port, with the public limits; returns once /healthz answers 200."""
    cmd = [sys.executable, str(ROOT / "app.py"), *public_limits(app_args), "--host", "127.0.0.1", "--port", str(port)]
    proc = spawn(cmd, cwd=str(ROOT))
    url = f"http://127.0.0.1:{port}/healthz"
    deadline = time.monotonic() + timeout
    try:
        while not healthy(url):
            if proc.poll() is not None:
                raise ShareError(f"the app exited (status {proc.returncode}) before it was ready; its log is above")
            if time.monotonic() > deadline:
                raise ShareError(f"the app did not answer {url} within {timeout:.0f} s")
            time.sleep(0.3)
    except BaseException:  # also Ctrl+C while waiting: never leave the app behind
        stop(proc, signal.SIGINT)
        raise
    return proc


# -- caddy -----------------------------------------------------------------------------------

def site_address(domain: str) -> str:
    domain = domain.strip()
    if not domain or any(c.isspace() for c in domain) or any(c in domain for c in "{}\"'#"):
        raise ShareError(f"--domain {domain!r} is not a host name or site address")
    return domain


def plain_http(address: str) -> bool:
    return address.lower().startswith("http://")


def usable_api_key(key: str | None) -> bool:
    return bool(key) and not (set(key) & UNSAFE_KEY_CHARS)


def render_caddyfile(address: str, upstream: str, user: tuple[str, str] | None = None, api_key: bool = False,
                     email: str | None = None, http_port: int | None = None, https_port: int | None = None,
                     template: Path = TEMPLATE) -> str:
    """The Caddyfile for `address` -> `upstream`; `user` is (name, bcrypt hash) for basic auth, and
    `api_key` lets requests carrying `Authorization: Bearer $ZH_TTS_API_KEY` past the login."""
    options = ["admin off"]  # this process starts and stops Caddy itself; no admin port to clash
    if plain_http(address):
        options.append("auto_https off")
    if email:
        options.append(f"email {email}")
    if http_port:
        options.append(f"http_port {int(http_port)}")
    if https_port:
        options.append(f"https_port {int(https_port)}")
    auth = ""
    if user:
        name, hashed = user
        if not USER_NAME.match(name):
            raise ShareError(f"--user {name!r}: use letters, digits and . _ @ + - only")
        bypass = (f'\t\tnot header Authorization "Bearer {{env.{API_KEY_ENV}}}"\n' if api_key else "")
        auth = ("\t# Everyone logs in except health checks"
                + ("; API clients (OpenAI SDKs) may instead send\n"
                   f"\t# \"Authorization: Bearer <key>\", the key taken from Caddy's environment (${API_KEY_ENV}).\n"
                   if api_key else ".\n")
                + "\t@login {\n\t\tnot path /healthz\n" + bypass + "\t}\n"
                + f"\tbasicauth @login {{\n\t\t{name} {hashed}\n\t}}\n")
    fields = {"GLOBAL_OPTIONS": "\n".join(f"\t{o}" for o in options), "SITE_ADDRESS": address,
              "AUTH": auth.rstrip("\n"), "UPSTREAM": upstream}
    text = template.read_text(encoding="utf-8")
    for key, value in fields.items():
        text = text.replace("{{" + key + "}}", value)
    left = re.findall(r"\{\{[A-Z_]+\}\}", text)
    if left:
        raise ShareError(f"{template} has fields this version does not fill: {', '.join(left)}")
    return text


def find_caddy(path: str | None = None) -> str:
    found = shutil.which(path or os.environ.get("ZH_TTS_CADDY") or "caddy")
    if not found:
        raise ShareError("Caddy is not installed: on Debian/Ubuntu `sudo apt-get install caddy` "
                         "(the package's own caddy service may then hold ports 80/443: "
                         "`sudo systemctl disable --now caddy`)")
    return found


def hash_password(password: str, caddy: str = "caddy") -> str:
    """bcrypt hash from `caddy hash-password` (the password goes over stdin, not the command line)."""
    if not password or "\n" in password or "\r" in password:
        raise ShareError("the password must be one non-empty line")
    proc = subprocess.run([caddy, "hash-password"], input=password + "\n", capture_output=True, text=True,
                          timeout=60)
    hashed = proc.stdout.strip().splitlines()[-1] if proc.stdout.strip() else ""
    if proc.returncode != 0 or not hashed.startswith("$2"):
        raise ShareError(f"`caddy hash-password` failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return hashed


def read_password(user: str) -> str:
    password = os.environ.get(PASSWORD_ENV)
    if password:
        return password
    if not sys.stdin.isatty():
        raise ShareError(f"no terminal to ask for {user}'s password: set {PASSWORD_ENV}")
    password = getpass.getpass(f"Password for {user}: ")
    if password != getpass.getpass("Again: "):
        raise ShareError("the passwords differ")
    return password


def caddy_problem(lines) -> str:
    """The most telling error in Caddy's log (plain 'Error: ...' lines and JSON error entries)."""
    found = ""
    for line in lines:
        if line.startswith("Error:"):
            found = line[len("Error:"):].strip()
        elif line.startswith("{"):
            try:
                entry = json.loads(line)
            except ValueError:
                continue
            if entry.get("level") in ("error", "fatal"):
                found = entry.get("msg", "") + (f": {entry['error']}" if entry.get("error") else "")
    if not found:
        return "no error logged"
    if "permission denied" in found and re.search(r":(80|443)\b", found):
        found += (". Ports below 1024 need root or `sudo setcap cap_net_bind_service=+ep $(command -v caddy)`, "
                  "or choose others with --http-port/--https-port")
    if "address already in use" in found:
        found += ". Another server holds that port: Debian's caddy service? (`sudo systemctl stop caddy`)"
    return found


class Caddy:
    def __init__(self, caddyfile: Path, caddy: str, env: dict[str, str]):
        self.caddyfile, self.bin, self.env = caddyfile, caddy, env
        self.proc: subprocess.Popen | None = None
        self.ready = threading.Event()
        self.reader: LineReader | None = None

    def _line(self, line: str) -> None:
        if "serving initial configuration" in line:
            self.ready.set()
        elif self.ready.is_set() and (line.startswith("Error:") or '"level":"error"' in line):
            print(f"[caddy] {line}", file=sys.stderr, flush=True)  # start-up errors are summed up instead

    def start(self, timeout: float = 30.0) -> None:
        cmd = [self.bin, "run", "--config", str(self.caddyfile), "--adapter", "caddyfile"]
        self.proc = spawn(cmd, env=self.env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                          cwd=str(self.caddyfile.parent))
        self.reader = LineReader(self.proc.stderr, self._line, keep=200)
        deadline = time.monotonic() + timeout
        while not self.ready.wait(0.2):
            if self.proc.poll() is not None or time.monotonic() > deadline:
                self.stop()
                self.reader.join()
                raise ShareError(f"Caddy did not start: {caddy_problem(self.reader.lines)}")

    def stop(self) -> None:
        stop(self.proc, signal.SIGTERM, grace=10)


# -- localtunnel -------------------------------------------------------------------------------

def parse_tunnel_url(line: str) -> str | None:
    m = URL_LINE.search(line)
    return m.group(1) if m else None


def find_localtunnel(path: str | None = None) -> str:
    candidate = path or os.environ.get("ZH_TTS_LT")
    if candidate:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
        raise ShareError(f"the localtunnel client {candidate} does not exist or cannot run")
    if LOCALTUNNEL_BIN.is_file():
        return str(LOCALTUNNEL_BIN)
    found = shutil.which("lt")
    if found:
        return found
    raise ShareError("the localtunnel client is not installed: `./run.sh --share localtunnel` installs it "
                     "(npm install --prefix .venv/tools localtunnel)")


def lt_error(lines) -> str:
    """A one-line reason from the lt client's stderr (node prints whole stack traces)."""
    for line in lines:
        m = re.match(r"\s*(?:Uncaught\s+)?(?:\w*Error):\s*(.+)", line)
        if m:
            return m.group(1).strip()
    meaningful = [x.strip() for x in lines if x.strip() and not x.lstrip().startswith("at ")]
    return meaningful[-1] if meaningful else "no message"


class LocalTunnel:
    def __init__(self, port: int, lt: str, host: str = DEFAULT_TUNNEL_HOST, subdomain: str | None = None):
        self.port, self.bin, self.host, self.subdomain = port, lt, host.rstrip("/"), subdomain
        self.proc: subprocess.Popen | None = None
        self.url: str | None = None
        self.offline_reason: str | None = None
        self.got_url = threading.Event()
        self.errors: LineReader | None = None

    def _stdout(self, line: str) -> None:
        url = parse_tunnel_url(line)
        if url and not self.url:
            self.url = url
            self.got_url.set()

    def _stderr(self, line: str) -> None:
        m = OFFLINE_LINE.search(line)
        if m:
            self.offline_reason = m.group(1).strip()

    def start(self, timeout: float = 20.0) -> str:
        """The public URL; raises ShareError (after stopping the client) when there is none in time."""
        cmd = [self.bin, "--port", str(self.port), "--host", self.host]
        if self.subdomain:
            cmd += ["--subdomain", self.subdomain]
        env = {k: v for k, v in os.environ.items() if k.upper() not in LT_ENV_OPTIONS}
        env["DEBUG"] = "localtunnel:client"  # the client says why it cannot reach the server only here
        self.proc = spawn(cmd, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        LineReader(self.proc.stdout, self._stdout)
        self.errors = LineReader(self.proc.stderr, self._stderr, keep=100)
        deadline = time.monotonic() + timeout
        while not self.got_url.wait(0.2):
            if self.proc.poll() is not None:
                self.errors.join()
                raise ShareError(f"the localtunnel client stopped: {lt_error(self.errors.lines)}")
            if time.monotonic() > deadline:
                self.stop()
                reason = f" ({self.offline_reason})" if self.offline_reason else ""
                raise ShareError(f"cannot reach the tunnel server {self.host}{reason} within {timeout:.0f} s")
        return self.url

    def stop(self) -> None:
        stop(self.proc, signal.SIGTERM, grace=5)


# -- command line ----------------------------------------------------------------------------

def parse_args(argv: list[str] | None = None) -> tuple[argparse.Namespace, list[str]]:
    p = argparse.ArgumentParser(prog="python deploy/share.py",
                                description="Share the Mandarin TTS web app through localtunnel or Caddy. "
                                            "Options not listed here go to app.py.")
    sub = p.add_subparsers(dest="mode", required=True)
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--port", type=int, default=int(os.environ.get("ZH_TTS_PORT", "7860")),
                        help="the app's port on 127.0.0.1 (default 7860)")
    common.add_argument("--host", default=None, help=argparse.SUPPRESS)  # the app stays on loopback
    lt = sub.add_parser("localtunnel", parents=[common], help="a public https URL through a localtunnel server")
    lt.add_argument("--subdomain", default=None, help="ask the tunnel server for this subdomain")
    lt.add_argument("--tunnel-host", default=os.environ.get("ZH_TTS_TUNNEL_HOST", DEFAULT_TUNNEL_HOST),
                    help=f"the localtunnel server (default {DEFAULT_TUNNEL_HOST})")
    lt.add_argument("--tunnel-timeout", type=float, default=20.0,
                    help="seconds to wait for a tunnel before giving up (default 20)")
    lt.add_argument("--lt-bin", default=None, help="the lt client (default .venv/tools/node_modules/.bin/lt)")
    cd = sub.add_parser("caddy", parents=[common], help="Caddy with automatic TLS and a password in front")
    cd.add_argument("--domain", required=True,
                    help="domain name (TLS on :443, :80 redirects), or a site address such as http://HOST:PORT")
    cd.add_argument("--user", default=None, help=f"require this login (password: ${PASSWORD_ENV} or asked)")
    cd.add_argument("--email", default=None, help="contact address for the ACME account (optional)")
    cd.add_argument("--http-port", type=int, default=None, help="Caddy's HTTP port (default 80)")
    cd.add_argument("--https-port", type=int, default=None, help="Caddy's HTTPS port (default 443)")
    cd.add_argument("--caddyfile", default=None,
                    help="where to write the Caddyfile (default $XDG_CONFIG_HOME/zh-tts/Caddyfile)")
    cd.add_argument("--caddy-bin", default=None, help="the caddy binary (default: caddy on PATH)")
    cd.add_argument("--write-only", action="store_true", help="write the Caddyfile, print it, start nothing")
    return p.parse_known_args(argv)


def default_caddyfile() -> Path:
    config = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return Path(config) / "zh-tts" / "Caddyfile"


def has_option(args: list[str], name: str) -> bool:
    return any(a == name or a.startswith(name + "=") for a in args)


def wait_for(app: subprocess.Popen, watch: subprocess.Popen | None = None, on_watch_exit=None) -> int:
    """Block until the app exits (or a signal arrives); report once if `watch` stops first."""
    while app.poll() is None:
        if watch is not None and watch.poll() is not None:
            if on_watch_exit:
                on_watch_exit()
            watch = None
        time.sleep(0.5)
    return app.returncode


def run_localtunnel(args, app_args: list[str]) -> int:
    if not has_option(app_args, "--auth") and not os.environ.get("ZH_TTS_AUTH"):
        say("note: no --auth USER:PASS given, so anyone who has the URL can use the service")
    try:
        lt_bin = find_localtunnel(args.lt_bin)
    except ShareError as exc:
        lt_bin, missing = None, exc
    app = start_app(args.port, app_args)
    tunnel = None
    local = f"http://127.0.0.1:{args.port}"
    try:
        if lt_bin is None:
            say(f"{missing}.")
            say(f"The app keeps running locally at {local} (Ctrl+C stops it).")
            return wait_for(app)
        tunnel = LocalTunnel(args.port, lt_bin, args.tunnel_host, args.subdomain)
        try:
            url = tunnel.start(args.tunnel_timeout)
        except ShareError as exc:
            say(f"localtunnel: {exc}.")
            say(f"The app keeps running locally at {local} (Ctrl+C stops it).")
            say("Check this machine's internet access, or serve it from your own domain: "
                "./run.sh --share caddy --domain DOMAIN --user NAME")
            return wait_for(app)
        say(f"public URL: {url}  (the app itself: {local}; Ctrl+C stops both)")
        if args.tunnel_host == DEFAULT_TUNNEL_HOST:
            say("loca.lt shows first-time visitors a page asking for a tunnel password: this machine's public IP "
                "(https://loca.lt/mytunnelpassword); API clients skip it with the header 'bypass-tunnel-reminder: 1'")

        def closed():
            say(f"the tunnel closed ({lt_error(tunnel.errors.lines)}); the app keeps running at {local}")

        return wait_for(app, tunnel.proc, closed)
    finally:
        if tunnel:
            tunnel.stop()
        stop(app, signal.SIGINT)


def run_caddy(args, app_args: list[str]) -> int:
    address = site_address(args.domain)
    caddy = find_caddy(args.caddy_bin)
    user = None
    env = dict(os.environ)
    api_key = False
    if args.user:
        if not USER_NAME.match(args.user):
            raise ShareError(f"--user {args.user!r}: use letters, digits and . _ @ + - only")
        password = read_password(args.user)
        user = (args.user, hash_password(password, caddy))
        key = os.environ.get(API_KEY_ENV) or password
        api_key = usable_api_key(key)
        if api_key:
            env[API_KEY_ENV] = key
        else:
            say(f"note: API clients must use basic auth: the key/password has characters (* {{ }} \" \\ or spaces) "
                f"a Caddy header match cannot hold; set {API_KEY_ENV} to a key without them for Bearer auth")
        if has_option(app_args, "--auth"):
            say("note: --auth as well as --user: clients will have to pass both Caddy's login and the app's")
    else:
        say(f"note: no --user given, so anyone who can reach {address} can use the service")
    upstream = f"127.0.0.1:{args.port}"
    path = Path(args.caddyfile).expanduser() if args.caddyfile else default_caddyfile()
    path.parent.mkdir(parents=True, exist_ok=True)
    text = render_caddyfile(address, upstream, user, api_key, args.email, args.http_port, args.https_port)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        f.write(text)
    say(f"wrote {path}")
    if args.write_only:
        print(text, end="")
        return 0
    app = start_app(args.port, app_args)
    front = Caddy(path, caddy, env)
    try:
        front.start()
        shown = address if "://" in address else f"https://{address}"
        say(f"serving {shown} through Caddy -> app on {upstream}"
            + (f"; login {args.user}" + (", or Authorization: Bearer <key>" if api_key else "") if user else "")
            + " (Ctrl+C stops both)")
        return wait_for(app, front.proc,
                        lambda: say(f"Caddy stopped: {caddy_problem(front.reader.lines)}; the app keeps running "
                                    f"on {upstream}"))
    finally:
        front.stop()
        stop(app, signal.SIGINT)


def main(argv: list[str] | None = None) -> int:
    args, app_args = parse_args(argv)
    if args.host and args.host not in ("127.0.0.1", "localhost"):
        say(f"note: --host {args.host} ignored: behind {args.mode} the app listens on 127.0.0.1 only")

    def terminate(signum, frame):
        # Once: a second Ctrl+C or SIGTERM must not cut the orderly stop of the children short.
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
        raise KeyboardInterrupt

    signal.signal(signal.SIGINT, terminate)
    signal.signal(signal.SIGTERM, terminate)
    try:
        if not getattr(args, "write_only", False) and port_open(args.port):
            raise ShareError(f"port {args.port} on 127.0.0.1 is in use already: choose another with --port")
        if args.mode == "localtunnel":
            return run_localtunnel(args, app_args)
        return run_caddy(args, app_args)
    except ShareError as exc:
        print(f"error: {exc}", file=sys.stderr, flush=True)
        return 1
    except KeyboardInterrupt:
        say("stopped")
        return 0


if __name__ == "__main__":
    sys.exit(main())
