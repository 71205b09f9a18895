"""Coverage counts: per day, how many questions were answered, not covered, asked what to do with
no procedure in the library, or flagged urgent. Numbers only, never a question: a safeguarding lead
sees whether staff ask things the library does not cover without anyone being able to read what
was asked. Kept in the instance folder as one small JSON file, rewritten atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import threading
from datetime import date, timedelta
from pathlib import Path

COVERAGE_FILE = "coverage.json"
COUNTS = ("asked", "answered", "not_covered", "no_procedure", "urgent")
KEEP_DAYS = 400
_lock = threading.Lock()


def outcome(answer: dict) -> dict[str, int]:
    """What one answer adds to the day's counts (from the answer object; the question is not read)."""
    return {
        "asked": 1,
        "answered": int(bool(answer.get("answered"))),
        "not_covered": int(not answer.get("answered")),
        "no_procedure": int(not answer.get("answered") and bool(answer.get("asks_what_to_do"))),
        "urgent": int(bool(answer.get("urgent"))),
    }


def _read(path: Path) -> dict[str, dict[str, int]]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {day: {k: int(v.get(k, 0)) for k in COUNTS} for day, v in data.items()
            if isinstance(v, dict)} if isinstance(data, dict) else {}


def record(path: Path, answer: dict, today: date | None = None) -> None:
    """Add one answer's outcome to today's counts. A failure to write never stops an answer."""
    day = (today or date.today()).isoformat()
    try:
        with _lock:
            counts = _read(path)
            row = counts.setdefault(day, dict.fromkeys(COUNTS, 0))
            for key, value in outcome(answer).items():
                row[key] += value
            oldest = ((today or date.today()) - timedelta(days=KEEP_DAYS)).isoformat()
            counts = {d: v for d, v in counts.items() if d >= oldest}
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(prefix=".coverage-", dir=path.parent)
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(counts, handle, sort_keys=True)
            os.replace(tmp, path)
    except OSError:
        pass


def coverage_days(path: Path, days: int = 14) -> list[dict]:
    """The last `days` days with any questions, newest first, each {"day", counts...}."""
    counts = _read(path)
    return [{"day": day, **counts[day]} for day in sorted(counts, reverse=True)[:days]]
