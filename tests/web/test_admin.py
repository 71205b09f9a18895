"""The safeguarding lead's admin area: sign-in, CSRF, uploads, publishing, contacts, the audit log."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bot.web.accounts import add_user, load_users
from tests.library.test_extract import make_pdf

pytestmark = pytest.mark.slow

PASSWORD = "correct horse battery staple"
# Only the generated policy says this; the default library never mentions a "Blue Door".
PDF_PAGES = [["Blue Door Academy online safety policy."],
             ["At Blue Door Academy the online safety officer checks the filtering logs every Friday afternoon, "
              "and reports any attempt to reach a nudify website to the head of year."]]
ONLY_THE_PDF = "Who checks the filtering logs at Blue Door Academy, and when?"


@pytest.fixture
def instance(tmp_path: Path) -> Path:
    folder = tmp_path / "instance"
    add_user(folder, "lead", PASSWORD)
    return folder


@pytest.fixture
def admin_app(engine, instance):
    from bot.web.app import create_app

    return create_app({"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "off", "INSTANCE_DIR": instance})


def token(html: str) -> str:
    return re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)


def sign_in(client) -> None:
    page = client.get("/admin/sign-in").get_data(as_text=True)
    response = client.post("/admin/sign-in", data={"name": "lead", "password": PASSWORD, "csrf_token": token(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith("/admin/")


ADMIN_ROUTES = [
    ("get", "/admin/"), ("get", "/admin/documents"), ("get", "/admin/contacts"), ("post", "/admin/documents"),
    ("post", "/admin/contacts"), ("post", "/admin/documents/some-doc/remove"), ("post", "/admin/sign-out"),
    ("get", "/admin/documents/review/" + "0" * 32), ("post", "/admin/documents/review/" + "0" * 32 + "/publish"),
    ("get", "/admin/documents/some-doc/edit"), ("post", "/admin/documents/some-doc/edit"),
    ("get", "/admin/documents/some-doc/replace"), ("post", "/admin/documents/some-doc/replace"),
    ("get", "/admin/documents/some-doc/remove"), ("post", "/admin/documents/removed/some-removal/restore"),
    ("get", "/admin/accounts"), ("post", "/admin/accounts"), ("post", "/admin/accounts/lead/remove"),
]


@pytest.mark.parametrize("method, path", ADMIN_ROUTES)
def test_every_admin_route_without_a_session_goes_to_sign_in(admin_app, method, path):
    response = getattr(admin_app.test_client(), method)(path)
    assert response.status_code == 302 and "/admin/sign-in" in response.headers["Location"]


def test_the_password_is_stored_only_as_a_slow_hash_in_the_instance_folder(instance):
    stored = load_users(instance)["lead"]
    assert stored.startswith("scrypt:") and PASSWORD not in stored
    assert oct((instance / "admins.json").stat().st_mode)[-3:] == "600"


def test_sign_in_sets_a_strict_http_only_cookie_and_a_wrong_password_is_refused(admin_app):
    client = admin_app.test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    wrong = client.post("/admin/sign-in", data={"name": "lead", "password": "nope", "csrf_token": token(page)})
    assert wrong.status_code == 401 and "do not match" in wrong.get_data(as_text=True)
    sign_in(client)
    cookie = client.get_cookie("session")
    assert cookie.http_only and cookie.same_site == "Strict"
    assert client.get("/admin/").status_code == 200


def test_repeated_wrong_passwords_are_slowed(admin_app):
    client = admin_app.test_client()
    page = client.get("/admin/sign-in").get_data(as_text=True)
    statuses = [client.post("/admin/sign-in", data={"name": "lead", "password": f"guess {i}",
                                                    "csrf_token": token(page)}).status_code for i in range(6)]
    assert statuses == [401] * 5 + [429]


def test_a_form_without_its_csrf_token_is_refused_and_changes_nothing(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    response = client.post("/admin/contacts", data={"region": "england", "dsl_name": "Ms A", "dsl_phone": "01234 567890"})
    assert response.status_code == 400
    assert not (instance / "school.toml").exists()


def test_contacts_are_validated_saved_in_the_instance_folder_and_shown_at_once(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    page = client.get("/admin/contacts").get_data(as_text=True)
    bad = client.post("/admin/contacts", data={"region": "england", "dsl_name": "Ms A", "dsl_phone": "ring the office",
                                               "csrf_token": token(page)})
    assert bad.status_code == 400 and "UK number" in bad.get_data(as_text=True)
    assert not (instance / "school.toml").exists()
    good = client.post("/admin/contacts", data={"region": "wales", "dsl_name": "Ms A. Example",
                                                "dsl_phone": "01234 567890", "csrf_token": token(page)})
    assert good.status_code == 200 and "Saved" in good.get_data(as_text=True)
    assert 'name = "Ms A. Example"' in (instance / "school.toml").read_text(encoding="utf-8")
    staff_page = admin_app.test_client().get("/").get_data(as_text=True)
    assert "Your designated safeguarding person (DSP): Ms A. Example" in staff_page
    assert "contacts changed" in client.get("/admin/").get_data(as_text=True)


def upload(client, data: bytes, filename: str, title: str = "Blue Door policy"):
    from io import BytesIO

    page = client.get("/admin/documents").get_data(as_text=True)
    return client.post("/admin/documents", content_type="multipart/form-data", data={
        "file": (BytesIO(data), filename), "title": title, "publisher": "Blue Door Academy",
        "date": "2025-09-01", "url": "https://example.org/policy.pdf", "licence": "Internal",
        "procedures": "y", "csrf_token": token(page)})


@pytest.mark.parametrize("data, filename, message", [
    (b"\x89PNG\r\n\x1a\n" + bytes(200), "photo.pdf", "not a PDF, HTML or plain-text"),
    (b"%PDF-1.4 this is not really a PDF", "policy.pdf", "cannot read PDF"),
    (b"PK\x03\x04" + bytes(100), "policy.docx", "cannot be opened"),
    (b"\xd0\xcf\x11\xe0" + bytes(100), "policy.doc", "save it as .docx or PDF"),
    (b"", "empty.txt", "Choose a file"),
])
def test_a_bad_upload_gets_a_clear_message_and_changes_nothing(admin_app, instance, data, filename, message):
    client = admin_app.test_client()
    sign_in(client)
    response = upload(client, data, filename)
    html = response.get_data(as_text=True)
    assert response.status_code == 400 and message in html
    assert not (instance / "library").exists()
    assert not list((instance / "staging").glob("*")) if (instance / "staging").exists() else True


def test_a_file_over_the_limit_is_refused_with_a_clear_message(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    response = upload(client, b"x" * (11 * 1024 * 1024), "huge.txt")
    assert response.status_code == 413 and "larger than 10 MB" in response.get_data(as_text=True)
    assert not (instance / "library").exists()


def test_a_real_size_document_is_accepted_not_refused_as_too_large(admin_app, instance):
    """The app's 64 KiB limit for questions must not apply to an upload (KCSIE 2024 is 1.8 MB)."""
    client = admin_app.test_client()
    sign_in(client)
    body = "\n\n".join(f"{n}. Staff should tell the designated safeguarding lead about concern number {n}."
                       for n in range(1, 6000)).encode()
    assert len(body) > 400 * 1024
    response = upload(client, body, "long-policy.txt", title="A long policy")
    assert response.status_code == 302, response.get_data(as_text=True)[:300]


def test_a_hostile_file_name_stores_nothing_outside_the_instance_folder(admin_app, instance, tmp_path):
    client = admin_app.test_client()
    sign_in(client)
    response = upload(client, b"Blue Door Academy says hello to every pupil at the gate.\n", "../../../evil.txt")
    assert response.status_code == 302
    assert not (tmp_path / "evil.txt").exists() and not list(tmp_path.rglob("evil*"))
    staged = list((instance / "staging").iterdir())
    assert staged and all(re.fullmatch(r"[0-9a-f]{32}\.(bin|json)", p.name) for p in staged)


def test_no_admin_page_leaks_a_hash_a_path_or_a_stack_trace(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    for path in ("/admin/", "/admin/documents", "/admin/contacts", "/admin/documents/review/" + "f" * 32,
                 "/admin/documents/review/not-a-token", "/admin/accounts", "/admin/documents/no-such-doc/edit",
                 "/admin/documents/derbyshire-pcc-ai-csam-laws/edit", "/admin/documents/kcsie-2025-part-one/remove",
                 "/admin/documents/kcsie-2025-part-one/replace"):
        html = client.get(path, follow_redirects=True).get_data(as_text=True)
        assert "scrypt:" not in html and str(instance) not in html and "Traceback" not in html


def test_a_word_policy_uploads_and_previews_with_its_own_section_numbers(admin_app, instance, tmp_path):
    from bot.bench.publish import make_docx
    from tests.library.test_extract import POLICY

    client = admin_app.test_client()
    sign_in(client)
    path = tmp_path / "procedure.docx"
    make_docx(path, "Oakfield Primary School staff procedure", POLICY, footer="Oakfield - Version 2 - Page 1")
    response = upload(client, path.read_bytes(), "procedure.docx", title="Oakfield staff procedure")
    assert response.status_code == 302
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The passages it will make" in review and "normally does so unless" in review
    assert "Paragraph 5.1, under ‘5. Informing parents’" in review and "Version 2" not in review


def test_publish_preview_ask_and_remove_as_a_lead_would(admin_app, instance, tmp_path):
    client = admin_app.test_client()
    sign_in(client)
    pdf = tmp_path / "policy.pdf"
    make_pdf(pdf, PDF_PAGES)
    response = upload(client, pdf.read_bytes(), "policy.pdf")
    assert response.status_code == 302
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "The passages it will make" in review and "filtering logs every Friday" in review and "page 2" in review
    before = admin_app.config["ENGINE"]
    assert client.post(response.headers["Location"] + "/publish", data={"csrf_token": token(review)}).status_code == 302
    service = admin_app.extensions["bot_library"]
    service.wait(180)
    assert service.status.state == "ready", service.status.message
    assert admin_app.config["ENGINE"] is not before
    answer = admin_app.test_client().post("/api/ask", json={"question": ONLY_THE_PDF}).get_json()
    assert answer["answered"], answer
    quote = answer["passages"][0]
    assert "filtering logs" in quote["quote"] and quote["location"]["page"] == 2 and "page 2" in quote["citation"]
    home = client.get("/admin/").get_data(as_text=True)
    assert "document added" in home and "library published" in home
    doc_id = quote["source"]["id"]
    documents = client.get("/admin/documents").get_data(as_text=True)
    assert client.post(f"/admin/documents/{doc_id}/remove", data={"csrf_token": token(documents)}).status_code == 302
    service.wait(180)
    assert service.status.state == "ready", service.status.message
    gone = admin_app.test_client().post("/api/ask", json={"question": ONLY_THE_PDF}).get_json()
    assert not gone["answered"]
    assert not (instance / "library" / Path(doc_id + ".pdf")).exists()


@pytest.mark.parametrize("path, data", [
    ("/admin/documents/kcsie-2025-part-one/remove", {}),
    ("/admin/documents/kcsie-2025-part-one/edit", {"title": "T", "publisher": "P", "action": "save"}),
    ("/admin/accounts", {"action": "add", "new-name": "deputy", "new-password": "x" * 20}),
    ("/admin/accounts/lead/remove", {}),
])
def test_every_new_form_without_its_csrf_token_is_refused_and_changes_nothing(admin_app, instance, path, data):
    client = admin_app.test_client()
    sign_in(client)
    assert client.post(path, data=data).status_code == 400
    assert not (instance / "library").exists() and set(load_users(instance)) == {"lead"}


def test_contacts_take_an_extension_e_mail_and_hours_and_the_audit_names_only_what_changed(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    page = client.get("/admin/contacts").get_data(as_text=True)
    bad = client.post("/admin/contacts", data={"region": "england", "deputy_email": "not an address",
                                               "csrf_token": token(page)})
    assert bad.status_code == 400 and "e-mail address such as" in bad.get_data(as_text=True)
    good = client.post("/admin/contacts", data={
        "region": "england", "dsl_name": "Ms A", "dsl_phone": "0115 496 0123 ext 4", "dsl_email": "dsl@school.example.org",
        "dsl_hours": "Mon to Fri 8am to 4pm", "csrf_token": token(page)})
    assert good.status_code == 200, good.get_data(as_text=True)[:500]
    staff = admin_app.test_client().get("/contacts").get_data(as_text=True)
    assert 'href="tel:01154960123;ext=4"' in staff and "dsl@school.example.org" in staff
    assert "Can be reached: Mon to Fri 8am to 4pm" in staff
    change = [a for a in client.get("/admin/").get_data(as_text=True).split("<tr>") if "contacts changed" in a][0]
    assert "Safeguarding lead: phone: (none) -&gt; 0115 496 0123 ext 4" in change and "deputy" not in change.lower()


def test_a_regular_expression_error_is_explained_and_plain_text_works(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    response = upload(client, b"Blue Door Academy policy.\n\nPage 1 of 2 (draft)\n\nStaff tell the DSL.\n", "p.txt")
    review_url = response.headers["Location"]
    page = client.get(review_url).get_data(as_text=True)
    bad = client.post(review_url, data={"drop_paragraphs": "Page 1 of 2 (", "csrf_token": token(page)})
    html = bad.get_data(as_text=True)
    assert bad.status_code == 400 and "is not a valid regular expression" in html and "Leave out paragraphs containing" in html
    good = client.post(review_url, data={"drop_containing": "Page 1 of 2 (", "csrf_token": token(page)})
    html = good.get_data(as_text=True)
    assert good.status_code == 200 and "Left out by the cleaning rules (1)" in html
    kept = html.split("The text kept")[1]
    assert "Page 1 of 2" not in kept and "Staff tell the DSL" in kept


def test_a_lead_adds_a_deputy_changes_their_password_and_removes_the_deputy(admin_app, instance):
    client = admin_app.test_client()
    sign_in(client)
    page = client.get("/admin/accounts").get_data(as_text=True)
    added = client.post("/admin/accounts", data={"action": "add", "new-name": "deputy", "new-password": "a" * 14,
                                                 "csrf_token": token(page)})
    assert added.status_code == 200 and "deputy" in load_users(instance)
    short = client.post("/admin/accounts", data={"action": "add", "new-name": "other", "new-password": "short",
                                                 "csrf_token": token(page)})
    assert short.status_code == 400 and "at least 12 characters" in short.get_data(as_text=True)
    wrong = client.post("/admin/accounts", data={"action": "password", "pw-current": "not it", "pw-new": "b" * 14,
                                                 "pw-again": "b" * 14, "csrf_token": token(page)})
    assert wrong.status_code == 400 and "not your current password" in wrong.get_data(as_text=True)
    changed = client.post("/admin/accounts", data={"action": "password", "pw-current": PASSWORD, "pw-new": "b" * 14,
                                                   "pw-again": "b" * 14, "csrf_token": token(page)})
    assert changed.status_code == 200 and "password is changed" in changed.get_data(as_text=True)
    assert client.post("/admin/accounts/lead/remove", data={"csrf_token": token(page)}).status_code == 302
    assert "lead" in load_users(instance)  # never your own account
    assert client.post("/admin/accounts/deputy/remove", data={"csrf_token": token(page)}).status_code == 302
    assert set(load_users(instance)) == {"lead"}
    home = client.get("/admin/").get_data(as_text=True)
    assert all(action in home for action in ("account added", "password changed", "account removed"))
    assert "scrypt:" not in home and "b" * 14 not in home


def test_coverage_counts_are_numbers_and_no_question_reaches_the_instance_folder(admin_app, instance):
    asked = ["Is Zebedee Quartermaine-Holloway's fake nude illegal?",
             "What should I do about Zebedee Quartermaine-Holloway's phone?",
             "When is the Quartermaine-Holloway sports day?"]
    staff = admin_app.test_client()
    for question in asked:
        staff.post("/ask", data={"question": question})
        staff.post("/api/ask", json={"question": question})
    client = admin_app.test_client()
    sign_in(client)
    home = client.get("/admin/").get_data(as_text=True)
    row = home.split("Questions per day")[1].split("</tr>")[1]
    assert "<td>6</td>" in row  # asked
    for path in instance.rglob("*"):
        if path.is_file():
            content = path.read_bytes()
            assert b"Quartermaine" not in content and b"Zebedee" not in content and b"sports day" not in content, path
    assert (instance / "coverage.json").is_file()


def test_a_running_footer_found_by_repetition_is_shown_as_left_out_in_the_preview(admin_app, instance, tmp_path):
    client = admin_app.test_client()
    sign_in(client)
    pdf = tmp_path / "footer.pdf"
    topics = ("phones", "images", "parents", "records", "visitors", "trips", "clubs", "lessons", "buses")
    make_pdf(pdf, [[f"Staff at Blue Door Academy follow the rules on {topic}." for topic in topics[3 * n:3 * n + 3]]
                   + ["Blue Door Academy - Version 3"] for n in range(3)])
    response = upload(client, pdf.read_bytes(), "footer.pdf")
    review = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Running headers, footers and page numbers left out" in review
    left_out, kept = review.split("Running headers, footers and page numbers left out")[1].split("The text kept")
    assert "Blue Door Academy - Version 3" in left_out and "Version 3" not in kept
