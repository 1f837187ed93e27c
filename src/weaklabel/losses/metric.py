"""Metric-learning classification losses: classes as tight clusters in an embedding.

These losses own the class weights (or class centres), so every module is
built with ``n_classes`` and ``embedding_dim`` and is called as
``loss(embeddings, targets)``; ``loss.logits(embeddings)`` gives the class
scores used for prediction. All take

* ``embeddings`` -- float tensor ``(n, d)`` of features ``f``;
* ``targets`` -- integer tensor ``(n,)`` of class indices ``y`` in ``[0, C)``
  (values are not checked here, so that no device synchronisation is needed);

and ``reduction``: ``"mean"`` (over the batch), ``"sum"`` or ``"none"``.

Notation: ``W`` is the ``(C, d)`` class-weight matrix, ``cos θ_j`` the cosine
between ``f`` and ``W_j`` (both L2-normalised), ``s`` a scale, ``m`` a margin.
Cross-entropy is always :func:`torch.nn.functional.cross_entropy` on logits
(log-sum-exp), so values and gradients stay finite for large scales.
"""

from __future__ import annotations

import math

import torch
import torch.nn.functional as F
from torch import Tensor, nn

from ..exceptions import InputError
from ..runtime.distributed import global_sum
from ._base import REDUCTIONS, Loss, check_reduction, reduce
from ._registry import register_loss

__all__ = [
    "REDUCTIONS",
    "ArcFaceLoss",
    "CenterLoss",
    "MetricLoss",
    "CosFaceLoss",
    "CosineSoftmaxLoss",
    "SoftmaxLoss",
    "arcface_loss",
    "center_loss",
    "cosface_loss",
    "cosine_logits",
    "cosine_loss",
    "softmax_loss",
    "update_centers",
]

_EPS = 1e-12  # L2-normalisation floor (F.normalize)


# --------------------------------------------------------------------------- helpers


def _check_inputs(embeddings: Tensor, targets: Tensor, n_features: int, reduction: str) -> None:
    """Shapes and dtypes only (no device sync)."""
    check_reduction(reduction)
    if not isinstance(embeddings, Tensor) or not isinstance(targets, Tensor):
        raise InputError(
            f"embeddings and targets must be torch tensors; got {type(embeddings).__name__} and "
            f"{type(targets).__name__} (convert with torch.as_tensor)"
        )
    if not embeddings.is_floating_point():
        raise InputError(f"embeddings must be a floating-point tensor; got {embeddings.dtype} (use .float())")
    if embeddings.ndim != 2 or embeddings.shape[1] != n_features or len(embeddings) == 0:
        raise InputError(
            f"embeddings must have shape (n_samples >= 1, {n_features}); got {tuple(embeddings.shape)}"
        )
    if targets.ndim != 1 or len(targets) != len(embeddings):
        raise InputError(
            f"targets must be 1-D with one class index per embedding ({len(embeddings)}); got shape {tuple(targets.shape)}"
        )
    if targets.is_floating_point() or targets.dtype == torch.bool:
        raise InputError(f"targets must hold integer class indices; got dtype {targets.dtype} (use targets.long())")


def _positive(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value) or value <= 0:
        raise InputError(f"{name} must be a finite number > 0; got {value}")
    return value


def _in_range(name: str, value: float, low: float, high: float) -> float:
    value = float(value)
    if not low <= value < high:
        raise InputError(f"{name} must lie in [{low}, {high}); got {value}")
    return value


# --------------------------------------------------------------------------- functions


def softmax_loss(embeddings: Tensor, targets: Tensor, weight: Tensor, bias: Tensor | None = None, reduction: str = "mean") -> Tensor:
    """Linear classifier + cross-entropy: ``-log softmax(W f + b)_y`` (the baseline)."""
    _check_inputs(embeddings, targets, weight.shape[1], reduction)
    return F.cross_entropy(F.linear(embeddings, weight, bias), targets.long(), reduction=reduction)


def center_loss(
    embeddings: Tensor,
    targets: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    centers: Tensor,
    lam: float = 0.01,
    reduction: str = "mean",
) -> Tensor:
    """Center loss (Wen, Zhang, Li & Qiao, "A Discriminative Feature Learning Approach for Deep Face Recognition", ECCV 2016).

    ``loss_i = -log softmax(W f_i + b)_{y_i} + λ/2 ‖f_i − c_{y_i}‖²``. The
    centres ``c`` take no gradient here (they are moved by
    :func:`update_centers`); the features are pulled towards them.
    """
    _check_inputs(embeddings, targets, weight.shape[1], reduction)
    targets = targets.long()
    ce = F.cross_entropy(F.linear(embeddings, weight, bias), targets, reduction="none")
    pull = 0.5 * (embeddings - centers.detach()[targets]).pow(2).sum(dim=1)
    return reduce(ce + lam * pull, reduction)


@torch.no_grad()
def update_centers(embeddings: Tensor, targets: Tensor, centers: Tensor, alpha: float = 0.5) -> Tensor:
    """The centre update rule of Wen et al. (ECCV 2016, Algorithm 1); returns the new centres.

    ``Δc_j = Σ_i δ(y_i = j)(c_j − x_i) / (1 + Σ_i δ(y_i = j))`` over the batch, then
    ``c_j ← c_j − α Δc_j``. Classes absent from the batch do not move. Under DDP
    the counts and sums are over the global batch, so every rank's centres stay equal.
    """
    targets = targets.long()
    x = embeddings.detach().to(centers.dtype)
    counts = torch.zeros(len(centers), dtype=centers.dtype, device=centers.device).index_add_(
        0, targets, torch.ones_like(targets, dtype=centers.dtype)
    )
    sums = torch.zeros_like(centers).index_add_(0, targets, x)
    counts, sums = global_sum(counts), global_sum(sums)
    delta = (counts[:, None] * centers - sums) / (1.0 + counts[:, None])
    return centers - alpha * delta


def cosine_logits(embeddings: Tensor, weight: Tensor, scale: Tensor | float) -> Tensor:
    """``s · cos θ_j = s · (f/‖f‖) · (W_j/‖W_j‖)``, shape ``(n, C)``."""
    return scale * F.linear(F.normalize(embeddings, dim=1, eps=_EPS), F.normalize(weight, dim=1, eps=_EPS))


def cosine_loss(embeddings: Tensor, targets: Tensor, weight: Tensor, scale: Tensor | float = 10.0, reduction: str = "mean") -> Tensor:
    """Normalised (cosine) softmax, NormFace (Wang, Xiang, Cheng & Yuille, ACM MM 2017, arXiv 1704.06369).

    ``loss = -log softmax(s · cos θ)_y``: features and class weights are
    L2-normalised, there is no bias, and the scale ``s`` lifts the loss's lower
    bound (without it the normalised softmax cannot converge).
    """
    _check_inputs(embeddings, targets, weight.shape[1], reduction)
    return F.cross_entropy(cosine_logits(embeddings, weight, scale), targets.long(), reduction=reduction)


def _margin_loss(cos: Tensor, targets: Tensor, target_logit: Tensor, scale: Tensor | float, reduction: str) -> Tensor:
    """Cross-entropy of ``s · cos`` with the target column replaced by ``s · target_logit``."""
    targets = targets.long()
    one_hot = F.one_hot(targets, cos.shape[1]).to(torch.bool)
    logits = torch.where(one_hot, target_logit[:, None], cos) * scale
    return F.cross_entropy(logits, targets, reduction=reduction)


def cosface_loss(
    embeddings: Tensor, targets: Tensor, weight: Tensor, scale: Tensor | float = 30.0, margin: float = 0.35, reduction: str = "mean"
) -> Tensor:
    """CosFace / large-margin cosine loss (Wang et al., "CosFace", CVPR 2018).

    ``loss = -log [e^{s(cos θ_y − m)} / (e^{s(cos θ_y − m)} + Σ_{j≠y} e^{s cos θ_j})]``.
    """
    _check_inputs(embeddings, targets, weight.shape[1], reduction)
    cos = cosine_logits(embeddings, weight, 1.0)
    target_cos = cos.gather(1, targets.long()[:, None]).squeeze(1)
    return _margin_loss(cos, targets, target_cos - margin, scale, reduction)


def arcface_loss(
    embeddings: Tensor, targets: Tensor, weight: Tensor, scale: Tensor | float = 30.0, margin: float = 0.5, reduction: str = "mean"
) -> Tensor:
    """ArcFace / additive angular margin (Deng, Guo, Xue & Zafeiriou, "ArcFace", CVPR 2019).

    ``loss = -log [e^{s cos(θ_y + m)} / (e^{s cos(θ_y + m)} + Σ_{j≠y} e^{s cos θ_j})]``.

    ``cos(θ + m) = cos θ cos m − sin θ sin m`` with ``sin θ = sqrt(max(1 − cos² θ, ε))``
    (``ε`` the dtype's machine epsilon)
    (no ``acos``, whose gradient is infinite at ``cos θ = ±1``). Where
    ``θ + m > π`` the cosine would rise again (a wrong-way gradient), so
    there the target logit is ``cos θ − (1 − cos m)``, which meets
    ``cos(θ + m) = −1`` at ``θ = π − m`` and keeps falling as ``θ`` grows. (The
    authors' code uses ``cos θ − m sin m`` there, a first-order
    approximation that jumps by 0.12 at ``θ = π − m`` for ``m = 0.5``.)
    """
    _check_inputs(embeddings, targets, weight.shape[1], reduction)
    cos = cosine_logits(embeddings, weight, 1.0)
    c = cos.gather(1, targets.long()[:, None]).squeeze(1).clamp(-1.0, 1.0)
    sin = torch.sqrt((1.0 - c * c).clamp(min=torch.finfo(c.dtype).eps))
    shifted = c * math.cos(margin) - sin * math.sin(margin)
    target = torch.where(c > math.cos(math.pi - margin), shifted, c - (1.0 - math.cos(margin)))
    return _margin_loss(cos, targets, target, scale, reduction)


# --------------------------------------------------------------------------- modules


class MetricLoss(Loss):
    """Class weights ``W`` (C, d) initialised like :class:`torch.nn.Linear`, plus ``reduction``.

    ``forward(embeddings, targets)``; the estimator supplies ``n_classes`` (from the labels) and
    ``embedding_dim`` (its own parameter).
    """

    supplied = ("n_classes", "embedding_dim")

    def __init__(self, n_classes: int, embedding_dim: int, reduction: str = "mean") -> None:
        super().__init__()
        if int(n_classes) < 2:
            raise InputError(f"n_classes must be ≥ 2; got {n_classes}")
        if int(embedding_dim) < 1:
            raise InputError(f"embedding_dim must be ≥ 1; got {embedding_dim}")
        check_reduction(reduction)
        self.n_classes = int(n_classes)
        self.embedding_dim = int(embedding_dim)
        self.reduction = reduction
        self.weight = nn.Parameter(torch.empty(self.n_classes, self.embedding_dim))
        nn.init.kaiming_uniform_(self.weight, a=math.sqrt(5))

    def logits(self, embeddings: Tensor) -> Tensor:
        """Class scores ``(n, C)`` used for prediction (no margin)."""
        raise NotImplementedError

    def extra_repr(self) -> str:
        return f"n_classes={self.n_classes}, embedding_dim={self.embedding_dim}, reduction={self.reduction!r}"


@register_loss("softmax", "metric")
class SoftmaxLoss(MetricLoss):
    """Linear classifier + cross-entropy on the embeddings: -log softmax(W f + b)_y (baseline)."""

    def __init__(self, n_classes: int, embedding_dim: int, reduction: str = "mean") -> None:
        super().__init__(n_classes, embedding_dim, reduction)
        bound = 1.0 / math.sqrt(self.embedding_dim)
        self.bias = nn.Parameter(torch.empty(self.n_classes).uniform_(-bound, bound))

    def logits(self, embeddings: Tensor) -> Tensor:
        return F.linear(embeddings, self.weight, self.bias)

    def forward(self, embeddings: Tensor, targets: Tensor) -> Tensor:
        return softmax_loss(embeddings, targets, self.weight, self.bias, self.reduction)


@register_loss("center", "metric")
class CenterLoss(SoftmaxLoss):
    """Center loss (Wen et al., ECCV 2016): softmax cross-entropy + λ/2 ‖f − c_y‖².

    The centres are a buffer (saved with the model, never touched by the
    optimiser), initialised at 0 (the paper does not say; its Caffe examples
    fill them with Xavier noise) and moved after every
    training batch by the paper's rule with rate ``alpha``
    (:func:`update_centers`); in eval mode they stay fixed. Defaults: the
    paper's ``alpha=0.5``; ``lam=0.01`` (the paper uses 0.003 for faces and
    shows 0.001-0.1 on MNIST; larger λ gives tighter clusters).
    """

    centers: Tensor

    def __init__(self, n_classes: int, embedding_dim: int, lam: float = 0.01, alpha: float = 0.5, reduction: str = "mean") -> None:
        super().__init__(n_classes, embedding_dim, reduction)
        self.lam = float(lam)
        if not math.isfinite(self.lam) or self.lam < 0:
            raise InputError(f"lam must be a finite number ≥ 0; got {lam}")
        self.alpha = float(alpha)
        if not 0.0 < self.alpha <= 1.0:
            raise InputError(f"alpha (the centre learning rate) must lie in (0, 1]; got {alpha}")
        self.register_buffer("centers", torch.zeros(self.n_classes, self.embedding_dim))

    def forward(self, embeddings: Tensor, targets: Tensor) -> Tensor:
        loss = center_loss(embeddings, targets, self.weight, self.bias, self.centers, self.lam, self.reduction)
        if self.training:
            self.centers.copy_(update_centers(embeddings, targets, self.centers, self.alpha))
        return loss

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, lam={self.lam}, alpha={self.alpha}"


@register_loss("cosine", "metric")
class CosineSoftmaxLoss(MetricLoss):
    """Cosine softmax, NormFace (Wang et al. 2017, arXiv 1704.06369): -log softmax(s · cos θ)_y.

    ``scale`` is ``s``; with ``learn_scale=True`` (default, as in the official
    NormFace prototxt: learnable, initialised at 10) it is a parameter
    trained with the rest, kept ≥ 0.01; with ``False`` it is fixed. Embeddings are compared by cosine
    (:attr:`distance`), as the loss normalises them (also for CosFace and ArcFace).
    """

    distance = "cosine"

    def __init__(self, n_classes: int, embedding_dim: int, scale: float = 10.0, learn_scale: bool = True, reduction: str = "mean") -> None:
        super().__init__(n_classes, embedding_dim, reduction)
        value = torch.tensor(_positive("scale", scale))
        self.learn_scale = bool(learn_scale)
        if self.learn_scale:
            self.scale = nn.Parameter(value)
        else:
            self.register_buffer("scale", value)

    def _scale(self) -> Tensor:
        return self.scale.clamp(min=0.01)

    def logits(self, embeddings: Tensor) -> Tensor:
        return cosine_logits(embeddings, self.weight, self._scale())

    def forward(self, embeddings: Tensor, targets: Tensor) -> Tensor:
        return cosine_loss(embeddings, targets, self.weight, self._scale(), self.reduction)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, scale={float(self.scale):.3g}, learn_scale={self.learn_scale}"


class _MarginLoss(CosineSoftmaxLoss):
    """Cosine softmax with a fixed scale (by default) and a margin on the target class."""

    def __init__(
        self, n_classes: int, embedding_dim: int, scale: float = 30.0, margin: float = 0.35, learn_scale: bool = False, reduction: str = "mean"
    ) -> None:
        super().__init__(n_classes, embedding_dim, scale, learn_scale, reduction)
        self.margin = _in_range("margin", margin, 0.0, math.pi / 2)

    def extra_repr(self) -> str:
        return f"{super().extra_repr()}, margin={self.margin}"


@register_loss("cosface", "metric")
class CosFaceLoss(_MarginLoss):
    """CosFace (Wang et al., CVPR 2018): cosine softmax with target logit s · (cos θ_y − m).

    Defaults ``m=0.35`` (the paper's) and a fixed ``s=30`` (the paper uses 64
    for ~10⁴ face identities; a few classes need a smaller scale).
    Prediction uses ``s · cos θ`` without the margin.
    """

    def forward(self, embeddings: Tensor, targets: Tensor) -> Tensor:
        return cosface_loss(embeddings, targets, self.weight, self._scale(), self.margin, self.reduction)


@register_loss("arcface", "metric")
class ArcFaceLoss(_MarginLoss):
    """ArcFace (Deng et al., CVPR 2019): cosine softmax with target logit s · cos(θ_y + m).

    Defaults ``m=0.5`` rad (28.6°, the paper's) and a fixed ``s=30`` (see
    :class:`CosFaceLoss`); the region ``θ + m > π`` is handled as in
    :func:`arcface_loss`. Prediction uses ``s · cos θ`` without the margin.
    """

    def __init__(
        self, n_classes: int, embedding_dim: int, scale: float = 30.0, margin: float = 0.5, learn_scale: bool = False, reduction: str = "mean"
    ) -> None:
        super().__init__(n_classes, embedding_dim, scale, margin, learn_scale, reduction)

    def forward(self, embeddings: Tensor, targets: Tensor) -> Tensor:
        return arcface_loss(embeddings, targets, self.weight, self._scale(), self.margin, self.reduction)
