"""Hungarian-matched clustering scores against brute force over assignments."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

from weaklabel.exceptions import InputError
from weaklabel.metrics import clustering_accuracy, clustering_report, match_clusters, matched_confusion_matrix


def _brute_accuracy(y_true, y_pred) -> float:
    classes, clusters = np.unique(y_true), np.unique(y_pred)
    best = 0
    # every one-to-one assignment of clusters to classes (or to nothing when k_pred > k_true)
    slots = list(classes) + [None] * max(0, len(clusters) - len(classes))
    for perm in itertools.permutations(slots, len(clusters)):
        mapping = dict(zip(clusters, perm))
        best = max(best, sum(mapping[p] == t for t, p in zip(y_true, y_pred)))
    return best / len(y_true)


def test_permuted_labels_give_perfect_scores():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 5, 300)
    perm = np.array([3, 0, 4, 1, 2])
    pred = perm[y] + 10  # renamed clusters
    assert clustering_accuracy(y, pred) == 1.0
    mapping, confusion = match_clusters(y, pred)
    assert mapping == {int(perm[c] + 10): c for c in range(5)}
    assert confusion.sum() == 300 and confusion.shape == (5, 5)
    m = matched_confusion_matrix(y, pred)
    np.testing.assert_array_equal(m, np.diag(np.bincount(y)))
    rep = clustering_report(y, pred)
    assert rep == pytest.approx({"accuracy": 1.0, "nmi": 1.0, "ari": 1.0})


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("k_true, k_pred", [(3, 3), (4, 4), (3, 5), (5, 3), (2, 4)])
def test_accuracy_matches_brute_force(seed, k_true, k_pred):
    rng = np.random.default_rng(seed)
    y = rng.integers(0, k_true, 40)
    pred = np.where(rng.random(40) < 0.6, y % k_pred, rng.integers(0, k_pred, 40))
    acc = clustering_accuracy(y, pred)
    assert acc == pytest.approx(_brute_accuracy(y, pred))
    mapping, confusion = match_clusters(y, pred)
    assert len(mapping) == min(len(np.unique(y)), len(np.unique(pred)))
    assert len(set(mapping.values())) == len(mapping)  # one-to-one
    assert sum(mapping.get(p) == t for t, p in zip(y, pred)) / len(y) == pytest.approx(acc)
    m = matched_confusion_matrix(y, pred)
    assert m.shape == (confusion.shape[0], max(confusion.shape))
    assert np.trace(m) == round(acc * len(y))
    assert m.sum() == len(y)
    # columns are a reordering of the original ones (plus zero columns if too few clusters)
    assert sorted(map(tuple, m.T[m.any(axis=0)])) == sorted(map(tuple, confusion.T[confusion.any(axis=0)]))


def test_report_uses_standard_nmi_ari():
    rng = np.random.default_rng(3)
    y = rng.integers(0, 4, 100)
    pred = rng.integers(0, 6, 100)
    rep = clustering_report(y, pred)
    assert rep["nmi"] == pytest.approx(normalized_mutual_info_score(y, pred))
    assert rep["ari"] == pytest.approx(adjusted_rand_score(y, pred))
    assert rep["accuracy"] == pytest.approx(clustering_accuracy(y, pred))


def test_string_labels_and_fewer_clusters():
    y = np.array(["cat", "cat", "dog", "dog", "eel"])
    pred = np.array([7, 7, 3, 3, 3])
    mapping, _ = match_clusters(y, pred)
    assert mapping == {7: "cat", 3: "dog"}
    assert clustering_accuracy(y, pred) == pytest.approx(4 / 5)
    m = matched_confusion_matrix(y, pred)
    np.testing.assert_array_equal(m, [[2, 0, 0], [0, 2, 0], [0, 1, 0]])


def test_single_sample():
    assert clustering_accuracy([4], [9]) == 1.0
    assert match_clusters([4], [9])[0] == {9: 4}


@pytest.mark.parametrize(
    "y, p, match",
    [
        ([0, 1, 2], [0, 1], "samples"),
        ([[0, 1]], [[0, 1]], "1-D"),
        ([], [], "empty"),
        ([0.0, np.nan], [0, 1], "NaN"),
    ],
)
def test_errors(y, p, match):
    with pytest.raises(InputError, match=match):
        clustering_accuracy(y, p)
