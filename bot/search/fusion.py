"""Fusion of ranked lists: pure functions, no retriever state.

Reciprocal rank fusion needs no score calibration (Cormack et al. 2009); weighted fusion of
min-max normalised scores can use score gaps that ranks throw away.

A score scale with a natural zero (BM25: no query term matched) is better normalised from that
zero than from the lowest score in a short candidate list: rescaling from the list's minimum
stretches small differences between weak matches into the whole [0, 1] range.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.search.hits import Hit, ranked


def fuse_rrf(rankings: Sequence[Sequence[Hit]], k: int = 60, limit: int = 10,
             weights: Sequence[float] | None = None) -> list[Hit]:
    """score(d) = sum_i w_i / (k + rank_i(d)), over the lists that contain d."""
    weights = weights or [1.0] * len(rankings)
    totals: dict[str, float] = {}
    for weight, hits in zip(weights, rankings):
        for hit in hits:
            totals[hit.id] = totals.get(hit.id, 0.0) + weight / (k + hit.rank)
    return ranked(list(totals.items()), limit)


def min_max(hits: Sequence[Hit], floor: float | None = None) -> dict[str, float]:
    """Scores rescaled to [0, 1] within one list; a list of equal scores maps to 1.

    ``floor`` replaces the list's minimum as the score that maps to 0 (e.g. 0 for BM25).
    """
    if not hits:
        return {}
    scores = [h.score for h in hits]
    low = min(scores) if floor is None else floor
    high = max(scores)
    span = high - low
    return {h.id: max(0.0, (h.score - low) / span) if span > 0 else 1.0 for h in hits}


def fuse_weighted(rankings: Sequence[Sequence[Hit]], weights: Sequence[float], limit: int = 10,
                  floors: Sequence[float | None] | None = None) -> list[Hit]:
    """score(d) = sum_i w_i * minmax_i(d); a list that misses d contributes 0.

    ``floors`` gives, per list, the score that normalises to 0 (None: the list's minimum).
    """
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking is required")
    floors = floors or [None] * len(rankings)
    if len(floors) != len(rankings):
        raise ValueError("one floor per ranking is required")
    totals: dict[str, float] = {}
    for weight, floor, hits in zip(weights, floors, rankings):
        for doc_id, score in min_max(hits, floor).items():
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
