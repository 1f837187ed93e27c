"""Callbacks: hooks the training loop calls at the start and end of fit and of each epoch."""

from __future__ import annotations

import copy
import logging
import math
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import torch

from ..losses import Loss
from .progress import EpochBar, NetworkProgress, active_progress, format_losses

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Trainer

logger = logging.getLogger("weaklabel")


class Callback:
    """Base class; override the hooks you need. ``logs`` holds the epoch's metrics."""

    def on_fit_start(self, trainer: Trainer) -> None:
        """Called once before the first epoch."""

    def on_epoch_start(self, trainer: Trainer) -> None:
        """Called before each epoch (``trainer.epoch`` is already set)."""

    def on_epoch_end(self, trainer: Trainer, logs: dict[str, float]) -> None:
        """Called after each epoch with ``train_loss`` and, with validation data, ``val_loss``."""

    def on_fit_end(self, trainer: Trainer) -> None:
        """Called once after the last epoch (also after early stopping)."""

    def state_dict(self) -> dict[str, Any]:
        """State needed to resume an interrupted fit."""
        return {}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""


class EarlyStopping(Callback):
    """Stop when ``monitor`` has not improved by ``min_delta`` for ``patience`` epochs; restore the best weights."""

    def __init__(self, patience: int = 10, monitor: str = "val_loss", min_delta: float = 0.0, restore_best: bool = True) -> None:
        self.patience = patience
        self.monitor = monitor
        self.min_delta = min_delta
        self.restore_best = restore_best
        self.best = math.inf
        self.best_epoch = -1
        self.best_state: dict[str, Any] | None = None
        self.wait = 0

    def on_fit_start(self, trainer: Trainer) -> None:
        if self.best_epoch < 0:  # not resumed
            self.best, self.wait, self.best_state = math.inf, 0, None

    def on_epoch_end(self, trainer: Trainer, logs: dict[str, float]) -> None:
        value = logs.get(self.monitor)
        if value is None:
            return
        if value < self.best - self.min_delta:
            self.best, self.best_epoch, self.wait = value, trainer.epoch, 0
            if self.restore_best:
                self.best_state = copy.deepcopy(trainer.module.state_dict())
        else:
            self.wait += 1
            if self.wait >= self.patience:
                trainer.stop_training = True

    def on_fit_end(self, trainer: Trainer) -> None:
        if self.restore_best and self.best_state is not None:
            trainer.module.load_state_dict(self.best_state)
            logger.info("restored weights of epoch %d (%s %.5f)", self.best_epoch + 1, self.monitor, self.best)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "best_epoch": self.best_epoch, "wait": self.wait, "best_state": self.best_state}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.best_epoch, self.wait = state["best"], state["best_epoch"], state["wait"]
        self.best_state = state["best_state"]


class ProgressBar(Callback):
    """A bar over the epochs with the latest losses (four significant digits); silent when ``verbose == 0``.

    Inside a :class:`~weaklabel.training.progress.NetworkProgress` (a fit of several networks) it draws no bar of
    its own and reports to that one. :meth:`close` clears the bar (the Trainer calls it also after an error or
    Ctrl-C, so that the next message starts on its own line).
    """

    def __init__(self, verbose: int = 1, desc: str = "fit") -> None:
        self.verbose = verbose
        self.desc = desc
        self._bar: EpochBar | None = None
        self._shared: NetworkProgress | None = None

    def on_fit_start(self, trainer: Trainer) -> None:
        self._shared = active_progress()
        if self.verbose <= 0 or self._shared is not None:
            return
        self._bar = EpochBar.open(total=trainer.config.max_epochs, initial=trainer.epoch, desc=self.desc, unit="epoch")

    def on_epoch_end(self, trainer: Trainer, logs: dict[str, float]) -> None:
        if self._shared is not None:
            self._shared.epoch_done(trainer, logs)
        elif self._bar is not None:
            self._bar.set_postfix(format_losses(logs), refresh=False)
            self._bar.update(1)
        logger.debug("epoch %d: %s", trainer.epoch + 1, logs)

    def on_fit_end(self, trainer: Trainer) -> None:
        if self._shared is not None:
            self._shared.network_done()
        self.close()

    def close(self) -> None:
        """Clear the bar, if one is drawn."""
        if self._bar is not None:
            self._bar.close()
            self._bar = None


class StageBar:
    """Progress of a fit made of named stages, not epochs (a mixture sweep, restarts): a tqdm bar of ``total``
    steps, each :meth:`step` naming what just finished. Shown only once the fit has run for ``delay`` seconds
    (a fit under a second prints nothing), and never when ``verbose == 0``."""

    def __init__(self, verbose: int = 1, desc: str = "fit", delay: float = 1.0) -> None:
        self._bar: EpochBar | None = None
        if verbose > 0:
            self._bar = EpochBar.open(total=0, desc=desc, unit="step", delay=delay)

    def plan(self, total: int) -> None:
        """Set the number of steps (it may change once the fit knows its path)."""
        if self._bar is not None:
            self._bar.total = int(total)

    def step(self, description: str) -> None:
        logger.debug("%s", description)
        if self._bar is not None:
            self._bar.set_postfix_str(description, refresh=False)
            self._bar.update(1)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    def __enter__(self) -> StageBar:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class ReduceLROnPlateau(Callback):
    """Multiply every learning rate by ``factor`` when ``monitor`` has not improved for ``patience`` epochs."""

    def __init__(self, patience: int = 3, factor: float = 0.3, min_lr: float = 1e-6, monitor: str = "val_loss") -> None:
        self.patience = patience
        self.factor = factor
        self.min_lr = min_lr
        self.monitor = monitor
        self.best = math.inf
        self.wait = 0

    def on_epoch_end(self, trainer: Trainer, logs: dict[str, float]) -> None:
        value = logs.get(self.monitor)
        if value is None:
            return
        if value < self.best:
            self.best, self.wait = value, 0
            return
        self.wait += 1
        if self.wait >= self.patience:
            self.wait = 0
            for group in trainer.optimizer.param_groups:
                group["lr"] = max(group["lr"] * self.factor, self.min_lr)
            logger.debug("epoch %d: learning rate × %.2f", trainer.epoch + 1, self.factor)

    def state_dict(self) -> dict[str, Any]:
        return {"best": self.best, "wait": self.wait}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.best, self.wait = state["best"], state["wait"]


class LossHooks(Callback):
    """A loss's per-epoch hooks (:meth:`weaklabel.losses.Loss.on_epoch_start` and ``on_epoch_end``) as a callback.

    ``predict()`` gives the current outputs of every training row, for hooks that re-label from them.
    """

    def __init__(self, loss: Loss, predict: Callable[[], torch.Tensor]) -> None:
        self.loss, self.predict = loss, predict

    def on_epoch_start(self, trainer: Trainer) -> None:
        self.loss.on_epoch_start(trainer.epoch)

    def on_epoch_end(self, trainer: Trainer, logs: dict[str, float]) -> None:
        self.loss.on_epoch_end(trainer.epoch, self.predict)


def loss_callbacks(loss: Loss, predict: Callable[[], torch.Tensor]) -> list[Callback]:
    """``[LossHooks(loss, predict)]`` for a loss with per-epoch hooks, else none."""
    return [LossHooks(loss, predict)] if loss.has_epoch_hooks() else []
