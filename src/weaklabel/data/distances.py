"""The two distances weaklabel measures rows by, defined once: ``"euclidean"`` and ``"cosine"``.

``"euclidean"``: ``‖x − y‖``. ``"cosine"``: ``1 − cos(x, y)``, i.e. rows L2-normalised first (a zero row stays
zero). The neighbour search (:mod:`weaklabel.data.neighbors`), the embedding metrics
(:mod:`weaklabel.metrics.embedding`) and the far pairs of the clustering estimator
(:mod:`weaklabel.algorithms.pair_sampling`) all take their names and arithmetic from here.
"""

from __future__ import annotations

import numpy as np
import torch
import torch.nn.functional as F

from ..exceptions import InputError

__all__ = ["DISTANCES", "check_distance", "normalise_rows", "pairwise_distances"]

DISTANCES = ("euclidean", "cosine")


def check_distance(name: str, what: str = "distance") -> None:
    """Refuse a distance other than :data:`DISTANCES`; ``what`` is the parameter's name in the message."""
    if name not in DISTANCES:
        raise InputError(f"unknown {what} {name!r}; choose one of {DISTANCES}")


def normalise_rows(X: np.ndarray) -> np.ndarray:
    """Rows of ``X`` divided by their L2 norm (norms below 1e-12 taken as 1e-12), for the cosine distance."""
    return X / np.maximum(np.linalg.norm(X, axis=1, keepdims=True), 1e-12)


def pairwise_distances(x: torch.Tensor, distance: str) -> torch.Tensor:
    """``d(x_i, x_j)`` for every pair of rows of ``x`` (n, d): an (n, n) tensor."""
    if distance == "cosine":
        u = F.normalize(x, dim=1)
        return 1.0 - u @ u.T
    return torch.cdist(x, x)
