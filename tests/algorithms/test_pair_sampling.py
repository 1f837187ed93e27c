"""The clustering estimator's training pairs, on their own."""

import numpy as np
import pytest
import torch

from weaklabel.algorithms.pair_sampling import PairSampler
from weaklabel.exceptions import InputError


def _sampler(metric: str = "euclidean", seed: int = 0) -> PairSampler:
    X = torch.from_numpy(np.random.default_rng(0).normal(size=(12, 3)).astype(np.float32))
    neighbors = torch.tensor([[(i + 1) % 12, (i + 2) % 12] for i in range(12)])
    return PairSampler(X, neighbors, metric, torch.device("cpu"), seed)


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_far_mask_is_the_pair_distance_beyond_the_anchors_radius(metric):
    sampler = _sampler(metric)
    sampler.far_radius = torch.full((12,), 0.8)
    x = sampler.X.numpy().astype(np.float64)
    if metric == "cosine":
        u = x / np.linalg.norm(x, axis=1, keepdims=True)
        dist = 1.0 - u @ u.T
    else:
        dist = np.linalg.norm(x[:, None] - x[None], axis=-1)
    rows = torch.arange(12)
    mask = sampler.far_mask(sampler.X, rows).numpy()
    near_boundary = np.abs(dist - 0.8) < 1e-5  # float32 against float64: leave ties at the radius out
    assert np.array_equal(mask[~near_boundary], (dist > 0.8)[~near_boundary])


def test_partners_are_mined_neighbours_and_a_seed_repeats_them():
    rows = torch.arange(12)
    a, b = _sampler(seed=5), _sampler(seed=5)
    anchors, partners = a.anchor_neighbor(rows)
    assert torch.equal(partners, b.anchor_neighbor(rows)[1])
    for i in range(12):
        assert any(torch.equal(partners[i], a.X[j]) for j in a.neighbors[i].tolist())


def test_loss_inputs_in_the_declared_order():
    sampler = _sampler()
    sampler.far_radius = torch.ones(12)
    net = torch.nn.Linear(3, 4)  # 2 heads × 2 classes
    rows = torch.arange(5)
    outputs, partners, far = sampler.loss_inputs(net, rows, ("outputs", "neighbor_outputs", "far_mask"), 2, 2)
    assert outputs.shape == partners.shape == (5, 2, 2) and far.shape == (5, 5) and far.dtype == torch.bool
    assert len(sampler.loss_inputs(net, rows, ("outputs", "neighbor_outputs"), 2, 2)) == 2


def test_a_far_mask_without_radii_and_an_unknown_input_are_refused():
    sampler = _sampler()
    net = torch.nn.Linear(3, 2)
    with pytest.raises(InputError, match="far radii"):
        sampler.loss_inputs(net, torch.arange(3), ("outputs", "neighbor_outputs", "far_mask"), 1, 2)
    with pytest.raises(InputError, match=r"asks for \['index'\]"):
        sampler.loss_inputs(net, torch.arange(3), ("outputs", "index"), 1, 2)
