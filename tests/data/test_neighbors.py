"""Neighbour search against brute-force NumPy; far-sample sampling."""

import faiss
import numpy as np
import pytest
import torch

from weaklabel.data.neighbors import NeighborIndex, drop_self, faiss_threads, knn, near_radius, neighbor_recall, sample_far
from weaklabel.exceptions import InputError


def _brute(X, k, metric):
    if metric == "cosine":
        U = X / np.linalg.norm(X, axis=1, keepdims=True)
        D = 1.0 - U @ U.T
    else:
        D = np.sqrt(((X[:, None, :] - X[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(D, np.inf)
    idx = np.argsort(D, axis=1, kind="stable")[:, :k]
    return np.take_along_axis(D, idx, axis=1), idx


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_exact_knn_matches_brute_force(metric):
    X = np.random.default_rng(0).standard_normal((300, 8)).astype(np.float32)
    dist, idx = knn(X, 7, metric=metric)
    ref_dist, ref_idx = _brute(X.astype(np.float64), 7, metric)
    assert idx.shape == (300, 7) and dist.shape == (300, 7)
    assert not (idx == np.arange(300)[:, None]).any()  # self excluded
    np.testing.assert_allclose(dist, ref_dist, atol=1e-4)
    assert np.mean(idx == ref_idx) > 0.999  # ties aside


@pytest.fixture
def one_thread():
    """The process at one OpenMP thread (shared by torch and faiss), restored after the test."""
    before = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(before)


@pytest.mark.parametrize("n_threads", [None, 2])
def test_the_search_leaves_the_process_thread_count_as_it_was(one_thread, n_threads):
    """faiss and torch share one OpenMP runtime: a count set for the search and left behind had raised a
    one-thread process (OMP_NUM_THREADS=1, a pytest-xdist worker) to every CPU for the rest of its life."""
    X = np.random.default_rng(0).standard_normal((200, 4)).astype(np.float32)
    index = NeighborIndex(n_threads=n_threads, exact=False).fit(X)
    index.query(X, 3)
    knn(X, 3, n_threads=n_threads)
    assert torch.get_num_threads() == 1 and faiss.omp_get_max_threads() == 1


def test_an_explicit_thread_count_holds_inside_the_block_only(one_thread):
    with faiss_threads(2):
        assert faiss.omp_get_max_threads() == 2
    with faiss_threads(None):
        assert faiss.omp_get_max_threads() == 1
    assert torch.get_num_threads() == 1
    with pytest.raises(InputError, match="n_threads must be None .* or an integer ≥ 1"):
        NeighborIndex(n_threads=0)
    with pytest.raises(InputError, match="n_threads must be None .* or an integer ≥ 1"):
        NeighborIndex(n_threads="2")


def test_approximate_index_recall():
    rng = np.random.default_rng(1)
    centers = rng.uniform(-10, 10, (20, 16))
    X = (centers[rng.integers(0, 20, 8000)] + rng.standard_normal((8000, 16))).astype(np.float32)
    _, exact = knn(X, 10, exact=True)
    _, approx = knn(X, 10, exact=False)
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact, approx)])
    assert recall >= 0.95


@pytest.mark.parametrize("metric", ["euclidean", "cosine"])
def test_neighbor_recall_is_the_share_of_brute_force_neighbours_found(metric):
    """On unstructured Gaussian rows the IVF cells cut through every neighbourhood: recall well below 1."""
    X = np.random.default_rng(0).standard_normal((3000, 16)).astype(np.float32)
    _, approx = knn(X, 10, metric=metric, exact=False)
    rows = np.random.default_rng(5).choice(3000, 256, replace=False)
    exact = _brute(X.astype(np.float64), 10, metric)[1][rows]
    expected = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(approx[rows], exact)])
    assert neighbor_recall(X, approx, metric, random_state=5) == pytest.approx(expected, abs=0.005)
    assert expected < 0.9
    assert neighbor_recall(X, knn(X, 10, metric=metric)[1], metric) > 0.999


def test_index_is_reusable_and_checks_queries():
    X = np.random.default_rng(2).standard_normal((100, 4)).astype(np.float32)
    index = NeighborIndex().fit(X)
    dist, idx = index.query(X[:5], 1)
    assert np.array_equal(idx[:, 0], np.arange(5)) and np.allclose(dist, 0, atol=1e-3)
    assert index.query(X[5:9] + 1e-3, 3)[1].shape == (4, 3)
    with pytest.raises(InputError, match="features"):
        index.query(X[:, :3], 1)
    with pytest.raises(InputError, match="before fit"):
        NeighborIndex().query(X, 1)


def test_drop_self_when_duplicates_push_self_out():
    idx = np.array([[1, 0, 2], [2, 0, 3]])  # row 1 is not among its own neighbours
    dist = np.zeros((2, 3))
    assert drop_self(dist, idx)[1].tolist() == [[1, 2], [2, 0]]


def test_knn_refuses_bad_input():
    X = np.zeros((5, 2), dtype=np.float32)
    with pytest.raises(InputError, match="lower k"):
        knn(X, 5)
    X[0, 0] = np.nan
    with pytest.raises(InputError, match="NaN"):
        knn(X, 2)
    with pytest.raises(InputError, match="metric"):
        knn(np.ones((5, 2)), 2, metric="manhattan")


def test_far_samples_lie_outside_the_near_radius():
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(0, 1, (200, 2)), rng.normal(50, 1, (200, 2))]).astype(np.float32)
    own = np.arange(400)[:, None] >= 200
    far = sample_far(X, 5, near_fraction=0.6, random_state=0)
    assert far.shape == (400, 5) and not (far == np.arange(400)[:, None]).any()
    # the nearest 60% of the data holds the own blob (50%), so far samples come from the other blob
    assert np.mean((far >= 200) != own) > 0.95
    # uniform random rows would be from the other blob half the time
    assert 0.4 < np.mean((sample_far(X, 5, near_fraction=0.0) >= 200) != own) < 0.6
    radius = near_radius(X, 0.2)
    assert radius.shape == (400,) and np.all(radius < 10)
    assert np.all(near_radius(X, 0.8) > 10)


def test_sample_far_is_seeded():
    X = np.random.default_rng(4).standard_normal((50, 3))
    assert np.array_equal(sample_far(X, 3, random_state=7), sample_far(X, 3, random_state=7))
    with pytest.raises(InputError, match="near_fraction"):
        sample_far(X, 3, near_fraction=1.0)


def test_with_faiss_loaded_before_torch_the_search_still_takes_torchs_thread_count():
    """Loaded first, faiss keeps an OpenMP runtime of its own, which torch.set_num_threads does not reach."""
    import os
    import subprocess
    import sys

    script = (
        "import faiss\n"
        "import torch\n"
        "torch.set_num_threads(1)\n"
        "from weaklabel.data.neighbors import faiss_threads\n"
        "before = faiss.omp_get_max_threads()\n"
        "with faiss_threads(None):\n"
        "    inside = faiss.omp_get_max_threads()\n"
        "print(inside, faiss.omp_get_max_threads() == before)\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "2"})
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.split() == ["1", "True"]
