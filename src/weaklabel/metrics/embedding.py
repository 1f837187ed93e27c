"""Embedding quality: are the classes tight clusters far from each other?

* :func:`precision_at_1` and :func:`map_at_r` -- retrieval with every sample
  as the query and all the others as the database, by exact nearest-neighbour
  search (:func:`weaklabel.data.neighbors.knn` with ``exact=True``, faiss
  ``IndexFlatL2`` / ``IndexFlatIP``);
* :func:`kmeans_nmi` -- NMI between the classes and k-means clusters of the embeddings;
* :func:`distance_overlap` -- how much the distances of same-class pairs and
  of different-class pairs overlap (0 = perfectly separated, 1 = identical).

``distance`` is ``"euclidean"`` or ``"cosine"`` (rows L2-normalised first,
distance ``1 − cos``). Queries whose class has no other sample are left out
of the retrieval scores (they have nothing to retrieve).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..data.distances import DISTANCES, check_distance, normalise_rows
from ..data.neighbors import knn
from ..exceptions import InputError
from .clustering import _check_labels

__all__ = [
    "DISTANCES",
    "distance_overlap",
    "embedding_report",
    "kmeans_nmi",
    "map_at_r",
    "pair_distances",
    "precision_at_1",
]

def _check(embeddings: Any, labels: Any, distance: str) -> tuple[np.ndarray, np.ndarray]:
    check_distance(distance)
    E = np.asarray(embeddings, dtype=np.float32)
    if E.ndim != 2 or E.shape[0] < 2 or E.shape[1] < 1:
        raise InputError(f"embeddings must be a 2-D array (n_samples ≥ 2, dim ≥ 1); got shape {E.shape}")
    if not np.isfinite(E).all():
        raise InputError("embeddings contain NaN or inf; check the model that produced them")
    y = _check_labels(labels, "labels")
    if len(y) != len(E):
        raise InputError(f"{len(E)} embeddings but {len(y)} labels; give one label per embedding")
    _, codes = np.unique(y, return_inverse=True)
    return E, codes.ravel()


def _retrieval_hits(E: np.ndarray, y: np.ndarray, distance: str) -> tuple[np.ndarray, np.ndarray]:
    """``(hits, R)``: for queries with ``R ≥ 1`` same-class others, the 0/1 relevance of their ``max R`` nearest neighbours."""
    R = np.bincount(y)[y] - 1
    queries = R >= 1
    if not queries.any():
        raise InputError("no class has 2 or more samples; retrieval scores are undefined")
    _, neighbours = knn(E, int(R.max()), metric=distance, exact=True)
    hits = y[neighbours] == y[:, None]
    return hits[queries], R[queries]


def precision_at_1(embeddings: Any, labels: Any, distance: str = "euclidean") -> float:
    """Share of queries whose nearest other sample has the same label."""
    E, y = _check(embeddings, labels, distance)
    hits, _ = _retrieval_hits(E, y, distance)
    return float(hits[:, 0].mean())


def map_at_r(embeddings: Any, labels: Any, distance: str = "euclidean") -> float:
    """MAP@R (Musgrave, Belongie & Lim, "A Metric Learning Reality Check", ECCV 2020).

    For a query with ``R`` other samples of its class, retrieve its ``R``
    nearest neighbours; ``AP@R = (1/R) Σ_{i=1}^{R} P(i) · rel(i)``, with
    ``P(i)`` the precision among the first ``i`` and ``rel(i) = 1`` when the
    ``i``-th is of the query's class. MAP@R is the mean over queries. It is
    1 only when every class's samples are each other's nearest neighbours.
    """
    E, y = _check(embeddings, labels, distance)
    hits, R = _retrieval_hits(E, y, distance)
    ranks = np.arange(1, hits.shape[1] + 1)
    within = ranks[None, :] <= R[:, None]
    rel = hits & within
    precision = np.cumsum(rel, axis=1) / ranks[None, :]
    return float(np.mean((precision * rel).sum(axis=1) / R))


def kmeans_nmi(embeddings: Any, labels: Any, distance: str = "euclidean", random_state: int = 0) -> float:
    """NMI (arithmetic normalisation) between the labels and k-means (k = number of labels, 10 restarts)."""
    from sklearn.cluster import KMeans
    from sklearn.metrics import normalized_mutual_info_score

    E, y = _check(embeddings, labels, distance)
    if distance == "cosine":
        E = normalise_rows(E)
    n_clusters = int(y.max()) + 1
    clusters = KMeans(n_clusters=n_clusters, n_init=10, random_state=random_state).fit_predict(E.astype(np.float64))
    return float(normalized_mutual_info_score(y, clusters))


def pair_distances(
    embeddings: Any, labels: Any, distance: str = "euclidean", max_pairs: int = 200_000, random_state: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Distances of same-class pairs and of different-class pairs: ``(same, different)``.

    All ``n(n−1)/2`` pairs when there are at most ``max_pairs``, else
    ``max_pairs`` pairs ``i ≠ j`` drawn uniformly at random (seeded).
    """
    E, y = _check(embeddings, labels, distance)
    if distance == "cosine":
        E = normalise_rows(E)
    n = len(E)
    if n * (n - 1) // 2 <= max_pairs:
        i, j = np.triu_indices(n, k=1)
    else:
        rng = np.random.default_rng(random_state)
        i = rng.integers(0, n, max_pairs)
        j = rng.integers(0, n - 1, max_pairs)
        j += j >= i
    a, b = E[i].astype(np.float64), E[j].astype(np.float64)
    d = 1.0 - np.einsum("ij,ij->i", a, b) if distance == "cosine" else np.linalg.norm(a - b, axis=1)
    same = y[i] == y[j]
    return d[same], d[~same]


def distance_overlap(embeddings: Any, labels: Any, distance: str = "euclidean", bins: int = 100, **pair_kwargs: Any) -> float:
    """Histogram intersection of the same-class and different-class distance distributions.

    Both sets of pair distances (:func:`pair_distances`) are binned on the
    same ``bins`` equal-width bins spanning all distances, each histogram is
    normalised to sum 1, and ``overlap = Σ_b min(p_b, q_b)``: 0 when every
    same-class pair is closer than every different-class pair (bins apart),
    1 when the two distributions are identical. Scale-free: multiplying the
    embeddings by a constant does not change it.
    """
    same, different = pair_distances(embeddings, labels, distance, **pair_kwargs)
    if len(same) == 0 or len(different) == 0:
        raise InputError("the overlap needs both same-class and different-class pairs; give ≥ 2 classes with ≥ 2 samples")
    edges = np.histogram_bin_edges(np.concatenate([same, different]), bins=int(bins))
    p = np.histogram(same, edges)[0] / len(same)
    q = np.histogram(different, edges)[0] / len(different)
    return float(np.minimum(p, q).sum())


def embedding_report(embeddings: Any, labels: Any, distance: str = "euclidean", random_state: int = 0) -> dict[str, float]:
    """``{"precision_at_1", "map_at_r", "nmi", "overlap"}`` of one embedding."""
    return {
        "precision_at_1": precision_at_1(embeddings, labels, distance),
        "map_at_r": map_at_r(embeddings, labels, distance),
        "nmi": kmeans_nmi(embeddings, labels, distance, random_state),
        "overlap": distance_overlap(embeddings, labels, distance, random_state=random_state),
    }
