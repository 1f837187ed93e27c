"""Demo scenario of the positive-only family: the three-blob hidden-class experiment."""

from __future__ import annotations

from typing import Any

import numpy as np
from sklearn.datasets import make_blobs

from ...estimators.single_positive import SinglePositiveClassifier
from ...plots.positive_only import label_embedding_space
from ..markdown import Report
from ._registry import register_scenario

_PARAMS = dict(hidden_sizes=(64, 64), max_epochs=40, random_state=0)


def hidden_class_blobs(random_state: int = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``make_blobs(1000, centers=3, random_state=100)``; class 2 relabelled at random as 0 or 1.

    Returns ``(X, original_class, observed_label)``.
    """
    X, c = make_blobs(1000, centers=3, n_features=2, random_state=100)
    y = np.where(c == 2, np.random.default_rng(random_state).integers(0, 2, len(c)), c)
    return X.astype(np.float32), c, y


@register_scenario("positive-only-blobs", "Positives only: a hidden class between two labels")
def blobs_scenario(report: Report, verbose: int) -> list[dict[str, Any]]:
    X, c, y = hidden_class_blobs()
    report.text(
        "Three blobs (`make_blobs(1000, centers=3, random_state=100)`); class 2 is hidden by relabelling each of its "
        "points at random as label 0 or 1, so every item has one observed positive. Wanted: class 0 high on label 0 "
        "only, class 1 high on label 1 only, and the hidden class high on both. Mean score of each label per "
        "original class:"
    )
    rows = []
    models = {
        loss: SinglePositiveClassifier(loss=loss, embedding_dim=2, refine_rounds=0, verbose=verbose, **_PARAMS).fit(X, y)
        for loss in ("assume_negative", "selection_likelihood", "label_embedding")
    }
    for loss, model in models.items():
        for k in range(3):
            mean = model.predict_proba(X[c == k]).mean(axis=0)
            rows.append({"loss": loss, "original class": k, "score label 0": float(mean[0]), "score label 1": float(mean[1])})
    report.table(rows, caption="Assume-negative BCE splits the hidden class (a coin flip). The selection likelihood "
                 "(the observed label is a random pick of the true ones) and the label-embedding min-max method both "
                 "score the hidden class high on both labels.")
    emb = models["label_embedding"]
    report.figure(
        label_embedding_space(emb.embed(X), c, emb.label_embeddings(), [str(v) for v in emb.classes_],
                              [f"class {k}" + (" (hidden)" if k == 2 else "") for k in range(3)]),
        "positive_only_embedding_space",
        "Learned 2-D space of the label-embedding method: samples coloured by original class, label embeddings as stars.",
    )
    return rows
