"""Summaries of benchmark rows run over several seeds."""

from __future__ import annotations

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
