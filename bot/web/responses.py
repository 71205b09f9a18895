"""Helpers every blueprint shares: the error response and a document's summary.

They live below the app factory and the blueprints so that `app`, `api` and `pages` import them
without importing one another.
"""

from __future__ import annotations

from flask import jsonify, render_template, request


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.path == "/healthz"


def error_response(status: int, code: str, message: str):
    """JSON `{"error": {"code", "message"}}` for the API, a plain page for people."""
    if wants_json():
        return jsonify({"error": {"code": code, "message": message}}), status
    return render_template("error.html", status=status, message=message), status


def source_summary(doc, passages: int) -> dict:
    """A document's citation fields and size, as the library page and /api/sources show them."""
    return {**doc.source_info(), "date_note": doc.date_note, "url_note": doc.url_note, "licence": doc.licence,
            "passages": passages, "characters": len(doc.text)}
