"""Answerability: does a sentence of a passage say what was asked?

Topic is not enough: a news passage about sextortion is on the topic of "should I confiscate the
phone?" and still does not answer it. So each candidate passage is judged by its best sentence,
scored on three things the index already holds or the question gives cheaply:
- meaning: cosine similarity of the sentence and question embeddings (both normalised);
- words: the share of the question's rarer words the sentence uses, each weighted by idf, words
  the library never uses counting as rare (a question about a regulator the library never names
  cannot be answered by a sentence without that name);
- retrieval: the passage's fused score, normalised to [0, 1] within the candidates.
Two more signals come from the question and the document's structure, not from one library's words:
- the question's kind against what the sentence states (`prompts/question_kinds.toml`): "is it
  illegal?" is best answered by a sentence that states the law, which gains `kind_weight`, and
  in which the question's "crime" counts as found where the sentence says "illegal"; among the
  passages that answer, those whose sentence states it are shown first. Within a passage, the
  sentence that states it is the highlight where it scores within `kind_highlight_margin` of the
  best one: "They have been issued by the National Crime Agency ..." answers "who put out the
  guidance?", not the sentence before it that shares more of its words;
- the passage's heading, the author's own summary of the section: a passage under a heading
  unrelated to the question (its cosine with the question below `heading_floor`) loses
  `heading_penalty`, so a sentence about visual evidence of FGM is not offered for "can I look at
  the image?"; one under a heading that says what was asked (cosine at least `heading_match`, as
  "What staff should do if they have concerns about a child" for "what do I do if I'm worried about
  a child?") gains `heading_weight` times the excess. Text without headings is not affected.
A passage is quoted only when its best sentence clears the bar; that same sentence is the
highlight. Questions that ask what to do need more: a passage from a document that sets out
procedures (the manifest's `procedures = true`) clears the usual bar under a heading that says
what was asked and a slightly higher one elsewhere, any other passage only the highest one, so a
news report is quoted for the factual part of a mixed question ("is forwarding it illegal, and
what do I do?") but never offered as the answer to "what do I do?".
The scoring and the decision are pure functions; the weights and bars are calibrated on the
labelled dev split (`python -m bot.evaluation.calibrate`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace

import numpy as np

from bot.config import AnswerabilitySettings


@dataclass(frozen=True)
class SentenceJudgement:
    """The best sentence of one candidate passage and why it scored as it did."""

    passage_id: str
    start: int  # span of the sentence in the cleaned document
    end: int
    cosine: float
    overlap: float
    retrieval: float
    score: float  # heading and question kind counted
    states_kind: bool = False  # the sentence states what the question's kind asks for (a law for "is it illegal?")
    heading_says_it: bool = False  # the passage's own heading says what was asked (cosine >= heading_match)

    def as_dict(self) -> dict:
        return {"cosine": round(self.cosine, 4), "overlap": round(self.overlap, 4),
                "retrieval": round(self.retrieval, 4), "score": round(self.score, 4)}


def term_weights(terms: Sequence[str], idf: Mapping[str, float]) -> dict[str, float]:
    """Each distinct question term's weight: its idf, or the rarest known term's for unknown words."""
    unknown = max(idf.values()) if idf else 1.0
    return {t: idf.get(t, unknown) for t in set(terms)}


def overlap(weights: Mapping[str, float], sentence_terms: Sequence[str],
            related: Mapping[str, frozenset[str]] | None = None, found: frozenset[str] = frozenset()) -> float:
    """idf-weighted share of the question's distinct terms that the sentence contains.

    With `related` (prompts/vocabulary.toml), a term also counts as found when the sentence holds
    another term of its group; terms in `found` count as found whatever the sentence's words (the
    question's "crime" where the sentence states the law as "illegal").
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(sentence_terms) | found
    related = related or {}
    return sum(w for t, w in weights.items() if t in present or not related.get(t, frozenset()).isdisjoint(present)) / total


def sentence_score(cosine: float, share: float, retrieval: float, settings: AnswerabilitySettings) -> float:
    return cosine + settings.overlap_weight * share + settings.retrieval_weight * retrieval


def judge_passage(passage_id: str, spans: Sequence[tuple[int, int]], sentence_terms: Sequence[Sequence[str]],
                  cosines: np.ndarray, weights: Mapping[str, float], retrieval: float,
                  settings: AnswerabilitySettings,
                  related: Mapping[str, frozenset[str]] | None = None,
                  kind_matches: Sequence[bool] | None = None,
                  heading_cosine: float | None = None,
                  kind_terms: frozenset[str] = frozenset(),
                  may_answer: Sequence[bool] | None = None,
                  passage_cosine: float | None = None) -> SentenceJudgement | None:
    """The passage's best sentence; ties go to the earlier one. None for a passage with no sentence
    that may answer. Where the best sentence does not state the question's kind and one that does
    scores within `settings.kind_highlight_margin` of it, that one is the highlight (the score
    stays the best sentence's: it decides whether the passage answers).

    `spans`, `sentence_terms`, `cosines`, `kind_matches` (does the sentence state what the
    question's kind asks for) and `may_answer` (False: never the answer, as a statement of what
    the document is for) run in parallel, one item per sentence. `heading_cosine`: the
    question's cosine with the passage's own heading, None where it has none. `passage_cosine`:
    the question's cosine with the whole passage as searched (`passage_adjustment`).
    """
    adjustment = heading_adjustment(heading_cosine, settings) - passage_adjustment(passage_cosine, settings)
    heading_says_it = heading_cosine is not None and heading_cosine >= settings.heading_match
    best: SentenceJudgement | None = None
    stating: SentenceJudgement | None = None  # the best sentence that states the question's kind
    judged_all: list[tuple[SentenceJudgement, Sequence[str]]] = []  # each sentence that may answer, and its words
    for number, ((start, end), terms, cosine) in enumerate(zip(spans, sentence_terms, cosines)):
        if may_answer is not None and not may_answer[number]:
            continue
        states_kind = kind_matches is not None and kind_matches[number]
        share = overlap(weights, terms, related, kind_terms if states_kind else frozenset())
        score = sentence_score(float(cosine), share, retrieval, settings) - adjustment
        if states_kind:
            score += settings.kind_weight
        judged = SentenceJudgement(passage_id, start, end, float(cosine), share, retrieval, score, states_kind,
                                   heading_says_it)
        if best is None or score > best.score:
            best = judged
        if states_kind and (stating is None or score > stating.score):
            stating = judged
        judged_all.append((judged, terms))
    margin = settings.kind_highlight_margin
    if best is not None and stating is not None and not best.states_kind and margin > 0 \
            and stating.score >= best.score - margin:
        return replace(best, start=stating.start, end=stating.end, states_kind=True)
    if best is not None and settings.novelty_weight > 0:
        close = [(j, terms) for j, terms in judged_all
                 if j.score >= best.score - settings.novelty_margin and (j.states_kind or not best.states_kind)]
        if len(close) > 1:
            held = held_words(weights, related)
            chosen = max(close, key=lambda pair: pair[0].score + settings.novelty_weight * novelty(held, pair[1]))[0]
            return replace(best, start=chosen.start, end=chosen.end)
    return best


def held_words(weights: Mapping[str, float], related: Mapping[str, frozenset[str]] | None = None) -> frozenset[str]:
    """The question's words and their related words: what a sentence repeats rather than adds."""
    return frozenset(weights).union(*related.values()) if related else frozenset(weights)


def novelty(held: frozenset[str], sentence_terms: Sequence[str]) -> float:
    """The share of a sentence's distinct words that the question does not hold (`held`, from
    `held_words`): what the sentence adds to what was asked."""
    words = set(sentence_terms)
    return len(words - held) / len(words) if words else 0.0


def heading_adjustment(heading_cosine: float | None, settings: AnswerabilitySettings) -> float:
    """What a passage's heading takes off each of its sentences' scores (negative: adds)."""
    if heading_cosine is None:
        return 0.0
    if heading_cosine < settings.heading_floor:
        return settings.heading_penalty
    if heading_cosine >= settings.heading_match:
        return -settings.heading_weight * (heading_cosine - settings.heading_match)
    return 0.0


def passage_adjustment(passage_cosine: float | None, settings: AnswerabilitySettings) -> float:
    """What the whole passage's meaning adds to each of its sentences' scores (negative: takes off).

    A sentence is judged on its own words and meaning, but what it means depends on the section it
    stands in: a sentence sharing the words of an out-of-scope question ("Are TAs paid extra for
    staying after school for safeguarding training?") reads as an answer until the section around
    it shows it is about something else. The passage's cosine with the question, above or below
    `passage_centre`, moves all its sentences alike, so the highlight within it does not change.
    The engine passes it only for a passage under a heading and a question that does not ask what
    to do (`AnswerEngine.judge`)."""
    if passage_cosine is None or settings.passage_weight <= 0:
        return 0.0
    return settings.passage_weight * (passage_cosine - settings.passage_centre)


def answers(judgement: SentenceJudgement, asks_what_to_do: bool, sets_out_procedures: bool,
            settings: AnswerabilitySettings) -> bool:
    """Does this passage's best sentence say what was asked?

    "What do I do?" needs more than a sentence on the topic: a document that sets out procedures
    answers at the usual bar where the passage's heading says what was asked, and at a higher one
    elsewhere; any other document only at the highest."""
    if asks_what_to_do and not sets_out_procedures:
        return judgement.score >= settings.min_score_what_to_do
    if asks_what_to_do and not judgement.heading_says_it:
        return judgement.score >= max(settings.min_score, settings.min_score_what_to_do_procedures)
    return judgement.score >= settings.min_score


def normalise(scores: Mapping[str, float]) -> dict[str, float]:
    """Min-max to [0, 1] within the candidates; a single candidate (or all equal) scores 1."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}
