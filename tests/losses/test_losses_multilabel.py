"""Tests for weaklabel.losses.multilabel against NumPy references written from the formulas."""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from weaklabel.exceptions import InputError
from weaklabel.losses import available_losses, build_loss
from weaklabel.losses.multilabel import (
    AsymmetricLoss,
    BCELoss,
    FocalLoss,
    WeightedBCELoss,
    asymmetric_loss,
    bce_loss,
    focal_loss,
    positive_weights,
    weighted_bce_loss,
)

REDUCTIONS = ("mean", "sum", "none")


# --------------------------------------------------------------------------- NumPy references (float64)


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def np_bce(x: np.ndarray, y: np.ndarray) -> np.ndarray:
    p = _sigmoid(x)
    return -(y * np.log(p) + (1 - y) * np.log(1 - p))


def np_weighted_bce(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> np.ndarray:
    p = _sigmoid(x)
    return -(w[None, :] * y * np.log(p) + (1 - y) * np.log(1 - p))


def np_focal(x: np.ndarray, y: np.ndarray, gamma: float, alpha: float | None) -> np.ndarray:
    p = _sigmoid(x)
    p_t = np.where(y == 1, p, 1 - p)
    if alpha is None:
        alpha_t = np.ones_like(p)
    else:
        alpha_t = np.where(y == 1, alpha, 1 - alpha)
    return -alpha_t * (1 - p_t) ** gamma * np.log(p_t)


def np_asymmetric(x: np.ndarray, y: np.ndarray, gamma_pos: float, gamma_neg: float, margin: float) -> np.ndarray:
    p = _sigmoid(x)
    p_m = np.maximum(p - margin, 0.0)
    pos = -((1 - p) ** gamma_pos) * np.log(p)
    neg = -(p_m**gamma_neg) * np.log(1 - p_m)
    return np.where(y == 1, pos, neg)


def _reduce(m: np.ndarray, reduction: str) -> np.ndarray:
    return {"mean": m.mean(), "sum": m.sum(), "none": m}[reduction]


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(scale=3.0, size=(17, 6))
    y = (rng.random((17, 6)) < 0.3).astype(np.float64)
    return x, y


def _check(torch_out: torch.Tensor, ref: np.ndarray, reduction: str) -> None:
    expected = _reduce(ref, reduction)
    if reduction == "none":
        assert torch_out.shape == ref.shape
    else:
        assert torch_out.ndim == 0
    np.testing.assert_allclose(torch_out.detach().numpy(), expected, rtol=1e-10, atol=1e-12)


# --------------------------------------------------------------------------- reference values


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_matches_numpy(data: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    x, y = data
    ref = np_bce(x, y)
    _check(bce_loss(torch.tensor(x), torch.tensor(y), reduction), ref, reduction)
    _check(BCELoss(reduction=reduction)(torch.tensor(x), torch.tensor(y)), ref, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_weighted_bce_matches_numpy(data: tuple[np.ndarray, np.ndarray], reduction: str) -> None:
    x, y = data
    w = np.array([0.5, 1.0, 2.0, 3.5, 10.0, 0.0])
    ref = np_weighted_bce(x, y, w)
    _check(weighted_bce_loss(torch.tensor(x), torch.tensor(y), torch.tensor(w), reduction), ref, reduction)
    module = WeightedBCELoss(torch.tensor(w), reduction=reduction)
    _check(module(torch.tensor(x), torch.tensor(y)), ref, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(("gamma", "alpha"), [(2.0, None), (0.5, 0.25), (1.0, 0.75), (0.0, 0.6)])
def test_focal_matches_numpy(
    data: tuple[np.ndarray, np.ndarray], reduction: str, gamma: float, alpha: float | None
) -> None:
    x, y = data
    ref = np_focal(x, y, gamma, alpha)
    _check(focal_loss(torch.tensor(x), torch.tensor(y), gamma, alpha, reduction), ref, reduction)
    _check(FocalLoss(gamma, alpha, reduction)(torch.tensor(x), torch.tensor(y)), ref, reduction)


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize(
    ("gamma_pos", "gamma_neg", "margin"), [(0.0, 4.0, 0.05), (1.0, 2.0, 0.2), (0.5, 0.5, 0.0), (0.0, 0.0, 0.1)]
)
def test_asymmetric_matches_numpy(
    data: tuple[np.ndarray, np.ndarray], reduction: str, gamma_pos: float, gamma_neg: float, margin: float
) -> None:
    x, y = data
    ref = np_asymmetric(x, y, gamma_pos, gamma_neg, margin)
    out = asymmetric_loss(torch.tensor(x), torch.tensor(y), gamma_pos, gamma_neg, margin, reduction)
    _check(out, ref, reduction)
    module = AsymmetricLoss(gamma_pos, gamma_neg, margin, reduction)
    _check(module(torch.tensor(x), torch.tensor(y)), ref, reduction)


def test_closed_form_values() -> None:
    zero = torch.zeros(1, 1)
    one, nil = torch.ones(1, 1), torch.zeros(1, 1)
    assert bce_loss(zero, one).item() == pytest.approx(math.log(2))
    assert bce_loss(zero, nil).item() == pytest.approx(math.log(2))
    # focal at p = 1/2: (1/2)**gamma log 2, times alpha for a positive.
    assert focal_loss(zero, one, gamma=2.0).item() == pytest.approx(0.25 * math.log(2))
    assert focal_loss(zero, one, gamma=2.0, alpha=0.25).item() == pytest.approx(0.25 * 0.25 * math.log(2))
    assert focal_loss(zero, nil, gamma=2.0, alpha=0.25).item() == pytest.approx(0.75 * 0.25 * math.log(2))
    # weighted positive term: w log 2.
    assert weighted_bce_loss(zero, one, torch.tensor([3.0])).item() == pytest.approx(3 * math.log(2))
    # asymmetric negative at p = 1/2, m = 0.1: p_m = 0.4 -> -(0.4**4) log 0.6.
    expected = -(0.4**4) * math.log(0.6)
    assert asymmetric_loss(zero, nil, 0.0, 4.0, 0.1).item() == pytest.approx(expected)
    # easy negative (p <= margin) contributes exactly zero.
    assert asymmetric_loss(torch.full((1, 1), -5.0), nil, 0.0, 4.0, 0.05).item() == 0.0


# --------------------------------------------------------------------------- equivalences


def test_weighted_bce_with_unit_weights_equals_bce(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a) for a in data)
    ones = torch.ones(x.shape[1], dtype=x.dtype)
    for reduction in REDUCTIONS:
        torch.testing.assert_close(weighted_bce_loss(x, y, ones, reduction), bce_loss(x, y, reduction))
    torch.testing.assert_close(weighted_bce_loss(x, y, None), bce_loss(x, y))
    torch.testing.assert_close(WeightedBCELoss()(x, y), bce_loss(x, y))


def test_weighted_bce_equals_torch_pos_weight(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a) for a in data)
    w = torch.tensor([0.5, 1.0, 2.0, 3.5, 10.0, 100.0], dtype=x.dtype)
    for reduction in REDUCTIONS:
        expected = F.binary_cross_entropy_with_logits(x, y, pos_weight=w, reduction=reduction)
        torch.testing.assert_close(weighted_bce_loss(x, y, w, reduction), expected)


def test_bce_equals_torch(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a) for a in data)
    for reduction in REDUCTIONS:
        expected = F.binary_cross_entropy_with_logits(x, y, reduction=reduction)
        torch.testing.assert_close(bce_loss(x, y, reduction), expected)


def test_focal_gamma0_equals_bce(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a) for a in data)
    for reduction in REDUCTIONS:
        out = focal_loss(x, y, gamma=0.0, alpha=None, reduction=reduction)
        torch.testing.assert_close(out, bce_loss(x, y, reduction))


def test_asymmetric_all_zero_equals_bce(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a) for a in data)
    for reduction in REDUCTIONS:
        out = asymmetric_loss(x, y, gamma_pos=0.0, gamma_neg=0.0, margin=0.0, reduction=reduction)
        torch.testing.assert_close(out, bce_loss(x, y, reduction))


def test_asymmetric_margin_zero_equals_focal_without_alpha(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a) for a in data)
    torch.testing.assert_close(asymmetric_loss(x, y, 2.0, 2.0, 0.0, "none"), focal_loss(x, y, 2.0, None, "none"))


def test_integer_and_bool_targets_are_accepted(data: tuple[np.ndarray, np.ndarray]) -> None:
    x, y = (torch.tensor(a, dtype=torch.float32) for a in data)
    torch.testing.assert_close(bce_loss(x, y.bool()), bce_loss(x, y))
    torch.testing.assert_close(focal_loss(x, y.long()), focal_loss(x, y))


# --------------------------------------------------------------------------- positive_weights


def test_positive_weights_known_matrix() -> None:
    y = np.array(
        [
            [1, 0, 0, 1],
            [0, 0, 1, 1],
            [0, 0, 0, 1],
            [0, 0, 0, 1],
        ]
    )
    w = positive_weights(y)
    assert w.dtype == torch.float32 and w.shape == (4,)
    # label 0: 3 neg / 1 pos; label 1: no positive -> 1; label 2: 3/1; label 3: no negative -> 1.
    torch.testing.assert_close(w, torch.tensor([3.0, 1.0, 3.0, 1.0]))
    torch.testing.assert_close(positive_weights(torch.tensor(y)), w)
    torch.testing.assert_close(positive_weights(y, max_weight=2.0), torch.tensor([2.0, 1.0, 2.0, 1.0]))


def test_positive_weights_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="only 0 and 1"):
        positive_weights(np.array([[0.0, 0.5], [1.0, 0.0]]))
    with pytest.raises(InputError, match="shape"):
        positive_weights(np.array([0, 1, 1]))
    with pytest.raises(InputError, match="max_weight"):
        positive_weights(np.eye(3), max_weight=0.0)


def test_weighted_bce_module_buffer_and_state_dict() -> None:
    module = WeightedBCELoss([1.0, 2.0, 3.0])
    assert "pos_weight" in dict(module.named_buffers())
    state = module.state_dict()
    torch.testing.assert_close(state["pos_weight"], torch.tensor([1.0, 2.0, 3.0]))
    # A module built without weights can load them.
    fresh = WeightedBCELoss()
    fresh.load_state_dict(state)
    torch.testing.assert_close(fresh.pos_weight, torch.tensor([1.0, 2.0, 3.0]))
    # set_pos_weight replaces them.
    fresh.set_pos_weight(np.array([4.0, 5.0, 6.0]))
    torch.testing.assert_close(fresh.pos_weight, torch.tensor([4.0, 5.0, 6.0]))
    fresh.set_pos_weight(None)
    assert fresh.pos_weight is None


def test_weighted_bce_rejects_bad_weights() -> None:
    with pytest.raises(InputError, match="finite and >= 0"):
        WeightedBCELoss([1.0, -1.0])
    with pytest.raises(InputError, match="1-D"):
        WeightedBCELoss(torch.ones(2, 2))
    x, y = torch.zeros(2, 3), torch.zeros(2, 3)
    with pytest.raises(InputError, match="one weight per label"):
        WeightedBCELoss([1.0, 2.0])(x, y)


# --------------------------------------------------------------------------- numerical stability

LOSS_FNS: dict[str, Callable[[torch.Tensor, torch.Tensor], torch.Tensor]] = {
    "bce": lambda x, y: bce_loss(x, y, "sum"),
    "weighted_bce": lambda x, y: weighted_bce_loss(x, y, torch.full((x.shape[1],), 5.0), "sum"),
    "focal": lambda x, y: focal_loss(x, y, 2.0, 0.25, "sum"),
    "focal_frac_gamma": lambda x, y: focal_loss(x, y, 0.5, None, "sum"),
    "asymmetric": lambda x, y: asymmetric_loss(x, y, reduction="sum"),
    "asymmetric_frac_gamma": lambda x, y: asymmetric_loss(x, y, 0.5, 0.5, 0.05, "sum"),
    "asymmetric_no_margin": lambda x, y: asymmetric_loss(x, y, 1.0, 4.0, 0.0, "sum"),
    "asymmetric_gamma0_margin": lambda x, y: asymmetric_loss(x, y, 0.0, 0.0, 0.2, "sum"),
}


@pytest.mark.parametrize("name", sorted(LOSS_FNS))
@pytest.mark.parametrize("scale", [30.0, 1e4])
@pytest.mark.parametrize("dtype", [torch.float32, torch.float64])
def test_finite_values_and_gradients_at_extreme_logits(name: str, scale: float, dtype: torch.dtype) -> None:
    # every combination of (very positive / very negative logit) x (positive / negative target), plus 0.
    x = torch.tensor([[scale, -scale, scale, -scale, 0.0]], dtype=dtype, requires_grad=True)
    y = torch.tensor([[1.0, 1.0, 0.0, 0.0, 1.0]], dtype=dtype)
    loss = LOSS_FNS[name](x, y)
    loss.backward()
    assert torch.isfinite(loss)
    assert x.grad is not None and torch.isfinite(x.grad).all()


@pytest.mark.parametrize("name", sorted(LOSS_FNS))
def test_confident_mistakes_cost_more(name: str) -> None:
    x = torch.tensor([[30.0], [-30.0]])
    y = torch.tensor([[1.0], [1.0]])
    right = LOSS_FNS[name](x[:1], y[:1])
    wrong = LOSS_FNS[name](x[1:], y[1:])
    assert right.item() < 1e-6 < wrong.item()


# --------------------------------------------------------------------------- registry and validation


def test_registry_builds_losses() -> None:
    assert set(available_losses("multilabel")) >= {"bce", "weighted_bce", "focal", "asymmetric"}
    focal = build_loss("focal", "multilabel", gamma=1.0)
    assert isinstance(focal, FocalLoss) and focal.gamma == 1.0
    assert isinstance(build_loss("bce", "multilabel"), BCELoss)
    assert isinstance(build_loss("weighted_bce", "multilabel", pos_weight=[1.0, 2.0]), WeightedBCELoss)
    assert isinstance(build_loss("asymmetric", "multilabel", margin=0.1), AsymmetricLoss)


def test_registry_unknown_name_lists_known() -> None:
    with pytest.raises(InputError) as info:
        build_loss("hinge", "multilabel")
    message = str(info.value)
    assert "'hinge'" in message
    for name in ("bce", "weighted_bce", "focal", "asymmetric"):
        assert repr(name) in message


def test_input_errors() -> None:
    x = torch.zeros(3, 2)
    with pytest.raises(InputError, match="does not match"):
        bce_loss(x, torch.zeros(3, 3))
    with pytest.raises(InputError, match="n_samples, n_labels"):
        bce_loss(torch.zeros(3), torch.zeros(3))
    with pytest.raises(InputError, match="floating-point"):
        bce_loss(torch.zeros(3, 2, dtype=torch.long), torch.zeros(3, 2))
    with pytest.raises(InputError, match="reduction"):
        bce_loss(x, x, reduction="avg")
    with pytest.raises(InputError, match="reduction"):
        FocalLoss(reduction="avg")
    with pytest.raises(InputError, match="empty"):
        bce_loss(torch.zeros(0, 2), torch.zeros(0, 2))
    with pytest.raises(InputError, match="torch tensors"):
        bce_loss(np.zeros((3, 2)), x)  # type: ignore[arg-type]
    with pytest.raises(InputError, match="gamma"):
        FocalLoss(gamma=-1.0)
    with pytest.raises(InputError, match="alpha"):
        FocalLoss(alpha=1.5)
    with pytest.raises(InputError, match="margin"):
        AsymmetricLoss(margin=1.0)
    with pytest.raises(InputError, match="gamma_neg"):
        AsymmetricLoss(gamma_neg=float("nan"))


@pytest.mark.parametrize("name", sorted(LOSS_FNS))
def test_gradients_match_finite_differences(name: str) -> None:
    # logits chosen away from the asymmetric-loss kink at p = margin
    x = torch.tensor([[-4.0, -0.5, 0.3, 2.5], [1.7, -2.2, 0.9, -1.1]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 1.0]], dtype=torch.float64)
    assert torch.autograd.gradcheck(lambda z: LOSS_FNS[name](z, y), (x,))
