"""Multi-label metrics against scikit-learn as the independent reference."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, precision_recall_fscore_support, roc_auc_score

from weaklabel.exceptions import InputError
from weaklabel.metrics import (
    average_precision_per_label,
    macro_roc_auc,
    mean_average_precision,
    multilabel_report,
    per_label_report,
    precision_at_k,
    precision_recall_f1,
    recall_at_k,
    roc_auc_per_label,
)


def _data(seed: int, n: int = 200, n_labels: int = 6, decimals: int | None = 1):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < rng.uniform(0.05, 0.6, n_labels)).astype(int)
    s = rng.random((n, n_labels)) + 0.4 * y
    if decimals is not None:
        s = np.round(s, decimals)  # many ties
    return y, s


def _sk_ap(y, s):
    out = []
    for j in range(y.shape[1]):
        out.append(average_precision_score(y[:, j], s[:, j]) if y[:, j].any() else np.nan)
    return np.array(out)


def _sk_auc(y, s):
    out = []
    for j in range(y.shape[1]):
        ok = 0 < y[:, j].sum() < len(y)
        out.append(roc_auc_score(y[:, j], s[:, j]) if ok else np.nan)
    return np.array(out)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_average_precision_matches_sklearn(seed, decimals):
    y, s = _data(seed, decimals=decimals)
    ours = average_precision_per_label(y, s)
    np.testing.assert_allclose(ours, average_precision_score(y, s, average=None), rtol=0, atol=1e-10)
    np.testing.assert_allclose(ours, _sk_ap(y, s), rtol=0, atol=1e-10)
    assert mean_average_precision(y, s) == pytest.approx(np.mean(ours), abs=1e-12)


@pytest.mark.parametrize("seed", range(8))
@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_roc_auc_matches_sklearn(seed, decimals):
    y, s = _data(seed, decimals=decimals)
    ours = roc_auc_per_label(y, s)
    np.testing.assert_allclose(ours, _sk_auc(y, s), rtol=0, atol=1e-10)
    assert macro_roc_auc(y, s) == pytest.approx(roc_auc_score(y, s, average="macro"), abs=1e-10)


def test_label_without_positives_is_nan_and_ignored():
    y, s = _data(1)
    y[:, 2] = 0
    ap = average_precision_per_label(y, s)
    assert np.isnan(ap[2]) and not np.isnan(np.delete(ap, 2)).any()
    expected = np.mean(_sk_ap(np.delete(y, 2, axis=1), np.delete(s, 2, axis=1)))
    assert mean_average_precision(y, s) == pytest.approx(expected, abs=1e-10)
    auc = roc_auc_per_label(y, s)
    assert np.isnan(auc[2])
    assert macro_roc_auc(y, s) == pytest.approx(np.nanmean(_sk_auc(y, s)), abs=1e-10)
    report = multilabel_report(y, s, (s > 0.6).astype(int))
    assert report["labels_without_positives"] == 1
    assert report["labels_single_class"] == 1
    assert report["map"] == pytest.approx(expected, abs=1e-10)


def test_all_positive_label():
    y, s = _data(2)
    y[:, 0] = 1
    ap = average_precision_per_label(y, s)
    assert ap[0] == pytest.approx(1.0)
    assert ap[0] == pytest.approx(average_precision_score(y[:, 0], s[:, 0]), abs=1e-10)
    assert np.isnan(roc_auc_per_label(y, s)[0])


def test_single_sample():
    y = np.array([[1, 0, 1]])
    s = np.array([[0.2, 0.9, 0.2]])
    np.testing.assert_allclose(average_precision_per_label(y, s), [1.0, np.nan, 1.0])
    assert mean_average_precision(y, s) == 1.0
    assert np.isnan(roc_auc_per_label(y, s)).all()
    with pytest.raises(InputError, match="both"):
        macro_roc_auc(y, s)
    assert precision_at_k(y, s, 1) == 0.0
    assert precision_at_k(y, s, 3) == pytest.approx(2 / 3)
    assert recall_at_k(y, s, 2) == 0.5  # tie between labels 0 and 2: lower index first
    report = multilabel_report(y, s, np.array([[1, 1, 0]]))
    assert np.isnan(report["macro_roc_auc"])
    assert report["precision_at_1"] == 0.0 and "precision_at_5" not in report


def test_all_scores_tied():
    y = np.array([[1], [0], [1], [0], [0]])
    s = np.full((5, 1), 0.3)
    assert average_precision_per_label(y, s)[0] == pytest.approx(average_precision_score(y[:, 0], s[:, 0]))
    assert roc_auc_per_label(y, s)[0] == pytest.approx(0.5)


def test_no_positive_anywhere_raises():
    y = np.zeros((4, 2), dtype=int)
    s = np.random.default_rng(0).random((4, 2))
    assert np.isnan(average_precision_per_label(y, s)).all()
    with pytest.raises(InputError, match="no label has a positive"):
        mean_average_precision(y, s)
    with pytest.raises(InputError, match="no label has a positive"):
        multilabel_report(y, s, y)
    assert np.isnan(recall_at_k(y, s, 1))


@pytest.mark.parametrize("seed", range(5))
def test_precision_recall_f1_matches_sklearn(seed):
    y, s = _data(seed, n=150, n_labels=7)
    rng = np.random.default_rng(seed + 100)
    pred = (s > rng.uniform(0.3, 1.2, 7)).astype(int)
    pred[:, 3] = 0  # a label never predicted: precision 0/0
    y[:, 4] = 0  # a label never true: recall 0/0
    y[:, 5], pred[:, 5] = 0, 0  # neither: F1 0/0
    for average in (None, "micro", "macro"):
        ours = precision_recall_f1(y, pred, average=average)
        ref = precision_recall_fscore_support(y, pred, average=average, zero_division=0)[:3]
        for a, b in zip(ours, ref):
            np.testing.assert_allclose(a, b, rtol=0, atol=1e-12)
    p, r, f = precision_recall_f1(y, pred, average=None)
    assert p[3] == 0 and r[4] == 0 and f[5] == 0
    _, _, macro_f1 = precision_recall_f1(y, pred, average="macro")
    assert macro_f1 == pytest.approx(f.mean())


def _brute_at_k(y, s, k):
    precs, recs = [], []
    for yi, si in zip(y, s):
        top = sorted(range(len(si)), key=lambda j: (-si[j], j))[:k]
        hits = sum(yi[j] for j in top)
        precs.append(hits / k)
        if yi.sum():
            recs.append(hits / yi.sum())
    return np.mean(precs), np.mean(recs)


@pytest.mark.parametrize("k", [1, 2, 3, 6])
def test_precision_recall_at_k_brute_force(k):
    y, s = _data(3, n=60)
    y[:5] = 0  # samples without positives
    p, r = _brute_at_k(y, s, k)
    assert precision_at_k(y, s, k) == pytest.approx(p, abs=1e-12)
    assert recall_at_k(y, s, k) == pytest.approx(r, abs=1e-12)


def test_precision_at_k_sklearn_top_k_without_ties():
    # No ties: P@k equals sklearn's label-ranking based precision via top-k membership.
    y, s = _data(4, n=80, decimals=None)
    k = 2
    top = np.argsort(-s, axis=1)[:, :k]
    pred = np.zeros_like(y)
    np.put_along_axis(pred, top, 1, axis=1)
    ref = precision_recall_fscore_support(y, pred, average="samples", zero_division=0)[0]
    assert precision_at_k(y, s, k) == pytest.approx(ref, abs=1e-12)


def test_per_label_report():
    y, s = _data(5, n_labels=3)
    y[:, 1] = 0
    pred = (s >= 0.7).astype(int)
    rows = per_label_report(y, s, pred, ["a", "b", "c"], thresholds=[0.7, 0.7, 0.7])
    assert [r["label"] for r in rows] == ["a", "b", "c"]
    p, r, f = precision_recall_fscore_support(y, pred, average=None, zero_division=0)[:3]
    for j, row in enumerate(rows):
        assert row["support"] == y[:, j].sum()
        assert row["precision"] == pytest.approx(p[j]) and row["recall"] == pytest.approx(r[j])
        assert row["f1"] == pytest.approx(f[j]) and row["threshold"] == 0.7
    assert np.isnan(rows[1]["average_precision"]) and np.isnan(rows[1]["roc_auc"])
    assert rows[0]["average_precision"] == pytest.approx(average_precision_score(y[:, 0], s[:, 0]))
    assert [r["label"] for r in per_label_report(y, s, pred)] == ["0", "1", "2"]
    assert "threshold" not in per_label_report(y, s, pred)[0]
    with pytest.raises(InputError, match="label_names"):
        per_label_report(y, s, pred, ["a"])


def test_multilabel_report_keys_and_values():
    y, s = _data(6, n_labels=4)
    pred = (s >= 0.7).astype(int)
    rep = multilabel_report(y, s, pred)
    assert rep["map"] == pytest.approx(average_precision_score(y, s, average="macro"), abs=1e-10)
    assert rep["macro_roc_auc"] == pytest.approx(roc_auc_score(y, s), abs=1e-10)
    for avg in ("micro", "macro"):
        p, r, f = precision_recall_fscore_support(y, pred, average=avg, zero_division=0)[:3]
        assert rep[f"{avg}_precision"] == pytest.approx(p)
        assert rep[f"{avg}_recall"] == pytest.approx(r)
        assert rep[f"{avg}_f1"] == pytest.approx(f)
    assert rep["precision_at_1"] == pytest.approx(precision_at_k(y, s, 1))
    assert rep["precision_at_3"] == pytest.approx(precision_at_k(y, s, 3))
    assert rep["recall_at_3"] == pytest.approx(recall_at_k(y, s, 3))
    assert "precision_at_5" not in rep
    assert rep["labels_without_positives"] == 0 and rep["n_labels"] == 4 and rep["n_samples"] == 200


def test_bool_and_torch_like_inputs():
    y, s = _data(7)
    ref = average_precision_per_label(y, s)
    np.testing.assert_allclose(average_precision_per_label(y.astype(bool), s.astype(np.float32)), ref, atol=1e-6)
    torch = pytest.importorskip("torch")
    np.testing.assert_allclose(average_precision_per_label(torch.tensor(y), torch.tensor(s)), ref)


@pytest.mark.parametrize(
    "y, s, match",
    [
        (np.ones((3, 2)), np.ones((3, 3)), "shape"),
        (np.ones((3, 2)), np.ones((4, 2)), "shape"),
        (np.array([[0, 2], [1, 0]]), np.ones((2, 2)), "0/1"),
        (np.array([[0, np.nan], [1, 0]]), np.ones((2, 2)), "NaN"),
        (np.ones((2, 2)), np.array([[0.1, np.nan], [0.2, 0.3]]), "NaN"),
        (np.ones(3), np.ones(3), "2-D"),
        (np.ones((0, 2)), np.ones((0, 2)), "at least 1 sample"),
        (np.ones((2, 2)), np.array([["a", "b"], ["c", "d"]]), "dtype"),
    ],
)
def test_input_errors(y, s, match):
    with pytest.raises(InputError, match=match):
        average_precision_per_label(y, s)
    with pytest.raises(InputError, match=match):
        roc_auc_per_label(y, s)


def test_input_errors_counting():
    y = np.array([[0, 1], [1, 0]])
    with pytest.raises(InputError, match="y_pred"):
        precision_recall_f1(y, np.array([[0, 3], [1, 0]]))
    with pytest.raises(InputError, match="shape"):
        precision_recall_f1(y, np.ones((2, 3), dtype=int))
    with pytest.raises(InputError, match="average"):
        precision_recall_f1(y, y, average="weighted")
    for k in (0, 3, 1.5, True):
        with pytest.raises(InputError, match="k must be"):
            precision_at_k(y, y.astype(float), k)
