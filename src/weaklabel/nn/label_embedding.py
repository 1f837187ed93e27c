"""Label-embedding distance head: one learned point per label; a label's score falls with distance.

Items are mapped into a bounded space ``z = R u / sqrt(1 + ||u||^2)`` (``u`` an affine map of the
encoder features, so ``||z|| < R``); label ``c`` has an embedding ``e_c`` projected onto the ball
``||e_c|| <= R`` (max-norm constraint). With ``d_c^2 = ||z - e_c||^2`` the head returns the logits

    ``logit_c = s (2 R^2 - d_c^2) / R^2``,   score ``p_c = sigmoid(logit_c)``,

a decreasing function of the distance anchored on the geometry: ``p = 1/2`` at ``d^2 = 2 R^2``,
the distance between two orthogonal points of the sphere (an *unrelated* label); an item on its
label scores ``sigmoid(2 s)``; an item midway between two opposite labels (``d^2 = R^2``)
scores ``sigmoid(s)`` on both; the opposite label (``d^2 = 4 R^2``) ``sigmoid(-2 s)``. The
sharpness ``s`` (default 2) is fixed, not fitted: without observed negatives there is nothing to
fit a slope against, and the ranking (hence mAP) does not depend on it.
"""

from __future__ import annotations

import torch
from torch import Tensor, nn

from ..exceptions import InputError
from .heads import register_head


@register_head("label_embedding")
class LabelEmbeddingHead(nn.Module):
    """Distance head: logits ``s (2 R^2 - ||z - e_c||^2) / R^2`` for ``out_features`` labels in ``dim`` dimensions."""

    def __init__(self, in_features: int, out_features: int, dim: int = 16, radius: float = 1.0, sharpness: float = 2.0) -> None:
        super().__init__()
        if int(dim) < 1 or int(out_features) < 1:
            raise InputError(f"dim and out_features must be >= 1; got {dim} and {out_features}")
        if not radius > 0 or not sharpness > 0:
            raise InputError(f"radius and sharpness must be > 0; got {radius} and {sharpness}")
        self.in_features, self.out_features, self.dim = int(in_features), int(out_features), int(dim)
        self.radius, self.sharpness = float(radius), float(sharpness)
        self.project = nn.Linear(self.in_features, self.dim)
        init = torch.randn(self.out_features, self.dim)
        self.label_weight = nn.Parameter(self.radius * init / init.norm(dim=1, keepdim=True))  # on the sphere

    def points(self, features: Tensor) -> Tensor:
        """Items' positions ``z`` (n, dim), inside the ball of radius R."""
        u = self.project(features)
        return self.radius * u / torch.sqrt(1.0 + (u**2).sum(dim=1, keepdim=True))

    def embeddings(self) -> Tensor:
        """Label embeddings (L, dim), projected onto the ball of radius R (max-norm constraint)."""
        norm = self.label_weight.norm(dim=1, keepdim=True).clamp(min=1e-12)
        return self.label_weight * (self.radius / norm).clamp(max=1.0)

    def sq_distances(self, features: Tensor) -> Tensor:
        """Squared distances ``||z_i - e_c||^2`` (n, L)."""
        z, e = self.points(features), self.embeddings()
        return ((z[:, None, :] - e[None, :, :]) ** 2).sum(dim=2)

    def forward(self, features: Tensor) -> Tensor:
        """One logit per label, decreasing in the distance."""
        return self.sharpness * (2.0 - self.sq_distances(features) / self.radius**2)

    def extra_repr(self) -> str:
        return f"in_features={self.in_features}, out_features={self.out_features}, dim={self.dim}, radius={self.radius}, sharpness={self.sharpness}"
