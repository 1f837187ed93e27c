"""The expected number of true labels per item, on its own, against a brute-force reference."""

import numpy as np

from weaklabel.algorithms.expected_positives import estimate_expected_positives


def _reference(X: np.ndarray, Y: np.ndarray, seed: int, n_neighbors: int = 20, max_rows: int = 2000) -> float:
    """The docstring's formula with an exact float64 search: the item and its ``n_neighbors`` nearest others."""
    rows = np.random.default_rng(seed).choice(len(X), size=min(max_rows, len(X)), replace=False)
    values = []
    for i in rows:
        dist = np.linalg.norm(X.astype(np.float64) - X[i], axis=1)
        dist[i] = np.inf
        group = np.concatenate([[i], np.argsort(dist, kind="stable")[:n_neighbors]])
        counts = Y[group].sum(axis=0)
        q = counts / counts.sum()
        values.append(1.0 / (q**2).sum())
    return float(np.clip(np.mean(values), max(1.0, Y.sum(axis=1).mean()), Y.shape[1]))


def test_matches_the_brute_force_reference():
    rng = np.random.default_rng(3)
    X = rng.normal(size=(300, 5)).astype(np.float32)
    Y = (rng.random((300, 6)) < 0.3).astype(np.float32)
    Y[Y.sum(axis=1) == 0, 0] = 1
    assert estimate_expected_positives(X, Y, seed=1, max_rows=100) == _reference(X, Y, seed=1, max_rows=100)


def test_recovers_the_label_set_size_when_neighbours_share_it():
    """Tight clusters, each with a label set of size 3, each item showing one of its labels at random."""
    rng = np.random.default_rng(0)
    centres = rng.normal(scale=100.0, size=(10, 4))
    X = np.repeat(centres, 60, axis=0) + rng.normal(size=(600, 4))
    sets = [rng.choice(12, size=3, replace=False) for _ in range(10)]
    Y = np.zeros((600, 12), dtype=np.float32)
    for i in range(600):
        Y[i, rng.choice(sets[i // 60])] = 1.0
    assert abs(estimate_expected_positives(X.astype(np.float32), Y, seed=0, n_neighbors=59) - 3.0) < 0.25
