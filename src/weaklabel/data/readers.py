"""Read feature tables and labels from CSV, TSV, Parquet, ``.npy`` and ``.npz`` files.

:func:`read_table` turns a file into a float32 feature matrix plus raw labels
(a list of label lists, or a 0/1 matrix). :func:`read_frame` reads a table
with checks, and :func:`write_table` writes one atomically.

Every problem a user can cause raises :class:`~weaklabel.exceptions.InputError`
whose message names the file, the column or row, and the fix. Nothing is
imputed or dropped silently.

Conventions
-----------
* Rows in messages are "data rows", counted from 1 with the header excluded
  (data row 1 is the first line under the header of a CSV).
* Array files (``.npy``/``.npz``) have feature names ``x0, x1, ...``.
* In CSV/TSV files the label and id columns are read as text, where only an
  empty cell is missing (``NA``, ``None`` or ``null`` is a label or an id); in
  other columns pandas' missing-value cells (``NA``, ``nan``, ...) are missing.
  If every label in the column is a plain integer (``3``, ``-1``, ``2.0``) the
  labels become Python ints, otherwise they all stay strings. A label column
  whose cells are list literals (``['drama', 'comedy']``, as ``DataFrame.to_csv``
  writes a list column) gives those lists; when no cell parses as one,
  bracketed names such as ``[MASK]`` stay labels. Parquet types are kept as stored
  (bools stay bools, as in an ``.npz`` ``y``), except that decimal features
  are floats (decimal labels and ids keep their exact values). ``True``/``False`` text in a CSV
  stays text; a model fitted on bools matches it by text, and back
  (:meth:`~weaklabel.data.labels.LabelEncoder.transform`).
* The work is split by input: :mod:`._files` reads files into DataFrames (and
  writes them), :mod:`._columns` turns columns into features and labels,
  :mod:`._arrays` reads ``.npy``/``.npz``; :func:`read_table` here combines them.
* Files are read whole into memory. To train from files larger than memory
  (Parquet read by row group, ``.npy``/uncompressed ``.npz`` read by chunks)
  see :mod:`weaklabel.data.sources` and ``weaklabel fit --stream``.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import InputError
from ._arrays import read_array
from ._columns import features_matrix, label_matrix, labels_from_column, named_columns, no_labels_error, select_features
from ._files import ARRAY_FORMATS, TABLE_FORMATS, check_output_table, check_path, file_suffix, read_frame, read_table_frame, write_table
from ._messages import list_names
from .table import Table

__all__ = ["Table", "check_label_separator", "check_output_table", "read_table", "read_frame", "write_table", "TABLE_FORMATS", "ARRAY_FORMATS"]


def check_label_separator(label_sep: str) -> None:
    """Refuse an empty separator of delimited label sets (in a label column, or in predicted label sets)."""
    if label_sep == "":
        raise InputError("the label separator is empty; give a character such as '|' or ';'")


def read_table(
    path: str | Path,
    *,
    features: Sequence[str] | None = None,
    feature_prefix: str | None = None,
    label_column: str | None = None,
    label_columns: Sequence[str] | None = None,
    label_prefix: str | None = None,
    label_sep: str = "|",
    id_column: str | None = None,
    require_labels: bool = False,
    encoding: str = "utf-8",
) -> Table:
    """Read features (float32) and raw labels from a CSV, TSV, Parquet, ``.npy`` or ``.npz`` file.

    Features are the named columns, the columns starting with ``feature_prefix``,
    or by default every numeric column except the label and id columns. Labels
    come from one column (``label_column``: Parquet list, list literal text,
    ``label_sep``-delimited text, or one label per row), from several 0/1 columns (``label_columns`` or
    ``label_prefix``), or from ``Y``/``y`` in an ``.npz``.
    """
    p = check_path(path)
    where = str(p)
    given = [o for o, v in (("label_column", label_column), ("label_columns", label_columns),
                            ("label_prefix", label_prefix)) if v is not None]
    if len(given) > 1:
        raise InputError(f"give labels one way only; got {' and '.join(given)}")
    check_label_separator(label_sep)
    if file_suffix(p) in ARRAY_FORMATS:
        return read_array(p, features, feature_prefix, bool(given), id_column, require_labels)
    if require_labels and not given:
        raise no_labels_error(where)

    text_file = file_suffix(p) in (".csv", ".tsv")
    text_columns = [c for c in (label_column, id_column) if c is not None]
    frame = read_table_frame(p, encoding, text_columns)
    columns = [str(c) for c in frame.columns]

    def need(name: str, role: str) -> None:
        if name not in frame.columns:
            raise InputError(f"{where}: {role} {name!r} not found; available columns: {list_names(columns)}")

    reserved: dict[str, str] = {}
    label_names: list[str] | None = None
    if id_column is not None:
        need(id_column, "id column")
        reserved[id_column] = "id column"
    if label_column is not None:
        need(label_column, "label column")
        if label_column in reserved:
            raise InputError(f"column {label_column!r} cannot be both the id column and the label column")
        reserved[label_column] = "label column"
    if label_columns is not None:
        label_names = named_columns(frame, label_columns, "label", "name at least one 0/1 column", where)
    if label_prefix is not None:
        if not label_prefix:
            raise InputError("the label prefix is empty; give the start shared by the label column names")
        label_names = [c for c in columns if c.startswith(label_prefix) and c not in reserved]
        if not label_names:
            raise InputError(
                f"{where}: no column name starts with the label prefix {label_prefix!r}; "
                f"available columns: {list_names(columns)}"
            )
    for n in label_names or ():
        if n in reserved:
            raise InputError(f"column {n!r} cannot be both the {reserved[n]} and a label column")
        reserved[n] = "label column"

    names, ignored = select_features(frame, where, features, feature_prefix, reserved)
    X = features_matrix(frame, names, where)

    labels: list[list[Any]] | np.ndarray | None = None
    if label_column is not None:
        labels = labels_from_column(frame, label_column, label_sep, where, text_file)
    elif label_names is not None:
        labels = label_matrix(frame, label_names, where)
    ids = frame[id_column].to_numpy() if id_column is not None else None
    return Table(features=X, feature_names=names, labels=labels, label_names=label_names, ids=ids, id_name=id_column,
                 ignored_columns=ignored)
