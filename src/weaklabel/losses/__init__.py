"""Losses for weak labels, grouped by family; each registered by name."""

from ._registry import FAMILIES, LossEntry, available_losses, build_loss, get_loss_entry, register_loss
from . import multilabel  # noqa: F401  (registers the multilabel family)
from . import clustering  # noqa: F401  (registers the clustering family)
from . import metric  # noqa: F401  (registers the metric family)

__all__ = [
    "FAMILIES",
    "LossEntry",
    "available_losses",
    "build_loss",
    "get_loss_entry",
    "register_loss",
]
