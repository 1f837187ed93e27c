"""Partial-label losses against independent NumPy computations, their per-item weights, and properties."""

import numpy as np
import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

from weaklabel.exceptions import InputError
from weaklabel.losses import available_losses, build_loss, get_loss_entry
from weaklabel.losses.partial_label import (
    CCLoss,
    NaiveLoss,
    PRODENLoss,
    RCLoss,
    candidate_posterior,
    cc_loss,
    naive_loss,
    weighted_cross_entropy,
)

LOGITS = np.array([[2.0, -1.0, 0.5, 0.0], [-3.0, 4.0, 1.0, -0.5], [0.3, 0.2, -0.1, 5.0]])
CANDIDATES = np.array([[1.0, 0.0, 1.0, 0.0], [0.0, 1.0, 0.0, 0.0], [1.0, 1.0, 1.0, 1.0]])


def softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)


def test_the_family_holds_the_four_losses_and_only_rc_has_an_epoch_hook():
    assert available_losses("partial_label") == ["cc", "naive", "proden", "rc"]
    classes = {name: get_loss_entry(name, "partial_label").module for name in available_losses("partial_label")}
    assert [name for name, cls in classes.items() if cls.has_epoch_hooks()] == ["rc"]
    assert [name for name, cls in classes.items() if "index" in cls.inputs] == ["naive", "proden", "rc"]


def test_cc_is_minus_log_of_the_candidate_probability_mass():
    p = softmax(LOGITS)
    expected = -np.log((p * CANDIDATES).sum(axis=1))
    np.testing.assert_allclose(cc_loss(t(LOGITS), t(CANDIDATES), "none").numpy(), expected, rtol=1e-12)
    np.testing.assert_allclose(CCLoss()(t(LOGITS), t(CANDIDATES)).item(), expected.mean(), rtol=1e-12)
    np.testing.assert_allclose(CCLoss(reduction="sum")(t(LOGITS), t(CANDIDATES)).item(), expected.sum(), rtol=1e-12)
    assert expected[2] == pytest.approx(0.0, abs=1e-12)  # every class a candidate: nothing to learn


def test_naive_averages_minus_log_p_over_the_candidates():
    log_p = np.log(softmax(LOGITS))
    expected = np.array([-(log_p[i] * CANDIDATES[i]).sum() / CANDIDATES[i].sum() for i in range(3)])
    np.testing.assert_allclose(naive_loss(t(LOGITS), t(CANDIDATES), "none").numpy(), expected, rtol=1e-12)
    loss = NaiveLoss()
    loss.setup(t(CANDIDATES), seed=0)
    np.testing.assert_allclose(loss(t(LOGITS), t(CANDIDATES), torch.arange(3)).item(), expected.mean(), rtol=1e-12)


def test_candidate_posterior_restricts_and_renormalises_the_probabilities():
    p = softmax(LOGITS) * CANDIDATES
    np.testing.assert_allclose(candidate_posterior(t(LOGITS), t(CANDIDATES)).numpy(), p / p.sum(axis=1, keepdims=True), rtol=1e-12)
    far = torch.tensor([[1e4, -1e4, -1e4]])  # the only candidate has probability exp(-2e4): still a distribution
    np.testing.assert_allclose(candidate_posterior(far, torch.tensor([[0.0, 1.0, 1.0]])).numpy(), [[0.0, 0.5, 0.5]])


def test_weighted_cross_entropy_is_minus_the_weighted_log_probabilities():
    weights = np.array([[0.7, 0.0, 0.3, 0.0], [0.0, 1.0, 0.0, 0.0], [0.1, 0.2, 0.3, 0.4]])
    expected = -(weights * np.log(softmax(LOGITS))).sum(axis=1)
    np.testing.assert_allclose(weighted_cross_entropy(t(LOGITS), t(weights), "none").numpy(), expected, rtol=1e-12)


def test_rc_trains_on_its_weights_and_refreshes_them_from_the_model_after_an_epoch():
    loss = RCLoss(reduction="none")
    loss.setup(t(CANDIDATES), seed=0)
    uniform = CANDIDATES / CANDIDATES.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.weights.numpy(), uniform)
    log_p = np.log(softmax(LOGITS))
    np.testing.assert_allclose(loss(t(LOGITS), t(CANDIDATES), torch.arange(3)).numpy(), -(uniform * log_p).sum(axis=1), rtol=1e-6)
    later = LOGITS[::-1].copy()  # what the model predicts for the three training rows at the end of the epoch
    loss.on_epoch_end(0, lambda: t(later))
    posterior = softmax(later) * CANDIDATES
    posterior /= posterior.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(loss.weights.numpy(), posterior, rtol=1e-6)
    rows = torch.tensor([2, 0])
    np.testing.assert_allclose(
        loss(t(LOGITS[[2, 0]]), t(CANDIDATES[[2, 0]]), rows).numpy(), -(posterior[[2, 0]] * log_p[[2, 0]]).sum(axis=1), rtol=1e-6
    )


def test_proden_replaces_the_batch_rows_weights_with_the_batch_predictions():
    loss = PRODENLoss()
    loss.setup(t(CANDIDATES), seed=0)
    before = loss.weights.clone().numpy()
    rows = torch.tensor([1, 2])
    value = loss(t(LOGITS[[0, 1]]), t(CANDIDATES[[1, 2]]), rows)  # logits of rows 1 and 2 (any values)
    uniform = CANDIDATES[[1, 2]] / CANDIDATES[[1, 2]].sum(axis=1, keepdims=True)
    assert value.item() == pytest.approx(-(uniform * np.log(softmax(LOGITS[[0, 1]]))).sum(axis=1).mean(), rel=1e-6)  # the old weights
    new = softmax(LOGITS[[0, 1]]) * CANDIDATES[[1, 2]]
    np.testing.assert_allclose(loss.weights[rows].numpy(), new / new.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_array_equal(loss.weights[0].numpy(), before[0])  # a row outside the batch keeps its weights


def test_the_weights_are_constants_of_the_gradient():
    """d/dz of -Σ w_j log p_j with w held fixed is (p - w) / n for the mean: the weights carry no gradient."""
    loss = PRODENLoss()
    loss.setup(t(CANDIDATES), seed=0)
    logits = t(LOGITS).requires_grad_(True)
    loss(logits, t(CANDIDATES), torch.arange(3)).backward()
    uniform = CANDIDATES / CANDIDATES.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(logits.grad.numpy(), (softmax(LOGITS) - uniform) / 3, rtol=1e-6, atol=1e-12)
    assert not loss.weights.requires_grad


@pytest.mark.parametrize("cls", [NaiveLoss, RCLoss, PRODENLoss])
def test_without_index_the_reweighted_losses_score_the_candidate_likelihood(cls):
    """The validation split has no per-item weights: it is scored by CC, whatever the loss."""
    loss = cls()
    loss.setup(t(CANDIDATES), seed=0)
    assert loss(t(LOGITS), t(CANDIDATES), None).item() == pytest.approx(cc_loss(t(LOGITS), t(CANDIDATES)).item(), rel=1e-12)


def test_bad_candidate_sets_are_refused_by_name():
    with pytest.raises(InputError, match="a candidate set is empty"):
        cc_loss(t(LOGITS), t(CANDIDATES * np.array([[0.0], [1.0], [1.0]])))
    with pytest.raises(InputError, match="a candidate set is empty"):
        RCLoss().setup(torch.zeros(2, 3), seed=0)
    with pytest.raises(InputError, match=r"candidate sets have shape \(3, 3\) but logits \(3, 4\)"):
        cc_loss(t(LOGITS), t(CANDIDATES[:, :3]))
    with pytest.raises(InputError, match="call setup"):
        RCLoss().on_epoch_end(0, lambda: t(LOGITS))


EXTREMES = [-1e4, -100.0, -30.0, 0.0, 30.0, 100.0, 1e4]


@st.composite
def problems(draw):
    """(float32 logits, candidate sets with at least one candidate per row), logits drawn from extreme values."""
    n, k = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    value = st.one_of(st.sampled_from(EXTREMES), st.floats(-50, 50, allow_nan=False))
    logits = torch.tensor(draw(st.lists(value, min_size=n * k, max_size=n * k)), dtype=torch.float32).view(n, k)
    candidates = torch.tensor(draw(st.lists(st.integers(0, 1), min_size=n * k, max_size=n * k)), dtype=torch.float32).view(n, k)
    candidates[torch.arange(n), torch.tensor(draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))] = 1.0
    return logits, candidates


def _value(name: str, logits: torch.Tensor, candidates: torch.Tensor, reduction: str = "mean") -> torch.Tensor:
    loss = build_loss(name, "partial_label", reduction=reduction)
    loss.setup(candidates, seed=0)
    return loss(logits, candidates, torch.arange(len(logits))) if "index" in type(loss).inputs else loss(logits, candidates)


@pytest.mark.parametrize("name", available_losses("partial_label"))
@settings(max_examples=20, deadline=None, derandomize=True)
@given(problem=problems(), data=st.data())
def test_finite_and_invariant_to_class_permutation_and_reductions_agree(name, problem, data):
    logits, candidates = problem
    x = logits.clone().requires_grad_(True)
    value = _value(name, x, candidates)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(x.grad).all()
    perm = torch.tensor(data.draw(st.permutations(range(logits.shape[1]))))
    torch.testing.assert_close(_value(name, logits[:, perm], candidates[:, perm]), value.detach(), rtol=1e-5, atol=1e-5)
    none = _value(name, logits, candidates, "none")
    torch.testing.assert_close(_value(name, logits, candidates, "sum"), none.sum(), rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(value.detach(), none.mean(), rtol=1e-5, atol=1e-4)
