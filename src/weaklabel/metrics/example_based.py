"""Example-based multi-label metrics of a 0/1 prediction: each row's predicted label set against its true set.

For row ``i`` with true set ``Y_i`` and predicted set ``P_i`` over ``L`` labels (Godbole & Sarawagi 2004;
Tsoumakas, Katakis & Vlahavas, "Mining multi-label data", 2010):

* Hamming loss ``1/(nL) Σ_i |Y_i Δ P_i|``: the share of wrong label decisions (lower is better);
* subset accuracy ``1/n Σ_i [P_i = Y_i]``: the share of rows predicted exactly (the exact-match ratio);
* example-based F1 ``1/n Σ_i 2|Y_i ∩ P_i| / (|Y_i| + |P_i|)``, where a row with both sets empty scores 1 (it
  was predicted exactly; scikit-learn's ``f1_score(average="samples", zero_division=1)``).

Every row counts, rows without a true label included.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import _check_binary, _check_same_shape

__all__ = ["example_based_report", "example_f1", "hamming_loss", "subset_accuracy"]


def _truth_and_prediction(y_true: Any, y_pred: Any) -> tuple[np.ndarray, np.ndarray]:
    t = _check_binary(y_true, "y_true")
    p = _check_binary(y_pred, "y_pred")
    _check_same_shape(t, p, "y_true", "y_pred")
    return t, p


def example_based_report(y_true: Any, y_pred: Any) -> dict[str, float]:
    """``hamming_loss``, ``subset_accuracy`` and ``example_f1`` of 0/1 predictions (see the module docstring)."""
    t, p = _truth_and_prediction(y_true, y_pred)
    wrong = t != p
    both = (t & p).sum(axis=1)
    sizes = t.sum(axis=1) + p.sum(axis=1)
    f1 = np.where(sizes > 0, 2.0 * both / np.maximum(sizes, 1), 1.0)
    return {
        "hamming_loss": float(wrong.mean()),
        "subset_accuracy": float((~wrong.any(axis=1)).mean()),
        "example_f1": float(f1.mean()),
    }


def hamming_loss(y_true: Any, y_pred: Any) -> float:
    """Share of wrong label decisions, ``1/(nL) Σ_i |Y_i Δ P_i|`` (scikit-learn's ``hamming_loss``); lower is better."""
    return example_based_report(y_true, y_pred)["hamming_loss"]


def subset_accuracy(y_true: Any, y_pred: Any) -> float:
    """Share of rows whose predicted label set is exactly the true one (scikit-learn's ``accuracy_score``)."""
    return example_based_report(y_true, y_pred)["subset_accuracy"]


def example_f1(y_true: Any, y_pred: Any) -> float:
    """Mean over rows of ``2|Y_i ∩ P_i| / (|Y_i| + |P_i|)``, 1 for a row with both sets empty."""
    return example_based_report(y_true, y_pred)["example_f1"]
