"""Where and how the process runs: the device, the seeds, and the ranks of a ``torchrun`` job.

The lowest layer above :mod:`weaklabel.exceptions`: everything here depends on PyTorch and NumPy only, so data
readers, losses and the training loop can all use it (a loss's batch-level term reduces over the ranks with
:func:`~weaklabel.runtime.distributed.global_mean`, a graph builder seeds through
:func:`~weaklabel.runtime.seeding.spawn_seeds`) without importing each other.
"""

from . import distributed
from .device import resolve_device
from .seeding import MAX_SEED, resolve_seed, spawn_seeds, stream_seed, torch_generator

__all__ = ["MAX_SEED", "distributed", "resolve_device", "resolve_seed", "spawn_seeds", "stream_seed", "torch_generator"]
