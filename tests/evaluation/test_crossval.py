"""The cross-validation protocol: fixed, disjoint folds, and nothing reported on the fold it was tuned on."""

import numpy as np
import pytest

from bot.evaluation.crossval import DEFAULT, GRID, cross_validate, fold_of, grid
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
    a, b, default = GRID[1], GRID[2], DEFAULT
    scores = {s: {q: 0.5 for q in ids} for s in GRID}
    scores[a] = {q: 1.0 if fold_of(q) == 0 else 0.0 for q in ids}
    scores[b] = {q: 0.0 if fold_of(q) == 0 else 1.0 for q in ids}
    result = cross_validate(scores)
    by_fold = {c["reported_on_fold"]: c for c in result["choices"]}
    assert by_fold[0]["chosen_on_folds"] == [1] and by_fold[0]["setting"] == b.as_dict()
    assert by_fold[1]["chosen_on_folds"] == [0] and by_fold[1]["setting"] == a.as_dict()
    assert result["cross_validated_ndcg10"] == 0.0  # peeking would have scored 1.0
    assert result["default_ndcg10"] == 0.5 and default in GRID


def test_the_labelled_set_is_tuned_on_dev_and_reported_on_test_only():
    dev, test = [f"d{i}" for i in range(20)], [f"t{i}" for i in range(20)]
    fold = {**{q: 0 for q in dev}, **{q: 1 for q in test}}
    good_on_test, good_on_dev = GRID[3], GRID[4]
    scores = {s: {q: 0.5 for q in dev + test} for s in GRID}
    scores[good_on_test] = {q: 1.0 if q in test else 0.0 for q in dev + test}
    scores[good_on_dev] = {q: 0.6 if q in dev else 0.4 for q in dev + test}
    result = cross_validate(scores, fold=fold, report_on=(1,))
    [choice] = result["choices"]
    assert choice["chosen_on_folds"] == [0] and choice["reported_on_fold"] == 1
    assert choice["setting"] == good_on_dev.as_dict()  # never the setting that is best on test
    assert result["cross_validated_ndcg10"] == pytest.approx(0.4) and result["default_ndcg10"] == 0.5


def test_the_grid_starts_with_the_default_and_tries_windows_only_when_they_were_embedded():
    assert GRID[0] == DEFAULT and len(set(GRID)) == len(GRID)
    assert not any(s.windows for s in GRID)
    with_windows = grid(windows=True)
    assert with_windows[0] == DEFAULT and len(with_windows) == 2 * len(GRID)
    assert {s.windows for s in with_windows} == {False, True}


def test_ties_go_to_the_default():
    ids = [f"q{i}" for i in range(10)]
    scores = {s: {q: 0.5 for q in ids} for s in GRID}
    result = cross_validate(scores)
    assert all(c["setting"] == DEFAULT.as_dict() for c in result["choices"])


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


def test_a_gain_that_could_be_chance_keeps_the_default():
    ids = [f"q{i}" for i in range(60)]
    lucky = GRID[5]
    scores = {s: {q: 0.5 for q in ids} for s in GRID}
    # Better on average by 0.01 on each fold, but up on some queries and down on most: not significant.
    scores[lucky] = {q: 0.5 + (0.31 if i % 10 == 0 else -0.02) for i, q in enumerate(ids)}
    result = cross_validate(scores)
    for choice in result["choices"]:
        assert choice["best_on_tuning_fold"] == lucky.as_dict()
        assert not choice["significant"] and choice["setting"] == DEFAULT.as_dict()
    assert result["cross_validated_ndcg10"] == result["default_ndcg10"] == 0.5
    assert result["cross_validated_best_on_tuning_fold_ndcg10"] != 0.5
