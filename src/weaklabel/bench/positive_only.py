"""``weaklabel bench positive-only``: single-positive training on multi-digits and movies.

Protocol (DESIGN.md): fixed-seed train/test split; every training item keeps one positive,
chosen uniformly at random (items with none dropped); the test split is fully labelled; macro
mAP. Every positive-only loss runs beside full-label training (MultiLabelClassifier, bce on the
full training labels), assume-negative, and scikit-learn's per-label
HistGradientBoostingClassifier on assume-negative labels. Gap recovered =
(method - assume_negative) / (full - assume_negative). Every network, the
full-label one included, is a 256-256 MLP trained for at most 100 epochs
(patience 10); SinglePositiveClassifier's defaults are 512-512 and 200 epochs.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import numpy as np
import torch
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.model_selection import train_test_split
from threadpoolctl import threadpool_limits

from ..data import load_movies
from ..data.multidigits import make_multidigits
from ..data.weak import hide_positives
from ..estimators import MultiLabelClassifier
from ..estimators.single_positive import SinglePositiveClassifier
from ..losses import available_losses
from ..losses.positive_only import selection_propensity
from ..metrics import mean_average_precision
from ..report import Report
from . import register_suite

SEED = 0
Split = tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]


def _multidigits(quick: bool) -> tuple[Split, dict[str, Any]]:
    train, test = make_multidigits(n_train=1500 if quick else 6000, n_test=500 if quick else 2000, random_state=SEED)
    flat = lambda a: a.reshape(len(a), -1)  # noqa: E731
    return (flat(train.X), train.Y, flat(test.X), test.Y), {"scaling": "none"}


def _movies(quick: bool) -> tuple[Split, dict[str, Any]]:
    data = load_movies()
    n_train, n_test = (3000, 1000) if quick else (20_000, 8_000)
    X_tr, X_te, Y_tr, Y_te = train_test_split(data.X, data.Y, train_size=n_train, test_size=n_test, random_state=SEED)
    return (X_tr, Y_tr, X_te, Y_te), {"scaling": "ple"}


DATASETS: dict[str, Callable[[bool], tuple[Split, dict[str, Any]]]] = {"multi-digits": _multidigits, "movies": _movies}


def _hgb_assume_negative(X: np.ndarray, Y: np.ndarray, X_test: np.ndarray, quick: bool) -> np.ndarray:
    """Per-label HistGradientBoostingClassifier with unknown labels as negatives."""
    scores = np.zeros((len(X_test), Y.shape[1]))
    with threadpool_limits(limits=1):  # OpenMP spin-waits make HGB crawl on a busy 2-core machine
        for j in range(Y.shape[1]):
            model = HistGradientBoostingClassifier(max_iter=50 if quick else 200, early_stopping=True, random_state=SEED)
            scores[:, j] = model.fit(X, Y[:, j]).predict_proba(X_test)[:, 1]
    return scores


def _timed(fn: Callable[[], np.ndarray]) -> tuple[np.ndarray, float]:
    start = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - start


#: seeds of the protocol's random parts (which positive each item keeps) and of the networks;
#: the train/test split is fixed (SEED)
SEEDS = (0, 1, 2)
#: cross-fitted refinement on top of a loss: (loss, refine_rounds, refine_folds) of SinglePositiveClassifier;
#: the default, and the default with twice the folds (twice the fits) to show what more compute buys
REFINED = (("selection_likelihood", 2, 5), ("assume_negative", 2, 5), ("role", 3, 5), ("role", 3, 10))


#: rows that are not methods a user could run: they bound what removing the single-positive bias can gain
DIAGNOSTICS = (
    "diagnostic: as many positives kept at random (bce)",
    "diagnostic: assume_negative ÷ true propensity",
)


def _random_keep(Y: np.ndarray, n_keep: int, seed: int) -> np.ndarray:
    """``Y`` with ``n_keep`` of its positives kept uniformly at random (the rest set to 0): the same amount of
    positive labels as the single-positive protocol, selected completely at random, so assume-negative
    training on it is unbiased for ranking (Elkan & Noto 2008)."""
    rows, cols = np.nonzero(Y)
    keep = np.random.default_rng(seed + 1000).choice(len(rows), size=n_keep, replace=False)
    out = np.zeros_like(Y)
    out[rows[keep], cols[keep]] = 1
    return out


def _methods(shared: dict[str, Any], quick: bool) -> list[tuple[str, Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]]]:
    """(name, fit(X_observed, observed, X_test) -> test scores) for every single-positive method."""

    def spc(**params: Any) -> Callable[[np.ndarray, np.ndarray, np.ndarray], np.ndarray]:
        return lambda X, Y, X_test: SinglePositiveClassifier(**params, **shared).fit(X, Y).predict_proba(X_test)

    methods = [("HGB, assume negative", lambda X, Y, X_test: _hgb_assume_negative(X, Y, X_test, quick))]
    methods += [(loss, spc(loss=loss, refine_rounds=0)) for loss in available_losses("positive_only")]
    methods += [
        (f"{loss} + refine {rounds}" + ("" if folds == 5 else f", {folds} folds"), spc(loss=loss, refine_rounds=rounds, refine_folds=folds))
        for loss, rounds, folds in REFINED
    ]
    return methods


def network_params(seed: int, quick: bool, verbose: int, extra: dict[str, Any]) -> dict[str, Any]:
    """The estimator parameters every network of the benchmark shares (``extra``: the data set's scaling)."""
    return dict(
        hidden_sizes=(128,) if quick else (256, 256),
        max_epochs=15 if quick else 100,
        patience=10,
        random_state=seed,
        verbose=verbose,
        **extra,
    )


def run_dataset(name: str, quick: bool, verbose: int, seeds: tuple[int, ...] = SEEDS) -> tuple[list[dict[str, Any]], str]:
    """One row per method and seed (mAP on the fully labelled test split, gap recovered, fit seconds) and a description."""
    (X_tr, Y_tr, X_te, Y_te), extra = DATASETS[name](quick)
    rows = []
    for seed in seeds:
        observed, kept = hide_positives(Y_tr, random_state=seed)
        shared = network_params(seed, quick, verbose, extra)
        random_keep = _random_keep(Y_tr[kept], int(observed.sum()), seed)
        runs = [("full labels (bce)", lambda: MultiLabelClassifier(threshold=0.5, **shared).fit(X_tr, Y_tr).predict_proba(X_te))]
        runs += [(method, lambda fit=fit: fit(X_tr[kept], observed, X_te)) for method, fit in _methods(shared, quick)]
        runs.append((DIAGNOSTICS[0], lambda: MultiLabelClassifier(threshold=0.5, **shared).fit(X_tr[kept], random_keep).predict_proba(X_te)))
        seed_rows, probas = [], {}
        for method, fit in runs:
            probas[method], seconds = _timed(fit)
            seed_rows.append({"dataset": name, "seed": seed, "method": method, "mAP": 100 * mean_average_precision(Y_te, probas[method]), "fit_s": seconds})
            print(f"{name:13s} seed {seed} {method:32s} mAP {seed_rows[-1]['mAP']:.2f}  {seconds:.1f} s", flush=True)
        corrected = probas["assume_negative"] / selection_propensity(torch.from_numpy(probas["full labels (bce)"]).double()).numpy()
        seed_rows.append({"dataset": name, "seed": seed, "method": DIAGNOSTICS[1], "mAP": 100 * mean_average_precision(Y_te, corrected), "fit_s": 0.0})
        full = seed_rows[0]["mAP"]
        an = next(r["mAP"] for r in seed_rows if r["method"] == "assume_negative")
        for r in seed_rows:
            r["gap_recovered"] = (r["mAP"] - an) / (full - an) if full != an else float("nan")
        rows += seed_rows
    info = (
        f"{int(kept.sum())} training items (one positive kept each), {len(X_te)} fully labelled test items, "
        f"{Y_tr.shape[1]} labels, {Y_te.sum(axis=1).mean():.2f} true positives per test item; seeds {list(seeds)}."
    )
    return rows, info


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Mean and standard deviation over seeds of mAP and gap recovered, mean fit seconds, one row per method."""
    out = []
    for method in dict.fromkeys(r["method"] for r in rows):
        mine = [r for r in rows if r["method"] == method]
        m = np.array([r["mAP"] for r in mine])
        g = np.array([r["gap_recovered"] for r in mine])
        out.append({
            "method": method,
            "mAP": m.mean(),
            "mAP_sd": m.std(ddof=1) if len(m) > 1 else 0.0,
            "gap_recovered": g.mean(),
            "gap_sd": g.std(ddof=1) if len(g) > 1 else 0.0,
            "below_AN_seeds": int(np.sum(g < 0)),
            "fit_s": float(np.mean([r["fit_s"] for r in mine])),
        })
    return out


@register_suite("positive-only")
def positive_only_suite(quick: bool, verbose: int) -> Report:
    """Every positive-only loss (and the refined variants) on multi-digits and movies; mAP, gap recovered, fit time."""
    report = Report("Positive-only benchmark" + (" (quick)" if quick else ""))
    report.text(__doc__.split("\n\n", 1)[1].strip())
    columns = ["method", "mAP", "mAP_sd", "gap_recovered", "gap_sd", "below_AN_seeds", "fit_s"]
    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # small MLPs: one thread is faster than two contending ones on a busy 2-core machine
    seeds = SEEDS[:1] if quick else SEEDS
    try:
        results = {name: run_dataset(name, quick, verbose, seeds) for name in DATASETS}
    finally:
        torch.set_num_threads(threads)
    for name, (rows, info) in results.items():
        report.section(name, info).table(
            summarise(rows), columns=columns,
            caption=f"{name}: test macro mAP (%), gap recovered, mean ± sd over seeds; below_AN_seeds = seeds where the method scored below assume-negative.",
        )
    report.text(
        "Diagnostics (not methods): *as many positives kept at random* trains BCE on the same number of "
        "positive labels as the single-positive data, but chosen completely at random (unbiased, so its gap to "
        "full labels is the cost of having fewer labels); *assume_negative ÷ true propensity* divides "
        "assume-negative's test scores by E[1/|S|] computed from the full-label model's probabilities "
        "(selection_propensity), the bias correction a method could reach if it knew the other labels' "
        "probabilities exactly. On multi-digits it falls below assume-negative: there the labels are close to "
        "certain given the image, assume-negative's ranking is already right, and dividing by a propensity "
        "that varies between items reorders it."
    )
    report.section("Every run").table([r for rows, _ in results.values() for r in rows], columns=["dataset", "seed", "method", "mAP", "gap_recovered", "fit_s"])
    report.text(
        "Reproduce: `weaklabel bench positive-only`. Setup: MLP 256-256 (batch norm, dropout 0.1), AdamW lr 1e-3, "
        "batch 256, up to 100 epochs with early stopping on the observed-label validation loss (10% of the "
        "training items; for refined rounds, the soft-label loss), one torch thread; expected_positives "
        "estimated from neighbours where a loss needs it; `+ refine N` = N rounds of 5-fold (or F-fold) "
        "cross-fitted refinement after the loss's round (SinglePositiveClassifier(refine_rounds=N, refine_folds=F): "
        "(N + 1) × F networks, the model the mean probability of the last round's F)."
    )
    return report
