"""Positive-only (single-positive multi-label) losses.

Each item comes with one observed positive label (sometimes a few); every other
label is *unknown*, not negative. Every loss takes

* ``logits`` -- float tensor ``(n, L)`` of raw scores ``x`` (``p = sigmoid(x)``);
* ``observed`` -- tensor ``(n, L)``, 1 for an observed positive, 0 for unknown;
* ``index`` -- optional long tensor ``(n,)``: the rows' positions in the training
  set, for losses that keep per-item state (ROLE label estimates, EM+APL
  pseudo-labels, set up by :meth:`~weaklabel.losses.Loss.setup`). Without it those
  losses fall back to their stateless part (used for the validation loss).

and ``reduction``: ``"mean"`` over the ``n * L`` entries (as in Cole et al.'s code; the default),
``"sum"`` or ``"none"``; a batch-level regulariser (EPR's penalty, the label-embedding push) is
added as :func:`~weaklabel.losses.add_batch_term` says. Log-probabilities use
:func:`torch.nn.functional.logsigmoid`, so values and gradients stay finite for logits as large as
``+-1e4`` in float32.

The label-embedding min-max loss works on squared distances and label
embeddings instead of logits (see :class:`LabelEmbeddingLoss`).
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..exceptions import InputError
from ..runtime.distributed import global_mean
from ._base import Loss, add_batch_term, check_reduction, reduce
from ._registry import register_loss

__all__ = [
    "AssumeNegativeLoss",
    "EMAPLLoss",
    "EPRLoss",
    "LabelEmbeddingLoss",
    "LabelSmoothingLoss",
    "LargeLossRejection",
    "PositiveOnlyLoss",
    "ROLELoss",
    "SelectionLikelihoodLoss",
    "ObservedSoftmaxLoss",
    "WeakNegativeLoss",
    "assume_negative_loss",
    "em_loss",
    "epr_loss",
    "label_embedding_loss",
    "label_smoothing_loss",
    "large_loss_rejection",
    "observed_softmax_loss",
    "role_loss",
    "selection_likelihood_loss",
    "selection_posterior",
    "selection_propensity",
    "weak_negative_loss",
]


# --------------------------------------------------------------------------- helpers


def _check(logits: Tensor, observed: Tensor, reduction: str = "mean") -> Tensor:
    """Validate shapes and ``reduction``; return ``observed`` in the dtype of ``logits``."""
    check_reduction(reduction)
    if not isinstance(logits, Tensor) or not isinstance(observed, Tensor):
        raise InputError("logits and observed labels must be torch tensors (convert with torch.as_tensor)")
    if not logits.is_floating_point() or logits.ndim != 2 or logits.numel() == 0:
        raise InputError(
            f"logits must be a non-empty float tensor of shape (n_samples, n_labels); got {tuple(logits.shape)} "
            f"{logits.dtype}"
        )
    if observed.shape != logits.shape:
        raise InputError(
            f"observed labels have shape {tuple(observed.shape)} but logits {tuple(logits.shape)}; "
            "give one 0/1 entry per sample and label"
        )
    return observed.to(logits.dtype)


def _positive_float(name: str, value: float, *, allow_zero: bool = True) -> float:
    value = float(value)
    if not math.isfinite(value) or value < 0 or (value == 0 and not allow_zero):
        raise InputError(f"{name} must be a finite number {'>=' if allow_zero else '>'} 0; got {value}")
    return value


def _bce(logits: Tensor, target: Tensor) -> Tensor:
    """Per-entry ``-[t log p + (1 - t) log(1 - p)]`` for soft targets ``t``."""
    return -(target * F.logsigmoid(logits) + (1.0 - target) * F.logsigmoid(-logits))


def _cardinality_penalty(probs: Tensor, expected_positives: float) -> Tensor:
    """EPR regulariser ``(mean_i sum_j p_ij - k)^2 / L^2`` (Cole et al. 2021); under DDP the mean is over the global batch."""
    n_labels = probs.shape[1]
    return (global_mean(probs.sum(dim=1).mean()) - expected_positives) ** 2 / n_labels**2


# --------------------------------------------------------------------------- pure functions


def assume_negative_loss(logits: Tensor, observed: Tensor, reduction: str = "mean") -> Tensor:
    """Assume negative (AN): ``-log p`` on observed positives, ``-log(1 - p)`` on every unknown label."""
    y = _check(logits, observed, reduction)
    return reduce(_bce(logits, y), reduction)


def observed_softmax_loss(logits: Tensor, observed: Tensor, reduction: str = "mean") -> Tensor:
    """Multinomial likelihood of the observed positive: ``-sum_c (o_c / sum_c' o_c') log softmax(x)_c`` per item.

    Under the single-positive protocol one positive ``o`` is picked uniformly from the true set ``S``, so
    ``P(o = c | x) = E[1{c in S} / |S| | x]``: a softmax over labels models exactly what is observed, with no
    unknown label taken as negative. Its scores rank an item's labels by ``P(c in S | x)`` discounted by the
    label-set size, which is the same for every label of the item, so the ranking *within* an item (LRAP,
    ranking loss) is that of ``P(c in S | x)`` whenever the size does not depend on the label. Several
    observed positives share the item's weight. ``reduction``: one value per item (``"none"`` gives ``(n,)``).
    """
    y = _check(logits, observed, reduction)
    weights = y / y.sum(dim=1, keepdim=True).clamp_min(1.0)
    return reduce(-(weights * F.log_softmax(logits, dim=1)).sum(dim=1), reduction)


def label_smoothing_loss(logits: Tensor, observed: Tensor, epsilon: float = 0.1, reduction: str = "mean") -> Tensor:
    """Assume negative with label smoothing (AN-LS; Cole et al. CVPR 2021).

    BCE against ``t = (1 - eps) y + eps (1 - y)``: positives target ``1 - eps``, unknowns ``eps``.
    """
    y = _check(logits, observed, reduction)
    return reduce(_bce(logits, (1.0 - epsilon) * y + epsilon * (1.0 - y)), reduction)


def weak_negative_loss(logits: Tensor, observed: Tensor, gamma: float | None = None, reduction: str = "mean") -> Tensor:
    """Weak assume negative (WAN; Cole et al. CVPR 2021).

    ``-log p`` on observed positives, ``-gamma log(1 - p)`` on unknowns, ``gamma = 1/(L - 1)`` by default.
    """
    y = _check(logits, observed, reduction)
    g = 1.0 / max(logits.shape[1] - 1, 1) if gamma is None else gamma
    loss = -(y * F.logsigmoid(logits) + g * (1.0 - y) * F.logsigmoid(-logits))
    return reduce(loss, reduction)


def epr_loss(logits: Tensor, observed: Tensor, expected_positives: float, reduction: str = "mean") -> Tensor:
    """Expected positives regularisation (EPR; Cole et al., "Multi-Label Learning from Single Positive Labels", CVPR 2021).

    ``mean_{i,j}[-y_ij log p_ij] + (mean_i sum_j p_ij - k)^2 / L^2``: unknown labels get no
    per-entry loss; the penalty pulls the mean number of predicted positives to ``k``.
    """
    y = _check(logits, observed, reduction)
    positive = reduce(-(y * F.logsigmoid(logits)), reduction)
    return add_batch_term(positive, _cardinality_penalty(torch.sigmoid(logits), expected_positives), reduction, y.numel())


def role_loss(logits: Tensor, observed: Tensor, label_logits: Tensor, expected_positives: float, reduction: str = "mean") -> Tensor:
    """Regularised online label estimation (ROLE; Cole et al. CVPR 2021).

    With classifier output ``f = sigmoid(logits)`` and label estimates ``g = sigmoid(label_logits)``::

        0.5 mean[-y (log f + log g)]
        + 0.5 mean[BCE(f, sg(g)) + BCE(g, sg(f))]
        + 0.5 [EPR(f) + EPR(g)]

    ``sg`` = stop-gradient, ``EPR`` = :func:`_cardinality_penalty` with ``k``.
    """
    y = _check(logits, observed, reduction)
    if label_logits.shape != logits.shape:
        raise InputError(f"label_logits shape {tuple(label_logits.shape)} must match logits {tuple(logits.shape)}")
    f, g = torch.sigmoid(logits), torch.sigmoid(label_logits)
    positive = -(y * (F.logsigmoid(logits) + F.logsigmoid(label_logits)))
    cross = _bce(logits, g.detach()) + _bce(label_logits, f.detach())
    reg = _cardinality_penalty(f, expected_positives) + _cardinality_penalty(g, expected_positives)
    return 0.5 * add_batch_term(reduce(positive, reduction) + reduce(cross, reduction), reg, reduction, y.numel())


def em_loss(
    logits: Tensor,
    observed: Tensor,
    alpha: float = 0.1,
    pseudo_targets: Tensor | None = None,
    beta: float = 0.5,
    reduction: str = "mean",
) -> Tensor:
    """Entropy maximisation with asymmetric pseudo-labels (EM+APL; Zhou et al., "Acknowledging the Unknown
    for Multi-label Learning with Single Positive Labels", ECCV 2022).

    Per entry: ``-log p`` on observed positives; ``beta BCE(p, t)`` where a negative pseudo-label with
    soft target ``t`` is set (``pseudo_targets`` not NaN); ``-alpha H(p)`` on the other unknowns, with
    ``H(p) = -p log p - (1 - p) log(1 - p)`` (maximising the entropy pushes unknowns toward 0.5, not 0).
    Reduced over entries by ``reduction``.
    """
    y = _check(logits, observed, reduction)
    log_p, log_q = F.logsigmoid(logits), F.logsigmoid(-logits)
    p = torch.sigmoid(logits)
    neg_entropy = p * log_p + (1.0 - p) * log_q  # -H(p)
    unknown = alpha * neg_entropy
    if pseudo_targets is not None:
        has = ~torch.isnan(pseudo_targets)
        t = torch.where(has, pseudo_targets, torch.zeros_like(pseudo_targets))
        unknown = torch.where(has, beta * _bce(logits, t), unknown)
    loss = torch.where(y > 0, -log_p, unknown)
    return reduce(loss, reduction)


_POSTERIOR_CHUNK = 4096  # rows per block of selection_posterior / selection_propensity: (rows, L, nodes) floats each


@functools.cache
def _legendre_log_nodes(n_nodes: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """``log t``, ``log(1 - t)`` and ``log w`` of the Gauss-Legendre rule on [0, 1], in float64."""
    x, w = np.polynomial.legendre.leggauss(n_nodes)
    t = (x + 1.0) / 2.0
    return np.log(t), np.log1p(-t), np.log(w / 2.0)


def _n_nodes(n_labels: int) -> int:
    """Gauss-Legendre nodes for L labels.

    ``ceil(L / 2)`` nodes integrate the degree ``L - 1`` integrands of the selection model exactly up
    to L = 128; above, 64 nodes. The integrand ``prod (1 - p_c (1 - t))`` is then close to
    ``exp(-sum p (1 - t))``, which 64 nodes resolve while the expected number of true labels per item
    stays in the hundreds (log error 1e-11 at L = 1,000 with p uniform in (0, 1); 0.24 at 5,000
    expected true labels per item).
    """
    return min(64, max(1, math.ceil(n_labels / 2)))


def _log_selection_integrand(logits: Tensor, unknown: Tensor, n_observed: Tensor) -> tuple[Tensor, Tensor, Tensor, Tensor]:
    """Per entry and node ``log(1 - p + p t)`` (unknown entries only, else 0); per item and node the log
    weights ``log(w m (1 - t)^(m - 1))``; ``log t``; and ``log p``.

    Computed in at least float32 (under bf16 autocast the nodes nearest 1 would round to 1 and
    ``log(1 - t)`` to ``-inf``); the node logs are taken in float64 before the cast.
    """
    dtype = torch.promote_types(logits.dtype, torch.float32)
    logits, unknown, n_observed = logits.to(dtype), unknown.to(dtype), n_observed.to(dtype)
    log_t, log_1mt, log_w = (torch.as_tensor(a, dtype=dtype, device=logits.device) for a in _legendre_log_nodes(_n_nodes(logits.shape[1])))
    log_p, log_q = F.logsigmoid(logits), F.logsigmoid(-logits)
    factors = torch.logaddexp(log_q[..., None], log_p[..., None] + log_t) * unknown[..., None]  # (n, L, Q)
    log_weights = log_w + n_observed.clamp_min(1.0).log() + (n_observed - 1.0).clamp_min(0.0) * log_1mt  # (n, Q)
    return factors, log_weights, log_t, log_p


def _leave_one_out(factors: Tensor, log_weights: Tensor) -> Tensor:
    """``(n, L, Q)``: per label ``c`` and node, the log integrand over every unknown label but ``c``, with the weights."""
    return factors.sum(dim=1, keepdim=True) - factors + log_weights[:, None, :]


def selection_likelihood_loss(logits: Tensor, observed: Tensor, reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of the observed positives under uniform selection (this library's model).

    Model: given ``x`` the true labels are independent, ``y_c ~ Bernoulli(p_c)``, ``p = sigmoid(logits)``,
    and the ``m`` observed positives ``O`` are a uniformly random ``m``-subset of the true set ``S``
    (the single-positive protocol of Cole et al. 2021 for ``m = 1``). With ``N`` = the number of true
    labels outside ``O``, ``P(O | x) = prod_{c in O} p_c * E[1 / C(m + N, m)]`` and, from
    ``1 / C(m + N, m) = m int_0^1 t^N (1 - t)^(m-1) dt``,

        ``E[1 / C(m + N, m)] = m int_0^1 (1 - t)^(m-1) prod_{c not in O} (1 - p_c + p_c t) dt``,

    computed by Gauss-Legendre quadrature in log space (exactly up to 128 labels, see
    :func:`_n_nodes`). Unlike assume-negative BCE, an unknown label is not taken as negative: its only
    pressure is that another true label makes the observed one less likely to have been picked. The
    likelihood is not conditioned on ``|S| >= m``, so it grows as the item's labels become certain; at
    its optimum the most likely label has ``p = 1``. ``"mean"``: the sum of the items' negative
    log-likelihoods over the ``n L`` entries; ``"none"``: each item's spread evenly over its ``L`` entries.
    """
    y = _check(logits, observed, reduction)
    n_observed = y.sum(dim=1, keepdim=True)
    if bool((n_observed < 1).any()):
        raise InputError("every item needs at least one observed positive for the selection likelihood")
    factors, log_weights, _, log_p = _log_selection_integrand(logits, 1.0 - y, n_observed)
    log_selection = torch.logsumexp(factors.sum(dim=1) + log_weights, dim=1)
    nll = -(y.to(log_p.dtype) * log_p).sum(dim=1) - log_selection
    if reduction == "mean":
        return (nll.sum() / y.numel()).to(logits.dtype)
    if reduction == "sum":
        return nll.sum().to(logits.dtype)
    return (nll[:, None] / y.shape[1]).expand(y.shape).to(logits.dtype)


def _by_row_blocks(fn: Callable[..., Tensor], *tensors: Tensor) -> Tensor:
    """``fn`` applied to blocks of :data:`_POSTERIOR_CHUNK` rows (bounded memory), concatenated."""
    return torch.cat([fn(*(t[s : s + _POSTERIOR_CHUNK] for t in tensors)) for s in range(0, len(tensors[0]), _POSTERIOR_CHUNK)])


@torch.no_grad()
def selection_posterior(probs: Tensor, observed: Tensor) -> Tensor:
    """``P(y_c = 1 | O, x)`` under the uniform-selection model of :func:`selection_likelihood_loss`.

    1 on the observed positives; for an unknown label ``c``, with ``w(t) = m (1 - t)^(m-1)`` and the
    selection integrals over the *other* unknown labels::

        P(y_c = 1 | O) = p_c A / (p_c A + (1 - p_c) B),
        A = int w(t) t prod_{c' != c} (1 - p_c' + p_c' t) dt,   B = int w(t) prod_{c' != c} (...) dt,

    so a label that is likely but unobserved keeps most of its prior ``p_c`` (it was simply not the
    one picked), shrunk by how much its presence would have lowered the chance of the observed pick.
    A row with no observed positive keeps its prior ``p``.
    """
    y = _check(probs, observed)
    return _by_row_blocks(_posterior_block, probs, y).to(probs.dtype)


def _posterior_block(probs: Tensor, y: Tensor) -> Tensor:
    logits = torch.logit(probs.clamp(1e-6, 1.0 - 1e-6))
    factors, log_weights, log_t, log_p = _log_selection_integrand(logits, 1.0 - y, y.sum(dim=1, keepdim=True))
    others = _leave_one_out(factors, log_weights)
    log_a = torch.logsumexp(others + log_t, dim=2)
    log_b = torch.logsumexp(others, dim=2)
    posterior = torch.sigmoid(log_p + log_a - F.logsigmoid(-logits.to(log_p.dtype)) - log_b)
    posterior = torch.where(y.sum(dim=1, keepdim=True) > 0, posterior, probs.to(posterior.dtype))
    return torch.where(y > 0, torch.ones_like(posterior), posterior)


@torch.no_grad()
def selection_propensity(probs: Tensor) -> Tensor:
    """``P(c is the observed positive | c is true, x) = E[1 / (1 + N_c)]`` under uniform selection of one positive.

    ``N_c`` = the number of *other* true labels, ``E[1 / (1 + N_c)] = int_0^1 prod_{c' != c} (1 - p_c' + p_c' t) dt``.
    Assume-negative training estimates ``p_c`` times this propensity; dividing by it undoes the bias
    (Elkan & Noto's correction with a propensity that depends on the item's other labels).
    """
    _check(probs, probs)
    return _by_row_blocks(_propensity_block, probs).to(probs.dtype)


def _propensity_block(probs: Tensor) -> Tensor:
    logits = torch.logit(probs.clamp(1e-6, 1.0 - 1e-6))
    factors, log_weights, _, _ = _log_selection_integrand(logits, torch.ones_like(probs), torch.ones(len(probs), 1, device=probs.device))
    others = _leave_one_out(factors, log_weights)
    return torch.logsumexp(others, dim=2).exp()


def large_loss_rejection(logits: Tensor, observed: Tensor, reject_rate: float, reduction: str = "mean") -> Tensor:
    """Large-loss rejection (LL-R; Kim et al., "Large Loss Matters in Weakly Supervised Multi-Label
    Classification", CVPR 2022).

    Assume-negative BCE, except that the ``ceil(n L reject_rate)`` largest losses among the unknown
    entries of the batch are set to 0 (they are likely false negatives). Reduced over all ``n L`` entries.
    """
    y = _check(logits, observed, reduction)
    loss = _bce(logits, y)
    k = min(math.ceil(loss.numel() * reject_rate), int((y == 0).sum()))
    if k <= 0:
        return reduce(loss, reduction)
    unknown_loss = torch.where(y > 0, torch.full_like(loss, -1.0), loss.detach()).flatten()
    rejected = torch.topk(unknown_loss, k).indices
    keep = torch.ones_like(unknown_loss).index_fill(0, rejected, 0.0).view_as(loss)
    return reduce(loss * keep, reduction)


def label_embedding_loss(
    sq_distances: Tensor, observed: Tensor, embeddings: Tensor, push_weight: float = 1.0, reduction: str = "mean"
) -> Tensor:
    """Label-embedding min-max loss: pull each item to its observed labels, push labels apart.

    ``mean_{(i,c) observed} ||z_i - e_c||^2 - push_weight * mean_{c < c'} ||e_c - e_c'||``.
    The pull alone collapses everything to one point; the push (an anti-regulariser on the
    label embeddings) keeps labels apart, bounded by the embeddings' max-norm constraint
    (:class:`weaklabel.nn.label_embedding.LabelEmbeddingHead`). An item that truly carries
    several labels is pulled toward all of them and settles between them. For ``"sum"`` and ``"none"`` the
    pull is spread over the ``n L`` entries (observed entries weighted ``n L / n_observed``, the others 0),
    so that their mean is the ``"mean"`` pull.
    """
    y = _check(sq_distances, observed, reduction)
    if embeddings.ndim != 2 or embeddings.shape[0] != y.shape[1]:
        raise InputError(f"embeddings must have shape ({y.shape[1]}, dim); got {tuple(embeddings.shape)}")
    if reduction == "mean":
        pull = (y * sq_distances).sum() / y.sum().clamp(min=1.0)
    else:
        pull = reduce(y * sq_distances * (y.numel() / y.sum().clamp(min=1.0)), reduction)
    n = embeddings.shape[0]
    if n < 2:
        return pull
    i, j = torch.triu_indices(n, n, offset=1, device=embeddings.device)
    diff = embeddings[i] - embeddings[j]
    push = torch.sqrt((diff**2).sum(dim=1) + 1e-12).mean()
    return add_batch_term(pull, -push_weight * push, reduction, y.numel())


# --------------------------------------------------------------------------- modules


class PositiveOnlyLoss(Loss):
    """Base of the positive-only loss modules: ``forward(logits, observed, index=None)``.

    ``index`` (the rows' positions in the training split) reaches losses with per-item state, allocated by
    :meth:`~weaklabel.losses.Loss.setup`; it is None when the validation split is scored.
    """

    inputs = ("outputs", "targets", "index")

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:  # noqa: D102
        raise NotImplementedError


@register_loss("assume_negative", "positive_only")
class AssumeNegativeLoss(PositiveOnlyLoss):
    """Assume negative (AN): BCE with every unknown label taken as negative."""

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return assume_negative_loss(logits, observed, self.reduction)


@register_loss("softmax", "positive_only")
class ObservedSoftmaxLoss(PositiveOnlyLoss):
    """Softmax over labels of the observed positive (:func:`observed_softmax_loss`): the likelihood of the
    single-positive protocol's draw. Its scores are the members' mean softmax, a distribution over labels
    (``scores = "softmax"``). Chosen as SinglePositiveClassifier's default by ``weaklabel bench positive-only``
    (benchmarks/results/positive-only/report.md)."""

    scores = "softmax"

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return observed_softmax_loss(logits, observed, self.reduction)


@register_loss("label_smoothing", "positive_only")
class LabelSmoothingLoss(PositiveOnlyLoss):
    """Assume negative with label smoothing eps (AN-LS, Cole et al. CVPR 2021; eps = 0.1 as there)."""

    def __init__(self, epsilon: float = 0.1, reduction: str = "mean") -> None:
        super().__init__(reduction)
        if not 0.0 <= float(epsilon) < 0.5:
            raise InputError(f"epsilon must be in [0, 0.5); got {epsilon}")
        self.epsilon = float(epsilon)

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return label_smoothing_loss(logits, observed, self.epsilon, self.reduction)


@register_loss("weak_negative", "positive_only")
class WeakNegativeLoss(PositiveOnlyLoss):
    """Weak assume negative (WAN, Cole et al. CVPR 2021): unknowns weighted gamma = 1/(L-1) by default."""

    def __init__(self, gamma: float | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.gamma = None if gamma is None else _positive_float("gamma", gamma)

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return weak_negative_loss(logits, observed, self.gamma, self.reduction)


class _ExpectedPositivesLoss(PositiveOnlyLoss):
    """Shared ``expected_positives`` (k) handling; the estimator supplies k (given, or estimated from the data)."""

    supplied = ("expected_positives",)

    def __init__(self, expected_positives: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.expected_positives = _positive_float("expected_positives", expected_positives, allow_zero=False)

    def extra_repr(self) -> str:
        return f"expected_positives={self.expected_positives}"


@register_loss("epr", "positive_only")
class EPRLoss(_ExpectedPositivesLoss):
    """Expected positives regularisation (EPR, Cole et al. CVPR 2021): positives + (mean sum p - k)^2 / L^2."""

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return epr_loss(logits, observed, self.expected_positives, self.reduction)


@register_loss("role", "positive_only")
class ROLELoss(_ExpectedPositivesLoss):
    """Regularised online label estimation (ROLE, Cole et al. CVPR 2021): a learned (N, L) label-estimate matrix.

    The estimates ``label_logits`` are an :class:`~torch.nn.Parameter` created by :meth:`setup`
    (unknowns uniform in +-logit(0.6), observed positives at logit(0.995), as in the paper's code),
    trained 10 times faster than the network (:attr:`lr_multipliers`, Cole et al.'s ``lr_mult = 10``).
    Without ``index`` (validation) the loss is :func:`epr_loss` on the classifier alone.
    """

    lr_multipliers = {"loss.label_logits": 10.0}
    label_logits: nn.Parameter | None

    def __init__(self, expected_positives: float = 1.0, reduction: str = "mean") -> None:
        super().__init__(expected_positives, reduction)
        self.label_logits = None

    def setup(self, targets: Tensor, seed: int) -> None:
        gen = torch.Generator().manual_seed(seed)
        bound = math.log(0.6 / 0.4)
        init = (torch.rand(targets.shape, generator=gen) * 2.0 - 1.0) * bound
        init = torch.where(targets.cpu() > 0, torch.full_like(init, math.log(0.995 / 0.005)), init)
        self.label_logits = nn.Parameter(init.to(targets.device))

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        if index is None or self.label_logits is None:
            return epr_loss(logits, observed, self.expected_positives, self.reduction)
        return role_loss(logits, observed, self.label_logits[index], self.expected_positives, self.reduction)


@register_loss("selection_likelihood", "positive_only")
class SelectionLikelihoodLoss(PositiveOnlyLoss):
    """Uniform-selection likelihood: observed positives are a random pick of the true labels (see :func:`selection_likelihood_loss`)."""

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return selection_likelihood_loss(logits, observed, self.reduction)


@register_loss("em_apl", "positive_only")
class EMAPLLoss(PositiveOnlyLoss):
    """Entropy maximisation + asymmetric pseudo-labels (EM+APL, Zhou et al. ECCV 2022).

    Unknowns: ``-alpha H(p)``. From epoch ``warmup`` on, at the end of each epoch (:meth:`on_epoch_end`) and
    for each label, the ``0.9 * n_unknown / apl_epochs`` unknown entries with the lowest predictions become
    soft negatives with target ``p`` (their prediction then), trained with ``beta * BCE`` (only
    negative pseudo-labels, as in the released code). The paper's epochs are passes of a
    pretrained ResNet; ``warmup`` and ``apl_epochs`` are counted in this library's epochs.
    """

    pseudo_targets: Tensor | None

    def __init__(self, alpha: float = 0.1, beta: float = 0.5, warmup: int = 5, apl_epochs: int = 20, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.alpha = _positive_float("alpha", alpha)
        self.beta = _positive_float("beta", beta)
        if int(warmup) < 0 or int(apl_epochs) < 1:
            raise InputError(f"warmup must be >= 0 and apl_epochs >= 1; got {warmup} and {apl_epochs}")
        self.warmup, self.apl_epochs = int(warmup), int(apl_epochs)
        self.register_buffer("pseudo_targets", None)

    def setup(self, targets: Tensor, seed: int) -> None:
        self.pseudo_targets = torch.full(targets.shape, float("nan"), device=targets.device)
        self._observed = targets > 0

    def on_epoch_end(self, epoch: int, predict: Callable[[], Tensor]) -> None:
        """Pseudo-label once the warm-up's ``warmup`` epochs are done (``predict()``: every training row's logits)."""
        if epoch + 1 >= self.warmup:
            self.add_pseudo_negatives(predict())

    def add_pseudo_negatives(self, logits: Tensor) -> None:
        """Mark, per label, the lowest-scored ``0.9 * n_unknown / apl_epochs`` free unknowns as soft negatives."""
        if self.pseudo_targets is None:
            raise InputError("call setup(observed, seed) before pseudo-labelling")
        probs = torch.sigmoid(logits.detach()).to(self.pseudo_targets.device)
        unknown = ~self._observed.to(probs.device)
        free = unknown & torch.isnan(self.pseudo_targets)
        n_new = (0.9 * unknown.sum(dim=0).float() / self.apl_epochs).long()
        ranked = torch.where(free, probs, torch.full_like(probs, math.inf))
        order = ranked.argsort(dim=0)
        for label in range(probs.shape[1]):
            k = int(min(n_new[label], free[:, label].sum()))
            rows = order[:k, label]
            self.pseudo_targets[rows, label] = probs[rows, label]

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        pseudo = None if index is None or self.pseudo_targets is None else self.pseudo_targets[index]
        return em_loss(logits, observed, self.alpha, pseudo, self.beta, self.reduction)


@register_loss("large_loss", "positive_only")
class LargeLossRejection(PositiveOnlyLoss):
    """Large-loss rejection (LL-R, Kim et al. CVPR 2022): drop the largest unknown losses, a growing share.

    The rejection rate is ``min(delta * epoch, max_rate)`` (0 in the first epoch; :meth:`on_epoch_start`
    keeps ``epoch``). Kim et al. use ``delta`` in 0.1-0.5 % per epoch for 10 fine-tuning epochs; here epochs
    are shorter and more numerous, so the default is 0.2 % per epoch capped at ``max_rate = 5 %``.
    """

    def __init__(self, delta: float = 0.002, max_rate: float = 0.05, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.delta = _positive_float("delta", delta)
        if not 0.0 <= float(max_rate) < 1.0:
            raise InputError(f"max_rate must be in [0, 1); got {max_rate}")
        self.max_rate = float(max_rate)
        self.epoch = 0

    @property
    def reject_rate(self) -> float:
        return min(self.delta * self.epoch, self.max_rate)

    def on_epoch_start(self, epoch: int) -> None:
        """The rate follows the training epoch."""
        self.epoch = int(epoch)

    def forward(self, logits: Tensor, observed: Tensor, index: Tensor | None = None) -> Tensor:
        return large_loss_rejection(logits, observed, self.reject_rate, self.reduction)


@register_loss("label_embedding", "positive_only")
class LabelEmbeddingLoss(Loss):
    """Label-embedding min-max: pull items to their observed labels' embeddings, push embeddings apart.

    ``forward(sq_distances, observed, embeddings)`` with the squared distances ``(n, L)`` and the
    (max-norm constrained) label embeddings ``(L, m)`` of the head it asks for,
    :class:`weaklabel.nn.label_embedding.LabelEmbeddingHead` (``dim`` = the estimator's ``embedding_dim``),
    whose label embeddings train 10 times faster than the network; see :func:`label_embedding_loss`.
    ``push_weight = 1``: with ``R = 1`` the pull is at most 4 per item and the push at most 2, so
    the push wins against the pull of items shared between labels (at 0.1 the three-blob labels
    stayed 1.1 apart and every item scored high on both). On real data the push spreads the labels
    close to a regular simplex whether or not they co-occur, and an item sits near one of them: an
    item's second true label ranks low unless the fit happened to place co-occurring labels close
    (emotions: distance vs co-occurrence lift Spearman −0.80, and it ranks above assume-negative;
    yeast −0.12, multi-digits, whose digits co-occur independently, the second digit's mean rank 5.2
    of 10 against assume-negative's 3.2). It ranks below assume-negative on most sets
    (benchmarks/results/positive-only/report.md).
    """

    inputs = ("sq_distances", "targets", "label_embeddings")
    lr_multipliers = {"net.head.label_weight": 10.0}

    def __init__(self, push_weight: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.push_weight = _positive_float("push_weight", push_weight)
        self.reduction = reduction

    @classmethod
    def head_spec(cls, out_features: int, embedding_dim: int = 16, **options: object) -> dict[str, object]:
        """The label-embedding distance head, ``embedding_dim`` dimensions."""
        return {"type": "label_embedding", "out_features": int(out_features), "dim": int(embedding_dim)}

    def forward(self, sq_distances: Tensor, observed: Tensor, embeddings: Tensor) -> Tensor:
        return label_embedding_loss(sq_distances, observed, embeddings, self.push_weight, self.reduction)
