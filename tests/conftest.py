"""Shared fixtures: small fixed-seed data sets."""

from __future__ import annotations

import numpy as np
import pytest
import torch

torch.set_num_threads(min(2, torch.get_num_threads()))


@pytest.fixture
def tagged_data() -> tuple[np.ndarray, np.ndarray]:
    """400 × 6 features, 4 labels; label j is on when feature j plus noise is positive."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6)).astype(np.float32)
    Y = (X[:, :4] + 0.3 * rng.normal(size=(400, 4)) > 0.3).astype(np.int64)
    return X, Y
