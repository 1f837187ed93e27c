"""Cross-fitted refinement: soft labels from networks that never saw the item, and the ensemble of the last round.

The positive-only estimator's refinement (:class:`~weaklabel.estimators.SinglePositiveClassifier`,
``refine_rounds``): round 0 trains one network per fold on the other folds with the estimator's loss; the
out-of-fold scores become soft labels ``P(label true | observed positives)`` under the uniform-selection model
(:func:`~weaklabel.losses.positive_only.selection_posterior`); each later round trains one network per fold on
the previous round's soft labels. The model is the last round's fold networks averaged in probability
(:class:`~weaklabel.nn.ProbabilityEnsemble`). Training a fold network is the estimator's business: this module
only decides which rows each trains on, with which seed, and what they learn next.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

import joblib
import numpy as np
import torch
from sklearn.model_selection import KFold

from ..exceptions import InputError
from ..losses.positive_only import selection_posterior
from ..nn import ProbabilityEnsemble
from ..runtime import distributed

__all__ = ["FoldJob", "cross_fit", "fold_jobs", "in_processes", "out_of_fold_posterior"]

R = TypeVar("R")


@dataclass(frozen=True)
class FoldJob:
    """One fold network of a round: the rows it trains on, the rows it scores, its seed and checkpoint stage."""

    rows: np.ndarray
    held_out: np.ndarray
    seed: int
    stage: str


def fold_jobs(n_rows: int, n_folds: int, seed: int, round_: int) -> list[FoldJob]:
    """Round ``round_``'s folds: ``KFold(n_folds, shuffle=True, random_state=seed + round_)``; fold ``f``'s
    network is seeded ``seed + 1 + f`` (the same in every round) and checkpoints as ``refine{round_}-fold{f}``."""
    folds = KFold(int(n_folds), shuffle=True, random_state=seed + round_).split(np.arange(n_rows))
    return [FoldJob(rows, held_out, seed + 1 + fold, f"refine{round_}-fold{fold}") for fold, (rows, held_out) in enumerate(folds)]


def out_of_fold_posterior(observed: np.ndarray, held_out: Sequence[np.ndarray], probabilities: Sequence[np.ndarray]) -> np.ndarray:
    """Soft labels for every item: the selection posterior of the probabilities its fold's network gave it.

    Each item is scored by the network that did not train on it, so in round 0 its own observed label cannot
    have been memorised; from round 1 on the soft labels that network trained on were made by networks that
    saw the item (a second-order leak, much weaker than fitting the item directly).
    """
    probs = np.zeros(observed.shape, dtype=np.float32)
    for rows, p in zip(held_out, probabilities):
        probs[rows] = p
    return selection_posterior(torch.from_numpy(probs), torch.from_numpy(observed)).numpy()


def cross_fit(
    observed: np.ndarray,
    n_folds: int,
    rounds: int,
    seed: int,
    train_round: Callable[[list[FoldJob], np.ndarray | None], list[torch.nn.Module]],
    probabilities: Callable[[torch.nn.Module, np.ndarray], np.ndarray],
) -> ProbabilityEnsemble:
    """``rounds`` rounds of refinement after round 0; returns the last round's fold networks as one ensemble.

    ``train_round(jobs, targets)`` trains one network per :class:`FoldJob` (with the loss on the observed
    labels when ``targets`` is None, else on the soft ``targets`` of its rows); ``probabilities(net, rows)``
    scores rows with a trained network (sigmoid probabilities, shape (len(rows), n_labels)).
    """
    targets = None
    for round_ in range(int(rounds) + 1):
        jobs = fold_jobs(len(observed), n_folds, seed, round_)
        networks = train_round(jobs, targets)
        if round_ < int(rounds):
            targets = out_of_fold_posterior(observed, [job.held_out for job in jobs], [probabilities(net, job.held_out) for net, job in zip(networks, jobs)])
    return ProbabilityEnsemble(networks).eval()


def in_processes(fn: Callable[..., R], jobs: Sequence[tuple[Any, ...]], n_jobs: int) -> list[R]:
    """``fn(*job)`` for every job, ``n_jobs`` at a time in worker processes, in order.

    Each process trains with ``torch.get_num_threads() // n_jobs`` threads (at least 1). ``fn`` must pickle
    (a module-level function, or a ``functools.partial`` of one). Under ``torchrun`` the ranks already share the
    work, and worker processes cannot join their process group: refused.
    """
    if distributed.is_distributed():
        raise InputError(
            "n_jobs > 1 trains fold networks in separate processes, which cannot join a torchrun process group; "
            "use n_jobs=None under torchrun (the ranks already share the work)"
        )
    threads = max(1, torch.get_num_threads() // n_jobs)
    # backend="loky": processes also inside an outer joblib worker (where joblib's default turns to threads,
    # which would share the global torch RNG the networks are seeded from); max_nbytes=None: pass arrays by
    # pickling, not as read-only memory maps (torch.from_numpy wants writable arrays)
    parallel = joblib.Parallel(n_jobs=n_jobs, backend="loky", max_nbytes=None)
    return parallel(joblib.delayed(_with_threads)(threads, fn, *job) for job in jobs)


def _with_threads(threads: int, fn: Callable[..., R], *args: Any) -> R:
    """``fn(*args)`` in a worker process with ``threads`` torch threads."""
    torch.set_num_threads(threads)
    return fn(*args)
