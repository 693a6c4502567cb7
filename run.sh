#!/usr/bin/env bash
# One command for a fresh machine.
#   ./run.sh [app options]      set up, then start the web app (http://127.0.0.1:7860)
#   ./run.sh test [pytest args] set up (with test tools), then run the whole test suite
#   ./run.sh test -m "not real_weights"   the fast tier: no pretrained weights needed or fetched
#   ./run.sh cluster [options]  set up (with the cluster extra: Ray Serve), start a local Ray head
#                               and the API replicas of deploy/ray/serve.yaml, print the URL;
#                               Ctrl-C stops what it started (docs/cluster.md)
#   ./run.sh --share localtunnel [--subdomain S] [app options]
#                               a public URL through localtunnel (npm client put in .venv/tools)
#   ./run.sh --share caddy --domain D [--user U] [--email E] [app options]
#                               Caddy in front: automatic TLS for D, login U (password from
#                               $ZH_TTS_SHARE_PASSWORD or asked); see deploy/share.py
# Set-up is idempotent: a virtual environment in .venv, pinned requirements, ffmpeg from the
# imageio-ffmpeg wheel, and the pretrained weights (fetched and converted once).
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
log() { printf '[run.sh] %s\n' "$*" >&2; }

need_python() {
  if ! command -v "$PYTHON" >/dev/null 2>&1; then
    log "error: $PYTHON not found; install Python 3.11 or set PYTHON=/path/to/python3"
    exit 1
  fi
}

# Install a requirements file only when it changed since the last successful install.
install_requirements() {
  local file=$1 stamp="$VENV/.stamp-$(basename "$1")"
  local sum
  sum=$(cat "$file" requirements.txt | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ]; then
    return
  fi
  log "installing $file (first run takes a few minutes) ..."
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q -r "$file"
  echo "$sum" >"$stamp"
}

# The project itself, editable, so `.venv/bin/zh-tts` works from any directory. No build
# isolation and no dependencies: its requirements are the pinned ones installed just before.
install_project() {
  local stamp="$VENV/.stamp-project"
  local sum
  sum=$(sha256sum pyproject.toml | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$sum" ] && [ -x "$VENV/bin/zh-tts" ]; then
    return
  fi
  log "installing the project (editable) into $VENV"
  "$VENV/bin/python" -m pip install --disable-pip-version-check -q --no-deps --no-build-isolation -e .
  echo "$sum" >"$stamp"
}

setup_venv() {
  need_python
  if [ ! -x "$VENV/bin/python" ]; then
    log "creating virtual environment in $VENV"
    "$PYTHON" -m venv "$VENV"
    "$VENV/bin/python" -m pip install --disable-pip-version-check -q --upgrade pip
  fi
  install_requirements requirements.txt
  install_project
  # Gradio's streaming audio goes through ffmpeg (pydub); take the binary from the wheel.
  if [ ! -x "$VENV/bin/ffmpeg" ]; then
    ln -sf "$("$VENV/bin/python" -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')" "$VENV/bin/ffmpeg"
  fi
  export PATH="$PWD/$VENV/bin:$PATH"
  if [ -z "${ZH_TTS_NO_FETCH:-}" ]; then
    "$VENV/bin/python" -m tts fetch
  fi
}

# Debian packages the tests drive for real: a browser, Caddy, espeak-ng, sox and a CJK font.
setup_test_tools() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v caddy >/dev/null 2>&1 || missing+=(caddy)
  command -v espeak-ng >/dev/null 2>&1 || missing+=(espeak-ng)
  command -v sox >/dev/null 2>&1 || missing+=(sox)
  # The cluster tests run their Ray nodes in a network namespace of their own (unshare, ip).
  command -v unshare >/dev/null 2>&1 || missing+=(util-linux)
  command -v ip >/dev/null 2>&1 || missing+=(iproute2)
  # A private PostgreSQL server for the job store shared by cluster replicas (tests/pgserver.py;
  # Debian keeps initdb and pg_ctl off PATH).
  compgen -G "/usr/lib/postgresql/*/bin/initdb" >/dev/null || missing+=(postgresql)
  # A CJK font, so the browser test's screenshots show Chinese text.
  [ -e /usr/share/fonts/truetype/wqy/wqy-microhei.ttc ] || missing+=(fonts-wqy-microhei)
  if [ ${#missing[@]} -gt 0 ]; then
    local sudo=""
    [ "$(id -u)" -ne 0 ] && sudo="sudo"
    log "installing ${missing[*]} with apt-get ..."
    $sudo apt-get update -qq >/dev/null
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  fi
}

# --share: the npm localtunnel client, pinned, kept inside the (git-ignored) virtual environment.
LOCALTUNNEL_VERSION=2.0.2
setup_localtunnel() {
  local dir="$VENV/tools"
  if grep -qs "\"version\": \"$LOCALTUNNEL_VERSION\"" "$dir/node_modules/localtunnel/package.json" &&
    [ -x "$dir/node_modules/.bin/lt" ]; then
    return
  fi
  if ! command -v npm >/dev/null 2>&1; then
    log "error: --share localtunnel needs npm (Node.js): e.g. sudo apt-get install npm"
    exit 1
  fi
  log "installing localtunnel $LOCALTUNNEL_VERSION into $dir ..."
  mkdir -p "$dir"
  npm install --prefix "$dir" --no-audit --no-fund --loglevel=error --save-exact \
    "localtunnel@$LOCALTUNNEL_VERSION" >&2
}

# ./run.sh [app options] --share MODE [share options]: the app behind localtunnel or Caddy.
run_shared() {
  local mode="" args=()
  while [ $# -gt 0 ]; do
    case "$1" in
      --share)
        [ $# -ge 2 ] || { log "error: --share needs a mode: localtunnel or caddy"; exit 2; }
        mode=$2
        shift 2
        ;;
      --share=*) mode=${1#--share=}; shift ;;
      *) args+=("$1"); shift ;;
    esac
  done
  case "$mode" in
    localtunnel|caddy) ;;
    *) log "error: --share $mode: choose localtunnel or caddy"; exit 2 ;;
  esac
  setup_venv
  if [ "$mode" = localtunnel ]; then setup_localtunnel; fi
  exec "$VENV/bin/python" deploy/share.py "$mode" ${args[@]+"${args[@]}"}
}

case "${1:-}" in
  test)
    shift
    # The fast tier (-m "not real_weights") needs no pretrained weights: do not fetch them.
    case " $* " in *"not real_weights"*) ZH_TTS_NO_FETCH=1 ;; esac
    setup_venv
    install_requirements requirements-dev.txt
    install_requirements requirements-cluster.txt  # the cluster tests (tests/test_cluster.py)
    setup_test_tools
    setup_localtunnel  # the sharing tests drive the real client against a stand-in tunnel server
    # Lint and type checks first (config in pyproject.toml): a finding fails the run before any
    # test starts.
    log "ruff check tts; mypy (tts/)"
    "$VENV/bin/python" -m ruff check tts
    "$VENV/bin/python" -m mypy
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  cluster)
    shift
    setup_venv
    install_requirements requirements-cluster.txt
    exec "$VENV/bin/python" -m tts.apps.cluster "$@"
    ;;
  *)
    for arg in "$@"; do
      case "$arg" in --share|--share=*) run_shared "$@" ;; esac
    done
    setup_venv
    exec "$VENV/bin/python" app.py "$@"
    ;;
esac
