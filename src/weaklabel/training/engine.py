"""The one training loop used by every estimator.

Data lives in memory as a dict of tensors of equal length; a batch is a dict
of the same keys indexed by a slice of a random permutation (plus ``"index"``,
the rows' positions, for losses that keep per-sample state). No per-sample
``Dataset.__getitem__``, no collation: batch assembly is one ``index_select``
per tensor.

An estimator plugs in through two things: ``module`` (every trainable part:
network, loss parameters, label estimates — what is optimised and restored)
and ``loss_fn(batch) -> scalar``. Everything else (AdamW, validation, early
stopping with best-weights restore, progress, seeding, device) is here.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from .callbacks import Callback, EarlyStopping, ProgressBar
from .seeding import torch_generator

logger = logging.getLogger("weaklabel")

Batch = dict[str, torch.Tensor]
LossFn = Callable[[Batch], torch.Tensor]


@dataclass
class TrainingConfig:
    """Settings of one training run."""

    max_epochs: int = 100
    batch_size: int = 256
    learning_rate: float = 1e-3
    weight_decay: float = 1e-4
    patience: int | None = 10
    device: str = "auto"
    seed: int = 0
    verbose: int = 0
    desc: str = "fit"


@dataclass
class History:
    """Per-epoch logs of a run and where it ended."""

    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    seconds: float = 0.0

    @property
    def n_epochs(self) -> int:
        return len(self.epochs)


def resolve_device(device: str | torch.device) -> torch.device:
    """``"auto"`` → CUDA when available, else CPU."""
    if str(device) == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    return torch.device(device)


def param_groups(module: nn.Module, weight_decay: float, lr_multipliers: Mapping[str, float] | None = None) -> list[dict[str, Any]]:
    """AdamW groups: weight decay on weight matrices only, not on biases, norms or embeddings of size 1-D.

    ``lr_multipliers`` maps a parameter-name prefix to a learning-rate factor
    (e.g. ``{"loss.label_logits": 10.0}``).
    """
    groups: dict[tuple[bool, float], list[nn.Parameter]] = {}
    for name, param in module.named_parameters():
        if not param.requires_grad:
            continue
        mult = next((m for prefix, m in (lr_multipliers or {}).items() if name.startswith(prefix)), 1.0)
        groups.setdefault((param.ndim >= 2, mult), []).append(param)
    return [
        {"params": params, "weight_decay": weight_decay if decay else 0.0, "lr_mult": mult}
        for (decay, mult), params in groups.items()
    ]


def iterate_batches(data: Mapping[str, torch.Tensor], batch_size: int, generator: torch.Generator | None, shuffle: bool = True) -> Iterator[Batch]:
    """Yield dict batches indexed by a permutation drawn from ``generator``."""
    n = len(next(iter(data.values())))
    device = next(iter(data.values())).device
    order = torch.randperm(n, generator=generator) if shuffle else torch.arange(n)
    order = order.to(device)
    for start in range(0, n, batch_size):
        idx = order[start : start + batch_size]
        batch = {key: value.index_select(0, idx) for key, value in data.items()}
        batch["index"] = idx
        yield batch


class Trainer:
    """Optimise ``module`` on ``loss_fn`` with AdamW; see the module docstring."""

    def __init__(
        self,
        module: nn.Module,
        loss_fn: LossFn,
        config: TrainingConfig,
        callbacks: Sequence[Callback] = (),
        val_loss_fn: LossFn | None = None,
        lr_multipliers: Mapping[str, float] | None = None,
    ) -> None:
        self.config = config
        self.device = resolve_device(config.device)
        self.module = module.to(self.device)
        self.loss_fn = loss_fn
        self.val_loss_fn = val_loss_fn or loss_fn
        groups = param_groups(self.module, config.weight_decay, lr_multipliers)
        for g in groups:
            g["lr"] = config.learning_rate * g.pop("lr_mult")
        self.optimizer = torch.optim.AdamW(groups, lr=config.learning_rate, foreach=True)
        self.generator = torch_generator(config.seed)
        self.callbacks = list(callbacks)
        self.epoch = 0
        self.stop_training = False
        self.history = History()

    def fit(self, train: Mapping[str, torch.Tensor], val: Mapping[str, torch.Tensor] | None = None) -> History:
        """Train for up to ``max_epochs``; returns the run's :class:`History`.

        Global-RNG draws inside the loop (dropout, losses that sample) are
        seeded from ``config.seed`` in a forked RNG state, so a run is
        reproducible and the caller's torch RNG is left as it was.
        """
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        with torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.config.seed)
            return self._fit(train, val)

    def _fit(self, train: Mapping[str, torch.Tensor], val: Mapping[str, torch.Tensor] | None) -> History:
        train = {k: v.to(self.device) for k, v in train.items()}
        val = {k: v.to(self.device) for k, v in val.items()} if val else None
        callbacks = list(self.callbacks)
        stopper = next((c for c in callbacks if isinstance(c, EarlyStopping)), None)
        if stopper is None and val is not None and self.config.patience is not None:
            stopper = EarlyStopping(patience=self.config.patience)
            callbacks.append(stopper)
        callbacks.append(ProgressBar(self.config.verbose, self.config.desc))
        start = time.perf_counter()
        for cb in callbacks:
            cb.on_fit_start(self)
        while self.epoch < self.config.max_epochs and not self.stop_training:
            for cb in callbacks:
                cb.on_epoch_start(self)
            logs = {"train_loss": self._train_epoch(train)}
            if val is not None:
                logs["val_loss"] = self.evaluate_loss(val)
            self.history.epochs.append(logs)
            for cb in callbacks:
                cb.on_epoch_end(self, logs)
            self.epoch += 1
        for cb in callbacks:
            cb.on_fit_end(self)
        self.history.best_epoch = stopper.best_epoch if stopper is not None and stopper.best_epoch >= 0 else None
        self.history.seconds = time.perf_counter() - start
        logger.info("trained %d epochs in %.1f s", self.history.n_epochs, self.history.seconds)
        return self.history

    def _train_epoch(self, train: Mapping[str, torch.Tensor]) -> float:
        self.module.train()
        total = torch.zeros((), device=self.device)
        n_batches = 0
        for batch in iterate_batches(train, self.config.batch_size, self.generator):
            loss = self.loss_fn(batch)
            if not torch.isfinite(loss):
                raise FloatingPointError(
                    f"training loss became {loss.item()} at epoch {self.epoch + 1}; "
                    "lower learning_rate or check the inputs for extreme values"
                )
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total += loss.detach()
            n_batches += 1
        return float(total) / max(n_batches, 1)

    @torch.no_grad()
    def evaluate_loss(self, data: Mapping[str, torch.Tensor]) -> float:
        """Mean of ``val_loss_fn`` over ``data`` in eval mode, weighted by batch size."""
        self.module.eval()
        total, count = 0.0, 0
        for batch in iterate_batches(data, max(self.config.batch_size, 4096), None, shuffle=False):
            n = len(batch["index"])
            total += float(self.val_loss_fn(batch)) * n
            count += n
        return total / max(count, 1)
