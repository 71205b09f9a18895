import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rank_bm25 import BM25Okapi

from bot.config import TokenizerSettings
from bot.search.analyzer import Analyzer
from bot.search.bm25 import BM25Retriever, LuceneIdfBM25

vocab = st.sampled_from(["image", "pupil", "school", "nude", "fake", "police", "report", "child", "app", "law"])


@pytest.mark.filterwarnings("ignore:invalid value encountered:RuntimeWarning")
@settings(max_examples=60, deadline=None)
@given(st.lists(st.lists(vocab, min_size=0, max_size=12), min_size=1, max_size=15),
       st.lists(vocab, min_size=1, max_size=5),
       st.sampled_from([(1.5, 0.75), (0.9, 0.4), (1.2, 1.0)]),
       st.sampled_from([("lucene", LuceneIdfBM25), ("okapi", BM25Okapi)]))
def test_sparse_scores_equal_rank_bm25(corpus, query, params, variant):
    k1, b = params
    idf, reference = variant
    ids = [f"p{i}" for i in range(len(corpus))]
    retriever = BM25Retriever(ids, corpus, str.split, k1=k1, b=b, idf=idf)
    if sum(len(d) for d in corpus) == 0:  # rank-bm25 itself cannot score this; nothing matches
        assert not retriever.scores(" ".join(query)).any()
        return
    # rank-bm25 divides 0 by 0 for an empty passage when b=1; such a passage scores 0 here.
    expected = np.nan_to_num(reference(corpus, k1=k1, b=b).get_scores(query), nan=0.0)
    np.testing.assert_allclose(retriever.scores(" ".join(query)), expected, rtol=1e-9, atol=1e-12)


def test_search_ranks_matching_passages_and_skips_the_rest():
    analyzer = Analyzer(TokenizerSettings())
    texts = ["Nudify apps make fake nude images.", "School term dates for 2025.", "Report fake images to the police."]
    retriever = BM25Retriever(["a", "b", "c"], [analyzer(t) for t in texts], analyzer)
    hits = retriever.search("fake nude image", 10)
    assert [h.id for h in hits] == ["a", "c"]
    assert [h.rank for h in hits] == [1, 2] and hits[0].score > hits[1].score > 0
    assert retriever.search("zebra", 10) == []


def test_empty_corpus_returns_nothing():
    retriever = BM25Retriever([], [], str.split)
    assert retriever.search("anything", 5) == []


def test_lucene_idf_keeps_common_words_useful_in_a_small_library():
    corpus = [["report", "image"], ["report", "police"]]
    assert BM25Okapi(corpus).get_scores(["report"]).max() <= 0  # rank-bm25's Okapi idf silences it
    assert BM25Retriever(["a", "b"], corpus, str.split).search("report", 2)  # Lucene idf does not


def test_the_fast_engine_ranks_and_scores_like_the_reference_one():
    from bot.search.bm25 import FastBM25Retriever

    words = st.sampled_from("report image pupil nude fake law police school staff share app child".split())

    @given(st.lists(st.lists(words, min_size=1, max_size=30), min_size=2, max_size=40),
           st.lists(words, min_size=1, max_size=5))
    @settings(max_examples=60, deadline=None)
    def same(corpus, query):
        ids = [f"p{i}" for i in range(len(corpus))]
        reference = BM25Retriever(ids, corpus, str.split, k1=0.9, b=0.4, idf="lucene")
        fast = FastBM25Retriever(ids, corpus, str.split, k1=0.9, b=0.4)
        text = " ".join(query)
        assert np.allclose(fast.scores(text), reference.scores(text), rtol=1e-5, atol=1e-6)
        assert [h.id for h in fast.search(text, 10)] == [h.id for h in reference.search(text, 10)] or \
            np.allclose(sorted(h.score for h in fast.search(text, 10)), sorted(h.score for h in reference.search(text, 10)),
                        rtol=1e-5)
        assert fast.idf == pytest.approx(reference.idf)

    same()
