"""The web app: an app factory in the style of Flask's tutorial, pages and a JSON twin.

The answer engine (index, model, prompts) is loaded once when the app is created, so a broken
index or prompts file stops start-up with a clear message instead of failing on the first
question, and `/healthz` is only served by an app that is ready.

Privacy: the access log records method, path (never the query string), status and duration.
Pages post their form, so a question never reaches an address bar, browser history or a log.
"""

from __future__ import annotations

import logging
import os
import re
import time
from pathlib import Path
from typing import Any

from flask import Flask, g, request
from flask.sessions import SecureCookieSessionInterface
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_talisman import Talisman
from flask_wtf.csrf import CSRFProtect
from jinja2 import BytecodeCache
from markupsafe import Markup, escape
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix

from bot.config import PROJECT_ROOT, Settings
from bot.web.library_service import InstancePaths, LibraryService
from bot.web.responses import error_response
from bot.web.store import FileStore

access_log = logging.getLogger("bot.access")

# No inline script or style anywhere; nothing is loaded from another origin.
CONTENT_SECURITY_POLICY = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
    "base-uri": "'none'",
    "object-src": "'none'",
}
MAX_REQUEST_BYTES = 64 * 1024
DEFAULT_RATE_LIMIT = "120 per minute"  # per client address; a whole staff room behind one NAT fits  # far above any question (1,000 characters) but bounded


def instance_dir(config: dict[str, Any] | None = None) -> Path:
    """The school's own folder (admin accounts, secret, its library and contacts); never in git."""
    configured = (config or {}).get("INSTANCE_DIR") or os.environ.get("BOT_INSTANCE_DIR")
    return Path(configured) if configured else PROJECT_ROOT / "instance"


class _SharedBytecode(BytecodeCache):
    """Compiled templates shared by every app in the process: a many-school deployment makes one app
    per school, and compiling the templates again for each was most of the cost of a new school."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


_TEMPLATE_CODE = _SharedBytecode()


class _SessionInterface(SecureCookieSessionInterface):
    """Signed cookie sessions, marked Secure whenever the request itself came over HTTPS."""

    def get_cookie_secure(self, app: Flask) -> bool:
        return request.is_secure or super().get_cookie_secure(app)


def _load_engine(paths: InstancePaths):
    """The school's own library when it has one built, else the default library."""
    from bot.answer.engine import AnswerEngine

    base = Settings.from_env()
    own = paths.load_engine(base, school_file=paths.school_file(base))
    if own is not None:
        return own
    return AnswerEngine.load(base, school_file=paths.school if paths.school.is_file() else None)


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app. `config["ENGINE"]` may carry a ready AnswerEngine (tests share one)."""
    paths = InstancePaths(instance_dir(config))
    app = Flask(__name__, template_folder=str(PROJECT_ROOT / "web" / "templates"),
                static_folder=str(PROJECT_ROOT / "web" / "static"), static_url_path="/static",
                instance_path=str(paths.root.resolve()))
    app.jinja_options = {**app.jinja_options, "bytecode_cache": _TEMPLATE_CODE}
    app.config.update(MAX_CONTENT_LENGTH=MAX_REQUEST_BYTES, SESSION_COOKIE_HTTPONLY=True,
                      SESSION_COOKIE_SAMESITE="Strict", WTF_CSRF_TIME_LIMIT=None,
                      # Checked by the admin pages themselves, after the session check, so that a
                      # request with no session is sent to sign in rather than told about tokens.
                      WTF_CSRF_CHECK_DEFAULT=False)
    app.json.sort_keys = False  # keep the answer object in contract order: question first
    app.config.update(config or {})
    if app.config.get("ENGINE") is None:
        app.config["ENGINE"] = _load_engine(paths)
    # a school's state: the instance folder's files, or its rows in a shared database (store.py)
    database = None
    store = app.config.get("STORE")
    if store is None:
        url = app.config.get("DATABASE_URL") or os.environ.get("BOT_DATABASE_URL")
        if url:
            from bot.web.schools import OPERATOR
            from bot.web.store import Database

            database = Database(url)
            store = database.store(OPERATOR)
        else:
            store = FileStore(paths.root)
    app.secret_key = app.config.get("SECRET_KEY") or store.secret()
    app.extensions["bot_store"] = store
    app.session_interface = _SessionInterface()
    app.extensions["bot_instance"] = paths
    app.extensions["bot_library"] = LibraryService(app, paths)
    if paths.versions.is_dir() and (paths.library / "manifest.toml").is_file():
        app.extensions["bot_library"].resume()  # a build a killed process left unfinished

    trusted = int(app.config.get("TRUSTED_PROXIES") or os.environ.get("BOT_TRUSTED_PROXIES") or 0)
    if trusted > 0:
        # Behind that many reverse proxies, each appending to X-Forwarded-For: the client address
        # (and so its rate limit) comes from the header, never from a client-set value beyond them.
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=trusted, x_proto=trusted)
    app.config["TRUSTED_PROXIES"] = trusted

    Talisman(app, force_https=False, strict_transport_security=False, session_cookie_secure=False,
             session_cookie_samesite="Strict",
             content_security_policy=CONTENT_SECURITY_POLICY, referrer_policy="no-referrer",
             frame_options="DENY", permissions_policy={"camera": "()", "microphone": "()", "geolocation": "()"})

    from bot.web.admin import admin
    from bot.web.api import api
    from bot.web.pages import ask_page, pages

    if not app.config.get("SCHOOL") and _many_schools(app.config):
        # the operator's app: every /s/<school>/ address goes to that school's own app (schools.py)
        from bot.web.schools import DatabaseSchools, SchoolDispatcher, SchoolsFolder

        directory = DatabaseSchools(database, paths.root) if database else SchoolsFolder(paths.root)
        app.extensions["bot_schools"] = directory
        app.wsgi_app = SchoolDispatcher(app, app.wsgi_app, directory, app.config, create_app)
        app.extensions["bot_dispatcher"] = app.wsgi_app

    app.register_blueprint(pages)
    app.register_blueprint(api)
    app.register_blueprint(admin)
    CSRFProtect(app)  # every admin form; staff pages and the API keep no session to forge
    _limit_answers(app)

    @app.before_request
    def _start_timer() -> None:
        g.started = time.perf_counter()
        app.extensions["bot_library"].follow()  # a version published by another process

    @app.after_request
    def _log_and_cache(response):
        # request.path never includes the query string, where GET /api/ask carries the question.
        elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        access_log.info("%s %s %s %.1fms", request.method, request.script_root + request.path, response.status_code,
                        elapsed)
        if request.path.startswith(("/ask", "/api/ask")):
            response.headers["Cache-Control"] = "no-store"
        return response

    @app.template_filter("call_999")
    def _call_999(text: str) -> Markup:
        """The text, escaped, with 999 made a link a phone can call."""
        return Markup('<a class="tel" href="tel:999">999</a>').join(escape(part) for part in str(text).split("999"))

    @app.template_filter("tel")
    def _tel(phone: str) -> str:
        """A `tel:` address for a number as written ("0115 496 0123 ext 4" -> tel:01154960123;ext=4)."""
        found = re.match(r"^(.*?)\s*(?:ext\.?|extension|x)\s*([0-9]+)$", str(phone), re.IGNORECASE)
        number, extension = found.groups() if found else (str(phone), "")
        digits = re.sub(r"[^0-9+]", "", number)
        return f"tel:{digits};ext={extension}" if extension else f"tel:{digits}"

    @app.context_processor
    def _emergency() -> dict:
        # Every page, error pages included, carries the emergency line and the school's lead.
        engine = app.config["ENGINE"]
        book, school, messages = engine.escalation_book, engine.school, engine.messages
        lead = book.lead(school)
        return {"many_schools": "bot_schools" in app.extensions, "school_name": app.config.get("SCHOOL_NAME"),
                "emergency": {"line": messages["emergency_line"], "lead": lead,
                              "not_ready": None if lead["set"] else messages["not_ready"].format(lead=lead["title"])}}

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        if exc.code == 413 and request.endpoint == "admin.upload":
            return error_response(413, "request_too_large", "The file is larger than 10 MB; nothing was saved.")
        if exc.code == 429 and request.endpoint == "pages.answer_page":
            # Refused by the rate limit: the question stays in the box, with the reason.
            return ask_page(429, _MESSAGES[429], request.form.get("question", ""))
        return error_response(exc.code or 500, _CODES.get(exc.code, "http_error"), _MESSAGES.get(exc.code, exc.description))

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        logging.getLogger("bot.web.app").error("unexpected error on %s %s: %s", request.method, request.path,
                                           type(exc).__name__)
        return error_response(500, "internal_error", "Something went wrong on our side. Please try again.")

    return app


def _many_schools(config) -> bool:
    """`SCHOOLS` (or $BOT_SCHOOLS=1): one deployment serving many schools at /s/<school>/."""
    value = config.get("SCHOOLS", os.environ.get("BOT_SCHOOLS", ""))
    return str(value).lower() in ("1", "true", "yes", "on")


def _limit_answers(app: Flask) -> None:
    """Per-client limit on questions (pages and API together), in memory, per server process.

    `RATE_LIMIT` (or $BOT_RATE_LIMIT) is a flask-limiter rule such as "120 per minute"; "off"
    switches it off (for load benchmarks). Counts live in this process's memory unless
    `RATE_LIMIT_STORAGE` ($BOT_RATE_LIMIT_STORAGE) names a shared store such as redis://host:6379
    (several processes behind one balancer). Only answering is limited: sources, pages and
    /healthz stay free so a DSL checking citations is never locked out.
    """
    rule = app.config.get("RATE_LIMIT") or os.environ.get("BOT_RATE_LIMIT") or DEFAULT_RATE_LIMIT
    storage = app.config.get("RATE_LIMIT_STORAGE") or os.environ.get("BOT_RATE_LIMIT_STORAGE", "memory://")
    limiter = Limiter(get_remote_address, app=app, storage_uri=storage, headers_enabled=True)
    if rule != "off":
        shared = limiter.shared_limit(rule, scope="answers")
        for endpoint in ("pages.answer_page", "api.ask_get", "api.ask_post"):
            app.view_functions[endpoint] = shared(app.view_functions[endpoint])
    # Sign-in attempts: always limited, whatever the answering rule, so guessing a password is slow.
    sign_in_rule = app.config.get("SIGN_IN_LIMIT", "5 per minute")
    app.view_functions["admin.sign_in"] = limiter.limit(sign_in_rule, methods=["POST"])(
        app.view_functions["admin.sign_in"])
    app.extensions["bot_limiter"] = limiter  # the route decorators only hold a weak reference


_CODES = {400: "bad_request", 404: "not_found", 405: "method_not_allowed", 413: "request_too_large",
          415: "unsupported_media_type", 429: "too_many_requests"}
_MESSAGES = {
    400: "The request could not be read.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: f"The request is too large (at most {MAX_REQUEST_BYTES // 1024} KiB).",
    415: "Send the question as JSON (Content-Type: application/json).",
    429: "Too many questions from this address in a short time. Please wait a minute and try again.",
}

