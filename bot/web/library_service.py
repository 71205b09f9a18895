"""The school's library in the instance folder: rebuilding its index and swapping the engine.

Staff keep getting answers from the engine that is serving while a new index is built in the
background; the new engine replaces it only once it has loaded, verified its index and answered a
test question. A failed build leaves the old engine serving and the reason shown to the lead.
Every change is written to the audit log (who, when, what; never a staff question).
"""

from __future__ import annotations

import fcntl
import logging
import os
import re
import secrets
import shutil
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from pathlib import Path

from flask import Flask

from bot.answer.engine import AnswerEngine
from bot.answer.escalation import DEFAULT_SCHOOL_FILE
from bot.config import Settings
from bot.search.index import IndexLoadError, build_index, read_manifest, staleness
from bot.web.store import SCHOOL_FILE

CURRENT_FILE = "CURRENT"
KEEP_VERSIONS = 3  # a process still loading the previous version finds it there
FOLLOW_SECONDS = 2.0  # how often a process looks for a version another process published
_VERSION = re.compile(r"^[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$")


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
        return self.root / SCHOOL_FILE

    @property
    def removed(self) -> Path:
        """Documents taken out of the library, each in its own folder, until restored."""
        return self.root / "removed"

    @property
    def versions(self) -> Path:
        """Every published index, one immutable folder each, and CURRENT naming the one to serve."""
        return self.root / "versions"

    def current_version(self) -> str | None:
        """The published version's name (None before the first versioned publish)."""
        try:
            name = (self.versions / CURRENT_FILE).read_text(encoding="utf-8").strip()
        except OSError:
            return None
        return name if _VERSION.match(name) and (self.versions / name / "manifest.json").is_file() else None

    def current_index(self) -> Path:
        """The index to serve: the current version, else a library built before versions were kept."""
        version = self.current_version()
        return self.versions / version if version else self.index

    def has_index(self) -> bool:
        return (self.current_index() / "manifest.json").is_file() and (self.library / "manifest.toml").is_file()

    def new_version(self) -> Path:
        name = datetime.now(UTC).strftime("%Y%m%dT%H%M%S") + "-" + secrets.token_hex(3)
        return self.versions / name

    def publish(self, version: Path) -> None:
        """Make `version` current with one rename (every process follows it), and keep the last few."""
        tmp = self.versions / f".{CURRENT_FILE}-{secrets.token_hex(4)}"
        tmp.write_text(version.name + "\n", encoding="utf-8")
        os.replace(tmp, self.versions / CURRENT_FILE)
        built = sorted(p for p in self.versions.iterdir() if p.is_dir() and _VERSION.match(p.name))
        for old in built[:-KEEP_VERSIONS]:
            if old.name != version.name:
                shutil.rmtree(old, ignore_errors=True)

    def settings(self, base: Settings) -> Settings:
        return replace(base, seeds_dir=self.library, index_dir=self.current_index())

    def load_engine(self, base: Settings, school_file: Path | None = None, embedder=None) -> AnswerEngine | None:
        """The library's own index as published (changes made since are published by
        `LibraryService.resume`); None before its first build."""
        if not self.has_index():
            return None
        return AnswerEngine.load(self.settings(base), school_file=school_file, embedder=embedder,
                                 check_sources=self.current_version() is None)

    def unpublished(self, base: Settings) -> list[str]:
        """How the library folder differs from the version being served (empty: nothing to publish)."""
        if not (self.library / "manifest.toml").is_file():
            return []
        try:
            manifest = read_manifest(self.current_index())
        except IndexLoadError:
            return ["no index built yet"]
        return staleness(manifest, self.library, base.index)

    @contextmanager
    def build_lock(self):
        """One build at a time across every process on this folder. The kernel releases the lock of
        a process that dies, so a build killed half-way never blocks the next."""
        self.versions.mkdir(parents=True, exist_ok=True)
        with open(self.versions / ".build.lock", "a+") as handle:
            fcntl.flock(handle, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)

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
        self.serving: str | None = paths.current_version()  # the version this process answers from
        self._looked = time.monotonic()
        self._following = False

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
        version = None
        try:
            with self.paths.build_lock():
                published = self.paths.current_version()
                if published is not None and not self.paths.unpublished(current.settings):
                    # another process has published this very library while this one waited
                    version = self.paths.versions / published
                    engine = self._load_checked(replace(self.paths.settings(current.settings), index_dir=version),
                                                embedder)
                    self.serving = version.name
                else:
                    # a new immutable version: no process ever reads a folder that is being written
                    version = self.paths.new_version()
                    settings = replace(self.paths.settings(current.settings), index_dir=version)
                    build_index(settings, embedder=embedder, progress=False, previous=current.index)
                    engine = self._load_checked(settings, embedder)
                    self.serving = version.name
                    self.paths.publish(version)
        except Exception as exc:  # noqa: BLE001 - any failure must leave the old engine serving
            if version is not None and version.name != self.paths.current_version():
                shutil.rmtree(version, ignore_errors=True)
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
        self.app.extensions["bot_store"].audit(user, "library published", f"{reason} (version {version.name})")
        self._next()

    def _load_checked(self, settings: Settings, embedder) -> AnswerEngine:
        engine = AnswerEngine.load(settings, school_file=self.paths.school_file(settings), embedder=embedder,
                                   check_sources=False)
        engine.ask("Is an AI-generated nude image of a child illegal?")  # it answers before it serves
        return engine

    def resume(self) -> bool:
        """At start: changes the library holds but no version does (a process killed mid-build) are
        published now, by whichever process takes the build lock first."""
        base = self.app.config["ENGINE"].settings
        if self.paths.unpublished(base):
            return self.rebuild("service", "changes not yet published when the service started")
        return False

    def follow(self) -> None:
        """Serve a version another process published: looked for at most every FOLLOW_SECONDS, loaded
        and checked in the background while the old one keeps answering, then swapped in."""
        now = time.monotonic()
        if now - self._looked < FOLLOW_SECONDS:
            return
        self._looked = now
        version = self.paths.current_version()
        if version is None or version == self.serving or self.status.state == "building" or self._following:
            return
        self._following = True
        threading.Thread(target=self._follow, args=(version,), daemon=True).start()

    def _follow(self, version: str) -> None:
        try:
            current: AnswerEngine = self.app.config["ENGINE"]
            settings = replace(self.paths.settings(current.settings), index_dir=self.paths.versions / version)
            engine = self._load_checked(settings, current.index.dense.embedder)
            if self.status.state != "building":
                self.app.config["ENGINE"] = engine.with_school(self.app.config["ENGINE"].school)
                self.serving = version
        except Exception as exc:  # noqa: BLE001 - the old version keeps serving; tried again later
            logging.getLogger("bot.web.library").warning("version %s not loaded: %s", version, type(exc).__name__)
        finally:
            self._following = False
