"""The k-nearest-neighbour graph as a sparse affinity, and its spectral partition.

Reusable by any estimator that already holds a neighbour table from
:func:`weaklabel.data.neighbors.knn`.
"""

from __future__ import annotations

import warnings

import numpy as np
from scipy import sparse
from sklearn.cluster import KMeans
from sklearn.manifold import spectral_embedding

from ..exceptions import InputError
from ..runtime.seeding import spawn_seeds

#: rows up to which SelfSupervisedClassifier(init="auto") starts from :func:`spectral_partitions`. At
#: 50,000 × 64 rows and 100 classes the start takes 10–12 s on 2 cores, with the whole fit's process
#: peaking at 956–968 MB (``init_s`` and ``peak_MB`` in ``weaklabel bench self-supervised``'s scaling table;
#: 3 training epochs at batch 1024 take 2 s there); the eigen-solver's time grows faster than linearly beyond it
SPECTRAL_MAX_ROWS = 50_000


def knn_affinity(neighbors: np.ndarray) -> sparse.csr_matrix:
    """Symmetric connectivity ``A = (C + Cᵀ) / 2`` of the neighbour table (``C_ij = 1`` if j is among i's neighbours).

    ``neighbors`` is ``(n, k)`` of row indices (self excluded); ``-1`` entries (an approximate index that
    found fewer than k neighbours) are skipped. The same affinity as scikit-learn's
    ``SpectralClustering(affinity="nearest_neighbors")`` up to the diagonal.
    """
    neighbors = np.asarray(neighbors)
    if neighbors.ndim != 2 or not np.issubdtype(neighbors.dtype, np.integer):
        raise InputError(f"neighbors must be a 2-D integer array (n, k) of row indices, got dtype {neighbors.dtype} and shape {neighbors.shape}")
    n, k = neighbors.shape
    if n and (neighbors.min() < -1 or neighbors.max() >= n):
        raise InputError(f"neighbors holds row indices outside [0, {n - 1}] (or -1 for a missing neighbour); pass the table knn() returned for these rows")
    rows = np.repeat(np.arange(n), k)
    cols = neighbors.ravel()
    found = cols >= 0
    connectivity = sparse.csr_matrix((np.ones(int(found.sum())), (rows[found], cols[found])), shape=(n, n))
    return ((connectivity + connectivity.T) * 0.5).tocsr()


def spectral_embedding_of(neighbors: np.ndarray, n_components: int, random_state: int = 0) -> np.ndarray:
    """The first ``n_components`` eigenvectors of the neighbour graph's normalised Laplacian, ``(n, n_components)``.

    The embedding of spectral clustering (Shi & Malik 2000; Ng, Jordan & Weiss 2002), as scikit-learn's
    ``SpectralClustering`` computes it. A disconnected graph is fine here (its components end up in
    their own classes or merged), so scikit-learn's warning about it is silenced.
    """
    affinity = knn_affinity(neighbors)
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="Graph is not fully connected")
        return spectral_embedding(affinity, n_components=int(n_components), random_state=random_state, drop_first=False)


def spectral_partitions(embedding: np.ndarray, n_classes: int, n_partitions: int = 1, random_state: int = 0) -> np.ndarray:
    """``n_partitions`` partitions into classes ``0 … n_classes−1`` of a :func:`spectral_embedding_of`,
    shape ``(n, n_partitions)``: k-means with one initialisation each, seeded from independent streams
    spawned from ``random_state``, so the partitions are the different discretisations the embedding allows.
    """
    columns = [KMeans(int(n_classes), n_init=1, random_state=seed).fit_predict(embedding) for seed in spawn_seeds(random_state, n_partitions)]
    return np.stack(columns, axis=1).astype(np.int64)
