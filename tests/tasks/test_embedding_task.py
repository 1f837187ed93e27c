"""``weaklabel fit --task embedding`` / predict / evaluate on a CSV with one class column."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weaklabel.cli import main

FAST = ["--task", "embedding", "--epochs", "3", "--hidden-sizes", "16", "--seed", "0", "-q", "--param", "embedding_dim=4"]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(0)
    y = np.repeat(["cat", "dog", "owl"], 30)
    X = rng.normal(size=(90, 3)) + 3.0 * (np.searchsorted(["cat", "dog", "owl"], y)[:, None] == np.arange(3))
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(90)], "a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "animal": y})
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path


def test_fit_predict_evaluate_round_trip(csv_file, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "animal", "--id-column", "id", *FAST]) == 0
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model), str(csv_file), "--out", str(out), "-q"]) == 0
    pred = pd.read_csv(out)
    assert list(pred.columns) == ["id", "predicted", "score_cat", "score_dog", "score_owl"]
    np.testing.assert_allclose(pred.filter(like="score_").sum(axis=1), 1.0, rtol=1e-5)
    assert set(pred["predicted"]) <= {"cat", "dog", "owl"}

    report_dir = tmp_path / "eval"
    assert main(["evaluate", str(model), str(csv_file), "--out", str(report_dir), "-q"]) == 0
    text = (report_dir / "report.md").read_text()
    for metric in ("accuracy", "precision_at_1", "map_at_r", "nmi", "overlap"):
        assert metric in text
    for figure in ("embedding_scatter.png", "distance_histograms.png"):
        assert (report_dir / "figures" / figure).stat().st_size > 1000


def test_rows_with_several_labels_are_refused(csv_file, tmp_path, capsys):
    frame = pd.read_csv(csv_file)
    frame.loc[4, "animal"] = "cat|dog"
    frame.to_csv(csv_file, index=False)
    assert main(["fit", str(csv_file), "--out", str(tmp_path / "m"), "--label-column", "animal", *FAST]) == 2
    err = capsys.readouterr().err
    assert "exactly one class per row" in err and "data row 5" in err
