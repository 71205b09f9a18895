"""The OpenAPI 3.1 description of the JSON API. The answer schema is the shared contract itself."""

from __future__ import annotations

import json
from functools import lru_cache

from bot.config import PROJECT_ROOT

ANSWER_SCHEMA_FILE = PROJECT_ROOT / "web" / "static" / "answer.schema.json"
QUESTION_RULES = ("Control and format characters are removed and whitespace collapsed first; what is left must "
                  "be 1 to 1000 characters (400 empty_question, 400 question_too_long).")


def _answer_schema() -> dict:
    schema = json.loads(ANSWER_SCHEMA_FILE.read_text(encoding="utf-8"))
    schema.pop("$schema", None)  # OpenAPI 3.1 documents use JSON Schema 2020-12 already
    return schema


def _error(description: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}}


def _json(description: str, ref: str) -> dict:
    return {"description": description,
            "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{ref}"}}}}


@lru_cache(maxsize=1)
def openapi_document() -> dict:
    source_props = {
        "id": {"type": "string"}, "title": {"type": "string"}, "publisher": {"type": "string"},
        "date": {"type": ["string", "null"]}, "url": {"type": ["string", "null"]},
        "date_note": {"type": ["string", "null"]}, "url_note": {"type": ["string", "null"]},
        "licence": {"type": ["string", "null"]}, "passages": {"type": "integer"},
        "characters": {"type": "integer"},
    }
    answer_errors = {"400": _error("Empty, too long or missing question, or invalid JSON"),
                     "413": _error("Request body over 64 KiB"),
                     "429": _error("Too many requests")}
    return {
        "openapi": "3.1.0",
        "info": {"title": "Safeguarding guidance assistant", "version": "1",
                 "description": "Answers with verbatim, cited passages from vetted guidance documents, and "
                                "escalation contacts. Never generated advice."},
        "paths": {
            "/api/ask": {
                "get": {"summary": "Answer a question", "operationId": "askGet",
                        "parameters": [{"name": "q", "in": "query", "required": True,
                                        "description": QUESTION_RULES,
                                        "schema": {"type": "string", "minLength": 1, "maxLength": 1000}}],
                        "responses": {"200": _json("The answer", "Answer"), **answer_errors}},
                "post": {"summary": "Answer a question", "operationId": "askPost",
                         "requestBody": {"required": True, "content": {"application/json": {"schema": {
                             "type": "object", "required": ["question"],
                             "properties": {"question": {"type": "string", "minLength": 1, "maxLength": 1000,
                                                         "description": QUESTION_RULES}}}}}},
                         "responses": {"200": _json("The answer", "Answer"), **answer_errors,
                                       "415": _error("Body is not JSON")}},
            },
            "/api/sources": {"get": {"summary": "Every document in the library", "operationId": "listSources",
                                     "responses": {"200": _json("The documents", "SourceList")}}},
            "/api/sources/{doc_id}": {"get": {
                "summary": "One document's metadata and cleaned text (quotes are slices of `text`)",
                "operationId": "getSource",
                "parameters": [{"name": "doc_id", "in": "path", "required": True, "schema": {"type": "string"}}],
                "responses": {"200": _json("The document", "SourceText"), "404": _error("No such document")}}},
            "/api/openapi.json": {"get": {"summary": "This document", "operationId": "openapi",
                                          "responses": {"200": {"description": "OpenAPI 3.1 document",
                                                                "content": {"application/json": {}}}}}},
            "/healthz": {"get": {"summary": "Ready: index, model and prompts loaded", "operationId": "health",
                                 "responses": {"200": _json("Ready", "Health")}}},
        },
        "components": {"schemas": {
            "Answer": _answer_schema(),
            "Error": {"type": "object", "required": ["error"], "properties": {"error": {
                "type": "object", "required": ["code", "message"],
                "properties": {"code": {"type": "string"}, "message": {"type": "string"}}}}},
            "Source": {"type": "object", "required": ["id", "title", "publisher", "passages"],
                       "properties": source_props},
            "SourceList": {"type": "object", "required": ["sources"], "properties": {
                "sources": {"type": "array", "items": {"$ref": "#/components/schemas/Source"}}}},
            "SourceText": {"type": "object", "required": ["id", "title", "publisher", "text", "paragraphs"],
                           "properties": {**source_props, "text": {"type": "string"}, "paragraphs": {
                               "type": "array", "items": {"type": "object", "required": ["number", "start", "end"],
                                                          "properties": {"number": {"type": "integer"},
                                                                         "start": {"type": "integer"},
                                                                         "end": {"type": "integer"},
                                                                         "page": {"type": ["integer", "null"]}}}}}},
            "Health": {"type": "object", "required": ["status"], "properties": {
                "status": {"const": "ok"}, "documents": {"type": "integer"}, "passages": {"type": "integer"}}},
        }},
    }
