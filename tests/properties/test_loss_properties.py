"""Property tests of every registered loss: finite values and gradients, label-permutation invariance, reductions."""

import inspect

import pytest
import torch
from hypothesis import given, settings
from hypothesis import strategies as st

import weaklabel.losses.positive_only  # noqa: F401  (registers the positive_only family)
from weaklabel.losses import available_losses, build_loss
from weaklabel.losses.positive_only import PositiveOnlyLoss

SETTINGS = settings(max_examples=15, deadline=None, derandomize=True)
EXTREMES = [-1e4, -100.0, -30.0, -1e-8, 0.0, 1e-8, 30.0, 100.0, 1e4]
LOGIT_LOSSES = [("multilabel", n) for n in available_losses("multilabel")] + [
    ("positive_only", n) for n in available_losses("positive_only") if n != "label_embedding"
]


@st.composite
def problems(draw, at_least_one_positive: bool = False):
    """(logits, 0/1 targets) of shape (n, L), logits drawn from extreme and ordinary values."""
    n, L = draw(st.integers(1, 6)), draw(st.integers(2, 5))
    value = st.one_of(st.sampled_from(EXTREMES), st.floats(-50, 50, allow_nan=False))
    logits = torch.tensor(draw(st.lists(value, min_size=n * L, max_size=n * L)), dtype=torch.float32).view(n, L)
    targets = torch.tensor(draw(st.lists(st.integers(0, 1), min_size=n * L, max_size=n * L)), dtype=torch.float32).view(n, L)
    if at_least_one_positive:
        targets[torch.arange(n), draw(st.lists(st.integers(0, L - 1), min_size=n, max_size=n))] = 1.0
    return logits, targets


def _loss(family: str, name: str, targets: torch.Tensor, **kwargs) -> torch.nn.Module:
    loss = build_loss(name, family, **kwargs)
    if isinstance(loss, PositiveOnlyLoss):
        loss.setup(targets, seed=0)
    return loss


def _call(loss: torch.nn.Module, logits: torch.Tensor, targets: torch.Tensor) -> torch.Tensor:
    if isinstance(loss, PositiveOnlyLoss):
        return loss(logits, targets, torch.arange(len(logits)))
    return loss(logits, targets)


def _stateless(family: str, name: str) -> bool:
    """Whether the loss keeps no per-item state (so permuting the labels permutes nothing hidden)."""
    module = build_loss(name, family)
    return not isinstance(module, PositiveOnlyLoss) or type(module).setup is PositiveOnlyLoss.setup


@pytest.mark.parametrize("family,name", LOGIT_LOSSES)
@SETTINGS
@given(problem=problems(at_least_one_positive=True))
def test_finite_value_and_gradient_for_extreme_logits(family, name, problem):
    logits, targets = problem
    logits.requires_grad_(True)
    value = _call(_loss(family, name, targets), logits, targets)
    value.backward()
    assert value.ndim == 0 and torch.isfinite(value)
    assert torch.isfinite(logits.grad).all()


@pytest.mark.parametrize("family,name", [fn for fn in LOGIT_LOSSES if _stateless(*fn)])
@SETTINGS
@given(problem=problems(at_least_one_positive=True), data=st.data())
def test_invariant_to_label_permutation(family, name, problem, data):
    logits, targets = problem
    perm = torch.tensor(data.draw(st.permutations(range(logits.shape[1]))))
    loss = _loss(family, name, targets)
    a = _call(loss, logits, targets)
    b = _call(loss, logits[:, perm], targets[:, perm])
    torch.testing.assert_close(a, b, rtol=1e-5, atol=1e-5)


REDUCIBLE = [fn for fn in LOGIT_LOSSES if "reduction" in inspect.signature(build_loss(fn[1], fn[0]).__class__.__init__).parameters]


@pytest.mark.parametrize("family,name", REDUCIBLE)
@SETTINGS
@given(data=st.data())
def test_reductions_agree(family, name, data):
    """``"none"`` sums to ``"sum"`` and averages to ``"mean"`` (batch-level terms included), for every loss that
    takes ``reduction``; positive-only items have an observed positive, as those losses require."""
    logits, targets = data.draw(problems(at_least_one_positive=family == "positive_only"))
    none = _call(_loss(family, name, targets, reduction="none"), logits, targets)
    mean = _call(_loss(family, name, targets, reduction="mean"), logits, targets)
    total = _call(_loss(family, name, targets, reduction="sum"), logits, targets)
    torch.testing.assert_close(total, none.sum(), rtol=1e-5, atol=1e-4)
    torch.testing.assert_close(mean, total / none.numel(), rtol=1e-5, atol=1e-4)


def test_every_multilabel_and_positive_only_loss_is_covered():
    assert REDUCIBLE and len(LOGIT_LOSSES) == len(available_losses("multilabel")) + len(available_losses("positive_only")) - 1


@SETTINGS
@given(problem=problems(), data=st.data())
def test_scan_losses_finite_and_invariant_to_class_permutation(problem, data):
    logits, neighbor = problem[0], problem[0].flip(0)
    perm = torch.tensor(data.draw(st.permutations(range(logits.shape[1]))))
    far = ~torch.eye(len(logits), dtype=torch.bool)
    for name, extra in (("scan", ()), ("minmax_scan", (far,))):
        loss = build_loss(name, "clustering")
        x = logits.clone().requires_grad_(True)
        value = loss(x, neighbor, *extra)
        value.backward()
        assert torch.isfinite(value) and torch.isfinite(x.grad).all()
        torch.testing.assert_close(loss(logits[:, perm], neighbor[:, perm], *extra), value.detach(), rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("name", available_losses("metric"))
@SETTINGS
@given(scale=st.sampled_from([1e-6, 1.0, 1e4]), seed=st.integers(0, 2**16))
def test_metric_losses_finite_for_tiny_and_huge_embeddings(name, scale, seed):
    g = torch.Generator().manual_seed(seed)
    embeddings = (torch.randn(8, 4, generator=g) * scale).requires_grad_(True)
    targets = torch.randint(0, 3, (8,), generator=g)
    torch.manual_seed(0)
    value = build_loss(name, "metric", n_classes=3, embedding_dim=4)(embeddings, targets)
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(embeddings.grad).all()
