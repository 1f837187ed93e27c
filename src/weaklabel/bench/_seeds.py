"""Summaries of benchmark rows run over several seeds, and of selecting among seeded runs."""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from typing import Any

import numpy as np


def summarise_seeds(
    rows: Sequence[dict[str, Any]],
    keys: Sequence[str],
    metrics: Sequence[str],
    *,
    lower_is_better: Sequence[str] = (),
    means: Sequence[str] = (),
) -> list[dict[str, Any]]:
    """One row per distinct value of ``keys`` (in first-seen order): the number of seeds,
    the mean and the worst seed (``worst_<metric>``) of each of ``metrics``, and the mean
    of each of ``means`` (e.g. fit seconds). "Worst" is the maximum for the metrics in
    ``lower_is_better``, the minimum otherwise."""
    out = []
    for key in dict.fromkeys(tuple(r[k] for k in keys) for r in rows):
        mine = [r for r in rows if tuple(r[k] for k in keys) == key]
        row: dict[str, Any] = {**dict(zip(keys, key)), "seeds": len(mine)}
        for metric in metrics:
            values = np.array([r[metric] for r in mine], dtype=float)
            row[metric] = values.mean()
            row[f"worst_{metric}"] = values.max() if metric in lower_is_better else values.min()
        for column in means:
            row[column] = float(np.mean([r[column] for r in mine]))
        out.append(row)
    return out


def best_of_k(losses: Sequence[float], scores: Sequence[float], k: int) -> dict[str, float]:
    """What keeping the lowest-loss of ``k`` independent runs is worth, from ``n ≥ k`` runs' losses and scores.

    Over every ``k``-subset of the runs: ``score`` is the mean score of the subset's lowest-loss run
    (what ``n_init=k`` selection gets on average), ``worst_score`` the minimum of it, and ``oracle`` the
    mean of the subset's *best* score (what a perfect selection would get). Exact, by enumeration; ties
    in loss go to the earlier run.
    """
    loss, score = np.asarray(losses, dtype=float), np.asarray(scores, dtype=float)
    if loss.shape != score.shape or loss.ndim != 1 or not 1 <= int(k) <= len(loss):
        raise ValueError(f"need one loss and one score per run and 1 ≤ k ≤ runs, got {loss.shape}, {score.shape}, k={k}")
    if np.isnan(loss).any() or not np.isfinite(score).all():
        raise ValueError("losses must not be NaN (give a diverged run the loss inf) and scores must be finite")
    subsets = np.array(list(itertools.combinations(range(len(loss)), int(k))))
    picked = score[subsets[np.arange(len(subsets)), loss[subsets].argmin(axis=1)]]
    return {"score": float(picked.mean()), "worst_score": float(picked.min()), "oracle": float(score[subsets].max(axis=1).mean())}
