"""Scoring cluster assignments against true classes.

Cluster ids carry no meaning, so clusters are first matched one-to-one to
classes by the Hungarian algorithm, maximising the number of samples whose
cluster is matched to their class. When there are more clusters than classes,
the extra clusters stay unmatched and their samples count as errors; when
there are fewer, some classes get no cluster.

Labels may be any sortable values (ints, strings); classes and clusters are
indexed in sorted order of their distinct values.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from scipy.optimize import linear_sum_assignment

from ..exceptions import InputError

__all__ = ["match_clusters", "clustering_accuracy", "matched_confusion_matrix", "clustering_report"]


def _check_labels(y: Any, what: str) -> np.ndarray:
    if hasattr(y, "detach"):
        y = y.detach().cpu().numpy()
    elif hasattr(y, "to_numpy"):
        y = y.to_numpy()
    arr = np.asarray(y)
    if arr.ndim != 1:
        raise InputError(
            f"{what} must be 1-D (one label per sample), got shape {arr.shape}; "
            "flatten it or pass argmax(axis=1)"
        )
    if arr.size == 0:
        raise InputError(f"{what} is empty; at least 1 sample is required")
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise InputError(f"{what} contains NaN; give every sample a label (e.g. -1 for noise as its own cluster)")
    return arr


def _contingency(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    t = _check_labels(y_true, "y_true")
    p = _check_labels(y_pred, "y_pred")
    if t.shape != p.shape:
        raise InputError(
            f"y_true has {t.shape[0]} samples but y_pred has {p.shape[0]}; give one cluster per sample"
        )
    try:
        classes, ti = np.unique(t, return_inverse=True)
        clusters, pi = np.unique(p, return_inverse=True)
    except TypeError:
        raise InputError("labels could not be sorted (mixed types?); use integer or string labels") from None
    confusion = np.zeros((classes.size, clusters.size), dtype=np.int64)
    np.add.at(confusion, (ti.ravel(), pi.ravel()), 1)
    return confusion, classes, clusters


def match_clusters(y_true: Any, y_pred: Any) -> tuple[dict[Any, Any], np.ndarray]:
    """Hungarian matching of clusters to classes.

    Returns ``(mapping, confusion)``: ``mapping`` sends each matched cluster id
    to its class (unmatched clusters are absent); ``confusion[i, j]`` counts the
    samples of the i-th class (sorted) in the j-th cluster (sorted). The matching
    maximises ``sum_{cluster c} confusion[mapping(c), c]``.
    """
    confusion, classes, clusters = _contingency(y_true, y_pred)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    mapping = {clusters[c].item(): classes[r].item() for r, c in zip(rows, cols)}
    return mapping, confusion


def clustering_accuracy(y_true: Any, y_pred: Any) -> float:
    """Best one-to-one accuracy: ``max_mapping (1/n) sum_i [mapping(y_pred_i) == y_true_i]``."""
    confusion, _, _ = _contingency(y_true, y_pred)
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    return float(confusion[rows, cols].sum() / confusion.sum())


def matched_confusion_matrix(y_true: Any, y_pred: Any) -> np.ndarray:
    """Confusion matrix with clusters reordered to their matched classes.

    Shape ``(n_classes, max(n_classes, n_clusters))``. Rows are the classes in
    sorted order; column ``i < n_classes`` is the cluster matched to class ``i``
    (all zeros if class ``i`` got no cluster, which happens when there are fewer
    clusters than classes); unmatched clusters follow in sorted order. The trace
    is therefore the number of correctly assigned samples.
    """
    confusion, classes, clusters = _contingency(y_true, y_pred)
    n_classes, n_clusters = confusion.shape
    rows, cols = linear_sum_assignment(confusion, maximize=True)
    out = np.zeros((n_classes, max(n_classes, n_clusters)), dtype=np.int64)
    out[:, rows] = confusion[:, cols]
    unmatched = np.setdiff1d(np.arange(n_clusters), cols)
    if unmatched.size:
        out[:, n_classes:] = confusion[:, unmatched]
    return out


def clustering_report(y_true: Any, y_pred: Any) -> dict[str, float]:
    """``{"accuracy", "nmi", "ari"}``: Hungarian accuracy, normalised mutual information
    (arithmetic normalisation) and adjusted Rand index (both from scikit-learn)."""
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    t = _check_labels(y_true, "y_true")
    p = _check_labels(y_pred, "y_pred")
    acc = clustering_accuracy(t, p)
    return {
        "accuracy": acc,
        "nmi": float(normalized_mutual_info_score(t, p)),
        "ari": float(adjusted_rand_score(t, p)),
    }
