"""Weak-label protocols: turn a full label matrix into the weak labels a user would have."""

from __future__ import annotations

import numpy as np

from ..exceptions import InputError


def hide_positives(Y: np.ndarray, random_state: int | None = 0) -> tuple[np.ndarray, np.ndarray]:
    """Keep exactly one positive per row, chosen uniformly at random; drop rows with none.

    The single-positive protocol of Cole et al. (CVPR 2021) and DESIGN.md. Returns
    ``(observed, kept)``: ``observed`` is the 0/1 float32 matrix of the kept rows with one 1
    per row, ``kept`` the boolean mask of kept rows of ``Y`` (select the features with it).
    """
    Y = np.asarray(Y)
    if Y.ndim != 2 or Y.shape[1] == 0:
        raise InputError(f"Y must be a (n_samples, n_labels) 0/1 matrix; got shape {Y.shape}")
    if not np.isin(Y, (0, 1)).all():
        raise InputError("Y must hold only 0 and 1; binarise it first (e.g. Y > 0)")
    kept = Y.sum(axis=1) > 0
    positives = Y[kept] > 0
    rng = np.random.default_rng(random_state)
    # rank the positives of each row by a random key; keep the first
    keys = np.where(positives, rng.random(positives.shape), -1.0)
    observed = np.zeros(positives.shape, dtype=np.float32)
    observed[np.arange(len(observed)), keys.argmax(axis=1)] = 1.0
    return observed, kept
