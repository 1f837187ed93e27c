"""The mixture–graph clustering: a BIC-chosen Gaussian mixture whose components are merged on the neighbour graph.

For ``K`` classes, on scaled rows ``X`` (n, d):

1. **sweep** — on at most :data:`SWEEP_ROWS` sampled rows, EM from k-means (3 k-means++ runs) for every
   component count ``M`` of :func:`component_grid` and every covariance shape (spherical, diagonal; full when
   ``d(d+1)/2 ≤ n/K``), with a covariance floor of :data:`REG_RELATIVE` × the mean column variance; the lowest
   BIC wins (:mod:`weaklabel.algorithms.mixture`).
2. **graph path** — when the lowest BIC sits at the grid's largest ``M`` and ``M > K``, the data want more
   Gaussians than the grid allows: no few-Gaussian class structure. The classes then come from the neighbour
   graph alone (:mod:`weaklabel.algorithms.spectral_mixture`, ``n_init`` runs, the lowest normalised cut kept),
   and new rows get the distance-weighted vote of their nearest graph rows
   (:mod:`weaklabel.algorithms.neighbor_vote`).
3. **mixture path** — otherwise ``n_init`` EM runs of the chosen shape and ``M`` from k-means++ starts on at most
   :data:`RESTART_ROWS` rows (and the sweep's own mixture), the highest likelihood kept, then EM from it on at
   most :data:`EM_ROWS` rows. When ``M > K`` the components are merged into K classes by the lowest normalised cut
   of the neighbour graph (:mod:`weaklabel.algorithms.graph_merge`). A class's probability is the sum of its
   components' posteriors, so the mixture's learned weights, not a uniform prior, set the class sizes.

The neighbour graph (``n_neighbors``, exact search) is built on at most :data:`GRAPH_MAX_ROWS` rows (a sample
beyond), and only when a merge or the graph path needs it. Design and measurements: issue 20's research
(``/work/scratch/r20``, prototype ``mgm.py``) and ``weaklabel bench self-supervised``.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np

from ..data.graph import SPECTRAL_MAX_ROWS, knn_affinity
from ..data.neighbors import knn
from ..runtime.seeding import spawn_seeds, stream_seed
from .graph_merge import component_graph, merge_components
from .mixture import Mixture, best_of_restarts, covariance_types_for, em, sweep
from .neighbor_vote import NeighborVote
from .spectral_mixture import spectral_mixture_labels

#: rows of the BIC sweep, of the restarts and of the final EM (samples beyond)
SWEEP_ROWS, RESTART_ROWS, EM_ROWS = 1_000, 2_000, 50_000
#: rows of the neighbour graph (a sample beyond): the spectral embedding's limit
GRAPH_MAX_ROWS = SPECTRAL_MAX_ROWS
#: the covariance floor as a share of the mean column variance of the scaled rows
REG_RELATIVE = 1e-4
#: the grid's largest component count, unless K is larger (then the grid is K alone)
MAX_COMPONENTS = 30
#: k-means++ runs behind each component count of the sweep
SWEEP_KMEANS_INIT = 3
#: rows of the spectral embedding the graph path's mixtures are fitted on
EMBEDDING_FIT_ROWS = 2_000
#: EM runs from k-means++ starts on the mixture path, and mixtures in the embedding on the graph path. On the
#: suite's mixture-path sets the highest-likelihood of 20 runs was more reliable than of 10 (blobs
#: random_state 100, 60 starts resampled: 5% quantile of the picked run's accuracy 0.910 against 0.826); on
#: digits' graph path the lowest cut of 20 runs was less accurate than of 10 (0.921 against 0.931)
MIXTURE_RESTARTS, GRAPH_RUNS = 20, 10
PATHS = ("mixture", "merge", "graph")


class Progress(Protocol):
    def plan(self, total: int) -> None: ...

    def step(self, description: str) -> None: ...


def component_grid(n_classes: int, max_components: int = MAX_COMPONENTS) -> list[int]:
    """Component counts the sweep tries: ``{K, ⌈1.5K⌉, 2K, 3K, max(3K, 12)}`` up to ``max(max_components, K)``."""
    K = int(n_classes)
    return sorted({m for m in (K, math.ceil(1.5 * K), 2 * K, 3 * K, max(3 * K, 12)) if m <= max(max_components, K)})


@dataclass
class MixtureGraphModel:
    """What predicts new rows: the mixture and each component's class (mixture and merge paths), or the vote of
    the graph rows (graph path)."""

    n_classes: int
    path: str
    mixture: Mixture | None = None
    component_classes: np.ndarray | None = None
    vote: NeighborVote | None = None

    def predict_proba(self, X: np.ndarray, chunk: int = 65_536) -> np.ndarray:
        """Class probabilities (n, n_classes): summed component posteriors, or the neighbours' vote."""
        if self.vote is not None:
            return self.vote.predict_proba(X)
        out = np.empty((len(X), self.n_classes))
        for start in range(0, len(X), chunk):
            block = self.mixture.posteriors(X[start : start + chunk])
            out[start : start + chunk] = 0.0
            for m, k in enumerate(self.component_classes):
                out[start : start + chunk, k] += block[:, m]
        return out

    def predict(self, X: np.ndarray, chunk: int = 65_536) -> np.ndarray:
        return np.concatenate([self.predict_proba(X[s : s + chunk]).argmax(axis=1) for s in range(0, len(X), chunk)]) if len(X) else np.zeros(0, np.int64)

    # -- saved state: a JSON config and float/int arrays
    def config(self) -> dict[str, Any]:
        out: dict[str, Any] = {"n_classes": self.n_classes, "path": self.path}
        if self.mixture is not None:
            out["covariance_type"] = self.mixture.covariance_type
        if self.vote is not None:
            out.update(n_neighbors=self.vote.n_neighbors, metric=self.vote.metric)
        return out

    def arrays(self) -> dict[str, np.ndarray]:
        if self.vote is not None:
            return {"vote_rows": self.vote.rows, "vote_labels": self.vote.labels}
        return {**self.mixture.arrays(), "component_classes": np.asarray(self.component_classes, dtype=np.int64)}

    @classmethod
    def from_state(cls, config: dict[str, Any], arrays: dict[str, np.ndarray]) -> MixtureGraphModel:
        K, path = int(config["n_classes"]), config["path"]
        if path == "graph":
            vote = NeighborVote(arrays["vote_rows"], arrays["vote_labels"], K, int(config["n_neighbors"]), config["metric"])
            return cls(K, path, vote=vote)
        return cls(K, path, Mixture.from_arrays(config["covariance_type"], arrays), np.asarray(arrays["component_classes"], dtype=np.int64))


@dataclass
class MixtureGraphFit:
    model: MixtureGraphModel
    labels: np.ndarray
    n_components: int
    covariance_type: str
    #: every sweep candidate: covariance type, component count, BIC (lowest first)
    bic: list[dict[str, Any]] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def _sample(n: int, size: int, seed: int) -> np.ndarray:
    """All row numbers when ``n ≤ size``, else ``size`` of them drawn without replacement (sorted)."""
    return np.arange(n) if n <= size else np.sort(np.random.default_rng(seed).choice(n, size, replace=False))


class _NoProgress:
    def plan(self, total: int) -> None:
        pass

    def step(self, description: str) -> None:
        pass


def fit_mixture_graph(
    X: np.ndarray,
    n_classes: int,
    *,
    seed: int,
    n_restarts: int = MIXTURE_RESTARTS,
    n_graph_runs: int = GRAPH_RUNS,
    n_neighbors: int = 10,
    metric: str = "euclidean",
    exact: bool | None = None,
    log_jacobian: float = 0.0,
    progress: Progress | None = None,
) -> MixtureGraphFit:
    """Fit K = ``n_classes`` classes to the rows of ``X`` (see the module docstring) with ``n_restarts`` EM runs on
    the mixture path or ``n_graph_runs`` on the graph path; ``log_jacobian`` puts the reported BICs on the raw
    feature scale (:func:`weaklabel.algorithms.mixture.bic`). ``progress`` hears of every step."""
    progress = progress or _NoProgress()
    X = np.asarray(X)
    n, d = X.shape
    K = int(n_classes)
    grid = [m for m in component_grid(K) if m < n]
    progress.plan(len(grid) + n_restarts + 1)
    timings: dict[str, float] = {}
    clock = time.perf_counter()
    reg = REG_RELATIVE * float(np.mean(X.var(axis=0, dtype=np.float64)))
    reg = reg if reg > 0 else 1e-6  # every column constant: any positive floor
    sweep_rows = X[_sample(n, SWEEP_ROWS, stream_seed(seed, "sweep rows"))].astype(np.float64)
    candidates = sweep(sweep_rows, grid, covariance_types_for(n, d, K), reg, seed, log_jacobian, SWEEP_KMEANS_INIT, step=progress.step)
    chosen = candidates[0]
    timings["sweep"] = time.perf_counter() - clock
    table = [{"covariance_type": c.covariance_type, "n_components": c.n_components, "bic": c.bic} for c in candidates]
    graph_rows = _sample(n, GRAPH_MAX_ROWS, stream_seed(seed, "graph rows"))

    def neighbour_graph() -> Any:
        clock = time.perf_counter()
        neighbors = knn(X[graph_rows], min(int(n_neighbors), len(graph_rows) - 1), metric=metric, exact=exact, random_state=seed)[1]
        progress.step("neighbour graph")
        timings["graph"] = time.perf_counter() - clock
        return knn_affinity(neighbors)

    M = chosen.n_components
    if M == grid[-1] and M > K:
        progress.plan(len(grid) + 1 + n_graph_runs)
        affinity = neighbour_graph()
        clock = time.perf_counter()
        fit_rows = _sample(len(graph_rows), EMBEDDING_FIT_ROWS, stream_seed(seed, "embedding rows"))
        run_seeds = spawn_seeds(stream_seed(seed, "graph runs"), n_graph_runs)
        graph_labels, _ = spectral_mixture_labels(affinity, K, run_seeds, fit_rows, embedding_seed=seed, step=progress.step)
        model = MixtureGraphModel(K, "graph", vote=NeighborVote(X[graph_rows], graph_labels, K, n_neighbors, metric))
        labels = graph_labels if len(graph_rows) == n else model.predict(X)
        timings["graph_path"] = time.perf_counter() - clock
        return MixtureGraphFit(model, labels, M, chosen.covariance_type, table, timings)
    progress.plan(len(grid) + n_restarts + 1 + (2 if M > K else 0))
    clock = time.perf_counter()
    restart_rows = X[_sample(n, RESTART_ROWS, stream_seed(seed, "restart rows"))].astype(np.float64)
    run_seeds = spawn_seeds(stream_seed(seed, "restarts"), n_restarts)
    start = best_of_restarts(restart_rows, chosen.covariance_type, M, reg, run_seeds, extra=[chosen.fit.mixture], step=progress.step)
    em_rows = X[_sample(n, EM_ROWS, stream_seed(seed, "em rows"))].astype(np.float64)
    mixture = em(em_rows, start.mixture, reg).mixture
    progress.step("EM")
    timings["mixture"] = time.perf_counter() - clock
    if M > K:
        affinity = neighbour_graph()
        clock = time.perf_counter()
        classes = merge_components(component_graph(affinity, mixture.predict(X[graph_rows]), M), K, seed=stream_seed(seed, "merge"))
        progress.step("merge")
        timings["merge"] = time.perf_counter() - clock
    else:
        classes = np.arange(M)
    model = MixtureGraphModel(K, "merge" if M > K else "mixture", mixture, classes)
    return MixtureGraphFit(model, model.predict(X), M, chosen.covariance_type, table, timings)
