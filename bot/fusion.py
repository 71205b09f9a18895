"""Fusion of ranked lists: pure functions, no retriever state.

Reciprocal rank fusion needs no score calibration (Cormack et al. 2009); weighted fusion of
min-max normalised scores can use score gaps that ranks throw away.
"""

from __future__ import annotations

from typing import Sequence

from bot.hits import Hit, ranked


def fuse_rrf(rankings: Sequence[Sequence[Hit]], k: int = 60, limit: int = 10,
             weights: Sequence[float] | None = None) -> list[Hit]:
    """score(d) = sum_i w_i / (k + rank_i(d)), over the lists that contain d."""
    weights = weights or [1.0] * len(rankings)
    totals: dict[str, float] = {}
    for weight, hits in zip(weights, rankings):
        for hit in hits:
            totals[hit.id] = totals.get(hit.id, 0.0) + weight / (k + hit.rank)
    return ranked(list(totals.items()), limit)


def min_max(hits: Sequence[Hit]) -> dict[str, float]:
    """Scores rescaled to [0, 1] within one list; a list of equal scores maps to 1."""
    if not hits:
        return {}
    scores = [h.score for h in hits]
    low, high = min(scores), max(scores)
    span = high - low
    return {h.id: (h.score - low) / span if span > 0 else 1.0 for h in hits}


def fuse_weighted(rankings: Sequence[Sequence[Hit]], weights: Sequence[float], limit: int = 10) -> list[Hit]:
    """score(d) = sum_i w_i * minmax_i(d); a list that misses d contributes 0."""
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking is required")
    totals: dict[str, float] = {}
    for weight, hits in zip(weights, rankings):
        for doc_id, score in min_max(hits).items():
            totals[doc_id] = totals.get(doc_id, 0.0) + weight * score
    return ranked(list(totals.items()), limit)


def max_pool(hits: Sequence[Hit], parent: dict[str, str], limit: int) -> list[Hit]:
    """Passage hits to document hits: a document scores as its best passage."""
    best: dict[str, float] = {}
    for hit in hits:
        doc = parent[hit.id]
        if doc not in best or hit.score > best[doc]:
            best[doc] = hit.score
    return ranked(list(best.items()), limit)
