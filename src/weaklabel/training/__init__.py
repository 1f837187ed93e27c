"""The training loop shared by every estimator."""

from ..runtime import distributed, resolve_device, resolve_seed, spawn_seeds, torch_generator
from .callbacks import Callback, EarlyStopping, LossHooks, ProgressBar, StageBar, loss_callbacks
from .checkpoint import Checkpoint
from .engine import History, Trainer, TrainingConfig, iterate_batches, param_groups
from .progress import NetworkProgress

__all__ = [
    "Callback",
    "distributed",
    "Checkpoint",
    "EarlyStopping",
    "History",
    "LossHooks",
    "NetworkProgress",
    "ProgressBar",
    "StageBar",
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
