"""A linear classifier over question embeddings, as triage and intent both learn at start-up."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sklearn.linear_model import LogisticRegression


@dataclass(frozen=True)
class LinearClassifier:
    weights: np.ndarray
    intercept: float

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: np.ndarray, regularisation: float) -> LinearClassifier:
        """Logistic regression with classes weighted by their size (the example lists differ in length)."""
        model = LogisticRegression(C=regularisation, class_weight="balanced", max_iter=5000)
        model.fit(vectors, labels)
        return cls(model.coef_[0].astype(np.float64), float(model.intercept_[0]))

    def probability(self, vector: np.ndarray) -> float:
        """The logistic function of the learnt linear score, computed directly: scikit-learn's
        `predict_proba` checks its input on every call, which costs more than the arithmetic."""
        score = float(np.dot(self.weights, vector)) + self.intercept
        return float(1.0 / (1.0 + np.exp(-score)))
