"""ProbabilityEnsemble: the logit of the members' mean probability, stable for confident members."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from weaklabel.nn import ProbabilityEnsemble, build_network, ensemble_spec


class _Fixed(nn.Module):
    """A member that ignores its input and returns fixed logits."""

    def __init__(self, logits: np.ndarray) -> None:
        super().__init__()
        self.logits = torch.tensor(logits, dtype=torch.float32)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.logits.expand(len(x), -1)


def _reference_logit_of_mean(logits: np.ndarray) -> np.ndarray:
    """float64 NumPy: log p - log(1 - p) with p = mean of σ(z) and 1 - p = mean of σ(-z) (both representable
    for |z| ≤ 700, where 1 - p itself would round to 0)."""
    z = logits.astype(np.float64)
    p, not_p = (1.0 / (1.0 + np.exp(-z))).mean(axis=0), (1.0 / (1.0 + np.exp(z))).mean(axis=0)
    return np.log(p) - np.log(not_p)


def test_forward_is_the_logit_of_the_mean_probability() -> None:
    logits = np.random.default_rng(0).normal(scale=3.0, size=(4, 6))
    out = ProbabilityEnsemble([_Fixed(row) for row in logits])(torch.zeros(2, 1))
    assert out.shape == (2, 6)
    np.testing.assert_allclose(out[0].numpy(), _reference_logit_of_mean(logits), rtol=1e-5, atol=1e-5)


def test_confident_members_stay_finite_and_ordered() -> None:
    """σ(±40) rounds to 0 or 1 in float32; the log-space mean keeps the scores finite and in order."""
    logits = np.array([[-40.0, -30.0, 30.0, 40.0], [-41.0, -31.0, 31.0, 41.0]])
    out = ProbabilityEnsemble([_Fixed(row) for row in logits])(torch.zeros(1, 1))[0].numpy()
    assert np.isfinite(out).all() and np.all(np.diff(out) > 0), out
    np.testing.assert_allclose(out, _reference_logit_of_mean(logits), rtol=1e-4)


def test_one_member_returns_its_logits() -> None:
    member = build_network({"encoder": {"type": "mlp", "in_features": 3, "hidden_sizes": [4]}, "head": {"type": "linear", "out_features": 2}})
    x = torch.randn(5, 3)
    torch.testing.assert_close(ProbabilityEnsemble([member])(x), member(x), rtol=1e-5, atol=1e-5)


def test_ensemble_spec_builds_members_with_the_member_spec() -> None:
    member = {"encoder": {"type": "mlp", "in_features": 3, "hidden_sizes": [4]}, "head": {"type": "linear", "out_features": 2}}
    ensemble = build_network(ensemble_spec(member, 3))
    assert isinstance(ensemble, ProbabilityEnsemble) and len(ensemble.members) == 3
    assert sorted(ensemble.state_dict()) == sorted(f"members.{m}.{k}" for m in range(3) for k in build_network(member).state_dict())
