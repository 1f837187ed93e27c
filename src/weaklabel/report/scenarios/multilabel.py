"""Demo scenarios of the multilabel family: fully tagged labels, and sparse imbalanced labels."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.datasets import make_multilabel_classification
from sklearn.model_selection import train_test_split

from ...data import bayes_rule, make_sparse_multilabel
from ...estimators import MultiLabelClassifier
from ...metrics import mean_average_precision, precision_recall_f1
from ...tasks.multilabel import multilabel_evaluation
from ..markdown import Report
from ._registry import register_scenario

_FAST: dict[str, Any] = dict(hidden_sizes=(32,), max_epochs=40, batch_size=512, learning_rate=3e-3, patience=6)


def summary_row(name: str, y_true: np.ndarray, y_pred: np.ndarray, proba: np.ndarray | None = None) -> dict[str, Any]:
    """mAP (when scores are given), macro/micro F1, macro precision and recall of one method."""
    p, r, f1 = precision_recall_f1(y_true, y_pred, average="macro")
    micro_f1 = precision_recall_f1(y_true, y_pred, average="micro")[2]
    return {
        "method": name,
        "mAP": None if proba is None else mean_average_precision(y_true, proba),
        "macro_F1": f1,
        "micro_F1": micro_f1,
        "macro_precision": p,
        "macro_recall": r,
    }


@register_scenario("multilabel-sparse", "Sparse, imbalanced multi-label: 30 labels, one positive per item")
def sparse_scenario(report: Report, verbose: int) -> list[dict[str, Any]]:
    report.text(
        "30,000 items, 30 labels each positive with probability 1/30; feature j is on only when label j is "
        "positive, kept with probability q. The Bayes rule (predict j exactly when feature j is on) has "
        "per-label F1 2q/(1+q). Plain BCE at threshold 0.5 beside weighted/asymmetric losses with per-label "
        "thresholds tuned on the validation split."
    )
    rows = []
    for q in (0.1, 0.9):
        data = make_sparse_multilabel(30_000, 30, q=q, random_state=0)
        X_tr, X_te, Y_tr, Y_te = train_test_split(data.X, data.Y, test_size=0.2, random_state=0)
        Y_te = Y_te.astype(np.int64)
        rows.append({"q": q, **summary_row("Bayes rule", Y_te, bayes_rule(X_te))})
        for name, params in (
            ("bce, threshold 0.5", dict(loss="bce", threshold=0.5)),
            ("weighted_bce, tuned", dict(loss="weighted_bce", threshold="tune")),
            ("asymmetric, tuned", dict(loss="asymmetric", threshold="tune")),
        ):
            model = MultiLabelClassifier(**params, **_FAST, random_state=0, verbose=verbose).fit(X_tr, Y_tr)
            proba = model.predict_proba(X_te)
            rows.append({"q": q, **summary_row(name, Y_te, (proba >= model.thresholds_).astype(np.int64), proba)})
    report.table(rows, caption="Test split (20%). The Bayes rule is the ceiling; bce at 0.5 shows the all-zeros trap.")
    return rows


@register_scenario("multilabel-tagged", "Multi-label, fully tagged")
def tagged_scenario(report: Report, verbose: int) -> list[dict[str, Any]]:
    X, Y = make_multilabel_classification(
        n_samples=6000, n_features=20, n_classes=8, n_labels=2, allow_unlabeled=False, random_state=0
    )
    names = ["sports", "politics", "science", "music", "travel", "food", "health", "film"]
    X_tr, X_te, Y_tr, Y_te = train_test_split(X.astype(np.float32), Y, test_size=0.25, random_state=0)
    labels_tr = [[names[j] for j in np.flatnonzero(row)] for row in Y_tr]
    model = MultiLabelClassifier(hidden_sizes=(128, 128), max_epochs=60, patience=8, random_state=0, verbose=verbose)
    model.fit(X_tr, labels_tr)
    order = [names.index(c) for c in model.classes_]
    Y_te = Y_te[:, order]
    report.text(
        "scikit-learn's multi-label generator (6,000 items, 20 features, 8 labels, about 2 per item), labels given "
        "as lists of names. One sigmoid per label, binary cross-entropy, per-label thresholds tuned on validation."
    )
    proba = model.predict_proba(X_te)
    predicted = (proba >= model.thresholds_).astype(np.int64)
    multilabel_evaluation(Y_te, proba, predicted, model.classes_, model.thresholds_, "the labels over their tuned thresholds", report, level=3)
    return [summary_row("MultiLabelClassifier (bce, tuned)", Y_te, predicted, proba)]
