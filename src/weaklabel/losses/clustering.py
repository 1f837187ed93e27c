"""Clustering losses: learn classes from neighbour pairs, with no labels.

Every loss takes logits of an anchor batch and of one neighbour per anchor,
each ``(n, K)``, or ``(n, H, K)`` for ``H`` softmax heads trained at once
(each head is scored on its own); ``minmax_scan`` also a mask of the batch's
far pairs. ``reduction`` combines the heads:
``"mean"`` (default; the official SCAN code sums them, which gives the shared encoder H times the
gradient of each head), ``"sum"`` or ``"none"`` (a tensor of shape ``(H,)``, or a
scalar for 2-D logits). The batch is always averaged, since the entropy term
is a property of the batch.

Notation: ``p = softmax(z)``, ``⟨p, q⟩ = Σ_k p_k q_k``,
``p̄ = (1/n) Σ_i p(x_i)``, ``H(p̄) = −Σ_k p̄_k log p̄_k``.
``log⟨p, q⟩`` is computed as ``logsumexp(log p + log q)`` from log-softmaxes,
and ``log(1 − ⟨p, q⟩)`` as ``log1p(−⟨p, q⟩)`` with ``⟨p, q⟩`` clamped to ``≤ 1 − 1e-6``, so
values and gradients stay finite for logits as large as ``±1e4`` in float32. The pair similarities and
the mean prediction are computed in float32 (float64 for float64 input), so the losses stay finite in
bfloat16 and float16 (and under autocast) too.
"""

from __future__ import annotations

import torch
import torch.nn.functional as F
from torch import Tensor

from ..exceptions import InputError
from ..runtime.distributed import global_mean
from ._base import Loss, check_reduction, reduce
from ._registry import register_loss

__all__ = [
    "MinMaxSCANLoss",
    "SCANLoss",
    "log_similarity",
    "marginal_entropy",
    "minmax_scan_loss",
    "neighborhood_scan_loss",
    "pair_similarity",
    "scan_loss",
    "scan_objective",
]

_PROB_EPS = 1e-8  # SCAN's clamp of the mean prediction before the log
_DISSIM_EPS = 1e-6


def _check(logits: Tensor, partner: Tensor, name: str, reduction: str) -> None:
    check_reduction(reduction)
    for what, t in (("logits", logits), (name, partner)):
        if not isinstance(t, Tensor) or not t.is_floating_point():
            raise InputError(f"{what} must be a floating-point torch tensor (use torch.as_tensor(x).float())")
        if t.ndim not in (2, 3) or t.shape[0] == 0 or t.shape[-1] < 2:
            raise InputError(
                f"{what} must have shape (n, n_classes) or (n, n_heads, n_classes) with n ≥ 1 and ≥ 2 classes, "
                f"got {tuple(t.shape)}"
            )
    if partner.shape != logits.shape:
        raise InputError(f"{name} shape {tuple(partner.shape)} does not match logits shape {tuple(logits.shape)}; give one partner per anchor")


def _at_least_float32(t: Tensor) -> Tensor:
    """``t`` in float32, or float64 when it is float64."""
    return t.to(torch.promote_types(t.dtype, torch.float32))


def log_similarity(logits: Tensor, other: Tensor) -> Tensor:
    """``log⟨softmax(logits), softmax(other)⟩`` along the last axis, computed stably."""
    return torch.logsumexp(F.log_softmax(logits, dim=-1) + F.log_softmax(other, dim=-1), dim=-1)


def _entropy(p: Tensor) -> Tensor:
    """``H(p) = −Σ_k p_k log p_k`` along the last axis, ``p`` clamped to ≥ 1e-8 first (SCAN's clamp)."""
    p = p.clamp_min(_PROB_EPS)  # 1e-8 is 0 in float16
    return -(p * p.log()).sum(dim=-1)


def _log_dissimilarity(similarity: Tensor) -> Tensor:
    """``log(1 − ⟨p, q⟩)`` from the similarity ``⟨p, q⟩``, clamped to ``≤ 1 − 1e-6`` so it stays finite."""
    return torch.log1p(-similarity.clamp_max(1.0 - _DISSIM_EPS))


def marginal_entropy(logits: Tensor) -> Tensor:
    """``H(p̄)``, entropy of the batch-mean prediction (per head for 3-D logits); maximal, ``log K``, when uniform.

    Under DDP ``p̄`` is the mean over the global batch (:func:`~weaklabel.runtime.distributed.global_mean`).
    """
    return _entropy(global_mean(F.softmax(_at_least_float32(logits), dim=-1).mean(dim=0)))


def scan_loss(logits: Tensor, neighbor_logits: Tensor, entropy_weight: float = 5.0, reduction: str = "mean") -> Tensor:
    """SCAN loss (Van Gansbeke et al., "SCAN: Learning to Classify Images without Labels", ECCV 2020).

    ``L = −(1/n) Σ_i log⟨p(x_i), p(n_i)⟩ − w · H(p̄)``

    The first term pulls each sample and its neighbour ``n_i`` to the same
    confident class; the second keeps every class in use. ``w = 5`` is the
    weight of every configuration shipped with the paper.
    """
    _check(logits, neighbor_logits, "neighbor_logits", reduction)
    consistency = -log_similarity(logits, neighbor_logits).mean(dim=0)
    return reduce(consistency - float(entropy_weight) * marginal_entropy(logits), reduction)


def neighborhood_scan_loss(logits: Tensor, neighbors: Tensor, entropy_weight: float = 5.0, reduction: str = "mean") -> Tensor:
    """The SCAN loss of a whole data set over every sample's neighbours, from an index table.

    ``L = −(1/|E|) Σ_{(i, j) ∈ E} log⟨p(x_i), p(x_j)⟩ − w · H(p̄)``, ``E`` = every pair (i, ``neighbors[i, m]``)

    ``logits`` is ``(n, K)`` or ``(n, H, K)`` for every sample; ``neighbors`` ``(n, k)`` holds row indices of
    ``logits`` (``-1`` = no neighbour, skipped). Equal to :func:`scan_loss` on the pairs of ``E`` stacked
    (up to the mean prediction, taken over the n samples once instead of over the stacked anchors), at a
    ``k``-th of its softmax work.
    """
    _check(logits, logits, "logits", reduction)
    n = logits.shape[0]
    if not isinstance(neighbors, Tensor) or neighbors.ndim != 2 or neighbors.shape[0] != n or neighbors.dtype not in (torch.int32, torch.int64):
        raise InputError(f"neighbors must be an integer tensor of shape ({n}, k) of row indices of logits, got {getattr(neighbors, 'shape', type(neighbors))}")
    found = neighbors >= 0
    log_p = F.log_softmax(logits, dim=-1)
    pair = torch.logsumexp(log_p.unsqueeze(1) + log_p[neighbors.clamp_min(0)], dim=-1)  # (n, k) or (n, k, H)
    weight = found.to(logits.dtype).view(*found.shape, *([1] * (pair.ndim - 2)))
    consistency = -(pair * weight).sum(dim=(0, 1)) / weight.sum().clamp_min(1.0)
    return reduce(consistency - float(entropy_weight) * marginal_entropy(logits), reduction)


@torch.no_grad()
def scan_objective(
    logits: Tensor, neighbor: Tensor, far: Tensor | None = None, entropy_weight: float = 5.0, far_weight: float = 1.0, chunk_rows: int = 65_536
) -> Tensor:
    """The (min-max) SCAN objective of a whole data set, per head: each row paired with one neighbour and one far row.

    ``L = −(1/n) Σ_i log⟨p_i, p_{a(i)}⟩ − λ (1/n) Σ_i log(1 − ⟨p_i, p_{f(i)}⟩) − w · H(p̄)``

    ``logits`` ``(n, H, K)`` for every row; ``neighbor`` and ``far`` ``(n,)`` hold row indices of each row's
    neighbour ``a(i)`` and far row ``f(i)`` (``far=None``: no push term, the SCAN objective). The terms of
    :func:`minmax_scan_loss` on the rows' own pairs instead of a batch's, accumulated over blocks of
    ``chunk_rows`` rows (memory bounded by a block, not the data set); ``p̄`` is the mean over all ``n`` rows.
    Returns a tensor ``(H,)``; an estimator compares heads and runs by it.
    """
    n, n_heads, n_classes = logits.shape
    mean_p = torch.zeros(n_heads, n_classes)
    pull = torch.zeros(n_heads)
    push = torch.zeros(n_heads)
    for s in range(0, n, chunk_rows):
        chunk = logits[s : s + chunk_rows]
        mean_p += F.softmax(chunk, dim=-1).sum(dim=0)
        pull -= log_similarity(chunk, logits[neighbor[s : s + chunk_rows]]).sum(dim=0)
        if far is not None:
            push -= _log_dissimilarity(log_similarity(chunk, logits[far[s : s + chunk_rows]]).exp()).sum(dim=0)
    return (pull + float(far_weight) * push) / n - float(entropy_weight) * _entropy(mean_p / n)


def pair_similarity(logits: Tensor) -> Tensor:
    """``S_ij = ⟨p(x_i), p(x_j)⟩`` for every pair of the batch: (n, n), or (H, n, n) for 3-D logits.

    Always in float32, autocast off: bfloat16 (CUDA autocast's matmul type) rounds every similarity above
    about 0.998 to 1, where the push term's ``log(1 − S)`` is infinite.
    """
    with torch.autocast(logits.device.type, enabled=False):
        p = F.softmax(_at_least_float32(logits), dim=-1)
        return p @ p.T if p.ndim == 2 else torch.einsum("ihk,jhk->hij", p, p)


def minmax_scan_loss(
    logits: Tensor,
    neighbor_logits: Tensor,
    far_mask: Tensor,
    entropy_weight: float = 5.0,
    far_weight: float = 1.0,
    reduction: str = "mean",
) -> Tensor:
    """Min-max SCAN: SCAN plus a push term on the far pairs of the batch.

    ``L = −(1/n) Σ_i log⟨p(x_i), p(n_i)⟩ − λ · Σ_ij m_ij log(1 − ⟨p(x_i), p(x_j)⟩) / Σ_ij m_ij − w · H(p̄)``

    ``m`` (``far_mask``, (n, n), bool or weights ≥ 0) marks the pairs of the
    batch that are far apart. The push term is the binary cross-entropy of "x_i
    and x_j share a class" against the target 0 — the mirror of SCAN's
    consistency term (target 1) — and asks far samples for orthogonal class
    distributions. Pulling neighbours and pushing every far pair is the
    all-pairs min-max objective, taken over the pairs of one batch.
    """
    _check(logits, neighbor_logits, "neighbor_logits", reduction)
    n = logits.shape[0]
    if not isinstance(far_mask, Tensor) or far_mask.shape != (n, n):
        raise InputError(f"far_mask must be a tensor of shape ({n}, {n}) (one entry per pair of the batch), got {getattr(far_mask, 'shape', type(far_mask))}")
    pull = -log_similarity(logits, neighbor_logits).mean(dim=0)
    mask = far_mask.to(logits.dtype)
    push = -(_log_dissimilarity(pair_similarity(logits)) * mask).sum(dim=(-2, -1)) / mask.sum().clamp_min(1.0)
    return reduce(pull + float(far_weight) * push - float(entropy_weight) * marginal_entropy(logits), reduction)


def _check_weight(name: str, value: float) -> float:
    value = float(value)
    if not value >= 0 or value == float("inf"):
        raise InputError(f"{name} must be a finite number ≥ 0, got {value}")
    return value


@register_loss("scan", "clustering")
class SCANLoss(Loss):
    """SCAN: −mean log⟨p(x), p(n)⟩ − w·H(mean p) (Van Gansbeke et al., ECCV 2020)."""

    inputs = ("outputs", "neighbor_outputs")
    supplied = ("entropy_weight",)

    def __init__(self, entropy_weight: float = 5.0, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.entropy_weight = _check_weight("entropy_weight", entropy_weight)
        self.reduction = reduction

    def forward(self, logits: Tensor, neighbor_logits: Tensor) -> Tensor:
        return scan_loss(logits, neighbor_logits, self.entropy_weight, self.reduction)

    def extra_repr(self) -> str:
        return f"entropy_weight={self.entropy_weight}, reduction={self.reduction!r}"


@register_loss("minmax_scan", "clustering")
class MinMaxSCANLoss(Loss):
    """Min-max SCAN: SCAN − λ·mean log(1 − ⟨p(x_i), p(x_j)⟩) over the far pairs (i, j) of the batch."""

    inputs = ("outputs", "neighbor_outputs", "far_mask")
    supplied = ("entropy_weight", "far_weight")

    def __init__(self, entropy_weight: float = 5.0, far_weight: float = 1.0, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.entropy_weight = _check_weight("entropy_weight", entropy_weight)
        self.far_weight = _check_weight("far_weight", far_weight)
        self.reduction = reduction

    def forward(self, logits: Tensor, neighbor_logits: Tensor, far_mask: Tensor) -> Tensor:
        return minmax_scan_loss(logits, neighbor_logits, far_mask, self.entropy_weight, self.far_weight, self.reduction)

    def extra_repr(self) -> str:
        return f"entropy_weight={self.entropy_weight}, far_weight={self.far_weight}, reduction={self.reduction!r}"
