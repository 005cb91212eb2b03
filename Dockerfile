# callbot: CPU-only, non-root, the ONNX model exported and the index built at image build time.
# The install runs the Makefile's own steps (`make install`), so CI exercises what the image does.
FROM python:3.11-slim

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    CALLBOT_HEALTH_URL=http://127.0.0.1:9108/healthz

RUN apt-get update \
    && apt-get install -y --no-install-recommends make \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --create-home --uid 10001 --shell /usr/sbin/nologin callbot

WORKDIR /app
COPY --chown=callbot:callbot pyproject.toml Makefile README.md ./
COPY --chown=callbot:callbot bot ./bot
COPY --chown=callbot:callbot knowledge ./knowledge
RUN mkdir -p index && chown callbot:callbot /app /app/index
USER callbot

# CPU-only torch from PyTorch's CPU index (never the CUDA build), then the project;
# `make install` fails if any nvidia-* package slipped in.
RUN make install TORCH_PIP_ARGS="--index-url https://download.pytorch.org/whl/cpu"
# The ONNX export (index/models) and the first index version, baked in: a replica starts
# serving at once, and a fresh shared volume mounted at /app/index starts from this copy.
RUN .venv/bin/callbot index build

ENV PATH=/app/.venv/bin:$PATH
EXPOSE 3000 9108
# /healthz: 200 once connected (Socket Mode, Discord) or listening (Slack HTTP), 503 otherwise.
# Slack HTTP mode serves it on the app's port: set CALLBOT_HEALTH_URL to http://127.0.0.1:3000/healthz.
HEALTHCHECK --interval=15s --timeout=5s --start-period=60s --retries=3 \
    CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen(os.environ['CALLBOT_HEALTH_URL'], timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["callbot", "run"]
