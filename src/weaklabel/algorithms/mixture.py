"""Gaussian mixtures fitted by EM from a partition, compared by BIC.

A mixture of ``M`` Gaussians with weights ``π_m``, means ``μ_m`` and covariances ``Σ_m`` of one of three
shapes (``"spherical"``: ``σ_m² I``; ``"diag"``: a diagonal; ``"full"``) gives each row the density
``p(x) = Σ_m π_m N(x | μ_m, Σ_m)`` and each component the posterior ``r_m(x) = π_m N(x | μ_m, Σ_m) / p(x)``.

- :func:`em_from_partition`: EM (Dempster, Laird & Rubin 1977) started from a hard partition (k-means, a
  spectral partition) rather than from random responsibilities: the partition's proportions, means and
  covariances are the first M-step. Every covariance gets ``reg`` added to its diagonal, as
  scikit-learn's ``reg_covar``: a floor that keeps a component from collapsing onto a few rows.
- :func:`bic`: Schwarz's criterion ``−2 log L + p log n`` (Schwarz 1978), with ``log L`` taken on the *raw*
  feature scale when the mixture was fitted on linearly scaled features: ``x ↦ s(x)`` changes every density
  by the Jacobian, ``log p_raw(x) = log p_scaled(s(x)) + Σ_j log|ds_j/dx_j|`` (for standardisation
  ``−Σ_j log σ_j``), so fits with different scalings can be compared.
- :func:`sweep`: the lowest-BIC mixture over component counts and covariance shapes, each EM started from
  k-means.
- :func:`best_of_restarts`: the highest-likelihood EM among several k-means++ starts.

scikit-learn's ``KMeans`` makes the starting partitions (k-means++ seeding, Lloyd iterations). EM is written
here rather than taken from ``sklearn.mixture.GaussianMixture`` because its state must be saved as plain
arrays (safetensors) and rebuilt without setting private attributes, and because the posteriors of
millions of rows are computed in chunks (``GaussianMixture.predict_proba`` holds several ``n × M`` arrays at
once).
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import numpy as np
from scipy.special import logsumexp
from sklearn.cluster import KMeans

logger = logging.getLogger("weaklabel")

COVARIANCE_TYPES = ("spherical", "diag", "full")
#: rows per block when a mixture scores many rows (bounds the ``rows × M`` temporaries)
CHUNK_ROWS = 65_536
_LOG_2PI = math.log(2 * math.pi)


@dataclass
class Mixture:
    """A fitted Gaussian mixture: ``weights`` (M,), ``means`` (M, d) and ``covariances`` of
    ``covariance_type`` (spherical: (M,) variances; diag: (M, d); full: (M, d, d))."""

    covariance_type: str
    weights: np.ndarray
    means: np.ndarray
    covariances: np.ndarray

    @property
    def n_components(self) -> int:
        return len(self.weights)

    def n_parameters(self) -> int:
        """Free parameters: ``M − 1`` weights, ``M·d`` means and the covariances (``M``, ``M·d`` or ``M·d(d+1)/2``)."""
        M, d = self.means.shape
        covariance = {"spherical": M, "diag": M * d, "full": M * d * (d + 1) // 2}[self.covariance_type]
        return M - 1 + M * d + covariance

    def _precision_cholesky(self) -> np.ndarray:
        """Full covariances: ``L_m`` with ``L_m L_mᵀ = Σ_m⁻¹`` (upper-triangular ``inv(chol(Σ_m))ᵀ``)."""
        eye = np.eye(self.means.shape[1])
        return np.stack([np.linalg.solve(np.linalg.cholesky(cov), eye).T for cov in self.covariances])

    def log_weighted_densities(self, X: np.ndarray) -> np.ndarray:
        """``log π_m + log N(x | μ_m, Σ_m)`` for every row and component, (n, M)."""
        X = np.asarray(X, dtype=np.float64)
        d = X.shape[1]
        if self.covariance_type == "full":
            out = np.empty((len(X), self.n_components))
            for m, L in enumerate(self._precision_cholesky()):
                y = (X - self.means[m]) @ L
                out[:, m] = -0.5 * np.einsum("ij,ij->i", y, y) + np.log(np.diag(L)).sum()
        else:
            variances = self.covariances if self.covariance_type == "diag" else np.repeat(self.covariances[:, None], d, axis=1)
            precision = 1.0 / variances  # (M, d)
            squared = (X**2) @ precision.T - 2.0 * X @ (self.means * precision).T + np.sum(self.means**2 * precision, axis=1)
            out = -0.5 * np.maximum(squared, 0.0) - 0.5 * np.log(variances).sum(axis=1)
        return out - 0.5 * d * _LOG_2PI + np.log(self.weights)

    def log_likelihood(self, X: np.ndarray) -> float:
        """``Σ_i log p(x_i)`` over the rows of ``X``."""
        return float(sum(logsumexp(self.log_weighted_densities(block), axis=1).sum() for block in _blocks(X)))

    def posteriors(self, X: np.ndarray) -> np.ndarray:
        """Each row's component posteriors ``r_m(x)``, (n, M), rows summing to 1 (computed in blocks)."""
        out = np.empty((len(X), self.n_components))
        for start in range(0, len(X), CHUNK_ROWS):
            log_joint = self.log_weighted_densities(X[start : start + CHUNK_ROWS])
            out[start : start + CHUNK_ROWS] = np.exp(log_joint - logsumexp(log_joint, axis=1, keepdims=True))
        return out

    def predict(self, X: np.ndarray) -> np.ndarray:
        """The most probable component of each row."""
        return np.concatenate([self.log_weighted_densities(block).argmax(axis=1) for block in _blocks(X)]) if len(X) else np.zeros(0, int)

    def arrays(self) -> dict[str, np.ndarray]:
        """The state as named float64 arrays (saved as tensors); :meth:`from_arrays` rebuilds it."""
        return {"weights": self.weights, "means": self.means, "covariances": self.covariances}

    @classmethod
    def from_arrays(cls, covariance_type: str, arrays: dict[str, np.ndarray]) -> Mixture:
        return cls(covariance_type, *(np.asarray(arrays[k], dtype=np.float64) for k in ("weights", "means", "covariances")))


def _blocks(X: np.ndarray) -> list[np.ndarray]:
    return [X[start : start + CHUNK_ROWS] for start in range(0, len(X), CHUNK_ROWS)]


def _m_step(X: np.ndarray, resp: np.ndarray, covariance_type: str, reg: float) -> Mixture:
    """Weights, means and covariances (``+ reg`` on the diagonal) from responsibilities ``resp`` (n, M)."""
    counts = resp.sum(axis=0) + 10 * np.finfo(float).eps  # an emptied component keeps finite parameters
    means = (resp.T @ X) / counts[:, None]
    if covariance_type == "full":
        covariances = np.empty((len(counts), X.shape[1], X.shape[1]))
        for m in range(len(counts)):
            centred = X - means[m]
            covariances[m] = (resp[:, m, None] * centred).T @ centred / counts[m]
            covariances[m].flat[:: X.shape[1] + 1] += reg
    else:
        variances = np.maximum((resp.T @ X**2) / counts[:, None] - means**2, 0.0) + reg
        covariances = variances if covariance_type == "diag" else variances.mean(axis=1)
    return Mixture(covariance_type, counts / counts.sum(), means, covariances)


@dataclass
class EMResult:
    mixture: Mixture
    mean_log_likelihood: float  # per row, at the last E-step
    n_iter: int
    converged: bool


def em(X: np.ndarray, start: Mixture, reg: float, max_iter: int = 100, tol: float = 1e-3) -> EMResult:
    """EM from the parameters ``start`` until the mean log-likelihood per row changes by less than ``tol``
    (scikit-learn's rule) or ``max_iter`` iterations."""
    X = np.asarray(X, dtype=np.float64)
    mixture, previous = start, -np.inf
    for iteration in range(1, int(max_iter) + 1):
        log_joint = mixture.log_weighted_densities(X)
        log_norm = logsumexp(log_joint, axis=1, keepdims=True)
        current = float(log_norm.mean())
        if abs(current - previous) < tol:
            return EMResult(mixture, current, iteration - 1, True)
        previous = current
        mixture = _m_step(X, np.exp(log_joint - log_norm), start.covariance_type, reg)
    return EMResult(mixture, float(logsumexp(mixture.log_weighted_densities(X), axis=1).mean()), int(max_iter), False)


def em_from_partition(X: np.ndarray, labels: np.ndarray, covariance_type: str, reg: float, max_iter: int = 100, tol: float = 1e-3) -> EMResult:
    """EM started from a hard partition: its groups' proportions, means and covariances are the first parameters.

    ``labels`` (n,) may use any integers; the mixture has one component per distinct value, in sorted order.
    """
    if covariance_type not in COVARIANCE_TYPES:
        raise ValueError(f"covariance_type must be one of {COVARIANCE_TYPES}, got {covariance_type!r}")
    X = np.asarray(X, dtype=np.float64)
    _, codes = np.unique(labels, return_inverse=True)
    resp = np.zeros((len(X), int(codes.max()) + 1))
    resp[np.arange(len(X)), codes] = 1.0
    return em(X, _m_step(X, resp, covariance_type, reg), reg, max_iter, tol)


def standard_log_jacobian(std: np.ndarray) -> float:
    """``Σ_j log|ds_j/dx_j|`` of standardisation ``s_j(x) = (x_j − m_j) / σ_j``: ``−Σ_j log σ_j`` (constant columns,
    left unscaled, count 0)."""
    std = np.asarray(std, dtype=np.float64)
    return float(-np.log(np.where(std > 0, std, 1.0)).sum())


def bic(mixture: Mixture, X: np.ndarray, log_jacobian: float = 0.0) -> float:
    """``−2 (log L + n · log_jacobian) + p log n`` on rows ``X`` (n, d) of the fitted scale; lower is better."""
    n = len(X)
    return float(-2.0 * (mixture.log_likelihood(X) + n * log_jacobian) + mixture.n_parameters() * math.log(n))


def covariance_types_for(n_rows: int, n_features: int, n_components: int) -> tuple[str, ...]:
    """Spherical and diagonal always; full when its ``d(d+1)/2`` values per component are at most the rows per
    component, ``n / M`` (fewer rows fit noise in a full covariance)."""
    full = n_features * (n_features + 1) / 2 <= n_rows / max(n_components, 1)
    return COVARIANCE_TYPES if full else COVARIANCE_TYPES[:2]


@dataclass
class Candidate:
    covariance_type: str
    n_components: int
    bic: float
    fit: EMResult


def sweep(
    X: np.ndarray,
    components: Sequence[int],
    covariance_types: Sequence[str],
    reg: float,
    seed: int,
    log_jacobian: float = 0.0,
    kmeans_init: int = 3,
    step: Callable[[str], None] | None = None,
) -> list[Candidate]:
    """EM of every component count of ``components`` (from the best of ``kmeans_init`` k-means++ runs) and every
    covariance type of ``covariance_types``, each scored by :func:`bic`; returns the candidates, lowest BIC first.
    ``step(description)`` is called after each component count (progress)."""
    X = np.asarray(X, dtype=np.float64)
    out = []
    for M in components:
        labels = np.zeros(len(X), dtype=np.int64) if M == 1 else KMeans(int(M), n_init=int(kmeans_init), random_state=seed).fit(X).labels_
        for covariance_type in covariance_types:
            try:
                fit = em_from_partition(X, labels, covariance_type, reg)
            except np.linalg.LinAlgError:  # pragma: no cover - the covariance floor keeps every Σ positive definite
                logger.debug("mixture sweep: %s covariance with %d components is singular; skipped", covariance_type, M)
                continue
            out.append(Candidate(covariance_type, int(M), bic(fit.mixture, X, log_jacobian), fit))
        if step is not None:
            step(f"sweep, {M} components")
    return sorted(out, key=lambda c: c.bic)


def best_of_restarts(X: np.ndarray, covariance_type: str, n_components: int, reg: float, seeds: Sequence[int], extra: Sequence[Mixture] = (), step: Callable[[str], None] | None = None) -> EMResult:
    """The highest-likelihood EM on ``X`` among starts from one k-means++ partition per seed and the mixtures
    ``extra`` (e.g. the sweep's, refined by EM on these rows)."""
    X = np.asarray(X, dtype=np.float64)
    fits = [em(X, mixture, reg) for mixture in extra]
    for index, seed in enumerate(seeds):
        labels = KMeans(int(n_components), n_init=1, random_state=int(seed)).fit(X).labels_
        fits.append(em_from_partition(X, labels, covariance_type, reg))
        if step is not None:
            step(f"restart {index + 1}/{len(seeds)}")
    return max(fits, key=lambda fit: fit.mean_log_likelihood)
