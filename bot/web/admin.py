"""`/admin`: the safeguarding lead's pages for the school's library and contacts.

Signed-in only (accounts from `python -m bot admin add-user`), CSRF tokens on every form
(Flask-WTF), sign-in attempts rate limited, idle sessions expire. Uploaded files are checked by
content, stored under names made from their id, and published by rebuilding the index in the
background (bot/web/library_service.py). No staff question is ever read or written here.
"""

from __future__ import annotations

import time
from datetime import date
from functools import wraps

import tomli_w
from flask import Blueprint, abort, current_app, redirect, render_template, request, session, url_for
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectChoice, SelectField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp

from bot.answer.escalation import EMAIL, REGIONS, SCHOOL_PHONE, school_from_text
from bot.answer.readiness import readiness
from bot.library.manifest import load_manifest
from bot.library.school import MAX_UPLOAD_BYTES
from bot.web.accounts import (
    MIN_PASSWORD,
    AccountError,
    change_password,
    check_account,
    create_account,
)
from bot.web.accounts import (
    remove_account as delete_account,
)
from bot.web.schools import SLUG, SchoolError

admin = Blueprint("admin", __name__, url_prefix="/admin")
IDLE_SECONDS = 30 * 60


def service():
    return current_app.extensions["bot_library"]


def store():
    """This school's accounts, audit log, counts and contacts (bot/web/store.py)."""
    return current_app.extensions["bot_store"]


def audit(user: str, action: str, target: str) -> None:
    store().audit(user, action, target)


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
        # a session is for the school that signed it in (each school's key differs too: schools.py)
        wrong_school = session.get("school") != current_app.config.get("SCHOOL")
        if not user or wrong_school or time.time() - seen > IDLE_SECONDS:
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


class ConfirmForm(FlaskForm):
    """A form with only its CSRF token: publishing and removing."""


SLOT_LABELS = {"dsl": "Safeguarding lead", "deputy": "Deputy lead",
               "children_services": "Local authority children's services",
               "lado": "Concerns about adults who work with children (the LADO in England)"}
SLOTS = tuple(SLOT_LABELS)
PHONE_HELP = "Use a UK number such as 01234 567890, with an extension if it has one: 0115 496 0123 ext 4."


class ContactsForm(FlaskForm):
    region = SelectField("Nation", choices=[SelectChoice(r, r.replace("-", " ").title()) for r in REGIONS])
    lead_title = StringField("Your school's title for its lead (optional)", validators=[Optional(), Length(max=100)])


for _slot, _label in SLOT_LABELS.items():
    setattr(ContactsForm, f"{_slot}_name", StringField(f"{_label}: name", validators=[Optional(), Length(max=100)]))
    setattr(ContactsForm, f"{_slot}_phone", StringField(
        f"{_label}: phone", validators=[Optional(), Length(max=40), Regexp(SCHOOL_PHONE, message=PHONE_HELP)]))
    setattr(ContactsForm, f"{_slot}_email", StringField(
        f"{_label}: e-mail (optional)", validators=[Optional(), Length(max=200), Regexp(
            EMAIL, message="Use an e-mail address such as dsl@school.example.org.")]))
    setattr(ContactsForm, f"{_slot}_hours", StringField(
        f"{_label}: when they can be reached (optional, such as 'Mon to Fri 8am to 4pm')",
        validators=[Optional(), Length(max=100)]))


class PasswordForm(FlaskForm):
    current = PasswordField("Your current password", validators=[DataRequired(), Length(max=200)])
    new = PasswordField(f"New password (at least {MIN_PASSWORD} characters)", validators=[DataRequired(), Length(
        min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters.")])
    again = PasswordField("New password again", validators=[DataRequired(), EqualTo("new", message="The two new passwords differ.")])


class AccountForm(FlaskForm):
    name = StringField("Their sign-in name (letters, digits, '.', '_' or '-')", validators=[DataRequired(), Length(max=40)])
    password = PasswordField(f"A first password for them (at least {MIN_PASSWORD} characters)", validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters.")])


@admin.route("/sign-in", methods=["GET", "POST"])
def sign_in():
    form = SignInForm()
    error = None
    if form.validate_on_submit():
        if check_account(store(), form.name.data, form.password.data):
            session.clear()
            session.update(admin=form.name.data, seen=time.time(), school=current_app.config.get("SCHOOL"))
            session.permanent = False
            target = request.args.get("next", "")
            # `next` is a path inside this app (a school's app lives under /s/<school>/)
            return redirect(request.script_root + target if target.startswith("/admin") and "//" not in target
                            else url_for("admin.home"))
        error = "That name and password do not match an account."
    return render_template("admin/sign_in.html", form=form, error=error), 401 if error else 200


@admin.post("/sign-out")
@signed_in
def sign_out():
    form = ConfirmForm()
    if form.validate_on_submit():
        session.clear()
    return redirect(url_for("pages.ask_form"))


FIXES = {"contacts": "admin.contacts", "document": "admin.edit", "national": "pages.contacts_page"}


def fix_link(finding) -> str:
    """The page that fixes a "still to do" item: the contacts form at the slot's field, the
    document's details, or the public Contacts page for a national entry."""
    kind, _, what = finding.fix.partition(":")
    if kind == "contacts":
        return url_for("admin.contacts", _anchor=f"{what}_name")
    if kind == "document":
        return url_for("admin.edit", doc_id=what)
    return url_for("pages.contacts_page")


@admin.get("/")
@signed_in
def home():
    engine = current_app.config["ENGINE"]
    manifest = load_manifest(engine.settings.seeds_dir)
    findings = readiness(engine.escalation_book, engine.school, manifest.documents, date.today())
    return render_template("admin/home.html", findings=[(f, fix_link(f)) for f in findings if f.school],
                           national=[f for f in findings if not f.school], status=service().status,
                           audit=store().audit_entries(), user=session["admin"], form=ConfirmForm(),
                           coverage=store().coverage_days(), refresh=service().status.state == "building")


def _contact_values(school) -> dict:
    data = {"region": school.region, "lead_title": school.lead_title}
    for slot in SLOTS:
        data[f"{slot}_name"], data[f"{slot}_phone"] = school.slots.get(slot, ("", ""))
        for key in ("email", "hours"):
            data[f"{slot}_{key}"] = school.details.get(slot, {}).get(key, "")
    return data


@admin.route("/contacts", methods=["GET", "POST"])
@signed_in
def contacts():
    engine = current_app.config["ENGINE"]
    before = _contact_values(engine.school)
    form = ContactsForm(data=before) if request.method == "GET" else ContactsForm()
    saved = False
    if request.method == "POST" and form.validate_on_submit():
        after = {name: (field.data or "").strip() for name, field in form._fields.items() if name != "csrf_token"}
        content = {"region": after["region"], "lead_title": after["lead_title"]}
        for slot in SLOTS:
            content[slot] = {key: after[f"{slot}_{key}"] for key in ("name", "phone", "email", "hours")
                             if key in ("name", "phone") or after[f"{slot}_{key}"]}
        text = tomli_w.dumps(content)
        new_school = school_from_text(text)  # the same checks as at start-up, before it replaces anything
        store().set_contacts_text(text)
        current_app.config["ENGINE"] = engine.with_school(new_school)
        changed = [name for name in after if (before.get(name) or "") != after[name]]
        if changed:
            audit(session["admin"], "contacts changed", "; ".join(
                f"{form[name].label.text.split(' (')[0]}: {before.get(name) or '(none)'} -> {after[name] or '(none)'}"
                for name in changed))
        saved = True
    return render_template("admin/contacts.html", form=form, saved=saved, slots=SLOT_LABELS), (400 if form.errors else 200)


@admin.route("/accounts", methods=["GET", "POST"])
@signed_in
def accounts():
    """The lead's own password, and the other admins (a deputy): added and removed, each audited."""
    password_form, account_form = PasswordForm(prefix="pw"), AccountForm(prefix="new")
    message, status = None, 200
    if request.method == "POST":
        if request.form.get("action") == "password" and password_form.validate_on_submit():
            if check_account(store(), session["admin"], password_form.current.data):
                change_password(store(), session["admin"], password_form.new.data)
                audit(session["admin"], "password changed", session["admin"])
                message = "Your password is changed."
            else:
                password_form.current.errors = ["That is not your current password."]
                status = 400
        elif request.form.get("action") == "add" and account_form.validate_on_submit():
            try:
                if account_form.name.data in store().users():
                    raise AccountError("there is already an account with that name")
                create_account(store(), account_form.name.data, account_form.password.data)
            except AccountError as exc:
                account_form.name.errors = [f"Not added: {exc}."]
                status = 400
            else:
                audit(session["admin"], "account added", account_form.name.data)
                message = f"Account '{account_form.name.data}' added."
                account_form = AccountForm(prefix="new", formdata=None)
        else:
            status = 400
    return render_template("admin/accounts.html", names=sorted(store().users()), me=session["admin"],
                           password_form=password_form, account_form=account_form, confirm=ConfirmForm(),
                           message=message), status


@admin.post("/accounts/<name>/remove")
@signed_in
def remove_account(name: str):
    form = ConfirmForm()
    if form.validate_on_submit() and name != session["admin"] and name in store().users():
        delete_account(store(), name)
        audit(session["admin"], "account removed", name)
    return redirect(url_for("admin.accounts"))


class SchoolForm(FlaskForm):
    slug = StringField("Its address: /s/ followed by 2 to 47 lower-case letters, digits or '-' (such as green-lane)",
                       validators=[DataRequired(), Length(max=47), Regexp(
                           SLUG, message="Use lower-case letters, digits and '-' only.")])
    name = StringField("The school's name", validators=[DataRequired(), Length(max=200)])
    admin_name = StringField("Its first admin's sign-in name (usually the safeguarding lead)",
                             validators=[DataRequired(), Length(max=40)])
    admin_password = PasswordField(f"A first password for them (at least {MIN_PASSWORD} characters)", validators=[
        DataRequired(), Length(min=MIN_PASSWORD, max=200, message=f"Use at least {MIN_PASSWORD} characters.")])


@admin.route("/schools", methods=["GET", "POST"])
@signed_in
def schools():
    """The operator's list of schools, and adding one with its first admin (many-school deployments only)."""
    directory = current_app.extensions.get("bot_schools")
    if directory is None:
        abort(404)
    form, message, status = SchoolForm(), None, 200
    if request.method == "POST":
        if form.validate_on_submit():
            slug, name = form.slug.data.strip(), form.name.data.strip()
            try:
                if not directory.add_school(slug, name):
                    raise SchoolError("there is already a school at that address")
                create_account(directory.store(slug), form.admin_name.data.strip(), form.admin_password.data)
            except (SchoolError, AccountError) as exc:
                form.slug.errors = [f"Not added: {exc}."]
                status = 400
            else:
                audit(session["admin"], "school added", f"{name} (/s/{slug}/), first admin {form.admin_name.data}")
                message = f"{name} added: its staff page is /s/{slug}/ and its admin pages /s/{slug}/admin/."
                form = SchoolForm(formdata=None)
        else:
            status = 400
    return render_template("admin/schools.html", form=form, confirm=ConfirmForm(), message=message,
                           schools=directory.schools(), removed=directory.schools(removed=True)), status


@admin.route("/schools/<slug>/remove", methods=["GET", "POST"])
@signed_in
def remove_school(slug: str):
    """Take a school out of service after a confirmation page: its address stops answering and its
    admins cannot sign in; nothing of it is deleted, and it can be put back."""
    directory = current_app.extensions.get("bot_schools")
    school = directory.school(slug) if directory is not None else None
    if school is None:
        abort(404)
    form = ConfirmForm()
    if request.method == "POST" and form.validate_on_submit():
        if directory.set_removed(slug, True):
            current_app.extensions["bot_dispatcher"].forget(slug)
            audit(session["admin"], "school removed", f"{school['name']} (/s/{slug}/)")
        return redirect(url_for("admin.schools"))
    return render_template("admin/remove_school.html", school=school, form=form)


@admin.post("/schools/<slug>/restore")
@signed_in
def restore_school(slug: str):
    directory = current_app.extensions.get("bot_schools")
    if directory is None:
        abort(404)
    form = ConfirmForm()
    if form.validate_on_submit() and directory.set_removed(slug, False):
        audit(session["admin"], "school restored", f"/s/{slug}/")
    return redirect(url_for("admin.schools"))


from bot.web import admin_documents  # noqa: E402,F401 - registers the document routes on this blueprint
