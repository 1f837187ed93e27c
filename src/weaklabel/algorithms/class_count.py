"""How many classes? An estimate from the BIC mixture and the neighbour graph (``n_classes="auto"``).

1. A Gaussian mixture with no class count in mind: the lowest BIC over ``M = 1 … max_classes`` components
   (spherical, diagonal and, where the rows allow, full covariances; :mod:`weaklabel.algorithms.mixture`).
2. If the lowest BIC is below the grid's end, the classes are the connected groups of the *component graph*
   ``W = Zᵀ A Z`` (:mod:`weaklabel.algorithms.graph_merge`) once weak links are dropped: components ``a`` and
   ``b`` stay linked when ``W_ab / min(vol_a, vol_b) ≥ link_share``, the share of the smaller component's
   neighbour-graph edges that reach the other. Gaussians that tile one class share many edges; two classes
   share few.
3. If the BIC wants the grid's largest count (no few-Gaussian structure), the count is the largest ratio
   ``λ_{K+1} / λ_K`` of consecutive eigenvalues of the neighbour graph's normalised Laplacian, ``K ≥ 2``.

:class:`ClassCountEvidence` keeps what the rule reads, so the rule can be evaluated for several thresholds
from one computation (as ``weaklabel bench self-supervised`` does, choosing the threshold by leaving each data
set out in turn); :func:`eigengap_count` is the classical eigengap heuristic (von Luxburg, "A tutorial on
spectral clustering", 2007) on the same eigenvalues.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.sparse.csgraph import connected_components, laplacian
from scipy.sparse.linalg import eigsh

from ..data.graph import knn_affinity
from ..data.neighbors import knn
from ..runtime.seeding import stream_seed
from .graph_merge import component_graph
from .mixture import covariance_types_for, sweep

#: the largest number of classes ``n_classes="auto"`` considers
MAX_AUTO_CLASSES = 15
#: the link share above which two components belong to one class
LINK_SHARE = 0.3
#: rows of the mixture sweep and of the neighbour graph (samples beyond)
AUTO_SWEEP_ROWS, AUTO_GRAPH_ROWS = 2_000, 20_000


@dataclass
class ClassCountEvidence:
    """The lowest-BIC component count, the component graph's link shares (M, M) and the neighbour graph's
    smallest ``max_classes + 1`` normalised-Laplacian eigenvalues (ascending)."""

    n_components: int
    max_classes: int
    link_shares: np.ndarray
    eigenvalues: np.ndarray

    def n_classes(self, link_share: float = LINK_SHARE) -> int:
        """The estimate of the module docstring (at least 2)."""
        if self.n_components < self.max_classes:
            linked = self.link_shares >= link_share
            return max(2, int(connected_components(linked, directed=False)[0]))
        return eigengap_count(self.eigenvalues, ratio=True)


def eigengap_count(eigenvalues: np.ndarray, ratio: bool = False) -> int:
    """The ``K ≥ 2`` of the largest gap ``λ_{K+1} − λ_K`` (or ratio ``λ_{K+1} / λ_K``) of ascending eigenvalues."""
    lam = np.asarray(eigenvalues, dtype=np.float64)
    ks = np.arange(2, len(lam))
    gaps = lam[ks] / np.maximum(lam[ks - 1], 1e-6) if ratio else lam[ks] - lam[ks - 1]
    return int(ks[np.argmax(gaps)])


def link_shares(W: np.ndarray) -> np.ndarray:
    """``W_ab / min(vol_a, vol_b)`` of a component graph ``W``."""
    volume = np.maximum(W.sum(axis=1), 1e-12)
    return W / np.minimum(volume[:, None], volume[None, :])


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    return np.arange(n) if n <= size else np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


def class_count_evidence(
    X: np.ndarray, seed: int, n_neighbors: int = 10, metric: str = "euclidean", exact: bool | None = None, max_classes: int = MAX_AUTO_CLASSES, reg_relative: float = 1e-4
) -> ClassCountEvidence:
    """Compute what :meth:`ClassCountEvidence.n_classes` reads from the rows ``X`` (scaled)."""
    X = np.asarray(X)
    n, d = X.shape
    max_classes = min(int(max_classes), n - 2)
    rows = X[_sample(n, AUTO_SWEEP_ROWS, stream_seed(seed, "class count rows"))].astype(np.float64)
    reg = max(reg_relative * float(np.mean(X.var(axis=0, dtype=np.float64))), 1e-12)
    candidates = []
    for M in range(1, max_classes + 1):
        candidates += sweep(rows, [M], covariance_types_for(n, d, max(M, 2)), reg, seed)
    best = min(candidates, key=lambda c: c.bic)
    graph_rows = X[_sample(n, AUTO_GRAPH_ROWS, stream_seed(seed, "class count graph rows"))]
    affinity = knn_affinity(knn(graph_rows, min(int(n_neighbors), len(graph_rows) - 1), metric=metric, exact=exact, random_state=seed)[1])
    W = component_graph(affinity, best.fit.mixture.predict(graph_rows), best.n_components)
    k = min(max_classes + 1, len(graph_rows) - 1)
    start = np.random.default_rng(seed).uniform(-1.0, 1.0, len(graph_rows))  # ARPACK's start, seeded
    eigenvalues = np.sort(eigsh(laplacian(affinity, normed=True), k=k, sigma=-1e-3, which="LM", v0=start, return_eigenvectors=False))
    return ClassCountEvidence(best.n_components, max_classes, link_shares(W), eigenvalues)
