"""What makes a fit one run: its seed (drawn, recorded, shared by the ranks) and its checkpoints.

:class:`FitRun` is a mixin of :class:`~weaklabel.estimators._base.NeuralEstimator`: ``set_checkpointing`` (not a
hyper-parameter), the fit's seed (:meth:`FitRun._seed`, which also joins a ``torchrun`` process group and clears an
earlier run's checkpoints) and the :class:`~weaklabel.training.Checkpoint` of each training stage, fingerprinted
by the parameters and the data so that a resume of another run is refused.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

import torch

from ..runtime import distributed, resolve_device, resolve_seed
from ..training import TrainingConfig
from ..training.checkpoint import Checkpoint, clear_run, fingerprint, load_run_seed, save_run_seed
from ._params import is_integer

logger = logging.getLogger("weaklabel")

__all__ = ["FitRun"]


class FitRun:
    """Seeding and checkpointing of an estimator's fit (reads ``device`` and ``get_params()`` of the estimator)."""

    _checkpointing: dict[str, Any] | None = None

    if TYPE_CHECKING:  # provided by the estimator this is mixed into

        device: str

        def get_params(self, deep: bool = True) -> dict[str, Any]: ...

    def set_checkpointing(self, directory: str | None, every: int = 1, resume: bool = False) -> FitRun:
        """Write a training checkpoint to ``directory`` every ``every`` epochs during ``fit``; ``resume`` continues from it.

        Not a hyper-parameter (it does not change the model, ``clone`` drops it):
        a resumed fit reaches the same model as an uninterrupted one. Resuming
        with no checkpoint yet starts from the first epoch. ``None`` turns it off.
        A fit without ``random_state`` records the seed it draws in ``directory``
        (``seed.json``), and a resumed one uses it. A fit that does not resume
        first removes the checkpoints (and seed) an earlier run left there.
        """
        self._checkpointing = None if directory is None else {"directory": directory, "every": int(every), "resume": bool(resume)}
        return self

    def _checkpoint_callback(
        self,
        config: TrainingConfig,
        train: Mapping[str, torch.Tensor],
        val: Mapping[str, torch.Tensor] | None,
        stage: str = "",
        fingerprint_data: Mapping[str, torch.Tensor] | None = None,
    ) -> Checkpoint | None:
        """The :class:`Checkpoint` asked for by :meth:`set_checkpointing`, fingerprinted by parameters and data.

        Each ``stage`` of a multi-network fit checkpoints into its own sub-directory, so a resumed fit
        replays finished stages from their last checkpoint and continues the interrupted one.
        """
        if not self._checkpointing:
            return None
        params = {k: v for k, v in self.get_params().items() if k not in ("verbose", "device", "n_jobs")}
        parts = {"estimator": type(self).__name__, "params": params, "seed": config.seed}
        data: dict[str, torch.Tensor] = {f"data.{k}": v for k, v in (fingerprint_data or {}).items()}
        for split, tensors in (("train", train), ("val", val)):
            if isinstance(tensors, Mapping):
                data.update({f"{split}.{k}": v for k, v in tensors.items()})
            elif tensors is not None:  # a streamed source is too big to hash: identified by its size
                parts[split] = [type(tensors).__name__, getattr(tensors, "n_rows", None)]
        run = fingerprint(parts, data)
        return Checkpoint(self._checkpoint_directory(stage), self._checkpointing["every"], fingerprint=run)

    def _checkpoint_directory(self, stage: str) -> str:
        directory = (self._checkpointing or {})["directory"]
        return os.path.join(directory, stage) if stage else directory

    def _resumes(self, stage: str = "") -> bool:
        """Whether :meth:`_train` of ``stage`` will load a checkpoint, so work that only sets its starting
        weights can be skipped (a checkpoint of another run makes that ``_train`` raise)."""
        if not self._checkpointing or not self._checkpointing["resume"]:
            return False
        return Checkpoint(self._checkpoint_directory(stage)).path.is_file()

    def _seed(self, random_state: Any) -> int:
        """The fit's int seed; called when a fit starts, it joins the ``torchrun`` process group if there is one
        and, for a fit with checkpoints that does not resume, removes an earlier run's checkpoints.

        A seed drawn for ``random_state=None`` (or a RandomState) is rank 0's on every rank, so that the ranks
        agree on the validation split, the scaler and every shuffle.
        """
        device = distributed.local_device(resolve_device(self.device))
        distributed.init_from_env(device)
        if self._checkpointing and not self._checkpointing["resume"] and distributed.rank() == 0:
            clear_run(self._checkpointing["directory"])  # a fresh fit: an earlier run's stages must not be resumed later
        if is_integer(random_state):
            return resolve_seed(random_state)
        seed = self._drawn_seed(random_state) if distributed.rank() == 0 else 0  # the other ranks take rank 0's
        return distributed.broadcast_int(seed, device)

    def _drawn_seed(self, random_state: Any) -> int:
        """A seed drawn from ``random_state``; with checkpointing, recorded in the checkpoint directory before
        training, and when resuming, the one recorded there (so the resumed fit is the same run)."""
        if not self._checkpointing:
            return resolve_seed(random_state)
        directory = self._checkpointing["directory"]
        seed = load_run_seed(directory) if self._checkpointing["resume"] else None
        if seed is None:
            seed = resolve_seed(random_state)
            save_run_seed(directory, seed)
        else:
            logger.info("resuming with the seed %d recorded in %s", seed, directory)
        return seed
