"""Per-label decision thresholds for multi-label scores.

A label is predicted positive when ``score >= threshold``.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import InputError
from ._checks import _check_scores, _truth_and_scores
from .multilabel import _sort_desc

__all__ = ["tune_thresholds", "apply_thresholds", "example_f1_rows", "example_f1_threshold", "top_k_matrix"]

_METRICS = ("f1",)
_RULES = ("max", "one_se")


def tune_thresholds(y_true: Any, y_score: Any, metric: str = "f1", default: float = 0.5, rule: str = "max") -> np.ndarray:
    """Per-label thresholds, shape (L,), maximising F1 on the given (validation) data.

    For each label the candidates are its distinct scores ``s``; predicting
    positive when ``score >= s`` gives ``F1 = 2 TP(s) / (P + #{score >= s})``.
    All candidates are evaluated exactly from one sort and cumulative sums.
    Among equally good candidates the highest score wins (fewest positives).

    The returned threshold is the midpoint between the chosen score and the
    next lower distinct score, so that unseen scores falling in the gap are
    decided halfway rather than at the edge of the validation data; it yields
    the same predictions on the given data. If the chosen score is the lowest
    one (every sample predicted positive), the threshold is that score.

    ``rule="one_se"`` guards against chasing validation noise: samples a model
    cannot tell apart get near-tied scores, and the exact maximiser splits
    them by luck. Following the one-standard-error rule (Breiman et al., CART
    1984; Hastie et al., ESL §7.10), every candidate whose F1 is within
    ``sqrt(F1*(1 − F1*) / P)`` of the best ``F1*`` (P positives) counts as
    equally good, and the one lying in the widest gap between consecutive
    scores is taken (a large-margin choice: it moves least under small score
    shifts on new data). Its validation F1 is at most one standard error
    below the maximum.

    Labels with no positive in ``y_true`` have no meaningful optimum (F1 is 0 for
    every threshold); they get ``default`` instead.
    """
    if rule not in _RULES:
        raise InputError(f"rule {rule!r} is not supported; use one of {', '.join(map(repr, _RULES))}")
    if metric not in _METRICS:
        raise InputError(f"metric {metric!r} is not supported; use one of {', '.join(map(repr, _METRICS))}")
    default = float(default)
    if np.isnan(default):
        raise InputError("default threshold is NaN; pass a number such as 0.5")
    t, s = _truth_and_scores(y_true, y_score)
    n, n_labels = s.shape
    s_sorted, t_sorted, is_end = _sort_desc(t, s)  # (L, n), decreasing scores
    tp = np.cumsum(t_sorted, axis=1)
    n_pos = tp[:, -1]
    n_predicted = np.arange(1, n + 1, dtype=np.float64)
    f1 = 2.0 * tp / (n_predicted + n_pos[:, None])  # denominator >= 1
    f1[~is_end] = -1.0  # a threshold cannot split tied scores
    best = np.argmax(f1, axis=1)  # first maximum = highest score
    if rule == "one_se":
        best = _one_se_choice(f1, s_sorted, n_pos, best)
    rows = np.arange(n_labels)
    chosen = s_sorted[rows, best]
    below = s_sorted[rows, np.minimum(best + 1, n - 1)]
    has_below = best < n - 1
    with np.errstate(invalid="ignore"):  # inf + -inf gives NaN, rejected just below
        mid = 0.5 * chosen + 0.5 * below
    # Guard against rounding putting the midpoint outside (below, chosen].
    ok = has_below & (mid > below) & (mid <= chosen)
    thresholds = np.where(ok, mid, chosen)
    thresholds[n_pos == 0] = default
    return thresholds


def _one_se_choice(f1: np.ndarray, s_sorted: np.ndarray, n_pos: np.ndarray, best: np.ndarray) -> np.ndarray:
    """Index per label: the widest score gap among candidates within one standard error of the best F1."""
    top = f1[np.arange(len(best)), best]
    se = np.sqrt(top * (1.0 - top) / np.maximum(n_pos, 1.0))
    gaps = np.empty_like(s_sorted)
    gaps[:, :-1] = s_sorted[:, :-1] - s_sorted[:, 1:]  # gap below each score (scores decrease)
    gaps[:, -1] = 0.0  # below the lowest score: no gap on the given data
    with np.errstate(invalid="ignore"):  # inf − inf
        gaps = np.nan_to_num(gaps, nan=0.0)
    eligible = f1 >= (top - se)[:, None]
    return np.argmax(np.where(eligible, gaps, -1.0), axis=1)  # first widest = highest score


def example_f1_rows(y_true: np.ndarray, y_pred: np.ndarray) -> np.ndarray:
    """Each row's F1 between its predicted and true label sets, ``2 |P ∩ T| / (|P| + |T|)``; a row with neither
    predicted nor true labels is right (1.0). Its mean is the example-based F1 (Godbole & Sarawagi, PAKDD 2004)."""
    t, p = np.asarray(y_true, dtype=bool), np.asarray(y_pred, dtype=bool)
    both = (t & p).sum(axis=1).astype(np.float64)
    size = (t.sum(axis=1) + p.sum(axis=1)).astype(np.float64)
    return np.where(size > 0, 2.0 * both / np.maximum(size, 1.0), 1.0)


def example_f1_threshold(y_true: Any, y_score: Any, max_candidates: int = 512) -> float:
    """One threshold for every label that maximises the example-based F1 (the mean over rows of
    :func:`example_f1_rows`) on the given (validation) data.

    Per-label F1 thresholds (:func:`tune_thresholds`) go low for rare labels, where a few more positives cost
    little of that label's F1, so a row collects many labels; one threshold for the row's label set keeps the
    number of labels per row near the true one. Candidates are the distinct scores (up to ``max_candidates``
    of them, evenly spaced quantiles beyond that); ties go to the highest (fewest labels). As in
    :func:`tune_thresholds`, the threshold returned is the midpoint between the chosen candidate and the next
    lower one, which gives the same predictions on candidates that are all the distinct scores.
    """
    t, s = _truth_and_scores(y_true, y_score)
    truth = t.astype(bool)
    candidates = np.unique(s)[::-1]  # decreasing
    if len(candidates) > max_candidates:
        candidates = np.unique(np.quantile(s, np.linspace(0.0, 1.0, int(max_candidates))))[::-1]
    scores = np.array([example_f1_rows(truth, s >= c).mean() for c in candidates])
    best = int(np.argmax(scores))  # first maximum = highest threshold
    if best + 1 == len(candidates):
        return float(candidates[best])
    middle = 0.5 * float(candidates[best]) + 0.5 * float(candidates[best + 1])
    return middle if candidates[best + 1] < middle <= candidates[best] else float(candidates[best])


def apply_thresholds(y_score: Any, thresholds: Any) -> np.ndarray:
    """0/1 predictions ``(y_score >= thresholds).astype(int)``; ``thresholds`` is a scalar or (L,)."""
    s = _check_scores(y_score)
    thr = np.asarray(thresholds, dtype=np.float64)
    if thr.ndim == 0:
        thr = np.full(s.shape[1], float(thr))
    if thr.shape != (s.shape[1],):
        raise InputError(
            f"thresholds has shape {thr.shape} but y_score has {s.shape[1]} labels; give one threshold per label"
        )
    if np.isnan(thr).any():
        raise InputError("thresholds contain NaN; pass a number for every label")
    return (s >= thr).astype(np.int64)


def top_k_matrix(y_score: np.ndarray, k: int) -> np.ndarray:
    """0/1 matrix (int64) marking each row's ``k`` highest scores (ties broken by column order)."""
    top = np.argsort(-y_score, axis=1, kind="stable")[:, : min(int(k), y_score.shape[1])]
    out = np.zeros(y_score.shape, dtype=np.int64)
    np.put_along_axis(out, top, 1, axis=1)
    return out
