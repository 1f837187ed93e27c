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
import math
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import torch
from torch import nn

from ..data.sources import BatchSource, TensorSource, as_source
from ..exceptions import TrainingDivergedError
from ..nn.cost import multiply_adds_per_row
from ..runtime import distributed
from ..runtime.device import resolve_device
from ..runtime.seeding import torch_generator
from ..runtime.threads import holding_threads, threads_for_work
from .callbacks import Callback, EarlyStopping, ProgressBar

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
    mixed_precision: bool = True  # bf16 autocast on CUDA; CPU always float32
    threads: int | None = None  # CPU threads of the fit; None: the caller's, or chosen for the work (runtime.threads)


@dataclass
class History:
    """Per-epoch logs of a run and where it ended."""

    epochs: list[dict[str, float]] = field(default_factory=list)
    best_epoch: int | None = None
    seconds: float = 0.0

    @property
    def n_epochs(self) -> int:
        return len(self.epochs)


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


def adamw(groups: list[dict[str, Any]], lr: float) -> torch.optim.Optimizer:
    """AdamW with the fused kernel where this torch has one for the parameters' device, else ``foreach``.

    On CPU the fused step measured 0.58 ms against 2.2 ms for ``foreach`` on
    the reference MLP (128-512-512-20, one thread), about 8% of a batch-256 step.
    """
    try:
        return torch.optim.AdamW(groups, lr=lr, fused=True)
    except (RuntimeError, TypeError, ValueError):  # older torch, or a device without the fused kernel
        return torch.optim.AdamW(groups, lr=lr, foreach=True)


def iterate_batches(data: Mapping[str, torch.Tensor], batch_size: int, generator: torch.Generator | None, shuffle: bool = True) -> Iterator[Batch]:
    """Yield dict batches in an order drawn from ``generator`` (see :class:`~weaklabel.data.sources.TensorSource`)."""
    if shuffle and generator is None:
        generator = torch.default_generator
    yield from TensorSource(data, shuffle).batches(batch_size, generator)


def join_single_row_tail(batches: Iterator[Batch]) -> Iterator[Batch]:
    """``batches`` with a last batch of one row joined to the batch before it.

    Batch normalisation cannot train on a single row (torch raises), which
    ``n_rows ≡ 1 (mod batch_size)`` would otherwise give every epoch; the
    Trainer joins only for a module with batch norm, so without it the ranks'
    batches under torchrun stay those of one process. Every rank holds as many
    rows (the shards are padded), so every rank joins alike and the ranks keep
    taking the same number of steps.
    """
    pending: list[Batch] = []
    for batch in batches:
        if len(pending) == 2:
            yield pending.pop(0)
        pending.append(batch)
    if len(pending) == 2 and len(next(iter(pending[1].values()))) == 1:
        yield {key: torch.cat([pending[0][key], pending[1][key]]) for key in pending[0]}
    else:
        yield from pending


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
        self.device = distributed.local_device(resolve_device(config.device))
        distributed.init_from_env(self.device)
        self.module = module.to(self.device)
        self._has_batch_norm = any(isinstance(m, nn.modules.batchnorm._BatchNorm) for m in self.module.modules())
        self.loss_fn = loss_fn
        self.val_loss_fn = val_loss_fn or loss_fn
        groups = param_groups(self.module, config.weight_decay, lr_multipliers)
        for g in groups:
            g["lr"] = config.learning_rate * g.pop("lr_mult")
        self.optimizer = adamw(groups, config.learning_rate)
        self.generator = torch_generator(config.seed)
        self.callbacks = list(callbacks)
        if config.patience is not None and not any(isinstance(c, EarlyStopping) for c in self.callbacks):
            self.callbacks.append(EarlyStopping(patience=config.patience))  # idle without validation data
        self.epoch = 0
        self.stop_training = False
        self.history = History()
        self._resume_rng: dict[str, torch.Tensor] | None = None

    def fit(self, train: Mapping[str, torch.Tensor] | BatchSource, val: Mapping[str, torch.Tensor] | BatchSource | None = None) -> History:
        """Train for up to ``max_epochs``; returns the run's :class:`History`.

        ``train``/``val``: dicts of equal-length tensors or any
        :class:`~weaklabel.data.sources.BatchSource` (memory-mapped
        ``.npy``, Parquet). Under ``torchrun`` each rank trains on its shard
        with DistributedDataParallel; ``config.batch_size`` is the global batch.

        Global-RNG draws inside the loop (dropout, losses that sample) are
        seeded from ``config.seed`` in a forked RNG state, so a run is
        reproducible and the caller's torch RNG is left as it was. On the CPU
        the fit computes with :meth:`threads` threads, and the caller's count
        is put back after it.
        """
        devices = [self.device.index or 0] if self.device.type == "cuda" else []
        with holding_threads(self.threads()), torch.random.fork_rng(devices=devices):
            torch.manual_seed(self.config.seed + distributed.rank())  # each rank its own dropout draws
            self._restore_rng()
            return self._fit(train, val)

    def _fit(self, train: Mapping[str, torch.Tensor] | BatchSource, val: Mapping[str, torch.Tensor] | BatchSource | None) -> History:
        train = as_source(train, self.device)
        val = as_source(val, self.device, shuffle=False) if val is not None else None
        self._step_loss = distributed.data_parallel_loss(self.module, self.loss_fn, self.device)
        callbacks = list(self.callbacks)
        stopper = next((c for c in callbacks if isinstance(c, EarlyStopping)), None)
        progress = ProgressBar(self.config.verbose, self.config.desc)
        callbacks.append(progress)
        try:
            return self._run(train, val, callbacks, stopper)
        finally:
            progress.close()  # also after an error or Ctrl-C: what is printed next starts on its own line

    def _run(self, train: BatchSource, val: BatchSource | None, callbacks: list[Callback], stopper: EarlyStopping | None) -> History:
        """The epochs, with ``callbacks`` (the progress bar last)."""
        start = time.perf_counter()
        for cb in callbacks:
            cb.on_fit_start(self)
        while self.epoch < self.config.max_epochs and not self.stop_training:
            for cb in callbacks:
                cb.on_epoch_start(self)
            logs = {"train_loss": self._train_epoch(train)}
            if val is not None:
                logs["val_loss"] = self.evaluate_loss(val)
                if not math.isfinite(logs["val_loss"]):
                    raise self._diverged("validation loss", logs["val_loss"])
            self.history.epochs.append(logs)
            for cb in callbacks:
                cb.on_epoch_end(self, logs)
            self.epoch += 1
        if not all(torch.isfinite(p).all() for p in self.module.parameters()):  # the last step can diverge unseen
            raise self._diverged("a weight", "non-finite", epoch=self.epoch)
        for cb in callbacks:
            cb.on_fit_end(self)
        self.history.best_epoch = stopper.best_epoch if stopper is not None and stopper.best_epoch >= 0 else None
        self.history.seconds = time.perf_counter() - start
        logger.info("trained %d epochs in %.1f s", self.history.n_epochs, self.history.seconds)
        return self.history

    def threads(self) -> int | None:
        """The fit's CPU thread count: ``config.threads``, else :func:`~weaklabel.runtime.threads.threads_for_work`
        for a step's floating-point operations (6 per multiply-add of a row, forward and backward, times the batch);
        None (the caller's count) on a GPU, under ``torchrun`` or where the caller chose a count."""
        if self.config.threads is not None:
            return int(self.config.threads)
        if self.device.type != "cpu" or distributed.is_distributed():
            return None
        flops = 6.0 * self._local_batch_size() * multiply_adds_per_row(self.module)
        threads = threads_for_work(flops)
        logger.debug("%.3g FLOP per training step: %s threads", flops, "the caller's" if threads is None else threads)
        return threads

    def _diverged(self, what: str, value: float | str, epoch: int | None = None) -> TrainingDivergedError:
        """The error for ``what`` turning non-finite in ``epoch`` (counted from 1; default: the running one)."""
        return TrainingDivergedError(
            f"{what} became {value} at epoch {self.epoch + 1 if epoch is None else epoch} (learning_rate={self.config.learning_rate:g}); "
            "lower learning_rate or check the inputs for extreme values"
        )

    def _local_batch_size(self) -> int:
        """Rows per step on this rank: the global batch split over the ranks."""
        return max(1, -(-self.config.batch_size // distributed.world_size()))

    def _batches(self, source: BatchSource, batch_size: int, generator: torch.Generator | None) -> Iterator[Batch]:
        for batch in source.batches(batch_size, generator, distributed.local_shard()):
            yield {k: v.to(self.device, non_blocking=True) for k, v in batch.items()}

    def _train_epoch(self, train: BatchSource) -> float:
        self.module.train()
        total = torch.zeros((), device=self.device)
        n_batches = 0
        autocast = torch.autocast("cuda", dtype=torch.bfloat16, enabled=self.device.type == "cuda" and self.config.mixed_precision)
        batches = self._batches(train, self._local_batch_size(), self.generator)
        for batch in join_single_row_tail(batches) if self._has_batch_norm else batches:
            with autocast:
                loss = self._step_loss(batch)
            if not torch.isfinite(loss):
                raise self._diverged("training loss", loss.item())
            self.optimizer.zero_grad(set_to_none=True)
            loss.backward()
            self.optimizer.step()
            total += loss.detach()
            n_batches += 1
        total_all, batches_all = distributed.all_reduce_sum([float(total), float(n_batches)], self.device)
        return total_all / max(batches_all, 1.0)

    @torch.no_grad()
    def evaluate_loss(self, data: Mapping[str, torch.Tensor] | BatchSource) -> float:
        """Mean of ``val_loss_fn`` over ``data`` in eval mode, weighted by batch size.

        Distributed: each rank scores its shard and the sums are all-reduced,
        so every rank gets the same value (and early stopping decides alike).
        """
        self.module.eval()
        total = torch.zeros((), dtype=torch.float64, device=self.device)
        count = 0
        source = as_source(data, self.device, shuffle=False)
        for batch in self._batches(source, max(self.config.batch_size, 4096), None):
            n = len(batch["index"])
            total += self.val_loss_fn(batch).double() * n
            count += n
        total_all, count_all = distributed.all_reduce_sum([float(total), float(count)], self.device)
        return total_all / max(count_all, 1.0)

    # -- checkpointing (see weaklabel.training.checkpoint) ---------------------
    def state_dict(self) -> dict[str, Any]:
        """Everything needed to resume: module, optimizer, epoch, shuffling generator, RNG, history, callbacks.

        Called from a callback during :meth:`fit`, ``"rng"`` is the run's own
        (forked) global RNG state.
        """
        rng = {"cpu": torch.get_rng_state()}
        if self.device.type == "cuda":
            rng["cuda"] = torch.cuda.get_rng_state(self.device)
        return {
            "epoch": self.epoch,
            "module": self.module.state_dict(),
            "optimizer": self.optimizer.state_dict(),
            "generator": self.generator.get_state(),
            "rng": rng,
            "history": self.history.epochs,
            "callbacks": [[type(cb).__name__, cb.state_dict()] for cb in self.callbacks],
        }

    def load_state_dict(self, state: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict` before :meth:`fit`; the next ``fit`` continues at ``state["epoch"]``."""
        saved = [name for name, _ in state["callbacks"]]
        if saved != [type(cb).__name__ for cb in self.callbacks]:
            raise ValueError(f"checkpoint callbacks {saved} differ from this trainer's {[type(cb).__name__ for cb in self.callbacks]}")
        self.module.load_state_dict(state["module"])
        self.optimizer.load_state_dict(state["optimizer"])
        self.generator.set_state(state["generator"])
        self._resume_rng = dict(state["rng"])
        self.epoch = int(state["epoch"])
        self.history = History(epochs=[dict(e) for e in state["history"]])
        for cb, (_, cb_state) in zip(self.callbacks, state["callbacks"]):
            cb.load_state_dict(cb_state)

    def _restore_rng(self) -> None:
        """Inside ``fit``'s forked RNG: continue the global RNG of a resumed run."""
        if self._resume_rng is None:
            return
        torch.set_rng_state(self._resume_rng["cpu"])
        if "cuda" in self._resume_rng and self.device.type == "cuda":
            torch.cuda.set_rng_state(self._resume_rng["cuda"], self.device)
        self._resume_rng = None
