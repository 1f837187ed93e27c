"""Multi-digit canvases and the single-positive protocol."""

from __future__ import annotations

import numpy as np
import pytest

from weaklabel.data.multidigits import make_multidigits
from weaklabel.data.weak import hide_positives
from weaklabel.exceptions import InputError


def _slots(X: np.ndarray) -> set[bytes]:
    """Every non-blank 8×8 slot of every canvas, as bytes."""
    patches = X[:, 0].reshape(len(X), 8, -1, 8).transpose(0, 2, 1, 3).reshape(-1, 8, 8)
    return {p.tobytes() for p in patches if p.any()}


def test_shapes_labels_and_digit_counts() -> None:
    train, test = make_multidigits(n_train=300, n_test=100, random_state=1)
    assert train.X.shape == (300, 1, 8, 24) and test.Y.shape == (100, 10)
    assert train.X.dtype == np.float32 and 0.0 <= train.X.min() and train.X.max() <= 1.0
    counts = train.Y.sum(axis=1)
    assert set(np.unique(counts)) == {1.0, 2.0, 3.0}
    # one non-blank slot per label present
    nonblank = (train.X[:, 0].reshape(300, 8, 3, 8).max(axis=(1, 3)) > 0).sum(axis=1)
    np.testing.assert_array_equal(nonblank, counts)


def test_no_digit_image_shared_between_splits() -> None:
    train, test = make_multidigits(n_train=2000, n_test=1000, random_state=0)
    assert not _slots(train.X) & _slots(test.X)


def test_deterministic() -> None:
    a, _ = make_multidigits(n_train=50, n_test=10, random_state=3)
    b, _ = make_multidigits(n_train=50, n_test=10, random_state=3)
    np.testing.assert_array_equal(a.X, b.X)


def test_bad_arguments() -> None:
    with pytest.raises(InputError, match="max_digits"):
        make_multidigits(max_digits=11)
    for fraction in (0.0, 1.5, 5, 0.001):  # 5 would be read by scikit-learn as a count of 5 images
        with pytest.raises(InputError, match=rf"test_fraction must be a fraction \(float\) of the 1797 source digits .*got {fraction!r}"):
            make_multidigits(n_train=10, n_test=10, test_fraction=fraction)
    with pytest.raises(InputError, match="only 0 and 1"):
        hide_positives(np.array([[2, 0]]))


def test_hide_positives_drops_empty_rows() -> None:
    Y = np.array([[0, 0, 0], [0, 1, 1]])
    observed, kept = hide_positives(Y, random_state=0)
    assert kept.tolist() == [False, True] and observed.shape == (1, 3) and observed.sum() == 1
