"""Input scaling fitted on training data and saved with the model.

Methods (``FeatureScaler(method=...)``):

- ``"none"``: features used as given.
- ``"standard"``: ``(x − mean) / std`` per column (constant columns: std := 1).
- ``"robust"``: ``sign(x) · log1p(|x|)`` then standardised; tames heavy tails
  such as vote counts while keeping the order of values.
- ``"quantile"``: each column mapped through its empirical CDF to a standard
  normal, ``Φ⁻¹(F̂(x))``; invariant to any monotone distortion of a column.
- ``"ple"``: piecewise-linear encoding (Gorishniy, Rubachev & Babenko, "On
  Embeddings for Numerical Features in Tabular Deep Learning", NeurIPS 2022).
  Column ``x`` with quantile bin edges ``b_0 < … < b_T`` becomes ``T`` values
  ``clip((x − b_{t−1}) / (b_t − b_{t−1}), 0, 1)``; the quantile-normal value of
  the column is appended, so each column contributes ``T + 1`` inputs.
- ``"auto"``: by column type. A binary column (only 0 and 1 in the training
  rows, e.g. a word's presence) is used as given, one input; every other column
  gets ``"ple"``. On the standard multi-label sets this is ``"none"`` for the
  bag-of-words sets (bibtex, tmc2007), where it beats ``"ple"``, and ``"ple"``
  for the dense ones (yeast, scene, emotions), where it beats standardising.

All state is a handful of NumPy arrays, saved as tensors with the model.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.special import ndtri

from ..exceptions import InputError

METHODS = ("none", "standard", "robust", "quantile", "ple", "auto")
#: :func:`spread_scaling` standardises when the largest column spread exceeds this multiple of the median one
SPREAD_RATIO = 6.0
_CDF_CLIP = 1e-7  # keeps Φ⁻¹ finite: ±5.2 standard deviations
_MAX_FIT_ROWS = 200_000


def spread_scaling(X: np.ndarray, ratio: float = SPREAD_RATIO) -> str:
    """``"standard"`` when the columns' spreads differ a lot (largest standard deviation > ``ratio`` × the median
    one, constant columns ignored), else ``"none"``: columns in different units (a table of lengths, masses and
    counts) are standardised, columns in one unit (pixels, embeddings, coordinates) keep their relative spreads,
    which carry the structure (standardising digits' pixels inflates the near-empty border ones). Issue 20's suite
    of 18 tables: the rule picks the better of the two for the mixture–graph method within 0.01 on 17 (not Hawks)."""
    X = X.reshape(len(X), -1)
    sample = X if len(X) <= _MAX_FIT_ROWS else X[np.random.default_rng(0).choice(len(X), _MAX_FIT_ROWS, replace=False)]
    spread = sample.std(axis=0, dtype=np.float64)
    spread = spread[spread > 0]
    return "standard" if len(spread) and spread.max() > ratio * np.median(spread) else "none"


class FeatureScaler:
    """Per-column feature transform; see the module docstring for ``method``."""

    def __init__(self, method: str = "standard", n_quantiles: int = 256, n_bins: int = 16, random_state: int = 0) -> None:
        if method not in METHODS:
            raise InputError(f"unknown scaling {method!r}; choose one of {METHODS}")
        if n_quantiles < 2 or n_bins < 1:
            raise InputError(f"n_quantiles must be ≥ 2 and n_bins ≥ 1, got {n_quantiles} and {n_bins}")
        self.method = method
        self.n_quantiles = n_quantiles
        self.n_bins = n_bins
        self.random_state = random_state
        self.state: dict[str, np.ndarray] = {}

    # -- fitting -----------------------------------------------------------
    def fit(self, X: np.ndarray) -> FeatureScaler:
        """Learn the transform from training rows ``X`` (n, d)."""
        X = self._flat(X)
        sample = self._sample(X)
        state: dict[str, np.ndarray] = {"n_features_in": np.array([X.shape[1]], dtype=np.int64)}
        if self.method in ("standard", "robust"):
            Z = _signed_log1p(sample) if self.method == "robust" else sample
            state["mean"] = Z.mean(axis=0)
            std = Z.std(axis=0)
            state["std"] = np.where(std > 0, std, 1.0)
        if self.method == "auto":
            binary = np.all((sample == 0) | (sample == 1), axis=0)
            state["binary"] = binary.astype(np.float64)
            sample = sample[:, ~binary]  # the PLE state below is of the other columns
        if self.method in ("quantile", "ple", "auto"):
            levels = np.linspace(0.0, 1.0, min(self.n_quantiles, max(len(sample), 2)))
            state["quantiles"] = np.quantile(sample, levels, axis=0)  # (q, d)
        if self.method in ("ple", "auto"):
            state["bin_edges"] = _bin_edges(sample, self.n_bins)  # (d, n_bins + 1), NaN-padded
        self.state = {k: np.asarray(v, dtype=np.float64) if k != "n_features_in" else v for k, v in state.items()}
        return self

    def _sample(self, X: np.ndarray) -> np.ndarray:
        if len(X) <= _MAX_FIT_ROWS:
            return X.astype(np.float64)
        rows = np.random.default_rng(self.random_state).choice(len(X), _MAX_FIT_ROWS, replace=False)
        return X[np.sort(rows)].astype(np.float64)

    # -- transforming ------------------------------------------------------
    @property
    def n_features_in(self) -> int:
        return int(self.state["n_features_in"][0])

    @property
    def n_features_out(self) -> int:
        """Number of columns ``transform`` returns."""
        if self.method not in ("ple", "auto"):
            return self.n_features_in
        edges = self.state["bin_edges"]
        n_binary = int(self.state["binary"].sum()) if self.method == "auto" else 0
        return int(np.sum(np.sum(~np.isnan(edges), axis=1) - 1) + edges.shape[0]) + n_binary

    def transform(self, X: np.ndarray) -> np.ndarray:
        """Transform rows ``X`` (n, d) → float32 (n, n_features_out)."""
        if not self.state:
            raise RuntimeError("FeatureScaler.transform called before fit")
        shape = X.shape
        X = self._flat(X)
        if self.method == "none":
            out = X
        elif self.method in ("standard", "robust"):
            Z = _signed_log1p(X) if self.method == "robust" else X
            out = (Z - self.state["mean"]) / self.state["std"]
        elif self.method == "quantile":
            out = _quantile_normal(X, self.state["quantiles"])
        elif self.method == "ple":
            out = _ple(X, self.state)
        else:  # auto: binary columns as given, then the PLE of the others
            binary = self.state["binary"].astype(bool)
            out = np.concatenate([X[:, binary], _ple(X[:, ~binary], self.state)], axis=1)
        out = np.ascontiguousarray(out, dtype=np.float32)
        if len(shape) > 2 and self.method not in ("ple", "auto"):
            out = out.reshape(shape)
        return out

    def fit_transform(self, X: np.ndarray) -> np.ndarray:
        return self.fit(X).transform(X)

    @staticmethod
    def _flat(X: np.ndarray) -> np.ndarray:
        return X.reshape(len(X), -1) if X.ndim > 2 else X

    # -- persistence -------------------------------------------------------
    def get_config(self) -> dict[str, Any]:
        return {"method": self.method, "n_quantiles": self.n_quantiles, "n_bins": self.n_bins}

    @classmethod
    def from_state(cls, config: dict[str, Any], state: dict[str, np.ndarray]) -> FeatureScaler:
        scaler = cls(**config)
        scaler.state = dict(state)
        return scaler


def _ple(X: np.ndarray, state: dict[str, np.ndarray]) -> np.ndarray:
    """The piecewise-linear encoding of every column, then each column's quantile-normal value."""
    return np.concatenate([_piecewise_linear(X, state["bin_edges"]), _quantile_normal(X, state["quantiles"])], axis=1)


def _signed_log1p(X: np.ndarray) -> np.ndarray:
    return np.sign(X) * np.log1p(np.abs(X))


def _quantile_normal(X: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """``Φ⁻¹(F̂(x))`` per column; ties get the middle of their CDF step."""
    levels = np.linspace(0.0, 1.0, len(quantiles))
    out = np.empty(X.shape, dtype=np.float64)
    for j in range(X.shape[1]):
        q = quantiles[:, j]
        up = np.interp(X[:, j], q, levels)
        down = -np.interp(-X[:, j], -q[::-1], -levels[::-1])
        out[:, j] = 0.5 * (up + down)
    return ndtri(np.clip(out, _CDF_CLIP, 1.0 - _CDF_CLIP))


def _bin_edges(X: np.ndarray, n_bins: int) -> np.ndarray:
    """Distinct quantile edges per column, NaN-padded to ``n_bins + 1``."""
    levels = np.linspace(0.0, 1.0, n_bins + 1)
    edges = np.full((X.shape[1], n_bins + 1), np.nan)
    for j in range(X.shape[1]):
        distinct = np.unique(np.quantile(X[:, j], levels))
        edges[j, : len(distinct)] = distinct
    return edges


def _piecewise_linear(X: np.ndarray, bin_edges: np.ndarray) -> np.ndarray:
    """Piecewise-linear encoding: one value in [0, 1] per bin of each column."""
    blocks = []
    for j in range(X.shape[1]):
        e = bin_edges[j][~np.isnan(bin_edges[j])]
        if len(e) < 2:
            continue  # constant column: its quantile-normal value carries it
        left, width = e[:-1], np.diff(e)
        blocks.append(np.clip((X[:, j : j + 1] - left) / width, 0.0, 1.0))
    return np.concatenate(blocks, axis=1) if blocks else np.zeros((len(X), 0))
