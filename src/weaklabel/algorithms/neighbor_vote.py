"""Carrying classes from labelled rows to new ones: a distance-weighted vote of the nearest labelled rows.

Each query row's class probabilities are the shares of its ``k`` nearest labelled rows' classes, each neighbour
weighted by ``1 / distance``; a query with labelled rows at distance 0 (itself, or exact copies) takes their
classes alone (as scikit-learn's ``KNeighborsClassifier(weights="distance")``). The search is the project's
faiss index (:class:`weaklabel.data.neighbors.NeighborIndex`), exact up to its row limit.
"""

from __future__ import annotations

import numpy as np

from ..data.neighbors import NeighborIndex


class NeighborVote:
    """The vote of the ``n_neighbors`` nearest of ``rows`` (float32, (n, d)), labelled ``labels`` in
    ``0 … n_classes−1``, in ``metric`` (``"euclidean"`` or ``"cosine"``)."""

    def __init__(self, rows: np.ndarray, labels: np.ndarray, n_classes: int, n_neighbors: int, metric: str = "euclidean") -> None:
        self.rows = np.ascontiguousarray(rows, dtype=np.float32)
        self.labels = np.asarray(labels, dtype=np.int64)
        self.n_classes, self.n_neighbors, self.metric = int(n_classes), int(n_neighbors), metric
        self._index: NeighborIndex | None = None

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (m, n_classes) of the rows of ``X``; rows sum to 1."""
        if self._index is None:
            self._index = NeighborIndex(self.metric).fit(self.rows)
        k = min(self.n_neighbors, len(self.rows))
        distances, indices = self._index.query(X, k)
        found = indices >= 0
        exact = (distances <= 0) & found
        weights = np.where(exact.any(axis=1, keepdims=True), exact, np.where(found, 1.0 / np.maximum(distances, 1e-30), 0.0))
        classes = self.labels[np.where(found, indices, 0)]
        proba = np.zeros((len(X), self.n_classes))
        rows = np.arange(len(X))
        for j in range(k):  # one neighbour per row at a time: no row repeats within an assignment
            proba[rows, classes[:, j]] += weights[:, j]
        return proba / proba.sum(axis=1, keepdims=True)
