"""Clustering losses against an independent NumPy computation."""

import numpy as np
import pytest
import torch

from weaklabel.exceptions import InputError
from weaklabel.losses import available_losses, build_loss
from weaklabel.losses.clustering import MinMaxSCANLoss, SCANLoss, minmax_scan_loss, neighborhood_scan_loss, scan_loss


def _softmax(z):
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def _entropy_of_mean(p):
    m = np.clip(p.mean(axis=0), 1e-8, None)
    return -(m * np.log(m)).sum()


def _np_scan(za, zn, w):
    pa, pn = _softmax(za), _softmax(zn)
    return -np.mean(np.log((pa * pn).sum(axis=1))) - w * _entropy_of_mean(pa)


def _np_minmax(za, zn, mask, w, lam):
    pa = _softmax(za)
    push = 0.0
    for i in range(len(za)):
        for j in range(len(za)):
            if mask[i, j]:
                push -= np.log(1.0 - pa[i] @ pa[j])
    return _np_scan(za, zn, w) + lam * push / mask.sum()


@pytest.fixture
def batch():
    rng = np.random.default_rng(0)
    za, zn = rng.normal(0, 2, (12, 4)), rng.normal(0, 2, (12, 4))
    mask = rng.random((12, 12)) < 0.5
    return za, zn, mask


def test_registered():
    assert {"scan", "minmax_scan"} <= set(available_losses("clustering"))
    assert isinstance(build_loss("scan", "clustering"), SCANLoss)


@pytest.mark.parametrize("w", [0.0, 5.0])
def test_scan_matches_numpy(batch, w):
    za, zn, _ = batch
    got = scan_loss(torch.tensor(za), torch.tensor(zn), entropy_weight=w)
    assert got.item() == pytest.approx(_np_scan(za, zn, w), rel=1e-9)


def test_minmax_matches_numpy(batch):
    za, zn, mask = batch
    got = MinMaxSCANLoss(entropy_weight=2.0, far_weight=3.0)(torch.tensor(za), torch.tensor(zn), torch.tensor(mask))
    assert got.item() == pytest.approx(_np_minmax(za, zn, mask, 2.0, 3.0), rel=1e-9)


def test_heads_are_scored_separately(batch):
    za, zn, mask = batch
    rng = np.random.default_rng(1)
    za3 = np.stack([za, rng.normal(size=za.shape)], axis=1)  # (n, 2 heads, K)
    zn3 = np.stack([zn, rng.normal(size=zn.shape)], axis=1)
    per_head = minmax_scan_loss(torch.tensor(za3), torch.tensor(zn3), torch.tensor(mask), reduction="none")
    expected = [_np_minmax(za3[:, h], zn3[:, h], mask, 5.0, 1.0) for h in range(2)]
    np.testing.assert_allclose(per_head.numpy(), expected, rtol=1e-9)
    mean = minmax_scan_loss(torch.tensor(za3), torch.tensor(zn3), torch.tensor(mask))
    assert mean.item() == pytest.approx(np.mean(expected), rel=1e-9)


def _np_neighborhood_scan(z, neighbors, w):
    """Loop over every (sample, listed neighbour) pair; -1 entries are no neighbour."""
    p = _softmax(z)
    logs = [np.log(p[i] @ p[j]) for i in range(len(z)) for j in neighbors[i] if j >= 0]
    return -np.mean(logs) - w * _entropy_of_mean(p)


def test_neighborhood_scan_matches_numpy():
    rng = np.random.default_rng(2)
    z = rng.normal(0, 2, (9, 2, 4))  # (n, 2 heads, K)
    neighbors = rng.integers(0, 9, (9, 3))
    neighbors[[1, 4], [2, 0]] = -1  # missing neighbours are skipped
    per_head = neighborhood_scan_loss(torch.tensor(z), torch.tensor(neighbors), entropy_weight=2.0, reduction="none")
    expected = [_np_neighborhood_scan(z[:, h], neighbors, 2.0) for h in range(2)]
    np.testing.assert_allclose(per_head.numpy(), expected, rtol=1e-9)
    two_d = neighborhood_scan_loss(torch.tensor(z[:, 0]), torch.tensor(neighbors), entropy_weight=2.0)
    assert two_d.item() == pytest.approx(expected[0], rel=1e-9)


def test_neighborhood_scan_equals_scan_on_the_stacked_pairs():
    """With every neighbour present, the consistency term is scan_loss's on the n·k stacked pairs."""
    rng = np.random.default_rng(3)
    z, neighbors = torch.tensor(rng.normal(size=(7, 5))), torch.tensor(rng.integers(0, 7, (7, 4)))
    stacked = scan_loss(z.repeat_interleave(4, dim=0), z[neighbors.reshape(-1)], entropy_weight=0.0)
    assert neighborhood_scan_loss(z, neighbors, entropy_weight=0.0).item() == pytest.approx(stacked.item(), rel=1e-12)


def test_optimum_is_confident_agreement_with_uniform_marginal():
    """Neighbours in the same one-hot class, classes balanced: consistency 0, entropy log K."""
    z = torch.tensor(np.repeat(np.eye(3) * 50.0, 2, axis=0))
    assert scan_loss(z, z, entropy_weight=1.0).item() == pytest.approx(-np.log(3), abs=1e-6)
    far = torch.tensor(np.repeat(np.arange(3), 2)[:, None] != np.repeat(np.arange(3), 2)[None, :])
    assert minmax_scan_loss(z, z, far, entropy_weight=1.0).item() == pytest.approx(-np.log(3), abs=1e-5)


def test_scan_trains_the_neighbour_branch_too(batch):
    """As the official SCAN code, no stop-gradient on the neighbour: ∂/∂z_n of −(1/n) log⟨p_a, p_n⟩ is
    (p_n − p_a ⊙ p_n / ⟨p_a, p_n⟩) / n (the entropy term does not involve the neighbours)."""
    za, zn, _ = batch
    zn_t = torch.tensor(zn, requires_grad=True)
    scan_loss(torch.tensor(za), zn_t).backward()
    pa, pn = _softmax(za), _softmax(zn)
    similarity = (pa * pn).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(zn_t.grad.numpy(), (pn - pa * pn / similarity) / len(za), rtol=1e-9, atol=1e-15)


def test_stable_for_extreme_logits():
    za = torch.tensor([[1e4, -1e4], [-1e4, 1e4]], dtype=torch.float32, requires_grad=True)
    zn = torch.tensor([[-1e4, 1e4], [1e4, -1e4]], dtype=torch.float32)  # disagreeing, confident
    mask = torch.ones(2, 2, dtype=torch.bool)  # includes collapsed self-pairs
    loss = minmax_scan_loss(za, zn, mask)
    loss.backward()
    assert torch.isfinite(loss) and torch.isfinite(za.grad).all()
    assert loss.item() > 1e3  # −log⟨p, q⟩ ≈ 2e4 for confident disagreement


@pytest.mark.parametrize("dtype", [torch.bfloat16, torch.float16])
def test_confident_low_precision_batches_stay_finite(dtype):
    """bfloat16 rounds a similarity above ~0.998 to 1, where log(1 − S) is infinite (and 0 · inf on the masked
    diagonal NaN); float16 rounds SCAN's 1e-8 clamp to 0. Both must be computed in float32."""
    classes = torch.arange(8) % 3
    confident = torch.nn.functional.one_hot(classes, 3).float() * 8.0  # p_max = 0.9993
    far = classes[:, None] != classes[None, :]
    reference = minmax_scan_loss(confident, confident, far)
    z = confident.to(dtype).requires_grad_(True)
    loss = minmax_scan_loss(z, z, far)
    loss.backward()
    assert torch.isfinite(z.grad.float()).all() and loss.item() == pytest.approx(reference.item(), rel=0.02)
    with torch.autocast("cpu", dtype=torch.bfloat16):  # what CUDA autocast does to the pair matmul
        assert minmax_scan_loss(confident, confident, far).item() == pytest.approx(reference.item(), rel=1e-6)
    empty_class = torch.tensor([[20.0, -20.0, -20.0], [-20.0, 20.0, -20.0]], dtype=dtype, requires_grad=True)
    scan = scan_loss(empty_class, empty_class)
    scan.backward()
    assert scan.item() == pytest.approx(-5 * np.log(2), rel=1e-2) and torch.isfinite(empty_class.grad.float()).all()


def test_bad_inputs_name_the_fix():
    z = torch.zeros(4, 3)
    with pytest.raises(InputError, match="does not match"):
        scan_loss(z, torch.zeros(4, 2))
    with pytest.raises(InputError, match="floating-point"):
        scan_loss(torch.zeros(4, 3, dtype=torch.long), z)
    with pytest.raises(InputError, match="far_mask"):
        minmax_scan_loss(z, z, torch.ones(3, 3))
    with pytest.raises(InputError, match="reduction"):
        scan_loss(z, z, reduction="max")
    with pytest.raises(InputError, match="entropy_weight"):
        SCANLoss(entropy_weight=-1)
    with pytest.raises(InputError, match="neighbors must be an integer tensor"):
        neighborhood_scan_loss(z, torch.zeros(3, 2, dtype=torch.long))
    with pytest.raises(InputError, match="neighbors must be an integer tensor"):
        neighborhood_scan_loss(z, torch.zeros(4, 2))
