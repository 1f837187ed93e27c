"""The two distances, defined once, against NumPy."""

import numpy as np
import pytest
import torch

from weaklabel.data.distances import DISTANCES, check_distance, normalise_rows, pairwise_distances
from weaklabel.exceptions import InputError


def test_pairwise_distances_match_numpy():
    x = np.random.default_rng(0).normal(size=(7, 3))
    u = x / np.linalg.norm(x, axis=1, keepdims=True)
    expected = {"euclidean": np.linalg.norm(x[:, None] - x[None], axis=-1), "cosine": 1.0 - u @ u.T}
    for distance in DISTANCES:
        np.testing.assert_allclose(pairwise_distances(torch.from_numpy(x), distance).numpy(), expected[distance], atol=1e-6)


def test_normalise_rows_leaves_a_zero_row_zero():
    out = normalise_rows(np.array([[3.0, 4.0], [0.0, 0.0]]))
    np.testing.assert_allclose(out, [[0.6, 0.8], [0.0, 0.0]])


def test_an_unknown_distance_names_the_parameter_and_the_choices():
    with pytest.raises(InputError, match=r"unknown metric 'manhattan'; choose one of \('euclidean', 'cosine'\)"):
        check_distance("manhattan", "metric")
