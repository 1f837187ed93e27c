"""Binary relevance: one binary classifier per label (Tsoumakas, Katakis & Vlahavas 2010), for peers such as
per-label HistGradientBoosting that scikit-learn does not fit on a label matrix."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, clone

from ..exceptions import InputError


class BinaryRelevance(ClassifierMixin, BaseEstimator):
    """A clone of ``estimator`` per label, fitted on that label's 0/1 column.

    A label that is constant in the training data (all 0 or all 1) gets that constant as its probability,
    since a binary classifier cannot be fitted on one class.
    """

    def __init__(self, estimator: Any) -> None:
        self.estimator = estimator

    def fit(self, X: Any, Y: Any) -> BinaryRelevance:
        Y = np.asarray(Y)
        if Y.ndim != 2:
            raise InputError(f"Y must be a 0/1 matrix (n_samples, n_labels), got shape {Y.shape}")
        self.estimators_: list[Any] = []
        for label in range(Y.shape[1]):
            column = Y[:, label]
            constant = column.min() == column.max()
            self.estimators_.append(float(column[0]) if constant else clone(self.estimator).fit(X, column))
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """P(label) per label, ``(n, L)``."""
        n = len(X)
        return np.column_stack([np.full(n, e) if isinstance(e, float) else e.predict_proba(X)[:, 1] for e in self.estimators_])

    def predict(self, X: Any) -> np.ndarray:
        return (self.predict_proba(X) >= 0.5).astype(np.int64)
