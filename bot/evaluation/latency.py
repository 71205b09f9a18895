"""Latency figures shared by the evaluation reports and the benchmark programs."""

from __future__ import annotations

import numpy as np

STAGES = ("embed", "bm25", "faiss", "fusion")  # the timed stages of one retrieval


def percentiles(seconds: list[float]) -> dict[str, float]:
    """p50 and p95 in milliseconds; zeros for an empty list, so a report never fails on it."""
    if not seconds:
        return {"p50_ms": 0.0, "p95_ms": 0.0}
    arr = np.asarray(seconds) * 1000
    return {"p50_ms": float(np.percentile(arr, 50)), "p95_ms": float(np.percentile(arr, 95))}
