"""The labelled question set of the default corpus, and passage relevance by span overlap.

Gold evidence is stored as verbatim text of the cleaned documents, not as passage ids, so the
labels survive any change of passage size: a passage is relevant when its span overlaps a gold
span (grade 2 when it holds the whole span, 1 when part of it).
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from bot.config import DEFAULT_SEEDS_DIR
from bot.library.passages import Passage

DEFAULT_QUESTIONS = DEFAULT_SEEDS_DIR / "eval" / "questions.jsonl"
CATEGORIES = ("in_scope", "out_of_scope", "urgent", "non_urgent")
SPLITS = ("dev", "test", "holdout")  # holdout: triage only, written after the triage rules were last revised


class LabelError(ValueError):
    """A label does not fit the documents; the message names the question."""


@dataclass(frozen=True)
class GoldSpan:
    doc_id: str
    start: int
    end: int


@dataclass(frozen=True)
class LabelledQuestion:
    id: str
    split: str
    category: str
    question: str
    in_scope: bool
    urgent: bool
    gold: tuple[GoldSpan, ...]


def load_questions(path: Path, documents: dict[str, str], split: str | None = None) -> list[LabelledQuestion]:
    """Read the JSONL set and locate every evidence text in the cleaned `documents` (id -> text)."""
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw["category"] not in CATEGORIES or raw["split"] not in SPLITS:
            raise LabelError(f"line {number} ({raw.get('id')}): bad category or split")
        gold = []
        for item in raw.get("evidence", []):
            text = documents.get(item["doc"])
            if text is None:
                raise LabelError(f"{raw['id']}: unknown document {item['doc']!r}")
            start = text.find(item["text"])
            if start < 0 or text.find(item["text"], start + 1) >= 0:
                raise LabelError(f"{raw['id']}: evidence is not found exactly once in {item['doc']}: "
                                 f"{item['text'][:50]!r}")
            gold.append(GoldSpan(item["doc"], start, start + len(item["text"])))
        if bool(gold) != bool(raw["in_scope"]):
            raise LabelError(f"{raw['id']}: in_scope questions need evidence, others must have none")
        if split is None or raw["split"] == split:
            questions.append(LabelledQuestion(raw["id"], raw["split"], raw["category"], raw["question"],
                                              bool(raw["in_scope"]), bool(raw["urgent"]), tuple(gold)))
    return questions


def relevance(passage: Passage, gold: Iterable[GoldSpan]) -> int:
    """2: the passage holds a whole gold span; 1: it overlaps one; 0: neither."""
    grade = 0
    for span in gold:
        if span.doc_id != passage.doc_id:
            continue
        if passage.start <= span.start and span.end <= passage.end:
            return 2
        if passage.start < span.end and span.start < passage.end:
            grade = 1
    return grade


def passage_qrels(questions: Iterable[LabelledQuestion], passages: list[Passage]) -> dict[str, dict[str, int]]:
    """TREC-style judgements: question id -> {passage id: grade} for every relevant passage."""
    qrels = {}
    for q in questions:
        if not q.gold:
            continue
        judged = {p.id: g for p in passages if (g := relevance(p, q.gold))}
        if judged:
            qrels[q.id] = judged
    return qrels
