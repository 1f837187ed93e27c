"""Data-parallel training with PyTorch's own engine (``torchrun`` + DistributedDataParallel).

Under ``torchrun`` (``WORLD_SIZE`` > 1 in the environment) an estimator's fit
joins the process group as it starts (gloo on CPU, NCCL on CUDA; a Trainer
used on its own joins it), takes rank 0's seed where it draws one (see
:func:`broadcast_int`), the Trainer wraps the trained module in
:class:`~torch.nn.parallel.DistributedDataParallel`, and each rank reads its
own shard of every epoch's permutation (same seed on every rank, so the ranks
agree on the permutation without talking). Outside ``torchrun`` every helper
here is a no-op, so single-process code pays nothing.

Losses with batch-level terms (entropy of the mean prediction, EPR's expected
number of positives, center updates) call :func:`global_mean` /
:func:`global_sum` so that they see the whole global batch, not one rank's part.
"""

from __future__ import annotations

import atexit
import logging
import os
from collections.abc import Callable
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel

logger = logging.getLogger("weaklabel")

__all__ = [
    "Shard",
    "all_reduce_sum",
    "broadcast_int",
    "data_parallel_loss",
    "global_mean",
    "global_sum",
    "init_from_env",
    "is_distributed",
    "local_device",
    "launch_rank",
    "leave_joined_group",
    "local_shard",
    "pad_order",
    "rank",
    "world_size",
]


def is_distributed() -> bool:
    """True inside an initialised process group of more than one rank."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    """This process's rank (0 outside distributed runs)."""
    return dist.get_rank() if is_distributed() else 0


def launch_rank() -> int:
    """This process's rank as ``torchrun`` announces it (``RANK``), also before the process group is joined; 0 otherwise."""
    return int(os.environ.get("RANK", "0"))


def world_size() -> int:
    """Number of ranks (1 outside distributed runs)."""
    return dist.get_world_size() if is_distributed() else 1


def init_from_env(device: torch.device) -> bool:
    """Join the process group announced by ``torchrun``'s environment; returns whether distributed.

    Does nothing when ``WORLD_SIZE`` is unset or 1, or when a group is already
    initialised (the caller set it up and leaves it). Backend: NCCL for CUDA,
    gloo otherwise. A group joined here is left at interpreter exit
    (:func:`leave_joined_group`).
    """
    if dist.is_available() and dist.is_initialized():
        return is_distributed()
    if int(os.environ.get("WORLD_SIZE", "1")) <= 1 or not dist.is_available():
        return False
    backend = "nccl" if device.type == "cuda" else "gloo"
    dist.init_process_group(backend=backend)
    atexit.register(leave_joined_group)
    logger.info("joined process group: rank %d of %d (%s)", dist.get_rank(), dist.get_world_size(), backend)
    return is_distributed()


def leave_joined_group() -> None:
    """Destroy the process group :func:`init_from_env` joined, while the interpreter is still whole.

    Left to interpreter shutdown, gloo's worker threads can still hold the last
    collectives' tensors when Python is torn down; releasing them then aborts the
    process (SIGABRT), now and then, on a rank that finished before the others
    (pytorch/pytorch#179291). Registered with :mod:`atexit`; a no-op once the group is gone.
    """
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def local_device(device: torch.device) -> torch.device:
    """Under torchrun on CUDA each rank takes GPU ``LOCAL_RANK``; otherwise ``device`` unchanged."""
    if device.type == "cuda" and device.index is None and "LOCAL_RANK" in os.environ:
        return torch.device("cuda", int(os.environ["LOCAL_RANK"]))
    return device


class _AllReduceSum(torch.autograd.Function):
    """``y = Σ_r x_r`` on every rank; the gradient of each rank's ``x_r`` is ``Σ_r ∂L_r/∂y`` (the adjoint of an
    all-reduce sum is an all-reduce sum), so every rank's loss reaches every rank's part."""

    @staticmethod
    def forward(ctx: Any, tensor: torch.Tensor) -> torch.Tensor:
        out = tensor.clone()
        dist.all_reduce(out, op=dist.ReduceOp.SUM)
        return out

    @staticmethod
    def backward(ctx: Any, grad: torch.Tensor) -> torch.Tensor:
        return _AllReduceSum.apply(grad)


def global_sum(tensor: torch.Tensor) -> torch.Tensor:
    """Sum of ``tensor`` over ranks, differentiable (gradients flow back to every rank's part); identity single-process."""
    if not is_distributed():
        return tensor
    return _AllReduceSum.apply(tensor)


def all_reduce_sum(values: list[float], device: torch.device) -> list[float]:
    """Python numbers summed over ranks (one collective); unchanged single-process."""
    if not is_distributed():
        return values
    t = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(t, op=dist.ReduceOp.SUM)
    return t.tolist()


def broadcast_int(value: int, device: torch.device) -> int:
    """Rank 0's ``value`` on every rank (one collective, through ``device``); unchanged single-process."""
    if not is_distributed():
        return value
    t = torch.tensor([value], dtype=torch.int64, device=device)
    dist.broadcast(t, src=0)
    return int(t.item())


def global_mean(tensor: torch.Tensor) -> torch.Tensor:
    """Mean of ``tensor`` over ranks (each rank's value a mean over an equal-sized local batch); identity single-process.

    With DDP's gradient averaging this makes a batch-level term such as the
    entropy of the mean prediction equal, value and gradient, to the term on
    the global batch.
    """
    if not is_distributed():
        return tensor
    return global_sum(tensor) / world_size()


class Shard:
    """Which part of every epoch's row order a rank reads, as the ``index``-th of ``count`` ranks.

    In-memory data is split by stride (:meth:`take`, as
    :class:`torch.utils.data.DistributedSampler` does): the ranks' step-``t``
    batches together are exactly the single-process step-``t`` batch, so with
    DDP's gradient averaging a run on ``count`` ranks takes the same steps as
    one process with the same global batch. Files are split into contiguous
    parts (:meth:`rows`), so each rank reads only its own chunks.
    """

    def __init__(self, index: int = 0, count: int = 1) -> None:
        if not 0 <= index < count:
            raise ValueError(f"shard index must be in [0, {count}), got {index}")
        self.index, self.count = int(index), int(count)

    def rows(self, n: int) -> tuple[int, int, int]:
        """``(start, stop, padded)``: this shard's slice of an order of ``n`` rows padded to ``padded`` rows.

        The order is padded by wrapping around to a multiple of ``count`` so
        that every rank takes the same number of rows and steps (as
        :class:`torch.utils.data.DistributedSampler` does).
        """
        per = -(-n // self.count)
        return self.index * per, (self.index + 1) * per, per * self.count

    def take(self, order: torch.Tensor) -> torch.Tensor:
        """Every ``count``-th entry of ``order`` from ``index`` on, after padding it to a multiple of ``count``."""
        padded = -(-len(order) // self.count) * self.count
        return pad_order(order, padded)[self.index :: self.count]

    def __repr__(self) -> str:
        return f"Shard({self.index}, {self.count})"


def local_shard() -> Shard:
    """This process's shard (the whole data outside distributed runs)."""
    return Shard(rank(), world_size())


def pad_order(order: torch.Tensor, padded: int) -> torch.Tensor:
    """``order`` extended to ``padded`` entries by wrapping around (identity when already long enough)."""
    if padded <= len(order):
        return order
    reps = -(-padded // len(order))
    return order.repeat(reps)[:padded]


class _LossModule(nn.Module):
    """``loss_fn(batch)`` as the forward of a module that holds every trained parameter, so DDP sees the step."""

    def __init__(self, module: nn.Module, loss_fn: Callable[[dict[str, torch.Tensor]], torch.Tensor]) -> None:
        super().__init__()
        self.module = module
        self.loss_fn = loss_fn

    def forward(self, batch: dict[str, torch.Tensor]) -> torch.Tensor:
        return self.loss_fn(batch)


def data_parallel_loss(
    module: nn.Module, loss_fn: Callable[[dict[str, torch.Tensor]], torch.Tensor], device: torch.device
) -> Callable[[dict[str, torch.Tensor]], torch.Tensor]:
    """``loss_fn`` run through DistributedDataParallel over ``module`` (gradients averaged across ranks on backward).

    Rank 0's parameters are broadcast to every rank here. Every step of every estimator
    uses all of its trainable parameters, so DDP's search for unused ones (an extra
    traversal of the graph per step, and a warning on every fit) stays off; a parameter
    left out of a step's loss fails the next step with DDP's "finished reduction" error.
    """
    if not is_distributed():
        return loss_fn
    ddp = DistributedDataParallel(
        _LossModule(module, loss_fn),
        device_ids=[device.index] if device.type == "cuda" else None,
        find_unused_parameters=False,
    )
    return ddp
