"""Merging mixture components by the normalised cut (weaklabel.algorithms.graph_merge) against brute force:
the cut of a dense sample graph computed edge by edge, and the best grouping found by trying them all."""

import itertools

import numpy as np
from scipy import sparse

from weaklabel.algorithms.graph_merge import component_graph, merge_components, normalized_cut, partition_ncut


def _ncut_by_edges(A: np.ndarray, labels: np.ndarray) -> float:
    """Σ_g cut(g, rest) / vol(g), summing the edges of the dense graph one by one."""
    total = 0.0
    for g in np.unique(labels):
        inside = labels == g
        cut = sum(A[i, j] for i in np.flatnonzero(inside) for j in np.flatnonzero(~inside))
        total += cut / A[inside].sum()
    return total


def _random_graph(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    A = rng.uniform(0, 1, (n, n)) * (rng.uniform(0, 1, (n, n)) < 0.3)
    A = (A + A.T) / 2
    np.fill_diagonal(A, 0.0)
    return A


def test_the_component_graphs_cut_is_the_samples_cut():
    """Any grouping of components has, in W = Zᵀ A Z, the normalised cut of the sample partition it induces."""
    A = _random_graph(40, 0)
    components = np.random.default_rng(1).integers(0, 6, 40)
    W = component_graph(sparse.csr_matrix(A), components, 6)
    np.testing.assert_allclose(W, [[A[np.ix_(components == a, components == b)].sum() for b in range(6)] for a in range(6)])
    groups = np.array([0, 1, 0, 2, 1, 2])
    np.testing.assert_allclose(normalized_cut(W, groups), _ncut_by_edges(A, groups[components]), rtol=1e-12)
    np.testing.assert_allclose(partition_ncut(sparse.csr_matrix(A), groups[components] * 7 + 3), _ncut_by_edges(A, groups[components]), rtol=1e-12)


def _brute_force(W: np.ndarray, K: int) -> float:
    cuts = [normalized_cut(W, np.array(g)) for g in itertools.product(range(K), repeat=len(W)) if len(set(g)) == K]
    return min(cuts)


def test_merge_finds_the_lowest_cut_of_every_grouping():
    """Seven components from three groups of a noisy block graph: the merge reaches the brute-force optimum
    over all 3⁷ groupings that use every class, on five random graphs."""
    truth = np.array([0, 0, 1, 1, 1, 2, 2])
    for seed in range(5):
        rng = np.random.default_rng(seed)
        W = rng.uniform(0, 1, (7, 7)) + 6.0 * (truth[:, None] == truth[None, :])
        W = (W + W.T) / 2
        groups = merge_components(W, 3, seed=seed)
        assert sorted(np.unique(groups)) == [0, 1, 2]
        assert normalized_cut(W, groups) <= _brute_force(W, 3) + 1e-12


def test_merge_is_the_identity_when_there_are_no_more_components_than_classes():
    np.testing.assert_array_equal(merge_components(np.ones((3, 3)), 3), [0, 1, 2])
