"""Dense pseudo-relevance feedback: move the query vector towards the best-ranked documents.

Rocchio's formula on normalised embeddings: q' = normalise(q + weight * mean(top documents)). The
top documents come from the fused (BM25 + dense) ranking, so words BM25 matched pull the dense
query towards documents the model alone ranked lower. A pure function; `weight` 0 returns q.
"""

from __future__ import annotations

import numpy as np


def rocchio(query: np.ndarray, feedback: np.ndarray, weight: float) -> np.ndarray:
    """`feedback`: one normalised row per feedback document (none: the query unchanged)."""
    if weight <= 0 or len(feedback) == 0:
        return query
    moved = np.asarray(query, dtype=np.float32) + weight * np.asarray(feedback, dtype=np.float32).mean(axis=0)
    norm = float(np.linalg.norm(moved))
    return (moved / norm).astype(np.float32) if norm > 0 else query
