"""Nearest-neighbour search and far-sample sampling with faiss.

:class:`NeighborIndex` is built once and queried many times; :func:`knn` is
the one-call form for "the ``k`` nearest neighbours of every row of ``X``,
itself excluded". Metrics: ``"euclidean"`` (distances returned as ``‖x − y‖``)
and ``"cosine"`` (rows L2-normalised, distances returned as ``1 − cos(x, y)``).

Exact or approximate
--------------------
Up to :data:`EXACT_MAX_ROWS` indexed rows the search is exact (``IndexFlatL2``,
or ``IndexFlatIP`` on normalised rows): at 50,000 × 64 a self-join takes about
15 s on 2 cores, and it grows with n². Above it the index is IVF-Flat
(Jégou, Douze & Schmid, "Product quantization for nearest neighbor search",
TPAMI 2011, its non-quantised inverted file): ``nlist = clip(√n, 64, 4096)``
k-means cells trained on ``IVF_TRAIN_PER_LIST · nlist`` sampled rows, and
``nprobe`` = :data:`IVF_NPROBE` cells visited per query, so a query scans
about ``8·√n`` rows. On 1,000,000 × 64 rows drawn from 100 Gaussian blobs
(unit variance, centres uniform in [−10, 10]⁶⁴) this measured recall@10 = 0.976
against the exact search (nprobe 4: 0.77, 16: 1.00; 2,048 lists need nprobe 16
for 0.99); ``weaklabel bench self-supervised`` re-measures it. Recall depends
on the data's structure: on 60,000 × 16 rows of one standard Gaussian (no
clusters for the cells to follow) the same defaults give 0.68 (euclidean) and
0.71 (cosine), the query row excluded. Raise ``nprobe`` for higher recall at
proportionally higher cost. HNSW (M = 16-32,
efConstruction 40) was measured too and rejected: at 200,000 × 64 its graph
alone took 30-40 s to build on 2 cores, several times IVF's training plus
adding, for recall 0.95-0.98.

GPU and recall
--------------
With a GPU build of faiss (``faiss-gpu``) and a visible GPU, the index is
built and searched on GPU 0 (``use_gpu=None``, the default, means "when
present"; not measured here: the benchmark machine has no GPU).
:func:`recall_at_k` measures an approximate index against the exact search
on a sample of query rows; ``weaklabel bench speed`` reports it at
1,000,000 × 64.

Far samples
-----------
:func:`sample_far` never forms all pairs: each row draws random candidates,
drops those in the nearest ``near_fraction`` of them and keeps ``n_far`` of the
rest — "everything but my own neighbourhood", at ``O(n · candidates · d)`` cost.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import faiss
import numpy as np
import torch

from ..exceptions import InputError
from .distances import DISTANCES, check_distance, normalise_rows

__all__ = [
    "EXACT_MAX_ROWS", "IVF_NPROBE", "METRICS", "NeighborIndex", "drop_self", "faiss_threads", "gpu_available", "knn",
    "near_radius", "neighbor_recall", "recall_at_k", "sample_far", "searches_exactly",
]

logger = logging.getLogger("weaklabel")

METRICS = DISTANCES
EXACT_MAX_ROWS = 50_000
IVF_NPROBE = 8
IVF_TRAIN_PER_LIST = 40
_QUERY_CHUNK = 65_536


def _check_threads(n_threads: int | None) -> None:
    if n_threads is not None and (isinstance(n_threads, bool) or not isinstance(n_threads, (int, np.integer)) or n_threads < 1):
        raise InputError(f"n_threads must be None (torch's thread count) or an integer ≥ 1, got {n_threads!r}")


@contextmanager
def faiss_threads(n_threads: int | None = None) -> Iterator[None]:
    """Run the block with ``n_threads`` OpenMP threads in faiss (None: ``torch.get_num_threads()``), then restore
    faiss's count.

    faiss and PyTorch's CPU build each ship an OpenMP runtime; loaded torch first, they share one, so a count set
    for the search and left behind was torch's too: it had raised a one-thread process (``OMP_NUM_THREADS=1``,
    ``torch.set_num_threads(1)``) to every CPU for good. Loaded faiss first, they do not, and faiss would use
    every CPU whatever torch was told; hence torch's count for None.
    """
    _check_threads(n_threads)
    n = torch.get_num_threads() if n_threads is None else int(n_threads)  # first: it also applies torch's count
    before = faiss.omp_get_max_threads()
    faiss.omp_set_num_threads(n)
    try:
        yield
    finally:
        faiss.omp_set_num_threads(before)


def _as_rows(X: Any, what: str = "X") -> np.ndarray:
    X = np.ascontiguousarray(np.asarray(X, dtype=np.float32))
    if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
        raise InputError(f"{what} must be a non-empty 2-D array (n_samples, n_features), got shape {X.shape}")
    if not np.isfinite(X).all():
        raise InputError(f"{what} contains NaN or inf; impute or drop those rows before the neighbour search")
    return X


def _n_lists(n: int) -> int:
    return int(np.clip(np.sqrt(n), 64, 4096))


def gpu_available() -> bool:
    """True with a GPU build of faiss and at least one visible GPU."""
    return hasattr(faiss, "StandardGpuResources") and faiss.get_num_gpus() > 0


def searches_exactly(n_rows: int, exact: bool | None) -> bool:
    """Whether an index of ``n_rows`` rows built with ``exact`` (None: up to :data:`EXACT_MAX_ROWS`) is exact."""
    return bool(n_rows <= EXACT_MAX_ROWS if exact is None else exact)


class NeighborIndex:
    """A faiss index over the rows of ``X``: build once, query many times.

    Parameters
    ----------
    metric : {"euclidean", "cosine"}
    exact : bool or None
        None → exact up to :data:`EXACT_MAX_ROWS` rows, IVF-Flat above.
    nprobe : int
        IVF cells visited per query (approximate index only).
    n_threads : int or None
        OpenMP threads of the build and the queries, restored after each (:func:`faiss_threads`);
        None → torch's (``torch.get_num_threads()``: ``OMP_NUM_THREADS`` or ``torch.set_num_threads``,
        every core by default).
    random_state : int
        Seed of the IVF training sample and k-means.
    use_gpu : bool or None
        Build and search on GPU 0; None → when :func:`gpu_available`.
    """

    def __init__(self, metric: str = "euclidean", exact: bool | None = None, nprobe: int = IVF_NPROBE, n_threads: int | None = None, random_state: int = 0, use_gpu: bool | None = None) -> None:
        check_distance(metric, "metric")
        if int(nprobe) < 1:
            raise InputError(f"nprobe must be ≥ 1, got {nprobe}")
        _check_threads(n_threads)
        self.metric = metric
        self.exact = exact
        self.nprobe = int(nprobe)
        self.n_threads = n_threads
        self.random_state = int(random_state)
        self.use_gpu = use_gpu

    def _prepare(self, X: Any, what: str) -> np.ndarray:
        X = _as_rows(X, what)
        return normalise_rows(X) if self.metric == "cosine" else X

    def fit(self, X: Any) -> NeighborIndex:
        """Index the rows of ``X`` (n, d)."""
        X = self._prepare(X, "X")
        with faiss_threads(self.n_threads):
            self.index_ = self._build(X)
        self.n_samples_, self.n_features_ = X.shape
        return self

    def _build(self, X: np.ndarray) -> Any:
        n, d = X.shape
        faiss_metric = faiss.METRIC_INNER_PRODUCT if self.metric == "cosine" else faiss.METRIC_L2
        self.is_exact_ = searches_exactly(n, self.exact)
        if self.is_exact_:
            index = self._on_device(faiss.IndexFlatIP(d) if self.metric == "cosine" else faiss.IndexFlatL2(d))
        else:
            n_lists = min(_n_lists(n), n)
            quantizer = faiss.IndexFlatIP(d) if self.metric == "cosine" else faiss.IndexFlatL2(d)
            index = faiss.IndexIVFFlat(quantizer, d, n_lists, faiss_metric)
            index.cp.seed = self.random_state
            index = self._on_device(index)
            rng = np.random.default_rng(self.random_state)
            n_train = min(n, IVF_TRAIN_PER_LIST * n_lists)
            index.train(X[np.sort(rng.choice(n, n_train, replace=False))])
            index.nprobe = min(self.nprobe, n_lists)
        index.add(X)
        logger.info("neighbour index: %s, %d rows × %d", "exact" if self.is_exact_ else f"IVF-Flat ({index.nlist} lists, nprobe {index.nprobe})", n, d)
        return index

    def _on_device(self, index: Any) -> Any:
        """``index`` moved to GPU 0 when asked for (or, with ``use_gpu=None``, when one is there)."""
        if not (gpu_available() if self.use_gpu is None else self.use_gpu):
            return index
        if not gpu_available():
            raise InputError("use_gpu=True needs a GPU build of faiss (faiss-gpu) and a visible GPU")
        self._gpu_resources = faiss.StandardGpuResources()  # must outlive the index
        return faiss.index_cpu_to_gpu(self._gpu_resources, 0, index)

    def _to_distances(self, raw: np.ndarray) -> np.ndarray:
        if self.metric == "cosine":
            return np.clip(1.0 - raw, 0.0, 2.0)
        return np.sqrt(np.maximum(raw, 0.0))

    def query(self, X: Any, k: int) -> tuple[np.ndarray, np.ndarray]:
        """The ``k`` nearest indexed rows of each row of ``X``: ``(distances, indices)``, each (m, k), nearest first.

        Indices are ``-1`` (distance ``inf``) where the approximate index found fewer than ``k``.
        """
        if not hasattr(self, "index_"):
            raise InputError("NeighborIndex.query called before fit; call fit(X) first")
        X = self._prepare(X, "query")
        if X.shape[1] != self.n_features_:
            raise InputError(f"query rows have {X.shape[1]} features but the index has {self.n_features_}; use the same columns")
        k = int(k)
        if not 1 <= k <= self.n_samples_:
            raise InputError(f"k must be in [1, {self.n_samples_}] (the indexed rows), got {k}")
        dist = np.empty((len(X), k), dtype=np.float32)
        idx = np.empty((len(X), k), dtype=np.int64)
        with faiss_threads(self.n_threads):
            for start in range(0, len(X), _QUERY_CHUNK):
                raw, found = self.index_.search(X[start : start + _QUERY_CHUNK], k)
                dist[start : start + _QUERY_CHUNK] = self._to_distances(raw)
                idx[start : start + _QUERY_CHUNK] = found
        dist[idx < 0] = np.inf
        return dist, idx


def drop_self(distances: np.ndarray, indices: np.ndarray, rows: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Remove each query's own index (``rows``, default ``0..n-1``) from its ``k + 1`` neighbours (or the
    farthest, when ties pushed it out)."""
    n, k1 = indices.shape
    is_self = indices == (np.arange(n) if rows is None else np.asarray(rows))[:, None]
    is_self[~is_self.any(axis=1), k1 - 1] = True
    keep = ~is_self
    return distances[keep].reshape(n, k1 - 1), indices[keep].reshape(n, k1 - 1)


def knn(X: Any, k: int, metric: str = "euclidean", exact: bool | None = None, nprobe: int = IVF_NPROBE, n_threads: int | None = None, random_state: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` nearest neighbours of every row of ``X`` among the other rows.

    Returns ``(distances, indices)``, both (n, k), nearest first, the row
    itself excluded. Exact up to :data:`EXACT_MAX_ROWS` rows, IVF-Flat above
    (see the module docstring); the other arguments as in :class:`NeighborIndex`.
    """
    X = _as_rows(X)
    k = int(k)
    if not 1 <= k < len(X):
        raise InputError(f"k={k} nearest neighbours need at least {k + 1} samples, got {len(X)}; lower k (n_neighbors)")
    index = NeighborIndex(metric, exact, nprobe, n_threads, random_state).fit(X)
    return drop_self(*index.query(X, k + 1))


def neighbor_recall(X: Any, neighbors: np.ndarray, metric: str = "euclidean", n_queries: int = 256, random_state: int = 0) -> float:
    """Share of the exact ``k`` nearest other rows that ``neighbors`` ((n, k) row indices, e.g. from :func:`knn`
    on ``X``) holds, on ``n_queries`` rows drawn at random: what an approximate search costs on this data.
    The exact search of the sample costs ``n_queries × n`` distances."""
    X = _as_rows(X)
    neighbors = np.asarray(neighbors)
    k = neighbors.shape[1]
    rows = _query_rows(len(X), n_queries, random_state)
    exact = NeighborIndex(metric, exact=True).fit(X)
    return _share_found(neighbors[rows], drop_self(*exact.query(X[rows], k + 1), rows=rows)[1])


def recall_at_k(index: NeighborIndex, X: Any, k: int = 10, n_queries: int = 10_000, random_state: int = 0) -> float:
    """Recall@k of ``index`` (fitted on ``X``) against the exact search, on ``n_queries`` rows of ``X`` drawn at random.

    The share of each query's exact ``k`` nearest rows that the index also
    returns among its ``k``, averaged over the queries. The query row itself
    is among them (at distance 0) and nearly always found, so for the ``k − 1``
    other neighbours the recall is about ``(k·r − 1) / (k − 1)`` (0.970 for
    r = 0.973 at k = 10); :func:`knn`, which excludes the row, is measured by
    that figure.
    """
    X = _as_rows(X)
    rows = _query_rows(len(X), n_queries, random_state)
    exact = NeighborIndex(index.metric, exact=True, n_threads=index.n_threads, use_gpu=index.use_gpu).fit(X)
    return _share_found(index.query(X[rows], k)[1], exact.query(X[rows], k)[1])


def _query_rows(n: int, n_queries: int, random_state: int) -> np.ndarray:
    """``min(n_queries, n)`` distinct row numbers drawn at random, the queries of a recall measurement."""
    return np.random.default_rng(random_state).choice(n, min(int(n_queries), n), replace=False)


def _share_found(found: np.ndarray, exact: np.ndarray) -> float:
    """Share of the entries of each row of ``exact`` (m, k) that the same row of ``found`` holds, over all rows."""
    return sum(len(np.intersect1d(f, e)) for f, e in zip(found, exact)) / exact.size


def _candidates(X: np.ndarray, rows: np.ndarray, m: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """``m`` random other rows per row and their squared distances (on prepared rows)."""
    cand = rng.integers(0, len(X) - 1, size=(len(rows), m))
    cand += cand >= rows[:, None]  # skip the row itself
    diff = X[cand] - X[rows, None, :]
    return cand, np.einsum("ijk,ijk->ij", diff, diff)


def _prepare_far(X: Any, metric: str, near_fraction: float) -> np.ndarray:
    check_distance(metric, "metric")
    X = _as_rows(X)
    if len(X) < 2:
        raise InputError(f"far samples need at least 2 rows, got {len(X)}")
    if not 0.0 <= float(near_fraction) < 1.0:
        raise InputError(f"near_fraction must be in [0, 1), got {near_fraction}")
    return normalise_rows(X) if metric == "cosine" else X


def near_radius(X: Any, near_fraction: float = 0.1, metric: str = "euclidean", n_candidates: int = 64, random_state: int = 0, chunk_size: int = 4096) -> np.ndarray:
    """Per row, the ``near_fraction`` quantile of its distances to ``n_candidates`` random other rows.

    An estimate of the radius holding the row's nearest ``near_fraction`` of
    the data, in the distances of :func:`knn`; rows beyond it count as far.
    Cost ``O(n · n_candidates · d)``. Returns float32 (n,).
    """
    X = _prepare_far(X, metric, near_fraction)
    rng = np.random.default_rng(random_state)
    out = np.empty(len(X), dtype=np.float32)
    for start in range(0, len(X), chunk_size):
        rows = np.arange(start, min(start + chunk_size, len(X)))
        out[rows] = np.quantile(_candidates(X, rows, int(n_candidates), rng)[1], float(near_fraction), axis=1)
    return np.sqrt(out) if metric == "euclidean" else out / 2.0  # cosine: ‖a − b‖² = 2 (1 − cos)


def sample_far(
    X: Any,
    n_far: int,
    metric: str = "euclidean",
    near_fraction: float = 0.1,
    n_candidates: int = 64,
    random_state: int = 0,
    chunk_size: int = 4096,
) -> np.ndarray:
    """``n_far`` random far samples per row: rows outside its nearest ``near_fraction`` of the data.

    Each row draws ``m = max(n_candidates, ⌈n_far / (1 − near_fraction)⌉)``
    candidates uniformly among the other rows, drops the ``⌊near_fraction · m⌋``
    nearest of them (an estimate of its nearest ``near_fraction`` of the data)
    and keeps ``n_far`` of the rest at random. With ``near_fraction = 1/K`` for
    ``K`` balanced classes this samples "every row but those that may share my
    class" without forming all pairs: cost ``O(n · m · d)``, memory one chunk of
    ``chunk_size · m · d`` floats. Returns int64 indices (n, n_far).
    """
    X = _prepare_far(X, metric, near_fraction)
    n_far = int(n_far)
    if n_far < 1:
        raise InputError(f"n_far must be ≥ 1, got {n_far}")
    rng = np.random.default_rng(random_state)
    m = max(int(n_candidates), int(np.ceil(n_far / (1.0 - float(near_fraction)))))
    n_near = min(int(float(near_fraction) * m), m - n_far)
    out = np.empty((len(X), n_far), dtype=np.int64)
    for start in range(0, len(X), chunk_size):
        rows = np.arange(start, min(start + chunk_size, len(X)))
        cand, dist = _candidates(X, rows, m, rng)
        far_first = np.argsort(dist, axis=1)[:, n_near:]
        pick = np.argsort(rng.random(far_first.shape), axis=1)[:, :n_far]
        out[rows] = np.take_along_axis(cand, np.take_along_axis(far_first, pick, axis=1), axis=1)
    return out
