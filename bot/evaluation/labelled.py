"""The labelled question set of the default corpus, and passage relevance by span overlap.

Gold evidence is stored as verbatim text of the cleaned documents, not as passage ids, so the
labels survive any change of passage size: a passage is relevant when its span overlaps a gold
span (grade 2 when it holds the whole span, 1 when part of it).
"""

from __future__ import annotations

import json
import re
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


def overlaps(doc_id: str, start: int, end: int, gold: Iterable[GoldSpan]) -> bool:
    """Does the span `start`-`end` of document `doc_id` share a character with any gold span?"""
    return any(g.doc_id == doc_id and start < g.end and g.start < end for g in gold)


@dataclass(frozen=True)
class LabelledQuestion:
    id: str
    split: str
    category: str
    question: str
    in_scope: bool
    urgent: bool
    gold: tuple[GoldSpan, ...]
    primary_doc: str | None = None  # the document the evidence was written from
    numbered: tuple[tuple[GoldSpan, str], ...] = ()  # evidence spans with the paragraph number printed there
    # situations only: "danger" (999 may be needed now), "incident" (tell the lead now, no danger
    # now) or "policy"; None where not labelled
    situation: str | None = None
    # the category the question's author wrote it as, where it differs from `category`: an
    # "in_scope", "what_to_do", "out_of_scope", "urgent" or "incident" question (the issue's own
    # figures count by these); None where not labelled
    written_as: str | None = None
    evidence_texts: tuple[str, ...] = ()  # the evidence as its author copied it, for a judge to read


_WORD_CHARS = re.compile(r"[0-9a-z]+")


def _words_with_offsets(text: str) -> tuple[str, list[int]]:
    """Lower-case words joined by single spaces, and for each character of that string the offset
    of the character it came from (so a match maps back to an exact span)."""
    out, offsets = [], []
    for match in _WORD_CHARS.finditer(text.lower()):
        if len(match.group(0)) <= 3 and match.group(0).isdigit():
            continue  # footnote markers left in laid-out text, page numbers: not words a reader copies
        if out:
            out.append(" ")
            offsets.append(match.start())
        out.append(match.group(0))
        offsets.extend(range(match.start(), match.end()))
    return "".join(out), offsets


def locate_everywhere(text: str, documents: dict[str, str]) -> list[GoldSpan]:
    """Every place, in any document, whose words are the evidence's words.

    Evidence for the real library is written from the PDFs by hand: line breaks, quotation marks,
    dashes and footnote digits may differ from the cleaned text, and the same sentence stands in
    several editions (KCSIE 2024, 2025, Part one). Matching word for word, ignoring punctuation,
    case and short numbers (a footnote marker left in text laid out from a PDF), finds it in each.
    """
    wanted, _ = _words_with_offsets(text)
    spans = []
    for doc_id, doc_text in documents.items():
        flat, offsets = _words_index(doc_id, doc_text)
        start = flat.find(wanted)
        while start >= 0 and wanted:
            end = start + len(wanted) - 1
            spans.append(GoldSpan(doc_id, offsets[start], offsets[end] + 1))
            start = flat.find(wanted, start + 1)
    return spans


_INDEX_CACHE: dict[tuple[str, int], tuple[str, list[int]]] = {}


def _words_index(doc_id: str, text: str) -> tuple[str, list[int]]:
    key = (doc_id, hash(text))
    if key not in _INDEX_CACHE:
        _INDEX_CACHE[key] = _words_with_offsets(text)
    return _INDEX_CACHE[key]


def near_copies(text: str, documents: dict[str, str], found: Iterable[GoldSpan], threshold: float = 0.85) -> list[GoldSpan]:
    """Sentences (or two or three in a row) that say what the evidence says with a word changed
    ("abuse and neglect" -> "abuse, neglect and exploitation"): at least `threshold` of the
    evidence's words, and not much more besides. Every document is searched, the one the evidence
    was copied from too, outside the places it was `found` word for word: KCSIE says in Part two
    what Part one says ("all staff should receive regular safeguarding and child protection
    updates ... at least annually", paragraphs 12 and 124), and a quote of either is the same
    guidance."""
    wanted, _ = _words_with_offsets(text)
    words = wanted.split()
    if len(words) < 6:
        return []
    need = set(words)
    taken = list(found)
    copies = []
    for doc_id, doc_text in documents.items():
        for start, end, have in _sentence_windows(doc_id, doc_text):
            common = len(need & have)
            if common >= threshold * len(need) and len(have) <= 1.6 * len(need) + 3 and \
                    not overlaps(doc_id, start, end, taken):
                copies.append(GoldSpan(doc_id, start, end))
    return copies


_WINDOW_CACHE: dict[tuple[str, int], list[tuple[int, int, frozenset[str]]]] = {}


def _sentence_windows(doc_id: str, text: str) -> list[tuple[int, int, frozenset[str]]]:
    """Runs of one to three sentences of a document, with their words."""
    from bot.library.passages import sentence_spans

    key = (doc_id, hash(text))
    if key not in _WINDOW_CACHE:
        spans = [(s, e, frozenset(_words_with_offsets(text[s:e])[0].split())) for s, e in sentence_spans(text)]
        windows = []
        for i in range(len(spans)):
            for width in (1, 2, 3):
                if i + width <= len(spans):
                    group = spans[i:i + width]
                    windows.append((group[0][0], group[-1][1], frozenset().union(*(g[2] for g in group))))
        _WINDOW_CACHE[key] = windows
    return _WINDOW_CACHE[key]


def load_questions(path: Path, documents: dict[str, str], split: str | None = None) -> list[LabelledQuestion]:
    """Read the JSONL set and locate every evidence text in the cleaned `documents` (id -> text).

    Evidence that names the document's own paragraph (the real-library set) is found word for word
    in every document that holds it, and as a near copy in other editions; other evidence must
    stand exactly once, verbatim, in its document."""
    questions = []
    for number, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        raw = json.loads(line)
        if raw["category"] not in CATEGORIES or raw["split"] not in SPLITS:
            raise LabelError(f"line {number} ({raw.get('id')}): bad category or split")
        gold = []
        numbered = []
        for item in raw.get("evidence", []):
            text = documents.get(item["doc"])
            if text is None:
                raise LabelError(f"{raw['id']}: unknown document {item['doc']!r}")
            if "paragraph" in item:
                found = locate_everywhere(item["text"], documents)
                if not any(g.doc_id == item["doc"] for g in found):
                    raise LabelError(f"{raw['id']}: evidence not found in {item['doc']}: {item['text'][:50]!r}")
                gold.extend(found)
                gold.extend(near_copies(item["text"], documents, found))
                numbered.extend((g, item["paragraph"]) for g in found if g.doc_id == item["doc"] and item["paragraph"])
                continue
            start = text.find(item["text"])
            if start < 0 or text.find(item["text"], start + 1) >= 0:
                raise LabelError(f"{raw['id']}: evidence is not found exactly once in {item['doc']}: "
                                 f"{item['text'][:50]!r}")
            gold.append(GoldSpan(item["doc"], start, start + len(item["text"])))
        if bool(gold) != bool(raw["in_scope"]):
            raise LabelError(f"{raw['id']}: in_scope questions need evidence, others must have none")
        if split is None or raw["split"] == split:
            evidence = raw.get("evidence") or [{}]
            questions.append(LabelledQuestion(raw["id"], raw["split"], raw["category"], raw["question"],
                                              bool(raw["in_scope"]), bool(raw["urgent"]), tuple(gold),
                                              evidence[0].get("doc"), tuple(numbered), raw.get("situation"),
                                              raw.get("written_as"),
                                              tuple(item["text"] for item in raw.get("evidence", []))))
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
