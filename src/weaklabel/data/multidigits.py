"""Multi-digit canvases composed from scikit-learn's 8×8 digits (offline, no download).

Each canvas is a row of ``max_digits`` 8×8 slots; 1 to ``max_digits`` *different* digits are put
in random slots (the others stay blank) and the label set is the digits present. The source
digit images are split into train and test *before* composing, so no digit image appears in
both splits.
"""

from __future__ import annotations

import math

import numpy as np
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from ..exceptions import InputError
from .datasets import Dataset

_SIDE = 8


def _compose(images: np.ndarray, targets: np.ndarray, n: int, max_digits: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    by_digit = [np.flatnonzero(targets == d) for d in range(10)]
    X = np.zeros((n, 1, _SIDE, _SIDE * max_digits), dtype=np.float32)
    Y = np.zeros((n, 10), dtype=np.float32)
    counts = rng.integers(1, max_digits + 1, size=n)
    for i, count in enumerate(counts):
        digits = rng.choice(10, size=count, replace=False)
        slots = rng.choice(max_digits, size=count, replace=False)
        for digit, slot in zip(digits, slots):
            image = images[rng.choice(by_digit[digit])]
            X[i, 0, :, slot * _SIDE : (slot + 1) * _SIDE] = image / 16.0
            Y[i, digit] = 1.0
    return X, Y


def make_multidigits(
    n_train: int = 6000, n_test: int = 2000, max_digits: int = 3, test_fraction: float = 0.3, random_state: int = 0
) -> tuple[Dataset, Dataset]:
    """Train and test canvases ``X`` (n, 1, 8, 8·max_digits) in [0, 1] with 0/1 labels ``Y`` (n, 10).

    The 1,797 source digits are split (stratified, ``test_fraction`` to test) before composing.
    """
    if not 1 <= int(max_digits) <= 10:
        raise InputError(f"max_digits must be in [1, 10]; got {max_digits}")
    if int(n_train) < 1 or int(n_test) < 1:
        raise InputError(f"n_train and n_test must be >= 1; got {n_train} and {n_test}")
    digits = load_digits()
    n_source = len(digits.target)
    if not (isinstance(test_fraction, (float, np.floating)) and 10 <= math.ceil(test_fraction * n_source) <= n_source - 10):
        raise InputError(
            f"test_fraction must be a fraction (float) of the {n_source} source digits that leaves each side at least one "
            f"image of every digit, e.g. 0.3; got {test_fraction!r}"
        )
    img_tr, img_te, t_tr, t_te = train_test_split(
        digits.images, digits.target, test_size=test_fraction, stratify=digits.target, random_state=random_state
    )
    rng = np.random.default_rng(random_state)
    names = [str(d) for d in range(10)]
    features = [f"px_{r}_{c}" for r in range(_SIDE) for c in range(_SIDE * max_digits)]
    out = []
    for split, images, targets, n in (("train", img_tr, t_tr, n_train), ("test", img_te, t_te, n_test)):
        X, Y = _compose(images, targets, int(n), int(max_digits), rng)
        desc = f"multi-digits {split}: {n} canvases of 1-{max_digits} different sklearn digits ({len(images)} source images)"
        out.append(Dataset(X=X, Y=Y, feature_names=features, label_names=names, description=desc))
    return out[0], out[1]
