"""Pseudo-relevance feedback: the best-ranked documents refine the query, for dense and for BM25.

Rocchio's formula on normalised embeddings: q' = normalise(q + weight * mean(top documents)). The
top documents come from the fused (BM25 + dense) ranking, so words BM25 matched pull the dense
query towards documents the model alone ranked lower. A pure function; `weight` 0 returns q.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

import numpy as np


def rocchio(query: np.ndarray, feedback: np.ndarray, weight: float) -> np.ndarray:
    """`feedback`: one normalised row per feedback document (none: the query unchanged)."""
    if weight <= 0 or len(feedback) == 0:
        return query
    moved = np.asarray(query, dtype=np.float32) + weight * np.asarray(feedback, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(np.float32) if norm > 0 else query


def rm3(query_terms: Sequence[str], feedback: Sequence[tuple[dict[str, int], int, float]], terms: int = 10,
        original_weight: float = 0.5) -> dict[str, float]:
    """RM3 (as in Anserini/Pyserini): a relevance model from feedback documents, mixed with the query.

    `feedback`: (term counts, length, retrieval score) per document. Each term's weight is the
    score-weighted sum of its frequency in the documents; the best `terms` are kept, normalised,
    and interpolated with the original query's normalised term counts.
    """
    original = Counter(query_terms)
    total = sum(original.values())
    if not total:
        return {}
    query = {t: c / total for t, c in original.items()}
    mass = sum(max(score, 0.0) for _, _, score in feedback)
    if not feedback or mass <= 0:
        return query
    model: dict[str, float] = {}
    for counts, length, score in feedback:
        if length <= 0 or score <= 0:
            continue
        for term, tf in counts.items():
            model[term] = model.get(term, 0.0) + (score / mass) * tf / length
    kept = dict(sorted(model.items(), key=lambda item: (-item[1], item[0]))[:terms])
    norm = sum(kept.values()) or 1.0
    mixed = {t: original_weight * w for t, w in query.items()}
    for term, weight in kept.items():
        mixed[term] = mixed.get(term, 0.0) + (1 - original_weight) * weight / norm
    return mixed
