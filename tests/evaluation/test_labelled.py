"""The labelled question set: counts, split, and that every label points at real guidance text."""

import json
from collections import Counter

import pytest

from bot.evaluation.labelled import DEFAULT_QUESTIONS, GoldSpan, LabelError, load_questions, relevance
from bot.library.corpus import load_library
from bot.library.passages import Passage
from tests.conftest import PROJECT_ROOT
from tests.library.test_clean import all_phrases


@pytest.fixture(scope="module")
def texts():
    return {d.entry.id: d.clean.text for d in load_library(PROJECT_ROOT / "seeds")[1]}


def test_counts_and_fixed_split_meet_the_minimums(texts):
    questions = load_questions(DEFAULT_QUESTIONS, texts)
    counts = Counter(q.category for q in questions)
    assert counts["in_scope"] >= 100 and counts["out_of_scope"] >= 30
    assert counts["urgent"] >= 25 and counts["non_urgent"] >= 25
    for category in counts:
        splits = Counter(q.split for q in questions if q.category == category)
        assert splits["dev"] > 0 and splits["test"] > 0
    assert len({q.id for q in questions}) == len(questions)
    assert all(q.urgent == (q.category == "urgent") for q in questions)


def test_every_evidence_span_is_inside_the_guidance_and_not_boilerplate(texts):
    for q in load_questions(DEFAULT_QUESTIONS, texts):
        for span in q.gold:
            evidence = texts[span.doc_id][span.start:span.end]
            assert len(evidence) >= 20
            for _, phrase in all_phrases():
                assert phrase.lower() not in evidence.lower()


def test_questions_are_not_copied_from_the_documents(texts):
    sources = " ".join(texts.values()).lower().split()
    eights = {tuple(sources[i:i + 8]) for i in range(len(sources) - 7)}
    for line in DEFAULT_QUESTIONS.read_text(encoding="utf-8").splitlines():
        words = json.loads(line)["question"].lower().split()
        assert not any(tuple(words[i:i + 8]) in eights for i in range(len(words) - 7)), words


def test_unknown_or_ambiguous_evidence_is_refused(tmp_path, texts):
    bad = tmp_path / "q.jsonl"
    bad.write_text(json.dumps({"id": "x", "split": "dev", "category": "in_scope", "question": "q",
                               "in_scope": True, "urgent": False,
                               "evidence": [{"doc": "bbc-ai-csam-teacher-guidance", "text": "not in there"}]}),
                   encoding="utf-8")
    with pytest.raises(LabelError, match="exactly once"):
        load_questions(bad, texts)


def test_relevance_grades_full_and_partial_overlap():
    passage = Passage("p", "d", "x" * 50, 100, 150, 1, 1, None)
    assert relevance(passage, [GoldSpan("d", 110, 140)]) == 2
    assert relevance(passage, [GoldSpan("d", 140, 170)]) == 1
    assert relevance(passage, [GoldSpan("d", 150, 170), GoldSpan("other", 100, 150)]) == 0


def test_the_category_a_question_was_written_as_is_kept(texts):
    """The default library's rounds say what their authors wrote each question as; the issue's
    own figures count by it."""
    path = PROJECT_ROOT / "seeds" / "eval" / "default" / "questions.jsonl"
    questions = load_questions(path, texts, "dev")
    written = Counter(q.written_as for q in questions)
    assert set(written) == {"in_scope", "what_to_do", "out_of_scope", "urgent", "incident"}
    assert all(q.category == "non_urgent" for q in questions if q.written_as in ("what_to_do", "incident"))
