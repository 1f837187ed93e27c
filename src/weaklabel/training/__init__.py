"""The training loop shared by every estimator."""

from .callbacks import Callback, EarlyStopping, LossHooks, ProgressBar, loss_callbacks
from .checkpoint import Checkpoint
from ..runtime import distributed, resolve_device, resolve_seed, spawn_seeds, torch_generator
from .engine import History, Trainer, TrainingConfig, iterate_batches, param_groups

__all__ = [
    "Callback",
    "distributed",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "LossHooks",
    "ProgressBar",
    "Trainer",
    "TrainingConfig",
    "iterate_batches",
    "loss_callbacks",
    "param_groups",
    "resolve_device",
    "resolve_seed",
    "spawn_seeds",
    "torch_generator",
]
