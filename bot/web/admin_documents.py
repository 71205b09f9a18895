"""`/admin/documents`: the school's library as a lead manages it.

Upload a file, see what it will add (the text kept, what the cleaning rules leave out, the passages
and their paragraph numbers), then publish; edit any document's details and rules through the same
preview; replace a document with a new version (the new one records that it replaces the old, so the
editions rule quotes the newer); remove one after a confirmation, kept so it can be restored exactly.
Each change is audited by the document's title and rebuilds the index in the background.
"""

from __future__ import annotations

import json
import re
import secrets

from flask import current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import BooleanField, FileField, SelectChoice, SelectField, StringField, TextAreaField
from wtforms.validators import URL, DataRequired, Length, Optional, Regexp, ValidationError

from bot.library.manifest import DATE, SUPPORTED_FORMATS, CleaningRules
from bot.library.school import (
    MAX_UPLOAD_BYTES,
    UploadError,
    add_document,
    document_fields,
    ensure_library,
    preview,
    remove_document,
    removed_documents,
    restore_document,
    sniff,
    update_document,
)
from bot.web.admin import ConfirmForm, admin, service, signed_in

KINDS = [SelectChoice("school policy", "The school's own policy or procedure"),
         SelectChoice("statutory guidance", "Statutory guidance"), SelectChoice("guidance", "Other guidance or advice"),
         SelectChoice("news", "News"), SelectChoice("other", "Other")]
DETAILS = ("title", "publisher", "date", "url", "internal", "licence", "kind", "procedures", "caution", "replaces")
RULES = ("start_at", "end_before", "drop_containing", "drop_paragraphs")
SPECIAL = set("()[]{}.*+?^$|\\")


def _lines(text: str | None) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def explain_pattern_error(line: str, exc: re.error) -> str:
    """A regular expression's error in words a safeguarding lead can act on."""
    where = f" at character {exc.pos + 1}" if exc.pos is not None else ""
    message = f"'{line}' is not a valid regular expression ({exc.msg}{where})."
    if SPECIAL & set(line):
        message += (" In a regular expression ( ) [ ] . * + ? and \\ have special meanings. To leave out "
                    "paragraphs containing this text exactly, put it under 'Leave out paragraphs containing' "
                    "instead.")
    return message


class RulesFields:
    """The cleaning rules, in plain words first and regular expressions as an advanced option."""

    start_at = StringField("Start at this text (leave empty to keep from the start)",
                           validators=[Optional(), Length(max=300)])
    end_before = StringField("End just before this text (leave empty to keep to the end)",
                             validators=[Optional(), Length(max=300)])
    drop_containing = TextAreaField("Leave out paragraphs containing (plain text, one a line: for example "
                                    "a footer such as 'Page 1 of 2 (')", validators=[Optional(), Length(max=2000)])
    drop_paragraphs = TextAreaField("Advanced: leave out paragraphs matching a regular expression (one a line)",
                                    validators=[Optional(), Length(max=2000)])

    def validate_drop_paragraphs(self, field):
        for line in _lines(field.data):
            try:
                re.compile(line)
            except re.error as exc:
                raise ValidationError(explain_pattern_error(line, exc)) from None


class RulesForm(RulesFields, FlaskForm):
    pass


class DetailsFields:
    title = StringField("Title", validators=[DataRequired(), Length(max=300)])
    publisher = StringField("Publisher", validators=[DataRequired(), Length(max=200)])
    date = StringField("Date (YYYY-MM-DD)", validators=[Optional(), Regexp(DATE, message="Use YYYY-MM-DD, such as 2025-09-01.")])
    url = StringField("Web address of the original", validators=[Optional(), URL(require_tld=True), Length(max=500)])
    internal = BooleanField("Internal document: it has no web address")
    licence = StringField("Licence", validators=[Optional(), Length(max=300)])
    kind = SelectField("What kind of document", choices=KINDS, default="school policy")
    procedures = BooleanField("It sets out what staff should do (a policy or a guide)")
    caution = TextAreaField("Caution shown with every quote from it (optional)", validators=[Optional(), Length(max=600)])
    replaces = SelectField("It replaces an earlier edition in the library", choices=[SelectChoice("", "Nothing")], default="")


class UploadForm(DetailsFields, FlaskForm):
    file = FileField("File (PDF, Word .docx, HTML or plain text, at most 10 MB)")


class EditForm(DetailsFields, RulesFields, FlaskForm):
    pass


class ReplaceForm(FlaskForm):
    file = FileField("The new version (PDF, Word .docx, HTML or plain text, at most 10 MB)")
    date = StringField("Date of the new version (YYYY-MM-DD)",
                       validators=[Optional(), Regexp(DATE, message="Use YYYY-MM-DD, such as 2026-09-01.")])


def _editions(form, exclude: str | None = None) -> None:
    """Offer the documents a document may replace (a new edition of KCSIE replaces the old)."""
    index = current_app.config["ENGINE"].index
    form.replaces.choices = [SelectChoice("", "Nothing (it is not a new edition of a document here)")] + [
        SelectChoice(doc.id, doc.title) for doc in index.documents.values() if doc.id != exclude]


def _details(form) -> dict:
    fields = {k: (getattr(form, k).data or "").strip() for k in ("title", "publisher", "date", "url", "licence",
                                                                "caution")}
    fields.update(procedures=bool(form.procedures.data), internal=bool(form.internal.data), kind=form.kind.data,
                  replaces=form.replaces.data or "")
    return fields


def _rules(data: dict) -> CleaningRules:
    return CleaningRules(data.get("start_at") or None, data.get("end_before") or None,
                         tuple(_lines(data.get("drop_paragraphs"))), tuple(_lines(data.get("drop_containing"))))


def _rules_for_form(entry: dict) -> dict:
    """A manifest entry's cleaning rules as the form shows them (the lists one item a line);
    `_rules_as_entry` turns them back."""
    return {"start_at": entry.get("start_at", ""), "end_before": entry.get("end_before", ""),
            "drop_paragraphs": "\n".join(entry.get("drop_paragraphs", [])),
            "drop_containing": "\n".join(entry.get("drop_containing", []))}


def _rules_as_entry(data: dict) -> dict:
    return {"start_at": data.get("start_at", ""), "end_before": data.get("end_before", ""),
            "drop_paragraphs": _lines(data.get("drop_paragraphs")), "drop_containing": _lines(data.get("drop_containing"))}


def _paths():
    return current_app.extensions["bot_instance"]


def audit(user: str, action: str, target: str) -> None:
    current_app.extensions["bot_store"].audit(user, action, target)


def _library_ready() -> None:
    ensure_library(_paths().library, current_app.config["ENGINE"].settings.seeds_dir)


def _stage(data: bytes, fields: dict, rules: dict | None = None) -> str:
    """Keep an upload in the staging folder until it is published; UploadError if it cannot be read."""
    if not data:
        raise UploadError("Choose a file to upload.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise UploadError("The file is larger than 10 MB.")
    fmt = sniff(data)
    token = secrets.token_hex(16)
    staging = _paths().staging
    staging.mkdir(parents=True, exist_ok=True)
    (staging / f"{token}.bin").write_bytes(data)
    (staging / f"{token}.json").write_text(json.dumps({"format": fmt, "fields": fields, "rules": rules or {}}),
                                           encoding="utf-8")
    try:
        preview(staging / f"{token}.bin", fmt, "preview", _rules(rules or {}),
                current_app.config["ENGINE"].settings.index.chunk)
    except UploadError:
        for leftover in staging.glob(f"{token}.*"):  # a file that cannot be read leaves nothing behind
            leftover.unlink(missing_ok=True)
        raise
    return token


def _uploaded() -> bytes:
    storage = request.files.get("file")
    return storage.read(MAX_UPLOAD_BYTES + 1) if storage else b""


def documents_page(form: UploadForm | None = None, error: str | None = None, status: int = 200):
    """The library as it serves now, removed documents that can be restored, and the upload form."""
    engine = current_app.config["ENGINE"]
    index = engine.index
    if form is None:
        form = UploadForm()
        _editions(form)
    docs = [(doc, index.passage_counts.get(doc.id, 0), engine.replaced_by.get(doc.id)) for doc in index.documents.values()]
    return render_template("admin/documents.html", docs=docs, form=form, confirm=ConfirmForm(),
                           removed=removed_documents(_paths().removed), status=service().status,
                           error=error), status


@admin.get("/documents")
@signed_in
def documents():
    return documents_page()


@admin.post("/documents")
@signed_in
def upload():
    form = UploadForm()
    _editions(form)
    error = None
    if form.validate_on_submit():
        try:
            token = _stage(_uploaded(), _details(form))
        except UploadError as exc:
            error = str(exc)
        else:
            return redirect(url_for("admin.review", token=token))
    return documents_page(form, error, 400)


def _staged(token: str):
    if not re.fullmatch(r"[0-9a-f]{32}", token):
        return None
    staging = _paths().staging
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
    chunk = current_app.config["ENGINE"].settings.index.chunk
    error = None
    if request.method == "POST" and form.validate_on_submit():
        meta["rules"] = {name: getattr(form, name).data or "" for name in RULES}
        path.with_suffix(".json").write_text(json.dumps(meta), encoding="utf-8")
    rules = _rules(meta.get("rules", {}))
    try:
        shown = preview(path, meta["format"], "preview", rules, chunk)
    except UploadError as exc:
        shown, error = None, str(exc)
    return render_template("admin/review.html", token=token, meta=meta, form=form, shown=shown,
                           error=error, confirm=ConfirmForm()), (400 if form.errors else 200)


@admin.post("/documents/review/<token>/publish")
@signed_in
def publish(token: str):
    staged = _staged(token)
    form = ConfirmForm()
    if staged is None or not form.validate_on_submit():
        return redirect(url_for("admin.documents"))
    path, meta = staged
    paths = _paths()
    fields = {**meta["fields"], **_rules_as_entry(meta.get("rules", {}))}
    try:
        _library_ready()
        add_document(paths.library, path.read_bytes(), fields)
    except (UploadError, ValueError) as exc:
        return render_template("admin/review.html", token=token, meta=meta, form=RulesForm(data=meta.get("rules", {})),
                               shown=None, error=str(exc), confirm=ConfirmForm()), 400
    path.unlink(missing_ok=True)
    path.with_suffix(".json").unlink(missing_ok=True)
    replaced = fields.get("replaces")
    action = "new version published" if replaced else "document added"
    audit(session["admin"], action, fields["title"] + (f" (replaces {_title(replaced)})" if replaced else ""))
    service().rebuild(session["admin"], f"added {fields['title']}")
    return redirect(url_for("admin.home"))


def _title(doc_id: str) -> str:
    doc = current_app.config["ENGINE"].index.documents.get(doc_id)
    return doc.title if doc else doc_id


def _known(doc_id: str) -> bool:
    return doc_id in current_app.config["ENGINE"].index.documents


@admin.route("/documents/<doc_id>/edit", methods=["GET", "POST"])
@signed_in
def edit(doc_id: str):
    if not _known(doc_id):
        return redirect(url_for("admin.documents"))
    _library_ready()
    paths = _paths()
    entry = document_fields(paths.library, doc_id)
    current = {**{k: entry.get(k, "") for k in DETAILS}, **_rules_for_form(entry)}
    current["kind"] = current["kind"] or "other"
    form = EditForm(data=current) if request.method == "GET" else EditForm()
    _editions(form, exclude=doc_id)
    chunk = current_app.config["ENGINE"].settings.index.chunk
    source = paths.library / entry["file"]
    fmt = SUPPORTED_FORMATS[source.suffix.lower()]
    error = None
    values = {name: getattr(form, name).data or "" for name in RULES} if request.method == "POST" else current
    if request.method == "POST" and form.validate_on_submit() and request.form.get("action") == "save":
        fields = {**_details(form), **_rules_as_entry(values)}
        for name in ("date_note", "url_note", "title_note"):  # notes the lead cannot see here are kept
            if entry.get(name):
                fields[name] = entry[name]
        try:
            preview(source, fmt, doc_id, _rules(values), chunk)  # rules that leave nothing are refused
            before, after = update_document(paths.library, doc_id, fields)
        except (UploadError, ValueError) as exc:
            error = str(exc)
        else:
            changed = [k for k in sorted(set(before) | set(after)) if before.get(k) != after.get(k)]
            audit(session["admin"], "document details changed",
                  f"{after['title']}: " + "; ".join(f"{k}: {_shown(before.get(k))} -> {_shown(after.get(k))}"
                                                    for k in changed))
            service().rebuild(session["admin"], f"changed {after['title']}")
            return redirect(url_for("admin.home"))
    try:
        shown = preview(source, fmt, doc_id, _rules(values), chunk)
    except UploadError as exc:
        shown, error = None, error or str(exc)
    status = 400 if (form.errors or error) else 200
    return render_template("admin/edit.html", doc_id=doc_id, title=entry["title"], form=form, shown=shown,
                           error=error, confirm=ConfirmForm()), status


def _shown(value) -> str:
    if value in (None, "", [], False):
        return "(none)"
    return "; ".join(value) if isinstance(value, list) else str(value)


@admin.route("/documents/<doc_id>/replace", methods=["GET", "POST"])
@signed_in
def replace_document(doc_id: str):
    if not _known(doc_id):
        return redirect(url_for("admin.documents"))
    _library_ready()
    entry = document_fields(_paths().library, doc_id)
    form = ReplaceForm()
    error = None
    if request.method == "POST" and form.validate_on_submit():
        fields = {k: entry.get(k, "") for k in DETAILS if k != "replaces"}
        fields.update(date=(form.date.data or "").strip(), replaces=doc_id,
                      procedures=bool(entry.get("procedures")), internal=bool(entry.get("internal")))
        try:
            token = _stage(_uploaded(), fields, _rules_for_form(entry))
        except UploadError as exc:
            error = str(exc)
        else:
            return redirect(url_for("admin.review", token=token))
    return render_template("admin/replace.html", doc_id=doc_id, title=entry["title"], form=form, error=error,
                           confirm=ConfirmForm()), (400 if error or form.errors else 200)


@admin.route("/documents/<doc_id>/remove", methods=["GET", "POST"])
@signed_in
def remove(doc_id: str):
    form = ConfirmForm()
    if request.method == "GET":
        if not _known(doc_id):
            return redirect(url_for("admin.documents"))
        return render_template("admin/remove.html", doc_id=doc_id, title=_title(doc_id), form=form)
    if not form.validate_on_submit():
        return redirect(url_for("admin.documents"))
    paths = _paths()
    title = _title(doc_id)
    try:
        _library_ready()
        remove_document(paths.library, doc_id, paths.removed)
    except UploadError as exc:
        return documents_page(error=str(exc), status=400)
    audit(session["admin"], "document removed", title)
    service().rebuild(session["admin"], f"removed {title}")
    return redirect(url_for("admin.home"))


@admin.post("/documents/removed/<name>/restore")
@signed_in
def restore(name: str):
    form = ConfirmForm()
    if not form.validate_on_submit():
        return redirect(url_for("admin.documents"))
    paths = _paths()
    try:
        _library_ready()
        entry = restore_document(paths.library, paths.removed, name)
    except UploadError as exc:
        return documents_page(error=str(exc), status=400)
    audit(session["admin"], "document restored", entry["title"])
    service().rebuild(session["admin"], f"restored {entry['title']}")
    return redirect(url_for("admin.home"))
