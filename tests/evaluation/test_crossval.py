"""The cross-validation protocol: fixed, disjoint folds, and nothing reported on the fold it was tuned on."""

import numpy as np

from bot.evaluation.crossval import DEFAULT, GRID, Setting, cross_validate, fold_of
from bot.search.feedback import rocchio


def test_folds_are_fixed_by_query_id_and_disjoint():
    ids = [f"q{i}" for i in range(200)]
    folds = [fold_of(q) for q in ids]
    assert folds == [fold_of(q) for q in reversed(ids)][::-1]  # the order of queries never matters
    assert fold_of("q7") == fold_of("q7") and set(folds) == {0, 1}
    zero, one = {q for q in ids if fold_of(q) == 0}, {q for q in ids if fold_of(q) == 1}
    assert zero and one and not zero & one and zero | one == set(ids)


def test_a_setting_is_never_chosen_on_the_fold_it_is_reported_on():
    ids = [f"q{i}" for i in range(40)]
    # Setting A is perfect on fold 0 and useless on fold 1; setting B the reverse; the default middling.
    a, b, default = GRID[1], GRID[2], Setting(*DEFAULT)
    scores = {s: {q: 0.5 for q in ids} for s in GRID}
    scores[a] = {q: 1.0 if fold_of(q) == 0 else 0.0 for q in ids}
    scores[b] = {q: 0.0 if fold_of(q) == 0 else 1.0 for q in ids}
    result = cross_validate(scores)
    by_fold = {c["reported_on_fold"]: c for c in result["choices"]}
    assert by_fold[0]["chosen_on_folds"] == [1] and by_fold[0]["setting"] == b.as_dict()
    assert by_fold[1]["chosen_on_folds"] == [0] and by_fold[1]["setting"] == a.as_dict()
    assert result["cross_validated_ndcg10"] == 0.0  # peeking would have scored 1.0
    assert result["default_ndcg10"] == 0.5 and default in GRID


def test_rocchio_moves_the_query_towards_the_feedback_and_stays_normalised():
    q = np.array([1.0, 0.0], dtype=np.float32)
    docs = np.array([[0.0, 1.0]], dtype=np.float32)
    moved = rocchio(q, docs, 1.0)
    assert np.isclose(np.linalg.norm(moved), 1.0) and moved[1] > 0
    assert rocchio(q, docs, 0.0) is q and rocchio(q, docs[:0], 1.0) is q


def test_rm3_keeps_the_query_and_adds_the_feedback_documents_commonest_terms():
    from bot.search.feedback import rm3

    feedback = [({"sextort": 3, "blackmail": 2, "school": 1}, 6, 2.0), ({"sextort": 1, "money": 1}, 2, 1.0)]
    mixed = rm3(["sextort", "pupil"], feedback, terms=2, original_weight=0.5)
    assert set(mixed) == {"sextort", "pupil", "blackmail"}  # the two heaviest feedback terms, plus the query
    assert abs(sum(mixed.values()) - 1.0) < 1e-9
    assert mixed["sextort"] > mixed["pupil"] == 0.25
    assert rm3(["a"], [], 10, 0.5) == {"a": 1.0} and rm3([], feedback) == {}
