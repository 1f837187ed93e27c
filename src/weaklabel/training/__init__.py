"""The training loop shared by every estimator."""

from .callbacks import Callback, EarlyStopping, ProgressBar
from .checkpoint import Checkpoint
from .engine import History, Trainer, TrainingConfig, iterate_batches, param_groups, resolve_device
from .seeding import resolve_seed, spawn_seeds, torch_generator

__all__ = [
    "Callback",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "ProgressBar",
    "Trainer",
    "TrainingConfig",
    "iterate_batches",
    "param_groups",
    "resolve_device",
    "resolve_seed",
    "spawn_seeds",
    "torch_generator",
]
