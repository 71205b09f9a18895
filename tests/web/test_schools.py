"""Many schools in one deployment (files in the instance folder): each school sees only its own."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest

from bot.web.accounts import add_user
from tests.web.test_admin import ADMIN_ROUTES as ONE_SCHOOL_ROUTES
from tests.web.test_admin import PASSWORD, token

pytestmark = pytest.mark.slow

# every route of a one-school admin area, the other school's lead's account, and the operator's Schools pages
ADMIN_ROUTES = [
    *ONE_SCHOOL_ROUTES, ("post", "/admin/accounts/lead-b/remove"),
    ("get", "/admin/schools"), ("post", "/admin/schools"), ("get", "/admin/schools/green-lane/remove"),
    ("post", "/admin/schools/green-lane/remove"), ("post", "/admin/schools/green-lane/restore"),
]


@pytest.fixture(params=["files", "postgres"])
def deployment(request, engine, tmp_path: Path):
    """An operator with two schools: once with the instance folder's files, once with every
    school's rows in one real PostgreSQL database."""
    if request.param == "postgres":
        postgres = request.getfixturevalue("postgres")
        return make_deployment(engine, tmp_path, postgres.database(f"schools_{uuid.uuid4().hex[:12]}"))
    return make_deployment(engine, tmp_path)


@pytest.fixture
def file_deployment(engine, tmp_path: Path):
    return make_deployment(engine, tmp_path)


def make_deployment(engine, tmp_path: Path, database_url: str | None = None):
    """An operator with two schools, added through the operator's own Schools page."""
    from bot.web.app import create_app

    instance = tmp_path / "instance"
    config = {"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "off", "INSTANCE_DIR": instance, "SCHOOLS": True}
    if database_url:
        from bot.web.accounts import create_account
        from bot.web.schools import OPERATOR
        from bot.web.store import Database

        config["DATABASE_URL"] = database_url
        create_account(Database(database_url).store(OPERATOR), "operator", PASSWORD)
    else:
        add_user(instance, "operator", PASSWORD)
    app = create_app(config)
    client = app.test_client()
    sign_in(client, "", "operator")
    for slug, name, lead in (("green-lane", "Green Lane Primary", "lead-a"), ("hill-top", "Hill Top Academy", "lead-b")):
        page = client.get("/admin/schools").get_data(as_text=True)
        added = client.post("/admin/schools", data={"slug": slug, "name": name, "admin_name": lead,
                                                    "admin_password": PASSWORD, "csrf_token": token(page)})
        assert added.status_code == 200 and f"{name} added" in added.get_data(as_text=True)
    return app


def sign_in(client, prefix: str, name: str) -> None:
    page = client.get(f"{prefix}/admin/sign-in").get_data(as_text=True)
    response = client.post(f"{prefix}/admin/sign-in", data={"name": name, "password": PASSWORD,
                                                           "csrf_token": token(page)})
    assert response.status_code == 302 and response.headers["Location"].endswith(f"{prefix}/admin/"), response.headers


def test_each_school_has_its_own_staff_page_answers_and_links_that_stay_inside_it(deployment):
    client = deployment.test_client()
    page = client.get("/s/green-lane/").get_data(as_text=True)
    assert "Green Lane Primary" in page and "Hill Top" not in page
    assert 'action="/s/green-lane/ask"' in page  # every link the school's page makes stays in the school
    answer = client.post("/s/hill-top/api/ask", json={"question": "Is an AI-generated nude image of a child illegal?"})
    assert answer.status_code == 200 and answer.get_json()["answered"]
    assert client.get("/s/no-such-school/").status_code == 404
    assert client.get("/s/green-lane").status_code == 308


def test_a_school_admin_cannot_read_or_change_anything_of_another_school(deployment):
    client = deployment.test_client()
    sign_in(client, "/s/green-lane", "lead-a")
    assert client.get("/s/green-lane/admin/").status_code == 200
    # signed in at Green Lane: every admin route of Hill Top, and of the operator, asks to sign in
    for method, path in ADMIN_ROUTES:
        for prefix in ("/s/hill-top", ""):
            response = getattr(client, method)(prefix + path)
            assert response.status_code == 302 and f"{prefix}/admin/sign-in" in response.headers["Location"], \
                (method, prefix + path, response.status_code)
    # Green Lane's signed cookie, copied by hand to Hill Top's cookie name and address, is not a session there
    cookie = client.get_cookie("session-green-lane", path="/s/green-lane/")
    assert cookie is not None
    intruder = deployment.test_client()
    intruder.set_cookie("session-hill-top", cookie.value, path="/s/hill-top/")
    response = intruder.get("/s/hill-top/admin/")
    assert response.status_code == 302 and "/s/hill-top/admin/sign-in" in response.headers["Location"]
    # nor do Green Lane's name and password open Hill Top or the operator's pages
    for prefix in ("/s/hill-top", ""):
        other = deployment.test_client()
        page = other.get(f"{prefix}/admin/sign-in").get_data(as_text=True)
        refused = other.post(f"{prefix}/admin/sign-in", data={"name": "lead-a", "password": PASSWORD,
                                                              "csrf_token": token(page)})
        assert refused.status_code == 401


def test_contacts_audit_and_counts_belong_to_one_school(deployment):
    client = deployment.test_client()
    sign_in(client, "/s/green-lane", "lead-a")
    form = client.get("/s/green-lane/admin/contacts").get_data(as_text=True)
    saved = client.post("/s/green-lane/admin/contacts", data={
        "csrf_token": token(form), "region": "wales", "lead_title": "", "dsl_name": "Ms Ada Green",
        "dsl_phone": "01234 567890"})
    assert saved.status_code == 200
    client.post("/s/green-lane/api/ask", json={"question": "Is a deepfake nude of a pupil illegal?"})
    assert "Ms Ada Green" in client.get("/s/green-lane/").get_data(as_text=True)
    assert "Ms Ada Green" not in client.get("/s/hill-top/").get_data(as_text=True)
    assert "Ms Ada Green" not in client.get("/").get_data(as_text=True)
    home = client.get("/s/green-lane/admin/").get_data(as_text=True)
    assert "contacts changed" in home

    other = deployment.test_client()
    sign_in(other, "/s/hill-top", "lead-b")
    home_b = other.get("/s/hill-top/admin/").get_data(as_text=True)
    assert "contacts changed" not in home_b and "Ms Ada Green" not in home_b
    counts_a = re.findall(r"<td>(\d+)</td>", home)
    assert counts_a and counts_a[0] == "1"  # Green Lane's one question, counted for Green Lane only
    assert not re.findall(r"<td>(\d+)</td>", home_b)


def test_the_operator_lists_the_schools_and_a_school_admin_has_no_schools_page(deployment):
    client = deployment.test_client()
    sign_in(client, "", "operator")
    page = client.get("/admin/schools").get_data(as_text=True)
    assert "Green Lane Primary" in page and "Hill Top Academy" in page and "/s/hill-top/admin/" in page
    page = client.get("/admin/schools").get_data(as_text=True)
    again = client.post("/admin/schools", data={"slug": "hill-top", "name": "Copy", "admin_name": "x-lead",
                                                "admin_password": PASSWORD, "csrf_token": token(page)})
    assert again.status_code == 400 and "already a school at that address" in again.get_data(as_text=True)
    school = deployment.test_client()
    sign_in(school, "/s/hill-top", "lead-b")
    assert school.get("/s/hill-top/admin/schools").status_code == 404
    assert "Schools</a>" not in school.get("/s/hill-top/admin/").get_data(as_text=True)


def test_a_one_school_install_has_no_school_addresses(client):
    assert client.get("/s/green-lane/").status_code == 404


def upload_text(client, prefix: str, name: str, text: str, title: str) -> None:
    from io import BytesIO

    page = client.get(f"{prefix}/admin/documents").get_data(as_text=True)
    uploaded = client.post(f"{prefix}/admin/documents", content_type="multipart/form-data", data={
        "file": (BytesIO(text.encode()), name), "title": title, "publisher": title.split()[0] + " publisher",
        "date": "2026-09-01", "url": "https://example.org/" + name, "licence": "Internal", "procedures": "y",
        "csrf_token": token(page)})
    assert uploaded.status_code == 302, uploaded.get_data(as_text=True)[:300]
    review = client.get(uploaded.headers["Location"]).get_data(as_text=True)
    assert client.post(uploaded.headers["Location"] + "/publish", data={"csrf_token": token(review)}).status_code == 302


def test_a_school_with_documents_of_its_own_still_answers_from_the_shared_library_as_the_operator_changes_it(
        file_deployment):
    deployment = file_deployment
    dispatcher = deployment.extensions["bot_dispatcher"]
    lead, operator = deployment.test_client(), deployment.test_client()
    sign_in(lead, "/s/green-lane", "lead-a")
    sign_in(operator, "", "operator")
    upload_text(lead, "/s/green-lane", "keys.txt", "Green Lane key procedure\n\nAt Green Lane Primary the caretaker "
                "locks the music rooms at half past four every weekday.\n", "Green Lane key procedure")
    dispatcher.apps["green-lane"].extensions["bot_library"].wait(180)
    upload_text(operator, "", "trips.txt", "County guidance on school trips\n\nFor every residential trip the "
                "county asks schools to send the consent forms to the visits adviser six weeks ahead.\n",
                "County trips guidance")
    deployment.extensions["bot_library"].wait(180)

    def answer(prefix: str, question: str) -> dict:
        return deployment.test_client().post(f"{prefix}/api/ask", json={"question": question}).get_json()

    trips = "When must consent forms for a residential trip reach the visits adviser?"
    keys = "When does the caretaker lock the music rooms at Green Lane Primary?"
    assert answer("/s/hill-top", trips)["answered"]  # a school with no documents of its own: at once
    answer("/s/green-lane", keys)  # the school's next request finds the shared library changed
    dispatcher.apps["green-lane"].extensions["bot_library"].wait(180)
    for question, words in ((trips, "six weeks ahead"), (keys, "half past four")):
        found = answer("/s/green-lane", question)
        assert found["answered"] and words in found["passages"][0]["quote"], (question, found)
    assert not answer("/s/hill-top", keys)["answered"]  # Green Lane's own document stays Green Lane's
    home = lead.get("/s/green-lane/admin/").get_data(as_text=True)
    assert "the shared library changed: added &#39;County trips guidance&#39;" in home or \
        "the shared library changed: added 'County trips guidance'" in home


def test_the_operators_own_contacts_are_kept_apart_from_every_schools(deployment):
    client = deployment.test_client()
    sign_in(client, "", "operator")
    form = client.get("/admin/contacts").get_data(as_text=True)
    saved = client.post("/admin/contacts", data={"csrf_token": token(form), "region": "england", "lead_title": "",
                                                 "dsl_name": "County Safeguarding Desk", "dsl_phone": "01234 567892"})
    assert saved.status_code == 200
    assert "County Safeguarding Desk" in client.get("/").get_data(as_text=True)
    assert "County Safeguarding Desk" not in client.get("/s/green-lane/").get_data(as_text=True)
    schools = client.get("/admin/schools").get_data(as_text=True)
    assert "The schools (2)" in schools  # the operator is not one of them
    assert deployment.test_client().get("/s/_operator/").status_code == 404


def test_a_removed_school_stops_answering_keeps_everything_and_can_be_put_back(deployment):
    lead = deployment.test_client()
    sign_in(lead, "/s/hill-top", "lead-b")
    form = lead.get("/s/hill-top/admin/contacts").get_data(as_text=True)
    lead.post("/s/hill-top/admin/contacts", data={"csrf_token": token(form), "region": "england", "lead_title": "",
                                                  "dsl_name": "Mr Ben Hill", "dsl_phone": "01234 567893"})
    operator = deployment.test_client()
    sign_in(operator, "", "operator")
    page = operator.get("/admin/schools/hill-top/remove").get_data(as_text=True)
    assert "Nothing of the school is deleted" in page
    assert operator.post("/admin/schools/hill-top/remove", data={"csrf_token": token(page)}).status_code == 302
    assert deployment.test_client().get("/s/hill-top/").status_code == 404
    assert lead.get("/s/hill-top/admin/").status_code == 404  # its admin pages are gone with it
    schools = operator.get("/admin/schools").get_data(as_text=True)
    assert "The schools (1)" in schools and "Removed schools" in schools and "Hill Top Academy" in schools
    assert "school removed" in operator.get("/admin/").get_data(as_text=True)
    operator.post("/admin/schools/hill-top/restore", data={"csrf_token": token(schools)})
    assert "Mr Ben Hill" in deployment.test_client().get("/s/hill-top/").get_data(as_text=True)
    sign_in(deployment.test_client(), "/s/hill-top", "lead-b")  # its account was kept


def test_the_database_is_upgraded_in_place_from_its_first_migration(postgres):
    import sqlalchemy as sa
    from alembic import command

    from bot.web import schema
    from bot.web.store import Database

    url = postgres.database(f"upgrade_{uuid.uuid4().hex[:12]}")
    engine = sa.create_engine(url)
    with engine.begin() as connection:
        command.upgrade(schema.alembic_config(connection), "0001")
        connection.execute(sa.text("INSERT INTO schools (slug, name, created, version) "
                                   "VALUES ('old-school', 'Old School', '2026-01-01', 0)"))
    assert schema.current_revision(engine) == "0001"
    database = Database(url)  # upgrades to the newest migration on start
    assert schema.current_revision(engine) == "0002"
    assert database.school("old-school")["name"] == "Old School"  # the rows made before are kept
