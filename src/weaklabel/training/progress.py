"""Progress that tells the truth: one bar per fit, however many networks the fit trains.

A fit of one network shows a bar over its epochs (:class:`~weaklabel.training.callbacks.ProgressBar`). A fit that
trains several (cross-fitted folds, rounds, restarts, ensemble members) opens a :class:`NetworkProgress` around
them; every :class:`~weaklabel.training.Trainer` run inside it reports to that one bar instead of drawing its own:

    with NetworkProgress(total=20, verbose=self.verbose, desc="SinglePositiveClassifier") as progress:
        for round_ in range(4):
            for fold in range(5):
                progress.next_network(f"round {round_ + 1} of 4")
                trainer.fit(...)            # reports its epochs to the shared bar
        progress.advance(5)                 # networks trained elsewhere (worker processes) count when they return

The bar reads ``SinglePositiveClassifier: network 7 of 20, round 2 of 4 |███▌ | 31% [00:41<01:30, epoch 12/200,
train_loss=0.0213, val_loss=0.0198]``. It counts networks, a running network by the share of its epoch budget
done, so the remaining time (tqdm's, from the rate so far) is the whole fit's: after the first network it rests on
whole networks' times, early stopping included. Losses are shown with four significant digits (``2.341e-05``,
not ``0.0000``). The bar is cleared when the fit ends, also by an error or Ctrl-C, so that the next message
starts on its own line.
"""

from __future__ import annotations

import contextvars
import threading
from typing import TYPE_CHECKING, Any

from tqdm.auto import tqdm

if TYPE_CHECKING:  # pragma: no cover
    from .engine import Trainer

__all__ = ["NetworkProgress", "active_progress", "format_losses"]

_ACTIVE: contextvars.ContextVar[NetworkProgress | None] = contextvars.ContextVar("weaklabel_network_progress", default=None)


def format_losses(logs: dict[str, float]) -> dict[str, str]:
    """The losses of an epoch's logs, each to four significant digits."""
    return {key: f"{value:.4g}" for key, value in logs.items() if key.endswith("loss")}


class EpochBar(tqdm):
    """tqdm without its process-wide side effects: no monitor thread (it outlives the fit), and tqdm's write lock
    only if the process already made it (:meth:`share_lock`); making it creates a multiprocessing lock, which fixes
    the process's start method, so a later ``set_start_method`` raised."""

    monitor_interval = 0
    _own_lock = threading.RLock()

    @classmethod
    def share_lock(cls) -> None:
        """Draw under tqdm's write lock where it exists (so ``tqdm.write`` from other threads does not interleave
        with the bar), under a thread lock of our own where it does not."""
        cls.set_lock(getattr(tqdm, "_lock", None) or cls._own_lock)

    @classmethod
    def open(cls, **kwargs: Any) -> EpochBar:
        """A bar that clears itself when closed (``leave=False``) and follows the terminal's width."""
        cls.share_lock()
        return cls(leave=False, dynamic_ncols=True, **kwargs)


def active_progress() -> NetworkProgress | None:
    """The :class:`NetworkProgress` a Trainer started now reports to, if any (an open one with a bar)."""
    return _ACTIVE.get()


class NetworkProgress:
    """One bar over the ``total`` networks of a fit; silent when ``verbose == 0``. Use it as a context manager."""

    def __init__(self, total: int, verbose: int = 1, desc: str = "fit") -> None:
        self.total = int(total)
        self.verbose = int(verbose)
        self.desc = desc
        self.started = 0  # networks begun (the running one included)
        self.label = ""
        self._bar: EpochBar | None = None
        self._token: contextvars.Token | None = None

    def __enter__(self) -> NetworkProgress:
        if self.verbose > 0 and self.total > 0:
            self._bar = EpochBar.open(total=self.total, desc=self.desc, unit="network",
                                      bar_format="{desc} |{bar}| {percentage:3.0f}% [{elapsed}<{remaining}{postfix}]")
            self._token = _ACTIVE.set(self)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._token is not None:
            _ACTIVE.reset(self._token)
            self._token = None
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    # -- what the estimator says ----------------------------------------------
    def next_network(self, label: str = "") -> None:
        """The next Trainer run is the next network; ``label`` says where it stands (e.g. ``"round 2 of 4"``)."""
        self.started = min(self.started + 1, self.total)
        self.label = label
        self._show(float(self.started - 1), {})

    def advance(self, count: int, label: str = "") -> None:
        """``count`` networks finished elsewhere (worker processes): count them as done."""
        self.started = min(self.started + int(count), self.total)
        self.label = label or self.label
        self._show(float(self.started), {})

    # -- what a Trainer inside reports (ProgressBar) ----------------------------
    def epoch_done(self, trainer: Trainer, logs: dict[str, float]) -> None:
        budget = max(int(trainer.config.max_epochs), 1)
        epoch = trainer.epoch + 1
        done = max(self.started - 1, 0) + min(epoch / budget, 1.0)
        self._show(done, {"epoch": f"{epoch}/{budget}", **format_losses(logs)})

    def network_done(self) -> None:
        self._show(float(self.started), {})

    def _show(self, done: float, postfix: dict[str, str]) -> None:
        if self._bar is None:
            return
        where = f"network {max(self.started, 1)} of {self.total}" + (f", {self.label}" if self.label else "")
        self._bar.set_description_str(f"{self.desc}: {where}", refresh=False)
        self._bar.set_postfix(postfix, refresh=False)
        self._bar.n = min(done, float(self.total))
        self._bar.refresh()
