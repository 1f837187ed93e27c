"""``weaklabel fit --task positive-only`` round trip, the blob demo scenario's figure, the embedding plot."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weaklabel.cli import main
from weaklabel.exceptions import InputError
from weaklabel.plots.positive_only import label_embedding_space

FAST = ["--epochs", "3", "--hidden-sizes", "16", "--seed", "0", "-q"]


def test_fit_predict_evaluate_positive_only(tmp_path) -> None:
    rng = np.random.default_rng(0)
    X = rng.normal(size=(150, 3))
    tags = np.where(X[:, 0] > 0, "red", np.where(X[:, 1] > 0, "blue", "grey"))
    frame = pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "tags": tags})
    path = tmp_path / "clicks.csv"
    frame.to_csv(path, index=False)
    model = tmp_path / "model"
    assert main(["fit", str(path), "--task", "positive-only", "--out", str(model), "--label-column", "tags", "--loss", "weak_negative", *FAST]) == 0
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model), str(path), "--out", str(out), "-q"]) == 0
    pred = pd.read_csv(out)
    assert {"score_blue", "score_grey", "score_red"} <= set(pred.columns) and len(pred) == 150
    assert main(["evaluate", str(model), str(path), "--out", str(tmp_path / "eval"), "-q"]) == 0
    assert "Per label" in (tmp_path / "eval" / "report.md").read_text()


def test_label_embedding_space_figure() -> None:
    rng = np.random.default_rng(0)
    fig = label_embedding_space(rng.normal(size=(30, 2)), np.repeat([0, 1, 2], 10), np.eye(2), ["a", "b"])
    assert len(fig.axes) == 1 and len(fig.axes[0].collections) == 5  # 3 groups + 2 label stars
    with pytest.raises(InputError, match="2-D positions"):
        label_embedding_space(np.zeros((3, 3)), np.zeros(3), np.eye(2), ["a", "b"])


def test_a_row_without_a_positive_is_named_by_its_data_row(tmp_path, capsys) -> None:
    frame = pd.DataFrame({"a": np.arange(8.0), "tags": ["red", "blue", "", "red", "blue", "", "red", "blue"]})
    frame.to_csv(tmp_path / "clicks.csv", index=False)
    code = main(["fit", str(tmp_path / "clicks.csv"), "--task", "positive-only", "--out", str(tmp_path / "m"), "--label-column", "tags", *FAST])
    assert code == 2 and "data row 3 has no observed positive label (2 such rows in all)" in capsys.readouterr().err
