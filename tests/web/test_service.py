"""Two web processes, real PostgreSQL and Redis: shared limits, shared state, nothing lost on a kill.

The servers come from the Debian packages (`make test` installs them), started in a temporary
folder by bot/bench/services.py; where they cannot be, these tests are skipped with the reason.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
import time

import pytest
import requests

from bot.bench.services import PostgresServer, RedisServer, ServiceUnavailable
from tests.conftest import PROJECT_ROOT, start_server
from tests.web.test_admin import PASSWORD, token

pytestmark = pytest.mark.slow
QUESTION = "Is an AI-generated nude image of a child illegal?"


@pytest.fixture(scope="module")
def services():
    started = []
    try:
        postgres = PostgresServer().start()
        started.append(postgres)
        redis = RedisServer().start()
        started.append(redis)
    except ServiceUnavailable as exc:
        for service in started:
            service.stop()
        pytest.skip(f"PostgreSQL and Redis are needed for the many-process tests: {exc}")
    yield postgres, redis
    for service in started:
        service.stop()


class Deployment:
    """Two `bot serve` processes sharing one database, one Redis and one instance folder."""

    def __init__(self, postgres, redis, name: str):
        self.env = {"BOT_DATABASE_URL": postgres.database(name), "BOT_SCHOOLS": "1",
                    "BOT_RATE_LIMIT_STORAGE": redis.url, "BOT_INSTANCE_DIR": tempfile.mkdtemp(prefix="bot-shared-")}
        subprocess.run([sys.executable, "-m", "bot", "admin", "add-user", "operator", "--password-stdin"],
                       input=PASSWORD + "\n", text=True, check=True, cwd=PROJECT_ROOT, capture_output=True,
                       env={**os.environ, **self.env})
        self.procs, self.urls = [None, None], [None, None]
        for i in (0, 1):
            self.start(i)

    def start(self, i: int) -> None:
        self.procs[i], self.urls[i] = start_server("--rate-limit", "5 per minute", "--trusted-proxies", "1",
                                                   env=self.env)

    def kill(self, i: int) -> None:
        self.procs[i].kill()  # SIGKILL: no clean shutdown, nothing flushed on the way out
        self.procs[i].wait(20)

    def stop(self) -> None:
        for proc in self.procs:
            if proc is not None and proc.poll() is None:
                proc.terminate()
                proc.wait(20)


@pytest.fixture(scope="module")
def pair(services):
    deployment = Deployment(*services, name="pair")
    yield deployment
    deployment.stop()


_addresses = iter(range(1, 250))


def sign_in(session: requests.Session, url: str, name: str) -> None:
    """Each sign-in from its own client address: sign-in attempts are limited (5 a minute per
    address) across both processes, which these tests would otherwise use up."""
    session.headers["X-Forwarded-For"] = f"10.9.8.{next(_addresses)}"
    page = session.get(f"{url}/admin/sign-in").text
    response = session.post(f"{url}/admin/sign-in", data={"name": name, "password": PASSWORD,
                                                          "csrf_token": token(page)}, allow_redirects=False)
    assert response.status_code == 302, response.text[:300]


def ask(url: str, client: str, question: str = QUESTION) -> requests.Response:
    return requests.post(f"{url}/api/ask", json={"question": question}, headers={"X-Forwarded-For": client},
                         timeout=60)


def add_school(url: str, slug: str, name: str, lead: str) -> requests.Session:
    """The operator, signed in at `url`, adds a school and its first admin; the operator's session."""
    operator = requests.Session()
    sign_in(operator, url, "operator")
    page = operator.get(f"{url}/admin/schools").text
    added = operator.post(f"{url}/admin/schools", data={"slug": slug, "name": name, "admin_name": lead,
                                                        "admin_password": PASSWORD, "csrf_token": token(page)})
    assert f"{name} added" in added.text
    return operator


def upload_and_publish(session: requests.Session, url: str, name: str, data: bytes, title: str,
                       publisher: str) -> None:
    """Upload a document on the admin pages at `url`, open its preview and press Publish."""
    form = session.get(f"{url}/admin/documents").text
    uploaded = session.post(f"{url}/admin/documents", files={"file": (name, data)}, data={
        "title": title, "publisher": publisher, "date": "2025-09-01", "url": f"https://example.org/{name}",
        "licence": "Internal", "procedures": "y", "csrf_token": token(form)}, allow_redirects=False)
    assert uploaded.status_code == 302, uploaded.text[:500]
    origin = url.split("/s/")[0]  # the preview's address is absolute from the server's root
    review_url = origin + uploaded.headers["Location"]
    review = session.get(review_url).text
    assert session.post(review_url + "/publish", data={"csrf_token": token(review)},
                        allow_redirects=False).status_code == 302


def test_the_rate_limit_is_counted_once_across_both_processes(pair):
    a, b = pair.urls
    statuses = [ask(url, "203.0.113.7").status_code for url in (a, b, a, b, a)]
    assert statuses == [200] * 5
    assert ask(b, "203.0.113.7").status_code == 429 and ask(a, "203.0.113.7").status_code == 429
    assert ask(b, "203.0.113.8").status_code == 200  # another address keeps its own count


def test_a_session_and_a_school_made_in_one_process_work_in_the_other(pair):
    a, b = pair.urls
    operator = add_school(a, "river-side", "Riverside School", "lead-r")
    assert operator.get(f"{b}/admin/", allow_redirects=False).status_code == 200  # the same session at B
    assert "Riverside School" in requests.get(f"{b}/s/river-side/").text
    lead = requests.Session()
    sign_in(lead, f"{b}/s/river-side", "lead-r")
    form = lead.get(f"{b}/s/river-side/admin/contacts").text
    saved = lead.post(f"{b}/s/river-side/admin/contacts", data={
        "csrf_token": token(form), "region": "england", "lead_title": "", "dsl_name": "Mr Sam River",
        "dsl_phone": "01234 567891"})
    assert saved.status_code == 200
    deadline = time.monotonic() + 10  # process A looks for contacts changed elsewhere every 2 s
    while "Mr Sam River" not in requests.get(f"{a}/s/river-side/").text:
        assert time.monotonic() < deadline, "process A never showed the contacts changed in process B"
        time.sleep(0.5)


def test_a_killed_process_loses_no_account_session_or_count(pair):
    a, b = pair.urls
    operator = add_school(a, "oak-wood", "Oakwood School", "lead-o")
    lead = requests.Session()
    sign_in(lead, f"{b}/s/oak-wood", "lead-o")
    for n in range(3):
        assert ask(f"{b}/s/oak-wood", f"198.51.100.{n}").status_code == 200
    pair.kill(1)
    pair.start(1)
    b = pair.urls[1]
    home = lead.get(f"{b}/s/oak-wood/admin/", allow_redirects=False)  # the session from before the kill
    assert home.status_code == 200
    counts = re.findall(r"<td>(\d+)</td>", home.text)
    assert counts[:2] == ["3", "3"], counts  # asked 3, answered 3: counted in the database, not in the process
    assert "school added" in operator.get(f"{a}/admin/").text
    fresh = requests.Session()
    sign_in(fresh, f"{b}/s/oak-wood", "lead-o")


def test_a_publish_reaches_both_processes_and_a_killed_process_loses_no_document(pair, tmp_path):
    from tests.library.test_extract import make_pdf
    from tests.web.test_admin import ONLY_THE_PDF, PDF_PAGES

    a, b = pair.urls
    operator = add_school(a, "elm-tree", "Elm Tree School", "lead-e")
    assert not ask(f"{b}/s/elm-tree", "192.0.2.1", ONLY_THE_PDF).json()["answered"]
    pdf = tmp_path / "policy.pdf"
    make_pdf(pdf, PDF_PAGES)
    upload_and_publish(operator, a, "policy.pdf", pdf.read_bytes(), "Blue Door policy", "Blue Door Academy")
    deadline = time.monotonic() + 240
    while "library published" not in operator.get(f"{a}/admin/").text:
        assert time.monotonic() < deadline, "process A never published"
        time.sleep(1)
    published = time.monotonic()
    # process B, which built nothing, follows the new version: at the operator's address and a school's
    clients = (f"192.0.2.{n}" for n in range(10, 250))  # questions are limited to 5 a minute per address
    for url in (b, f"{b}/s/elm-tree"):
        while not ask(url, next(clients), ONLY_THE_PDF).json()["answered"]:
            assert time.monotonic() - published < 60, f"{url} never served the published library"
            time.sleep(0.5)
    pair.kill(0)
    pair.start(0)
    a = pair.urls[0]
    answer = ask(a, "192.0.2.3", ONLY_THE_PDF).json()
    assert answer["answered"] and "filtering logs" in answer["passages"][0]["quote"]
    assert "Blue Door policy" in operator.get(f"{a}/admin/documents").text  # the session outlived the process


def test_a_process_killed_while_it_builds_loses_nothing_the_lead_published(pair):
    a, b = pair.urls
    add_school(a, "ash-grove", "Ash Grove School", "lead-g")
    lead = requests.Session()
    sign_in(lead, f"{a}/s/ash-grove", "lead-g")
    text = ("Ash Grove procedure for the music rooms\n\nAt Ash Grove School the head of music locks the "
            "practice rooms at half past four and keeps the key log in the staff room.\n")
    upload_and_publish(lead, f"{a}/s/ash-grove", "music.txt", text.encode(), "Ash Grove music rooms", "Ash Grove School")
    pair.kill(0)  # the build has only just started
    pair.start(0)
    question = "When are the practice rooms locked at Ash Grove School?"
    clients = (f"172.16.{n // 200}.{n % 200 + 1}" for n in range(100_000))
    deadline = time.monotonic() + 240
    for url in (pair.urls[0], b):  # the restarted process publishes what was left; the other follows it
        while True:
            answer = ask(f"{url}/s/ash-grove", next(clients), question).json()
            if answer["answered"] and "half past four" in answer["passages"][0]["quote"]:
                break
            assert time.monotonic() < deadline, f"{url} never served the document published before the kill"
            time.sleep(1)
    home = lead.get(f"{pair.urls[0]}/s/ash-grove/admin/").text
    assert "changes not yet published when the service started" in home
