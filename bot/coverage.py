"""Coverage: does the library answer the question, or should the reply say "not covered"?

A pure rule on the best dense similarity between the question and any passage. The threshold
is a setting, calibrated on the dev split of the labelled question set.
"""


def decide_coverage(best_dense_score: float, threshold: float) -> bool:
    """True when the closest passage is similar enough to count as an answer."""
    return best_dense_score >= threshold
