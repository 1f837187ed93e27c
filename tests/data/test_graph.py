"""Neighbour-graph affinity and its spectral partition."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from weaklabel.data.graph import knn_affinity, spectral_partition
from weaklabel.data.neighbors import knn
from weaklabel.exceptions import InputError
from weaklabel.metrics import clustering_accuracy


def test_affinity_matches_dense_construction():
    neighbors = np.array([[1, 2], [0, 2], [3, 0], [2, 1]])
    dense = np.zeros((4, 4))
    for i, row in enumerate(neighbors):
        dense[i, row] = 1.0
    expected = (dense + dense.T) / 2
    np.testing.assert_array_equal(knn_affinity(neighbors).toarray(), expected)


def test_spectral_partition_recovers_separated_blobs():
    X, y = make_blobs(300, centers=3, cluster_std=0.5, random_state=0)
    _, neighbors = knn(X.astype(np.float32), 10)
    labels = spectral_partition(neighbors, 3, random_state=0)
    assert labels.shape == (300,) and set(labels.tolist()) == {0, 1, 2}
    assert clustering_accuracy(y, labels) == 1.0


def test_affinity_skips_missing_neighbours():
    """-1 marks a neighbour an approximate index did not find."""
    np.testing.assert_array_equal(knn_affinity(np.array([[1, -1], [0, -1], [-1, -1]])).toarray(), [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("neighbors, match", [(np.array([[0.5, 1.0]]), "integer"), (np.array([[1], [5]]), "outside"), (np.array([[1], [-2]]), "outside")])
def test_bad_neighbor_table(neighbors, match):
    with pytest.raises(InputError, match=match):
        knn_affinity(neighbors)
