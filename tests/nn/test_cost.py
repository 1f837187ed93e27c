"""Multiply-adds per row, counted on a probe, against the layer shapes."""

from __future__ import annotations

import torch
from torch import nn

from weaklabel.nn import ProbabilityEnsemble, build_network
from weaklabel.nn.cost import multiply_adds_per_row


def _mlp(sizes, n_in=10, n_out=5):
    return build_network({"encoder": {"type": "mlp", "in_features": n_in, "hidden_sizes": sizes, "norm": "batch", "dropout": 0.2},
                          "head": {"type": "linear", "out_features": n_out}})


def test_an_mlp_costs_one_multiply_add_per_weight():
    assert multiply_adds_per_row(_mlp([20, 30])) == 10 * 20 + 20 * 30 + 30 * 5


def test_a_conv_net_costs_its_kernels_at_every_output_position():
    net = build_network({"encoder": {"type": "conv", "in_channels": 1, "height": 8, "width": 8, "channels": [4, 6]},
                         "head": {"type": "linear", "out_features": 3}})
    # block 1 at 8x8: 1->4 and 4->4 convs (3x3), pooled to 4x4; block 2 at 4x4: 4->6 and 6->6; head 6->3
    expected = 64 * 4 * 9 * (1 + 4) + 16 * 6 * 9 * (4 + 6) + 6 * 3
    assert multiply_adds_per_row(net) == expected


def test_an_ensemble_and_a_module_holding_a_network_sum_their_networks():
    members = [_mlp([8]), _mlp([8])]
    one = multiply_adds_per_row(members[0])
    assert multiply_adds_per_row(ProbabilityEnsemble(members)) == 2 * one
    assert multiply_adds_per_row(nn.ModuleDict({"net": members[0], "loss": nn.Linear(100, 100)})) == one


def test_without_a_network_the_linear_weights_count():
    assert multiply_adds_per_row(nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2))) == 3 * 4 + 4 * 2


def test_the_probe_changes_no_state_and_keeps_the_modes():
    net = _mlp([8]).train()
    net.encoder[1].train(False)  # a mixed state, kept as it was
    state = {k: v.clone() for k, v in net.state_dict().items()}
    rng = torch.get_rng_state()
    multiply_adds_per_row(net)
    assert net.training and not net.encoder[1].training and net.encoder[0].training
    assert all(torch.equal(state[k], v) for k, v in net.state_dict().items())
    assert torch.equal(rng, torch.get_rng_state())
