"""Coverage: does the library answer the question, or should the reply say "not covered"?

Two signals, both cheap and both explainable to a safeguarding lead:
- the cosine similarity of the closest passage (does any passage mean something close?);
- how much of the question's vocabulary the library knows, each word weighted by its rarity
  (a question about "FGM" or "Prevent" uses words the library never mentions, while "Who is
  Derek Ray-Hill?" is short, names someone the library quotes, and has a low similarity).
The rule combining them is a pure function with thresholds calibrated on the labelled dev split.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass

from bot.config import CoverageSettings
from bot.search.bm25 import BM25Retriever
from bot.search.hits import Hit


@dataclass(frozen=True)
class CoverageSignals:
    best_dense: float  # cosine similarity of the closest passage
    known_terms: float  # idf-weighted share of the question's terms that occur in the library

    def as_dict(self) -> dict:
        return {k: round(v, 4) for k, v in asdict(self).items()}


def known_term_share(terms: Sequence[str], idf: dict[str, float]) -> float:
    """Share of the query's distinct terms found in the library, weighted by idf.

    A term the library never uses weighs as much as its rarest known term: an unknown word is at
    least as telling as the rarest one it knows.
    """
    distinct = set(terms)
    if not distinct or not idf:
        return 0.0
    unknown_weight = max(idf.values())
    weights = {t: idf.get(t, unknown_weight) for t in distinct}
    total = sum(weights.values())
    return sum(w for t, w in weights.items() if t in idf) / total if total else 0.0


def signals_for(question: str, semantic: Sequence[Hit], bm25: BM25Retriever) -> CoverageSignals:
    best = semantic[0].score if semantic else 0.0
    return CoverageSignals(float(best), known_term_share(bm25.analyzer(question), bm25.idf))


def decide_coverage(signals: CoverageSignals, settings: CoverageSettings) -> bool:
    """Answer when a passage is close in meaning, or fairly close and the library knows the words."""
    if signals.best_dense >= settings.min_dense_score:
        return True
    return signals.best_dense >= settings.min_dense_with_terms and signals.known_terms >= settings.min_known_terms
