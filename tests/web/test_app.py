"""The web app and its JSON twin, through Flask's test client: routes, statuses, error shapes,
the OpenAPI document, security headers and what the access log may contain."""

import json
import logging
import re

import jsonschema
import pytest
from openapi_spec_validator import validate as validate_openapi

from bot.web.openapi import openapi_document

pytestmark = pytest.mark.slow

QUESTION = "Is it illegal for a pupil to make a fake nude of a classmate?"
URGENT = "A Year 9 girl has just told me someone will send a fake nude of her to everyone tonight unless she pays"
OUT_OF_SCOPE = "When do we break up for the Christmas holidays?"


def check(payload, name):
    """Validate against a component schema of our own OpenAPI document (refs resolved inside it)."""
    doc = openapi_document()
    resolver_doc = {"components": doc["components"], "$ref": f"#/components/schemas/{name}"}
    jsonschema.validate(payload, resolver_doc)


# --- JSON API -------------------------------------------------------------------------------

def test_get_and_post_ask_return_the_same_answer_object(client):
    by_get = client.get("/api/ask", query_string={"q": QUESTION})
    by_post = client.post("/api/ask", json={"question": QUESTION})
    assert by_get.status_code == by_post.status_code == 200
    assert by_get.get_json() == by_post.get_json()
    check(by_post.get_json(), "Answer")
    assert by_post.get_json()["answered"] is True


def test_out_of_scope_and_urgent_answers_keep_the_contract(client):
    outside = client.post("/api/ask", json={"question": OUT_OF_SCOPE}).get_json()
    check(outside, "Answer")
    assert outside["answered"] is False and outside["passages"] == []
    urgent = client.post("/api/ask", json={"question": URGENT}).get_json()
    assert urgent["urgent"] is True and "999" in urgent["escalation"]["first"][0]


@pytest.mark.parametrize("request_kwargs, status, code", [
    ({"method": "GET", "path": "/api/ask"}, 400, "missing_question"),
    ({"method": "GET", "path": "/api/ask", "query_string": {"q": "   "}}, 400, "empty_question"),
    ({"method": "GET", "path": "/api/ask", "query_string": {"q": "x" * 1001}}, 400, "question_too_long"),
    ({"method": "POST", "path": "/api/ask", "json": {"question": ""}}, 400, "empty_question"),
    ({"method": "POST", "path": "/api/ask", "json": {"question": 42}}, 400, "not_text"),
    ({"method": "POST", "path": "/api/ask", "json": {"q": "wrong key"}}, 400, "missing_question"),
    ({"method": "POST", "path": "/api/ask", "json": ["a", "list"]}, 400, "missing_question"),
    ({"method": "POST", "path": "/api/ask", "data": "{not json", "content_type": "application/json"}, 400, "invalid_json"),
    ({"method": "POST", "path": "/api/ask", "data": "question=hi", "content_type": "text/plain"}, 415, "unsupported_media_type"),
    ({"method": "POST", "path": "/api/ask", "data": "x" * (70 * 1024), "content_type": "application/json"}, 413, "request_too_large"),
    ({"method": "DELETE", "path": "/api/ask"}, 405, "method_not_allowed"),
    ({"method": "GET", "path": "/api/sources/no-such-doc"}, 404, "unknown_source"),
    ({"method": "GET", "path": "/api/nothing-here"}, 404, "not_found"),
])
def test_errors_are_json_with_a_code_a_message_and_the_right_status(client, request_kwargs, status, code):
    kwargs = dict(request_kwargs)
    response = client.open(kwargs.pop("path"), method=kwargs.pop("method"), **kwargs)
    assert response.status_code == status
    body = response.get_json()
    check(body, "Error")
    assert body["error"]["code"] == code and body["error"]["message"]


def test_sources_list_and_one_source_with_its_text(client, engine):
    listing = client.get("/api/sources").get_json()
    check(listing, "SourceList")
    assert {s["id"] for s in listing["sources"]} == set(engine.index.documents)
    assert sum(s["passages"] for s in listing["sources"]) == len(engine.index.passages)
    one = client.get("/api/sources/derbyshire-pcc-ai-csam-laws").get_json()
    check(one, "SourceText")
    answer = client.post("/api/ask", json={"question": "What did the Derbyshire commissioner write to the Home Office?"}).get_json()
    for item in answer["passages"]:
        text = client.get(f"/api/sources/{item['source']['id']}").get_json()["text"]
        assert text[item["location"]["start"]:item["location"]["end"]] == item["quote"]


def test_healthz_reports_ready(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    check(response.get_json(), "Health")


# --- OpenAPI --------------------------------------------------------------------------------

def test_openapi_document_is_valid_and_served(client):
    served = client.get("/api/openapi.json").get_json()
    validate_openapi(served)
    assert served == json.loads(json.dumps(openapi_document()))


def test_openapi_paths_match_the_app_routes(app):
    documented = set()
    for path, operations in openapi_document()["paths"].items():
        flask_path = re.sub(r"\{(\w+)\}", r"<\1>", path)
        documented |= {(flask_path, method.upper()) for method in operations}
    served = {(rule.rule, method) for rule in app.url_map.iter_rules()
              if rule.rule.startswith("/api/") or rule.rule == "/healthz"
              for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert documented == served


# --- pages ----------------------------------------------------------------------------------

def test_ask_page_has_one_heading_a_posting_form_examples_and_the_calm_line(client):
    html = client.get("/").get_data(as_text=True)
    assert html.count("<h1") == 1
    assert re.search(r'<form class="ask" method="post"', html)
    assert 'for="question"' in html and "Example questions" in html
    assert "designated safeguarding lead" in html


def test_answer_page_shows_quotes_with_highlight_and_citation_links(client):
    html = client.post("/ask", data={"question": QUESTION}).get_data(as_text=True)
    assert html.count("<blockquote") >= 1 and "<mark>" in html
    links = re.findall(r'class="citation" href="([^"]+)"', html)
    assert links and all(re.match(r"/sources/[\w.-]+\?start=\d+&amp;end=\d+&amp;hs=\d+&amp;he=\d+#cited-from", link)
                         for link in links)


def test_urgent_block_comes_before_the_quotes(client):
    html = client.post("/ask", data={"question": URGENT}).get_data(as_text=True)
    assert 'class="escalation urgent"' in html
    assert html.index('class="escalation urgent"') < html.index('id="quotes-heading"')


def test_not_covered_page_says_so_and_keeps_the_contacts(client):
    html = client.post("/ask", data={"question": OUT_OF_SCOPE}).get_data(as_text=True)
    assert "do not cover this question. The library holds: " in html and "<blockquote" not in html
    assert "Keeping children safe in education" in html  # what the library covers, in its own titles
    assert "speak to your designated safeguarding lead" not in html  # an off-topic question is not a concern
    assert "0808 800 5000" in html


def test_a_script_question_is_shown_as_text(client):
    html = client.post("/ask", data={"question": "<script>alert('x')</script> is it illegal?"}).get_data(as_text=True)
    assert "<script>" not in html and "&lt;script&gt;" in html


def test_an_empty_question_re_shows_the_form_with_a_message(client):
    response = client.post("/ask", data={"question": "  "})
    assert response.status_code == 400
    assert "Please type a question" in response.get_data(as_text=True)


def test_source_view_highlights_the_cited_span(client, engine):
    doc = engine.index.documents["bbc-ai-csam-teacher-guidance"]
    html = client.get(f"/sources/{doc.id}?start=452&end=974").get_data(as_text=True)
    marked = re.search(r'<span class="cited-passage" id="cited" tabindex="-1">(.*?)</span>', html, re.S).group(1)
    assert marked.replace("&#34;", '"').replace("&#39;", "'").replace("&amp;", "&") == doc.text[452:974]
    assert doc.publisher in html and "<mark" not in marked  # no sentence asked for: the passage alone
    # with the sentence the answer highlighted: it alone is marked, inside the lighter passage
    sentence = doc.text.index("The AI-generated content is illegal"), doc.text.index("photorealistic.") + 15
    html = client.get(f"/sources/{doc.id}?start=452&end=974&hs={sentence[0]}&he={sentence[1]}").get_data(as_text=True)
    passage = re.search(r'<span class="cited-passage" id="cited" tabindex="-1">(.*?)</span>', html, re.S).group(1)
    mark = re.search(r'<mark class="cited-sentence">(.*?)</mark>', passage, re.S).group(1)
    assert mark.replace("&#39;", "'") == doc.text[sentence[0]:sentence[1]]
    line = re.search(r'<span class="cited-from" id="cited-from">(.*?)</span>', html, re.S).group(1)
    assert doc.title in line and "Dated:" in line  # the title and date repeated at the passage


def test_source_view_shows_the_heading_path_and_keeps_title_date_and_caution_in_view(client, engine):
    answer = engine.ask("what should records of a concern include")
    location = answer["passages"][0]["location"]
    html = client.get(f"/sources/kcsie-2025-part-one?start={location['start']}&end={location['end']}").get_data(
        as_text=True)
    head = re.search(r'<div class="source-head">(.*?)</div>', html, re.S).group(1)
    assert "Keeping children safe in education 2025" in head and "2025-09-01" in head
    assert "1 September 2026" in head  # the caution stays in the sticky header
    path = re.search(r'<span class="heading-path" id="cited-path">(.*?)</span><span class="cited-passage"', html,
                     re.S).group(1)
    assert path.endswith("Record keeping") and "What school and college staff should do" in path
    assert "paragraph 66" in html
    css = client.get("/static/style.css").get_data(as_text=True)
    assert re.search(r"\.source-head \{ position: sticky;", css)


def test_source_view_with_a_bad_span_shows_the_whole_document_and_says_so(client):
    html = client.get("/sources/bbc-ai-csam-teacher-guidance?start=9&end=999999").get_data(as_text=True)
    assert "not inside this document" in html and 'id="cited"' not in html
    assert client.get("/sources/nope").status_code == 404


def test_library_and_contacts_pages(client):
    library = client.get("/library").get_data(as_text=True)
    assert "Derbyshire" in library and "<table" in library
    contacts = client.get("/contacts").get_data(as_text=True)
    assert "0344 381 4772" in contacts and "last reviewed" in contacts and "Ask your school office" in contacts


# --- headers and privacy --------------------------------------------------------------------

@pytest.mark.parametrize("method, path", [("GET", "/"), ("GET", "/library"), ("GET", "/api/sources"),
                                          ("GET", "/static/style.css"), ("GET", "/nothing"), ("GET", "/healthz")])
def test_security_headers_on_every_response(client, method, path):
    headers = client.open(path, method=method).headers
    csp = headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "no-referrer"


def test_the_access_log_never_holds_question_text(client, caplog):
    secret = "Zebedee Quantock-Marsh"
    with caplog.at_level(logging.DEBUG):
        client.get("/api/ask", query_string={"q": f"{secret} made a fake nude, is it illegal?"})
        client.post("/api/ask", json={"question": f"{secret} is being blackmailed tonight"})
        client.post("/ask", data={"question": f"{secret} was sent a deepfake"})
    assert caplog.records and any(r.name == "bot.access" for r in caplog.records)
    assert all("Zebedee" not in r.getMessage() for r in caplog.records)


def test_a_client_over_the_rate_limit_gets_429_with_a_clear_message(engine):
    from bot.web.app import create_app

    limited = create_app({"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "3 per minute"}).test_client()
    statuses = [limited.post("/api/ask", json={"question": "what is nudifying?"}).status_code for _ in range(3)]
    assert statuses == [200, 200, 200]
    refused = limited.get("/api/ask", query_string={"q": "what is nudifying?"})
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests"
    assert "wait a minute" in refused.get_json()["error"]["message"]
    page = limited.post("/ask", data={"question": "what is nudifying?"})
    assert page.status_code == 429 and "wait a minute" in page.get_data(as_text=True)
    assert limited.get("/sources/bbc-ai-csam-teacher-guidance").status_code == 200  # checking sources is never limited


def test_repeated_questions_reuse_the_cached_embedding(engine):
    engine.query_vector.cache_clear()
    first = engine.ask("what is nudifying?")
    second = engine.ask("what is nudifying?")
    assert first == second
    info = engine.query_vector.cache_info()
    assert info.hits == 1 and info.misses == 1


# --- never hidden: the emergency line and the lead, on every page --------------------------------

EMERGENCY = "If a child is in immediate danger, call 999."


def text_of(html: str) -> str:
    """The page's words without its tags (999 is a link, `<a href="tel:999">999</a>`)."""
    return re.sub(r"<[^>]+>", "", html)


def test_every_page_and_error_page_carries_the_emergency_line_and_the_lead(client, engine):
    from bot.web.app import create_app

    pages = [client.get("/"), client.get("/library"), client.get("/contacts"), client.get("/no-such-page"),
             client.get("/sources/nothing-here"), client.post("/ask", data={"question": "x" * 70_000}),
             client.post("/ask", data={"question": QUESTION})]
    failing = create_app({"TESTING": False, "ENGINE": engine, "RATE_LIMIT": "off"})

    @failing.get("/boom")
    def boom():
        raise RuntimeError("on purpose")

    pages.append(failing.test_client().get("/boom"))
    assert [p.status_code for p in pages] == [200, 200, 200, 404, 404, 413, 200, 500]
    for page in pages:
        html = page.get_data(as_text=True)
        assert EMERGENCY in text_of(html) and "Your designated safeguarding lead (DSL):" in html
        assert 'href="tel:999"' in html
        assert "Not ready for use yet" in html  # the default school file names no lead


def test_an_urgent_answer_says_999_once_and_folds_the_rest(client):
    html = client.post("/ask", data={"question": URGENT}).get_data(as_text=True)
    assert text_of(html).count("999") == 1
    first = html.index('class="first-steps"')
    assert first < html.index("<details") < html.index('id="quotes-heading"')


def test_a_set_lead_is_named_with_a_link_to_call_them(engine, tmp_path):
    from dataclasses import replace

    from bot.answer.escalation import load_school
    from bot.web.app import create_app

    school = tmp_path / "school.toml"
    school.write_text('region = "wales"\n[dsl]\nname = "Ms A. Example"\nphone = "01234 567890"\n', encoding="utf-8")
    app = create_app({"TESTING": True, "ENGINE": replace(engine, school=load_school(school)), "RATE_LIMIT": "off"})
    html = app.test_client().get("/").get_data(as_text=True)
    assert "Your designated safeguarding person (DSP): Ms A. Example" in html
    assert 'href="tel:01234567890"' in html and "Not ready for use yet" not in html


def test_a_rate_limited_question_stays_in_the_box(engine):
    from bot.web.app import create_app

    limited = create_app({"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "1 per minute"}).test_client()
    limited.post("/ask", data={"question": "what is nudifying?"})
    page = limited.post("/ask", data={"question": "is a fake nude of a pupil illegal?"})
    html = page.get_data(as_text=True)
    assert page.status_code == 429 and "wait a minute" in html and EMERGENCY in text_of(html)
    assert ">is a fake nude of a pupil illegal?</textarea>" in html


def test_an_over_long_question_is_kept_whole_with_the_reason(client):
    long_question = "is it illegal? " * 100
    page = client.post("/ask", data={"question": long_question})
    html = page.get_data(as_text=True)
    assert page.status_code == 400 and "at most 1000 characters" in html and "Yours has 1,500" in html
    assert long_question.strip() in html
    assert 'maxlength' not in client.get("/").get_data(as_text=True)  # the browser never cuts it silently


def test_behind_trusted_proxies_each_forwarded_client_has_its_own_allowance(engine):
    from bot.web.app import create_app

    behind = create_app({"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "1 per minute",
                         "TRUSTED_PROXIES": 1}).test_client()

    def ask(client_address):
        return behind.post("/api/ask", json={"question": "what is nudifying?"},
                           headers={"X-Forwarded-For": client_address}).status_code

    assert [ask("203.0.113.1"), ask("203.0.113.2"), ask("203.0.113.1")] == [200, 200, 429]
    direct = create_app({"TESTING": True, "ENGINE": engine, "RATE_LIMIT": "1 per minute"}).test_client()
    statuses = [direct.post("/api/ask", json={"question": "x y"}, headers={"X-Forwarded-For": a}).status_code
                for a in ("203.0.113.1", "203.0.113.2")]
    assert statuses == [200, 429]  # with no trusted proxy the header is ignored


def test_the_contacts_page_marks_entries_not_yet_confirmed_against_their_source(client, engine):
    html = client.get("/contacts").get_data(as_text=True)
    unconfirmed = [c for c in engine.escalation_book.contacts if c.unconfirmed]
    assert unconfirmed and html.count("Not yet confirmed against its source:") >= len(unconfirmed)
