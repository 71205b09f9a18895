"""Answerability: a passage is quoted only when its best sentence says what was asked."""

import numpy as np
import pytest

from bot.answer.answerability import (
    SentenceJudgement,
    answers,
    heading_adjustment,
    judge_passage,
    normalise,
    overlap,
    passage_adjustment,
    term_weights,
)
from bot.config import AnswerabilitySettings

SETTINGS = AnswerabilitySettings(overlap_weight=1.0, retrieval_weight=0.2, min_score=0.8, min_score_what_to_do=1.1)


def test_unknown_question_words_weigh_as_much_as_the_rarest_known_word():
    weights = term_weights(["ofcom", "nudifi", "school"], {"nudifi": 3.0, "school": 0.5})
    assert weights == {"ofcom": 3.0, "nudifi": 3.0, "school": 0.5}


def test_overlap_is_the_idf_weighted_share_of_question_words_found():
    weights = {"cartoon": 2.0, "count": 1.0, "imag": 1.0}
    assert overlap(weights, ["imageri", "photorealist"]) == 0.0
    assert overlap(weights, ["imag"]) == pytest.approx(0.25)
    related = {"cartoon": frozenset({"cartoon", "photorealist"}), "imag": frozenset({"imag", "imageri"})}
    assert overlap(weights, ["imageri", "photorealist"], related) == pytest.approx(0.75)
    assert overlap({}, ["x"]) == 0.0


def test_the_best_sentence_wins_and_ties_go_to_the_earlier_one():
    spans = [(0, 10), (11, 30), (31, 40)]
    terms = [["school"], ["nudifi", "photo"], ["nudifi", "photo"]]
    cosines = np.array([0.9, 0.5, 0.5])
    weights = {"nudifi": 1.0, "photo": 1.0}
    best = judge_passage("p", spans, terms, cosines, weights, 1.0, SETTINGS)
    assert (best.start, best.end) == (11, 30)  # 0.5 + 1.0 beats 0.9 + 0.0; the later tie loses
    assert best.score == pytest.approx(0.5 + 1.0 + 0.2)
    assert judge_passage("p", [], [], np.array([]), weights, 1.0, SETTINGS) is None


def test_the_highlight_goes_to_the_close_sentence_that_adds_to_the_question_and_the_score_stays():
    """"What's the difference between must and should?": "We use the terms must and should
    throughout" repeats the question; the sentence after it, scoring nearly as well, says what
    each means, and is the highlight. The best sentence's score still decides the answer."""
    spans = [(0, 10), (11, 30)]
    terms = [["must", "should", "term"], ["must", "should", "legal", "requir", "reason"]]
    weights = {"must": 1.0, "should": 1.0}
    settings = AnswerabilitySettings(novelty_weight=0.5, novelty_margin=0.1)
    best = judge_passage("p", spans, terms, np.array([0.7, 0.66]), weights, 0.0, settings)
    assert (best.start, best.end) == (11, 30) and best.score == pytest.approx(1.7)
    far = judge_passage("p", spans, terms, np.array([0.7, 0.55]), weights, 0.0, settings)
    assert (far.start, far.end) == (0, 10)  # 0.15 below the best: beyond the margin
    off = AnswerabilitySettings(novelty_weight=0.0)
    assert (judge_passage("p", spans, terms, np.array([0.7, 0.66]), weights, 0.0, off).start) == 0
    related = {"must": frozenset({"legal", "requir", "reason"})}  # held by the question: adds nothing
    held = judge_passage("p", spans, terms, np.array([0.7, 0.66]), weights, 0.0, settings, related)
    assert (held.start, held.end) == (0, 10)


def test_the_whole_passage_moves_its_sentences_alike_and_the_highlight_stays():
    """A sentence is read in its passage: one whose words suit the question scores less where the
    passage as a whole is far from it, more where it is near, and stays the passage's highlight."""
    spans = [(0, 10), (11, 30)]
    terms = [["teacher", "evid"], ["fgm"]]
    cosines = np.array([0.55, 0.3])
    weights = {"evid": 1.0, "imag": 1.0}
    settings = AnswerabilitySettings(passage_weight=1.0, passage_centre=0.6)
    alone = judge_passage("p", spans, terms, cosines, weights, 1.0, settings)
    far = judge_passage("p", spans, terms, cosines, weights, 1.0, settings, passage_cosine=0.35)
    near = judge_passage("p", spans, terms, cosines, weights, 1.0, settings, passage_cosine=0.7)
    assert far.score == pytest.approx(alone.score - 0.25) and near.score == pytest.approx(alone.score + 0.1)
    assert (far.start, far.end) == (near.start, near.end) == (alone.start, alone.end) == (0, 10)
    assert passage_adjustment(0.35, AnswerabilitySettings(passage_weight=0.0)) == 0.0
    assert passage_adjustment(None, settings) == 0.0


def test_a_sentence_that_may_not_answer_is_passed_over():
    spans = [(0, 10), (11, 30)]
    terms = [["nudifi", "photo"], ["photo"]]
    cosines = np.array([0.9, 0.4])
    weights = {"nudifi": 1.0, "photo": 1.0}
    best = judge_passage("p", spans, terms, cosines, weights, 1.0, SETTINGS, may_answer=[False, True])
    assert (best.start, best.end) == (11, 30)  # the better sentence states what the document is for
    assert judge_passage("p", spans, terms, cosines, weights, 1.0, SETTINGS, may_answer=[False, False]) is None


def test_a_sentence_stating_the_questions_kind_gains_and_counts_the_kind_word_found():
    """"Is it a crime ...?": the sentence that states the law ("illegal") wins over one sharing
    more of the question's words, and the question's "crime" counts as found in it."""
    spans = [(0, 10), (11, 30)]
    terms = [["nudifi"], ["illeg"]]
    cosines = np.array([0.5, 0.5])
    weights = {"crime": 1.0, "nudifi": 1.0, "photo": 1.0}
    settings = AnswerabilitySettings(kind_weight=0.2)
    plain = judge_passage("p", spans, terms, cosines, weights, 0.0, settings)
    assert (plain.start, plain.states_kind) == (0, False)
    best = judge_passage("p", spans, terms, cosines, weights, 0.0, settings, kind_matches=[False, True],
                         kind_terms=frozenset({"crime"}))
    assert (best.start, best.states_kind) == (11, True)
    assert best.overlap == pytest.approx(1 / 3) and best.score == pytest.approx(0.5 + 1 / 3 + 0.2)  # beats 0.5 + 1/3


def test_the_sentence_stating_the_kind_is_the_highlight_within_the_margin():
    """"Who put out the guidance?": "They have been issued by the NCA ..." is highlighted, though the
    sentence before it shares more of the question's words, where it scores within the margin of
    it; the passage's score stays its best sentence's, which decides whether it answers."""
    spans = [(0, 10), (11, 30)]
    terms = [["guidanc"], ["nca"]]
    weights = {"guidanc": 1.0, "teacher": 1.0}
    within = AnswerabilitySettings(kind_weight=0.2, kind_highlight_margin=0.4)
    # 0.6 + 0.5 against 0.55 + 0.0 + 0.2: 0.35 behind
    best = judge_passage("p", spans, terms, np.array([0.6, 0.55]), weights, 0.0, within, kind_matches=[False, True])
    assert (best.start, best.end, best.states_kind) == (11, 30, True)
    assert best.score == pytest.approx(0.6 + 0.5)
    # 0.2 + 0.0 + 0.2: 0.7 behind, beyond the margin
    far = judge_passage("p", spans, terms, np.array([0.6, 0.2]), weights, 0.0, within, kind_matches=[False, True])
    assert (far.start, far.states_kind) == (0, False)
    off = AnswerabilitySettings(kind_weight=0.2, kind_highlight_margin=0.0)
    plain = judge_passage("p", spans, terms, np.array([0.6, 0.55]), weights, 0.0, off, kind_matches=[False, True])
    assert (plain.start, plain.states_kind) == (0, False)


@pytest.mark.parametrize("heading_cosine, change", [
    (None, 0.0),    # no heading: text such as the news seeds is judged as before
    (0.1, -0.1),    # a heading unrelated to the question: the penalty
    (0.4, 0.0),     # neither
    (0.6, 0.2),     # a heading that says what was asked: weight 2 x (0.6 - 0.5)
])
def test_the_passages_heading_moves_its_score(heading_cosine, change):
    settings = AnswerabilitySettings(heading_floor=0.3, heading_penalty=0.1, heading_match=0.5, heading_weight=2.0)
    best = judge_passage("p", [(0, 5)], [["x"]], np.array([0.5]), {"y": 1.0}, 0.0, settings,
                         heading_cosine=heading_cosine)
    assert best.score == pytest.approx(0.5 + change)
    assert heading_adjustment(heading_cosine, settings) == pytest.approx(-change)


def judgement(score: float) -> SentenceJudgement:
    return SentenceJudgement("p", 0, 1, 0.0, 0.0, 0.0, score)


@pytest.mark.parametrize("score, what_to_do, procedures, expected", [
    (0.9, False, False, True),   # a fact question, clears the bar
    (0.7, False, False, False),  # a fact question, below it
    (0.9, True, False, False),   # "what do I do?" and a news report: the higher bar
    (1.2, True, False, True),    # ... which a clear answer to a factual part still clears
    (0.9, True, True, True),     # "what do I do?" and a document that sets out procedures
])
def test_what_to_do_questions_need_a_procedure_document_or_a_clear_factual_answer(score, what_to_do, procedures,
                                                                                    expected):
    assert answers(judgement(score), what_to_do, procedures, SETTINGS) is expected


@pytest.mark.parametrize("what_to_do, heading_says_it, expected", [
    (False, False, True),  # a fact question: the usual bar
    (True, True, True),    # "what do I do?" under a heading that says what was asked: the usual bar
    (True, False, False),  # ... elsewhere in the same document: a higher one
])
def test_what_to_do_in_a_procedures_document_needs_more_away_from_a_heading_that_says_it(what_to_do, heading_says_it,
                                                                                        expected):
    settings = AnswerabilitySettings(min_score=0.7, min_score_what_to_do_procedures=0.78)
    sentence = SentenceJudgement("p", 0, 1, 0.0, 0.0, 0.0, 0.75, heading_says_it=heading_says_it)
    assert answers(sentence, what_to_do, True, settings) is expected


@pytest.mark.parametrize("heading_cosine, says_it", [(None, False), (0.49, False), (0.5, True), (0.8, True)])
def test_a_heading_says_what_was_asked_from_the_heading_match_cosine(heading_cosine, says_it):
    settings = AnswerabilitySettings(heading_match=0.5)
    best = judge_passage("p", [(0, 5)], [["x"]], np.array([0.5]), {"x": 1.0}, 1.0, settings,
                         heading_cosine=heading_cosine)
    assert best.heading_says_it is says_it


def test_normalise_maps_candidates_to_0_1_and_a_lone_one_to_1():
    assert normalise({"a": 2.0, "b": 1.0, "c": 1.5}) == {"a": 1.0, "b": 0.0, "c": 0.5}
    assert normalise({"a": 0.3}) == {"a": 1.0}
    assert normalise({}) == {}
