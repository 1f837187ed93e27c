"""The partial-label suite's parts: the every-candidate expansion, the settings, the summary and the default's rule,
and one tiny run end to end."""

from __future__ import annotations

import numpy as np
import pytest

from weaklabel.bench import partial_label as suite


def test_every_candidate_gives_one_row_per_pair_weighted_one_over_the_set_size():
    X = np.array([[1.0], [2.0]])
    candidates = np.array([[1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    rows, classes, weights = suite.every_candidate(X, candidates)
    np.testing.assert_array_equal(rows, [[1.0], [1.0], [2.0]])
    np.testing.assert_array_equal(classes, [0, 1, 2])
    np.testing.assert_allclose(weights, [0.5, 0.5, 1.0])


def _rows(accuracies: dict[str, list[float]]) -> list[dict]:
    """Rows of one data set and two settings; each method's accuracy per (setting, seed) in order."""
    settings = [("q=0.1", 0), ("q=0.1", 1), ("q=0.7", 0), ("q=0.7", 1)]
    return [
        {"dataset": "d", "setting": s, "seed": seed, "method": m, "accuracy": a}
        for m, values in accuracies.items() for (s, seed), a in zip(settings, values)
    ]


def test_the_summary_compares_each_method_with_naive_and_the_best_baseline_and_the_rule_picks_a_safe_loss():
    rows = _rows({
        suite.LINEAR: [80, 80, 60, 60],
        suite.RANDOM: [70, 70, 62, 62],  # the best baseline at q=0.7
        "naive": [82, 82, 50, 50],
        "cc": [92, 92, 55, 55],  # below the random-candidate baseline at q=0.7 by 7 points
        "rc": [85, 85, 61, 65],  # below naive on no seed, above every baseline in both cells
        "proden": [100, 100, 49, 49],  # the best on average, but below naive at q=0.7
    })
    summary = {r["method"]: r for r in suite.overall(rows)}
    assert summary["proden"]["cells_below_naive"] == 1 and summary["proden"]["vs_naive"] == pytest.approx((18 - 1) / 2)
    assert summary["rc"]["cells_below_naive"] == 0 and summary["rc"]["worst_seed_vs_naive"] == 3
    assert summary["cc"]["vs_best_baseline"] == pytest.approx((10 - 7) / 2) and summary["cc"]["cells_below_best_baseline"] == 1
    assert summary["cc"]["worst_cell_vs_best_baseline"] == -7 and summary["rc"]["worst_cell_vs_best_baseline"] == 1
    assert summary["naive"]["vs_naive"] == 0 and summary["naive"]["cells_below_best_baseline"] == 1  # the random one beats it at q=0.7
    assert summary["proden"]["accuracy"] > summary["rc"]["accuracy"] > summary["cc"]["accuracy"]
    assert suite.choose_default(list(summary.values())) == "rc"
    # none safe: the most accurate loss other than naive
    assert suite.choose_default([summary["naive"], summary["proden"], summary["cc"]]) == "proden"


def test_random_candidate_draws_each_candidate_alike_and_nothing_else():
    candidates = np.tile([1.0, 0.0, 1.0, 1.0], (30_000, 1))
    drawn = suite.random_candidate(candidates, seed=0)
    assert set(np.unique(drawn)) == {0, 2, 3}
    np.testing.assert_allclose(np.bincount(drawn, minlength=4) / len(drawn), [1 / 3, 0, 1 / 3, 1 / 3], atol=0.01)  # sd 0.0027
    np.testing.assert_array_equal(suite.random_candidate(np.eye(4)[[3, 1]], seed=5), [3, 1])


def test_settings_draw_their_candidate_sets():
    table = suite.Table(np.zeros((6, 1)), np.array([0, 1, 2, 0, 1, 2]), np.zeros((1, 1)), np.array([0]), 3, "tiny")
    confusion = np.full((6, 3), 1 / 3)
    assert suite._settings(quick=False) == ["q=0.1", "q=0.3", "q=0.5", "q=0.7", "instance-dependent 0.4"]
    np.testing.assert_array_equal(suite.candidate_sets(table, "q=0.0", 0, confusion), np.eye(3)[table.y_train])
    assert (suite.candidate_sets(table, "instance-dependent 10", 0, confusion) == 1).all()  # every false class clipped to 1


def test_a_tiny_run_gives_every_method_for_every_setting(monkeypatch, one_torch_thread):
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(3), 40)
    X = rng.normal(size=(120, 2)) + 3 * np.eye(3)[y][:, :2]
    tiny = suite.Table(X[::2].astype(np.float32), y[::2], X[1::2].astype(np.float32), y[1::2], 3, "tiny blobs", trees=True)
    monkeypatch.setitem(suite.DATASETS, "tiny", lambda quick: tiny)
    rows, info = suite.run_dataset("tiny", quick=True, verbose=0, seeds=(0,))
    methods = [suite.CEILING, suite.LINEAR, suite.RANDOM, suite.TREES, "cc", "naive", "proden", "rc"]
    assert [(r["setting"], r["method"]) for r in rows] == [(s, m) for s in suite._settings(quick=True) for m in methods]
    assert all(0 <= r["accuracy"] <= 100 and r["fit_s"] >= 0 for r in rows) and "60 training items" in info
