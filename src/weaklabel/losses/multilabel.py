"""Multi-label losses: one independent sigmoid per label.

Every loss comes as a pure function and as an :class:`torch.nn.Module`
wrapper registered in the ``"multilabel"`` family. All take

* ``logits`` -- float tensor ``(n, L)`` of raw scores ``x``;
* ``targets`` -- tensor ``(n, L)`` of 0/1 labels ``y`` (bool and integer
  tensors are converted to the dtype of ``logits``; values are not checked,
  so that no device synchronisation is needed; soft targets in ``[0, 1]``
  interpolate between the positive and the negative term);

and ``reduction``: ``"mean"`` (mean over all ``n * L`` entries, the PyTorch
convention), ``"sum"`` or ``"none"`` (the ``(n, L)`` matrix of per-entry losses).

Notation: ``p = sigmoid(x)``. Every log-probability is computed with
:func:`torch.nn.functional.logsigmoid` (``log p = logsigmoid(x)``,
``log(1 - p) = logsigmoid(-x)``) and every focusing factor ``q ** gamma`` as
``exp(gamma * log q)``, so values and gradients stay finite for logits as
large as ``+-1e4`` in float32.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
import torch.nn.functional as F
from torch import Tensor

from ..exceptions import InputError
from ._base import REDUCTIONS, Loss, check_reduction, reduce
from ._registry import register_loss

__all__ = [
    "REDUCTIONS",
    "AsymmetricLoss",
    "BCELoss",
    "FocalLoss",
    "WeightedBCELoss",
    "asymmetric_loss",
    "bce_loss",
    "focal_loss",
    "positive_weights",
    "weighted_bce_loss",
]

# --------------------------------------------------------------------------- helpers


def _check_inputs(logits: Tensor, targets: Tensor, reduction: str) -> Tensor:
    """Validate shapes and dtypes (no device sync); return targets in the dtype of ``logits``."""
    check_reduction(reduction)
    if not isinstance(logits, Tensor) or not isinstance(targets, Tensor):
        raise InputError(
            f"logits and targets must be torch tensors; got {type(logits).__name__} and "
            f"{type(targets).__name__} (convert with torch.as_tensor)"
        )
    if not logits.is_floating_point():
        raise InputError(f"logits must be a floating-point tensor; got dtype {logits.dtype} (use logits.float())")
    if logits.ndim != 2:
        raise InputError(
            f"logits must have shape (n_samples, n_labels); got shape {tuple(logits.shape)} "
            "(reshape, e.g. logits.reshape(len(logits), -1))"
        )
    if targets.shape != logits.shape:
        raise InputError(
            f"targets shape {tuple(targets.shape)} does not match logits shape {tuple(logits.shape)}; "
            "give one 0/1 target per sample and label"
        )
    if logits.numel() == 0:
        raise InputError(f"logits are empty (shape {tuple(logits.shape)}); give at least one sample and one label")
    if targets.dtype != logits.dtype:
        targets = targets.to(logits.dtype)
    return targets


def _check_gamma(name: str, value: float) -> float:
    value = float(value)
    if not np.isfinite(value) or value < 0:
        raise InputError(f"{name} must be a finite number >= 0; got {value}")
    return value


def _check_alpha(alpha: float | None) -> float | None:
    if alpha is None:
        return None
    alpha = float(alpha)
    if not 0.0 <= alpha <= 1.0:
        raise InputError(f"alpha must lie in [0, 1] (or be None to disable class weighting); got {alpha}")
    return alpha


def _check_margin(margin: float) -> float:
    margin = float(margin)
    if not 0.0 <= margin < 1.0:
        raise InputError(f"margin must lie in [0, 1); got {margin}")
    return margin


def _as_pos_weight(pos_weight: Tensor | Sequence[float] | np.ndarray) -> Tensor:
    """Validate a per-label positive weight and return it as a detached 1-D float tensor."""
    if isinstance(pos_weight, Tensor):
        w = pos_weight.detach()
        if not w.is_floating_point():
            w = w.to(torch.get_default_dtype())
        w = w.clone()
    else:
        try:
            w = torch.as_tensor(np.asarray(pos_weight, dtype=np.float64), dtype=torch.get_default_dtype())
        except (TypeError, ValueError) as exc:
            raise InputError(f"pos_weight must be a sequence of numbers (one per label); got {pos_weight!r}") from exc
    if w.ndim != 1 or w.numel() == 0:
        raise InputError(f"pos_weight must be 1-D with one weight per label; got shape {tuple(w.shape)}")
    if not bool(torch.isfinite(w).all()) or bool((w < 0).any()):
        raise InputError("pos_weight must be finite and >= 0; compute it with positive_weights(targets)")
    return w


# --------------------------------------------------------------------------- functions


def bce_loss(logits: Tensor, targets: Tensor, reduction: str = "mean") -> Tensor:
    """Binary cross-entropy on logits.

    ``loss = -[y log p + (1 - y) log(1 - p)]`` with ``p = sigmoid(x)``.
    """
    targets = _check_inputs(logits, targets, reduction)
    loss = -(targets * F.logsigmoid(logits) + (1.0 - targets) * F.logsigmoid(-logits))
    return reduce(loss, reduction)


def weighted_bce_loss(
    logits: Tensor,
    targets: Tensor,
    pos_weight: Tensor | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Binary cross-entropy with a per-label weight on the positive term.

    ``loss = -[w_c y log p + (1 - y) log(1 - p)]`` for label ``c``; the same as
    ``torch.nn.functional.binary_cross_entropy_with_logits(..., pos_weight=w)``.
    ``pos_weight`` is a tensor ``(L,)`` (see :func:`positive_weights`); ``None``
    gives plain :func:`bce_loss`. Its values are not checked here (no device sync).
    """
    targets = _check_inputs(logits, targets, reduction)
    if pos_weight is None:
        return bce_loss(logits, targets, reduction)
    if not isinstance(pos_weight, Tensor):
        raise InputError(
            f"pos_weight must be a tensor of shape ({logits.shape[1]},) or None; got {type(pos_weight).__name__} "
            "(convert with torch.as_tensor)"
        )
    if pos_weight.shape != (logits.shape[1],):
        raise InputError(
            f"pos_weight has shape {tuple(pos_weight.shape)} but logits have {logits.shape[1]} labels; "
            f"give one weight per label, shape ({logits.shape[1]},)"
        )
    w = pos_weight.to(device=logits.device, dtype=logits.dtype)
    loss = -(w * targets * F.logsigmoid(logits) + (1.0 - targets) * F.logsigmoid(-logits))
    return reduce(loss, reduction)


def focal_loss(
    logits: Tensor,
    targets: Tensor,
    gamma: float = 2.0,
    alpha: float | None = None,
    reduction: str = "mean",
) -> Tensor:
    """Focal loss (Lin et al., "Focal Loss for Dense Object Detection", ICCV 2017).

    ``loss = -alpha_t (1 - p_t)**gamma log p_t`` with ``p_t = p`` if ``y = 1``
    else ``1 - p``, and ``alpha_t = alpha`` for positives, ``1 - alpha`` for
    negatives. ``alpha=None`` disables the class weighting (``alpha_t = 1``).
    ``gamma=0, alpha=None`` is plain binary cross-entropy. The focusing
    factor is not detached: gradients flow through it, as in the paper.
    """
    gamma = _check_gamma("gamma", gamma)
    alpha = _check_alpha(alpha)
    targets = _check_inputs(logits, targets, reduction)
    log_p = F.logsigmoid(logits)  # log p
    log_1mp = F.logsigmoid(-logits)  # log(1 - p)
    if gamma == 0.0:
        pos = log_p
        neg = log_1mp
    else:
        pos = torch.exp(gamma * log_1mp) * log_p  # (1 - p)**gamma log p
        neg = torch.exp(gamma * log_p) * log_1mp  # p**gamma log(1 - p)
    if alpha is not None:
        pos = alpha * pos
        neg = (1.0 - alpha) * neg
    loss = -(targets * pos + (1.0 - targets) * neg)
    return reduce(loss, reduction)


def asymmetric_loss(
    logits: Tensor,
    targets: Tensor,
    gamma_pos: float = 0.0,
    gamma_neg: float = 4.0,
    margin: float = 0.05,
    reduction: str = "mean",
) -> Tensor:
    """Asymmetric loss (Ridnik, Ben-Baruch et al., "Asymmetric Loss For Multi-Label Classification", ICCV 2021).

    Positives: ``-(1 - p)**gamma_pos log p``. Negatives:
    ``-p_m**gamma_neg log(1 - p_m)`` with the shifted probability
    ``p_m = max(p - margin, 0)``, which discards easy negatives (``p <= margin``)
    entirely. The reference implementation sums over all entries; here
    ``reduction="mean"`` averages over the ``n * L`` entries, so that the
    gradient scale (and a good learning rate) does not depend on batch size
    or label count. The focusing factors are not detached (full gradient),
    as for :func:`focal_loss`. ``gamma_pos = gamma_neg = margin = 0`` is plain
    binary cross-entropy.
    """
    gamma_pos = _check_gamma("gamma_pos", gamma_pos)
    gamma_neg = _check_gamma("gamma_neg", gamma_neg)
    margin = _check_margin(margin)
    targets = _check_inputs(logits, targets, reduction)
    log_p = F.logsigmoid(logits)
    log_1mp = F.logsigmoid(-logits)

    pos = log_p if gamma_pos == 0.0 else torch.exp(gamma_pos * log_1mp) * log_p

    if margin == 0.0:
        neg = log_1mp if gamma_neg == 0.0 else torch.exp(gamma_neg * log_p) * log_1mp
    else:
        # p_m = max(p - m, 0); 1 - p_m >= m > 0, so log1p(-p_m) is finite with a finite gradient.
        p_m = (torch.sigmoid(logits) - margin).clamp(min=0.0)
        log_1mpm = torch.log1p(-p_m)  # 0 where p <= m
        if gamma_neg == 0.0:
            neg = log_1mpm
        else:
            # Feed 1 (not 0) to the power where p_m = 0: avoids the infinite derivative of
            # p_m**gamma at 0 for gamma < 1; the term is 0 there anyway because log1p(-0) = 0.
            shifted = torch.where(p_m > 0, p_m, torch.ones_like(p_m))
            neg = shifted.pow(gamma_neg) * log_1mpm
    loss = -(targets * pos + (1.0 - targets) * neg)
    return reduce(loss, reduction)


def positive_weights(targets: np.ndarray | Tensor, max_weight: float = 1e4) -> Tensor:
    """Per-label positive weight ``w_c = n_negative_c / n_positive_c`` for :func:`weighted_bce_loss`.

    With this weight the positive and negative terms of each label carry equal
    total weight on the training set. Weights are clipped to ``max_weight``.
    Labels with no positive (nothing to up-weight) or no negative (``w_c`` would
    be 0 and the label would never be learned) get weight ``1.0``.

    ``targets`` is the ``(n, L)`` 0/1 training label matrix. Returns a float32
    tensor ``(L,)`` on the CPU.
    """
    max_weight = float(max_weight)
    if not np.isfinite(max_weight) or max_weight <= 0:
        raise InputError(f"max_weight must be a finite number > 0; got {max_weight}")
    if isinstance(targets, Tensor):
        y = targets.detach().cpu().to(torch.float64).numpy()
    else:
        try:
            y = np.asarray(targets, dtype=np.float64)
        except (TypeError, ValueError) as exc:
            raise InputError("targets must be a numeric (n_samples, n_labels) 0/1 matrix") from exc
    if y.ndim != 2 or y.shape[0] == 0 or y.shape[1] == 0:
        raise InputError(f"targets must be a non-empty (n_samples, n_labels) 0/1 matrix; got shape {y.shape}")
    if not np.isin(y, (0.0, 1.0)).all():
        raise InputError("targets must contain only 0 and 1; binarise them first (e.g. targets > 0.5)")
    n_pos = y.sum(axis=0)
    n_neg = y.shape[0] - n_pos
    degenerate = (n_pos == 0) | (n_neg == 0)
    w = np.divide(n_neg, n_pos, out=np.ones_like(n_pos), where=~degenerate)
    w[degenerate] = 1.0
    w = np.minimum(w, max_weight)
    return torch.as_tensor(w, dtype=torch.float32)


# --------------------------------------------------------------------------- modules


class _MultilabelLoss(Loss):
    """Shared ``reduction`` handling; ``forward(logits, targets)``."""

    def __init__(self, reduction: str = "mean") -> None:
        super().__init__()
        check_reduction(reduction)
        self.reduction = reduction

    def extra_repr(self) -> str:
        return f"reduction={self.reduction!r}"


@register_loss("bce", "multilabel")
class BCELoss(_MultilabelLoss):
    """Binary cross-entropy, one sigmoid per label: -[y log p + (1-y) log(1-p)]."""

    def forward(self, logits: Tensor, targets: Tensor) -> Tensor:
        return bce_loss(logits, targets, self.reduction)


@register_loss("weighted_bce", "multilabel")
class WeightedBCELoss(_MultilabelLoss):
    """Binary cross-entropy with per-label positive weights: -[w_c y log p + (1-y) log(1-p)].

    ``pos_weight`` (shape ``(L,)``, e.g. from :func:`positive_weights`) is a
    buffer, so it moves with ``.to(device)`` and is saved in the state dict.
    ``None`` means no weighting until :meth:`set_pos_weight` is called.
    """

    supplied = ("pos_weight",)  # the estimator's pos_weight: "auto" (from the training labels) or given weights
    pos_weight: Tensor | None

    def __init__(self, pos_weight: Tensor | Sequence[float] | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.register_buffer("pos_weight", None if pos_weight is None else _as_pos_weight(pos_weight))

    def set_pos_weight(self, pos_weight: Tensor | Sequence[float] | None) -> None:
        """Replace the per-label positive weights (``None`` removes them)."""
        if pos_weight is None:
            self.pos_weight = None
            return
        w = _as_pos_weight(pos_weight)
        if self.pos_weight is not None:
            w = w.to(self.pos_weight.device)
        self.pos_weight = w

    def _load_from_state_dict(
        self,
        state_dict: dict[str, Any],
        prefix: str,
        local_metadata: dict[str, Any],
        strict: bool,
        missing_keys: list[str],
        unexpected_keys: list[str],
        error_msgs: list[str],
    ) -> None:
        # A module built without weights can still load a state dict that has them.
        key = prefix + "pos_weight"
        if self.pos_weight is None and key in state_dict:
            self.pos_weight = _as_pos_weight(state_dict[key])
        super()._load_from_state_dict(
            state_dict, prefix, local_metadata, strict, missing_keys, unexpected_keys, error_msgs
        )

    def forward(self, logits: Tensor, targets: Tensor) -> Tensor:
        return weighted_bce_loss(logits, targets, self.pos_weight, self.reduction)

    def extra_repr(self) -> str:
        n = None if self.pos_weight is None else self.pos_weight.numel()
        return f"n_labels={n}, reduction={self.reduction!r}"


@register_loss("focal", "multilabel")
class FocalLoss(_MultilabelLoss):
    """Focal loss (Lin et al., ICCV 2017): -alpha_t (1-p_t)^gamma log p_t.

    Defaults ``gamma=2.0`` (the paper's choice) and ``alpha=None``: the paper's
    ``alpha=0.25`` was tuned for dense detection, where it *down-weights*
    positives; in sparse multi-label data positives are the rare class, so
    that weighting points the wrong way. Use ``alpha > 0.5`` to up-weight positives.
    """

    def __init__(self, gamma: float = 2.0, alpha: float | None = None, reduction: str = "mean") -> None:
        super().__init__(reduction)
        self.gamma = _check_gamma("gamma", gamma)
        self.alpha = _check_alpha(alpha)

    def forward(self, logits: Tensor, targets: Tensor) -> Tensor:
        return focal_loss(logits, targets, self.gamma, self.alpha, self.reduction)

    def extra_repr(self) -> str:
        return f"gamma={self.gamma}, alpha={self.alpha}, reduction={self.reduction!r}"


@register_loss("asymmetric", "multilabel")
class AsymmetricLoss(_MultilabelLoss):
    """Asymmetric loss (Ridnik, Ben-Baruch et al., ICCV 2021): focusing and a probability margin on negatives only.

    Positives ``-(1-p)^gamma_pos log p``; negatives ``-p_m^gamma_neg log(1-p_m)``,
    ``p_m = max(p - margin, 0)``. Defaults ``gamma_pos=0, gamma_neg=4,
    margin=0.05`` are the paper's recommended values. Averaged over entries by
    default (the reference code sums); see :func:`asymmetric_loss`.
    """

    def __init__(
        self,
        gamma_pos: float = 0.0,
        gamma_neg: float = 4.0,
        margin: float = 0.05,
        reduction: str = "mean",
    ) -> None:
        super().__init__(reduction)
        self.gamma_pos = _check_gamma("gamma_pos", gamma_pos)
        self.gamma_neg = _check_gamma("gamma_neg", gamma_neg)
        self.margin = _check_margin(margin)

    def forward(self, logits: Tensor, targets: Tensor) -> Tensor:
        return asymmetric_loss(logits, targets, self.gamma_pos, self.gamma_neg, self.margin, self.reduction)

    def extra_repr(self) -> str:
        return (
            f"gamma_pos={self.gamma_pos}, gamma_neg={self.gamma_neg}, margin={self.margin}, "
            f"reduction={self.reduction!r}"
        )
