"""Feeding a loss what it declares (:attr:`weaklabel.losses.Loss.inputs`) from a network and a batch.

An estimator never branches on a loss's name: :func:`loss_function` reads the loss's declared inputs and
computes each from the batch (``{"x": inputs, "y": labels, "index": rows}``) and the network. A loss that
declares an input this estimator cannot provide is refused when the function is built, by name.
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from ..exceptions import InputError
from ..losses import Loss
from ..nn.label_embedding import LabelEmbeddingHead

Batch = dict[str, torch.Tensor]
LossFn = Callable[[Batch], torch.Tensor]

#: what a batch of features and labels can give a loss, by input name (see weaklabel.losses.INPUTS)
_PROVIDED = ("outputs", "targets", "index", "sq_distances", "label_embeddings")


def loss_function(
    loss: Loss, net: nn.Module, training: bool, transform: Callable[[torch.Tensor], torch.Tensor] | None = None
) -> LossFn:
    """``batch -> loss(*inputs)`` with the inputs ``loss`` declares, in its order.

    ``training=False`` scores the validation split: ``"index"`` is then None (its rows are not training rows,
    so per-item state does not apply). ``transform`` (e.g. a random augmentation) is applied to ``batch["x"]``
    before the network sees it.
    """
    names = type(loss).inputs
    missing = [name for name in names if name not in _PROVIDED]
    if missing:
        raise InputError(f"loss {type(loss).__name__} needs {missing}, which this estimator does not provide (it provides {list(_PROVIDED)})")

    def loss_fn(batch: Batch) -> torch.Tensor:
        x = batch["x"] if transform is None else transform(batch["x"])
        return loss(*[_provide(name, net, x, batch, training) for name in names])

    return loss_fn


def _provide(name: str, net: nn.Module, x: torch.Tensor, batch: Batch, training: bool) -> torch.Tensor | None:
    if name == "outputs":
        return net(x)
    if name == "targets":
        return batch["y"]
    if name == "index":
        return batch["index"] if training else None
    head = _label_embedding_head(net)
    if name == "sq_distances":
        return head.sq_distances(net.embed(x))  # type: ignore[operator]  # a Network, checked by the head's type
    return head.embeddings()  # "label_embeddings"


def _label_embedding_head(net: nn.Module) -> LabelEmbeddingHead:
    head = getattr(net, "head", None)
    if not isinstance(head, LabelEmbeddingHead):
        raise TypeError(f"the loss reads label embeddings but the network's head is a {type(head).__name__}: build the head the loss declares (Loss.head_spec)")
    return head


def member_loss_function(loss: Loss, members: nn.Module, training: bool) -> LossFn:
    """The loss of K networks trained at once (``members(x)`` gives ``(K, B, L)`` logits, e.g. a
    :class:`~weaklabel.nn.batched.BatchedMLP`): ``loss`` on the members' logits stacked as ``K · B`` rows, each
    member's rows with the batch's targets (and row indices). With a mean reduction this is the mean of the
    members' losses, so each member gets its own loss's gradient divided by K (which AdamW's per-parameter
    scaling undoes). Only for losses on ``"outputs"``, ``"targets"`` and ``"index"``."""
    names = type(loss).inputs
    extra = [name for name in names if name not in ("outputs", "targets", "index")]
    if extra:
        raise InputError(f"loss {type(loss).__name__} needs {extra}, which averaged members do not provide")

    def stacked(x: torch.Tensor) -> torch.Tensor:
        return members(x).flatten(0, 1)

    inner = loss_function(loss, stacked, training)  # type: ignore[arg-type]

    def loss_fn(batch: Batch) -> torch.Tensor:
        k = members.n_members
        repeated = {key: (value.repeat(k, *([1] * (value.ndim - 1))) if key in ("y", "index") else value) for key, value in batch.items()}
        return inner(repeated)

    return loss_fn
