"""The JSON twin of every page: /api/ask, /api/sources, /healthz and the OpenAPI document."""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, request

from bot.answer.engine import QuestionError
from bot.web.openapi import openapi_document
from bot.web.responses import error_response, source_summary

api = Blueprint("api", __name__)

def _engine():
    return current_app.config["ENGINE"]


def _answer(question: object):
    try:
        answer = _engine().ask(question)
    except QuestionError as exc:
        return error_response(400, exc.code, str(exc))
    current_app.extensions["bot_store"].record(answer)
    return jsonify(answer)


@api.get("/api/ask")
def ask_get():
    if "q" not in request.args:
        return error_response(400, "missing_question", "Give the question as ?q=...")
    return _answer(request.args["q"])


@api.post("/api/ask")
def ask_post():
    if not request.is_json:
        return error_response(415, "unsupported_media_type", "Send the question as JSON (Content-Type: application/json).")
    body = request.get_json(silent=True)
    if body is None:
        return error_response(400, "invalid_json", "The body is not valid JSON.")
    if not isinstance(body, dict) or "question" not in body:
        return error_response(400, "missing_question", 'Send an object like {"question": "..."}.')
    return _answer(body["question"])


@api.get("/api/sources")
def sources():
    counts = _engine().index.passage_counts
    return jsonify({"sources": [source_summary(doc, counts.get(doc.id, 0))
                                for doc in _engine().index.documents.values()]})


@api.get("/api/sources/<doc_id>")
def source(doc_id: str):
    doc = _engine().index.documents.get(doc_id)
    if doc is None:
        return error_response(404, "unknown_source", f"No document with id {doc_id!r} in this library.")
    return jsonify({**source_summary(doc, _engine().index.passage_counts.get(doc.id, 0)), "text": doc.text,
                    "paragraphs": [{"number": p.number, "start": p.start, "end": p.end, "page": p.page}
                                   for p in doc.paragraphs]})


@api.get("/api/openapi.json")
def openapi():
    return jsonify(openapi_document())


@api.get("/healthz")
def healthz():
    index = _engine().index
    return jsonify({"status": "ok", "documents": len(index.documents), "passages": len(index.passages)})
