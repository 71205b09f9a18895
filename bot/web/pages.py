"""HTML pages: ask, answer, source view, library and contacts. Each has a JSON twin in bot/web/api.py."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from bot.answer.engine import QuestionError
from bot.web.responses import error_response, source_summary

pages = Blueprint("pages", __name__)


def _engine():
    return current_app.config["ENGINE"]


def ask_page(status: int = 200, error: str | None = None, question: str = ""):
    """The question form; after a refusal, the whole question stays in the box to be edited."""
    engine = _engine()
    return render_template("ask.html", messages=engine.messages, error=error, question=question,
                           max_chars=engine.settings.answer.max_question_chars,
                           escalation=engine.escalation_book.escalation(False, engine.school)), status


@pages.get("/")
def ask_form():
    return ask_page()


@pages.post("/ask")
def answer_page():
    engine = _engine()
    question = request.form.get("question", "")
    try:
        answer = engine.ask(question)
    except QuestionError as exc:
        message = str(exc).capitalize() + "."
        if exc.code == "question_too_long":
            message += f" Yours has {len(question):,}; shorten it and ask again."
        return ask_page(400, message, question)
    current_app.extensions["bot_store"].record(answer)
    for item in answer["passages"]:
        quote, (start, end) = item["quote"], item["highlight"][0]
        item["parts"] = (quote[:start], quote[start:end], quote[end:])
    return render_template("answer.html", answer=answer, messages=engine.messages)


def _span(low: int, high: int, start: str = "start", end: str = "end") -> tuple[int, int] | None:
    """A [start, end) span from two query-string numbers, when it lies within [low, high]: the cited
    passage in the document, or (`hs`, `he`) the highlighted sentence in the passage."""
    try:
        first, last = int(request.args[start]), int(request.args[end])
    except (KeyError, ValueError):
        return None
    return (first, last) if low <= first < last <= high else None


@pages.get("/sources/<doc_id>")
def source_page(doc_id: str):
    doc = _engine().index.documents.get(doc_id)
    if doc is None:
        return error_response(404, "unknown_source", "There is no document with that id in this library.")
    span = _span(0, len(doc.text))
    asked = "start" in request.args or "end" in request.args
    parts = (doc.text[:span[0]], doc.text[span[0]:span[1]], doc.text[span[1]:]) if span else (doc.text, "", "")
    # The sentence the answer highlighted (hs, he), marked inside the lighter cited passage.
    sentence = _span(*span, start="hs", end="he") if span else None
    cited = ((doc.text[span[0]:sentence[0]], doc.text[sentence[0]:sentence[1]], doc.text[sentence[1]:span[1]])
             if sentence else (parts[1], "", ""))
    # The headings above the cited place, shown above it, and where the document itself numbers it.
    where = next((p for p in doc.paragraphs if span and p.start <= span[0] < p.end + 2), None)
    engine = _engine()
    newer = [engine.index.documents[i] for i in sorted(engine.replaced_by.get(doc.id, ()))]
    return render_template("source.html", doc=doc, info=source_summary(doc, engine.index.passage_counts.get(doc.id, 0)),
                           parts=parts, cited=cited, span=span, bad_span=asked and span is None, where=where,
                           newer=newer)


@pages.get("/library")
def library_page():
    counts = _engine().index.passage_counts
    docs = [source_summary(doc, counts.get(doc.id, 0)) for doc in _engine().index.documents.values()]
    return render_template("library.html", docs=docs, index=_engine().index.manifest, gaps=_engine().library_gaps)


@pages.get("/contacts")
def contacts_page():
    engine = _engine()
    book = engine.escalation_book
    return render_template("contacts.html", contacts=book.all_contacts(engine.school),
                           urgent=book.escalation(True, engine.school), calm=book.escalation(False, engine.school),
                           situation_steps=book.situation_steps(engine.school), lead_source=book.lead_source)
