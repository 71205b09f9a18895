"""`/admin`: the safeguarding lead's pages for the school's library and contacts.

Signed-in only (accounts from `python -m bot admin add-user`), CSRF tokens on every form
(Flask-WTF), sign-in attempts rate limited, idle sessions expire. Uploaded files are checked by
content, stored under names made from their id, and published by rebuilding the index in the
background (bot/web/library_service.py). No staff question is ever read or written here.
"""

from __future__ import annotations

import json
import re
import secrets
import time
from dataclasses import replace
from datetime import date
from functools import wraps

import tomli_w
from flask import Blueprint, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from bot.answer.escalation import PHONE, REGIONS, load_school
from bot.answer.readiness import readiness
from bot.library.manifest import DATE, CleaningRules, load_manifest
from bot.library.school import (
    MAX_UPLOAD_BYTES,
    UploadError,
    add_document,
    ensure_library,
    preview,
    remove_document,
    sniff,
)
from bot.web.accounts import verify
from bot.web.library_service import audit, audit_entries

admin = Blueprint("admin", __name__, url_prefix="/admin")
IDLE_SECONDS = 30 * 60


def service():
    return current_app.extensions["bot_library"]


@admin.before_request
def allow_uploads_up_to_the_limit():
    """An upload may be up to 10 MB; every other request keeps the app's 64 KiB. Set before the
    form is read (the CSRF check reads it), or a real policy PDF would be refused as too large."""
    if request.endpoint == "admin.upload":
        request.max_content_length = MAX_UPLOAD_BYTES + 64 * 1024


def signed_in(view):
    @wraps(view)
    def wrapper(*args, **kwargs):
        user, seen = session.get("admin"), session.get("seen", 0)
        if not user or time.time() - seen > IDLE_SECONDS:
            session.clear()
            return redirect(url_for("admin.sign_in", next=request.path))
        session["seen"] = time.time()
        if request.method == "POST":
            current_app.extensions["csrf"].protect()  # 400 for a form without its token
        return view(*args, **kwargs)
    return wrapper


class SignInForm(FlaskForm):
    name = StringField("Name", validators=[DataRequired(), Length(max=40)])
    password = PasswordField("Password", validators=[DataRequired(), Length(max=200)])


class UploadForm(FlaskForm):
    file = FileField("File (PDF, Word .docx, HTML or plain text, at most 10 MB)")
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    publisher = StringField("Publisher", validators=[DataRequired(), Length(max=200)])
    date = StringField("Date (YYYY-MM-DD)", validators=[Optional(), Regexp(DATE, message="Use YYYY-MM-DD.")])
    url = StringField("Web address of the original", validators=[Optional(), URL(require_tld=True), Length(max=500)])
    licence = StringField("Licence", validators=[Optional(), Length(max=300)])
    procedures = BooleanField("It sets out what staff should do (a policy or a guide)")
    kind = SelectField("What kind of document", choices=[("school policy", "The school's own policy or procedure"),
                                                         ("statutory guidance", "Statutory guidance"),
                                                         ("guidance", "Other guidance or advice"),
                                                         ("news", "News"), ("other", "Other")],
                       default="school policy")
    replaces = SelectField("It replaces an earlier edition in the library", choices=[("", "Nothing")], default="")


def upload_form() -> UploadForm:
    """The upload form, offering the documents it may replace (a new edition of KCSIE replaces the old)."""
    form = UploadForm()
    index = current_app.config["ENGINE"].index
    form.replaces.choices = [("", "Nothing (it is not a new edition of a document here)")] + [
        (doc.id, doc.title) for doc in index.documents.values()]
    return form


class RulesForm(FlaskForm):
    start_at = StringField("Start at this text", validators=[Optional(), Length(max=300)])
    end_before = StringField("End just before this text", validators=[Optional(), Length(max=300)])
    drop_paragraphs = TextAreaField("Leave out paragraphs matching (one regular expression a line)",
                                    validators=[Optional(), Length(max=2000)])

    def validate_drop_paragraphs(self, field):
        for line in _lines(field.data):
            try:
                re.compile(line)
            except re.error as exc:
                raise ValidationError(f"{line!r} is not a valid pattern ({exc}).") from None


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: publishing and removing."""


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


class ContactsForm(FlaskForm):
    region = SelectField("Nation", choices=[(r, r.replace("-", " ").title()) for r in REGIONS])
    lead_title = StringField("Your school's title for its lead (optional)", validators=[Optional(), Length(max=100)])


for _slot, _label in (("dsl", "Safeguarding lead"), ("deputy", "Deputy lead"),
                      ("children_services", "Local authority children's services"), ("lado", "Concerns about adults who work with children (LADO in England)")):
    setattr(ContactsForm, f"{_slot}_name", StringField(f"{_label}: name", validators=[Optional(), Length(max=100)]))
    setattr(ContactsForm, f"{_slot}_phone", StringField(
        f"{_label}: phone", validators=[Optional(), Regexp(PHONE, message="Use a UK number such as 01234 567890.")]))
SLOTS = ("dsl", "deputy", "children_services", "lado")


@admin.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        if verify(current_app.extensions["bot_instance"].root, form.name.data, form.password.data):
            session.clear()
            session.update(admin=form.name.data, seen=time.time())
            session.permanent = False
            target = request.args.get("next", "")
            return redirect(target if target.startswith("/admin") and "//" not in target else url_for("admin.home"))
        error = "That name and password do not match an account."
    return render_template("admin/sign_in.html", form=form, error=error), 401 if error else 200


@admin.post("/sign-out")
@signed_in
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("pages.ask_form"))


@admin.get("/")
@signed_in
def home():
    engine = current_app.config["ENGINE"]
    paths = current_app.extensions["bot_instance"]
    manifest = load_manifest(engine.settings.seeds_dir)
    findings = readiness(engine.escalation_book, engine.school, manifest.documents, date.today())
    return render_template("admin/home.html", findings=findings, status=service().status,
                           audit=audit_entries(paths), user=session["admin"], form=ConfirmForm())


def documents_page(form: UploadForm | None = None, error: str | None = None, status: int = 200):
    """The library as it serves now, the upload form, and what went wrong with the last request."""
    index = current_app.config["ENGINE"].index
    docs = [(doc, index.passage_counts.get(doc.id, 0)) for doc in index.documents.values()]
    return render_template("admin/documents.html", docs=docs, form=form or upload_form(), confirm=ConfirmForm(),
                           status=service().status, error=error), status


@admin.get("/documents")
@signed_in
def documents():
    return documents_page()


@admin.post("/documents")
@signed_in
def upload():
    form = upload_form()
    engine = current_app.config["ENGINE"]
    error = None
    if form.validate_on_submit():
        storage = request.files.get("file")
        data = storage.read(MAX_UPLOAD_BYTES + 1) if storage else b""
        try:
            if not data:
                raise UploadError("Choose a file to upload.")
            if len(data) > MAX_UPLOAD_BYTES:
                raise UploadError("The file is larger than 10 MB.")
            fmt = sniff(data)
            token = secrets.token_hex(16)
            staging = current_app.extensions["bot_instance"].staging
            staging.mkdir(parents=True, exist_ok=True)
            (staging / f"{token}.bin").write_bytes(data)
            fields = {k: (getattr(form, k).data or "").strip() for k in ("title", "publisher", "date", "url", "licence")}
            fields["procedures"] = bool(form.procedures.data)
            fields["kind"] = form.kind.data
            fields["replaces"] = form.replaces.data or ""
            (staging / f"{token}.json").write_text(json.dumps({"format": fmt, "fields": fields}), encoding="utf-8")
            try:
                preview(staging / f"{token}.bin", fmt, "preview", CleaningRules(), engine.settings.index.chunk)
            except UploadError:
                for leftover in staging.glob(f"{token}.*"):  # a file that cannot be read leaves nothing behind
                    leftover.unlink(missing_ok=True)
                raise
        except UploadError as exc:
            error = str(exc)
        else:
            return redirect(url_for("admin.review", token=token))
    return documents_page(form, error, 400)


def _staged(token: str):
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    staging = current_app.extensions["bot_instance"].staging
    meta = staging / f"{token}.json"
    return (staging / f"{token}.bin", json.loads(meta.read_text(encoding="utf-8"))) if meta.is_file() else None


@admin.route("/documents/review/<token>", methods=["GET", "POST"])
@signed_in
def review(token: str):
    staged = _staged(token)
    if staged is None:
        return redirect(url_for("admin.documents"))
    path, meta = staged
    form = RulesForm(data=meta.get("rules", {}))
    engine = current_app.config["ENGINE"]
    error = None
    if request.method == "POST" and form.validate_on_submit():
        meta["rules"] = {"start_at": form.start_at.data or "", "end_before": form.end_before.data or "",
                         "drop_paragraphs": form.drop_paragraphs.data or ""}
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    rules_raw = meta.get("rules", {})
    rules = CleaningRules(rules_raw.get("start_at") or None, rules_raw.get("end_before") or None,
                          tuple(_lines(rules_raw.get("drop_paragraphs"))))
    try:
        shown = preview(path, meta["format"], "preview", rules, engine.settings.index.chunk)
    except UploadError as exc:
        shown, error = None, str(exc)
    return render_template("admin/review.html", token=token, meta=meta, form=form, shown=shown, error=error,
                           confirm=ConfirmForm())


@admin.post("/documents/review/<token>/publish")
@signed_in
def publish(token: str):
    staged = _staged(token)
    form = ConfirmForm()
    if staged is None or not form.validate_on_submit():
        return redirect(url_for("admin.documents"))
    path, meta = staged
    engine = current_app.config["ENGINE"]
    paths = current_app.extensions["bot_instance"]
    fields = dict(meta["fields"])
    rules = meta.get("rules", {})
    fields.update({"start_at": rules.get("start_at", ""), "end_before": rules.get("end_before", ""),
                   "drop_paragraphs": _lines(rules.get("drop_paragraphs"))})
    try:
        ensure_library(paths.library, engine.settings.seeds_dir)
        doc_id = add_document(paths.library, path.read_bytes(), fields)
    except (UploadError, ValueError) as exc:
        return render_template("admin/review.html", token=token, meta=meta, form=RulesForm(data=rules), shown=None,
                               error=str(exc), confirm=ConfirmForm()), 400
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
    audit(paths, session["admin"], "document added", doc_id)
    service().rebuild(session["admin"], f"added {fields['title']}")
    return redirect(url_for("admin.home"))


@admin.post("/documents/<doc_id>/remove")
@signed_in
def remove(doc_id: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.documents"))
    engine = current_app.config["ENGINE"]
    paths = current_app.extensions["bot_instance"]
    try:
        ensure_library(paths.library, engine.settings.seeds_dir)
        remove_document(paths.library, doc_id)
    except UploadError as exc:
        return documents_page(error=str(exc), status=400)
    audit(paths, session["admin"], "document removed", doc_id)
    service().rebuild(session["admin"], f"removed {doc_id}")
    return redirect(url_for("admin.home"))


@admin.route("/contacts", methods=["GET", "POST"])
@signed_in
def contacts():
    engine = current_app.config["ENGINE"]
    school = engine.school
    data = {"region": school.region, "lead_title": school.lead_title}
    for slot in SLOTS:
        data[f"{slot}_name"], data[f"{slot}_phone"] = school.slots.get(slot, ("", ""))
    form = ContactsForm(data=data) if request.method == "GET" else ContactsForm()
    saved = False
    if request.method == "POST" and form.validate_on_submit():
        paths = current_app.extensions["bot_instance"]
        content = {"region": form.region.data, "lead_title": (form.lead_title.data or "").strip()}
        for slot in SLOTS:
            content[slot] = {"name": (getattr(form, f"{slot}_name").data or "").strip(),
                             "phone": (getattr(form, f"{slot}_phone").data or "").strip()}
        paths.root.mkdir(parents=True, exist_ok=True)
        staged = paths.school.with_suffix(".tmp")
        staged.write_text(tomli_w.dumps(content), encoding="utf-8")
        new_school = load_school(staged)  # the same checks as at start-up, before it replaces anything
        staged.replace(paths.school)
        current_app.config["ENGINE"] = replace(engine, school=new_school)
        audit(paths, session["admin"], "contacts changed", ", ".join(SLOTS))
        saved = True
    return render_template("admin/contacts.html", form=form, saved=saved), (400 if form.errors else 200)
