"""The graph refinement of the clustering estimator: free per-sample logits optimised over the neighbour graph.

Starting from a network's outputs on the training rows, each row's class logits become parameters of their own
(no network), optimised by full-batch Adam on :func:`weaklabel.losses.clustering.neighborhood_scan_loss`, the
SCAN loss over *every* (row, neighbour) pair: rows the network's smooth function put in the wrong class move to
their neighbours' class. The result labels the rows it was fit on (transductive).
"""

from __future__ import annotations

import math

import numpy as np
import torch

from ..losses.clustering import neighborhood_scan_loss

__all__ = ["REFINE_LR", "refine_heads", "refine_on_graph"]

REFINE_LR = 0.05


def refine_on_graph(logits: torch.Tensor, neighbors: torch.Tensor, entropy_weight: float, steps: int) -> tuple[list[float], torch.Tensor]:
    """``steps`` full-batch Adam steps (learning rate :data:`REFINE_LR`) on free per-sample logits.

    Minimises :func:`~weaklabel.losses.clustering.neighborhood_scan_loss` over every (sample, neighbour)
    pair of ``neighbors`` (n, k), starting from ``logits`` (n, H, K). Returns each head's loss at the end
    and the refined logits (detached).
    """
    table = logits.clone().requires_grad_()
    optimizer = torch.optim.Adam([table], lr=REFINE_LR)
    for _ in range(int(steps)):
        step_loss = neighborhood_scan_loss(table, neighbors, float(entropy_weight), reduction="none")
        optimizer.zero_grad(set_to_none=True)
        step_loss.sum().backward()
        optimizer.step()
    with torch.no_grad():
        return neighborhood_scan_loss(table, neighbors, float(entropy_weight), reduction="none").tolist(), table.detach()


def refine_heads(
    logits: torch.Tensor, neighbors: torch.Tensor, entropy_weight: float, steps: int, heads: np.ndarray
) -> tuple[list[float], torch.Tensor]:
    """Refine the heads ``heads`` of ``logits`` (n, H, K); returns every head's refined loss and classes (n, H).

    A head left out of ``heads`` gets an infinite loss (never kept) and keeps its network classes; a refined
    head whose loss is not finite counts as infinite too.
    """
    n_heads = logits.shape[1]
    refined, table = refine_on_graph(logits[:, heads], neighbors, entropy_weight, steps)
    losses = [math.inf] * n_heads
    classes = logits.argmax(dim=-1)
    for position, head in enumerate(heads.tolist()):
        losses[head] = refined[position] if math.isfinite(refined[position]) else math.inf
    classes[:, torch.from_numpy(heads)] = table.argmax(dim=-1)
    return losses, classes
