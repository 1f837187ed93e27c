"""Positive-only losses against independent NumPy computations written from the papers' formulas."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from weaklabel.exceptions import InputError
from weaklabel.losses import available_losses, build_loss
from weaklabel.losses.positive_only import (
    EMAPLLoss,
    LargeLossRejection,
    ROLELoss,
    assume_negative_loss,
    em_loss,
    epr_loss,
    label_embedding_loss,
    label_smoothing_loss,
    large_loss_rejection,
    observed_softmax_loss,
    role_loss,
    selection_likelihood_loss,
    selection_posterior,
    selection_propensity,
    weak_negative_loss,
)

N, L = 6, 5


def _sig(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


@pytest.fixture
def data() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    x = rng.normal(scale=2.0, size=(N, L))
    y = np.zeros((N, L))
    y[np.arange(N), rng.integers(0, L, N)] = 1.0
    return x, y


def _t(a: np.ndarray) -> torch.Tensor:
    return torch.tensor(a, dtype=torch.float64)


def np_bce(x: np.ndarray, t: np.ndarray) -> np.ndarray:
    p = _sig(x)
    return -(t * np.log(p) + (1 - t) * np.log(1 - p))


def test_registered() -> None:
    expected = {"assume_negative", "label_smoothing", "weak_negative", "epr", "role", "em_apl", "large_loss", "label_embedding", "selection_likelihood", "softmax"}
    assert expected <= set(available_losses("positive_only"))


def test_assume_negative(data) -> None:
    x, y = data
    assert assume_negative_loss(_t(x), _t(y)).item() == pytest.approx(np_bce(x, y).mean(), rel=1e-10)


def test_observed_softmax_matches_numpy(data) -> None:
    """-sum_c (o_c / |o|) log(exp x_c / sum_c' exp x_c') per item, written out in NumPy (log-sum-exp by hand)."""
    x, y = data
    y = y.copy()
    y[0, (np.argmax(y[0]) + 2) % L] = 1.0  # an item with two observed positives shares its weight
    top = x.max(axis=1, keepdims=True)
    log_q = x - (top + np.log(np.exp(x - top).sum(axis=1, keepdims=True)))
    per_item = -(y * log_q).sum(axis=1) / y.sum(axis=1)
    np.testing.assert_allclose(observed_softmax_loss(_t(x), _t(y), reduction="none").numpy(), per_item, rtol=1e-12)
    assert observed_softmax_loss(_t(x), _t(y)).item() == pytest.approx(per_item.mean(), rel=1e-12)
    assert build_loss("softmax", "positive_only", reduction="sum")(_t(x), _t(y)).item() == pytest.approx(per_item.sum(), rel=1e-12)
    assert build_loss("softmax", "positive_only").scores == "softmax"


def test_observed_softmax_is_the_likelihood_of_a_uniform_pick() -> None:
    """With q = the distribution of a uniform pick from S (1/|S| on S), the loss is log |S|, its minimum over
    logits for that item: no other scores make the picks of S more likely."""
    S = np.array([1.0, 1.0, 1.0, 0.0])
    q = S / S.sum()
    x = torch.tensor(np.log(np.where(q > 0, q, 1e-30)), requires_grad=True)
    picks = torch.eye(4, dtype=torch.float64)[:3]  # each positive of S observed once
    value = observed_softmax_loss(x.expand(3, 4), picks)
    value.backward()
    assert value.item() == pytest.approx(math.log(3), rel=1e-9)
    assert x.grad.abs().max().item() < 1e-9


def test_label_smoothing(data) -> None:
    x, y = data
    p = _sig(x)
    ref = np.where(y == 1, -(0.9 * np.log(p) + 0.1 * np.log(1 - p)), -(0.9 * np.log(1 - p) + 0.1 * np.log(p))).mean()
    assert label_smoothing_loss(_t(x), _t(y), 0.1).item() == pytest.approx(ref, rel=1e-10)


def test_weak_negative_default_gamma(data) -> None:
    x, y = data
    p = _sig(x)
    ref = np.where(y == 1, -np.log(p), -np.log(1 - p) / (L - 1)).mean()
    assert weak_negative_loss(_t(x), _t(y)).item() == pytest.approx(ref, rel=1e-10)


def test_epr(data) -> None:
    x, y = data
    p = _sig(x)
    ref = np.where(y == 1, -np.log(p), 0.0).mean() + (p.sum(axis=1).mean() - 1.5) ** 2 / L**2
    assert epr_loss(_t(x), _t(y), 1.5).item() == pytest.approx(ref, rel=1e-10)


def test_role(data) -> None:
    x, y = data
    g_logits = np.random.default_rng(1).normal(size=(N, L))
    f, g = _sig(x), _sig(g_logits)
    pos = np.where(y == 1, -np.log(f) - np.log(g), 0.0)
    cross = np_bce(x, g) + np_bce(g_logits, f)
    reg = (f.sum(1).mean() - 2.0) ** 2 / L**2 + (g.sum(1).mean() - 2.0) ** 2 / L**2
    ref = 0.5 * (pos.mean() + cross.mean() + reg)
    assert role_loss(_t(x), _t(y), _t(g_logits), 2.0).item() == pytest.approx(ref, rel=1e-10)


def test_role_gradients_follow_its_stop_gradients(data) -> None:
    """Analytic gradients: each cross term trains only its first argument (the classifier learns from sg(g),
    the label estimates from sg(f)); EPR's gradient is 2(s̄ − k)/(N L²) · p(1 − p) per entry."""
    x, y = data
    u = np.random.default_rng(1).normal(size=(N, L))
    f, g = _sig(x), _sig(u)
    z_t, u_t = _t(x).requires_grad_(), _t(u).requires_grad_()
    role_loss(z_t, _t(y), u_t, 2.0).backward()
    M = N * L

    def grad(p, other):
        epr = 2 * (p.sum(1).mean() - 2.0) / (N * L**2) * p * (1 - p)
        return 0.5 * ((-y * (1 - p) + (p - other)) / M + epr)

    np.testing.assert_allclose(z_t.grad.numpy(), grad(f, g), rtol=1e-9, atol=1e-15)
    np.testing.assert_allclose(u_t.grad.numpy(), grad(g, f), rtol=1e-9, atol=1e-15)


def test_role_module_learns_label_estimates(data) -> None:
    x, y = data
    loss = ROLELoss(expected_positives=2.0)
    loss.setup(_t(y).float(), seed=0)
    est = loss.label_logits.detach()
    assert np.allclose(est[_t(y) > 0].numpy(), math.log(0.995 / 0.005))
    assert float(est[_t(y) == 0].abs().max()) <= math.log(1.5) + 1e-6
    logits = _t(x).float().requires_grad_()
    loss(logits, _t(y).float(), torch.arange(N)).backward()
    assert loss.label_logits.grad is not None and loss.label_logits.grad.abs().sum() > 0
    # without index (validation) it is EPR on the classifier alone
    assert loss(_t(x), _t(y)).item() == pytest.approx(epr_loss(_t(x), _t(y), 2.0).item())


def test_em_with_pseudo_labels(data) -> None:
    x, y = data
    p = _sig(x)
    pseudo = np.full((N, L), np.nan)
    pseudo[0, (np.argmax(y[0]) + 1) % L] = 0.05
    entropy = -(p * np.log(p) + (1 - p) * np.log(1 - p))
    unknown = np.where(np.isnan(pseudo), -0.2 * entropy, 0.7 * np_bce(x, np.nan_to_num(pseudo)))
    ref = np.where(y == 1, -np.log(p), unknown).mean()
    assert em_loss(_t(x), _t(y), 0.2, _t(pseudo), 0.7).item() == pytest.approx(ref, rel=1e-10)


def test_apl_picks_lowest_unknowns() -> None:
    y = torch.zeros(10, 2)
    y[0, 0] = 1.0
    loss = EMAPLLoss(apl_epochs=3)
    loss.setup(y, seed=0)
    logits = torch.arange(20, dtype=torch.float32).view(10, 2)
    loss.add_pseudo_negatives(logits)
    marked = ~torch.isnan(loss.pseudo_targets)
    # label 0: 9 unknowns → int(0.9*9/3) = 2 lowest unknown rows (1, 2; row 0 is observed)
    assert torch.equal(marked[:, 0].nonzero().flatten(), torch.tensor([1, 2]))
    assert torch.equal(marked[:, 1].nonzero().flatten(), torch.tensor([0, 1, 2]))
    assert loss.pseudo_targets[1, 0].item() == pytest.approx(float(torch.sigmoid(torch.tensor(2.0))))
    loss.add_pseudo_negatives(logits)  # next epoch: the next lowest free entries
    assert int((~torch.isnan(loss.pseudo_targets[:, 0])).sum()) == 4


def test_apl_quota_is_a_share_of_the_initial_unknowns_and_starts_at_the_warmup_epoch() -> None:
    """Zhou et al.'s main.py: int(0.9 × unknowns at the start / apl_epochs) per epoch, every epoch, from the
    end of (1-based) epoch ``warmup`` on. 99 unknowns, 3 APL epochs: 29 a round (a quota of the still-free
    entries would give 29 then int(0.9 × 70 / 3) = 21)."""
    y = torch.zeros(100, 2)
    y[0] = 1.0
    loss = EMAPLLoss(warmup=2, apl_epochs=3)
    loss.setup(y, seed=0)
    logits = torch.randn(100, 2, generator=torch.Generator().manual_seed(0))
    assert EMAPLLoss.has_epoch_hooks()
    marked = []
    for epoch in range(4):  # 0-based, as the engine counts
        loss.on_epoch_end(epoch, lambda: logits)
        marked.append(int((~torch.isnan(loss.pseudo_targets[:, 0])).sum()))
    assert marked == [0, 29, 58, 87]


def test_large_loss_rejection(data) -> None:
    x, y = data
    per = np_bce(x, y)
    rate = 0.1
    k = math.ceil(N * L * rate)
    unknown_losses = np.sort(per[y == 0])[::-1]
    ref = (per.sum() - unknown_losses[:k].sum()) / (N * L)
    assert large_loss_rejection(_t(x), _t(y), rate).item() == pytest.approx(ref, rel=1e-10)
    assert large_loss_rejection(_t(x), _t(y), 0.0).item() == pytest.approx(per.mean(), rel=1e-10)


def test_large_loss_rejection_counts_all_entries_and_rejects_only_unknowns() -> None:
    """k = ceil(n L rate) (Kim et al.'s count over the batch's entries: 5 here, not ceil(16 × 0.25) = 4 of
    the unknowns), and the observed positives, given the largest losses here, are never rejected."""
    rng = np.random.default_rng(3)
    x = rng.normal(size=(4, 5))
    y = np.zeros((4, 5))
    y[np.arange(4), [0, 1, 2, 3]] = 1
    x[y == 1] = -6.0  # confidently wrong on the positives: the largest losses of the batch
    per = np_bce(x, y)
    k = 5
    ref = (per.sum() - np.sort(per[y == 0])[::-1][:k].sum()) / 20
    assert large_loss_rejection(_t(x), _t(y), 0.25).item() == pytest.approx(ref, rel=1e-10)


def test_large_loss_schedule() -> None:
    loss = LargeLossRejection(delta=0.01, max_rate=0.03)
    assert [(setattr(loss, "epoch", e), loss.reject_rate)[1] for e in (0, 2, 10)] == pytest.approx([0.0, 0.02, 0.03])


def test_label_embedding(data) -> None:
    _, y = data
    rng = np.random.default_rng(2)
    z, e = rng.normal(size=(N, 3)), rng.normal(size=(L, 3))
    d2 = ((z[:, None, :] - e[None]) ** 2).sum(-1)
    pairs = [np.linalg.norm(e[a] - e[b]) for a in range(L) for b in range(a + 1, L)]
    ref = d2[y == 1].mean() - 0.5 * np.mean(pairs)
    assert label_embedding_loss(_t(d2), _t(y), _t(e), 0.5).item() == pytest.approx(ref, rel=1e-10)


def _subsets(n_labels: int) -> np.ndarray:
    """Every 0/1 label set of ``n_labels`` labels, one per row."""
    return np.array([[(s >> c) & 1 for c in range(n_labels)] for s in range(2**n_labels)], dtype=float)


def np_selection_joint(p: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """P(true set S, observed set O) for every S, by enumeration: prod Bernoulli(S) * 1{O ⊆ S} / C(|S|, |O|)."""
    sets = _subsets(len(p))
    prior = np.prod(np.where(sets == 1, p, 1 - p), axis=1)
    m = observed.sum()
    pick = np.array([1.0 / math.comb(int(s.sum()), int(m)) if np.all(s >= observed) else 0.0 for s in sets])
    return prior * pick


@pytest.mark.parametrize("n_observed", [1, 2])
def test_selection_likelihood_against_enumeration(n_observed: int) -> None:
    rng = np.random.default_rng(n_observed)
    x = rng.normal(scale=2.0, size=(N, L))
    y = np.zeros((N, L))
    for row in y:
        row[rng.choice(L, n_observed, replace=False)] = 1.0
    ref = -np.mean([np.log(np_selection_joint(_sig(xi), yi).sum()) for xi, yi in zip(x, y)]) / L
    assert selection_likelihood_loss(_t(x), _t(y)).item() == pytest.approx(ref, rel=1e-9)


@pytest.mark.parametrize("n_labels", [5, 9, 150])
def test_selection_posterior_against_enumeration(n_labels: int) -> None:
    """Exact against enumeration; at 150 labels (64 nodes, the cap) the 141 labels beyond the enumerated 9 are all
    but surely absent, so this checks the capped rule runs, not its accuracy with many likely labels."""
    rng = np.random.default_rng(n_labels)
    shown = min(n_labels, 9)
    p = rng.uniform(0.02, 0.98, size=(3, n_labels))
    p[:, shown:] = 1e-6  # labels beyond the enumerated ones are all but surely absent
    y = np.zeros((3, n_labels))
    y[0, 0] = y[1, 2] = y[2, [1, 3]] = 1.0
    got = selection_posterior(_t(p), _t(y)).numpy()
    sets = _subsets(shown)
    for i in range(3):
        joint = np_selection_joint(p[i, :shown], y[i, :shown])
        ref = (joint[:, None] * sets).sum(axis=0) / joint.sum()
        np.testing.assert_allclose(got[i, :shown], ref, rtol=1e-5, atol=1e-7)


def test_selection_propensity_against_enumeration() -> None:
    """E[1 / |S|] over true sets S containing c, by enumeration."""
    p = np.random.default_rng(3).uniform(0.05, 0.95, size=(2, L))
    sets = _subsets(L)
    got = selection_propensity(_t(p)).numpy()
    for i in range(2):
        others = np.prod(np.where(sets == 1, p[i], 1 - p[i]), axis=1)
        for c in range(L):
            with_c = sets[:, c] == 1
            ref = (others[with_c] / p[i, c] / sets[with_c].sum(axis=1)).sum()
            assert got[i, c] == pytest.approx(ref, rel=1e-9)


def test_selection_likelihood_is_finite_in_bfloat16() -> None:
    """Under CUDA autocast the logits are bf16; the loss computes in float32 (bf16 would round nodes to t = 1)."""
    rng = np.random.default_rng(0)
    logits = torch.tensor(rng.normal(size=(8, 20)), dtype=torch.bfloat16, requires_grad=True)
    y = torch.zeros(8, 20)
    y[torch.arange(8), torch.arange(8)] = 1.0
    value = selection_likelihood_loss(logits, y)
    value.backward()
    assert value.dtype == torch.bfloat16 and torch.isfinite(value) and torch.isfinite(logits.grad.float()).all()
    reference = selection_likelihood_loss(logits.detach().float(), y)
    assert value.float().item() == pytest.approx(reference.item(), rel=1e-2)


def test_selection_posterior_without_observed_positive_is_the_prior() -> None:
    p = _t(np.array([[0.3, 0.6, 0.9], [0.3, 0.6, 0.9]]))
    post = selection_posterior(p, _t(np.array([[0.0, 0.0, 0.0], [1.0, 0.0, 0.0]]))).numpy()
    np.testing.assert_allclose(post[0], [0.3, 0.6, 0.9])
    assert post[1, 0] == 1.0 and np.all(post[1, 1:] < [0.6, 0.9])


def test_selection_posterior_keeps_a_likely_unobserved_label() -> None:
    """A label with p = 0.9 that was not the one picked stays likely; its posterior is below its prior."""
    post = selection_posterior(_t(np.array([[0.99, 0.9, 0.05]])), _t(np.array([[1.0, 0.0, 0.0]]))).numpy()[0]
    assert post[0] == 1.0 and 0.8 < post[1] < 0.9 and post[2] < 0.05


@pytest.mark.parametrize("name", ["assume_negative", "label_smoothing", "weak_negative", "epr", "role", "em_apl", "large_loss", "selection_likelihood", "softmax"])
def test_finite_gradients_at_extreme_logits(name: str) -> None:
    y = torch.zeros(4, 3)
    y[torch.arange(4), torch.tensor([0, 1, 2, 0])] = 1.0
    logits = torch.tensor([[1e4, -1e4, 0.0], [-1e4, 1e4, 1e4], [-1e4, -1e4, -1e4], [1e4, 1e4, -1e4]], requires_grad=True)
    loss = build_loss(name, "positive_only")
    loss.setup(y, seed=0)
    if isinstance(loss, EMAPLLoss):
        loss.add_pseudo_negatives(logits)
    if isinstance(loss, LargeLossRejection):
        loss.epoch = 50
    value = loss(logits, y, torch.arange(4))
    value.backward()
    assert torch.isfinite(value) and torch.isfinite(logits.grad).all()


def test_label_embedding_finite_gradient_at_coincident_embeddings() -> None:
    e = torch.zeros(3, 2, requires_grad=True)
    d2 = torch.zeros(2, 3, requires_grad=True)
    value = label_embedding_loss(d2, torch.eye(3)[:2], e)
    value.backward()
    assert torch.isfinite(e.grad).all() and torch.isfinite(d2.grad).all()


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="expected_positives"):
        build_loss("epr", "positive_only", expected_positives=0)
    with pytest.raises(InputError, match="epsilon"):
        build_loss("label_smoothing", "positive_only", epsilon=0.7)
    with pytest.raises(InputError, match="shape"):
        assume_negative_loss(torch.zeros(2, 3), torch.zeros(2, 4))
    with pytest.raises(InputError, match="unknown positive-only loss"):
        build_loss("nope", "positive_only")
    with pytest.raises(InputError, match="at least one observed positive"):
        selection_likelihood_loss(torch.zeros(2, 3), torch.tensor([[1.0, 0.0, 0.0], [0.0, 0.0, 0.0]]))
