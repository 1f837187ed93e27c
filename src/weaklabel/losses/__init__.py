"""Losses for weak labels, grouped by family; each registered by name.

Every loss is a :class:`Loss`: a module that declares what it needs (extra inputs, supplied arguments, head,
learning-rate multipliers, distance, per-epoch hooks), so estimators build and feed it without knowing its
name. Adding a loss is one class in a family module plus its reference test: docs/contributing.md.
"""

from . import (
    clustering,  # noqa: F401  (registers the clustering family)
    metric,  # noqa: F401  (registers the metric family)
    multilabel,  # noqa: F401  (registers the multilabel family)
    partial_label,  # noqa: F401  (registers the partial_label family)
    positive_only,  # noqa: F401  (registers the positive_only family)
)
from ._base import INPUTS, REDUCTIONS, Loss, add_batch_term, check_reduction, reduce
from ._registry import LossEntry, available_losses, build_loss, families, get_loss_entry, register_loss

__all__ = [
    "INPUTS",
    "REDUCTIONS",
    "Loss",
    "LossEntry",
    "add_batch_term",
    "available_losses",
    "build_loss",
    "check_reduction",
    "families",
    "get_loss_entry",
    "reduce",
    "register_loss",
]
