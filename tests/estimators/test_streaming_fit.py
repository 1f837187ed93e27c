"""MultiLabelClassifier fitted from a chunked source (the path behind ``weaklabel fit --stream``)."""

import numpy as np
import pandas as pd
import pytest

from weaklabel import MultiLabelClassifier, cli
from weaklabel.cli import main
from weaklabel.data.sources import open_table_source
from weaklabel.estimators.streaming import fit_multilabel_stream


def _data(n=3000, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, 6)).astype(np.float32)
    Y = (X[:, :3] + 0.3 * rng.normal(size=(n, 3)) > 0.5).astype(np.int64)
    return X, Y


def test_streaming_fit_learns_and_predicts_like_an_estimator(tmp_path):
    X, Y = _data()
    np.savez(tmp_path / "train.npz", X=X, Y=Y, label_names=np.array(["a", "b", "c"]))
    source, _, labels = open_table_source(tmp_path / "train.npz")
    est = MultiLabelClassifier(hidden_sizes=(32,), scaling="standard", max_epochs=5, random_state=0, verbose=0)
    fit_multilabel_stream(est, source, labels)
    Xt, Yt = _data(1000, seed=1)
    assert list(est.classes_) == ["a", "b", "c"]
    assert est.predict(Xt).shape == Yt.shape
    # in memory, without a validation split, the same settings score 0.827 (macro mAP)
    assert est.score(Xt, pd.DataFrame(Yt, columns=est.classes_)) > 0.8


def test_cli_fit_stream_from_parquet(tmp_path, capsys):
    X, Y = _data()
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)])
    for j in range(3):
        frame[f"lab_{j}"] = Y[:, j]
    frame.to_parquet(tmp_path / "train.parquet", row_group_size=500)
    code = main([
        "fit", str(tmp_path / "train.parquet"), "--out", str(tmp_path / "model"), "--stream", "--label-prefix", "lab_",
        "--epochs", "2", "--hidden-sizes", "16", "--seed", "0", "-q",
    ])
    assert code == 0 and "3000 rows" in capsys.readouterr().out
    assert main(["predict", str(tmp_path / "model"), str(tmp_path / "train.parquet"), "--out", str(tmp_path / "p.csv"), "-q"]) == 0


def _stream_fit_one_label(tmp_path, X, Y):
    """``weaklabel fit --stream`` on a Parquet of features f0..f5 and the label column lab_0 (row groups of 500)."""
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)]).assign(lab_0=Y[:, 0])
    frame.to_parquet(tmp_path / "train.parquet", row_group_size=500)
    return main([
        "fit", str(tmp_path / "train.parquet"), "--out", str(tmp_path / "model"), "--stream", "--label-prefix", "lab_",
        "--epochs", "1", "--hidden-sizes", "8", "--seed", "0", "-q",
    ])


def test_cli_stream_fit_names_the_file_row_of_a_nan(tmp_path, capsys):
    """The reviewer's case: a NaN in the last row is a one-line error naming that row, not a training-loss traceback."""
    X, Y = _data()
    X[-1, 1] = np.nan
    code = _stream_fit_one_label(tmp_path, X, Y)
    err = capsys.readouterr().err
    assert code == 2 and "column 'f1' has a missing (NaN) value at data row 3000 " in err, err


def test_cli_stream_fit_refuses_a_label_other_than_0_or_1_outside_the_sample(tmp_path, capsys, monkeypatch):
    """The scaling sample holds 60 of 3000 rows; a 2 in the last row still stops the fit, naming the row."""
    monkeypatch.setattr("weaklabel.estimators.streaming.SAMPLE_ROWS", 60)
    X, Y = _data()
    Y[-1, 0] = 2
    code = _stream_fit_one_label(tmp_path, X, Y)
    err = capsys.readouterr().err
    assert code == 2 and "column 'lab_0' has a label value of 2 (labels are 0 or 1) at data row 3000 " in err, err
    assert not (tmp_path / "model").exists()


def _genres_parquet(path):
    """Features f0..f5 and a column of label sets ("a|c"), the form streaming cannot read."""
    X, Y = _data(600)
    frame = pd.DataFrame(X, columns=[f"f{j}" for j in range(6)])
    frame["genres"] = ["|".join(n for n, y in zip("abc", row) if y) for row in Y]
    frame.to_parquet(path, row_group_size=200)
    return path


@pytest.mark.parametrize("labels", [["--label-column", "genres"], ["--label-prefix", "nope_"]])
def test_automatic_streaming_refusal_names_the_ways_out(tmp_path, capsys, monkeypatch, labels):
    monkeypatch.setattr(cli, "STREAM_MIN_BYTES", 1)  # every file is "big"
    data = _genres_parquet(tmp_path / "train.parquet")
    assert main(["fit", str(data), "--out", str(tmp_path / "model"), *labels, "-q"]) == 2
    err = capsys.readouterr().err
    assert "pass --no-stream to read the file into memory (files of" in err, err


def test_no_stream_fits_a_big_file_with_a_label_column_in_memory(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli, "STREAM_MIN_BYTES", 1)
    data = _genres_parquet(tmp_path / "train.parquet")
    code = main([
        "fit", str(data), "--out", str(tmp_path / "model"), "--label-column", "genres", "--no-stream",
        "--epochs", "2", "--hidden-sizes", "8", "--seed", "0", "-q",
    ])
    assert code == 0 and "600 rows" in capsys.readouterr().out


def test_explicit_stream_with_a_label_column_points_to_no_stream(tmp_path, capsys):
    data = _genres_parquet(tmp_path / "train.parquet")
    assert main(["fit", str(data), "--out", str(tmp_path / "model"), "--label-column", "genres", "--stream", "-q"]) == 2
    err = capsys.readouterr().err
    assert "--label-prefix genre_, or pass --no-stream in place of --stream" in err, err


def test_stream_and_no_stream_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as exc:
        main(["fit", "x.parquet", "--out", str(tmp_path / "m"), "--stream", "--no-stream"])
    assert exc.value.code == 2 and "not allowed with argument" in capsys.readouterr().err
