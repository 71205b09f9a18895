"""Hybrid retrieval: BM25 and dense candidates, fused. It only composes the two retrievers."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

import numpy as np

from bot.config import FusionSettings
from bot.search.bm25 import BM25Retriever
from bot.search.dense import DenseRetriever
from bot.search.fusion import fuse_rrf, fuse_weighted
from bot.search.hits import Hit

RETRIEVERS = ("bm25", "dense", "hybrid")


@contextmanager
def timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


class HybridRetriever:
    def __init__(self, bm25: BM25Retriever, dense: DenseRetriever, fusion: FusionSettings):
        if dense.embedder is None:
            raise ValueError("HybridRetriever needs a DenseRetriever with an embedder")
        self.bm25, self.dense, self.fusion = bm25, dense, fusion

    def fuse(self, lexical: list[Hit], semantic: list[Hit], k: int) -> list[Hit]:
        if self.fusion.method == "rrf":
            return fuse_rrf([lexical, semantic], k=self.fusion.rrf_k, limit=k)
        if self.fusion.method == "weighted":
            w = self.fusion.dense_weight
            return fuse_weighted([lexical, semantic], [1.0 - w, w], limit=k,
                                 floors=[self.fusion.bm25_floor, None])
        raise ValueError(f"unknown fusion method {self.fusion.method!r}")

    def candidates(self, query: str, depth: int, timings: dict[str, float] | None = None,
                   vector: np.ndarray | None = None) -> tuple[list[Hit], list[Hit]]:
        """The BM25 and dense candidate lists, before fusion (the coverage decision reads them).

        `vector` is the query's embedding when the caller already has it (the answer engine caches them).
        """
        if vector is None:
            with timed(timings, "embed"):
                vector = self.dense.embedder.encode_query(query)
        with timed(timings, "bm25"):
            lexical = self.bm25.search(query, depth)
        with timed(timings, "faiss"):
            semantic = self.dense.search_vector(vector, depth)
        return lexical, semantic

    def search(self, query: str, k: int, timings: dict[str, float] | None = None) -> list[Hit]:
        lexical, semantic = self.candidates(query, max(k, self.fusion.depth), timings)
        with timed(timings, "fusion"):
            return self.fuse(lexical, semantic, k)
