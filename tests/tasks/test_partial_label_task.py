"""``weaklabel fit --task partial-label`` round trip: candidate sets in a delimited column, predictions, evaluation."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from weaklabel.cli import main
from weaklabel.data.candidates import uniform_candidates

FAST = ["--epochs", "30", "--hidden-sizes", "16", "--seed", "0", "-q"]
COLOURS = np.array(["blue", "grey", "red"])

pytestmark = pytest.mark.usefixtures("one_torch_thread")


def _blobs(n: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, 3, n)
    return rng.normal(size=(n, 2)) * 0.5 + np.array([[0.0, 3.0], [3.0, 0.0], [-3.0, -3.0]])[y], y


def _printed(text: str) -> dict[str, str]:
    """The metric table the command printed, as metric → value text."""
    rows = [re.split(r"\s{2,}", line.strip()) for line in text.splitlines()]
    return {row[0]: row[1] for row in rows if len(row) == 2}


def _write(path, X: np.ndarray, labels: list[str]) -> None:
    pd.DataFrame({"a": X[:, 0], "b": X[:, 1], "classes": labels}).to_csv(path, index=False)


def test_fit_on_candidate_sets_predict_and_evaluate(tmp_path, capsys) -> None:
    X, y = _blobs(300, 0)
    candidates = uniform_candidates(y, 3, 0.5, random_state=0)
    _write(tmp_path / "train.csv", X, ["|".join(COLOURS[np.flatnonzero(row)]) for row in candidates])
    X_test, y_test = _blobs(100, 1)
    _write(tmp_path / "test.csv", X_test, list(COLOURS[y_test]))
    model = tmp_path / "model"
    assert main(["fit", str(tmp_path / "train.csv"), "--task", "partial-label", "--label-column", "classes", "--out", str(model), *FAST]) == 0
    assert main(["predict", str(model), str(tmp_path / "test.csv"), "--out", str(tmp_path / "pred.csv"), "-q"]) == 0
    pred = pd.read_csv(tmp_path / "pred.csv")
    assert list(pred.columns) == ["predicted", "score_blue", "score_grey", "score_red"] and len(pred) == 100
    np.testing.assert_allclose(pred[["score_blue", "score_grey", "score_red"]].sum(axis=1), 1.0, rtol=1e-6)
    accuracy = np.mean(pred["predicted"].to_numpy() == COLOURS[y_test])
    assert accuracy >= 0.9  # three well-separated blobs, 2 candidates per item on average

    capsys.readouterr()
    assert main(["evaluate", str(model), str(tmp_path / "test.csv"), "--out", str(tmp_path / "eval"), "-q"]) == 0
    printed = _printed(capsys.readouterr().out)
    assert printed["accuracy"] == printed["predicted class among the candidates"] == f"{accuracy:.3f}"
    assert printed["average candidate-set size"] == "1.000"
    assert printed["average candidate-set size at fit"] == f"{candidates.sum(axis=1).mean():.3f}"
    assert "Metrics" in (tmp_path / "eval" / "report.md").read_text()


def test_evaluating_on_candidate_sets_reports_how_often_the_prediction_is_among_them(tmp_path, capsys) -> None:
    X, y = _blobs(200, 0)
    _write(tmp_path / "train.csv", X, list(COLOURS[y]))
    model = tmp_path / "model"
    assert main(["fit", str(tmp_path / "train.csv"), "--task", "partial-label", "--label-column", "classes", "--out", str(model), *FAST]) == 0
    _write(tmp_path / "sets.csv", X[:4], ["blue|grey|red", "blue|grey|red", "blue|grey|red", "blue|grey|red"])
    capsys.readouterr()
    assert main(["evaluate", str(model), str(tmp_path / "sets.csv"), "--out", str(tmp_path / "eval"), "-q"]) == 0
    printed = _printed(capsys.readouterr().out)
    assert printed["accuracy"] == "–" and printed["predicted class among the candidates"] == "1.000"
    assert printed["average candidate-set size"] == "3.000" and printed["average candidate-set size at fit"] == "1.000"


def test_a_row_without_candidates_is_named_by_its_data_row(tmp_path, capsys) -> None:
    X, _ = _blobs(8, 0)
    _write(tmp_path / "train.csv", X, ["red", "blue", "", "red|blue", "blue", "", "grey", "blue"])
    code = main(["fit", str(tmp_path / "train.csv"), "--task", "partial-label", "--label-column", "classes", "--out", str(tmp_path / "m"), *FAST])
    assert code == 2 and "sample 2 (data row 3 of a file) has an empty candidate set (2 such samples)" in capsys.readouterr().err
