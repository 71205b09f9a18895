"""Answerability: does a sentence of a passage say what was asked?

Topic is not enough: a news passage about sextortion is on the topic of "should I confiscate the
phone?" and still does not answer it. So each candidate passage is judged by its best sentence,
scored on three things the index already holds or the question gives cheaply:
- meaning: cosine similarity of the sentence and question embeddings (both normalised);
- words: the share of the question's rarer words the sentence uses, each weighted by idf, words
  the library never uses counting as rare (a question about a regulator the library never names
  cannot be answered by a sentence without that name);
- retrieval: the passage's fused score, normalised to [0, 1] within the candidates.
A passage is quoted only when its best sentence clears the bar; that same sentence is the
highlight. Questions that ask what to do need more: a passage from a document that sets out
procedures (the manifest's `procedures = true`) clears the usual bar, any other passage only the
higher one, so a news report is quoted for the factual part of a mixed question ("is forwarding
it illegal, and what do I do?") but never offered as the answer to "what do I do?".
The scoring and the decision are pure functions; the weights and bars are calibrated on the
labelled dev split (`python -m bot.evaluation.calibrate`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

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
    score: float

    def as_dict(self) -> dict:
        return {"cosine": round(self.cosine, 4), "overlap": round(self.overlap, 4),
                "retrieval": round(self.retrieval, 4), "score": round(self.score, 4)}


def term_weights(terms: Sequence[str], idf: Mapping[str, float]) -> dict[str, float]:
    """Each distinct question term's weight: its idf, or the rarest known term's for unknown words."""
    unknown = max(idf.values()) if idf else 1.0
    return {t: idf.get(t, unknown) for t in set(terms)}


def overlap(weights: Mapping[str, float], sentence_terms: Sequence[str],
            related: Mapping[str, frozenset[str]] | None = None) -> float:
    """idf-weighted share of the question's distinct terms that the sentence contains.

    With `related` (prompts/vocabulary.toml), a term also counts as found when the sentence holds
    another term of its group.
    """
    total = sum(weights.values())
    if not total:
        return 0.0
    present = set(sentence_terms)
    related = related or {}
    return sum(w for t, w in weights.items() if t in present or not related.get(t, frozenset()).isdisjoint(present)) / total


def sentence_score(cosine: float, share: float, retrieval: float, settings: AnswerabilitySettings) -> float:
    return cosine + settings.overlap_weight * share + settings.retrieval_weight * retrieval


def judge_passage(passage_id: str, spans: Sequence[tuple[int, int]], sentence_terms: Sequence[Sequence[str]],
                  cosines: np.ndarray, weights: Mapping[str, float], retrieval: float,
                  settings: AnswerabilitySettings,
                  related: Mapping[str, frozenset[str]] | None = None) -> SentenceJudgement | None:
    """The passage's best sentence; ties go to the earlier one. None for a passage with no sentence.

    `spans`, `sentence_terms` and `cosines` run in parallel, one item per sentence.
    """
    best: SentenceJudgement | None = None
    for (start, end), terms, cosine in zip(spans, sentence_terms, cosines):
        share = overlap(weights, terms, related)
        score = sentence_score(float(cosine), share, retrieval, settings)
        if best is None or score > best.score:
            best = SentenceJudgement(passage_id, start, end, float(cosine), share, retrieval, score)
    return best


def answers(judgement: SentenceJudgement, asks_what_to_do: bool, sets_out_procedures: bool,
            settings: AnswerabilitySettings) -> bool:
    """Does this passage's best sentence say what was asked?"""
    if asks_what_to_do and not sets_out_procedures:
        return judgement.score >= settings.min_score_what_to_do
    return judgement.score >= settings.min_score


def normalise(scores: Mapping[str, float]) -> dict[str, float]:
    """Min-max to [0, 1] within the candidates; a single candidate (or all equal) scores 1."""
    if not scores:
        return {}
    low, high = min(scores.values()), max(scores.values())
    span = high - low
    return {k: (v - low) / span if span > 0 else 1.0 for k, v in scores.items()}
