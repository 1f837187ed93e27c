"""The standard-set part of the multilabel benchmark: its peers, its table and a quick run."""

import numpy as np
from threadpoolctl import threadpool_limits

from weaklabel.bench import _standard_sets as standard_sets
from weaklabel.bench._standard_sets import ValidatedLogisticRegression, add_standard_sets, summary_table
from weaklabel.report import Report


def test_logistic_regression_keeps_each_labels_lowest_validation_log_loss():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(600, 20))
    Y = np.column_stack([(X[:, 0] + 0.3 * rng.normal(size=600) > 0), rng.random(600) < 0.3]).astype(int)
    model = ValidatedLogisticRegression().fit(X[:400], Y[:400], X[400:], Y[400:])
    assert model.C_[1] == 0.01  # noise: the strongest regularisation predicts best
    assert model.C_[0] > 0.01  # a clear signal wants little
    proba = model.predict_proba(X[400:])
    assert proba.shape == (200, 2) and 0.2 < proba[:, 1].mean() < 0.4


def test_the_table_gives_mean_and_worst_seed_and_bolds_the_best_mean():
    networks = {"net": [{key: 0.5 for key, _ in standard_sets.METRICS.values()} | {"fit_s": 1.0, "lrap": v} for v in (0.7, 0.8)]}
    peers = [{"method": "peer", **{key: 0.5 for key, _ in standard_sets.METRICS.values()}, "lrap": 0.76, "fit_s": 2.0}]
    rows = summary_table(networks, peers)
    assert rows[0]["LRAP"] == "0.750 (0.700)" and rows[1]["LRAP"] == "**0.760**"
    assert rows[0]["Hamming loss"] == "**0.500 (0.500)**"  # tied: both bold


def test_a_quick_run_writes_a_table_per_set_with_every_peer(tmp_path):
    report = Report("quick")
    with threadpool_limits(1):  # scikit-learn's OpenMP and BLAS threads crawl on a loaded 2-core machine
        add_standard_sets(report, quick=True, verbose=0)
    text = report.to_markdown()
    assert "emotions: emotions evoked by music" in text
    for method in ("MultiLabelClassifier (default: bce)", "BR logistic regression", "per-label HistGradientBoosting", "ML-kNN"):
        assert method in text
    assert "| LRAP" in text or "LRAP |" in text
