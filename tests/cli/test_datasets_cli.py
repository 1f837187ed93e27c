"""``weaklabel datasets list | info | export``: the standard sets on the command line."""

import pandas as pd
import pytest

from weaklabel.cli import main
from weaklabel.datasets import load_emotions, load_yeast


def test_list_and_info_name_every_set_and_the_citation(capsys):
    assert main(["datasets", "list"]) == 0
    out = capsys.readouterr().out
    assert all(name in out for name in ("yeast", "scene", "emotions", "bibtex", "tmc2007")) and "1500/917 (source)" in out
    assert main(["datasets", "info", "emotions"]) == 0
    out = capsys.readouterr().out
    assert "593 items × 72 features" in out and "Trohidis" in out and "amazed-suprised" in out


@pytest.mark.parametrize("suffix", [".parquet", ".csv"])
def test_an_exported_part_trains_and_evaluates_by_the_printed_command(tmp_path, capsys, suffix):
    train, test = tmp_path / f"train{suffix}", tmp_path / f"test{suffix}"
    assert main(["datasets", "export", "emotions", str(train), "--subset", "train"]) == 0
    hint = capsys.readouterr().out.splitlines()[-1]
    assert main(["datasets", "export", "emotions", str(test), "--subset", "test"]) == 0
    frame = pd.read_parquet(train) if suffix == ".parquet" else pd.read_csv(train)
    expected = load_emotions("train")
    assert len(frame) == len(expected.X) and "split" not in frame.columns
    assert frame.filter(like="x").to_numpy() == pytest.approx(expected.X, abs=1e-5)
    model = tmp_path / "model"
    command = hint.split(": ", 1)[1].split()[2:]  # weaklabel fit FILE --label-column labels --out NAME-model/
    assert command[:3] == [str(train), "--label-column", "labels"]
    assert main(["fit", *command[:3], "--out", str(model), "--epochs", "2", "--hidden-sizes", "8", "-q"]) == 0
    capsys.readouterr()
    assert main(["evaluate", str(model), str(test), "--out", str(tmp_path / "eval"), "-q"]) == 0
    assert "lrap" in capsys.readouterr().out


def test_exporting_every_row_adds_the_split_column(tmp_path):
    out = tmp_path / "yeast.parquet"
    assert main(["datasets", "export", "yeast", str(out)]) == 0
    frame = pd.read_parquet(out)
    assert frame["split"].value_counts().to_dict() == {"train": 1500, "test": 917}
    assert list(frame["labels"].iloc[0]) == [load_yeast().label_names[j] for j in load_yeast().Y[0].nonzero()[0]]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["datasets", "export", "yeasts", "{out}"], "unknown data set 'yeasts'; available: yeast, scene, emotions, bibtex, tmc2007"),
        (["datasets", "info", "mnist"], "unknown data set 'mnist'; available:"),
        (["datasets", "export", "yeast", "{out}", "--subset", "dev"], "unknown subset 'dev'; choose one of all, train, test"),
        (["datasets", "export", "yeast", "{txt}"], "unsupported extension '.txt'"),
    ],
)
def test_a_bad_name_is_one_line_exit_2_and_nothing_is_written(tmp_path, capsys, argv, message):
    out, txt = tmp_path / "out.csv", tmp_path / "out.txt"
    assert main([a.format(out=out, txt=txt) for a in argv]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert list(tmp_path.iterdir()) == []
