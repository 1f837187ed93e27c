"""The distance-weighted neighbour vote (weaklabel.algorithms.neighbor_vote) against scikit-learn's
KNeighborsClassifier(weights="distance")."""

import numpy as np
from sklearn.neighbors import KNeighborsClassifier

from weaklabel.algorithms.neighbor_vote import NeighborVote


def test_vote_matches_scikit_learn():
    rng = np.random.default_rng(0)
    rows = rng.normal(0, 1, (200, 4)).astype(np.float32)
    labels = rng.integers(0, 3, 200)
    queries = rng.normal(0, 1, (50, 4)).astype(np.float32)
    reference = KNeighborsClassifier(7, weights="distance", algorithm="brute").fit(rows, labels).predict_proba(queries)
    np.testing.assert_allclose(NeighborVote(rows, labels, 3, 7).predict_proba(queries), reference, rtol=1e-4, atol=1e-6)


def test_a_fitted_row_takes_its_own_class():
    """A query at distance 0 from a labelled row (itself) gets that row's class alone, as in scikit-learn."""
    rng = np.random.default_rng(1)
    rows = rng.normal(0, 1, (100, 2)).astype(np.float32)
    labels = rng.integers(0, 4, 100)  # random classes: the neighbours mostly disagree with each row
    proba = NeighborVote(rows, labels, 5, 10).predict_proba(rows)
    np.testing.assert_array_equal(proba.argmax(axis=1), labels)
    np.testing.assert_allclose(proba.max(axis=1), 1.0)
    assert proba.shape == (100, 5) and np.all(proba[:, 4] == 0)  # class 4 has no rows
