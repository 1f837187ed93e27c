"""Ranking metrics per example against scikit-learn and brute force, with ties and rows without a relevant label."""

import numpy as np
import pytest
from sklearn.metrics import coverage_error, label_ranking_average_precision_score, label_ranking_loss

from weaklabel.exceptions import InputError
from weaklabel.metrics import (
    coverage,
    label_ranking_average_precision,
    multilabel_report,
    one_error,
    ranking_loss,
    ranking_report,
)


def _tied_data(n=300, n_labels=7, seed=0):
    """Every row with ≥ 1 relevant and ≥ 1 irrelevant label; scores on a coarse grid, so rows have ties."""
    rng = np.random.default_rng(seed)
    Y = (rng.random((n, n_labels)) < 0.35).astype(int)
    Y[np.arange(n), rng.integers(0, n_labels, n)] = 1
    Y[np.arange(n), rng.integers(0, n_labels, n)] = 0
    Y[Y.sum(axis=1) == 0, 0] = 1
    scores = np.round(rng.random((n, n_labels)) + 0.4 * Y, 1)
    return Y, scores


def _brute_force(Y, S):
    """Zhang & Zhou's definitions, one row and one label at a time, with the pessimistic rank |{k: s_k >= s_j}|."""
    ap, rl, cov, oe = [], [], [], []
    for y, s in zip(Y, S):
        rel = [j for j in range(len(y)) if y[j]]
        irr = [j for j in range(len(y)) if not y[j]]
        if not rel:
            continue
        rank = {j: sum(s[k] >= s[j] for k in range(len(s))) for j in range(len(s))}
        ap.append(np.mean([sum(rank[k] <= rank[j] for k in rel) / rank[j] for j in rel]))
        cov.append(max(rank[j] for j in rel) - 1)
        oe.append(float(y[int(np.argmax(s))] == 0))
        if irr:
            rl.append(sum(s[k] >= s[j] for j in rel for k in irr) / (len(rel) * len(irr)))
    return np.mean(ap), np.mean(rl), np.mean(cov), np.mean(oe)


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_with_ties_they_equal_scikit_learn_and_brute_force(seed):
    Y, S = _tied_data(seed=seed)
    assert (S[:, :, None] == S[:, None, :]).sum() > S.size  # the data has ties
    assert label_ranking_average_precision(Y, S) == pytest.approx(label_ranking_average_precision_score(Y, S), abs=1e-12)
    assert ranking_loss(Y, S) == pytest.approx(label_ranking_loss(Y, S), abs=1e-12)
    assert coverage(Y, S) == pytest.approx(coverage_error(Y, S) - 1, abs=1e-12)  # Zhang & Zhou count from 0
    ap, rl, cov, oe = _brute_force(Y, S)
    report = ranking_report(Y, S)
    assert (report["lrap"], report["ranking_loss"], report["coverage"], report["one_error"]) == pytest.approx((ap, rl, cov, oe), abs=1e-12)
    assert one_error(Y, S) == pytest.approx(oe, abs=1e-12)


def test_a_hand_computed_row():
    # scores rank labels c (0.9) > b (0.6) > a = d (0.5, tied); relevant: a, b
    y, s = [[1, 1, 0, 0]], [[0.5, 0.6, 0.9, 0.5]]
    # ranks: c 1, b 2, a and d 4 (a tie takes the lower place of the two)
    assert label_ranking_average_precision(y, s) == pytest.approx((1 / 2 + 2 / 4) / 2)
    assert coverage(y, s) == 3  # a, the lowest relevant label, ranks 4th: 4 - 1
    assert ranking_loss(y, s) == pytest.approx(3 / 4)  # (a, c), (a, d) tied and (b, c) wrong; (b, d) right
    assert one_error(y, s) == 1.0  # c, on top, is not relevant


def test_rows_without_a_relevant_label_are_left_out_where_scikit_learn_counts_them_as_perfect():
    Y, S = _tied_data(n=120, seed=3)
    Y[:10] = 0  # no relevant label
    Y[10:15] = 1  # every label relevant
    defined = slice(10, None)
    assert label_ranking_average_precision(Y, S) == pytest.approx(label_ranking_average_precision_score(Y[defined], S[defined]))
    assert label_ranking_average_precision(Y, S) != pytest.approx(label_ranking_average_precision_score(Y, S))
    assert ranking_loss(Y, S) == pytest.approx(label_ranking_loss(Y[15:], S[15:]))
    assert coverage(Y, S) == pytest.approx(coverage_error(Y[defined], S[defined]) - 1)
    assert ranking_report(Y, S)["rows_without_relevant"] == 10


def test_a_metric_without_any_defined_row_is_nan():
    report = ranking_report(np.zeros((3, 4), int), np.random.default_rng(0).random((3, 4)))
    assert all(np.isnan(report[k]) for k in ("lrap", "ranking_loss", "coverage", "one_error"))
    assert np.isnan(ranking_loss(np.ones((3, 4), int), np.random.default_rng(0).random((3, 4))))


def test_many_labels_are_compared_in_chunks_with_the_same_result():
    Y, S = _tied_data(n=400, n_labels=159, seed=4)  # 400 × 159 × 159 > one chunk
    assert label_ranking_average_precision(Y, S) == pytest.approx(label_ranking_average_precision_score(Y, S), abs=1e-12)
    assert ranking_loss(Y, S) == pytest.approx(label_ranking_loss(Y, S), abs=1e-12)


def test_multilabel_report_carries_them():
    Y, S = _tied_data(seed=5)
    report = multilabel_report(Y, S, (S >= 0.7).astype(int))
    assert report["lrap"] == pytest.approx(label_ranking_average_precision(Y, S))
    assert report["coverage"] == pytest.approx(coverage(Y, S))
    assert {"ranking_loss", "one_error", "hamming_loss", "subset_accuracy", "example_f1"} <= set(report)


def test_bad_input_is_named():
    with pytest.raises(InputError, match="same shape|has shape"):
        ranking_report(np.ones((3, 2)), np.ones((3, 3)))
    with pytest.raises(InputError, match="NaN"):
        coverage([[1, 0]], [[np.nan, 0.2]])
