"""Hybrid retrieval: BM25 and dense candidates, fused, optionally refined by pseudo-relevance feedback.

The hybrid retriever only composes the two retrievers. The feedback steps are plain functions of
the first rankings (`expand_lexical`, `fuse_with_feedback`), so the benchmark protocol
(bot/evaluation/crossval.py) runs exactly the code the product runs.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import numpy as np

from bot.config import FeedbackSettings, FusionSettings
from bot.search.bm25 import BM25Retriever
from bot.search.dense import DenseRetriever
from bot.search.feedback import rm3, rocchio
from bot.search.fusion import fuse_rrf, fuse_weighted
from bot.search.hits import Hit

RETRIEVERS = ("bm25", "dense", "hybrid")


@contextmanager
def timed(timings: dict[str, float] | None, stage: str) -> Iterator[None]:
    start = time.perf_counter()
    yield
    if timings is not None:
        timings[stage] = timings.get(stage, 0.0) + time.perf_counter() - start


def fuse(fusion: FusionSettings, lexical: list[Hit], semantic: list[Hit], k: int) -> list[Hit]:
    """The two candidate lists fused as `fusion` says."""
    if fusion.method == "rrf":
        return fuse_rrf([lexical, semantic], k=fusion.rrf_k, limit=k)
    if fusion.method == "weighted":
        w = fusion.dense_weight
        return fuse_weighted([lexical, semantic], [1.0 - w, w], limit=k, floors=[fusion.bm25_floor, None],
                             normalisation=fusion.normalisation)
    raise ValueError(f"unknown fusion method {fusion.method!r}")


def expand_lexical(bm25: BM25Retriever, query: str, first: list[Hit], feedback: FeedbackSettings,
                   depth: int) -> list[Hit]:
    """RM3: the BM25 query expanded from its own best `rm3_docs` passages, searched again."""
    documents = [(*bm25.document_terms(h.id), h.score) for h in first[:feedback.rm3_docs]]
    weights = rm3(bm25.analyzer(query), documents, terms=feedback.rm3_terms,
                  original_weight=feedback.rm3_original_weight)
    return bm25.search_terms(weights, depth)


def fuse_with_feedback(fusion: FusionSettings, feedback: FeedbackSettings, lexical: list[Hit],
                       semantic: list[Hit], vector: np.ndarray, k: int,
                       vectors_of: Callable[[list[str]], np.ndarray],
                       search_dense: Callable[[np.ndarray], list[Hit]],
                       timings: dict[str, float] | None = None) -> list[Hit]:
    """The fused ranking; with Rocchio on, the query embedding is moved towards the best fused
    passages, searched again (`search_dense`) and fused once more with the same BM25 list."""
    with timed(timings, "fusion"):
        fused = fuse(fusion, lexical, semantic, max(k, feedback.dense_docs))
    if feedback.dense_docs > 0 and feedback.dense_weight > 0 and fused:
        with timed(timings, "feedback"):
            moved = rocchio(vector, vectors_of([h.id for h in fused[:feedback.dense_docs]]), feedback.dense_weight)
            fused = fuse(fusion, lexical, search_dense(moved), k)
    return fused[:k]


class HybridRetriever:
    def __init__(self, bm25: BM25Retriever, dense: DenseRetriever, fusion: FusionSettings,
                 feedback: FeedbackSettings | None = None):
        if dense.embedder is None:
            raise ValueError("HybridRetriever needs a DenseRetriever with an embedder")
        self.bm25, self.dense, self.fusion = bm25, dense, fusion
        self.feedback = feedback or FeedbackSettings()

    def fuse(self, lexical: list[Hit], semantic: list[Hit], k: int) -> list[Hit]:
        return fuse(self.fusion, lexical, semantic, k)

    def candidates(self, query: str, depth: int, timings: dict[str, float] | None = None,
                   vector: np.ndarray | None = None) -> tuple[list[Hit], list[Hit]]:
        """The BM25 (RM3-expanded when on) and dense candidate lists, before fusion.

        `vector` is the query's embedding when the caller already has it (the answer engine caches them).
        """
        if vector is None:
            with timed(timings, "embed"):
                vector = self.dense.embedder.encode_query(query)
        with timed(timings, "bm25"):
            lexical = self.bm25.search(query, depth)
            if self.feedback.rm3 and lexical:
                lexical = expand_lexical(self.bm25, query, lexical, self.feedback, depth)
        with timed(timings, "faiss"):
            semantic = self.dense.search_vector(vector, depth)
        return lexical, semantic

    def rank(self, query: str, k: int, timings: dict[str, float] | None = None,
             vector: np.ndarray | None = None) -> list[Hit]:
        """The fused ranking, with dense feedback applied when it is on."""
        if vector is None:
            with timed(timings, "embed"):
                vector = self.dense.embedder.encode_query(query)
        depth = max(k, self.fusion.depth)
        lexical, semantic = self.candidates(query, depth, timings, vector)
        return fuse_with_feedback(self.fusion, self.feedback, lexical, semantic, vector, k, self.dense.vectors,
                                  lambda v: self.dense.search_vector(v, depth), timings)

    def search(self, query: str, k: int, timings: dict[str, float] | None = None) -> list[Hit]:
        return self.rank(query, k, timings)
