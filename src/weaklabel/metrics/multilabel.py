"""Multi-label metrics on (n_samples, n_labels) arrays.

Conventions
-----------
* ``y_true`` and ``y_pred`` hold 0/1 (or boolean) values, ``y_score`` holds
  real-valued scores (higher means "more likely positive"); all three are
  ``(n, L)`` arrays. A single label must be passed as ``(n, 1)``.
* Ranking metrics (average precision, ROC-AUC) are undefined for a label whose
  column of ``y_true`` lacks positives (AP) or lacks one of the two classes
  (ROC-AUC): the per-label functions return NaN there and the macro averages
  skip those labels.
* Counting metrics (precision, recall, F1) use ``0/0 = 0`` like scikit-learn's
  ``zero_division=0``.

Every error a user can cause raises :class:`~weaklabel.exceptions.InputError`.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Literal

import numpy as np
from scipy.stats import rankdata

from ..exceptions import InputError
from ._checks import _check_binary, _check_same_shape, _safe_div, _truth_and_scores
from .example_based import example_based_report
from .ranking import ranking_report

__all__ = [
    "average_precision_per_label",
    "mean_average_precision",
    "roc_auc_per_label",
    "macro_roc_auc",
    "precision_recall_f1",
    "precision_at_k",
    "recall_at_k",
    "per_label_report",
    "multilabel_report",
]

Average = Literal["micro", "macro"] | None


# -------------------------------------------------------- per-label ranking metrics


def _sort_desc(t: np.ndarray, s: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Per label, scores and truth sorted by decreasing score, as (L, n) arrays,
    plus a mask of the last position of each group of tied scores (the only
    places a threshold can separate)."""
    s_t = np.ascontiguousarray(s.T)
    order = np.argsort(-s_t, axis=1)
    s_sorted = np.take_along_axis(s_t, order, axis=1)
    t_sorted = np.take_along_axis(np.ascontiguousarray(t.T), order, axis=1)
    is_end = np.ones(s_sorted.shape, dtype=bool)
    is_end[:, :-1] = s_sorted[:, :-1] != s_sorted[:, 1:]
    return s_sorted, t_sorted, is_end


def _average_precision(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    n_labels, n = t.shape[1], t.shape[0]
    _, t_sorted, is_end = _sort_desc(t, s)
    tp = np.cumsum(t_sorted, axis=1)
    precision_at_end = tp / np.arange(1, n + 1, dtype=np.float64)
    # For every position, index of the end of its tie group (next end at or after it).
    idx = np.where(is_end, np.arange(n), n)
    group_end = np.minimum.accumulate(idx[:, ::-1], axis=1)[:, ::-1]
    precision_of_group = np.take_along_axis(precision_at_end, group_end, axis=1)
    n_pos = tp[:, -1]
    # sum over distinct thresholds of (R_k - R_{k-1}) P_k
    # = (1/P) * sum over positives of the precision at their tie group's end.
    total = (precision_of_group * t_sorted).sum(axis=1)
    ap = np.full(n_labels, np.nan)
    has_pos = n_pos > 0
    ap[has_pos] = total[has_pos] / n_pos[has_pos]
    return ap


def average_precision_per_label(y_true: Any, y_score: Any) -> np.ndarray:
    """Average precision of each label, shape (L,); NaN for labels without positives.

    ``AP = sum_k (R_k - R_{k-1}) P_k`` over the distinct score thresholds taken in
    decreasing order (no interpolation), where ``P_k``/``R_k`` are precision and
    recall when predicting positive every sample with score >= the k-th
    threshold. Tied scores enter together, as in scikit-learn's
    ``average_precision_score``.
    """
    t, s = _truth_and_scores(y_true, y_score)
    return _average_precision(t, s)


def mean_average_precision(y_true: Any, y_score: Any) -> float:
    """Macro mAP: mean of :func:`average_precision_per_label` over labels with >= 1 positive.

    Labels without any positive are ignored; raises ``InputError`` if no label
    has a positive.
    """
    ap = average_precision_per_label(y_true, y_score)
    if np.isnan(ap).all():
        raise InputError(
            "mean average precision is undefined: no label has a positive sample in y_true; "
            "evaluate on data that contains positives"
        )
    return float(np.nanmean(ap))


def _roc_auc(t: np.ndarray, s: np.ndarray) -> np.ndarray:
    n_pos = t.sum(axis=0).astype(np.float64)
    n_neg = t.shape[0] - n_pos
    ranks = rankdata(s, method="average", axis=0)  # ties get the mean rank
    rank_sum_pos = (ranks * t).sum(axis=0)
    auc = np.full(t.shape[1], np.nan)
    ok = (n_pos > 0) & (n_neg > 0)
    u = rank_sum_pos[ok] - n_pos[ok] * (n_pos[ok] + 1) / 2
    auc[ok] = u / (n_pos[ok] * n_neg[ok])
    return auc


def roc_auc_per_label(y_true: Any, y_score: Any) -> np.ndarray:
    """ROC-AUC of each label, shape (L,); NaN for labels whose truth has a single class.

    Computed as the Mann-Whitney statistic
    ``AUC = (sum of positive ranks - P(P+1)/2) / (P N)`` with tied scores given
    their average rank, which equals the trapezoidal area under the ROC curve
    (a tie between a positive and a negative counts 1/2).
    """
    t, s = _truth_and_scores(y_true, y_score)
    return _roc_auc(t, s)


def macro_roc_auc(y_true: Any, y_score: Any) -> float:
    """Mean ROC-AUC over labels having both classes in ``y_true`` (others skipped).

    Raises ``InputError`` if no label has both a positive and a negative.
    """
    auc = roc_auc_per_label(y_true, y_score)
    if np.isnan(auc).all():
        raise InputError(
            "macro ROC-AUC is undefined: no label has both positive and negative samples in y_true; "
            "evaluate on data that contains both classes for at least one label"
        )
    return float(np.nanmean(auc))


# ----------------------------------------------------------------- counting metrics


def _counts(t: np.ndarray, p: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    tp = (t & p).sum(axis=0)
    fp = ((1 - t) & p).sum(axis=0)
    fn = (t & (1 - p)).sum(axis=0)
    return tp, fp, fn


def _prf(tp: Any, fp: Any, fn: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    precision = _safe_div(tp, np.asarray(tp) + fp)
    recall = _safe_div(tp, np.asarray(tp) + fn)
    f1 = _safe_div(2 * np.asarray(tp), 2 * np.asarray(tp) + fp + fn)
    return precision, recall, f1


def precision_recall_f1(
    y_true: Any, y_pred: Any, average: Average = "macro"
) -> tuple[float, float, float] | tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Precision ``TP/(TP+FP)``, recall ``TP/(TP+FN)`` and F1 ``2TP/(2TP+FP+FN)``.

    ``average=None``: three (L,) arrays, one value per label.
    ``"macro"``: the unweighted mean of the per-label values over *all* labels
    (macro F1 is the mean of per-label F1, not the F1 of the mean precision and recall).
    ``"micro"``: TP, FP, FN summed over labels first.
    Any 0/0 is 0.0 (scikit-learn's ``zero_division=0``).
    """
    t = _check_binary(y_true, "y_true")
    p = _check_binary(y_pred, "y_pred")
    _check_same_shape(t, p, "y_true", "y_pred")
    tp, fp, fn = _counts(t, p)
    if average is None:
        return _prf(tp, fp, fn)
    if average == "macro":
        pr, rc, f1 = _prf(tp, fp, fn)
        return float(pr.mean()), float(rc.mean()), float(f1.mean())
    if average == "micro":
        pr, rc, f1 = _prf(tp.sum(), fp.sum(), fn.sum())
        return float(pr), float(rc), float(f1)
    raise InputError(f"average must be 'micro', 'macro' or None, got {average!r}")


def _top_k_hits(t: np.ndarray, s: np.ndarray, k: Any) -> tuple[np.ndarray, int]:
    n_labels = t.shape[1]
    if isinstance(k, bool) or not isinstance(k, (int, np.integer)) or not 1 <= k <= n_labels:
        raise InputError(f"k must be an integer between 1 and the number of labels ({n_labels}), got {k!r}")
    k = int(k)
    # Stable sort of -score: among tied scores the lower label index ranks first.
    top = np.argsort(-s, axis=1, kind="stable")[:, :k]
    hits = np.take_along_axis(t, top, axis=1).sum(axis=1)
    return hits, k


def precision_at_k(y_true: Any, y_score: Any, k: int) -> float:
    """Sample-averaged precision@k: mean over samples of ``|top-k labels ∩ positives| / k``.

    The top k labels of a sample are those with the k highest scores; ties are
    broken in favour of the lower label index. Every sample counts, including
    those without positives (they score 0).
    """
    t, s = _truth_and_scores(y_true, y_score)
    hits, k = _top_k_hits(t, s, k)
    return float(hits.mean() / k)


def recall_at_k(y_true: Any, y_score: Any, k: int) -> float:
    """Sample-averaged recall@k: mean over samples of ``|top-k ∩ positives| / |positives|``.

    Samples without any positive label are skipped (their recall is undefined);
    returns NaN if no sample has a positive. Ties as in :func:`precision_at_k`.
    """
    t, s = _truth_and_scores(y_true, y_score)
    hits, _ = _top_k_hits(t, s, k)
    n_pos = t.sum(axis=1)
    keep = n_pos > 0
    if not keep.any():
        return float("nan")
    return float((hits[keep] / n_pos[keep]).mean())


# ------------------------------------------------------------------------- reports


def per_label_report(
    y_true: Any,
    y_score: Any,
    y_pred: Any,
    label_names: Sequence[str] | None = None,
    thresholds: Any = None,
) -> list[dict[str, Any]]:
    """One dict per label with keys ``label``, ``support`` (number of positives),
    ``average_precision``, ``roc_auc`` (NaN where undefined), ``precision``,
    ``recall``, ``f1`` and, if ``thresholds`` (scalar or (L,)) is given, ``threshold``.

    ``label_names`` defaults to ``"0", "1", ...``.
    """
    t, s = _truth_and_scores(y_true, y_score)
    p = _check_binary(y_pred, "y_pred")
    _check_same_shape(t, p, "y_true", "y_pred")
    n_labels = t.shape[1]
    if label_names is None:
        names = [str(j) for j in range(n_labels)]
    else:
        names = [str(x) for x in label_names]
        if len(names) != n_labels:
            raise InputError(
                f"label_names has {len(names)} names but there are {n_labels} labels; give one name per column"
            )
    thr = None
    if thresholds is not None:
        thr = np.asarray(thresholds, dtype=np.float64)
        if thr.ndim == 0:
            thr = np.full(n_labels, float(thr))
        if thr.shape != (n_labels,):
            raise InputError(f"thresholds has shape {thr.shape}, expected ({n_labels},); give one threshold per label")
    ap = _average_precision(t, s)
    auc = _roc_auc(t, s)
    pr, rc, f1 = _prf(*_counts(t, p))
    support = t.sum(axis=0)
    rows: list[dict[str, Any]] = []
    for j in range(n_labels):
        row: dict[str, Any] = {
            "label": names[j],
            "support": int(support[j]),
            "average_precision": float(ap[j]),
            "roc_auc": float(auc[j]),
            "precision": float(pr[j]),
            "recall": float(rc[j]),
            "f1": float(f1[j]),
        }
        if thr is not None:
            row["threshold"] = float(thr[j])
        rows.append(row)
    return rows


def multilabel_report(y_true: Any, y_score: Any, y_pred: Any) -> dict[str, float]:
    """Summary metrics of a multi-label prediction.

    Keys: ``n_samples``, ``n_labels``, ``map``, ``macro_roc_auc`` (NaN if no label
    has both classes), ``macro_precision``, ``macro_recall``, ``macro_f1``,
    ``micro_precision``, ``micro_recall``, ``micro_f1``, ``precision_at_k`` and
    ``recall_at_k`` for k in (1, 3, 5) with k <= L (e.g. ``precision_at_1``),
    ``labels_without_positives`` (labels ignored by mAP) and
    ``labels_single_class`` (labels skipped by ROC-AUC); and the metrics of
    multi-label papers: ``lrap``, ``ranking_loss``, ``coverage`` (Zhang & Zhou's
    convention, ranks from 1 minus 1), ``one_error`` (:mod:`.ranking`, over the rows
    with a true label) and ``hamming_loss``, ``subset_accuracy``, ``example_f1``
    (:mod:`.example_based`, of ``y_pred``).
    Raises ``InputError`` if no label has a positive (mAP undefined).
    """
    t, s = _truth_and_scores(y_true, y_score)
    p = _check_binary(y_pred, "y_pred")
    _check_same_shape(t, p, "y_true", "y_pred")
    n, n_labels = t.shape
    ap = _average_precision(t, s)
    if np.isnan(ap).all():
        raise InputError(
            "mean average precision is undefined: no label has a positive sample in y_true; "
            "evaluate on data that contains positives"
        )
    auc = _roc_auc(t, s)
    tp, fp, fn = _counts(t, p)
    mp, mr, mf = _prf(tp, fp, fn)
    up, ur, uf = _prf(tp.sum(), fp.sum(), fn.sum())
    out: dict[str, float] = {
        "n_samples": n,
        "n_labels": n_labels,
        "map": float(np.nanmean(ap)),
        "macro_roc_auc": float(np.nanmean(auc)) if not np.isnan(auc).all() else float("nan"),
        "macro_precision": float(mp.mean()),
        "macro_recall": float(mr.mean()),
        "macro_f1": float(mf.mean()),
        "micro_precision": float(up),
        "micro_recall": float(ur),
        "micro_f1": float(uf),
    }
    n_pos = t.sum(axis=1)
    for k in (1, 3, 5):
        if k > n_labels:
            break
        hits, _ = _top_k_hits(t, s, k)
        out[f"precision_at_{k}"] = float(hits.mean() / k)
        keep = n_pos > 0
        out[f"recall_at_{k}"] = float((hits[keep] / n_pos[keep]).mean()) if keep.any() else float("nan")
    ranking = ranking_report(t, s)
    out.update({k: ranking[k] for k in ("lrap", "ranking_loss", "coverage", "one_error")})
    out.update(example_based_report(t, p))
    out["labels_without_positives"] = int(np.isnan(ap).sum())
    out["labels_single_class"] = int(np.isnan(auc).sum())
    return out
