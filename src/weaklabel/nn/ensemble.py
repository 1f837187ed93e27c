"""An ensemble of networks with per-label sigmoid outputs, averaged in probability."""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
import torch.nn.functional as F
from torch import nn


class ProbabilityEnsemble(nn.Module):
    """Members whose sigmoid probabilities are averaged: ``forward`` gives the logit of the mean.

    ``logit(1/M Σ_m σ(z_m)) = logmeanexp_m log σ(z_m) − logmeanexp_m log σ(−z_m)``, evaluated in log
    space so that confident scores (σ(z) rounding to 0 or 1 in float32) keep their order and stay finite.
    Averaging probabilities, not logits, is bagging's rule: one over-confident member cannot dominate.
    """

    def __init__(self, members: Sequence[nn.Module]) -> None:
        super().__init__()
        if not members:
            raise ValueError("ProbabilityEnsemble needs at least one member")
        self.members = nn.ModuleList(members)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        """Logit of the members' mean probability, shape (n, n_labels)."""
        logits = torch.stack([member(x) for member in self.members])
        log_count = math.log(len(self.members))
        log_mean_p = torch.logsumexp(F.logsigmoid(logits), dim=0) - log_count
        log_mean_not_p = torch.logsumexp(F.logsigmoid(-logits), dim=0) - log_count
        return log_mean_p - log_mean_not_p
