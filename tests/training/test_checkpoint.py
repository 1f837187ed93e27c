"""Checkpoint files (flattening, atomic writes, verification) and in-process resume of the Trainer."""

import math

import pytest
import torch
from torch import nn

from weaklabel.exceptions import InputError, ModelFileError
from weaklabel.training import Callback, Checkpoint, EarlyStopping, Trainer, TrainingConfig
from weaklabel.training.callbacks import ReduceLROnPlateau
from weaklabel.training.checkpoint import flatten_state, load_checkpoint, load_run_seed, save_checkpoint, save_run_seed, unflatten_state


class Crash(Exception):
    pass


class CrashAt(Callback):
    def __init__(self, epoch):
        self.epoch = epoch

    def on_epoch_start(self, trainer):
        if trainer.epoch == self.epoch:
            raise Crash


def _data(seed):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(200, 4, generator=g)
    return {"x": X, "y": X @ torch.tensor([[1.0], [-1.0], [0.5], [2.0]]) + torch.randn(200, 1, generator=g)}


def _trainer(callbacks, epochs=10):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.Dropout(0.3), nn.Linear(8, 1))  # dropout draws from the global RNG
    config = TrainingConfig(max_epochs=epochs, batch_size=16, learning_rate=0.05, patience=20, seed=5)
    loss = lambda b: nn.functional.mse_loss(model(b["x"]), b["y"])  # noqa: E731
    return Trainer(model, loss, config, [*callbacks, ReduceLROnPlateau(patience=1)]), model


def test_state_round_trips_through_flattening():
    state = {"a": (1, 2.5, None), 3: [torch.arange(3), {"x": torch.tensor(1.0)}], "inf": math.inf, "s": "t"}
    skeleton, tensors = flatten_state(state)
    back = unflatten_state(skeleton, tensors)
    assert back["a"] == (1, 2.5, None) and back["inf"] == math.inf and back["s"] == "t"
    assert torch.equal(back[3][0], torch.arange(3)) and torch.equal(back[3][1]["x"], torch.tensor(1.0))
    with pytest.raises(TypeError):
        flatten_state({"bad": object()})


def test_crashed_trainer_resumes_to_the_same_weights(tmp_path):
    train, val = _data(0), _data(1)
    trainer, reference = _trainer([])
    trainer.fit(train, val)

    checkpoint = Checkpoint(tmp_path, every=2)
    crashed, _ = _trainer([checkpoint, CrashAt(7)])
    with pytest.raises(Crash):
        crashed.fit(train, val)
    assert load_checkpoint(checkpoint.path)[0]["epoch"] == 6

    resumed, model = _trainer([Checkpoint(tmp_path, every=2), CrashAt(-1)])
    assert Checkpoint(tmp_path).restore(resumed) and resumed.epoch == 6
    history = resumed.fit(train, val)
    for a, b in zip(model.state_dict().values(), reference.state_dict().values()):
        assert torch.equal(a, b)
    assert history.epochs == trainer.history.epochs
    stoppers = [c for c in resumed.callbacks if isinstance(c, EarlyStopping)]
    assert stoppers and history.best_epoch == trainer.history.best_epoch


def test_restore_without_a_checkpoint_starts_afresh(tmp_path):
    trainer, _ = _trainer([])
    assert Checkpoint(tmp_path / "none").restore(trainer) is False and trainer.epoch == 0


@pytest.mark.parametrize("damage", ["flip", "truncate", "foreign"])
def test_damaged_checkpoint_is_refused(tmp_path, damage):
    path = save_checkpoint(tmp_path / "checkpoint.safetensors", {"w": torch.arange(100.0), "epoch": 3})
    data = bytearray(path.read_bytes())
    if damage == "flip":
        data[-7] ^= 0xFF
    elif damage == "truncate":
        data = data[: len(data) // 2]
    else:
        data = bytearray(b"not a checkpoint at all")
    path.write_bytes(bytes(data))
    with pytest.raises(ModelFileError):
        load_checkpoint(path)


def test_checkpoint_write_leaves_no_temporary_files(tmp_path):
    for epoch in range(3):
        save_checkpoint(tmp_path / "checkpoint.safetensors", {"epoch": epoch})
    assert [p.name for p in tmp_path.iterdir()] == ["checkpoint.safetensors"]
    assert load_checkpoint(tmp_path / "checkpoint.safetensors")[0]["epoch"] == 2


def test_run_seed_round_trip_and_a_foreign_seed_file(tmp_path):
    assert load_run_seed(tmp_path / "new") is None
    save_run_seed(tmp_path / "new", 123)
    assert load_run_seed(tmp_path / "new") == 123 and sorted(p.name for p in (tmp_path / "new").iterdir()) == ["seed.json"]
    (tmp_path / "new" / "seed.json").write_text('{"seed": "x"}')
    with pytest.raises(ModelFileError, match="does not hold a seed recorded by weaklabel; delete it"):
        load_run_seed(tmp_path / "new")
    (tmp_path / "file").write_text("")
    with pytest.raises(InputError, match="is a file; give a directory path"):
        save_run_seed(tmp_path / "file", 1)
