"""The clustering estimator's training pairs: each row with one random mined neighbour, and the batch's far pairs.

The loss inputs it assembles (:meth:`PairSampler.loss_inputs`) are named as :attr:`weaklabel.losses.Loss.inputs`
names them: ``"outputs"`` (the anchors' logits), ``"neighbor_outputs"`` (one random neighbour's each) and
``"far_mask"`` (which pairs of the batch lie beyond the anchor's far radius, in the neighbour search's distance).
"""

from __future__ import annotations

from typing import Any

import torch

from ..data.distances import pairwise_distances
from ..exceptions import InputError
from ..runtime import torch_generator
from ..training import Callback

__all__ = ["PairSampler"]


class PairSampler(Callback):
    """Scaled inputs, the neighbour table and (for a loss with a far mask) each row's far radius; assembles batches.

    A training callback only for its state: the neighbour-sampling generator is checkpointed with the trainer.
    ``far`` (n, 1) holds one far row per row, for scoring heads; ``far_radius`` (n,) the distance beyond which
    a row is far. Both are None unless set (the estimator sets them when its loss declares ``"far_mask"``).
    """

    def __init__(self, X: torch.Tensor, neighbors: torch.Tensor, metric: str, device: torch.device, seed: int) -> None:
        """``seed``: the pair-sampling generator's seed (:meth:`reseed`)."""
        self.X, self.neighbors, self.metric, self.device = X, neighbors, metric, device
        self.far: torch.Tensor | None = None
        self.far_radius: torch.Tensor | None = None
        self._X = X.to(device)
        self._neighbors = neighbors.to(device)
        self.reseed(seed)

    def reseed(self, seed: int) -> None:
        """A fresh pair-sampling generator seeded ``seed`` (one per clustering run, one for self-labelling)."""
        self.generator = torch_generator(seed, self.device)

    def state_dict(self) -> dict[str, Any]:
        return {"generator": self.generator.get_state()}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self.generator.set_state(state["generator"])

    def inputs(self, rows: torch.Tensor) -> torch.Tensor:
        return self._X[rows]

    def anchor_neighbor(self, rows: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Inputs of the anchors and of one random neighbour each."""
        col = torch.randint(self._neighbors.shape[1], (len(rows),), generator=self.generator, device=self.device)
        return self._X[rows], self._X[self._neighbors[rows, col]]

    def far_mask(self, x: torch.Tensor, rows: torch.Tensor) -> torch.Tensor:
        """``m_ij = d(x_i, x_j) > radius_i`` over the batch, in the metric of the neighbour search."""
        if self.far_radius is None:
            raise InputError("the far mask needs far radii; set far_radius (the estimator does for a loss that declares 'far_mask')")
        return pairwise_distances(x, self.metric) > self.far_radius[rows, None]

    def loss_inputs(self, net: torch.nn.Module, rows: torch.Tensor, names: tuple[str, ...], n_heads: int, n_classes: int) -> list[torch.Tensor]:
        """The inputs ``names`` of a loss for the anchors ``rows``: logits (b, H, K) of the anchors
        (``"outputs"``) and of one random neighbour each (``"neighbor_outputs"``), and the far mask (``"far_mask"``)."""
        anchors, partners = self.anchor_neighbor(rows)
        logits = net(torch.cat([anchors, partners])).view(2, len(rows), n_heads, n_classes)
        provided = {"outputs": logits[0], "neighbor_outputs": logits[1]}
        if "far_mask" in names:
            provided["far_mask"] = self.far_mask(anchors, rows)
        missing = [name for name in names if name not in provided]
        if missing:
            raise InputError(f"a clustering loss can take {sorted(provided)} and 'far_mask'; it asks for {missing}")
        return [provided[name] for name in names]
