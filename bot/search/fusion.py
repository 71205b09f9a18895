"""Fusion of ranked lists: pure functions, no retriever state.

Reciprocal rank fusion needs no score calibration (Cormack et al. 2009); weighted fusion of
min-max normalised scores can use score gaps that ranks throw away.

A score scale with a natural zero (BM25: no query term matched) is better normalised from that
zero than from the lowest score in a short candidate list: rescaling from the list's minimum
stretches small differences between weak matches into the whole [0, 1] range.

Z-scores (each list's scores less their mean, over their spread) are the other normalisation on
offer: a query whose dense scores are all close together then moves the fused ranking less than
one whose best documents stand out (Bruch et al. 2023 compare the two). Which one a collection gets
is a fusion setting chosen by the cross-validation protocol (bot/evaluation/crossval.py).
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


def z_scores(hits: Sequence[Hit], floor: float | None = None) -> tuple[dict[str, float], float]:
    """Scores as z-scores within one list, and the z-score a document missing from it gets.

    A missing document scores as the list's ``floor`` (0 for BM25: no term matched), or as its
    lowest candidate when there is no natural floor. A list of equal scores maps to 0.
    """
    if not hits:
        return {}, 0.0
    scores = [h.score for h in hits]
    mean = sum(scores) / len(scores)
    spread = (sum((s - mean) ** 2 for s in scores) / len(scores)) ** 0.5
    if spread <= 0:
        return {h.id: 0.0 for h in hits}, 0.0
    missing = min(scores) if floor is None else floor
    return {h.id: (h.score - mean) / spread for h in hits}, (missing - mean) / spread


NORMALISATIONS = ("minmax", "zscore")


def fuse_weighted(rankings: Sequence[Sequence[Hit]], weights: Sequence[float], limit: int = 10,
                  floors: Sequence[float | None] | None = None, normalisation: str = "minmax") -> list[Hit]:
    """score(d) = sum_i w_i * norm_i(d), norm_i min-max (a missing d: 0) or z-score (missing: the floor's).

    ``floors`` gives, per list, the score that normalises to 0 under min-max and that a missing
    document scores under z-scores (None: the list's minimum).
    """
    if normalisation not in NORMALISATIONS:
        raise ValueError(f"unknown normalisation {normalisation!r}; choose from {', '.join(NORMALISATIONS)}")
    if len(weights) != len(rankings):
        raise ValueError("one weight per ranking is required")
    floors = floors or [None] * len(rankings)
    if len(floors) != len(rankings):
        raise ValueError("one floor per ranking is required")
    if normalisation == "minmax":
        normalised = [(min_max(hits, floor), 0.0) for floor, hits in zip(floors, rankings)]
    else:
        normalised = [z_scores(hits, floor) for floor, hits in zip(floors, rankings)]
    candidates = {doc_id for scores, _ in normalised for doc_id in scores}
    totals = {doc_id: sum(weight * scores.get(doc_id, missing) for weight, (scores, missing) in zip(weights, normalised))
              for doc_id in candidates}
    return ranked(list(totals.items()), limit)


def max_pool(hits: Sequence[Hit], parent: dict[str, str], limit: int) -> list[Hit]:
    """Passage hits to document hits: a document scores as its best passage."""
    best: dict[str, float] = {}
    for hit in hits:
        doc = parent[hit.id]
        if doc not in best or hit.score > best[doc]:
            best[doc] = hit.score
    return ranked(list(best.items()), limit)
