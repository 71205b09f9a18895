"""Dense search: the FAISS index type follows the collection's size and survives a write and read."""

import faiss
import numpy as np
import pytest

import bot.search.dense as dense
from bot.search.dense import DenseRetriever, index_for


@pytest.mark.parametrize("n, kind", [(50, "flat"), (800, "HNSW"), (5000, "IVF-flat")])
def test_index_type_follows_size_and_finds_a_stored_vector(tmp_path, monkeypatch, n, kind):
    monkeypatch.setattr(dense, "FLAT_UP_TO", 100)
    monkeypatch.setattr(dense, "HNSW_UP_TO", 1000)
    rng = np.random.default_rng(0)
    vectors = rng.normal(size=(n, 32)).astype(np.float32)
    faiss.normalize_L2(vectors)
    index, described = index_for(vectors)
    assert described.startswith(kind)
    faiss.write_index(index, str(tmp_path / "dense.faiss"))
    retriever = DenseRetriever([f"p{i}" for i in range(n)], faiss.read_index(str(tmp_path / "dense.faiss")), None)
    for i in (0, n // 2, n - 1):
        top = retriever.search_vector(vectors[i], 5)
        assert top[0].id == f"p{i}" and top[0].score == pytest.approx(1.0, abs=1e-5)


@pytest.mark.parametrize("n, kind", [(50, "flat"), (800, "HNSW"), (5000, "IVF-flat")])
def test_stored_vectors_are_read_back_for_feedback(monkeypatch, n, kind):
    monkeypatch.setattr(dense, "FLAT_UP_TO", 100)
    monkeypatch.setattr(dense, "HNSW_UP_TO", 1000)
    vectors = np.random.default_rng(1).normal(size=(n, 16)).astype(np.float32)
    index, described = index_for(vectors)
    assert described.startswith(kind)
    retriever = DenseRetriever([f"p{i}" for i in range(n)], index, None)
    assert np.allclose(retriever.vectors(["p3", "p1", "unknown"]), vectors[[3, 1]], atol=1e-6)
    assert retriever.vectors([]).shape == (0, 16)
