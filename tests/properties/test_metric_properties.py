"""Property tests of the metrics: bounds and agreement with scikit-learn."""

import numpy as np
from hypothesis import assume, given, settings
from hypothesis import strategies as st
from sklearn import metrics as skm

from weaklabel.metrics import (
    average_precision_per_label,
    clustering_accuracy,
    precision_recall_f1,
    roc_auc_per_label,
)

SETTINGS = settings(max_examples=40, deadline=None, derandomize=True)


@st.composite
def truth_and_scores(draw):
    """0/1 truth (n, L) and scores with many ties (drawn from a few levels)."""
    n, L = draw(st.integers(2, 12)), draw(st.integers(1, 4))
    truth = np.array(draw(st.lists(st.integers(0, 1), min_size=n * L, max_size=n * L))).reshape(n, L)
    levels = draw(st.sampled_from([[0.0, 1.0], [0.1, 0.5, 0.9], list(np.linspace(0, 1, 11))]))
    scores = np.array(draw(st.lists(st.sampled_from(levels), min_size=n * L, max_size=n * L))).reshape(n, L)
    return truth, scores


@SETTINGS
@given(truth_and_scores())
def test_average_precision_matches_sklearn(problem):
    truth, scores = problem
    ap = average_precision_per_label(truth, scores)
    for j in range(truth.shape[1]):
        if truth[:, j].any():
            assert 0.0 <= ap[j] <= 1.0
            np.testing.assert_allclose(ap[j], skm.average_precision_score(truth[:, j], scores[:, j]), rtol=1e-12)
        else:
            assert np.isnan(ap[j])


@SETTINGS
@given(truth_and_scores())
def test_roc_auc_matches_sklearn(problem):
    truth, scores = problem
    auc = roc_auc_per_label(truth, scores)
    for j in range(truth.shape[1]):
        if 0 < truth[:, j].sum() < len(truth):
            assert 0.0 <= auc[j] <= 1.0
            np.testing.assert_allclose(auc[j], skm.roc_auc_score(truth[:, j], scores[:, j]), rtol=1e-12)
        else:
            assert np.isnan(auc[j])


@SETTINGS
@given(truth_and_scores(), st.sampled_from(["macro", "micro"]))
def test_precision_recall_f1_match_sklearn(problem, average):
    truth, scores = problem
    assume(truth.shape[1] > 1)  # scikit-learn reads a one-column matrix as a binary problem, not multi-label
    pred = (scores >= 0.5).astype(int)
    got = precision_recall_f1(truth, pred, average=average)
    expected = (
        skm.precision_score(truth, pred, average=average, zero_division=0),
        skm.recall_score(truth, pred, average=average, zero_division=0),
        skm.f1_score(truth, pred, average=average, zero_division=0),
    )
    np.testing.assert_allclose(got, expected, rtol=1e-12)
    assert all(0.0 <= v <= 1.0 for v in got)


@SETTINGS
@given(st.lists(st.integers(0, 3), min_size=2, max_size=30), st.permutations(range(4)), st.data())
def test_clustering_accuracy_bounds_and_relabelling(truth, relabel, data):
    truth = np.array(truth)
    pred = np.array(data.draw(st.lists(st.integers(0, 3), min_size=len(truth), max_size=len(truth))))
    acc = clustering_accuracy(truth, pred)
    assert 1.0 / len(truth) - 1e-12 <= acc <= 1.0
    mapping = np.array(relabel)
    assert clustering_accuracy(truth, mapping[pred]) == acc  # cluster ids are arbitrary
    assert clustering_accuracy(truth, mapping[truth]) == 1.0
