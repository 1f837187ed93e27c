import json
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest
import torch

import weaklabel
from weaklabel.cli import main
from weaklabel.persistence import save_model

FAST = ["--epochs", "5", "--hidden-sizes", "16", "--seed", "0", "-q"]


@pytest.fixture
def csv_file(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(120, 3))
    labels = ["|".join(tag for tag, on in zip(("red", "blue"), (x[0] > 0, x[1] > 0), strict=True) if on) or "grey" for x in X]
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(120)], "a": X[:, 0], "b": X[:, 1], "c": X[:, 2], "tags": labels})
    path = tmp_path / "train.csv"
    frame.to_csv(path, index=False)
    return path


def test_fit_predict_evaluate_round_trip(csv_file, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", "--id-column", "id", *FAST]) == 0
    saved = json.loads((model / "fit_config.json").read_text())
    assert saved["data"]["features"] == ["a", "b", "c"] and saved["params"]["max_epochs"] == 5

    out = tmp_path / "pred.parquet"
    assert main(["predict", str(model), str(csv_file), "--out", str(out), "-q"]) == 0
    pred = pd.read_parquet(out)
    assert list(pred.columns) == ["id", "predicted", "score_blue", "score_grey", "score_red"]
    assert pred["id"].iloc[0] == "r0" and pred[["score_blue", "score_red"]].to_numpy().max() <= 1
    assert all(set(labels) <= {"blue", "grey", "red"} for labels in pred["predicted"])  # a .parquet holds lists

    report_dir = tmp_path / "eval"
    assert main(["evaluate", str(model), str(csv_file), "--out", str(report_dir), "-q"]) == 0
    text = (report_dir / "report.md").read_text()
    assert "Per label" in text and (report_dir / "figures" / "precision_recall_curves.png").stat().st_size > 1000
    assert "map" in capsys.readouterr().out


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_predict_and_evaluate_run_a_cuda_fitted_model_on_the_cpu_with_device_cpu(csv_file, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST]) == 0
    fit_config = json.loads((model / "fit_config.json").read_text())
    save_model(weaklabel.load(model).set_params(device="cuda"), model, extra_json={"fit_config.json": fit_config})
    capsys.readouterr()
    out = tmp_path / "pred.csv"
    assert main(["predict", str(model), str(csv_file), "--out", str(out), "-q"]) == 2
    assert "--device cpu for weaklabel predict/evaluate" in capsys.readouterr().err
    assert main(["predict", str(model), str(csv_file), "--out", str(out), "--device", "cpu", "-q"]) == 0
    assert len(pd.read_csv(out)) == 120
    assert main(["evaluate", str(model), str(csv_file), "--out", str(tmp_path / "eval"), "--device", "cpu", "-q"]) == 0


def test_a_diverging_fit_is_a_one_line_error_not_a_traceback(csv_file, tmp_path, capsys):
    code = main(["fit", str(csv_file), "--out", str(tmp_path / "model"), "--label-column", "tags", "--learning-rate", "1e30", *FAST])
    err = capsys.readouterr().err
    assert code == 2 and "Traceback" not in err and "(learning_rate=1e+30); lower learning_rate" in err, err
    assert not (tmp_path / "model").exists()


def test_exponent_numbers_and_none_in_param_and_yaml(csv_file, tmp_path, capsys):
    """PyYAML (YAML 1.1) reads 1e-3 as text; the CLI reads it as YAML 1.2 does, a float, and None as null."""
    config = tmp_path / "cfg.yaml"
    config.write_text("data:\n  label_column: tags\nparams:\n  weight_decay: 1e0\n  hidden_sizes: [8]\n")
    model = tmp_path / "model"
    flags = ["--param", "learning_rate=3E-3", "--param", "dropout=1e-1", "--param", "patience=None", *FAST[:2]]
    assert main(["fit", str(csv_file), "--out", str(model), "--config", str(config), *flags, "-q"]) == 0, capsys.readouterr().err
    params = json.loads((model / "fit_config.json").read_text())["params"]
    assert (params["learning_rate"], params["weight_decay"], params["dropout"], params["patience"]) == (0.003, 1.0, 0.1, None)


@pytest.mark.parametrize("name", ["MultiLabelClassifier", "SinglePositiveClassifier", "EmbeddingClassifier", "SelfSupervisedClassifier"])
def test_predict_and_evaluate_take_a_model_saved_from_python_by_its_column_names(name, tmp_path, capsys):
    """No fit_config.json: the task comes from the estimator, the features from feature_names_in_, not the file's column order."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=90), "b": rng.normal(size=90)})
    frame["lab"] = np.where(frame["a"] > 0.3, "hi", np.where(frame["a"] < -0.3, "lo", "mid"))
    small = dict(hidden_sizes=(8,), max_epochs=3, verbose=0, random_state=0)
    estimator = {
        "MultiLabelClassifier": lambda: weaklabel.MultiLabelClassifier(**small).fit(frame[["a", "b"]], frame["lab"]),
        "SinglePositiveClassifier": lambda: weaklabel.SinglePositiveClassifier(refine_rounds=0, **small).fit(frame[["a", "b"]], frame["lab"]),
        "EmbeddingClassifier": lambda: weaklabel.EmbeddingClassifier(embedding_dim=4, **small).fit(frame[["a", "b"]], frame["lab"]),
        "SelfSupervisedClassifier": lambda: weaklabel.SelfSupervisedClassifier(n_classes=3, n_heads=2, **small).fit(frame[["a", "b"]]),
    }[name]()
    estimator.save(tmp_path / "model")
    frame.to_csv(tmp_path / "ab.csv", index=False)
    frame[["lab", "b", "a"]].to_csv(tmp_path / "ba.csv", index=False)
    outputs = []
    for data in ("ab.csv", "ba.csv"):
        out = tmp_path / f"pred-{data}"
        assert main(["predict", str(tmp_path / "model"), str(tmp_path / data), "--out", str(out), "-q"]) == 0, capsys.readouterr().err
        outputs.append(pd.read_csv(out))
    pd.testing.assert_frame_equal(outputs[0], outputs[1])
    assert "does not have valid feature names" not in capsys.readouterr().err
    evaluation = ["evaluate", str(tmp_path / "model"), str(tmp_path / "ba.csv"), "--label-column", "lab", "--out", str(tmp_path / "eval"), "-q"]
    assert main(evaluation) == 0, capsys.readouterr().err


def test_a_reader_closing_the_pipe_early_gets_no_traceback(csv_file, tmp_path):
    """`weaklabel evaluate … | head -1`: stdout is closed before the table is printed."""
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST]) == 0
    command = [sys.executable, "-m", "weaklabel", "evaluate", str(model), str(csv_file), "--out", str(tmp_path / "eval"), "-q"]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    process.stdout.close()  # the reader is gone before the command writes
    stderr = process.stderr.read().decode()
    assert process.wait() == 141 and "Traceback" not in stderr and "BrokenPipe" not in stderr, stderr
    assert (tmp_path / "eval" / "report.md").is_file()


def test_default_features_are_named_leave_out_a_row_counter_and_a_fitted_feature_cannot_become_the_label_or_id(tmp_path, capsys, caplog):
    rng = np.random.default_rng(5)
    cls = rng.integers(0, 3, 150)
    x = rng.normal(size=(150, 2)) + 3 * cls[:, None]
    pd.DataFrame({"id": np.arange(150), "x1": x[:, 0], "x2": x[:, 1], "cls": cls}).to_csv(tmp_path / "d.csv", index=False)
    model = tmp_path / "model"
    assert main(["cluster", str(tmp_path / "d.csv"), "--n-classes", "3", "--out", str(model), "--epochs", "2", "-q"]) == 0
    assert "features = every numeric column (3): x1, x2, cls" in capsys.readouterr().out
    assert "left out of the features: 'id', which counts the rows (0, 1, …) like a row number; name it in --features" in caplog.text
    assert caplog.text.count("counts the rows") == 1  # cls (0, 1, 2 in random order) is not a row counter
    assert json.loads((model / "fit_config.json").read_text())["data"]["features"] == ["x1", "x2", "cls"]
    assert main(["evaluate", str(model), str(tmp_path / "d.csv"), "--label-column", "cls", "-q"]) == 2
    assert "fitted with column 'cls' as a feature, so it cannot be the label column here; refit with --features" in capsys.readouterr().err
    assert main(["predict", str(model), str(tmp_path / "d.csv"), "--id-column", "x1", "--out", str(tmp_path / "p.csv"), "-q"]) == 2
    assert "fitted with column 'x1' as a feature, so it cannot be the id column here; refit with --id-column x1" in capsys.readouterr().err
    assert main(["predict", str(model), str(tmp_path / "d.csv"), "--id-column", "id", "--out", str(tmp_path / "p.csv"), "-q"]) == 0
    assert pd.read_csv(tmp_path / "p.csv")["id"].tolist() == list(range(150))


def test_a_row_counter_named_in_features_is_kept(tmp_path, capsys, caplog):
    rng = np.random.default_rng(0)
    pd.DataFrame({"n": np.arange(1, 61), "x": rng.normal(size=60), "tags": rng.choice(["a", "b"], 60)}).to_csv(tmp_path / "d.csv", index=False)
    assert main(["fit", str(tmp_path / "d.csv"), "--label-column", "tags", "--features", "n,x", "--out", str(tmp_path / "m"), "--epochs", "1", "-q"]) == 0
    assert "counts the rows" not in caplog.text
    assert json.loads((tmp_path / "m" / "fit_config.json").read_text())["data"]["features"] == ["n", "x"]


def test_predict_gives_the_top_label_of_a_model_fitted_on_one_label_per_sample(tmp_path):
    """As MultiLabelClassifier.predict does for such a model, not the labels over their thresholds."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    y = np.where(frame["a"] > 0.5, "hi", np.where(frame["a"] < -0.5, "lo", "mid"))
    model = weaklabel.MultiLabelClassifier(hidden_sizes=(8,), max_epochs=5, verbose=0, random_state=0).fit(frame, y)
    model.save(tmp_path / "model")
    frame.to_csv(tmp_path / "x.csv", index=False)
    assert main(["predict", str(tmp_path / "model"), str(tmp_path / "x.csv"), "--out", str(tmp_path / "p.csv"), "-q"]) == 0
    assert pd.read_csv(tmp_path / "p.csv")["predicted"].tolist() == list(model.predict(frame))


def test_predict_refuses_a_label_set_separator_that_a_label_name_contains(tmp_path, capsys):
    """Joined with '|', the set ['a|b'] would read back as the two labels 'a' and 'b'."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=100), "b": rng.normal(size=100)})
    y = [["up|right"] if a > 0 else ["down"] for a in frame["a"]]
    weaklabel.MultiLabelClassifier(hidden_sizes=(8,), max_epochs=3, verbose=0, random_state=0).fit(frame, y).save(tmp_path / "model")
    frame.to_csv(tmp_path / "x.csv", index=False)
    command = ["predict", str(tmp_path / "model"), str(tmp_path / "x.csv"), "--out", str(tmp_path / "p.csv"), "-q"]
    assert main(command) == 2
    assert "label 'up|right' contains '|', the separator of the predicted label sets" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
    assert main([*command, "--label-sep", ""]) == 2
    assert "the label separator is empty; give a character such as '|' or ';'" in capsys.readouterr().err
    assert main([*command, "--label-sep", ";"]) == 0
    label_sets = pd.read_csv(tmp_path / "p.csv")["predicted"].fillna("").str.split(";")
    assert any("up|right" in labels for labels in label_sets)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_evaluate_describes_the_top_label_rule_of_a_model_fitted_on_one_label_per_sample(tmp_path):
    """Its predict takes the top label: the report must not show or draw thresholds it never uses."""
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"a": rng.normal(size=200), "b": rng.normal(size=200)})
    frame["y"] = np.where(frame["a"] > 0.5, "hi", np.where(frame["a"] < -0.5, "lo", "mid"))
    weaklabel.MultiLabelClassifier(hidden_sizes=(8,), max_epochs=5, verbose=0, random_state=0).fit(frame[["a", "b"]], frame["y"]).save(tmp_path / "model")
    frame.to_csv(tmp_path / "test.csv", index=False)
    assert main(["evaluate", str(tmp_path / "model"), str(tmp_path / "test.csv"), "--label-column", "y", "--out", str(tmp_path / "eval"), "-q"]) == 0
    text = (tmp_path / "eval" / "report.md").read_text()
    per_label = text.split("## Per label", 1)[1].split("\n\n")[1]
    assert "threshold" not in per_label.splitlines()[0] and "predicting the top label" in text
    assert "thresholds" not in text.split("threshold_effect", 1)[0].rsplit("\n\n", 1)[-1]


def test_array_files_get_no_column_note_or_row_counter_hint(tmp_path, capsys, caplog):
    """An .npy has no id column to leave out (the reader refuses --id-column for it), so no such advice."""
    X = np.random.default_rng(0).normal(size=(60, 2))
    X[:, 0] = np.arange(60)
    np.save(tmp_path / "x.npy", X)
    assert main(["cluster", str(tmp_path / "x.npy"), "--n-classes", "2", "--out", str(tmp_path / "m"), "--epochs", "1", "-q"]) == 0
    assert "every numeric column" not in capsys.readouterr().out and "counts the rows" not in caplog.text


@pytest.mark.parametrize("inside", ["", "ckpt"])
def test_checkpoint_dir_in_out_is_refused_before_training(csv_file, tmp_path, capsys, inside):
    model = tmp_path / "model"
    code = main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", "--checkpoint-dir", str(model / inside), *FAST])
    assert code == 2 and f"--checkpoint-dir {model / inside} writes into the model directory {model}" in capsys.readouterr().err
    assert not model.exists()


def test_nothing_is_written_into_a_saved_model(csv_file, tmp_path, capsys, monkeypatch):
    """A file in a model directory that its manifest does not list makes the model fail to load."""
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST]) == 0
    listed = sorted(p.name for p in model.iterdir())
    refused = [
        (["evaluate", str(model), str(csv_file), "--out", str(model)], "--out"),
        (["evaluate", str(model), str(csv_file), "--out", str(model / "eval")], "--out"),
        (["predict", str(model), str(csv_file), "--out", str(model / "p.csv")], "--out"),
        (["fit", str(csv_file), "--out", str(tmp_path / "other"), "--label-column", "tags", "--checkpoint-dir", str(model), *FAST], "--checkpoint-dir"),
        (["fit", str(csv_file), "--out", str(model / "nested"), "--label-column", "tags", *FAST], "lies inside the saved model"),
        (["cluster", str(csv_file), "--n-classes", "2", "--out", str(tmp_path / "c"), "--assignments", str(tmp_path / "c" / "a.csv"), "--epochs", "1", "-q"], "--assignments"),
        (["cluster", str(csv_file), "--n-classes", "2", "--out", str(tmp_path / "c"), "--assignments", str(model / "a.csv"), "--epochs", "1", "-q"], "--assignments"),
    ]
    capsys.readouterr()
    for command, flag in refused:
        assert main(command) == 2, command
        err = capsys.readouterr().err
        assert flag in err and ("writes into the model directory" in err or "lies inside" in err), err
    assert sorted(p.name for p in model.iterdir()) == listed and not (tmp_path / "c").exists() and not (tmp_path / "other").exists()
    monkeypatch.chdir(model)  # evaluate's default report folder is beside the model, also for "."
    assert main(["evaluate", ".", str(csv_file), "-q"]) == 0
    assert (tmp_path / "model-evaluation" / "report.md").is_file() and sorted(p.name for p in model.iterdir()) == listed
    weaklabel.load(model)


def test_outputs_below_a_file_are_refused_before_the_fit(csv_file, tmp_path, capsys):
    (tmp_path / "f.txt").write_text("x")
    assert main(["cluster", str(csv_file), "--n-classes", "2", "--out", str(tmp_path / "c"), "--assignments", str(tmp_path / "f.txt" / "a.csv"), "--epochs", "1", "-q"]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err and not (tmp_path / "c").exists()
    assert main(["fit", str(csv_file), "--out", str(tmp_path / "f.txt" / "m"), "--label-column", "tags", *FAST]) == 2
    assert "is a file, not a folder" in capsys.readouterr().err


def test_predict_does_not_overwrite_its_input(csv_file, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST]) == 0
    before = csv_file.read_bytes()
    assert main(["predict", str(model), str(csv_file), "--out", str(csv_file), "-q"]) == 2
    assert "is the input file" in capsys.readouterr().err and csv_file.read_bytes() == before


def test_yaml_config_with_flags_winning(csv_file, tmp_path):
    config = tmp_path / "cfg.yaml"
    config.write_text("data:\n  label_column: tags\nparams:\n  loss: focal\n  max_epochs: 3\n  hidden_sizes: [8]\n")
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--config", str(config), "--epochs", "2", "-q"]) == 0
    params = json.loads((model / "fit_config.json").read_text())["params"]
    assert params["loss"] == "focal" and params["max_epochs"] == 2 and params["hidden_sizes"] == [8]


def test_yaml_column_names_that_read_as_numbers_must_be_quoted(tmp_path, capsys):
    """YAML reads 2020.10 as 2020.1 and 010 as 8: the number's text may name another column, so it is refused."""
    data = tmp_path / "n.csv"
    pd.DataFrame({"id": ["r0", "r1", "r2", "r3"], "2020.10": [0.1, 0.4, 0.2, 0.9], "lab": ["x", "y", "x", "y"]}).to_csv(data, index=False)
    config = tmp_path / "c.yaml"
    config.write_text("data: {label_column: lab, id_column: id, features: [2020.10]}\n")
    assert main(["fit", str(data), "--out", str(tmp_path / "m"), "--config", str(config), *FAST]) == 2
    assert "data.features holds the number 2020.1; quote column names that look like numbers" in capsys.readouterr().err
    config.write_text("task: null\ndata: {label_column: lab, id_column: id, features: ['2020.10']}\n")  # null task: the default
    assert main(["fit", str(data), "--out", str(tmp_path / "m"), "--config", str(config), *FAST]) == 0
    assert json.loads((tmp_path / "m" / "fit_config.json").read_text())["data"]["features"] == ["2020.10"]


@pytest.mark.parametrize("yaml_text, message", [
    ("data: {label_prefix: [x]}", "data.label_prefix must give column names or text, got ['x']"),
    ("data: {label_sep: true}", "data.label_sep must give column names or text, got True"),
    ("data: {features: a}", "data.features must be a list of column names, e.g. [a, b]; got 'a'"),
    ("data: {id_column: 2020}", "data.id_column holds the number 2020; quote column names"),
    ("data: {label_column: [lab]}", "data.label_column must give column names or text, got ['lab']"),
    ("task: [multilabel]", "task must be a name such as multilabel, got ['multilabel']"),
])
def test_yaml_values_of_the_wrong_type_are_named(csv_file, tmp_path, capsys, yaml_text, message):
    config = tmp_path / "c.yaml"
    config.write_text(yaml_text + "\n")
    assert main(["fit", str(csv_file), "--out", str(tmp_path / "m"), "--config", str(config), *FAST]) == 2
    err = capsys.readouterr().err
    assert message in err and "Traceback" not in err, err


@pytest.mark.parametrize(
    "extra, message",
    [
        (["--label-column", "nope"], "nope"),
        (["--label-column", "tags", "--loss", "hinge"], "unknown loss 'hinge'"),
        (["--label-column", "tags", "--param", "colour=blue"], "unknown parameter(s) ['colour']"),
        ([], "--label-column"),
        (["--label-column", "tags", "--param", "hidden_sizes=16"], "hidden_sizes must be a sequence of positive integers"),
        (["--label-column", "tags", "--param", "device=tpu"], "device must be 'auto', 'cpu', 'cuda' or 'cuda:N'"),
        (["--label-column", "tags", "--param", "max_epochs=abc"], "max_epochs must be an integer ≥ 1, got 'abc'"),
        (["--label-column", "tags", "--param", "dropout=abc"], "dropout must be a number in [0, 1)"),
        (["--label-column", "tags", "--param", "random_state=abc"], "random_state must be None"),
        (["--label-column", "tags", "--param", "loss_params=3"], "loss_params must be None or a dict"),
        (["--label-column", "tags", "--param", "weight_decay=-1"], "weight_decay must be a number ≥ 0"),
        (["--label-column", "tags", "--param", "patience=-1"], "patience must be None (no early stopping) or an integer ≥ 1"),
    ],
)
def test_errors_are_one_line_with_exit_2(csv_file, tmp_path, capsys, extra, message):
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), *extra, *FAST]) == 2
    err = capsys.readouterr().err
    assert err.startswith("weaklabel: error:") and message in err and "Traceback" not in err
    assert err.count("\n") == 1
    assert not model.exists()  # nothing written half-way


def test_cuda_without_cuda_is_a_one_line_error(csv_file, tmp_path, capsys, monkeypatch):
    import torch

    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert main(["fit", str(csv_file), "--out", str(tmp_path / "model"), "--label-column", "tags", "--device", "cuda", *FAST]) == 2
    err = capsys.readouterr().err
    assert err.startswith("weaklabel: error: device 'cuda' needs CUDA") and err.count("\n") == 1


def test_predict_with_missing_model_or_feature(csv_file, tmp_path, capsys):
    assert main(["predict", str(tmp_path / "none"), str(csv_file), "--out", str(tmp_path / "p.csv")]) == 2
    assert "does not exist" in capsys.readouterr().err
    model = tmp_path / "model"
    main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST])
    pd.read_csv(csv_file).drop(columns=["c"]).to_csv(tmp_path / "less.csv", index=False)
    assert main(["predict", str(model), str(tmp_path / "less.csv"), "--out", str(tmp_path / "p.csv")]) == 2
    assert "'c'" in capsys.readouterr().err and not (tmp_path / "p.csv").exists()


def test_fitted_features_named_in_another_order_are_refused(csv_file, tmp_path, capsys):
    """The model takes features by position: --features b,a,c for a model fitted on a,b,c would swap a and b."""
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST]) == 0
    capsys.readouterr()
    for command in (["predict", str(model), str(csv_file), "--out", str(tmp_path / "p.csv")], ["evaluate", str(model), str(csv_file)]):
        assert main([*command, "--features", "b,a,c", "-q"]) == 2
        assert "column 'b' is read as feature 1, but the model was fitted with it as feature 2" in capsys.readouterr().err
    assert not (tmp_path / "p.csv").exists()
    renamed = tmp_path / "renamed.csv"  # other names map by position, as before
    pd.read_csv(csv_file).rename(columns={"a": "x", "b": "y", "c": "z"}).to_csv(renamed, index=False)
    assert main(["predict", str(model), str(renamed), "--features", "x,y,z", "--out", str(tmp_path / "p.csv"), "-q"]) == 0
    assert main(["predict", str(model), str(csv_file), "--out", str(tmp_path / "q.csv"), "-q"]) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "p.csv"), pd.read_csv(tmp_path / "q.csv"))


def test_an_empty_flag_clears_the_saved_id_and_label_columns(csv_file, tmp_path, capsys):
    """A model fitted on a CSV with an id and a label column, used on array files, which have neither."""
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", "--id-column", "id", *FAST]) == 0
    frame = pd.read_csv(csv_file)
    np.save(tmp_path / "x.npy", frame[["a", "b", "c"]].to_numpy())
    Y = np.stack([frame["tags"].str.contains(label).to_numpy() for label in ("blue", "grey", "red")], axis=1).astype(np.int64)
    np.savez(tmp_path / "d.npz", X=frame[["a", "b", "c"]].to_numpy(), Y=Y, label_names=np.array(["blue", "grey", "red"]))
    assert main(["predict", str(model), str(tmp_path / "x.npy"), "--out", str(tmp_path / "p.csv"), "--features", "x0,x1,x2", "-q"]) == 2
    assert "(the id column 'id' was saved at fit; --id-column '' reads the file without it)" in capsys.readouterr().err
    (tmp_path / "empty.csv").write_text("")
    assert main(["evaluate", str(model), str(tmp_path / "empty.csv"), "-q"]) == 2
    assert "was saved at fit" not in capsys.readouterr().err  # only for an absent saved column
    assert main(["predict", str(model), str(tmp_path / "x.npy"), "--out", str(tmp_path / "p.csv"), "--features", "x0,x1,x2", "--id-column", "", "-q"]) == 0
    assert len(pd.read_csv(tmp_path / "p.csv")) == 120
    assert main(["evaluate", str(model), str(tmp_path / "d.npz"), "--features", "x0,x1,x2", "--id-column", "", "--label-column", "", "--out", str(tmp_path / "e"), "-q"]) == 0


@pytest.fixture
def prefixed_csv(csv_file, tmp_path):
    """Features g_a, g_b, g_c; labels both as one delimited column (tags) and as 0/1 columns y_blue, y_grey, y_red."""
    frame = pd.read_csv(csv_file).rename(columns={"a": "g_a", "b": "g_b", "c": "g_c"})
    for label in ("blue", "grey", "red"):
        frame[f"y_{label}"] = frame["tags"].str.split("|").apply(lambda tags: int(label in tags))
    path = tmp_path / "prefixed.csv"
    frame.to_csv(path, index=False)
    return path


def test_evaluate_a_model_fit_with_a_feature_prefix(prefixed_csv, tmp_path):
    model = tmp_path / "model"
    assert main(["fit", str(prefixed_csv), "--out", str(model), "--feature-prefix", "g_", "--label-column", "tags", *FAST]) == 0
    saved = json.loads((model / "fit_config.json").read_text())["data"]
    assert saved == {"features": ["g_a", "g_b", "g_c"], "label_column": "tags"}  # the columns used, not also the prefix
    assert main(["evaluate", str(model), str(prefixed_csv), "--out", str(tmp_path / "eval"), "-q"]) == 0


def test_a_flag_at_predict_or_evaluate_replaces_the_saved_option_of_its_group(prefixed_csv, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", str(prefixed_csv), "--out", str(model), "--features", "g_a,g_b,g_c", "--label-column", "tags", *FAST]) == 0
    assert main(["predict", str(model), str(prefixed_csv), "--out", str(tmp_path / "p.csv"), "--feature-prefix", "g_", "-q"]) == 0
    evaluate = ["evaluate", str(model), str(prefixed_csv), "--out", str(tmp_path / "eval"), "-q"]
    assert main([*evaluate, "--label-prefix", "y_"]) == 2  # read by the prefix, not refused: its labels are named y_blue, …
    assert "missing ['blue', 'grey', 'red']" in capsys.readouterr().err
    model_01 = tmp_path / "model01"
    assert main(["fit", str(prefixed_csv), "--out", str(model_01), "--features", "g_a,g_b,g_c", "--label-columns", "y_blue,y_grey,y_red", *FAST]) == 0
    evaluate[1] = str(model_01)
    assert main([*evaluate, "--label-prefix", "y_"]) == 0
    # two flags of one group still conflict
    assert main([*evaluate, "--label-prefix", "y_", "--label-column", "tags"]) == 2
    assert "give labels one way only" in capsys.readouterr().err


def test_a_flag_at_fit_replaces_the_yaml_option_of_its_group(prefixed_csv, tmp_path):
    config = tmp_path / "cfg.yaml"
    config.write_text("data:\n  feature_prefix: g_\n  label_column: tags\n")
    model = tmp_path / "model"
    args = ["fit", str(prefixed_csv), "--out", str(model), "--config", str(config), "--features", "g_a,g_b", "--label-prefix", "y_", *FAST]
    assert main(args) == 0
    assert json.loads((model / "fit_config.json").read_text())["data"] == {"features": ["g_a", "g_b"], "label_prefix": "y_"}


def test_a_saved_feature_prefix_beside_the_features_is_ignored():
    """fit_config.json of an older weaklabel holds both; the feature names (the columns fit used) win."""
    import argparse

    from weaklabel.cli import _data_options

    saved = {"data": {"features": ["g_a"], "feature_prefix": "g_", "label_column": "tags", "id_column": "id"}}
    args = argparse.Namespace(features=None, feature_prefix=None, id_column=None, label_column=None, label_columns=None, label_prefix=None, label_sep=None)
    assert _data_options(saved, args, labels=True) == {"features": ["g_a"], "label_column": "tags", "id_column": "id"}
    assert _data_options(saved, args, labels=False) == {"features": ["g_a"], "id_column": "id"}


def test_a_folder_with_another_programs_manifest_is_not_a_model(csv_file, tmp_path):
    """manifest.json is a common name (web apps, dbt): only a weaklabel manifest makes a folder a model."""
    project = tmp_path / "project"
    project.mkdir()
    (project / "manifest.json").write_text('{"name": "my app"}')
    assert main(["fit", str(csv_file), "--out", str(project / "model"), "--label-column", "tags", *FAST]) == 0
    assert main(["predict", str(project / "model"), str(csv_file), "--out", str(project / "p.csv"), "-q"]) == 0


def test_evaluate_writes_its_default_report_beside_the_link_it_was_given(csv_file, tmp_path):
    model = tmp_path / "model"
    assert main(["fit", str(csv_file), "--out", str(model), "--label-column", "tags", *FAST]) == 0
    (tmp_path / "links").mkdir()
    (tmp_path / "links" / "current").symlink_to(model)
    assert main(["evaluate", str(tmp_path / "links" / "current"), str(csv_file), "-q"]) == 0
    assert (tmp_path / "links" / "current-evaluation" / "report.md").is_file() and not (tmp_path / "model-evaluation").exists()


def test_a_model_fitted_on_label_columns_evaluates_an_npz_once_they_are_cleared(prefixed_csv, tmp_path, capsys):
    model = tmp_path / "model"
    assert main(["fit", str(prefixed_csv), "--out", str(model), "--feature-prefix", "g_", "--label-prefix", "y_", *FAST]) == 0
    frame = pd.read_csv(prefixed_csv)
    np.savez(tmp_path / "d.npz", X=frame[["g_a", "g_b", "g_c"]].to_numpy(), Y=frame[["y_blue", "y_grey", "y_red"]].to_numpy(),
             label_names=np.array(["y_blue", "y_grey", "y_red"]))
    command = ["evaluate", str(model), str(tmp_path / "d.npz"), "--features", "x0,x1,x2", "--out", str(tmp_path / "e"), "-q"]
    assert main(command) == 2
    assert "(the labels were read with the label prefix 'y_' saved at fit; --label-column '' reads the file without it)" in capsys.readouterr().err
    assert main([*command, "--label-column", ""]) == 0


def test_main_in_process_leaves_the_callers_logging_as_it_found_it(tmp_path):
    """main called basicConfig: the root logger stayed bound to the first call's stderr, the caller's own
    basicConfig then did nothing, and -v on a later call had no effect. A fresh interpreter, with no logging set up."""
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    np.savez(tmp_path / "train.npz", X=X, Y=(X[:, :2] > 0).astype(np.int64))
    fit = ["fit", str(tmp_path / "train.npz"), "--epochs", "1", "--hidden-sizes", "4", "--seed", "0", "-q"]
    script = (
        "import logging, sys\n"
        "from weaklabel.cli import main\n"
        f"assert main({fit + ['--out', str(tmp_path / 'a')]!r}) == 0\n"
        "root, log = logging.getLogger(), logging.getLogger('weaklabel')\n"
        "print('after a quiet call:', root.handlers, root.level, log.handlers, log.level)\n"
        "print('--- the -v call', file=sys.stderr)\n"
        f"assert main({fit + ['--out', str(tmp_path / 'b'), '-v']!r}) == 0\n"
        "print('after a -v call:', root.handlers, root.level, log.handlers, log.level)\n"
        "logging.basicConfig(level=logging.DEBUG, stream=sys.stdout, format='mine %(message)s')\n"
        "logging.getLogger('app').debug('the caller logs')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    ours = [line for line in done.stdout.splitlines() if not line.startswith("saved ")]
    assert ours == ["after a quiet call: [] 30 [] 0", "after a -v call: [] 30 [] 0", "mine the caller logs"]
    quiet, verbose = done.stderr.split("--- the -v call")
    assert "INFO weaklabel" not in quiet and "INFO weaklabel: trained 1 epochs" in verbose


@pytest.mark.parametrize("caller_level, flags, expected", [
    ("INFO", [], "app weaklabel: trained 1 epochs"),  # the caller's level applies without -v
    ("DEBUG", ["-v"], "app weaklabel: epoch 1:"),  # -v does not raise a caller's DEBUG to INFO
])
def test_main_in_process_keeps_the_level_a_caller_set(tmp_path, caller_level, flags, expected):
    X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
    np.savez(tmp_path / "train.npz", X=X, Y=(X[:, :2] > 0).astype(np.int64))
    argv = ["fit", str(tmp_path / "train.npz"), "--out", str(tmp_path / "m"), "--epochs", "1", "--hidden-sizes", "4", "--seed", "0", "-q", *flags]
    script = (
        "import logging, sys\n"
        f"logging.basicConfig(level=logging.{caller_level}, stream=sys.stdout, format='app %(name)s: %(message)s')\n"
        "from weaklabel.cli import main\n"
        f"assert main({argv!r}) == 0\n"
        "print('weaklabel level after:', logging.getLogger('weaklabel').level)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    assert expected in done.stdout and "weaklabel level after: 0" in done.stdout


def test_a_fit_on_a_handful_of_rows_warns(tmp_path, caplog):
    rng = np.random.default_rng(0)
    pd.DataFrame({"x": rng.normal(size=12), "y": rng.normal(size=12), "tags": ["a", "b"] * 6}).to_csv(tmp_path / "d.csv", index=False)
    assert main(["fit", str(tmp_path / "d.csv"), "--label-column", "tags", "--out", str(tmp_path / "m"), "--epochs", "1", "-q"]) == 0
    assert "only 12 rows to fit on; with fewer than 50" in caplog.text


@pytest.mark.parametrize(
    "param, flag",
    [("max_epochs=abc", "(on the command line: --epochs)"), ("dropout=2", "(on the command line: --param dropout=VALUE)"),
     ("loss=nope", "weighted_bce (--loss)")],
)
def test_parameter_errors_name_the_flag_that_sets_the_parameter(csv_file, tmp_path, capsys, param, flag):
    assert main(["fit", str(csv_file), "--label-column", "tags", "--out", str(tmp_path / "m"), "--param", param, "-q"]) == 2
    assert flag in capsys.readouterr().err
    assert not (tmp_path / "m").exists()


def test_evaluate_names_the_models_task_when_the_labels_do_not_suit_it(tmp_path, capsys):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=90), "y": rng.normal(size=90), "kind": ["a", "b", "c"] * 30,
                          "tags": ["a|b", "c", "a"] * 30})
    frame.to_csv(tmp_path / "d.csv", index=False)
    assert main(["fit", str(tmp_path / "d.csv"), "--task", "embedding", "--label-column", "kind", "--out", str(tmp_path / "m"), "--epochs", "1", "-q"]) == 0
    assert main(["evaluate", str(tmp_path / "m"), str(tmp_path / "d.csv"), "--label-column", "tags", "--out", str(tmp_path / "e"), "-q"]) == 2
    assert f"({tmp_path / 'm'} holds a model of the embedding task: one class per item" in capsys.readouterr().err
