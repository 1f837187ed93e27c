"""Tests for weaklabel.losses.metric against NumPy references written from the papers' formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from weaklabel.exceptions import InputError
from weaklabel.losses import available_losses, build_loss
from weaklabel.losses.metric import (
    ArcFaceLoss,
    CenterLoss,
    CosFaceLoss,
    CosineSoftmaxLoss,
    SoftmaxLoss,
    arcface_loss,
    center_loss,
    cosface_loss,
    cosine_loss,
    softmax_loss,
    update_centers,
)

N, C, D = 12, 4, 3


# --------------------------------------------------------------------------- NumPy references (float64)


def np_ce(logits: np.ndarray, y: np.ndarray) -> np.ndarray:
    top = logits.max(axis=1, keepdims=True)
    lse = top[:, 0] + np.log(np.exp(logits - top).sum(axis=1))
    return lse - logits[np.arange(len(y)), y]


def np_cos(f: np.ndarray, W: np.ndarray) -> np.ndarray:
    fn = f / np.linalg.norm(f, axis=1, keepdims=True)
    Wn = W / np.linalg.norm(W, axis=1, keepdims=True)
    return fn @ Wn.T


def np_margin_ce(cos: np.ndarray, y: np.ndarray, target: np.ndarray, s: float) -> np.ndarray:
    logits = cos.copy()
    logits[np.arange(len(y)), y] = target
    return np_ce(s * logits, y)


def np_arcface_target(cos_y: np.ndarray, m: float) -> np.ndarray:
    theta = np.arccos(np.clip(cos_y, -1.0, 1.0))
    return np.where(theta + m <= math.pi, np.cos(theta + m), cos_y - (1.0 - math.cos(m)))


def np_center_update(x: np.ndarray, y: np.ndarray, centers: np.ndarray, alpha: float) -> np.ndarray:
    new = centers.copy()
    for j in range(len(centers)):
        members = y == j
        delta = (centers[j] - x[members]).sum(axis=0) / (1.0 + members.sum())
        new[j] = centers[j] - alpha * delta
    return new


@pytest.fixture()
def data() -> dict[str, np.ndarray]:
    rng = np.random.default_rng(0)
    y = rng.integers(0, C, N)
    y[:C] = np.arange(C)
    y[-1] = 0  # class 0 twice or more, others at least once
    return {
        "f": rng.normal(size=(N, D)) * 2.0,
        "y": y,
        "W": rng.normal(size=(C, D)),
        "b": rng.normal(size=C),
        "c": rng.normal(size=(C, D)),
    }


def t(a: np.ndarray) -> torch.Tensor:
    return torch.from_numpy(np.asarray(a))


def reduce(values: np.ndarray, reduction: str) -> np.ndarray | float:
    return {"mean": values.mean(), "sum": values.sum(), "none": values}[reduction]


# --------------------------------------------------------------------------- functions vs NumPy


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_softmax_and_center_match_numpy(data, reduction):
    f, y, W, b, c = data["f"], data["y"], data["W"], data["b"], data["c"]
    ce = np_ce(f @ W.T + b, y)
    got = softmax_loss(t(f), t(y), t(W), t(b), reduction)
    np.testing.assert_allclose(got.numpy(), reduce(ce, reduction), rtol=1e-10)
    lam = 0.3
    expected = ce + lam / 2 * ((f - c[y]) ** 2).sum(axis=1)
    got = center_loss(t(f), t(y), t(W), t(b), t(c), lam, reduction)
    np.testing.assert_allclose(got.numpy(), reduce(expected, reduction), rtol=1e-10)


@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_cosine_family_matches_numpy(data, reduction):
    f, y, W = data["f"], data["y"], data["W"]
    cos = np_cos(f, W)
    cos_y = cos[np.arange(N), y]
    tol = dict(rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(cosine_loss(t(f), t(y), t(W), 7.0, reduction).numpy(), reduce(np_ce(7.0 * cos, y), reduction), **tol)
    expected = np_margin_ce(cos, y, cos_y - 0.35, 30.0)
    np.testing.assert_allclose(cosface_loss(t(f), t(y), t(W), 30.0, 0.35, reduction).numpy(), reduce(expected, reduction), **tol)
    expected = np_margin_ce(cos, y, np_arcface_target(cos_y, 0.5), 30.0)
    np.testing.assert_allclose(arcface_loss(t(f), t(y), t(W), 30.0, 0.5, reduction).numpy(), reduce(expected, reduction), **tol)


def test_arcface_beyond_pi_uses_the_linear_fallback_and_stays_finite():
    W = torch.tensor([[1.0, 0.0], [0.0, 1.0]], dtype=torch.float64)
    # cos θ_y = -1 (θ = π), ≈ -0.95 (θ + m > π), 1 (θ = 0): the three numerically delicate places
    f = torch.tensor([[-1.0, 0.0], [-0.95, 0.31], [3.0, 0.0]], dtype=torch.float64, requires_grad=True)
    y = torch.tensor([0, 0, 0])
    loss = arcface_loss(f, y, W, scale=10.0, margin=0.5, reduction="none")
    cos = np_cos(f.detach().numpy(), W.numpy())
    expected = np_margin_ce(cos, y.numpy(), np_arcface_target(cos[:, 0], 0.5), 10.0)
    np.testing.assert_allclose(loss.detach().numpy(), expected, rtol=1e-7)
    loss.sum().backward()
    assert torch.isfinite(f.grad).all()


def test_arcface_loss_grows_with_the_angle_to_the_target():
    """cos(θ+m) and its fallback join continuously at θ = π − m; the loss rises with θ over [0, π]."""
    W = torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 1.0]], dtype=torch.float64)  # other class orthogonal to every f
    theta = torch.linspace(0.0, math.pi, 721, dtype=torch.float64)
    f = torch.stack([torch.cos(theta), torch.sin(theta), torch.zeros_like(theta)], dim=1)
    losses = arcface_loss(f, torch.zeros(len(f), dtype=torch.long), W, scale=5.0, margin=0.5, reduction="none")
    steps = torch.diff(losses)
    assert (steps > 0).all()
    assert steps.max() < 5 * steps.median()  # no jump at θ = π − m


@pytest.mark.parametrize("fn", [softmax_loss, cosine_loss, cosface_loss, arcface_loss])
def test_gradients_match_finite_differences(data, fn):
    f = t(data["f"]).requires_grad_(True)
    W = t(data["W"]).requires_grad_(True)
    args = (t(data["b"]),) if fn is softmax_loss else ()
    assert torch.autograd.gradcheck(lambda f_, W_: fn(f_, t(data["y"]), W_, *args), (f, W))


def test_center_update_rule_matches_the_paper(data):
    x, y, c = data["f"], data["y"].copy(), data["c"]
    y[y == 3] = 2  # class 3 absent from the batch: its centre must not move
    got = update_centers(t(x), t(y), t(c), alpha=0.5).numpy()
    np.testing.assert_allclose(got, np_center_update(x, y, c, 0.5), rtol=1e-12)
    np.testing.assert_array_equal(got[3], c[3])


# --------------------------------------------------------------------------- modules


def test_registry_lists_the_metric_family():
    assert available_losses("metric") == ["arcface", "center", "cosface", "cosine", "softmax"]
    for name in available_losses("metric"):
        loss = build_loss(name, "metric", n_classes=C, embedding_dim=D)
        f = torch.randn(N, D)
        assert loss.logits(f).shape == (N, C)
        assert torch.isfinite(loss(f, torch.arange(N) % C))


def test_center_module_moves_centres_only_in_training(data):
    torch.manual_seed(0)
    loss = CenterLoss(C, D, lam=0.1, alpha=0.5).double()
    assert "centers" in loss.state_dict() and all(p is not loss.centers for p in loss.parameters())
    f, y = t(data["f"]), t(data["y"])
    before = loss.centers.clone()
    expected_loss = center_loss(f, y, loss.weight, loss.bias, before, 0.1)
    got = loss(f, y)
    torch.testing.assert_close(got, expected_loss)  # the loss uses the centres before the update
    np.testing.assert_allclose(loss.centers.numpy(), np_center_update(data["f"], data["y"], before.numpy(), 0.5), rtol=1e-12)
    loss.eval()
    after = loss.centers.clone()
    loss(f, y)
    torch.testing.assert_close(loss.centers, after)


def test_center_loss_pulls_features_not_centres(data):
    loss = CenterLoss(C, D, lam=1.0).double()
    f = t(data["f"]).requires_grad_(True)
    loss.eval()
    loss(f, t(data["y"])).backward()
    assert f.grad is not None and loss.centers.grad is None


def test_cosine_scale_learnable_or_fixed(data):
    learn = CosineSoftmaxLoss(C, D, scale=10.0).double()
    learn(t(data["f"]), t(data["y"])).backward()
    assert isinstance(learn.scale, torch.nn.Parameter) and learn.scale.grad is not None
    fixed = CosineSoftmaxLoss(C, D, scale=10.0, learn_scale=False)
    assert not any(p is fixed.scale for p in fixed.parameters()) and "scale" in fixed.state_dict()


@pytest.mark.parametrize("cls", [CosFaceLoss, ArcFaceLoss])
def test_margin_losses_predict_without_margin(cls, data):
    loss = cls(C, D).double()
    f = t(data["f"])
    torch.testing.assert_close(loss.logits(f), t(loss.scale.item() * np_cos(data["f"], loss.weight.detach().numpy())))
    plain = CosineSoftmaxLoss(C, D, scale=loss.scale.item(), learn_scale=False).double()
    plain.weight.data.copy_(loss.weight.data)
    assert loss(f, t(data["y"])) > plain(f, t(data["y"]))  # the margin makes the target harder


def test_softmax_module_is_stable_for_huge_embeddings():
    loss = SoftmaxLoss(C, D)
    value = loss(torch.full((2, D), 1e4), torch.tensor([0, 1]))
    assert torch.isfinite(value)
    zero = CosineSoftmaxLoss(C, D)(torch.zeros(2, D), torch.tensor([0, 1]))
    assert torch.isfinite(zero)


@pytest.mark.parametrize(
    "make",
    [
        lambda: SoftmaxLoss(1, D),
        lambda: SoftmaxLoss(C, 0),
        lambda: SoftmaxLoss(C, D, reduction="avg"),
        lambda: CenterLoss(C, D, alpha=0.0),
        lambda: CenterLoss(C, D, lam=-1.0),
        lambda: CosineSoftmaxLoss(C, D, scale=0.0),
        lambda: ArcFaceLoss(C, D, margin=2.0),
    ],
)
def test_bad_parameters_are_input_errors(make):
    with pytest.raises(InputError):
        make()


def test_bad_inputs_are_input_errors():
    loss = SoftmaxLoss(C, D)
    with pytest.raises(InputError, match="shape"):
        loss(torch.randn(N, D + 1), torch.zeros(N, dtype=torch.long))
    with pytest.raises(InputError, match="integer"):
        loss(torch.randn(N, D), torch.zeros(N))
    with pytest.raises(InputError, match="one class index"):
        loss(torch.randn(N, D), torch.zeros(N - 1, dtype=torch.long))
    with pytest.raises(InputError, match="torch tensors"):
        loss(np.zeros((N, D)), torch.zeros(N, dtype=torch.long))
