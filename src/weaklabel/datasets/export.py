"""The standard sets as tables: one row per item, the ``weaklabel fit``/``evaluate`` input format."""

from __future__ import annotations

import pandas as pd

from ._standard import MultiLabelDataset, Subset, list_datasets, load_multilabel

#: the column of each row's label set in an exported table (read back with ``--label-column labels``)
LABEL_COLUMN = "labels"
#: the column saying "train" or "test" per row, in an export of every row
SPLIT_COLUMN = "split"


def as_frame(data: MultiLabelDataset, with_split: bool) -> pd.DataFrame:
    """Features ``x0, x1, ...``, the label set of each row as a list in ``labels``, and (``with_split``) ``split``."""
    frame = pd.DataFrame(data.X, columns=data.feature_names)
    names = list(data.label_names)
    frame[LABEL_COLUMN] = [[names[j] for j in row.nonzero()[0]] for row in data.Y]
    if with_split:
        frame[SPLIT_COLUMN] = data.split.astype(str)
    return frame


def summary_rows() -> list[dict[str, object]]:
    """One row per standard set: name, items, features, labels, labels per item, split, domain."""
    rows = []
    for name in list_datasets():
        data = load_multilabel(name)
        n_train = int((data.split == "train").sum())
        rows.append(
            {
                "name": name,
                "items": len(data.X),
                "features": data.X.shape[1],
                "labels": data.Y.shape[1],
                "labels per item": f"{data.Y.sum(axis=1).mean():.2f}",
                "train/test": f"{n_train}/{len(data.X) - n_train} ({'source' if data.split_origin == 'source' else 'seeded'})",
            }
        )
    return rows


def export_frame(name: str, subset: Subset = "all") -> pd.DataFrame:
    """Set ``name`` (``subset`` of it) as a table; a ``split`` column only when every row is exported."""
    return as_frame(load_multilabel(name, subset), with_split=subset == "all")
