"""Neighbour-graph affinity and its spectral partition."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs

from weaklabel.data.graph import knn_affinity, spectral_embedding_of, spectral_partitions
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


def test_spectral_partitions_recover_separated_blobs():
    X, y = make_blobs(300, centers=3, cluster_std=0.5, random_state=0)
    _, neighbors = knn(X.astype(np.float32), 10)
    labels = spectral_partitions(spectral_embedding_of(neighbors, 3), 3, n_partitions=4, random_state=0)
    assert labels.shape == (300, 4) and labels.dtype == np.int64
    for column in labels.T:
        assert set(column.tolist()) == {0, 1, 2} and clustering_accuracy(y, column) == 1.0


def test_spectral_partitions_differ_where_the_embedding_allows():
    """Overlapping blobs: k-means seeded per partition finds different discretisations."""
    X, _ = make_blobs(600, centers=10, cluster_std=1.5, random_state=1)
    _, neighbors = knn(X.astype(np.float32), 10)
    embedding = spectral_embedding_of(neighbors, 10)
    labels = spectral_partitions(embedding, 10, n_partitions=5, random_state=0)
    agreement = [clustering_accuracy(labels[:, 0], labels[:, p]) for p in range(1, 5)]
    assert min(agreement) < 1.0
    np.testing.assert_array_equal(labels, spectral_partitions(embedding, 10, n_partitions=5, random_state=0))


def test_partition_seeds_do_not_shift_with_random_state():
    """random_state 0 and 1 share no k-means seed (their partitions are not the same list shifted by one)."""
    X, _ = make_blobs(600, centers=10, cluster_std=1.5, random_state=1)
    embedding = spectral_embedding_of(knn(X.astype(np.float32), 10)[1], 10)
    first, second = (spectral_partitions(embedding, 10, n_partitions=5, random_state=r) for r in (0, 1))
    assert not all(np.array_equal(first[:, p + 1], second[:, p]) for p in range(4))


def test_affinity_skips_missing_neighbours():
    """-1 marks a neighbour an approximate index did not find."""
    np.testing.assert_array_equal(knn_affinity(np.array([[1, -1], [0, -1], [-1, -1]])).toarray(), [[0, 1, 0], [1, 0, 0], [0, 0, 0]])


@pytest.mark.parametrize("neighbors, match", [(np.array([[0.5, 1.0]]), "integer"), (np.array([[1], [5]]), "outside"), (np.array([[1], [-2]]), "outside")])
def test_bad_neighbor_table(neighbors, match):
    with pytest.raises(InputError, match=match):
        knn_affinity(neighbors)
