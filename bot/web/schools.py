"""Many schools in one deployment: each at `/s/<school>/`, the operator at `/`.

A local authority, a trust or a national body runs one service for all its schools. Each school
has its own staff page, contacts, lead title and nation, admins, documents, audit log and
coverage counts; all share the operator's library (the national guidance) beneath any documents of
their own. The operator's admin pages (at `/admin`) add schools and keep the shared library.

How: the application-dispatching pattern from Flask's documentation. Each school is a Flask app of
its own, made by the same `create_app` as a one-school install, with its own instance folder
(`<instance>/schools/<school>/`) and its own store (files there, or its rows in the shared
database), mounted under its address (werkzeug moves `/s/<school>` into SCRIPT_NAME, so every link
a school's page makes stays inside the school). A school's session cookie is signed with a key of
its own and sent only to its own address, so an admin of one school is a stranger to every other.

A school's app is made on its first request and shares the operator's loaded index and model,
so a school costs its contacts and a small app object, not a second copy of the library. A school
that adds documents of its own gets its own index (shared library included), built by its own
admin pages as in a one-school install.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import re
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from werkzeug.wsgi import get_path_info

log = logging.getLogger("bot.web.schools")

OPERATOR = "_operator"  # the operator's rows in the shared database; never a valid school address
SLUG = re.compile(r"^[a-z0-9][a-z0-9-]{1,46}$")
PREFIX = "/s/"
SCHOOL_RECORD = "school.json"
RECHECK_SECONDS = 2.0
MAX_SCHOOL_APPS = 256  # schools' apps kept made at once in one process ($BOT_SCHOOL_APPS)  # how often a process looks for contacts changed by another process


class SchoolError(ValueError):
    """A school cannot be added as asked; the message says why."""


def check_slug(slug: str) -> str:
    if not SLUG.match(slug or ""):
        raise SchoolError("the address may use 2 to 47 lower-case letters, digits and '-', "
                          "starting with a letter or digit")
    return slug


@dataclass(frozen=True)
class SchoolsFolder:
    """The schools of a deployment with no database: one folder each, under `<instance>/schools/`."""

    root: Path

    def folder(self, slug: str) -> Path:
        return self.root / "schools" / check_slug(slug)

    def schools(self, removed: bool = False) -> list[dict]:
        """The schools in service (or, with `removed`, those taken out of it)."""
        base = self.root / "schools"
        found = (self._read(record) for record in sorted(base.glob(f"*/{SCHOOL_RECORD}"))) if base.is_dir() else ()
        return [school for school in found if school and bool(school["removed"]) == removed]

    def school(self, slug: str) -> dict | None:
        """A school in service; None for any other address."""
        found = self._read(self.folder(slug) / SCHOOL_RECORD) if SLUG.match(slug or "") else None
        return found if found and not found["removed"] else None

    def set_removed(self, slug: str, removed: bool) -> bool:
        """Take a school out of service, or put it back; its folder is kept either way."""
        record = self.folder(slug) / SCHOOL_RECORD
        found = self._read(record) if SLUG.match(slug or "") else None
        if found is None or bool(found["removed"]) == removed:
            return False
        data = json.loads(record.read_text(encoding="utf-8"))
        data["removed"] = datetime.now(UTC).isoformat(timespec="seconds") if removed else None
        tmp = record.with_suffix(".tmp")
        tmp.write_text(json.dumps(data), encoding="utf-8")
        tmp.replace(record)
        return True

    @staticmethod
    def _read(record: Path) -> dict | None:
        try:
            data = json.loads(record.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return {"slug": record.parent.name, "name": str(data.get("name", "")), "created": str(data.get("created", "")),
                "removed": data.get("removed")}

    def add_school(self, slug: str, name: str) -> bool:
        folder = self.folder(slug)
        try:
            folder.mkdir(parents=True, exist_ok=False)
        except FileExistsError:
            return False
        record = {"name": name, "created": datetime.now(UTC).isoformat(timespec="seconds")}
        tmp = folder / (SCHOOL_RECORD + ".tmp")
        tmp.write_text(json.dumps(record), encoding="utf-8")
        tmp.replace(folder / SCHOOL_RECORD)
        return True

    def store(self, slug: str):
        from bot.web.store import FileStore

        return FileStore(self.folder(slug))

    def version(self, slug: str) -> float | None:
        """Changes whenever the school's contacts file does."""
        path = self.folder(slug) / "school.toml"
        return path.stat().st_mtime_ns if path.is_file() else None


class DatabaseSchools:
    """The schools of a deployment with a shared database: rows there, files in the shared folder."""

    def __init__(self, database, root: Path):
        self.db = database
        self.root = root

    def folder(self, slug: str) -> Path:
        return self.root / "schools" / check_slug(slug)

    def schools(self, removed: bool = False) -> list[dict]:
        return self.db.schools(removed)

    def set_removed(self, slug: str, removed: bool) -> bool:
        return self.db.set_removed(slug, removed)

    def school(self, slug: str) -> dict | None:
        return self.db.school(slug) if SLUG.match(slug or "") else None

    def add_school(self, slug: str, name: str) -> bool:
        check_slug(slug)
        return self.db.add_school(slug, name)

    def store(self, slug: str):
        return self.db.store(slug)

    def version(self, slug: str) -> int | None:
        return self.db.school_version(slug)


def school_secret(secret: str, slug: str) -> str:
    """A school's own session key, derived from the deployment's: a cookie signed for one school
    is not valid at another."""
    return hmac.new(secret.encode(), f"school:{slug}".encode(), hashlib.sha256).hexdigest()


class SchoolDispatcher:
    """WSGI middleware in front of the operator's app: `/s/<school>/...` goes to that school's app."""

    def __init__(self, operator, operator_wsgi, directory, config: dict, make_app):
        self.operator = operator  # the operator's Flask app: its engine is the shared library
        self.operator_wsgi = operator_wsgi
        self.directory = directory
        self.config = config
        self.make_app = make_app  # the app factory (bot.web.app.create_app), the same for every school
        self.apps: OrderedDict[str, object] = OrderedDict()
        self.max_apps = int(config.get("SCHOOL_APPS") or os.environ.get("BOT_SCHOOL_APPS") or MAX_SCHOOL_APPS)
        self._checked: dict[str, tuple[float, object]] = {}
        self._lock = threading.Lock()

    def __call__(self, environ, start_response):
        path = get_path_info(environ)
        if path.startswith(PREFIX):
            # the shared library as another process may have published it (answering never waits)
            self.operator.extensions["bot_library"].follow()
            slug, _, rest = path[len(PREFIX):].partition("/")
            app = self.app_for(slug)
            if app is not None:
                if not rest and not path.endswith("/"):
                    start_response("308 Permanent Redirect", [("Location", f"{environ.get('SCRIPT_NAME', '')}"
                                                                           f"{PREFIX}{slug}/"),
                                                              ("Content-Length", "0")])
                    return [b""]
                environ = dict(environ)
                environ["SCRIPT_NAME"] = environ.get("SCRIPT_NAME", "") + PREFIX + slug
                environ["PATH_INFO"] = "/" + rest
                self.refresh(slug, app)
                return app(environ, start_response)
        return self.operator_wsgi(environ, start_response)

    def app_for(self, slug: str):
        """The school's app, made on its first request; None for an address that is no school.

        At most `max_apps` are kept (least recently used dropped first, never one mid-build): a
        school's app is about a quarter of a megabyte, and remade in tens of milliseconds when its
        staff come back, so memory stays flat however many schools the deployment holds."""
        with self._lock:
            app = self.apps.get(slug)
            if app is not None:
                self.apps.move_to_end(slug)
                return app
        record = self.directory.school(slug)
        if record is None:
            return None
        with self._lock:
            if slug not in self.apps:
                self.apps[slug] = self._make(slug, record)
                self._evict()
            return self.apps[slug]

    def forget(self, slug: str) -> None:
        """Drop a school's app: its address is looked up again on the next request."""
        with self._lock:
            self.apps.pop(slug, None)
            self._checked.pop(slug, None)

    def _evict(self) -> None:
        for slug in list(self.apps)[:-self.max_apps] if len(self.apps) > self.max_apps else []:
            if self.apps[slug].extensions["bot_library"].status.state != "building":
                del self.apps[slug]
                self._checked.pop(slug, None)

    def _make(self, slug: str, record: dict):
        store = self.directory.store(slug)
        folder = self.directory.folder(slug)
        config = {key: self.config[key] for key in ("RATE_LIMIT", "RATE_LIMIT_STORAGE", "TRUSTED_PROXIES",
                                                     "SIGN_IN_LIMIT", "TESTING") if key in self.config}
        config.update(INSTANCE_DIR=str(folder), STORE=store, SCHOOL=slug, SCHOOL_NAME=record["name"],
                      SECRET_KEY=school_secret(self.operator.secret_key, slug),
                      SESSION_COOKIE_PATH=f"{PREFIX}{slug}/", SESSION_COOKIE_NAME=f"session-{slug}",
                      ENGINE=self.engine_for(store, folder))
        app = self.make_app(config)
        app.extensions["bot_base_engine"] = self.operator.config["ENGINE"]
        self.sync_shared(app)  # the operator may have changed the shared library since this school built
        self._checked[slug] = (time.monotonic(), self.directory.version(slug))
        return app

    def engine_for(self, store, folder: Path):
        """The operator's loaded library with the school's contacts; or the school's own index,
        where it has built one (its documents beside the shared ones)."""
        from bot.answer.escalation import load_school, school_from_text
        from bot.web.library_service import InstancePaths

        shared = self.operator.config["ENGINE"]
        paths = InstancePaths(folder)
        text = store.contacts_text()
        # until the school sets its own, the blank contacts of prompts/school.toml ("ask your school
        # office"), never the operator's
        school = school_from_text(text) if text else load_school(paths.school_file(shared.settings))
        own = paths.load_engine(shared.settings, embedder=shared.index.dense.embedder)
        return (own or shared).with_school(school)

    def sync_shared(self, app) -> None:
        """A school with documents of its own holds copies of the shared ones (its index is built
        from both): when the operator's library changes, the copies follow and the school's
        library is published again (once, by whichever process takes the build lock)."""
        from bot.library.school import sync_shared

        paths = app.extensions["bot_instance"]
        shared_dir = Path(self.operator.config["ENGINE"].settings.seeds_dir)
        try:
            changes = sync_shared(paths.library, shared_dir)
        except (OSError, ValueError) as exc:
            log.warning("school %s: the shared library was not copied (%s)", app.config["SCHOOL"], type(exc).__name__)
            return
        if changes:
            app.extensions["bot_library"].rebuild("operator", "the shared library changed: " + "; ".join(changes))

    def refresh(self, slug: str, app) -> None:
        """Keep a school's app current: the operator's newly published library, and contacts
        another process changed (looked for at most every RECHECK_SECONDS)."""
        shared = self.operator.config["ENGINE"]
        engine, base = app.config["ENGINE"], app.extensions["bot_base_engine"]
        if base is not shared:
            app.extensions["bot_base_engine"] = shared
            if engine.index is base.index:
                app.config["ENGINE"] = shared.with_school(engine.school)
            self.sync_shared(app)
        checked, version = self._checked.get(slug, (0.0, None))
        if time.monotonic() - checked < RECHECK_SECONDS:
            return
        if self.directory.school(slug) is None:  # taken out of service, perhaps by another process
            self.forget(slug)
            return
        now_version = self.directory.version(slug)
        self._checked[slug] = (time.monotonic(), now_version)
        if now_version != version:
            from bot.answer.escalation import school_from_text

            text = app.extensions["bot_store"].contacts_text()
            if text:
                app.config["ENGINE"] = app.config["ENGINE"].with_school(school_from_text(text))
