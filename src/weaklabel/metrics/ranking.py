"""Ranking-based multi-label metrics, per example: how each row's scores order its labels.

For row ``i`` with relevant labels ``Y_i`` (its ones), irrelevant labels ``Ȳ_i`` and scores ``s_i``,
the rank of label ``j`` counts the labels scored at least as high, itself included:

    rank_i(j) = |{k : s_ik ≥ s_ij}|        (1 = top; tied labels all take the lowest place of their tie)

This pessimistic rank under ties is scikit-learn's (``rankdata(..., "max")``), so a model cannot gain by
tying scores. The definitions are Schapire & Singer's (Machine Learning 39, 2000) as Zhang & Zhou use them
(ML-kNN, Pattern Recognition 40, 2007), each averaged over the rows where it is defined:

* rows without a relevant label are left out of every metric here (average precision, coverage and
  one-error are about where the relevant labels rank), and ranking loss also leaves out rows whose labels
  are all relevant (it compares relevant with irrelevant labels). scikit-learn instead counts such rows as
  perfect (``label_ranking_average_precision_score`` 1, ``label_ranking_loss`` 0). A metric with no defined
  row is NaN. The five standard sets have no row without a relevant label.

Every error a user can cause raises :class:`~weaklabel.exceptions.InputError`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ._checks import _truth_and_scores

__all__ = ["coverage", "label_ranking_average_precision", "one_error", "ranking_loss", "ranking_report"]

_CHUNK_ELEMENTS = 1 << 22  # rows × labels × labels compared at once


def _ranks(t: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``rank[i, j] = |{k : s_ik ≥ s_ij}|`` and ``relevant_rank[i, j] = |{k ∈ Y_i : s_ik ≥ s_ij}|``, both (n, L)."""
    n, n_labels = s.shape
    rank = np.empty((n, n_labels), dtype=np.int64)
    relevant_rank = np.empty((n, n_labels), dtype=np.int64)
    step = max(1, _CHUNK_ELEMENTS // (n_labels * n_labels))
    for start in range(0, n, step):
        rows = slice(start, start + step)
        at_least = s[rows, None, :] >= s[rows, :, None]  # [i, j, k] = s_ik ≥ s_ij
        rank[rows] = at_least.sum(axis=2)
        relevant_rank[rows] = (at_least & t[rows, None, :].astype(bool)).sum(axis=2)
    return rank, relevant_rank


def _row_mean(values: np.ndarray, defined: np.ndarray) -> float:
    return float(values[defined].mean()) if defined.any() else float("nan")


def ranking_report(y_true: Any, y_score: Any) -> dict[str, float]:
    """The four ranking metrics of this module in one pass: keys ``lrap``, ``ranking_loss``, ``coverage``,
    ``one_error`` (each as its function here), and ``rows_without_relevant`` (rows left out)."""
    t, s = _truth_and_scores(y_true, y_score)
    n_labels = t.shape[1]
    rank, relevant_rank = _ranks(t, s)
    relevant = t.astype(bool)
    n_relevant = relevant.sum(axis=1)
    has_relevant = n_relevant > 0
    precision_at_relevant = np.where(relevant, relevant_rank / rank, 0.0)
    lrap = precision_at_relevant.sum(axis=1) / np.maximum(n_relevant, 1)
    cover = np.where(relevant, rank, 0).max(axis=1) - 1
    wrong_pairs = np.where(relevant, rank - relevant_rank, 0).sum(axis=1)  # irrelevant k with s_ik ≥ s_ij, j relevant
    both = has_relevant & (n_relevant < n_labels)
    loss = wrong_pairs / np.maximum(n_relevant * (n_labels - n_relevant), 1)
    top = np.argmax(s, axis=1)  # ties: the lowest column index
    missed = ~relevant[np.arange(len(s)), top]
    return {
        "lrap": _row_mean(lrap, has_relevant),
        "ranking_loss": _row_mean(loss, both),
        "coverage": _row_mean(cover.astype(np.float64), has_relevant),
        "one_error": _row_mean(missed.astype(np.float64), has_relevant),
        "rows_without_relevant": int((~has_relevant).sum()),
    }


def label_ranking_average_precision(y_true: Any, y_score: Any) -> float:
    """Label ranking average precision (the "average precision" of multi-label papers), higher is better.

    ``AP_i = 1/|Y_i| Σ_{j ∈ Y_i} |{k ∈ Y_i : rank_i(k) ≤ rank_i(j)}| / rank_i(j)``: for each relevant label,
    the share of relevant labels among those ranked at or above it. With the pessimistic rank of the module
    docstring this is scikit-learn's ``label_ranking_average_precision_score`` on every row with a relevant label;
    rows without one are left out (scikit-learn counts them as 1).
    """
    return ranking_report(y_true, y_score)["lrap"]


def ranking_loss(y_true: Any, y_score: Any) -> float:
    """Ranking loss, lower is better: the share of (relevant, irrelevant) label pairs ordered wrongly.

    ``RL_i = |{(j, k) ∈ Y_i × Ȳ_i : s_ik ≥ s_ij}| / (|Y_i| |Ȳ_i|)``; a tie counts as wrong (Zhang & Zhou's ``≤``,
    and scikit-learn's ``label_ranking_loss``). Rows with no relevant or no irrelevant label are left out
    (scikit-learn counts them as 0).
    """
    return ranking_report(y_true, y_score)["ranking_loss"]


def coverage(y_true: Any, y_score: Any) -> float:
    """Coverage in Zhang & Zhou's (and Mulan's) convention, lower is better: ``max_{j ∈ Y_i} rank_i(j) − 1``.

    How far down the ranking one must go to cover every relevant label, counting from 0 (a row whose relevant
    labels are all on top of the ranking scores ``|Y_i| − 1``). scikit-learn's ``coverage_error`` counts from 1:
    it is this value + 1. Some papers also divide by the number of labels; this function does not.
    Rows without a relevant label are left out (scikit-learn counts them as 0).
    """
    return ranking_report(y_true, y_score)["coverage"]


def one_error(y_true: Any, y_score: Any) -> float:
    """One-error, lower is better: the share of rows whose top-scored label is not relevant.

    The top label is ``argmax_j s_ij``, ties going to the lowest column index (as :func:`precision_at_k`);
    so one-error = 1 − precision@1 over the rows with a relevant label. Rows without one are left out.
    """
    return ranking_report(y_true, y_score)["one_error"]
