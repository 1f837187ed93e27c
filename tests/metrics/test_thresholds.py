"""Per-label threshold tuning against a brute force over every candidate threshold."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import f1_score

from weaklabel.exceptions import InputError
from weaklabel.metrics import apply_thresholds, precision_recall_f1, tune_thresholds


def _data(seed: int, n: int = 120, n_labels: int = 5, decimals: int | None = 1):
    rng = np.random.default_rng(seed)
    y = (rng.random((n, n_labels)) < rng.uniform(0.05, 0.5, n_labels)).astype(int)
    s = rng.normal(size=(n, n_labels)) + 1.0 * y
    if decimals is not None:
        s = np.round(s, decimals)
    return y, s


def _brute_best_f1(y: np.ndarray, s: np.ndarray) -> float:
    best = 0.0
    for t in np.unique(s):
        pred = s >= t
        tp, fp, fn = np.sum(pred & (y == 1)), np.sum(pred & (y == 0)), np.sum(~pred & (y == 1))
        best = max(best, 2 * tp / (2 * tp + fp + fn) if tp else 0.0)
    return best


def test_brute_force_agrees_with_sklearn():
    y, s = _data(9, n=60)
    for j in range(y.shape[1]):
        ref = max(f1_score(y[:, j], (s[:, j] >= t).astype(int), zero_division=0) for t in np.unique(s[:, j]))
        assert _brute_best_f1(y[:, j], s[:, j]) == pytest.approx(ref, abs=1e-12)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("decimals", [None, 1, 0])
def test_tuned_f1_equals_brute_force(seed, decimals):
    y, s = _data(seed, decimals=decimals)
    thr = tune_thresholds(y, s)
    pred = apply_thresholds(s, thr)
    _, _, f1 = precision_recall_f1(y, pred, average=None)
    for j in range(y.shape[1]):
        assert f1[j] == pytest.approx(_brute_best_f1(y[:, j], s[:, j]), abs=1e-12)


def test_threshold_is_midpoint_to_next_lower_score():
    y = np.array([[1], [1], [0], [1], [0], [0]])
    s = np.array([[0.9], [0.8], [0.6], [0.5], [0.2], [0.1]])
    # candidates: >=0.9 F1=2/4, >=0.8 F1=4/5, >=0.6 4/6, >=0.5 6/7, >=0.2 6/8
    thr = tune_thresholds(y, s)
    assert thr[0] == pytest.approx((0.5 + 0.2) / 2)
    np.testing.assert_array_equal(apply_thresholds(s, thr)[:, 0], [1, 1, 1, 1, 0, 0])


def test_ties_and_lowest_score_chosen():
    # All positive: every sample predicted positive is optimal; no lower score exists.
    y = np.array([[1], [1], [1]])
    s = np.array([[0.3], [0.7], [0.3]])
    assert tune_thresholds(y, s)[0] == 0.3
    # Ties: the threshold never splits a group of equal scores.
    y = np.array([[1], [0], [1], [0]])
    s = np.array([[0.5], [0.5], [0.5], [0.1]])
    thr = tune_thresholds(y, s)[0]
    assert 0.1 < thr <= 0.5


def test_highest_threshold_wins_among_equal_f1():
    # >=0.9: F1 = 2/(1+2) = 2/3 ; >=0.7: 2/4 ; >=0.5: 2/5 ; >=0.3: 4/(4+2) = 2/3
    y = np.array([[1], [0], [0], [1]])
    s = np.array([[0.9], [0.7], [0.5], [0.3]])
    assert tune_thresholds(y, s)[0] == pytest.approx(0.8)


def test_label_without_positives_gets_default():
    y, s = _data(3)
    y[:, 1] = 0
    thr = tune_thresholds(y, s)
    assert thr[1] == 0.5
    assert tune_thresholds(y, s, default=0.25)[1] == 0.25
    assert np.isfinite(thr).all()


def test_single_sample():
    assert tune_thresholds(np.array([[1, 0]]), np.array([[0.3, 0.9]])).tolist() == [0.3, 0.5]


def test_infinite_scores():
    y = np.array([[1], [0], [0]])
    s = np.array([[np.inf], [-np.inf], [-np.inf]])
    thr = tune_thresholds(y, s)
    np.testing.assert_array_equal(apply_thresholds(s, thr)[:, 0], [1, 0, 0])


def test_apply_thresholds():
    s = np.array([[0.1, 0.6], [0.5, 0.4]])
    np.testing.assert_array_equal(apply_thresholds(s, 0.5), [[0, 1], [1, 0]])
    np.testing.assert_array_equal(apply_thresholds(s, [0.05, 0.5]), [[1, 1], [1, 0]])
    with pytest.raises(InputError, match="one threshold per label"):
        apply_thresholds(s, [0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="NaN"):
        apply_thresholds(np.array([[np.nan, 0.1]]), 0.5)
    with pytest.raises(InputError, match="NaN"):
        apply_thresholds(s, [np.nan, 0.5])


def test_errors():
    y, s = _data(0)
    with pytest.raises(InputError, match="metric"):
        tune_thresholds(y, s, metric="accuracy")
    with pytest.raises(InputError, match="shape"):
        tune_thresholds(y[:, :2], s)
    with pytest.raises(InputError, match="0/1"):
        tune_thresholds(y * 2, s)
    s = s.copy()
    s[3, 2] = np.nan
    with pytest.raises(InputError, match="NaN"):
        tune_thresholds(y, s)


def test_one_se_rule_takes_the_widest_gap_among_equivalent_thresholds():
    """Scores that carry no information below 0.9 must not be split to chase validation noise."""
    rng = np.random.default_rng(0)
    informative = np.r_[np.ones(20), np.zeros(80)]  # 20 sure positives at score 0.95
    noise_truth = (rng.random(900) < 0.05).astype(float)  # 45 positives the scores cannot see
    y = np.r_[informative[:20], noise_truth, informative[20:]].reshape(-1, 1)
    s = np.r_[np.full(20, 0.95), 0.5 + 0.01 * rng.random(900), np.full(80, 0.1)].reshape(-1, 1)
    exact = tune_thresholds(y, s, rule="max")[0]
    conservative = tune_thresholds(y, s, rule="one_se")[0]
    assert exact < 0.9  # the exact maximiser dips into the noise band
    assert 0.51 < conservative <= 0.95  # the rule keeps only the informative scores


def test_unknown_rule_is_refused():
    with pytest.raises(InputError, match="rule"):
        tune_thresholds(np.array([[1], [0]]), np.array([[0.9], [0.1]]), rule="median")


@pytest.mark.parametrize("seed", range(4))
def test_example_f1_threshold_maximises_sklearns_sample_averaged_f1_over_every_candidate(seed):
    from weaklabel.metrics import example_f1_threshold
    from weaklabel.metrics.thresholds import example_f1_rows

    y, s = _data(seed)
    threshold = example_f1_threshold(y, s)

    def sample_f1(t):  # sklearn's example-based F1; a row with no true and no predicted label counts as right
        return f1_score(y, (s >= t).astype(int), average="samples", zero_division=1.0)

    candidates = np.unique(s)
    best = max(sample_f1(t) for t in candidates)
    assert sample_f1(threshold) == pytest.approx(best, abs=1e-12)
    assert example_f1_rows(y, s >= threshold).mean() == pytest.approx(best, abs=1e-12)
    # the highest of the best candidates: no higher candidate is as good
    top = max(t for t in candidates if sample_f1(t) == pytest.approx(best, abs=1e-12))
    assert threshold <= top and not any(t > top and sample_f1(t) == pytest.approx(best, abs=1e-12) for t in candidates)
    assert (s >= threshold).sum() == (s >= top).sum()  # the midpoint predicts what the chosen score predicts


def test_example_f1_counts_a_row_with_neither_true_nor_predicted_labels_as_right():
    from weaklabel.metrics.thresholds import example_f1_rows

    y = np.array([[0, 0], [1, 0], [1, 1]])
    p = np.array([[0, 0], [1, 1], [0, 0]])
    np.testing.assert_allclose(example_f1_rows(y, p), [1.0, 2 / 3, 0.0])
