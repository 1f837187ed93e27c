import numpy as np
import pytest
import torch
from torch import nn

from weaklabel.exceptions import InputError, TrainingDivergedError, WeaklabelError
from weaklabel.training import Callback, EarlyStopping, Trainer, TrainingConfig, iterate_batches, param_groups, resolve_device
from weaklabel.training.engine import join_single_row_tail


def _regression(n=256, seed=0):
    g = torch.Generator().manual_seed(seed)
    X = torch.randn(n, 3, generator=g)
    y = X @ torch.tensor([[1.0], [-2.0], [0.5]]) + 0.01 * torch.randn(n, 1, generator=g)
    return {"x": X, "y": y}


def _fit(config, data, val=None, callbacks=()):
    torch.manual_seed(0)
    model = nn.Linear(3, 1)
    loss_fn = lambda b: nn.functional.mse_loss(model(b["x"]), b["y"])  # noqa: E731
    trainer = Trainer(model, loss_fn, config, callbacks)
    return model, trainer.fit(data, val), trainer


def test_batches_cover_every_row_once_with_index():
    data = {"x": torch.arange(10).float().unsqueeze(1)}
    batches = list(iterate_batches(data, 4, torch.Generator().manual_seed(0)))
    assert [len(b["index"]) for b in batches] == [4, 4, 2]
    seen = torch.cat([b["x"][:, 0] for b in batches]).long()
    assert sorted(seen.tolist()) == list(range(10))
    for b in batches:
        assert torch.equal(b["x"][:, 0].long(), b["index"])


@pytest.mark.parametrize("n, sizes", [(9, [4, 5]), (10, [4, 4, 2]), (1, [1]), (5, [5]), (4, [4])])
def test_a_last_batch_of_one_row_joins_the_batch_before(n, sizes):
    data = {"x": torch.arange(n).float().unsqueeze(1)}
    batches = list(join_single_row_tail(iterate_batches(data, 4, torch.Generator().manual_seed(0))))
    assert [len(b["index"]) for b in batches] == sizes
    assert sorted(torch.cat([b["index"] for b in batches]).tolist()) == list(range(n))
    assert all(torch.equal(b["x"][:, 0].long(), b["index"]) for b in batches)


def test_batch_norm_trains_when_the_rows_leave_one_over():
    """257 rows in batches of 256 left a one-row batch, on which BatchNorm1d raises in training mode."""
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.Linear(4, 1))
    data = _regression(n=257)
    trainer = Trainer(model, lambda b: nn.functional.mse_loss(model(b["x"]), b["y"]), TrainingConfig(max_epochs=2, batch_size=256))
    assert len(trainer.fit(data).epochs) == 2


def test_without_batch_norm_a_one_row_batch_is_kept():
    """Only batch norm needs the join; elsewhere the batches stay those that torchrun's shards add up to."""
    sizes = []
    model = nn.Linear(3, 1)

    def loss_fn(batch):
        sizes.append(len(batch["x"]))
        return nn.functional.mse_loss(model(batch["x"]), batch["y"])

    Trainer(model, loss_fn, TrainingConfig(max_epochs=1, batch_size=256)).fit(_regression(n=257))
    assert sizes == [256, 1]


def test_learns_linear_regression():
    model, history, _ = _fit(TrainingConfig(max_epochs=60, batch_size=32, learning_rate=0.05, weight_decay=0.0), _regression())
    np.testing.assert_allclose(model.weight.detach().numpy(), [[1.0, -2.0, 0.5]], atol=0.05)
    assert history.epochs[-1]["train_loss"] < 0.01


def test_same_seed_same_model_and_different_seed_differs():
    cfg = TrainingConfig(max_epochs=3, batch_size=16, seed=7)
    a, _, _ = _fit(cfg, _regression())
    b, _, _ = _fit(cfg, _regression())
    c, _, _ = _fit(TrainingConfig(max_epochs=3, batch_size=16, seed=8), _regression())
    assert torch.equal(a.weight, b.weight)
    assert not torch.equal(a.weight, c.weight)


def test_early_stopping_restores_best_weights():
    data, val = _regression(seed=0), _regression(seed=1)
    val["y"] = val["y"] + 100.0  # validation gets worse as the fit improves
    stopper = EarlyStopping(patience=2)
    model, history, trainer = _fit(TrainingConfig(max_epochs=50, batch_size=32, learning_rate=0.05), data, val, [stopper])
    assert history.n_epochs == stopper.best_epoch + 3  # stopped after `patience` epochs without improvement
    assert trainer.evaluate_loss(val) == pytest.approx(stopper.best, rel=1e-5)


def test_callbacks_see_every_epoch():
    class Recorder(Callback):
        def __init__(self):
            self.events = []

        def on_fit_start(self, trainer):
            self.events.append("start")

        def on_epoch_end(self, trainer, logs):
            self.events.append(trainer.epoch)

        def on_fit_end(self, trainer):
            self.events.append("end")

    rec = Recorder()
    _fit(TrainingConfig(max_epochs=3), _regression(), callbacks=[rec])
    assert rec.events == ["start", 0, 1, 2, "end"]


def test_non_finite_loss_stops_with_clear_error():
    data = _regression()
    data["y"][0] = float("nan")
    with pytest.raises(TrainingDivergedError, match=r"training loss became nan at epoch 1 \(learning_rate=0.001\); lower learning_rate") as info:
        _fit(TrainingConfig(max_epochs=2, batch_size=512), data)
    assert isinstance(info.value, WeaklabelError) and isinstance(info.value, FloatingPointError)


def test_a_validation_loss_that_overflows_stops_the_fit():
    """The training loss is taken before each step; after the one step of a huge learning rate only the validation loss sees it."""
    with pytest.raises(TrainingDivergedError, match=r"validation loss became (inf|nan) at epoch 1 \(learning_rate=1e\+38\)"):
        _fit(TrainingConfig(max_epochs=1, batch_size=512, learning_rate=1e38), _regression(), val=_regression(seed=1))


def test_weights_made_nan_by_the_last_step_stop_the_fit():
    torch.manual_seed(0)
    model = nn.Linear(3, 1)

    def nan_gradient_loss(batch):  # finite value (0), NaN gradient: d/dx sqrt(x²) at x = 0
        return torch.sqrt((model.bias - model.bias.detach()) ** 2).sum() + 0.0 * model(batch["x"]).sum()

    with pytest.raises(TrainingDivergedError, match="a weight became non-finite at epoch 1"):
        Trainer(model, nan_gradient_loss, TrainingConfig(max_epochs=1, batch_size=512)).fit(_regression())


def test_weight_decay_only_on_matrices_and_lr_multipliers():
    module = nn.ModuleDict({"net": nn.Linear(3, 2), "est": nn.Embedding(5, 2)})
    groups = param_groups(module, 0.1, {"est": 10.0})
    by_size = {sum(p.numel() for p in g["params"]): (g["weight_decay"], g["lr_mult"]) for g in groups}
    assert by_size == {6: (0.1, 1.0), 2: (0.0, 1.0), 10: (0.1, 10.0)}


@pytest.mark.parametrize("device", ["tpu", "cuda0", "cpu:0", "", 3])
def test_resolve_device_refuses_unknown_devices(device):
    with pytest.raises(InputError, match="device must be 'auto', 'cpu', 'cuda' or 'cuda:N'"):
        resolve_device(device)


def test_resolve_device_refuses_cuda_where_there_is_none(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_device("auto") == torch.device("cpu") and resolve_device("cpu") == torch.device("cpu")
    with pytest.raises(InputError, match="'cuda' needs CUDA.*use device 'cpu' or 'auto'"):
        resolve_device("cuda")


def test_resolve_device_refuses_a_missing_gpu_index(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "device_count", lambda: 1)
    assert resolve_device("cuda:0") == torch.device("cuda", 0)
    with pytest.raises(InputError, match=r"'cuda:1' does not exist: this machine has 1 CUDA device\(s\)"):
        resolve_device("cuda:1")


@pytest.mark.parametrize("verbose", [0, 1])
def test_a_fit_leaves_no_thread_behind_and_the_start_method_free(verbose):
    """tqdm's default bar (even disabled) creates a multiprocessing lock, which fixes the process's start method
    (a later set_start_method raised), and a monitor thread that outlives the fit. A fresh interpreter, since
    pytest's own workers have set both."""
    import subprocess
    import sys

    script = (
        "import multiprocessing, threading, numpy as np\n"
        "from weaklabel import MultiLabelClassifier\n"
        "X = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float32)\n"
        f"MultiLabelClassifier(hidden_sizes=(4,), max_epochs=2, verbose={verbose}, random_state=0).fit(X, X[:, :2] > 0)\n"
        "print(sorted(t.name for t in threading.enumerate()))\n"
        "multiprocessing.set_start_method('spawn')\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "['MainThread']"
    assert ("epoch" in done.stderr) == bool(verbose)  # the bar is still drawn when asked for


def test_a_drawn_bar_shares_tqdms_write_lock_where_the_process_made_it():
    """So that tqdm.write from another thread does not interleave with the bar's redraw (the bar's own thread lock
    is only for a process without tqdm's, whose creation would fix the multiprocessing start method)."""
    from tqdm.auto import tqdm

    from weaklabel import MultiLabelClassifier
    from weaklabel.training.callbacks import _EpochBar

    lock = tqdm.get_lock()
    X = np.random.default_rng(0).normal(size=(60, 3)).astype(np.float32)
    MultiLabelClassifier(hidden_sizes=(4,), max_epochs=1, verbose=1, random_state=0).fit(X, X[:, :2] > 0)
    assert _EpochBar.get_lock() is lock


def test_loss_hooks_are_called_with_the_trainers_epochs():
    """A loss's declared per-epoch hooks (weaklabel.losses.Loss) run through training.LossHooks."""
    from weaklabel.losses import Loss
    from weaklabel.training import loss_callbacks

    class Recording(Loss):
        def __init__(self):
            super().__init__()
            self.seen = []

        def on_epoch_start(self, epoch):
            self.seen.append(("start", epoch))

        def on_epoch_end(self, epoch, predict):
            self.seen.append(("end", epoch, predict()))

        def forward(self, outputs, targets):
            return ((outputs - targets) ** 2).mean()

    net, loss = torch.nn.Linear(2, 1), Recording()
    data = {"x": torch.randn(8, 2), "y": torch.randn(8, 1)}
    callbacks = loss_callbacks(loss, lambda: "outputs")
    Trainer(net, lambda b: loss(net(b["x"]), b["y"]), TrainingConfig(max_epochs=2, patience=None), callbacks).fit(data)
    assert loss.seen == [("start", 0), ("end", 0, "outputs"), ("start", 1), ("end", 1, "outputs")]
    assert loss_callbacks(Loss(), lambda: None) == []  # a loss without hooks adds no callback
