"""Faults: each gives one clear line, a non-zero exit where it is a command, and leaves the
previous index serving."""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from bot.cli import main
from bot.search.index import load_index, read_manifest
from tests.conftest import PROJECT_ROOT, write_manifest
from tests.test_cli import run_bot as run_cli

pytestmark = pytest.mark.slow


def run_bot(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return run_cli(*args, env={**os.environ, **(env or {})})


def test_disk_full_while_writing_leaves_the_previous_index(built, monkeypatch, capsys):
    before = read_manifest(built.index_dir)
    source = built.seeds_dir / "handbook.txt"
    source.write_text(source.read_text(encoding="utf-8").replace("same day", "same day, in writing"), encoding="utf-8")

    def no_space(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr("bot.search.index.faiss.write_index", no_space)
    code = main(["index", "--seeds", str(built.seeds_dir), "--index-dir", str(built.index_dir), "--quiet"])
    err = capsys.readouterr().err
    assert code == 1
    assert "No space left on device" in err and "previous index is unchanged" in err
    assert read_manifest(built.index_dir) == before
    assert not list(built.index_dir.glob(".tmp-*"))
    assert load_index(built, check_sources=False).passages


def test_a_document_that_cannot_be_parsed_fails_the_build_cleanly(built, capsys):
    """The build stops rather than skipping the file: a library that silently lacks a document
    would tell staff "not covered" about guidance the school believes it has added."""
    before = read_manifest(built.index_dir)
    (built.seeds_dir / "broken.pdf").write_bytes(b"%PDF-1.7\nthis is not really a pdf\n%%EOF")
    write_manifest(built.seeds_dir, [
        {"id": "handbook", "file": "handbook.txt", "title": "Staff handbook", "publisher": "Test School",
         "date": "2025-01-31", "end_before": "SITE FOOTER"},
        {"id": "broken", "file": "broken.pdf", "title": "Broken", "publisher": "Test School"},
    ])
    code = main(["index", "--seeds", str(built.seeds_dir), "--index-dir", str(built.index_dir), "--quiet"])
    err = capsys.readouterr().err
    assert code == 2 and "broken.pdf" in err and "Traceback" not in err
    assert read_manifest(built.index_dir) == before


def test_a_malformed_seeds_manifest_is_refused_by_the_index_command(built, capsys):
    (built.seeds_dir / "manifest.toml").write_text("[[document]\nid = ", encoding="utf-8")
    code = main(["index", "--seeds", str(built.seeds_dir), "--index-dir", str(built.index_dir), "--quiet"])
    assert code == 2 and "manifest.toml" in capsys.readouterr().err


def test_missing_model_files_give_one_line_and_exit_2(tmp_path: Path):
    empty = tmp_path / "model"
    empty.mkdir()
    for command in (["ask", "is it illegal?"], ["serve", "--port", "1"]):
        result = run_bot(*command, env={"BOT_MODEL_PATH": str(empty)})
        assert result.returncode == 2, command
        assert "no sentence-transformers model" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize("damage", ["stale", "corrupt", "missing"])
def test_serve_refuses_an_index_it_cannot_trust(built, damage):
    index_dir = built.index_dir
    if damage == "stale":
        (built.seeds_dir / "handbook.txt").write_text("Different text.\n", encoding="utf-8")
    elif damage == "corrupt":
        dense = next(index_dir.glob("dense-*.faiss"))
        dense.write_bytes(dense.read_bytes()[:-10] + b"0123456789")
    else:
        shutil.rmtree(index_dir)
    result = run_bot("serve", "--port", "1", env={"BOT_SEEDS_DIR": str(built.seeds_dir),
                                                   "BOT_INDEX_DIR": str(index_dir)})
    assert result.returncode == 2
    assert "python -m bot index" in result.stderr and "Traceback" not in result.stderr


def test_serve_refuses_malformed_prompts(tmp_path: Path):
    prompts = tmp_path / "prompts"
    shutil.copytree(PROJECT_ROOT / "prompts", prompts)
    (prompts / "school.toml").write_text('region = "narnia"\n', encoding="utf-8")
    result = run_bot("serve", "--port", "1", env={"BOT_PROMPTS_DIR": str(prompts)})
    assert result.returncode == 2
    assert "school.toml: region must be one of" in result.stderr and "Traceback" not in result.stderr
