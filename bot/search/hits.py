"""The one result type every retriever returns."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Hit:
    """A ranked result: `id` is a passage id (or a document id after max-pooling)."""

    id: str
    score: float
    rank: int  # 1-based


def ranked(scored: list[tuple[str, float]], k: int) -> list[Hit]:
    """Sort (id, score) pairs by score, best first, ties broken by id so runs are reproducible."""
    ordered = sorted(scored, key=lambda pair: (-pair[1], pair[0]))[:k]
    return [Hit(doc_id, float(score), rank) for rank, (doc_id, score) in enumerate(ordered, start=1)]
