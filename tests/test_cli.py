import subprocess
import sys

import pytest

from tests.conftest import PROJECT_ROOT

pytestmark = pytest.mark.slow


def run_bot(*args, **kwargs):
    return subprocess.run([sys.executable, "-m", "bot", *args], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=300, **kwargs)


def test_search_prints_ranked_passages_with_document_span_and_score():
    result = run_bot("search", "are AI fake nudes of pupils illegal", "--k", "3", "--retriever", "hybrid")
    assert result.returncode == 0, result.stderr
    ranks = [line for line in result.stdout.splitlines() if line.lstrip()[:2].rstrip(".").isdigit()]
    assert len(ranks) == 3
    assert "bbc-ai-csam-teacher-guidance [" in result.stdout or "derbyshire-pcc-ai-csam-laws [" in result.stdout
    assert "illegal" in result.stdout


@pytest.mark.parametrize("retriever", ["bm25", "dense"])
def test_each_single_retriever_can_be_inspected(retriever):
    result = run_bot("search", "how many teachers got the AI abuse imagery guidance", "--k", "3", "--retriever", retriever)
    assert result.returncode == 0, result.stderr
    assert "38,000" in result.stdout


def test_a_missing_index_gives_one_clear_line_not_a_traceback(tmp_path):
    result = run_bot("search", "anything", "--index-dir", str(tmp_path / "nowhere"))
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert result.stderr.strip().count("\n") == 0 and "python -m bot index" in result.stderr


def test_bad_arguments_are_rejected_cleanly():
    result = run_bot("search", "x", "--k", "0")
    assert result.returncode == 2 and "Traceback" not in result.stderr


def test_admin_add_user_stores_a_hash_and_refuses_a_short_password(tmp_path):
    import json

    result = run_bot("admin", "add-user", "lead", "--instance", str(tmp_path), "--password-stdin",
                     input="a long enough password\n")
    assert result.returncode == 0, result.stderr
    stored = json.loads((tmp_path / "admins.json").read_text())["lead"]
    assert stored.startswith("scrypt:") and "a long enough password" not in stored
    short = run_bot("admin", "add-user", "other", "--instance", str(tmp_path), "--password-stdin", input="short\n")
    assert short.returncode == 2 and "at least 12 characters" in short.stderr
    assert "other" not in json.loads((tmp_path / "admins.json").read_text())
