"""Dense retrieval: exact inner-product search over normalised embeddings in FAISS."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cached_property

import faiss
import numpy as np

from bot.search.embedder import Embedder
from bot.search.hits import Hit

FLAT_UP_TO = 20_000  # exact search costs about 5 ms per query at 100k passages, 50 ms at 1M
HNSW_UP_TO = 300_000  # beyond this, building HNSW on two cores takes too long; IVF instead
HNSW_M, HNSW_EF_CONSTRUCTION, HNSW_EF_SEARCH = 32, 80, 96
IVF_PROBES = 48


def index_for(vectors: np.ndarray) -> tuple[faiss.Index, str]:
    """The FAISS index a collection of this size calls for, and a one-line description.

    Exact (flat) for a school's library and anything up to 20,000 passages; HNSW up to 300,000;
    IVF-flat beyond. Measured recall@10 against exact search: 0.991 (HNSW, 100k) and 0.985
    (IVF, 1M) in `python -m bot.bench.scale` (README, "Scale").
    """
    n, d = vectors.shape
    vectors = np.ascontiguousarray(vectors, dtype=np.float32)
    if n <= FLAT_UP_TO:
        return flat_index(vectors), "flat"
    if n <= HNSW_UP_TO:
        index = faiss.IndexHNSWFlat(d, HNSW_M, faiss.METRIC_INNER_PRODUCT)
        index.hnsw.efConstruction = HNSW_EF_CONSTRUCTION
        index.add(vectors)
        index.hnsw.efSearch = HNSW_EF_SEARCH
        return index, f"HNSW (M={HNSW_M}, efSearch={HNSW_EF_SEARCH})"
    nlist = int(2 * np.sqrt(n))
    index = faiss.IndexIVFFlat(faiss.IndexFlatIP(d), d, nlist, faiss.METRIC_INNER_PRODUCT)
    index.train(vectors[np.random.default_rng(0).choice(n, min(n, 32 * nlist), replace=False)])
    index.add(vectors)
    index.nprobe = IVF_PROBES
    return index, f"IVF-flat (nlist={nlist}, nprobe={IVF_PROBES})"


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

    @cached_property
    def _rows(self) -> dict[str, int]:
        # Only dense feedback looks passages up by id; start-up does not pay for it.
        return {pid: row for row, pid in enumerate(self.ids)}

    def vectors(self, ids: Sequence[str]) -> np.ndarray:
        """The stored embeddings of these passages (for dense feedback), read back from FAISS.

        Flat and HNSW indexes keep their vectors; an IVF index needs a direct map, made on first use.
        """
        rows = [self._rows[i] for i in ids if i in self._rows]
        if not rows:
            return np.zeros((0, self.index.d), dtype=np.float32)
        if isinstance(self.index, faiss.IndexIVF) and self.index.direct_map.type == faiss.DirectMap.NoMap:
            self.index.make_direct_map()
        return np.asarray(self.index.reconstruct_batch(np.asarray(rows, dtype=np.int64)), dtype=np.float32)

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
