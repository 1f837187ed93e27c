"""Candidate-set generators: the true class always in, false classes at the protocol's rates, seeded, bad input named."""

import numpy as np
import pytest

from weaklabel.data.candidates import instance_dependent_candidates, uniform_candidates
from weaklabel.exceptions import InputError


def test_uniform_flipping_keeps_the_true_class_and_adds_each_false_one_at_rate_q():
    y = np.random.default_rng(0).integers(0, 6, 20_000)
    candidates = uniform_candidates(y, 6, 0.3, random_state=0)
    assert candidates.dtype == np.float32 and set(np.unique(candidates)) == {0.0, 1.0}
    assert (candidates[np.arange(len(y)), y] == 1).all()
    false = candidates.copy()
    false[np.arange(len(y)), y] = np.nan
    # each of the 5 false classes joins with probability 0.3: 100,000 draws, sd of the rate 0.0014
    assert np.nanmean(false) == pytest.approx(0.3, abs=0.006)
    assert candidates.sum(axis=1).mean() == pytest.approx(1 + 0.3 * 5, abs=0.03)
    for j in range(6):  # no class favoured
        assert np.nanmean(false[:, j]) == pytest.approx(0.3, abs=0.02)


def test_uniform_flipping_is_seeded_and_q_zero_is_supervision():
    y = np.arange(10) % 4
    np.testing.assert_array_equal(uniform_candidates(y, 4, 0.5, random_state=3), uniform_candidates(y, 4, 0.5, random_state=3))
    assert not np.array_equal(uniform_candidates(y, 4, 0.5, random_state=3), uniform_candidates(y, 4, 0.5, random_state=4))
    np.testing.assert_array_equal(uniform_candidates(y, 4, 0.0), np.eye(4, dtype=np.float32)[y])


def test_instance_dependent_flipping_follows_the_confusions():
    """Row: true class 0, probabilities (0.5, 0.3, 0.15, 0.05): r = (0, 1, 0.5, 1/6), mean 5/12 over the 4 classes,
    so with rate 0.4 classes 1, 2, 3 join with probability min(1, 0.96), 0.48 and 0.16."""
    n = 20_000
    proba = np.tile([0.5, 0.3, 0.15, 0.05], (n, 1))
    candidates = instance_dependent_candidates(np.zeros(n, dtype=int), proba, rate=0.4, random_state=0)
    assert (candidates[:, 0] == 1).all()
    np.testing.assert_allclose(candidates[:, 1:].mean(axis=0), [0.96, 0.48, 0.16], atol=0.012)  # sd ≤ 0.0036
    np.testing.assert_array_equal(candidates, instance_dependent_candidates(np.zeros(n, dtype=int), proba, rate=0.4, random_state=0))


def test_instance_dependent_flipping_clips_at_one_and_treats_no_signal_as_uniform():
    proba = np.array([[1.0, 0.0, 0.0], [0.2, 0.8, 0.0]])
    candidates = instance_dependent_candidates(np.array([0, 1]), proba, rate=1.4, random_state=0)
    # row 0: no false class has probability, so r = (0, 1, 1): each joins with min(1, 1.4 / (2/3)) = 1
    np.testing.assert_array_equal(candidates[0], [1.0, 1.0, 1.0])
    # row 1: r = (1, 0, 0) → class 0 with min(1, 1.4 * 3) = 1, class 2 never
    np.testing.assert_array_equal(candidates[1], [1.0, 1.0, 0.0])


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: uniform_candidates(np.array([0.5, 1.0]), 2, 0.1), "1-D array of class indices"),
        (lambda: uniform_candidates(np.array([0, 3]), 3, 0.1), r"must lie in \[0, n_classes\)"),
        (lambda: uniform_candidates(np.array([0, 1]), 2, 1.0), r"q .* must be in \[0, 1\)"),
        (lambda: instance_dependent_candidates(np.array([0, 1]), np.ones((3, 2)), 0.4), "proba has 3 rows but y 2"),
        (lambda: instance_dependent_candidates(np.array([0, 1]), -np.ones((2, 2)), 0.4), "finite, non-negative"),
        (lambda: instance_dependent_candidates(np.array([0, 1]), np.ones((2, 2)), 0.0), "rate must be > 0"),
    ],
)
def test_bad_input_is_named(call, message):
    with pytest.raises(InputError, match=message):
        call()
