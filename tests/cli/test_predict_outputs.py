"""Outputs that match across tasks: the id column under its own name, 'predicted' and 'score_<name>' in every task,
label sets as lists in Parquet, --top-k and --threshold on predict, and the label count in evaluate."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from weaklabel.cli import main

FAST = ["--epochs", "3", "--hidden-sizes", "8", "--seed", "0", "-q"]


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    """120 rows: an id column named 'movie', three features, a label set ('tags') and one class ('kind')."""
    folder = tmp_path_factory.mktemp("outputs")
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    tags = ["|".join(t for t, on in zip(("red", "blue", "green"), X[i] > 0) if on) or "grey" for i in range(120)]
    frame = pd.DataFrame({"movie": [f"m{i}" for i in range(120)], "a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "tags": tags,
                          "kind": np.where(X[:, 0] > 0, "up", "down")})
    frame.to_csv(folder / "train.csv", index=False)
    models = {}
    for task, labels in (("multilabel", "tags"), ("positive-only", "kind"), ("embedding", "kind")):
        models[task] = folder / task
        assert main(["fit", str(folder / "train.csv"), "--task", task, "--label-column", labels, "--id-column", "movie",
                     "--out", str(models[task]), *FAST]) == 0
    models["self-supervised"] = folder / "clusters"
    assert main(["cluster", str(folder / "train.csv"), "--features", "a,b,c", "--n-classes", "2", "--id-column", "movie",
                 "--out", str(models["self-supervised"]), "--epochs", "3", "--seed", "0", "--param", "hidden_sizes=[8]", "-q"]) == 0
    return folder, frame, models


@pytest.mark.parametrize("task", ["multilabel", "positive-only", "embedding", "self-supervised"])
def test_every_task_writes_the_id_under_its_name_then_predicted_then_scores(data, task):
    folder, frame, models = data
    out = folder / f"{task}.csv"
    assert main(["predict", str(models[task]), str(folder / "train.csv"), "--out", str(out), "-q"]) == 0
    pred = pd.read_csv(out)
    assert list(pred.columns[:2]) == ["movie", "predicted"]
    assert len(pred.columns) > 2 and all(name.startswith("score_") for name in pred.columns[2:])
    assert pred["movie"].tolist() == frame["movie"].tolist()


def test_parquet_holds_label_sets_as_lists_equal_to_the_csvs_text(data):
    folder, _, models = data
    for suffix in ("csv", "parquet"):
        assert main(["predict", str(models["multilabel"]), str(folder / "train.csv"), "--out", str(folder / f"p.{suffix}"), "-q"]) == 0
    as_lists = pd.read_parquet(folder / "p.parquet")["predicted"]
    as_text = pd.read_csv(folder / "p.csv", keep_default_na=False)["predicted"]
    assert all(isinstance(labels, np.ndarray) for labels in as_lists)  # pyarrow reads a list column as arrays
    assert ["|".join(labels) for labels in as_lists] == as_text.tolist()


def test_top_k_gives_each_row_its_k_best_labels(data):
    folder, _, models = data
    out = folder / "top2.parquet"
    assert main(["predict", str(models["multilabel"]), str(folder / "train.csv"), "--out", str(out), "--top-k", "2", "-q"]) == 0
    pred = pd.read_parquet(out)
    scores = pred.filter(like="score_")
    best_two = [sorted(scores.columns[np.argsort(-row)[:2]].str.removeprefix("score_")) for row in scores.to_numpy()]
    assert [sorted(labels) for labels in pred["predicted"]] == best_two


def test_threshold_gives_the_labels_scoring_at_least_it(data):
    folder, _, models = data
    out = folder / "t.parquet"
    assert main(["predict", str(models["positive-only"]), str(folder / "train.csv"), "--out", str(out), "--threshold", "0.3", "-q"]) == 0
    pred = pd.read_parquet(out)
    scores = pred.filter(like="score_")
    expected = [sorted(scores.columns[row >= 0.3].str.removeprefix("score_")) for row in scores.to_numpy()]
    assert [sorted(labels) for labels in pred["predicted"]] == expected


@pytest.mark.parametrize("task", ["embedding", "self-supervised"])
def test_one_class_tasks_refuse_top_k_and_threshold(data, task, capsys):
    folder, _, models = data
    out = folder / "refused.csv"
    assert main(["predict", str(models[task]), str(folder / "train.csv"), "--out", str(out), "--top-k", "2", "-q"]) == 2
    assert f"a {task} model predicts one class per row" in capsys.readouterr().err
    assert not out.exists()


def test_an_id_column_named_like_an_output_column_is_refused(data, tmp_path, capsys):
    folder, frame, models = data
    renamed = tmp_path / "renamed.csv"
    frame.rename(columns={"movie": "predicted"}).to_csv(renamed, index=False)
    assert main(["predict", str(models["multilabel"]), str(renamed), "--id-column", "predicted", "--out", str(tmp_path / "p.csv"), "-q"]) == 2
    assert "the id column 'predicted' has the name of a predictions column" in capsys.readouterr().err


def test_evaluate_reports_predicted_against_true_labels_per_item_and_advises_when_far_apart(data, tmp_path, capsys, caplog):
    folder, frame, models = data
    true_count = frame["tags"].str.split("|").map(len).mean()
    loose = tmp_path / "loose"
    assert main(["fit", str(folder / "train.csv"), "--label-column", "tags", "--threshold", "0.01", "--out", str(loose), *FAST]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(loose), str(folder / "train.csv"), "--out", str(tmp_path / "eval"), "-q"]) == 0
    captured = capsys.readouterr()
    rows = {line.split()[0]: float(line.split()[1]) for line in captured.out.splitlines() if line.startswith(("labels_per_item", "example_f1"))}
    assert rows["labels_per_item_true"] == pytest.approx(true_count)
    assert rows["labels_per_item_predicted"] == pytest.approx(4.0)  # every score is above 0.01: all four labels
    advice = f"The model predicts 4.00 labels per item against {true_count:.2f} true"
    assert advice in caplog.text and advice in (tmp_path / "eval" / "report.md").read_text()  # a warning and in the report
