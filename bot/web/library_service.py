"""The school's library in the instance folder: rebuilding its index and swapping the engine.

Staff keep getting answers from the engine that is serving while a new index is built in the
background; the new engine replaces it only once it has loaded, verified its index and answered a
test question. A failed build leaves the old engine serving and the reason shown to the lead.
Every change is written to the audit log (who, when, what; never a staff question).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path

from flask import Flask

from bot.answer.engine import AnswerEngine
from bot.answer.escalation import DEFAULT_SCHOOL_FILE
from bot.config import Settings
from bot.search.index import build_index


@dataclass(frozen=True)
class InstancePaths:
    root: Path

    @property
    def library(self) -> Path:
        return self.root / "library"

    @property
    def index(self) -> Path:
        return self.root / "index"

    @property
    def staging(self) -> Path:
        return self.root / "staging"

    @property
    def school(self) -> Path:
        return self.root / "school.toml"

    @property
    def removed(self) -> Path:
        """Documents taken out of the library, each in its own folder, until restored."""
        return self.root / "removed"

    @property
    def coverage(self) -> Path:
        """Counts per day of how questions fared: numbers only, never a question."""
        return self.root / "coverage.json"

    def settings(self, base: Settings) -> Settings:
        return replace(base, seeds_dir=self.library, index_dir=self.index)

    def school_file(self, base: Settings) -> Path:
        return self.school if self.school.is_file() else Path(base.prompts_dir) / DEFAULT_SCHOOL_FILE.name


@dataclass
class BuildStatus:
    state: str = "idle"  # idle, building, ready, failed
    message: str = ""
    started: float = 0.0
    seconds: float = 0.0
    history: list[str] = field(default_factory=list)


class LibraryService:
    """One per app: rebuilds the school's index in a thread and swaps the serving engine."""

    def __init__(self, app: Flask, paths: InstancePaths):
        self.app = app
        self.paths = paths
        self.status = BuildStatus()
        self._lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._pending: list[tuple[str, str]] = []

    def rebuild(self, user: str, reason: str) -> bool:
        """Start a rebuild. While one is running, the change is queued: one more build starts when
        it ends, so a change made meanwhile is never left out of the library. False when queued."""
        with self._lock:
            if self.status.state == "building":
                self._pending.append((user, reason))
                return False
            self.status = BuildStatus("building", f"Rebuilding the library: {reason}", time.time())
        self._thread = threading.Thread(target=self._build, args=(user, reason), daemon=True)
        self._thread.start()
        return True

    def wait(self, timeout: float | None = None) -> None:
        """Until every build started or queued so far has finished (or `timeout` passes)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._thread is not None:
            thread = self._thread
            thread.join(None if deadline is None else max(0.0, deadline - time.monotonic()))
            if thread.is_alive() or self._thread is thread:
                return

    def _next(self) -> None:
        """Start the queued changes as one build, if any."""
        with self._lock:
            if not self._pending:
                return
            (user, _), reasons = self._pending[0], [r for _, r in self._pending]
            self._pending.clear()
            reason = "; ".join(reasons)
            self.status = BuildStatus("building", f"Rebuilding the library: {reason}", time.time())
            self._thread = threading.Thread(target=self._build, args=(user, reason), daemon=True)
            self._thread.start()

    def _build(self, user: str, reason: str) -> None:
        current: AnswerEngine = self.app.config["ENGINE"]
        embedder = current.index.dense.embedder
        settings = self.paths.settings(current.settings)
        try:
            build_index(settings, embedder=embedder, progress=False)
            engine = AnswerEngine.load(settings, school_file=self.paths.school_file(current.settings),
                                       embedder=embedder)
            engine.ask("Is an AI-generated nude image of a child illegal?")  # it answers before it serves
        except Exception as exc:  # noqa: BLE001 - any failure must leave the old engine serving
            self.status = BuildStatus("failed", f"The index was not rebuilt ({type(exc).__name__}: {exc}). "
                                                "Staff are still answered from the previous library.",
                                      self.status.started, time.time() - self.status.started)
            self.app.extensions["bot_store"].audit(user, "rebuild failed", reason)
            self._next()
            return
        # the contacts as they are now (the lead may have changed them during the build)
        engine = engine.with_school(self.app.config["ENGINE"].school)
        self.app.config["ENGINE"] = engine  # one assignment: a request sees the old or the new engine
        self.status = BuildStatus("ready", f"Published: {reason}. The new library is serving.",
                                  self.status.started, time.time() - self.status.started)
        self.app.extensions["bot_store"].audit(user, "library published", reason)
        self._next()
