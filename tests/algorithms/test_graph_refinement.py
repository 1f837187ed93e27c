"""The graph refinement on its own: free per-sample logits optimised on the SCAN loss over the neighbour graph."""

import math

import numpy as np
import torch

from weaklabel.algorithms.graph_refinement import refine_heads, refine_on_graph
from weaklabel.losses.clustering import neighborhood_scan_loss


def _two_groups() -> tuple[torch.Tensor, torch.Tensor]:
    """Rows 0-3 and 4-7 are each other's neighbours; row 3 starts in the wrong class, confidently."""
    neighbors = torch.tensor([[j for j in range(g * 4, g * 4 + 4) if j != i] for g in range(2) for i in range(g * 4, g * 4 + 4)])
    logits = torch.zeros(8, 1, 2)
    logits[:4, 0, 0], logits[4:, 0, 1] = 3.0, 3.0
    logits[3, 0] = torch.tensor([0.0, 2.0])
    return logits, neighbors


def test_no_step_returns_the_start_and_its_loss():
    logits, neighbors = _two_groups()
    losses, table = refine_on_graph(logits, neighbors, 1.0, steps=0)
    assert torch.equal(table, logits)
    assert losses == neighborhood_scan_loss(logits, neighbors, 1.0, reduction="none").tolist()


def test_steps_lower_the_loss_and_move_a_row_to_its_neighbours_class():
    logits, neighbors = _two_groups()
    start = neighborhood_scan_loss(logits, neighbors, 1.0, reduction="none").item()
    losses, table = refine_on_graph(logits, neighbors, 1.0, steps=100)
    assert losses[0] < start
    assert table[:, 0].argmax(dim=-1).tolist() == [0, 0, 0, 0, 1, 1, 1, 1]
    assert logits[3, 0].argmax().item() == 1  # the start is left alone


def test_heads_left_out_keep_their_classes_and_an_infinite_loss():
    logits, neighbors = _two_groups()
    two_heads = torch.cat([logits, logits], dim=1)
    losses, classes = refine_heads(two_heads, neighbors, 1.0, steps=100, heads=np.array([1]))
    assert math.isinf(losses[0]) and math.isfinite(losses[1])
    assert classes[3].tolist() == [1, 0]  # head 0 kept the network's class, head 1 was refined
