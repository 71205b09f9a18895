"""Lexical retrieval: Okapi BM25 from rank-bm25, scored through a sparse matrix.

rank-bm25 computes the collection statistics (idf, document lengths);
its `get_scores` walks every document in Python for every query term, which is too slow for
benchmark collections. The same formula is therefore precomputed once into a sparse
passage-by-term weight matrix, and a query is one sparse product. Scores are identical to
rank-bm25's `get_scores` (tested).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Sequence

import numpy as np
from rank_bm25 import BM25Okapi
from scipy import sparse

from bot.search.hits import Hit


class LuceneIdfBM25(BM25Okapi):
    """BM25Okapi with Lucene's idf, log(1 + (N - n + 0.5) / (n + 0.5)).

    rank-bm25's own Okapi idf is zero or negative for any term in half the passages or more,
    which in a small library (a school's handful of documents) silences most words; Lucene's
    never goes below zero, and is the variant behind the published Pyserini BM25 figures.
    """

    def _calc_idf(self, nd):
        for word, freq in nd.items():
            self.idf[word] = math.log(1 + (self.corpus_size - freq + 0.5) / (freq + 0.5))


IDF_VARIANTS = {"lucene": LuceneIdfBM25, "okapi": BM25Okapi}


class BM25Retriever:
    """Okapi BM25 over a fixed list of tokenized passages."""

    def __init__(self, ids: Sequence[str], tokens: Sequence[list[str]], analyzer: Callable[[str], list[str]],
                 k1: float = 0.9, b: float = 0.4, idf: str = "lucene"):
        if len(ids) != len(tokens):
            raise ValueError("ids and tokens must have the same length")
        self.ids = list(ids)
        self.analyzer = analyzer
        self.k1, self.b = k1, b
        corpus = [list(t) for t in tokens]
        # rank-bm25 cannot score a collection without a single term; nothing can match then.
        self.model = IDF_VARIANTS[idf](corpus, k1=k1, b=b) if any(corpus) else None
        self.vocabulary = {term: i for i, term in enumerate(sorted(self.model.idf))} if self.model else {}
        self.weights = self._weight_matrix(len(self.ids))
        self._rows = {pid: i for i, pid in enumerate(self.ids)}

    def _weight_matrix(self, n_docs: int) -> sparse.csc_matrix:
        model = self.model
        rows, cols, vals = [], [], []
        if model is None:
            return sparse.csc_matrix((n_docs, 1), dtype=np.float64)
        avgdl = model.avgdl or 1.0
        for doc, freqs in enumerate(model.doc_freqs[:n_docs]):
            norm = self.k1 * (1 - self.b + self.b * model.doc_len[doc] / avgdl)
            for term, tf in freqs.items():
                rows.append(doc)
                cols.append(self.vocabulary[term])
                vals.append(model.idf[term] * tf * (self.k1 + 1) / (tf + norm))
        return sparse.csc_matrix((vals, (rows, cols)), shape=(n_docs, max(len(self.vocabulary), 1)),
                                 dtype=np.float64)

    @property
    def idf(self) -> dict[str, float]:
        """Term -> idf over this collection (empty when nothing is indexed)."""
        return self.model.idf if self.model else {}

    def scores(self, query: str) -> np.ndarray:
        """BM25 score of every passage for `query` (query terms counted with repetition)."""
        counts = Counter(t for t in self.analyzer(query) if t in self.vocabulary)
        if not counts or not self.ids:
            return np.zeros(len(self.ids))
        cols = [self.vocabulary[t] for t in counts]
        weights = np.fromiter(counts.values(), dtype=np.float64, count=len(counts))
        return np.asarray(self.weights[:, cols] @ weights).ravel()

    def scores_for_terms(self, weights: dict[str, float]) -> np.ndarray:
        """BM25 scores for a weighted bag of analysed terms (an expanded query, such as RM3's)."""
        known = {t: w for t, w in weights.items() if t in self.vocabulary and w > 0}
        if not known or not self.ids:
            return np.zeros(len(self.ids))
        cols = [self.vocabulary[t] for t in known]
        return np.asarray(self.weights[:, cols] @ np.fromiter(known.values(), dtype=np.float64)).ravel()

    def document_terms(self, passage_id: str) -> tuple[dict[str, int], int]:
        """A passage's term counts and length, for relevance feedback."""
        row = self._rows[passage_id]
        return self.model.doc_freqs[row], self.model.doc_len[row]

    def search(self, query: str, k: int) -> list[Hit]:
        """Top `k` passages that share at least one term with the query."""
        return self._top(self.scores(query), k)

    def search_terms(self, weights: dict[str, float], k: int) -> list[Hit]:
        return self._top(self.scores_for_terms(weights), k)

    def _top(self, scores: np.ndarray, k: int) -> list[Hit]:
        candidates = np.flatnonzero(scores > 0)
        if candidates.size > k:
            candidates = candidates[np.argpartition(-scores[candidates], k - 1)[:k]]
        order = sorted(candidates, key=lambda i: (-scores[i], self.ids[i]))
        return [Hit(self.ids[i], float(scores[i]), rank) for rank, i in enumerate(order, start=1)]


class FastBM25Retriever:
    """The same BM25 (Lucene idf, same k1 and b, same analyser) computed by bm25s.

    Building rank-bm25's statistics walks every passage in Python and keeps a dict per passage,
    which takes minutes and gigabytes at a million passages; bm25s builds a sparse score matrix
    in numpy. Its "lucene" scores leave out BM25's constant (k1 + 1) factor; they are multiplied
    back so both engines give the same numbers (tested), and rankings are identical.
    """

    def __init__(self, ids: Sequence[str], tokens: Sequence[list[str]], analyzer: Callable[[str], list[str]],
                 k1: float = 0.9, b: float = 0.4):
        import bm25s

        if len(ids) != len(tokens):
            raise ValueError("ids and tokens must have the same length")
        self.ids = list(ids)
        self.analyzer = analyzer
        self.k1, self.b = k1, b
        self.model = bm25s.BM25(k1=k1, b=b, method="lucene")
        self.model.index([list(t) for t in tokens], show_progress=False)
        self.vocabulary = {t: i for t, i in self.model.vocab_dict.items() if t}
        df = np.diff(self.model.scores["indptr"])
        n = len(self.ids)
        self._idf = {t: math.log(1 + (n - df[i] + 0.5) / (df[i] + 0.5)) for t, i in self.vocabulary.items()}

    @property
    def idf(self) -> dict[str, float]:
        return self._idf

    def scores(self, query: str) -> np.ndarray:
        terms = [t for t in self.analyzer(query) if t in self.vocabulary]  # repeats count, as in BM25Retriever
        if not terms or not self.ids:
            return np.zeros(len(self.ids))
        return np.asarray(self.model.get_scores(terms), dtype=np.float64) * (self.k1 + 1)

    search = BM25Retriever.search
    _top = BM25Retriever._top
