"""The standard-set part of the multilabel benchmark: its peers, its table and a quick run."""

import numpy as np
from threadpoolctl import threadpool_limits

from weaklabel.bench import _standard_sets as standard_sets
from weaklabel.bench._quoted import QUOTED, quoted_table
from weaklabel.bench._standard_sets import NETWORKS, ValidatedLogisticRegression, add_standard_sets, network_runs, summary_table
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
    for method in ("MultiLabelClassifier (default: bce, 3 members)", "BR logistic regression", "per-label HistGradientBoosting", "ML-kNN"):
        assert method in text
    assert "| LRAP" in text or "LRAP |" in text


def test_the_default_runs_on_every_seed_the_other_rows_on_the_first_and_no_other_loss_on_the_big_sets():
    small = {name: seeds for name, _, seeds in network_runs("yeast", NETWORKS, (0, 1, 2))}
    assert small[NETWORKS[0][0]] == (0, 1, 2) and all(seeds == (0,) for name, seeds in small.items() if name != NETWORKS[0][0])
    assert len(small) == len(NETWORKS)
    big = {name: params for name, params, _ in network_runs("tmc2007", NETWORKS, (0, 1, 2))}
    assert list(big) == [NETWORKS[0][0], "MultiLabelClassifier, one network (n_members=1)"]


def test_every_quoted_figure_names_its_source_and_a_metric_of_the_table():
    keys = {key for key, _ in standard_sets.METRICS.values()}
    for quoted in QUOTED:
        assert quoted.url.startswith("https://") and quoted.source and quoted.protocol
        assert set(quoted.figures) <= keys and "coverage" not in quoted.figures  # normalised there, not here
        assert all(0.0 <= mean <= 1.0 for mean, _ in quoted.figures.values())


def test_the_quoted_table_marks_quoted_rows_and_sets_ours_beside_them():
    ours = {key: 0.5 for key, _ in standard_sets.METRICS.values()} | {"lrap": 0.7712}
    rows = quoted_table("yeast", ours, "ours", standard_sets.METRICS)
    assert rows[0]["method"] == "CAMEL (quoted, not rerun)" and rows[0]["LRAP"] == "0.775 ± 0.013"
    assert "https://github.com/hinanmu/CAMEL" in rows[0]["source"] and "coverage" not in rows[0]
    assert rows[-1] == {"method": "ours", **{name: ("0.771" if name == "LRAP" else "0.500") for name in rows[0] if name not in ("method", "source")}, "source": "this run"}
    assert quoted_table("emotions", ours, "ours", standard_sets.METRICS) == []  # nothing quoted: no table


def test_the_report_renders_the_quoted_table_of_a_set():
    ours = {key: 0.5 for key, _ in standard_sets.METRICS.values()}
    report = Report("quoted")
    report.table(quoted_table("scene", ours, "ours", standard_sets.METRICS), caption="quoted")
    text = report.to_markdown()
    assert "CAMEL (quoted, not rerun)" in text and "0.897 ± 0.012" in text and "| ours" in text
