"""Merging mixture components into classes by the normalised cut of the samples' neighbour graph.

A Gaussian mixture with more components than classes describes a class of any shape as several Gaussians;
which components belong together is read off the k-nearest-neighbour graph ``A`` of the samples
(:func:`weaklabel.data.graph.knn_affinity`). With ``Z`` the samples' one-hot components (n × M), the
*component graph* ``W = Zᵀ A Z`` (M × M) holds the graph's edge weight between every two components, and any
grouping of the components has the same normalised cut in ``W`` as the partition of the samples it induces in
``A`` (Shi & Malik, "Normalized cuts and image segmentation", TPAMI 2000):

    NCut = Σ_g cut(g, rest) / vol(g) = Σ_g (vol(g) − W(g, g)) / vol(g),   vol(g) = Σ_{a ∈ g} Σ_b W_ab.

:func:`merge_components` searches the groupings of M components into K classes for a low cut: the spectral
relaxation of the M × M problem (the top K eigenvectors of ``D^{-1/2} W D^{-1/2}``, rows scaled to unit length
as in Ng, Jordan & Weiss 2002) discretised by k-means from several seeds, each then improved by moving single
components between classes while the cut drops; the lowest cut that uses all K classes is kept.
"""

from __future__ import annotations

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans

from ..runtime.seeding import spawn_seeds

#: discretisations of the spectral relaxation (k-means seeds) tried by :func:`merge_components`
MERGE_STARTS = 20


def one_hot(labels: np.ndarray, n_groups: int) -> sparse.csr_matrix:
    """The (n, n_groups) indicator matrix of ``labels`` (ints in ``[0, n_groups)``)."""
    labels = np.asarray(labels)
    return sparse.csr_matrix((np.ones(len(labels)), (np.arange(len(labels)), labels)), shape=(len(labels), int(n_groups)))


def component_graph(affinity: sparse.spmatrix, labels: np.ndarray, n_components: int) -> np.ndarray:
    """``W = Zᵀ A Z``: the total edge weight of ``affinity`` between every two components of ``labels``, (M, M)."""
    Z = one_hot(labels, n_components)
    return np.asarray((Z.T @ affinity @ Z).todense())


def normalized_cut(W: np.ndarray, groups: np.ndarray) -> float:
    """``Σ_g (vol(g) − W(g, g)) / vol(g)`` of the grouping ``groups`` (M,) of the nodes of the symmetric graph ``W``
    (groups without volume count 0)."""
    G = one_hot(groups, int(np.max(groups)) + 1).toarray()
    volume = G.T @ W.sum(axis=1)
    within = np.einsum("ag,ab,bg->g", G, W, G)
    used = volume > 0
    return float(np.sum((volume[used] - within[used]) / volume[used]))


def partition_ncut(affinity: sparse.spmatrix, labels: np.ndarray) -> float:
    """The normalised cut of a partition ``labels`` (n,) of the samples of ``affinity``."""
    _, codes = np.unique(labels, return_inverse=True)
    n_groups = int(codes.max()) + 1
    return normalized_cut(component_graph(affinity, codes, n_groups), np.arange(n_groups))


def spectral_rows(W: np.ndarray, n_classes: int) -> np.ndarray:
    """The top ``n_classes`` eigenvectors of ``D^{-1/2} W D^{-1/2}`` scaled back by ``D^{-1/2}``, rows of unit
    length: the relaxed normalised-cut embedding of the nodes of ``W``, (M, n_classes)."""
    inv_sqrt = 1.0 / np.sqrt(np.maximum(W.sum(axis=1), 1e-12))
    _, vectors = np.linalg.eigh(inv_sqrt[:, None] * W * inv_sqrt[None, :])
    rows = vectors[:, -int(n_classes) :] * inv_sqrt[:, None]
    return rows / np.maximum(np.linalg.norm(rows, axis=1, keepdims=True), 1e-12)


def improve_by_moves(W: np.ndarray, groups: np.ndarray, n_classes: int) -> np.ndarray:
    """Move single nodes to another group while that lowers the normalised cut (never emptying a group); a local
    optimum of the cut reachable from ``groups``."""
    groups = np.array(groups)
    current = normalized_cut(W, groups)
    improved = True
    while improved:
        improved = False
        for node in range(len(W)):
            if np.count_nonzero(groups == groups[node]) == 1:
                continue
            home = groups[node]
            for group in range(int(n_classes)):
                if group == home:
                    continue
                groups[node] = group
                cut = normalized_cut(W, groups)
                if cut < current - 1e-12:
                    current, home, improved = cut, group, True
            groups[node] = home
    return groups


def merge_components(W: np.ndarray, n_classes: int, seed: int = 0, n_starts: int = MERGE_STARTS) -> np.ndarray:
    """The class (0 … n_classes−1) of each of the M nodes of the component graph ``W`` with the lowest normalised
    cut found (see the module docstring); the identity when ``M ≤ n_classes``."""
    W = np.asarray(W, dtype=np.float64)
    M, K = len(W), int(n_classes)
    if M <= K:
        return np.arange(M)
    rows = spectral_rows(W, K)
    best, best_cut = None, np.inf
    for start_seed in spawn_seeds(seed, n_starts):
        groups = improve_by_moves(W, KMeans(K, n_init=1, random_state=start_seed).fit_predict(rows), K)
        cut = normalized_cut(W, groups)
        if len(np.unique(groups)) == K and cut < best_cut:
            best, best_cut = groups, cut
    if best is None:  # every discretisation left a class empty: spread the nodes over all classes by the cut alone
        best = improve_by_moves(W, np.arange(M) % K, K)
    return np.unique(best, return_inverse=True)[1]
