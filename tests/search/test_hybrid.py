"""The hybrid retriever's feedback options run the same steps the benchmark protocol tunes."""

from dataclasses import replace

import numpy as np

from bot.config import FeedbackSettings, FusionSettings
from bot.search.feedback import rm3, rocchio
from bot.search.hybrid import HybridRetriever, fuse

QUESTION = "is an AI-generated nude of a pupil illegal?"


def test_with_feedback_off_the_ranking_is_the_plain_fusion(engine):
    index = engine.index
    retriever = HybridRetriever(index.bm25, index.dense, FusionSettings())
    lexical, semantic = retriever.candidates(QUESTION, 100)
    assert retriever.rank(QUESTION, 10) == fuse(FusionSettings(), lexical, semantic, 10)
    assert retriever.search(QUESTION, 10) == retriever.rank(QUESTION, 10)


def test_rocchio_searches_again_with_the_query_moved_towards_the_best_fused_passages(engine):
    index = engine.index
    feedback = FeedbackSettings(dense_docs=3, dense_weight=1.0)
    retriever = HybridRetriever(index.bm25, index.dense, FusionSettings(), feedback)
    vector = index.dense.embedder.encode_query(QUESTION)
    lexical, semantic = retriever.candidates(QUESTION, 100, vector=vector)
    first = fuse(FusionSettings(), lexical, semantic, 10)
    moved = rocchio(vector, index.dense.vectors([h.id for h in first[:3]]), 1.0)
    expected = fuse(FusionSettings(), lexical, index.dense.search_vector(moved, 100), 10)
    ranked = retriever.rank(QUESTION, 10, vector=vector)
    assert ranked == expected
    assert not np.allclose(moved, vector)


def test_rm3_expands_the_bm25_query_from_its_own_best_passages(engine):
    index = engine.index
    plain = HybridRetriever(index.bm25, index.dense, FusionSettings())
    expanded = HybridRetriever(index.bm25, index.dense, FusionSettings(), FeedbackSettings(rm3=True))
    first, _ = plain.candidates(QUESTION, 100)
    lexical, _ = expanded.candidates(QUESTION, 100)
    weights = rm3(index.bm25.analyzer(QUESTION), [(*index.bm25.document_terms(h.id), h.score) for h in first[:10]])
    assert lexical == index.bm25.search_terms(weights, 100)
    assert set(weights) - set(index.bm25.analyzer(QUESTION))  # terms the question never used
    assert lexical != first


def test_z_score_normalisation_is_a_fusion_option(engine):
    index = engine.index
    zscore = replace(FusionSettings(), normalisation="zscore")
    retriever = HybridRetriever(index.bm25, index.dense, zscore)
    lexical, semantic = retriever.candidates(QUESTION, 100)
    assert retriever.rank(QUESTION, 10) == fuse(zscore, lexical, semantic, 10)
