"""Demo scenario of the embedding family: digits in a 2-D embedding, softmax vs center loss vs cosine softmax."""

from __future__ import annotations

import time
from typing import Any

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ...estimators import EmbeddingClassifier
from ...metrics import embedding_report
from ...plots.embedding import distance_histograms, scatter_grid
from ..markdown import Report
from ._registry import register_scenario

SEED = 0


def digits_split(test_size: float = 0.25) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """scikit-learn digits as 1×8×8 images (raw 0-16 pixels), stratified fixed-seed split: X_tr, X_te, y_tr, y_te."""
    data = load_digits()
    X = data.images.astype(np.float32)[:, None]
    return train_test_split(X, data.target, test_size=test_size, random_state=SEED, stratify=data.target)


def fit_and_score(model: EmbeddingClassifier, X_tr: Any, y_tr: Any, X_te: Any, y_te: Any) -> tuple[dict[str, Any], np.ndarray]:
    """Fit, then ``(row, test embeddings)``: train/test accuracy, the embedding metrics on the test split, fit seconds."""
    start = time.perf_counter()
    model.fit(X_tr, y_tr)
    seconds = time.perf_counter() - start
    embeddings = model.transform(X_te)
    row = {
        "loss": model.loss,
        "dim": model.embedding_dim,
        "train_accuracy": model.score(X_tr, y_tr),
        "test_accuracy": model.score(X_te, y_te),
        **embedding_report(embeddings, y_te, model.distance_, random_state=SEED),
        "distance": model.distance_,
        "fit_s": seconds,
    }
    return row, embeddings


@register_scenario("embedding-digits", "Classification as clustering: digits in a 2-D embedding")
def digits_scenario(report: Report, verbose: int) -> list[dict[str, Any]]:
    report.text(
        "scikit-learn's 1,797 handwritten digits as 1×8×8 images, 75/25 stratified split, a small conv net "
        "(16-32-64 channels) projecting to a **2-D** embedding, trained 25 epochs with each loss. Plain softmax "
        "separates the classes by angle but leaves them spread along rays; center loss pulls each class to its "
        "centre; cosine softmax (NormFace) puts classes on the unit circle. precision@1 and MAP@R by exact "
        "nearest-neighbour search on the test embeddings (cosine distance for the cosine loss); overlap = "
        "histogram intersection of same-class and different-class pair distances (0 = separated)."
    )
    X_tr, X_te, y_tr, y_te = digits_split()
    rows, panels = [], []
    for loss in ("softmax", "center", "cosine"):
        model = EmbeddingClassifier(loss=loss, embedding_dim=2, channels=(16, 32, 64), max_epochs=25, random_state=SEED, verbose=verbose)
        row, embeddings = fit_and_score(model, X_tr, y_tr, X_te, y_te)
        rows.append(row)
        panels.append((f"{loss}: MAP@R {row['map_at_r']:.3f}", embeddings))
        report.figure(
            distance_histograms(embeddings, y_te, model.distance_, title=f"{loss} loss", overlap=row["overlap"]),
            f"digits_distances_{loss}",
            f"Test pair distances in the {loss} embedding.",
        )
    report.figure(scatter_grid(panels, y_te), "digits_scatter", "Test embeddings (2-D, raw coordinates), coloured by digit.")
    report.table(rows, caption="Digits, 2-D embedding, test split (450 images).")
    return [{k: r[k] for k in ("loss", "test_accuracy", "precision_at_1", "map_at_r", "nmi", "overlap", "fit_s")} for r in rows]
