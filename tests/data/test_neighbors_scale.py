"""Recall of the approximate index against the exact search; GPU selection falls back cleanly without a GPU."""

import numpy as np
import pytest

from weaklabel.data.neighbors import NeighborIndex, gpu_available, recall_at_k
from weaklabel.exceptions import InputError


def _blobs(n=6000, d=16, seed=0):
    rng = np.random.default_rng(seed)
    centres = rng.uniform(-10, 10, size=(30, d))
    return (centres[rng.integers(0, 30, n)] + rng.normal(size=(n, d))).astype(np.float32)


def test_recall_of_exact_index_is_one_and_ivf_is_high():
    X = _blobs()
    assert recall_at_k(NeighborIndex(exact=True).fit(X), X, k=10, n_queries=200) == 1.0
    assert recall_at_k(NeighborIndex(exact=False, nprobe=8).fit(X), X, k=10, n_queries=200) >= 0.9
    assert recall_at_k(NeighborIndex(exact=False, nprobe=1).fit(X), X, k=10, n_queries=200) < 1.0


@pytest.mark.skipif(gpu_available(), reason="a GPU is present")
def test_use_gpu_without_a_gpu_is_a_clear_error():
    with pytest.raises(InputError, match="faiss-gpu"):
        NeighborIndex(use_gpu=True).fit(_blobs(200))
