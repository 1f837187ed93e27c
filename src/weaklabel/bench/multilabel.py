"""``weaklabel bench multilabel``: every multilabel loss beside scikit-learn peers on the same splits.

First part (this module): the sparse generator at q = 0.1 and q = 0.9 (30,000 × 30, with its Bayes
rule as the ceiling) and ``ggplot2movies/movies`` (7 genres). Split 80/20 with
a fixed seed. The peers tune per-label F1 thresholds (each label's F1 maximiser) on
a 10% validation share of the training split drawn by ``train_test_split``. On the
sparse generator the estimators are one network each (``n_members=1``): they tune on
their own 10% validation split by the ``threshold="tune"`` one-standard-error rule.
On movies they are the default, 3 cross-fitted members, whose thresholds are each
label's F1 maximiser on the members' out-of-fold scores of every training row. Plain BCE at threshold 0.5 is shown as the
naive baseline (the tuned bce network read at 0.5: the threshold does not change the training). Second part: the five standard multi-label sets, below.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.multiclass import OneVsRestClassifier
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from ..data import Dataset, bayes_rule, load_movies, make_sparse_multilabel
from ..estimators import MultiLabelClassifier
from ..metrics import mean_average_precision, precision_recall_f1, tune_thresholds
from ..report import Report, format_table
from . import register_suite
from ._standard_sets import add_standard_sets

LOSSES = ("bce", "weighted_bce", "focal", "asymmetric")
SEED = 0


def _split(data: Dataset) -> tuple[np.ndarray, ...]:
    return train_test_split(data.X, data.Y.astype(np.int64), test_size=0.2, random_state=SEED)


def _peer_scores(make: Callable[[], Any], X_tr: np.ndarray, Y_tr: np.ndarray, X_te: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Fit a peer on 90% of the training split; tune thresholds on the other 10%; score the test split."""
    X_fit, X_val, Y_fit, Y_val = train_test_split(X_tr, Y_tr, test_size=0.1, random_state=SEED)
    model = make().fit(X_fit, Y_fit)
    proba = lambda X: np.column_stack([p[:, 1] for p in model.predict_proba(X)]) if isinstance(model.predict_proba(X), list) else model.predict_proba(X)  # noqa: E731
    return proba(X_te), tune_thresholds(Y_val, proba(X_val))


class _PerLabel:
    """One binary classifier per label (scikit-learn's HGB is not multi-label)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self.make = make

    def fit(self, X: np.ndarray, Y: np.ndarray) -> _PerLabel:
        self.models = [self.make().fit(X, Y[:, j]) for j in range(Y.shape[1])]
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        return np.column_stack([m.predict_proba(X)[:, 1] for m in self.models])


def _row(data: str, method: str, Y_te: np.ndarray, proba: np.ndarray | None, pred: np.ndarray, seconds: float | None) -> dict[str, Any]:
    p, r, f1 = precision_recall_f1(Y_te, pred, average="macro")
    return {
        "data": data,
        "method": method,
        "mAP": None if proba is None else 100 * mean_average_precision(Y_te, proba),
        "macro_F1": f1,
        "micro_F1": precision_recall_f1(Y_te, pred, average="micro")[2],
        "macro_recall": r,
        "macro_precision": p,
        "fit_s": seconds,
    }


def _run_dataset(name: str, data: Dataset, mlc_params: dict[str, Any], with_bayes: bool, verbose: int) -> list[dict[str, Any]]:
    X_tr, X_te, Y_tr, Y_te = _split(data)
    rows = []
    if with_bayes:
        rows.append(_row(name, "Bayes rule (ceiling)", Y_te, None, bayes_rule(X_te), None))
    for loss in LOSSES:
        start = time.perf_counter()
        model = MultiLabelClassifier(**mlc_params, loss=loss, random_state=SEED, verbose=verbose).fit(X_tr, Y_tr)
        seconds = time.perf_counter() - start
        proba = model.predict_proba(X_te)
        if loss == "bce":  # the threshold does not change the training: the same network, read at 0.5
            rows.append(_row(name, "MultiLabelClassifier bce, threshold 0.5", Y_te, proba, (proba >= 0.5).astype(np.int64), seconds))
        rows.append(_row(name, f"MultiLabelClassifier {loss}, tuned", Y_te, proba, (proba >= model.thresholds_).astype(np.int64), seconds))
    peers = {
        "one-vs-rest LogisticRegression": lambda: OneVsRestClassifier(make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))),
        "per-label HistGradientBoosting": lambda: _PerLabel(lambda: HistGradientBoostingClassifier(random_state=SEED)),
    }
    for method, make in peers.items():
        start = time.perf_counter()
        proba, thresholds = _peer_scores(make, X_tr, Y_tr, X_te)
        rows.append(_row(name, f"{method}, tuned", Y_te, proba, (proba >= thresholds).astype(np.int64), time.perf_counter() - start))
    print(format_table(rows))
    return rows


@register_suite("multilabel")
def multilabel_suite(quick: bool, verbose: int) -> Report:
    start = time.perf_counter()
    n = 6_000 if quick else 30_000
    report = Report("Benchmark: multilabel")
    report.text(__doc__.split("\n\n", 1)[1])
    sparse_params = dict(hidden_sizes=(64,), batch_size=512, max_epochs=10 if quick else 60, n_members=1)
    for q in (0.1, 0.9):
        rows = _run_dataset(f"sparse q={q}", make_sparse_multilabel(n, 30, q=q, random_state=SEED), sparse_params, True, verbose)
        report.section(f"Sparse generator, q = {q} ({n} × 30)").table(rows)
    movies = load_movies()
    if quick:
        movies = Dataset(movies.X[:5000], movies.Y[:5000], movies.feature_names, movies.label_names)
    movie_params = dict(max_epochs=5) if quick else {}
    rows = _run_dataset("movies", movies, movie_params, False, verbose)
    report.section(f"ggplot2movies/movies ({len(movies.X)} films with a genre, 7 genres)").table(rows)
    default = next(r for r in rows if r["method"] == "MultiLabelClassifier bce, tuned")  # the default, seed SEED
    seed_rows = [{"seed": SEED, "mAP": default["mAP"]}] + _default_over_seeds(movies, movie_params, () if quick else (1, 2), verbose)
    report.table(seed_rows, caption=f"The default MultiLabelClassifier on the same movies split with {len(seed_rows)} network seeds (test mAP).")
    synthetic_seconds = time.perf_counter() - start
    add_standard_sets(report, quick, verbose)
    total = time.perf_counter() - start
    report.section(
        "Wall time",
        f"The whole suite ran in {total / 60:.1f} minutes ({synthetic_seconds / 60:.1f} for the synthetic and movies "
        f"part, {(total - synthetic_seconds) / 60:.1f} for the standard sets), with {torch.get_num_threads()} torch threads.",
    )
    return report


def _default_over_seeds(data: Dataset, params: dict[str, Any], seeds: tuple[int, ...], verbose: int) -> list[dict[str, Any]]:
    """Test mAP of the default MultiLabelClassifier per network seed, on the fixed split (the split's variance is not in it)."""
    X_tr, X_te, Y_tr, Y_te = _split(data)
    return [
        {"seed": seed, "mAP": 100 * mean_average_precision(Y_te, MultiLabelClassifier(**params, random_state=seed, verbose=verbose).fit(X_tr, Y_tr).predict_proba(X_te))}
        for seed in seeds
    ]
