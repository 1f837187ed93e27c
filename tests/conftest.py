"""Shared fixtures: small fixed-seed data sets."""

from __future__ import annotations

import os

import numpy as np
import pytest
import torch

# one thread per pytest-xdist worker (the suite runs `-n 2` on 2 cores); two otherwise
torch.set_num_threads(1 if "PYTEST_XDIST_WORKER" in os.environ else min(2, torch.get_num_threads()))


@pytest.fixture(scope="module")
def one_torch_thread():
    """One torch thread while a module runs: tiny networks train faster without thread contention on a
    shared 2-core machine, and bit-identical comparisons (e.g. against a subprocess run with
    OMP_NUM_THREADS=1) need a fixed thread count."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.fixture
def tagged_data() -> tuple[np.ndarray, np.ndarray]:
    """400 × 6 features, 4 labels; label j is on when feature j plus noise is positive."""
    rng = np.random.default_rng(0)
    X = rng.normal(size=(400, 6)).astype(np.float32)
    Y = (X[:, :4] + 0.3 * rng.normal(size=(400, 4)) > 0.3).astype(np.int64)
    return X, Y


@pytest.fixture
def umask_022():
    """The process umask set to 022 (a common default) for the test, restored after."""
    old = os.umask(0o022)
    yield
    os.umask(old)
