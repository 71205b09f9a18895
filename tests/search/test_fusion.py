import pytest

from bot.search.fusion import fuse_rrf, fuse_weighted, max_pool, min_max
from bot.search.hits import Hit


def hits(*pairs):
    return [Hit(i, s, r) for r, (i, s) in enumerate(pairs, start=1)]


def test_rrf_matches_a_hand_computed_example():
    bm25 = hits(("a", 9.0), ("b", 5.0), ("c", 1.0))
    dense = hits(("c", 0.9), ("a", 0.8))
    fused = fuse_rrf([bm25, dense], k=60, limit=10)
    expected = {"a": 1 / 61 + 1 / 62, "b": 1 / 62, "c": 1 / 63 + 1 / 61}
    assert [h.id for h in fused] == ["a", "c", "b"]
    for hit in fused:
        assert hit.score == pytest.approx(expected[hit.id])
    assert [h.rank for h in fused] == [1, 2, 3]


def test_weighted_fusion_uses_min_max_normalised_scores():
    bm25 = hits(("a", 10.0), ("b", 6.0), ("c", 2.0))
    dense = hits(("b", 0.9), ("c", 0.5))
    assert min_max(bm25) == {"a": 1.0, "b": 0.5, "c": 0.0}
    fused = fuse_weighted([bm25, dense], [0.4, 0.6], limit=2)
    # a: 0.4*1 + 0 = 0.4; b: 0.4*0.5 + 0.6*1 = 0.8; c: 0 + 0.6*0 = 0
    assert [(h.id, round(h.score, 6)) for h in fused] == [("b", 0.8), ("a", 0.4)]


def test_ties_are_broken_by_id_so_runs_are_reproducible():
    fused = fuse_rrf([hits(("b", 1.0)), hits(("a", 1.0))], k=60, limit=5)
    assert [h.id for h in fused] == ["a", "b"]


def test_max_pool_scores_a_document_by_its_best_passage():
    passage_hits = hits(("d1#2", 0.9), ("d2#1", 0.7), ("d1#1", 0.6))
    pooled = max_pool(passage_hits, {"d1#1": "d1", "d1#2": "d1", "d2#1": "d2"}, limit=10)
    assert [(h.id, h.score, h.rank) for h in pooled] == [("d1", 0.9, 1), ("d2", 0.7, 2)]


def test_a_bm25_floor_of_zero_keeps_weak_matches_weak():
    # Normalised from the list minimum, the weakest BM25 candidate would fall to 0 and the
    # middle one would look half as good as the best; from BM25's natural zero it keeps 7/8.
    bm25 = hits(("a", 8.0), ("b", 7.0), ("c", 6.0))
    assert min_max(bm25, floor=0.0) == {"a": 1.0, "b": 0.875, "c": 0.75}
    dense = hits(("c", 0.9), ("b", 0.6), ("a", 0.1))
    # dense min-max: c 1, b 0.625, a 0. From the BM25 minimum c (the best dense match and a
    # decent BM25 one) ranks last, tied with a; from BM25's zero it ranks first.
    by_min = fuse_weighted([bm25, dense], [0.5, 0.5], limit=3)
    by_zero = fuse_weighted([bm25, dense], [0.5, 0.5], limit=3, floors=[0.0, None])
    assert [(h.id, round(h.score, 4)) for h in by_min] == [("b", 0.5625), ("a", 0.5), ("c", 0.5)]
    assert [(h.id, round(h.score, 4)) for h in by_zero] == [("c", 0.875), ("b", 0.75), ("a", 0.5)]


def test_weighted_fusion_needs_one_floor_per_list():
    with pytest.raises(ValueError):
        fuse_weighted([hits(("a", 1.0))], [1.0], floors=[0.0, None])


def test_z_score_fusion_matches_a_hand_computed_example():
    bm25 = hits(("a", 6.0), ("b", 2.0))  # mean 4, spread 2: z = 1, -1; a missing document scores as 0 -> -2
    dense = hits(("b", 0.9), ("c", 0.5), ("d", 0.1))  # mean 0.5, spread sqrt(0.32/3); missing: the minimum
    spread = (0.32 / 3) ** 0.5
    fused = fuse_weighted([bm25, dense], [0.5, 0.5], limit=4, floors=[0.0, None], normalisation="zscore")
    expected = {"a": 0.5 * 1 + 0.5 * (-0.4 / spread), "b": 0.5 * -1 + 0.5 * (0.4 / spread),
                "c": 0.5 * -2 + 0.0, "d": 0.5 * -2 + 0.5 * (-0.4 / spread)}
    assert {h.id: pytest.approx(h.score) for h in fused} == {k: pytest.approx(v) for k, v in expected.items()}
    assert [h.id for h in fused] == sorted(expected, key=lambda k: -expected[k])


def test_z_scores_of_equal_scores_are_zero_and_an_unknown_normalisation_is_refused():
    fused = fuse_weighted([hits(("a", 1.0), ("b", 1.0))], [1.0], normalisation="zscore")
    assert [h.score for h in fused] == [0.0, 0.0]
    with pytest.raises(ValueError, match="normalisation"):
        fuse_weighted([hits(("a", 1.0))], [1.0], normalisation="softmax")
