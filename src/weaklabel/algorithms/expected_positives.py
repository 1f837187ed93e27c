"""The expected number of true labels per item, guessed from the observed positives of near neighbours."""

from __future__ import annotations

import numpy as np

from ..data.neighbors import NeighborIndex, drop_self

__all__ = ["estimate_expected_positives"]


def estimate_expected_positives(X: np.ndarray, Y: np.ndarray, seed: int, n_neighbors: int = 20, max_rows: int = 2000) -> float:
    """Guess the mean number of true positives per item from the observed positives of near neighbours.

    For up to ``max_rows`` items, ``q`` = the share of each label among the observed positives of
    the item and its ``n_neighbors`` nearest other items (exact Euclidean search on the scaled features,
    :class:`~weaklabel.data.neighbors.NeighborIndex`). If the neighbours share the item's label set S and
    each shows one of its labels at random (the single-positive protocol), ``q`` is uniform on S and the
    inverse Simpson index ``1 / sum_c q_c^2`` equals |S|; neighbours with other label sets bias it upward.
    The mean is clipped to ``[max(1, mean observed positives), L]``.
    """
    flat = X.reshape(len(X), -1)
    rng = np.random.default_rng(seed)
    rows = rng.choice(len(flat), size=min(max_rows, len(flat)), replace=False)
    k = min(n_neighbors, len(flat) - 1)
    index = NeighborIndex("euclidean", exact=True).fit(flat)
    _, others = drop_self(*index.query(flat[rows], k + 1), rows=rows)
    neighbours = np.concatenate([rows[:, None], others], axis=1)  # the item itself, then its k nearest others
    counts = Y[neighbours].sum(axis=1)
    q = counts / counts.sum(axis=1, keepdims=True)
    effective = 1.0 / (q**2).sum(axis=1)
    return float(np.clip(effective.mean(), max(1.0, float(Y.sum(axis=1).mean())), Y.shape[1]))
