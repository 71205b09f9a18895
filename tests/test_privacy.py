"""Questions may name a child. Nothing of a question may reach a log or a file, even with the
most verbose logging the server offers."""

from __future__ import annotations

import http.client
import json
import time
from pathlib import Path
from urllib.parse import quote

import pytest

from tests.conftest import PROJECT_ROOT, start_server

pytestmark = pytest.mark.slow

NAME = "Tallulah Fennimore-Quibb"  # made up; appears nowhere in the project


def test_a_childs_name_reaches_no_log_and_no_file(tmp_path: Path):
    started = time.time()
    home = tmp_path / "home"
    home.mkdir()
    server, url = start_server("--log-level", "debug", env={"HOME": str(home), "TMPDIR": str(home)})
    port = int(url.rsplit(":", 1)[1])
    try:
        questions = [f"{NAME} in Year 8 has just been sent a fake nude of herself and told to pay tonight",
                     f"is it illegal that {NAME}'s classmates made a deepfake of her?",
                     f"{NAME} " + "x" * 1200]  # refused as too long: errors must not echo it into a log
        for question in questions:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            conn.request("GET", "/api/ask?q=" + quote(question))
            conn.getresponse().read()
            conn.request("POST", "/api/ask", body=json.dumps({"question": question}),
                         headers={"Content-Type": "application/json"})
            conn.getresponse().read()
            conn.request("POST", "/ask", body="question=" + quote(question),
                         headers={"Content-Type": "application/x-www-form-urlencoded"})
            conn.getresponse().read()
    finally:
        server.terminate()
        server.wait(timeout=30)
    server.log.seek(0)
    output = server.log.read()
    assert "/api/ask" in output  # the access log did run, at debug level
    assert "Tallulah" not in output and "Fennimore" not in output

    written = [path for root in (PROJECT_ROOT, home, tmp_path)
               for path in Path(root).rglob("*")
               if ".git" not in path.parts and path.is_file() and path.stat().st_mtime >= started]
    for path in written:
        assert b"Fennimore" not in path.read_bytes(), f"{path} holds question text"
