"""Partial-label losses: each item comes with a candidate set S of classes, exactly one of them true (unknown which).

Every loss takes

* ``logits`` -- float tensor ``(n, K)`` of class scores ``z`` (``p = softmax(z)``);
* ``candidates`` -- tensor ``(n, K)``, 1 for a class in the item's candidate set S, 0 outside it (every row
  holds at least one 1);
* ``index`` (the re-weighting losses) -- long tensor ``(n,)``: the rows' positions in the training split, for the
  per-item weights set up by :meth:`~weaklabel.losses.Loss.setup`. Without it (the validation split) they score
  the classifier-consistent loss, the negative log-likelihood of the candidate sets, whose minimiser is theirs.

and ``reduction``: ``"mean"`` over the n items (as the papers' code), ``"sum"`` or ``"none"`` (one value per
item). Log-probabilities are computed with ``logsumexp``, so values and gradients stay finite for logits as large
as ``±1e4``.

The losses and where their formulas come from:

* ``naive`` -- train on every candidate with equal weight, ``-(1/|S|) Σ_{j∈S} log p_j``: the baseline every
  paper compares with (PRODEN's and RC's starting weights, never updated).
* ``cc`` -- classifier-consistent, ``-log Σ_{j∈S} p_j`` (Feng et al., "Provably Consistent Partial-Label
  Learning", NeurIPS 2020, eq. 9; official code ``cc_loss``).
* ``rc`` -- risk-consistent, ``-Σ_{j∈S} w_j log p_j`` with importance weights ``w_j = p_j / Σ_{k∈S} p_k``
  (same paper, eq. 11), refreshed after every epoch.
* ``proden`` -- progressive identification (Lv et al., "Progressive Identification of True Labels for
  Partial-Label Learning", ICML 2020): the same weighted cross-entropy, its weights replaced after every
  mini-batch by that batch's own predictions (official code ``partial_loss``).
"""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import Tensor

from ..exceptions import InputError
from ._base import Loss, check_reduction, reduce
from ._registry import register_loss

__all__ = [
    "CCLoss",
    "NaiveLoss",
    "PRODENLoss",
    "RCLoss",
    "ReweightedLoss",
    "candidate_posterior",
    "cc_loss",
    "naive_loss",
    "uniform_weights",
    "weighted_cross_entropy",
]

FAMILY = "partial_label"


def _check(logits: Tensor, candidates: Tensor, reduction: str = "mean") -> tuple[Tensor, Tensor]:
    """Validate shapes, ``reduction`` and that every row has a candidate; return ``logits`` in at least float32
    and the candidate mask (bool)."""
    check_reduction(reduction)
    if not isinstance(logits, Tensor) or not isinstance(candidates, Tensor):
        raise InputError("logits and candidate sets must be torch tensors (convert with torch.as_tensor)")
    if not logits.is_floating_point() or logits.ndim != 2 or logits.numel() == 0:
        raise InputError(f"logits must be a non-empty float tensor of shape (n_samples, n_classes); got {tuple(logits.shape)} {logits.dtype}")
    if candidates.shape != logits.shape:
        raise InputError(
            f"candidate sets have shape {tuple(candidates.shape)} but logits {tuple(logits.shape)}; give one 0/1 entry per sample and class"
        )
    return logits.to(torch.promote_types(logits.dtype, torch.float32)), _candidate_mask(candidates)


def _candidate_mask(candidates: Tensor) -> Tensor:
    """``candidates > 0``; an empty row is an error."""
    mask = candidates > 0
    if not mask.any(dim=1).all():
        raise InputError("a candidate set is empty; every item needs at least one candidate class (its true class among them)")
    return mask


def uniform_weights(candidates: Tensor) -> Tensor:
    """``1/|S|`` on each candidate, 0 elsewhere: every candidate equally likely."""
    mask = (candidates > 0).float()
    return mask / mask.sum(dim=1, keepdim=True)


def weighted_cross_entropy(logits: Tensor, weights: Tensor, reduction: str = "mean") -> Tensor:
    """``-Σ_j w_j log p_j`` per item for soft targets ``weights`` (rows summing to 1)."""
    check_reduction(reduction)
    log_p = torch.log_softmax(logits.to(torch.promote_types(logits.dtype, torch.float32)), dim=1)
    terms = weights.to(log_p.dtype) * log_p
    return reduce(-torch.where(weights > 0, terms, torch.zeros_like(terms)).sum(dim=1), reduction)


def naive_loss(logits: Tensor, candidates: Tensor, reduction: str = "mean") -> Tensor:
    """Train on every candidate alike: ``-(1/|S|) Σ_{j∈S} log p_j``."""
    _check(logits, candidates, reduction)
    return weighted_cross_entropy(logits, uniform_weights(candidates), reduction)


def cc_loss(logits: Tensor, candidates: Tensor, reduction: str = "mean") -> Tensor:
    """Classifier-consistent loss, ``-log Σ_{j∈S} p_j = logsumexp(z) - logsumexp(z_S)`` (Feng et al. 2020)."""
    z, mask = _check(logits, candidates, reduction)
    inside = torch.logsumexp(z.masked_fill(~mask, float("-inf")), dim=1)
    return reduce(torch.logsumexp(z, dim=1) - inside, reduction)


@torch.no_grad()
def candidate_posterior(logits: Tensor, candidates: Tensor) -> Tensor:
    """The model's class probabilities restricted to the candidate set and renormalised,
    ``w_j = p_j 1[j∈S] / Σ_{k∈S} p_k`` (a softmax over the candidates only, so it never divides by zero)."""
    z, mask = _check(logits.detach(), candidates)
    return torch.softmax(z.masked_fill(~mask, float("-inf")), dim=1)


@register_loss("cc", FAMILY)
class CCLoss(Loss):
    """Classifier-consistent loss (CC; Feng et al., NeurIPS 2020): -log Σ_{j∈S} p_j.

    It is the negative log-likelihood of the observed candidate set when the set's probability given the true
    class y does not depend on which member of S is y, ``P(S | x, y) = c(S)`` for every ``y ∈ S``: the paper's
    assumption (S drawn uniformly from the ``2^(K-1) - 1`` sets holding y) and uniform flipping with any rate
    both satisfy it. Minimising it then recovers ``p(y | x)``, so its argmax is Bayes-consistent.
    """

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits: Tensor, candidates: Tensor) -> Tensor:
        return cc_loss(logits, candidates, self.reduction)


class ReweightedLoss(Loss):
    """Cross-entropy against per-item weights over the candidates, ``-Σ_{j∈S} w_ij log p_ij``, the weights
    starting uniform (:func:`uniform_weights`); a subclass re-estimates them from the model as it trains.

    :meth:`setup` allocates the weights (a buffer, so checkpoints and early stopping's best state keep them) for
    the training split's candidate sets. Without ``index`` (the validation split, whose rows have no weights) the
    loss is :func:`cc_loss`, the likelihood of the candidate sets.
    """

    inputs = ("outputs", "targets", "index")
    weights: Tensor | None
    candidates: Tensor | None

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction
        self.register_buffer("weights", None)
        self.register_buffer("candidates", None)

    def setup(self, targets: Tensor, seed: int) -> None:
        """Uniform weights over each training item's candidates."""
        self.candidates = _candidate_mask(targets).to(torch.float32)
        self.weights = uniform_weights(self.candidates)

    def forward(self, logits: Tensor, candidates: Tensor, index: Tensor | None = None) -> Tensor:
        if index is None or self.weights is None:
            return cc_loss(logits, candidates, self.reduction)
        _check(logits, candidates, self.reduction)
        return weighted_cross_entropy(logits, self.weights[index], self.reduction)


@register_loss("naive", FAMILY)
class NaiveLoss(ReweightedLoss):
    """Train on every candidate with equal weight, ``-(1/|S|) Σ_{j∈S} log p_j``: the naive baseline (the weights of
    RC and PRODEN before their first update, never updated).

    Under uniform flipping (every false class joins S independently with the same probability) its target for an
    item is an increasing affine function of the true posterior, so its argmax is still the Bayes classifier; it
    loses where the candidates depend on the item (classes confusable with the true one join more often).
    """


@register_loss("rc", FAMILY)
class RCLoss(ReweightedLoss):
    """Risk-consistent loss (RC; Feng et al., NeurIPS 2020): -Σ_{j∈S} w_j log p_j, w_j = p_j / Σ_{k∈S} p_k.

    Under the CC assumption (:class:`CCLoss`) ``w`` is the true class's posterior given x and S, so the weighted
    risk equals the supervised one. The weights start uniform and, after every epoch (:meth:`on_epoch_end`),
    become the model's :func:`candidate_posterior` on every training row, from the outputs ``predict()`` gives
    (:class:`~weaklabel.estimators.PartialLabelClassifier`: a train-mode pass, as the official code's). The
    official code refreshes each mini-batch's rows right after its optimiser step instead, from a second forward
    pass of the batch; the fixed point is the same, the weights here lag by up to one epoch.
    """

    def on_epoch_end(self, epoch: int, predict: Callable[[], Tensor]) -> None:
        """Weights ← the candidate posterior of the model at the end of the epoch."""
        if self.candidates is None:
            raise InputError("call setup(candidates, seed) before re-weighting")
        self.weights = candidate_posterior(predict().to(self.candidates.device), self.candidates)


@register_loss("proden", FAMILY)
class PRODENLoss(ReweightedLoss):
    """PRODEN, progressive identification (Lv et al., ICML 2020): -Σ_{j∈S} w_j log p_j, each batch's weights
    then replaced by that batch's own predictions restricted to S and renormalised.

    As in the official code (``partial_loss``): the new weights come from the same forward pass that computed
    the loss (before the optimiser step, in training mode, so with dropout), detached, and each row is
    re-weighted every time it is trained on. RC (:class:`RCLoss`) has the same weights in the limit; it refreshes
    them once per epoch, from a separate no-gradient pass over every training row. Under ``torchrun`` DistributedDataParallel broadcasts rank 0's
    buffers at each step, so rows trained on other ranks would keep stale weights there: use ``rc``.
    """

    def forward(self, logits: Tensor, candidates: Tensor, index: Tensor | None = None) -> Tensor:
        loss = super().forward(logits, candidates, index)
        if index is not None and self.weights is not None:
            self.weights[index] = candidate_posterior(logits, candidates).to(self.weights.dtype)
        return loss
