"""What every registered loss is: a module that describes what it needs, and the shared reductions.

An estimator never asks a loss for its name. It reads what the loss class declares and provides it:

``inputs``
    The names of ``forward``'s arguments, in order. The estimator computes each one per batch from this
    vocabulary (an estimator raises a clear error for a name it cannot provide):

    ================== ==========================================================================
    ``"outputs"``      the network's outputs for the batch: logits, or embeddings (metric losses)
    ``"targets"``      the batch's labels (0/1, soft, observed positives or class indices)
    ``"index"``        the rows' positions in the training split, for per-item state; ``None``
                       when scoring the validation split, whose rows are not training items
    ``"sq_distances"`` squared distances to the label embeddings (head ``"label_embedding"``)
    ``"label_embeddings"`` the head's label embeddings
    ``"neighbor_outputs"`` the outputs of one mined neighbour per row (clustering)
    ``"far_mask"``     which pairs of the batch lie far apart (clustering)
    ================== ==========================================================================

``supplied``
    Constructor arguments the estimator fills in from its own parameters and the data (e.g.
    ``"expected_positives"``, ``"pos_weight"``, ``"n_classes"``); a user's ``loss_params`` cannot set them.
``lr_multipliers``
    Learning-rate factors by parameter-name prefix within the trained ``{"net": ..., "loss": ...}`` module
    (e.g. ROLE's label estimates ``{"loss.label_logits": 10.0}``).
``scores``
    How the network's outputs become label scores: ``"sigmoid"`` (one probability per label, the default)
    or ``"softmax"`` (a distribution over the labels, e.g. of which label is observed).
``distance``
    The geometry of the space the loss shapes (``"euclidean"`` or ``"cosine"``), used to measure embeddings.
:meth:`head_spec`
    The network head the loss reads (a linear head unless the loss says otherwise).
:meth:`setup`, :meth:`on_epoch_start`, :meth:`on_epoch_end`
    Per-item state allocated for the training split, and per-epoch updates of it (pseudo-labels, a
    schedule); the training loop calls them through :class:`weaklabel.training.LossHooks`.

Reductions (:func:`reduce`): ``"mean"`` over the per-entry losses (the default everywhere), ``"sum"``, or
``"none"`` (the per-entry losses). A batch-level term (a regulariser of the whole batch) is added to the
mean as it is, to the sum once per entry, and to every entry for ``"none"`` (:func:`add_batch_term`), so
that ``"none"``'s mean and sum are exactly ``"mean"`` and ``"sum"``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, ClassVar

from torch import Tensor, nn

from ..exceptions import InputError

__all__ = ["INPUTS", "REDUCTIONS", "Loss", "add_batch_term", "check_reduction", "reduce"]

REDUCTIONS = ("mean", "sum", "none")

#: every input name a loss may declare in :attr:`Loss.inputs` (see the module docstring)
INPUTS = ("outputs", "targets", "index", "sq_distances", "label_embeddings", "neighbor_outputs", "far_mask")


def check_reduction(reduction: str) -> None:
    """Refuse a ``reduction`` other than ``"mean"``, ``"sum"`` or ``"none"``."""
    if reduction not in REDUCTIONS:
        raise InputError(f"unknown reduction {reduction!r}; use one of {', '.join(map(repr, REDUCTIONS))}")


def reduce(loss: Tensor, reduction: str) -> Tensor:
    """``loss.mean()``, ``loss.sum()`` or ``loss`` itself, as ``reduction`` says."""
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def add_batch_term(reduced: Tensor, term: Tensor | float, reduction: str, n_entries: int) -> Tensor:
    """``reduced`` (from :func:`reduce`) plus a batch-level ``term`` of the per-entry mean: as it is for
    ``"mean"`` and ``"none"`` (every entry), ``n_entries`` times for ``"sum"``."""
    return reduced + (term * n_entries if reduction == "sum" else term)


class Loss(nn.Module):
    """Base of every registered loss: ``forward`` plus the declarations of the module docstring."""

    inputs: ClassVar[tuple[str, ...]] = ("outputs", "targets")
    supplied: ClassVar[tuple[str, ...]] = ()
    lr_multipliers: ClassVar[Mapping[str, float]] = {}
    distance: ClassVar[str] = "euclidean"
    scores: ClassVar[str] = "sigmoid"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        unknown = [name for name in cls.inputs if name not in INPUTS]
        if unknown:
            raise TypeError(f"{cls.__name__}.inputs names {unknown}, which no estimator provides; inputs are {INPUTS}")

    @classmethod
    def head_spec(cls, out_features: int, **options: Any) -> dict[str, Any]:
        """The head the loss reads, as a :func:`weaklabel.nn.build_head` spec without ``in_features``.

        ``options`` are the estimator's head settings (e.g. ``embedding_dim``), for heads that use them.
        """
        return {"type": "linear", "out_features": int(out_features)}

    def setup(self, targets: Tensor, seed: int) -> None:
        """Allocate per-item state for the training split's ``targets`` (N rows; default: none)."""

    def on_epoch_start(self, epoch: int) -> None:
        """Called before training epoch ``epoch`` (counted from 0); default: nothing."""

    def on_epoch_end(self, epoch: int, predict: Callable[[], Tensor]) -> None:
        """Called after epoch ``epoch``; ``predict()`` gives the current outputs for every training row."""

    @classmethod
    def has_epoch_hooks(cls) -> bool:
        """Whether the loss overrides :meth:`on_epoch_start` or :meth:`on_epoch_end` (the training loop then calls them)."""
        return cls.on_epoch_start is not Loss.on_epoch_start or cls.on_epoch_end is not Loss.on_epoch_end
