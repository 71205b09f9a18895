"""Coverage decision on hand-made signals."""

import math

import pytest

from bot.answer.coverage import CoverageSignals, decide_coverage, known_term_share
from bot.config import CoverageSettings


def test_known_term_share_weights_words_by_rarity():
    idf = {"nudifi": 3.0, "school": 1.0}
    # "fgm" is unknown and weighs as much as the rarest known term (3.0): known share = 4 / 7.
    assert known_term_share(["nudifi", "school", "fgm"], idf) == pytest.approx(4 / 7)
    assert known_term_share(["school", "school"], idf) == 1.0
    assert known_term_share([], idf) == 0.0


@pytest.mark.parametrize("dense, known, expected", [
    (0.60, 0.10, True),   # close in meaning: answered whatever the words
    (0.35, 0.90, True),   # fairly close, and the library knows the words (e.g. a name it quotes)
    (0.35, 0.20, False),  # fairly close, but about things the library never mentions
    (0.20, 1.00, False),  # nothing close in meaning
])
def test_decide_coverage_needs_meaning_or_meaning_and_vocabulary(dense, known, expected):
    settings = CoverageSettings(min_dense_score=0.45, min_dense_with_terms=0.30, min_known_terms=0.42)
    assert decide_coverage(CoverageSignals(dense, known), settings) is expected
    assert not math.isnan(CoverageSignals(dense, known).as_dict()["best_dense"])
