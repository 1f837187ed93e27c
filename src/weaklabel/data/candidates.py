"""Partial-label protocols: turn true classes into the candidate sets a partial-label learner would see.

Each function returns an ``(n, K)`` 0/1 float32 matrix whose row ``i`` is item ``i``'s candidate set: its true
class always, plus false classes drawn as the protocol says. Both are seeded (``random_state``).
"""

from __future__ import annotations

import numpy as np

from ..exceptions import InputError


def _check_classes(y: np.ndarray, n_classes: int) -> np.ndarray:
    """``y`` as a 1-D int array of class indices in ``[0, n_classes)``."""
    y = np.asarray(y)
    if y.ndim != 1 or y.size == 0 or y.dtype.kind not in "iu":
        raise InputError(f"y must be a non-empty 1-D array of class indices (integers); got shape {y.shape}, dtype {y.dtype}")
    if int(n_classes) < 2 or y.min() < 0 or y.max() >= n_classes:
        raise InputError(f"class indices must lie in [0, n_classes) with n_classes ≥ 2; got n_classes={n_classes}, indices {y.min()}..{y.max()}")
    return y.astype(np.int64)


def _with_true_class(y: np.ndarray, joins: np.ndarray) -> np.ndarray:
    candidates = joins.astype(np.float32)
    candidates[np.arange(len(y)), y] = 1.0
    return candidates


def uniform_candidates(y: np.ndarray, n_classes: int, q: float, random_state: int | None = 0) -> np.ndarray:
    """Uniform flipping: every false class joins an item's candidate set independently with probability ``q``.

    The "binomial" protocol of PRODEN (Lv et al., ICML 2020) and of the LW loss (Wen et al., ICML 2021); the
    expected set size is ``1 + q (K - 1)``. (PRODEN's code adds a rule this one leaves out: a set left with its
    true class alone gets random classes until it has two.) The candidates are independent of the features and
    of the true class, the setting under which CC and RC are consistent.
    """
    y = _check_classes(y, n_classes)
    if not 0.0 <= float(q) < 1.0:
        raise InputError(f"q (the probability that a false class is a candidate) must be in [0, 1); got {q}")
    rng = np.random.default_rng(random_state)
    return _with_true_class(y, rng.random((len(y), int(n_classes))) < q)


def instance_dependent_candidates(y: np.ndarray, proba: np.ndarray, rate: float = 0.4, random_state: int | None = 0) -> np.ndarray:
    """Instance-dependent flipping: the classes a model confuses with the true one join more often.

    ``proba`` ``(n, K)`` are class probabilities from a model trained on the true classes. For item ``i`` with
    true class ``y``, let ``r_j = p_j / max_{k≠y} p_k`` for ``j ≠ y`` and ``r_y = 0``; false class ``j`` joins
    with probability ``min(1, rate · r_j / mean_k r_k)`` (the mean over all ``K`` classes), so about ``rate · K``
    false candidates per item before the clipping at 1. This is the instance-dependent protocol of Xu et al.
    ("Instance-Dependent Partial Label Learning", NeurIPS 2021) as their successors' code writes it
    (``generate_instancedependent_candidate_labels``, rate 0.4).
    """
    proba = np.asarray(proba, dtype=np.float64)
    if proba.ndim != 2:
        raise InputError(f"proba must be an (n_samples, n_classes) matrix of class probabilities; got shape {proba.shape}")
    y = _check_classes(y, proba.shape[1])
    if len(proba) != len(y):
        raise InputError(f"proba has {len(proba)} rows but y {len(y)}; give one row of probabilities per item")
    if not np.isfinite(proba).all() or (proba < 0).any():
        raise InputError("proba must hold finite, non-negative class probabilities")
    if not float(rate) > 0.0:
        raise InputError(f"rate must be > 0; got {rate}")
    rows = np.arange(len(y))
    false = proba.copy()
    false[rows, y] = 0.0
    largest = false.max(axis=1, keepdims=True)
    relative = np.divide(false, largest, out=np.full_like(false, 1.0), where=largest > 0)  # no signal: every false class alike
    relative[rows, y] = 0.0
    flip = np.minimum(1.0, rate * relative / relative.mean(axis=1, keepdims=True))
    rng = np.random.default_rng(random_state)
    return _with_true_class(y, rng.random(flip.shape) < flip)
