"""The :class:`Table` the readers return: the features, labels and ids read from one file."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np


@dataclass
class Table:
    """Features and labels read from one file.

    ``labels`` is a list of label lists (from a list or delimited column, or a
    1-D ``y`` in an ``.npz``), a 0/1 int64 matrix (from label columns or an
    ``.npz`` ``Y``), or ``None`` when no labels were asked for or found.
    ``ids`` and ``id_name`` are the id column's values and name. ``ignored_columns`` lists the non-numeric columns left out when features
    were chosen by default.
    """

    features: np.ndarray
    feature_names: list[str]
    labels: list[list[Any]] | np.ndarray | None = None
    label_names: list[str] | None = None
    ids: np.ndarray | None = None
    id_name: str | None = None  # the column (or array) ``ids`` came from
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return int(self.features.shape[0])
