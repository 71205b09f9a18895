"""Dense retrieval: exact inner-product search over normalised embeddings in FAISS."""

from __future__ import annotations

from typing import Sequence

import faiss
import numpy as np

from bot.embed import Embedder
from bot.hits import Hit


def flat_index(vectors: np.ndarray) -> faiss.IndexFlatIP:
    """An exact index; collections here are small enough that approximate search buys nothing."""
    index = faiss.IndexFlatIP(vectors.shape[1])
    if len(vectors):
        index.add(np.ascontiguousarray(vectors, dtype=np.float32))
    return index


class DenseRetriever:
    """Nearest passages to the query embedding by cosine similarity."""

    def __init__(self, ids: Sequence[str], index: faiss.Index, embedder: Embedder | None):
        if index.ntotal != len(ids):
            raise ValueError(f"FAISS index holds {index.ntotal} vectors for {len(ids)} passages")
        self.ids = list(ids)
        self.index = index
        self.embedder = embedder

    def search_vector(self, vector: np.ndarray, k: int) -> list[Hit]:
        k = min(k, len(self.ids))
        if k <= 0:
            return []
        scores, rows = self.index.search(np.asarray(vector, dtype=np.float32).reshape(1, -1), k)
        return [Hit(self.ids[row], float(score), rank)
                for rank, (score, row) in enumerate(zip(scores[0], rows[0]), start=1) if row >= 0]

    def search(self, query: str, k: int) -> list[Hit]:
        if self.embedder is None:
            raise RuntimeError("this DenseRetriever has no embedder; use search_vector")
        return self.search_vector(self.embedder.encode_query(query), k)
