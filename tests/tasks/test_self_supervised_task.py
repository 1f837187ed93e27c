"""``weaklabel cluster`` → predict → evaluate through the self-supervised task."""

import numpy as np
import pandas as pd
import pytest
from sklearn.datasets import make_blobs

from weaklabel.cli import main


def test_cluster_predict_evaluate(tmp_path):
    X, y = make_blobs(240, centers=3, n_features=2, cluster_std=0.5, random_state=0)
    frame = pd.DataFrame({"id": [f"r{i}" for i in range(240)], "a": X[:, 0], "b": X[:, 1], "kind": [f"k{c}" for c in y]})
    data = tmp_path / "blobs.csv"
    frame.drop(columns="kind").to_csv(data, index=False)
    model, assignments = tmp_path / "model", tmp_path / "assign.csv"
    args = ["cluster", str(data), "--out", str(model), "--n-classes", "3", "--id-column", "id", "--assignments", str(assignments)]
    params = ["--seed", "0", "-q"]
    assert main(args + params) == 0
    written = pd.read_csv(assignments)
    assert list(written.columns) == ["id", "predicted", "score_0", "score_1", "score_2"]
    assert np.allclose(written[["score_0", "score_1", "score_2"]].sum(axis=1), 1.0, atol=1e-4)

    pred = tmp_path / "pred.csv"
    assert main(["predict", str(model), str(data), "--out", str(pred), "-q"]) == 0
    assert pd.read_csv(pred)["predicted"].tolist() == written["predicted"].tolist()

    labelled = tmp_path / "labelled.csv"
    frame.to_csv(labelled, index=False)
    report = tmp_path / "report"
    assert main(["evaluate", str(model), str(labelled), "--label-column", "kind", "--out", str(report), "-q"]) == 0
    text = (report / "report.md").read_text()
    assert "accuracy" in text and (report / "figures" / "matched_confusion_matrix.png").exists()
    assert (report / "figures" / "learned_classes.png").exists()


def test_a_bad_assignments_file_name_fails_before_fitting_and_saves_nothing(tmp_path, capsys):
    X, _ = make_blobs(60, centers=3, n_features=2, random_state=0)
    data = tmp_path / "blobs.npy"
    np.save(data, X)
    model = tmp_path / "model"
    code = main(["cluster", str(data), "--out", str(model), "--n-classes", "3", "--assignments", str(tmp_path / "classes.txt"), "-q"])
    assert code == 2 and "unsupported extension '.txt'; use one of .csv, .tsv, .parquet" in capsys.readouterr().err
    assert not model.exists()


def test_predict_checks_its_output_name_before_reading_the_model(tmp_path, capsys):
    code = main(["predict", str(tmp_path / "no-model"), str(tmp_path / "no-data.csv"), "--out", str(tmp_path / "p.txt"), "-q"])
    assert code == 2 and "cannot write" in capsys.readouterr().err


def test_cluster_writes_checkpoints_and_resumes_to_the_same_model(tmp_path):
    X, _ = make_blobs(120, centers=3, n_features=2, random_state=0)
    data = tmp_path / "blobs.npy"
    np.save(data, X)
    common = ["--n-classes", "3", "--epochs", "4", "--seed", "0", "-q", "--param", "method=minmax_scan", "--param", "hidden_sizes=[16]", "--param", "n_heads=2"]
    ckpt = tmp_path / "ckpt"
    first = ["cluster", str(data), "--out", str(tmp_path / "a"), "--assignments", str(tmp_path / "a.csv"), "--checkpoint-dir", str(ckpt)]
    assert main(first + common) == 0 and (ckpt / "checkpoint.safetensors").is_file()
    resumed = ["cluster", str(data), "--out", str(tmp_path / "b"), "--assignments", str(tmp_path / "b.csv"), "--checkpoint-dir", str(ckpt), "--resume"]
    assert main(resumed + common) == 0
    pd.testing.assert_frame_equal(pd.read_csv(tmp_path / "a.csv"), pd.read_csv(tmp_path / "b.csv"))


def test_cluster_gives_the_api_s_classes_and_probabilities(tmp_path):
    """`weaklabel cluster` (default method, n_classes auto or given) is SelfSupervisedClassifier.fit on the same rows."""
    from weaklabel import SelfSupervisedClassifier

    X, _ = make_blobs(300, centers=4, n_features=3, random_state=1)
    data = tmp_path / "x.npy"
    np.save(data, X)
    for n_classes in ("4", "auto"):
        out = tmp_path / f"assign_{n_classes}.csv"
        assert main(["cluster", str(data), "--out", str(tmp_path / f"m_{n_classes}"), "--n-classes", n_classes, "--seed", "3", "--assignments", str(out), "-q"]) == 0
        api = SelfSupervisedClassifier(n_classes=n_classes if n_classes == "auto" else int(n_classes), random_state=3, verbose=0).fit(X)
        written = pd.read_csv(out)
        assert written["predicted"].tolist() == api.labels_.tolist()
        np.testing.assert_allclose(written[[f"score_{k}" for k in api.classes_]].to_numpy(), api.predict_proba(X), rtol=1e-5, atol=1e-6)
    assert api.n_classes_ == 4


def test_cluster_refuses_a_bad_class_count_by_name(tmp_path, capsys):
    with pytest.raises(SystemExit):
        main(["cluster", str(tmp_path / "x.npy"), "--out", str(tmp_path / "m"), "--n-classes", "some"])
    assert "expected an integer ≥ 2 or 'auto', got 'some'" in capsys.readouterr().err


def test_fit_with_the_old_loss_key_trains_that_network_method(tmp_path):
    """A config written before ``method`` existed (``loss: minmax_scan``) still selects the network method."""
    X, _ = make_blobs(90, centers=3, n_features=2, random_state=0)
    data = tmp_path / "x.npy"
    np.save(data, X)
    args = ["fit", str(data), "--task", "self-supervised", "--out", str(tmp_path / "m"), "--loss", "minmax_scan", "--epochs", "2", "--seed", "0", "-q",
            "--param", "n_classes=3", "--param", "n_neighbors=5", "--param", "hidden_sizes=[8]", "--param", "n_heads=1"]
    assert main(args) == 0
    import weaklabel

    loaded = weaklabel.load(tmp_path / "m")
    assert loaded.method == "minmax_scan" and hasattr(loaded, "net_")
