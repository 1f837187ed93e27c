"""The standard-set part of ``weaklabel bench multilabel``: yeast, scene, emotions, bibtex, tmc2007 (the
protocol is :data:`PROTOCOL`, printed in the report)."""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from ..datasets import MultiLabelDataset
from ..metrics import multilabel_report, tune_thresholds
from ..peers import BinaryRelevance, MLkNN
from ._quoted import quoted_table

PROTOCOL = """Each set is split as its source splits it (yeast, scene), else by the fixed seed-0 80/20 split of
`weaklabel.datasets`; every method sees the same training and test rows. The peers, binary relevance with
logistic regression, per-label HistGradientBoosting and ML-kNN, are fitted on 90% of the training rows; the
other 10% (drawn with seed 0) chooses logistic regression's C per label (validation log-loss over C in 0.01,
0.1, 1, 10, features standardised) and every peer's per-label F1-maximising thresholds; then each peer is
refitted with those choices on every training row, and its test scores come from that refit (at the
thresholds tuned before). They are deterministic: one run each. Our MultiLabelClassifier runs on 3 network
seeds; its default cuts the training rows into 3 folds, trains one member on each two and early-stops it on the
third, averages the members' probabilities and tunes each label's F1-maximising threshold on the out-of-fold
scores of every training row; with one network (`n_members=1`) it makes its own 10% validation split and tunes
there by the one-standard-error rule. The counting metrics (Hamming loss, subset accuracy, example-F1, macro- and micro-F1) are of each
method's decisions at its tuned thresholds; the ranking metrics (LRAP, ranking loss, coverage, one-error)
and mAP are of its scores. Coverage is in Zhang & Zhou's convention (scikit-learn's coverage_error − 1)."""

#: member networks trained at once (worker processes): the suite's budget is for 2 cores; the figures do not
#: depend on it (a member's training is the same in any process)
NETWORK_JOBS = 2

PEER_SEED = 0
PEER_VALIDATION = 0.1
C_GRID = (0.01, 0.1, 1.0, 10.0)
NETWORK_SEEDS = (0, 1, 2)

#: the table's metrics: name → (report key, lower is better)
METRICS: dict[str, tuple[str, bool]] = {
    "LRAP": ("lrap", False),
    "ranking loss": ("ranking_loss", True),
    "coverage": ("coverage", True),
    "one-error": ("one_error", True),
    "Hamming loss": ("hamming_loss", True),
    "subset acc.": ("subset_accuracy", False),
    "example-F1": ("example_f1", False),
    "macro-F1": ("macro_f1", False),
    "micro-F1": ("micro_f1", False),
    "mAP": ("map", False),
}


def scores(y_true: np.ndarray, proba: np.ndarray, predicted: np.ndarray) -> dict[str, float]:
    """Every metric of :data:`METRICS` for one method on the test rows."""
    report = multilabel_report(y_true, proba, predicted)
    return {key: report[key] for key, _ in METRICS.values()}


class ValidatedLogisticRegression:
    """Binary relevance with logistic regression, each label's C chosen on validation rows by log-loss.

    Features are standardised (fitted on the training rows). Each label's path over :data:`C_GRID` is
    fitted with warm starts (lbfgs), smallest C first; the C of lowest validation log-loss is kept in ``C_``,
    and :meth:`refit` fits those Cs on other rows (the whole training split).
    """

    def __init__(self, Cs: Sequence[float] = C_GRID) -> None:
        self.Cs = tuple(Cs)

    def fit(self, X: np.ndarray, Y: np.ndarray, X_val: np.ndarray, Y_val: np.ndarray) -> ValidatedLogisticRegression:
        self.scaler_ = StandardScaler().fit(X)
        Xs, Xv = self.scaler_.transform(X), self.scaler_.transform(X_val)
        self.models_: list[Any] = []
        self.C_: list[float] = []
        for label in range(Y.shape[1]):
            y, y_val = Y[:, label], Y_val[:, label]
            if y.min() == y.max():
                self.models_.append(float(y[0]))
                self.C_.append(float("nan"))
                continue
            best, best_loss, model = None, np.inf, LogisticRegression(max_iter=500, warm_start=True)
            for C in self.Cs:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", ConvergenceWarning)
                    model.set_params(C=C).fit(Xs, y)
                p = np.clip(model.predict_proba(Xv)[:, 1], 1e-7, 1 - 1e-7)
                loss = -np.mean(y_val * np.log(p) + (1 - y_val) * np.log(1 - p))
                if loss < best_loss:
                    best, best_loss = (model.coef_.copy(), model.intercept_.copy(), C), loss
            fitted = LogisticRegression(C=best[2])
            fitted.coef_, fitted.intercept_, fitted.classes_ = best[0], best[1], np.array([0, 1])
            self.models_.append(fitted)
            self.C_.append(best[2])
        return self

    def refit(self, X: np.ndarray, Y: np.ndarray) -> ValidatedLogisticRegression:
        """The same per-label Cs fitted on ``X``, ``Y`` (a label constant there keeps its constant)."""
        self.scaler_ = StandardScaler().fit(X)
        Xs = self.scaler_.transform(X)
        models: list[Any] = []
        for label, C in enumerate(self.C_):
            y = Y[:, label]
            if y.min() == y.max():
                models.append(float(y[0]))
                continue
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", ConvergenceWarning)
                models.append(LogisticRegression(C=1.0 if np.isnan(C) else C, max_iter=500).fit(Xs, y))
        self.models_ = models
        return self

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        Xs = self.scaler_.transform(X)
        return np.column_stack([np.full(len(X), m) if isinstance(m, float) else m.predict_proba(Xs)[:, 1] for m in self.models_])


@dataclass
class Peer:
    """A peer: its name; ``fit(X, Y, X_val, Y_val)`` → a model with ``predict_proba`` (the validation rows choose
    what it chooses); ``refit(model, X, Y)`` → the same choices fitted on the whole training split; and the sets
    it is left out on, with the reason."""

    name: str
    fit: Callable[[np.ndarray, np.ndarray, np.ndarray, np.ndarray], Any]
    refit: Callable[[Any, np.ndarray, np.ndarray], Any]
    skipped: dict[str, str] = field(default_factory=dict)


def _hgb() -> BinaryRelevance:
    return BinaryRelevance(HistGradientBoostingClassifier(random_state=PEER_SEED))


def _mlknn() -> Any:
    # Mulan's ML-kNN measures Weka's Euclidean distance, which scales every feature to [0, 1]
    return make_pipeline(MinMaxScaler(), MLkNN())


PEERS = (
    Peer(
        "BR logistic regression (C per label on validation)",
        lambda X, Y, X_val, Y_val: ValidatedLogisticRegression().fit(X, Y, X_val, Y_val),
        lambda model, X, Y: model.refit(X, Y),
    ),
    Peer(
        "per-label HistGradientBoosting",
        lambda X, Y, X_val, Y_val: _hgb().fit(X, Y),
        lambda model, X, Y: _hgb().fit(X, Y),
        skipped={
            "bibtex": "159 labels × 1,836 binary features: 5-40 s a label on one thread, 4.6 s of it binning the "
            "features (measured under load), so 15-100 min for the set and twice that with the refit, beyond the "
            "suite's budget"
        },
    ),
    Peer("ML-kNN (k = 10, s = 1, features scaled to [0, 1])", lambda X, Y, X_val, Y_val: _mlknn().fit(X, Y), lambda model, X, Y: _mlknn().fit(X, Y)),
)


def run_peer(peer: Peer, data: MultiLabelDataset) -> dict[str, Any]:
    """Fit ``peer`` on 90% of the training rows, choose its C (logistic regression) and tune its thresholds on the
    other 10%, refit those choices on every training row, and score the test rows with the refit model at the
    tuned thresholds. Fit seconds count both fits."""
    X_train, X_test, Y_train, Y_test = data.train_test()
    Y_train, Y_test = Y_train.astype(np.int64), Y_test.astype(np.int64)
    X_fit, X_val, Y_fit, Y_val = train_test_split(X_train, Y_train, test_size=PEER_VALIDATION, random_state=PEER_SEED)
    start = time.perf_counter()
    model = peer.fit(X_fit, Y_fit, X_val, Y_val)
    thresholds = tune_thresholds(Y_val, model.predict_proba(X_val))
    model = peer.refit(model, X_train, Y_train)
    seconds = time.perf_counter() - start
    proba = model.predict_proba(X_test)
    return {"method": peer.name, **scores(Y_test, proba, (proba >= thresholds).astype(np.int64)), "fit_s": seconds}


def run_network(data: MultiLabelDataset, params: dict[str, Any], seed: int, verbose: int) -> dict[str, Any]:
    """Fit MultiLabelClassifier(**params) with ``random_state=seed`` on the training rows; score the test rows."""
    from ..estimators import MultiLabelClassifier

    X_train, X_test, Y_train, Y_test = data.train_test()
    start = time.perf_counter()
    model = MultiLabelClassifier(**{"n_jobs": NETWORK_JOBS, **params}, random_state=seed, verbose=verbose).fit(X_train, Y_train)
    seconds = time.perf_counter() - start
    proba = model.predict_proba(X_test)
    Y_test = Y_test.astype(np.int64)
    return {**scores(Y_test, proba, (proba >= model.thresholds_).astype(np.int64)), "fit_s": seconds, "epochs": model.n_epochs_}


def summary_table(network_rows: dict[str, list[dict[str, Any]]], peer_rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """One row per method: for the networks the mean over seeds with the worst seed in brackets, for the
    (deterministic) peers their one run; the best mean of each metric in bold; fit seconds (mean)."""
    rows = []
    for method, runs in network_rows.items():
        row: dict[str, Any] = {"method": method, "runs": len(runs)}
        for column, (key, lower) in METRICS.items():
            values = np.array([r[key] for r in runs])
            row[column] = (values.mean(), values.max() if lower else values.min())
        row["fit s"] = float(np.mean([r["fit_s"] for r in runs]))
        rows.append(row)
    for result in peer_rows:
        rows.append({"method": result["method"], "runs": 1, **{c: (result[k], None) for c, (k, _) in METRICS.items()}, "fit s": result["fit_s"]})
    for column, (_, lower) in METRICS.items():
        means = [row[column][0] for row in rows]
        best = min(means) if lower else max(means)
        for row in rows:
            mean, worst = row[column]
            cell = f"{mean:.3f}" + ("" if worst is None or row["runs"] == 1 else f" ({worst:.3f})")
            row[column] = f"**{cell}**" if np.isclose(mean, best, rtol=0, atol=5e-4) else cell
    return rows


#: our estimator's rows: the default (3 cross-fitted members), one network, then each other loss
NETWORKS: tuple[tuple[str, dict[str, Any]], ...] = (
    ("MultiLabelClassifier (default: bce, 3 members)", {}),
    ("MultiLabelClassifier, one network (n_members=1)", {"n_members": 1}),
    ("MultiLabelClassifier weighted_bce", {"loss": "weighted_bce"}),
    ("MultiLabelClassifier focal", {"loss": "focal"}),
    ("MultiLabelClassifier asymmetric", {"loss": "asymmetric"}),
)

#: the rows after the default run on the first seed only, for the suite's time budget (the default runs on every
#: seed everywhere); the other losses do not run on these sets (a tmc2007 network costs about 20 yeast ones)
DEFAULT_ONLY_SETS = ("bibtex", "tmc2007")


def network_runs(set_name: str, networks: Sequence[tuple[str, dict[str, Any]]], seeds: Sequence[int]) -> list[tuple[str, dict[str, Any], Sequence[int]]]:
    """What runs on ``set_name``: (row name, parameters, seeds) — the default on every seed, one network on the first,
    each other loss on the first except on :data:`DEFAULT_ONLY_SETS`."""
    runs = []
    for i, (name, params) in enumerate(networks):
        if i == 0:
            runs.append((name, params, seeds))
        elif "loss" not in params or set_name not in DEFAULT_ONLY_SETS:
            runs.append((name, params, seeds[:1]))
    return runs


def run_set(data: MultiLabelDataset, seeds: Sequence[int], networks: Sequence[tuple[str, dict[str, Any]]], verbose: int) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The table of one set (the networks of :func:`network_runs`, then every peer that runs on it) and the default's
    mean of every metric over its seeds."""
    network_rows = {name: [run_network(data, params, seed, verbose) for seed in run_seeds] for name, params, run_seeds in network_runs(data.name, networks, seeds)}
    peer_rows = [run_peer(peer, data) for peer in PEERS if data.name not in peer.skipped]
    default_runs = network_rows[networks[0][0]]
    default_mean = {key: float(np.mean([r[key] for r in default_runs])) for key, _ in METRICS.values()}
    return summary_table(network_rows, peer_rows), default_mean


def mlknn_cross_validation(data: MultiLabelDataset, k: int = 10, s: float = 1.0, folds: int = 10) -> dict[str, tuple[float, float]]:
    """ML-kNN as Zhang & Zhou ran it on yeast: ``folds``-fold cross-validation over every row (shuffled with
    seed 0), Euclidean distance on the features as given, MAP decisions; mean and standard deviation over
    the folds of Hamming loss, one-error, coverage, ranking loss and average precision (LRAP)."""
    from sklearn.model_selection import KFold

    keys = ("hamming_loss", "one_error", "coverage", "ranking_loss", "lrap")
    runs = []
    for train, test in KFold(folds, shuffle=True, random_state=0).split(data.X):
        model = MLkNN(k=k, s=s).fit(data.X[train], data.Y[train])
        truth = data.Y[test].astype(np.int64)
        report = multilabel_report(truth, model.predict_proba(data.X[test]), model.predict(data.X[test]))
        runs.append([report[key] for key in keys])
    values = np.array(runs)
    return {key: (float(values[:, i].mean()), float(values[:, i].std())) for i, key in enumerate(keys)}


def add_standard_sets(report: Any, quick: bool, verbose: int) -> None:
    """The standard-set sections of the multilabel report (``quick``: emotions, one seed, the default, 5 epochs)."""
    from ..datasets import list_datasets, load_multilabel

    report.section("Standard multi-label sets", PROTOCOL)
    names = ("emotions",) if quick else tuple(list_datasets())
    seeds = NETWORK_SEEDS[:1] if quick else NETWORK_SEEDS
    networks = ((NETWORKS[0][0], {"max_epochs": 5}),) if quick else NETWORKS
    report.text(
        "Quoted figures: only those that could be read in a named source, under the same metric and convention; "
        "each says where it was read and how its protocol differs. None could be read for emotions, bibtex and tmc2007 "
        "on a split like ours (the searched sources are listed in `weaklabel.bench._quoted`)."
    )
    for name in names:
        data = load_multilabel(name)
        rows, default_mean = run_set(data, seeds, networks, verbose)
        report.section(name, data.description, level=3)
        skipped = [f"{peer.name}: not run ({peer.skipped[name]})" for peer in PEERS if name in peer.skipped]
        if name in DEFAULT_ONLY_SETS and not quick:
            skipped.append("the losses other than bce: not run on this set (the suite's time budget)")
        caption = (
            f"Test rows of {name}; networks: mean over the runs' seeds ({', '.join(map(str, seeds))}, or the first where runs = 1), "
            "the worst seed in brackets; peers: one deterministic run. Bold: the best mean."
            + (" " + "; ".join(skipped) if skipped else "")
        )
        report.table(rows, caption=caption)
        quoted = quoted_table(name, default_mean, f"{networks[0][0]}, this run (mean of {len(seeds)} seeds)", METRICS)
        if quoted:
            report.table(quoted, caption=f"Published figures on {name}, quoted and not rerun, beside our default of this run.")
    if quick:
        return
    check = mlknn_cross_validation(load_multilabel("yeast"))
    rows = [{"metric": key, "mean": mean, "std over folds": std} for key, (mean, std) in check.items()]
    report.section("ML-kNN on yeast as its paper ran it", level=3).table(
        rows,
        caption="ML-kNN (k = 10, s = 1, Euclidean on the raw features, MAP decisions) by ten-fold cross-validation over all "
        "2,417 yeast genes (folds shuffled with seed 0), Zhang & Zhou's (2007) protocol, to set beside their published "
        "yeast table (not quoted here: the copies of the paper the project could search hold only its first page).",
    )
