"""One bar per fit (network k of N), losses by significant digits, and a bar that clears itself on Ctrl-C."""

from __future__ import annotations

import numpy as np
import pandas as pd
import torch
from torch import nn

from weaklabel.cli import main
from weaklabel.training import NetworkProgress, Trainer, TrainingConfig
from weaklabel.training.progress import format_losses


def _trainer(verbose=1, epochs=3):
    torch.manual_seed(0)
    net = nn.Linear(3, 1)
    config = TrainingConfig(max_epochs=epochs, batch_size=16, verbose=verbose, desc="unit", threads=1)
    return Trainer(net, lambda b: nn.functional.mse_loss(net(b["x"]), b["y"]), config), {"x": torch.randn(32, 3), "y": torch.randn(32, 1)}


def test_losses_keep_four_significant_digits_however_small():
    assert format_losses({"train_loss": 2.3456e-05, "val_loss": 0.5, "epoch_seconds": 3.0}) == {"train_loss": "2.346e-05", "val_loss": "0.5"}


def test_the_networks_of_a_fit_report_to_one_bar(capsys):
    with NetworkProgress(total=2, verbose=1, desc="Ensemble") as progress:
        for label in ("round 1 of 2", "round 2 of 2"):
            progress.next_network(label)
            trainer, data = _trainer()
            trainer.fit(data)
    err = capsys.readouterr().err
    assert "Ensemble: network 1 of 2, round 1 of 2" in err and "Ensemble: network 2 of 2, round 2 of 2" in err
    assert "epoch=3/3" in err and "100%" in err
    assert "unit" not in err  # no bar of each Trainer's own


def test_networks_trained_elsewhere_count_when_they_return(capsys):
    with NetworkProgress(total=4, verbose=1, desc="Parallel") as progress:
        progress.advance(2, "round 1 of 2")
        progress.advance(2, "round 2 of 2")
    assert "Parallel: network 4 of 4, round 2 of 2" in capsys.readouterr().err


def test_silent_progress_draws_nothing_and_leaves_trainers_silent(capsys):
    with NetworkProgress(total=1, verbose=0, desc="Quiet") as progress:
        progress.next_network()
        trainer, data = _trainer(verbose=0)
        trainer.fit(data)
    assert capsys.readouterr().err == ""


def test_a_refined_positive_only_fit_shows_every_network_of_every_round(capsys):
    from weaklabel import SinglePositiveClassifier

    rng = np.random.default_rng(0)
    X = rng.normal(size=(60, 3)).astype(np.float32)
    SinglePositiveClassifier(hidden_sizes=(4,), max_epochs=2, refine_rounds=1, refine_folds=2, random_state=0, verbose=1).fit(X, rng.integers(0, 2, 60))
    err = capsys.readouterr().err
    assert "SinglePositiveClassifier: network 4 of 4, round 2 of 2" in err
    assert "epoch/s" not in err  # one bar over networks, none over a single network's epochs


def test_ctrl_c_clears_the_bar_so_the_message_starts_its_own_line(tmp_path, capsys, monkeypatch):
    rng = np.random.default_rng(0)
    data = tmp_path / "train.csv"
    pd.DataFrame({"a": rng.normal(size=80), "b": rng.normal(size=80), "tags": rng.choice(["x", "y", "x|y"], 80)}).to_csv(data, index=False)
    train_epoch = Trainer._train_epoch

    def interrupted_in_epoch_2(self, train):
        if self.epoch == 1:
            raise KeyboardInterrupt
        return train_epoch(self, train)

    monkeypatch.setattr(Trainer, "_train_epoch", interrupted_in_epoch_2)
    assert main(["fit", str(data), "--label-column", "tags", "--out", str(tmp_path / "m"), "--epochs", "5", "--hidden-sizes", "4"]) == 130
    err = capsys.readouterr().err
    assert "epoch" in err  # a bar was drawn
    last_line = err.rstrip("\n").split("\n")[-1]
    before, _, message = last_line.rpartition("\r")
    assert message == "weaklabel: interrupted"
    assert before.split("\r")[-1].strip() == ""  # what the bar left on that line is blanks


def test_self_supervised_restarts_share_one_bar(capsys):
    from weaklabel import SelfSupervisedClassifier

    X = np.random.default_rng(0).normal(size=(60, 2)).astype(np.float32)
    SelfSupervisedClassifier(method="minmax_scan", n_classes=2, n_init=2, n_heads=1, hidden_sizes=(4,), max_epochs=1, self_labeling_epochs=0,
                             random_state=0, verbose=1).fit(X)
    err = capsys.readouterr().err
    assert "SelfSupervisedClassifier: network 1 of 2" in err and "SelfSupervisedClassifier: network 2 of 2" in err
