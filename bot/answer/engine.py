"""The answer engine: question in, answer object (see the shared answer schema) out.

question -> validate -> embed -> triage -> hybrid retrieval -> coverage decision -> compose quotes
         -> escalation. Every piece of wording comes from `prompts/` or is a verbatim quote.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.answer.compose import best_sentence, citation, pick_passages
from bot.answer.coverage import decide_coverage, signals_for
from bot.answer.escalation import (
    DEFAULT_ESCALATION_FILE,
    DEFAULT_MESSAGES_FILE,
    DEFAULT_SCHOOL_FILE,
    EscalationBook,
    SchoolContacts,
    load_escalation,
    load_messages,
    load_school,
)
from bot.answer.triage import DEFAULT_TRIAGE_FILE, Triage, load_triage
from bot.config import Settings
from bot.search.hybrid import HybridRetriever, timed
from bot.search.index import SearchIndex, load_index


class QuestionError(ValueError):
    """The question cannot be answered as given; the message says why, in plain words.

    `code` is stable for API clients: "not_text", "empty_question" or "question_too_long".
    """

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


def clean_question(text: object, max_chars: int) -> str:
    """Whitespace collapsed, control characters removed; refuses empty and over-long questions."""
    if not isinstance(text, str):
        raise QuestionError("not_text", "the question must be text")
    if len(text) > max_chars:  # the documented limit is on what was sent, before tidying
        raise QuestionError("question_too_long", f"the question is too long: at most {max_chars} characters, please")
    kept = "".join(" " if unicodedata.category(ch) in ("Cc", "Cf", "Zl", "Zp", "Cs") else ch for ch in text)
    question = " ".join(kept.split())
    if not question:
        raise QuestionError("empty_question", "please type a question")
    return question


@dataclass
class AnswerEngine:
    index: SearchIndex
    settings: Settings
    triage: Triage
    escalation_book: EscalationBook
    school: SchoolContacts
    messages: dict

    @classmethod
    def load(cls, settings: Settings | None = None, school_file: Path | None = None) -> AnswerEngine:
        """Load and check everything up front: a bad index or prompts file fails here, not mid-answer."""
        settings = settings or Settings.from_env()
        prompts = Path(settings.prompts_dir)
        index = load_index(settings)
        return cls(
            index=index,
            settings=settings,
            triage=load_triage(prompts / DEFAULT_TRIAGE_FILE.name, index.dense.embedder.encode),
            escalation_book=load_escalation(prompts / DEFAULT_ESCALATION_FILE.name),
            school=load_school(Path(school_file) if school_file else prompts / DEFAULT_SCHOOL_FILE.name),
            messages=load_messages(prompts / DEFAULT_MESSAGES_FILE.name),
        )

    def __post_init__(self) -> None:
        self.retriever = HybridRetriever(self.index.bm25, self.index.dense, self.settings.fusion)
        # Repeated questions (example questions, a refreshed page) skip the model. Memory only:
        # nothing of a question is ever written anywhere.
        self.query_vector = lru_cache(maxsize=self.settings.answer.query_cache_size)(self._encode)

    def _encode(self, question: str) -> np.ndarray:
        vector = self.index.dense.embedder.encode_query(question)
        vector.setflags(write=False)  # shared between requests
        return vector

    def ask(self, text: object, timings: dict[str, float] | None = None) -> dict:
        """The answer object for one question. Raises QuestionError for unusable input."""
        answer = self.settings.answer
        question = clean_question(text, answer.max_question_chars)
        with timed(timings, "embed"):
            vector = self.query_vector(question)
        with timed(timings, "triage"):
            urgent = self.triage.assess(question, vector).urgent
        lexical, semantic = self.retriever.candidates(question, self.settings.fusion.depth, timings, vector=vector)
        with timed(timings, "coverage"):
            signals = signals_for(question, semantic, self.index.bm25)
            answered = decide_coverage(signals, self.settings.coverage)
        with timed(timings, "fusion"):
            hits = self.retriever.fuse(lexical, semantic, max(answer.max_passages * 3, 10))
        passages = []
        with timed(timings, "compose"):
            if answered:
                ranked = [self.index.by_id[h.id] for h in hits]
                score = {h.id: h.score for h in hits}
                chosen = pick_passages(ranked, answer.max_passages, answer.near_duplicate)
                terms = self.index.bm25.analyzer(question)
                passages = [self._quote(p, terms, score[p.id]) for p in chosen]
        return {
            "question": question,
            "answered": answered,
            "urgent": urgent,
            "passages": passages,
            "escalation": self.escalation_book.escalation(urgent, self.school),
            "not_covered": None if answered else self.messages["not_covered"],
            "signals": signals.as_dict(),
        }

    def _quote(self, passage, query_terms: list[str], score: float) -> dict:
        doc = self.index.documents[passage.doc_id]
        quote = doc.text[passage.start:passage.end]
        bm25 = self.index.bm25
        start, end = best_sentence(quote, query_terms, bm25.analyzer, bm25.idf)
        return {
            "quote": quote,
            "highlight": [[start, end]],
            "source": doc.source_info(),
            "location": {"start": passage.start, "end": passage.end, "paragraph": passage.paragraph,
                         "page": passage.page},
            "citation": citation(doc.publisher, doc.title, doc.date, passage),
            "score": round(float(score), 6),
        }
