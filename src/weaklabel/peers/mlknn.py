"""ML-kNN (Zhang & Zhou, "ML-KNN: A lazy learning approach to multi-label learning", Pattern Recognition 40(7),
2007): a label's posterior from how many of an item's k nearest training neighbours carry it.

For label ``l``, ``H1``/``H0`` = "the item has / lacks l" and ``E_j`` = "j of its k neighbours have l". From the
training set, each training item's neighbours found among the *other* training items:

    P(H1) = (s + Σ_i y_il) / (2s + m)
    P(E_j | H1) = (s + c1[j]) / (s (k + 1) + Σ_p c1[p]),   c1[j] = #{i : y_il = 1, C_il = j}

(and ``H0`` alike with ``c0``), ``s`` the Laplace smoothing (1 in the paper), ``m`` the training items and
``C_il`` the number of item i's k neighbours that have l. A new item with count ``C_l`` gets the score

    r_l = P(H1) P(E_{C_l} | H1) / (P(H1) P(E_{C_l} | H1) + P(H0) P(E_{C_l} | H0))

(``predict_proba``), and ``predict`` takes the maximum a posteriori decision, ``r_l > 1/2``. Neighbours are
Euclidean on the features as given (the paper's; :func:`weaklabel.data.neighbors.knn`, exact up to 50,000 rows).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin

from ..data.neighbors import NeighborIndex, knn
from ..data.validation import check_features
from ..exceptions import InputError, NotFittedError


class MLkNN(ClassifierMixin, BaseEstimator):
    """ML-kNN with ``k`` neighbours and smoothing ``s`` (the paper's k = 10, s = 1 by default).

    ``fit(X, Y)`` takes features ``(n, d)`` and a 0/1 label matrix ``(n, L)``; ``predict_proba`` gives the
    posterior ``r_l`` of the module docstring, ``predict`` the MAP label sets as a 0/1 matrix.
    """

    def __init__(self, k: int = 10, s: float = 1.0) -> None:
        self.k = k
        self.s = s

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.classifier_tags.multi_label = True
        tags.target_tags.multi_output = True
        return tags

    def fit(self, X: Any, Y: Any) -> MLkNN:
        """Count, per label, how often j of a training item's k neighbours share its label, for j = 0..k."""
        X = check_features(X)
        Y = _check_labels(Y, len(X))
        k, s = int(self.k), float(self.s)
        if k < 1 or k >= len(X):
            raise InputError(f"k must be in [1, {len(X) - 1}] (fewer than the training rows), got {self.k!r}")
        if not s > 0:
            raise InputError(f"s (the smoothing) must be > 0, got {self.s!r}")
        _, neighbours = knn(X, k)
        counts = Y[neighbours].sum(axis=1)  # (m, L): C_il
        self.prior_ = (s + Y.sum(axis=0)) / (2 * s + len(Y))
        self.likelihood_ = np.stack([_count_likelihood(counts, Y == b, k, s) for b in (0, 1)])  # (2, k + 1, L)
        self.index_ = NeighborIndex().fit(X)
        self.Y_ = Y
        self.n_features_in_ = X.shape[1]
        return self

    def _check_fitted(self) -> None:
        if not hasattr(self, "index_"):
            raise NotFittedError("This MLkNN instance is not fitted yet. Call 'fit' with appropriate arguments before using this estimator.")

    def predict_proba(self, X: Any) -> np.ndarray:
        """Posterior ``r_l`` of every label, ``(n, L)``."""
        self._check_fitted()
        X = check_features(X)
        if X.shape[1] != self.n_features_in_:
            raise InputError(f"X has {X.shape[1]} features but MLkNN was fitted with {self.n_features_in_}; use the same columns")
        _, neighbours = self.index_.query(X, int(self.k))
        counts = self.Y_[neighbours].sum(axis=1).astype(np.int64)  # (n, L)
        labels = np.arange(counts.shape[1])
        positive = self.prior_ * self.likelihood_[1][counts, labels]
        negative = (1 - self.prior_) * self.likelihood_[0][counts, labels]
        return positive / (positive + negative)

    def predict(self, X: Any) -> np.ndarray:
        """Maximum a posteriori label sets, a 0/1 matrix: label ``l`` where ``r_l > 1/2``."""
        return (self.predict_proba(X) > 0.5).astype(np.int64)


def _count_likelihood(counts: np.ndarray, has: np.ndarray, k: int, s: float) -> np.ndarray:
    """``P(E_j | H)`` for j = 0..k per label, ``(k + 1, L)``, from the training items with ``has`` (H true)."""
    n_labels = counts.shape[1]
    tally = np.zeros((k + 1, n_labels))
    for label in range(n_labels):
        tally[:, label] = np.bincount(counts[has[:, label], label], minlength=k + 1)
    return (s + tally) / (s * (k + 1) + tally.sum(axis=0))


def _check_labels(Y: Any, n: int) -> np.ndarray:
    Y = np.asarray(Y)
    if Y.ndim != 2 or len(Y) != n:
        raise InputError(f"Y must be a 0/1 matrix with one row per sample ({n}), got shape {Y.shape}")
    if not np.isin(Y, (0, 1)).all():
        raise InputError("Y must hold only 0/1 values; binarise it (e.g. (Y > 0).astype(int))")
    return Y.astype(np.int64)
