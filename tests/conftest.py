"""Shared fixtures: the real embedding model (loaded once) and small seeds folders built per test."""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import textwrap
import time
import urllib.request
from dataclasses import replace
from pathlib import Path

import pytest

from bot.answer.prompts import PromptsError
from bot.bench.services import free_port
from bot.config import Settings
from bot.search.embedder import Embedder
from bot.search.onnx_encoder import load_embedder

# The school's instance folder (secret key, accounts, its library) for this run: never the repository's.
os.environ.setdefault("BOT_INSTANCE_DIR", tempfile.mkdtemp(prefix="bot-test-instance-"))
PROJECT_ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="session")
def embedder() -> Embedder:
    settings = Settings()
    return load_embedder(settings.resolved_model_path(), settings.index.max_seq_length)


@pytest.fixture(scope="session")
def default_settings() -> Settings:
    return Settings()


def write_manifest(seeds: Path, entries: list[dict]) -> None:
    lines = []
    for entry in entries:
        lines.append("[[document]]")
        for key, value in entry.items():
            if isinstance(value, list):
                items = ", ".join(repr_toml(v) for v in value)
                lines.append(f"{key} = [{items}]")
            else:
                lines.append(f"{key} = {repr_toml(value)}")
        lines.append("")
    (seeds / "manifest.toml").write_text("\n".join(lines), encoding="utf-8")


def assert_refused(load, path: Path, text: str, message: str) -> PromptsError:
    """Write `text` to the prompts file `path`; loading (``load(path)``) must stop with `message`."""
    path.write_text(text, encoding="utf-8")
    with pytest.raises(PromptsError, match=message) as caught:
        load(path)
    return caught.value


def repr_toml(value: str) -> str:
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'


GUIDANCE_TXT = textwrap.dedent("""\
    Staff handbook: responding to online harms

    If a pupil tells you about an image, listen calmly and do not promise to keep secrets.
    Report the disclosure to the designated safeguarding lead on the same day.

    Never ask a pupil to send you the image. Do not copy, print or forward it.

    SITE FOOTER - cookie settings - subscribe to our newsletter
    """)


@pytest.fixture
def txt_seeds(tmp_path: Path) -> Path:
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "handbook.txt").write_text(GUIDANCE_TXT, encoding="utf-8")
    write_manifest(seeds, [{
        "id": "handbook", "file": "handbook.txt", "title": "Staff handbook", "publisher": "Test School",
        "date": "2025-01-31", "end_before": "SITE FOOTER",
    }])
    return seeds


def settings_for(seeds: Path, index_dir: Path) -> Settings:
    return replace(Settings(), seeds_dir=seeds, index_dir=index_dir)


@pytest.fixture
def built(txt_seeds: Path, tmp_path: Path, embedder) -> Settings:
    """Settings of a small library already indexed in a temporary folder."""
    from bot.search.index import build_index

    settings = settings_for(txt_seeds, tmp_path / "index")
    build_index(settings, embedder=embedder, progress=False)
    return settings


@pytest.fixture(scope="session")
def engine(embedder):
    """One answer engine for the whole run, on the default library (loading it takes seconds)."""
    from bot.answer.engine import AnswerEngine

    loaded = AnswerEngine.load(Settings())
    loaded.index.dense.embedder = embedder
    return loaded


@pytest.fixture(scope="session")
def news_engine(embedder, tmp_path_factory):
    """An engine on the news seeds alone: the library the answer stage's bars were set on."""
    from bot.answer.engine import AnswerEngine
    from bot.evaluation.profiles import lay_out
    from bot.search.index import build_index

    folder = tmp_path_factory.mktemp("news")
    settings = replace(Settings(), seeds_dir=lay_out("news", folder / "seeds"), index_dir=folder / "index")
    build_index(settings, embedder=embedder, progress=False)
    return AnswerEngine.load(settings, embedder=embedder)


@pytest.fixture
def app(engine, tmp_path):
    from bot.web.app import create_app

    return create_app({"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "off", "INSTANCE_DIR": tmp_path / "instance"})


@pytest.fixture
def client(app):
    return app.test_client()


def start_server(*extra: str, env: dict | None = None) -> tuple[subprocess.Popen, str]:
    """`python -m bot serve` on a free loopback port, returned once /healthz answers 200.

    Its output goes to a temporary file (`proc.log`), never a pipe nobody reads, which would stall
    a chatty server once the pipe's buffer filled.
    """
    port = free_port()
    env = {**os.environ, "PYTHONUNBUFFERED": "1",
           "BOT_INSTANCE_DIR": tempfile.mkdtemp(prefix="bot-instance-"), **(env or {})}
    log = tempfile.TemporaryFile("w+", encoding="utf-8")
    proc = subprocess.Popen([sys.executable, "-m", "bot", "serve", "--port", str(port), *extra], cwd=PROJECT_ROOT,
                            env=env, stdout=log, stderr=subprocess.STDOUT, text=True)
    proc.log = log
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 180
    while True:
        try:
            with urllib.request.urlopen(url + "/healthz", timeout=2) as response:
                if response.status == 200:
                    return proc, url
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                log.seek(0)
                pytest.fail("the server did not start: " + log.read())
            time.sleep(0.5)


@pytest.fixture(scope="session")
def server_url():
    proc, url = start_server()
    yield url
    proc.terminate()
    proc.wait(timeout=20)


@pytest.fixture(scope="session")
def postgres():
    """A real PostgreSQL from the Debian package, in a temporary folder (skipped, with the reason,
    where it cannot be started; `make test` installs it)."""
    from bot.bench.services import PostgresServer, ServiceUnavailable

    try:
        server = PostgresServer().start()
    except ServiceUnavailable as exc:
        pytest.skip(f"PostgreSQL is needed here: {exc}")
    yield server
    server.stop()
