"""Label formats: a 0/1 matrix, a list of label lists, or one label per sample.

In a list of label lists a single label stands for a list of one, so
``["comedy", ["drama", "romance"]]`` is the label lists ``[["comedy"], ["drama", "romance"]]``.

:class:`LabelEncoder` turns any of them into an ``(n, L)`` 0/1 matrix with
``classes_`` holding the label names (strings, ints or bools, as given), and turns
0/1 predictions back into the format it was fitted on. A float label that is a
whole number is the int it equals (``1.0`` is ``1``), in a list as in an array;
any other float is a continuous target and refused. A missing label (``None``,
NaN, or ``pd.NA`` from a nullable column) is refused, naming its sample.
"""

from __future__ import annotations

import numbers
import warnings
from collections import Counter
from collections.abc import Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
from sklearn.exceptions import DataConversionWarning

from ..exceptions import InputError

FORMATS = ("matrix", "sets", "single")


def _is_label_scalar(value: Any) -> bool:
    """A single label: str, int, bool, or a float (read by :func:`_python_scalar`, as in a float array)."""
    return isinstance(value, (str, int, float, np.integer, np.floating, bool, np.bool_))


def _is_label_list(value: Any) -> bool:
    return isinstance(value, (list, tuple, set, frozenset, np.ndarray))


def _label_rows(y: Any) -> list[list[Any]]:
    """Label lists or single labels (a list of one) as one list of labels per sample."""
    return [list(v) if _is_label_list(v) else [v] for v in y]


def as_label_input(y: Any, one_label_per_sample: bool = False) -> Any:
    """Normalise array-likes: ``__array__`` objects and sparse matrices become arrays; an (n, 1) column of class
    labels is raveled.

    A column vector (an (n, 1) array, or a one-column DataFrame such as
    ``df[["label"]]``) whose values are not all 0/1 is read as one label per
    sample, following scikit-learn (with a ``DataConversionWarning``). A 0/1
    column stays a one-label matrix (a DataFrame's label is named by its
    column), unless ``one_label_per_sample`` (an estimator that takes one class
    per sample, for which it is two classes 0 and 1).
    """
    if y is None:
        raise InputError("labels are None; this estimator requires y to be passed, but the target y is None")
    if type(y).__module__.startswith("scipy.sparse"):  # a sparse indicator matrix, as scikit-learn accepts; labels are few
        y = y.toarray()
    if not isinstance(y, (np.ndarray, list, tuple)) and not hasattr(y, "columns") and hasattr(y, "__array__"):
        y = np.asarray(y)
    column_vector = isinstance(y, np.ndarray) and y.ndim == 2 and y.shape[1] == 1 and y.dtype != object
    one_column_frame = hasattr(y, "columns") and getattr(y, "ndim", 1) == 2 and y.shape[1] == 1
    if not (column_vector or one_column_frame):
        return y
    binary = np.isin(y, (0, 1)).all() if column_vector else bool(y.iloc[:, 0].isin([0, 1]).all())  # NA-safe for frames
    if one_label_per_sample or not binary:
        warnings.warn(
            "A column-vector y was passed when a 1d array was expected; it is read as one label per sample",
            DataConversionWarning,
            stacklevel=3,
        )
        y = y.ravel() if column_vector else y.iloc[:, 0]
    return y


def detect_format(y: Any) -> str:
    """``"matrix"`` (2-D 0/1 array), ``"sets"`` (label sequences, or single labels mixed with them) or ``"single"`` (1-D labels)."""
    y = as_label_input(y)
    if isinstance(y, np.ndarray) and y.dtype != object:
        if y.ndim == 2:
            return "matrix"
        if y.ndim == 1:
            if y.dtype.kind == "f" and np.isnan(y).any():
                _refuse_missing(y)
            return "single"
        raise InputError(f"labels must be 1-D (one label per sample) or 2-D (0/1 matrix); got shape {y.shape}")
    if hasattr(y, "to_numpy") and getattr(y, "ndim", 1) == 2:  # pandas DataFrame
        return "matrix"
    if not isinstance(y, Iterable) or isinstance(y, (str, bytes)):
        raise InputError(f"labels must be a 0/1 matrix, a list of label lists or a list of labels; got {type(y).__name__}")
    items = list(y)
    if not items:
        raise InputError("labels are empty; give one entry per sample")
    _refuse_missing(items)
    if all(_is_label_scalar(v) for v in items):
        return "single"
    if all(_is_label_list(v) for v in items) and _is_indicator_rows(items):
        return "matrix"
    if all(_is_label_list(v) or _is_label_scalar(v) for v in items):
        return "sets"
    kinds = sorted({type(v).__name__ for v in items})
    raise InputError(
        f"labels mix types {kinds}; give each sample one label (str or int) or a list of labels (str or int)"
    )


def is_missing(value: Any) -> bool:
    """A missing value: None, NaN, or pandas' NA or NaT (a nullable or datetime column's missing value)."""
    return value is None or value is pd.NA or value is pd.NaT or (isinstance(value, (float, np.floating)) and np.isnan(value))


def _refuse_missing(items: Iterable[Any]) -> None:
    """Refuse a missing label, bare or inside a label list, naming its sample (counted from 0, as in transform)."""
    for i, item in enumerate(items):
        for value in item if _is_label_list(item) else (item,):
            if is_missing(value):
                raise InputError(
                    f"the label of sample {i} (data row {i + 1} of a file) is missing ({value}); give every sample its label or drop the "
                    "unlabelled samples (in label lists, an empty list [] is a sample with no labels)"
                )


def _is_indicator_rows(rows: list[Any]) -> bool:
    """Rows of equal length (≥ 2) holding only numeric 0/1: a 0/1 matrix, as in scikit-learn's ``type_of_target``.

    So ``[[0, 1], [1, 0]]`` is a matrix; label sets of the integer labels 0 and
    1 must be given with ragged rows, as strings, or as a named matrix.
    """
    if len({len(r) for r in rows}) != 1 or len(rows[0]) < 2:
        return False
    try:
        values = np.asarray([list(r) for r in rows])
    except (ValueError, TypeError):
        return False
    return values.dtype.kind in "biuf" and bool(np.isin(values, (0, 1)).all())


_KIND_NAMES = {"str": "strings", "int": "integers", "bool": "booleans"}


def _kind(label: Any) -> str:
    """``"str"``, ``"bool"`` or ``"int"``: the type of a label read by :func:`_python_scalar`."""
    if isinstance(label, str):
        return "str"
    return "bool" if isinstance(label, (bool, np.bool_)) else "int"


def _check_label_types(labels: Iterable[Any]) -> None:
    kinds = {_kind(v) for v in labels}
    if len(kinds) > 1:
        mixed = " and ".join(name for kind, name in _KIND_NAMES.items() if kind in kinds)
        raise InputError(f"labels mix {mixed}; use one type (e.g. convert every label to str)")


def _has_exact_text(label: Any) -> bool:
    """Whether ``label`` is a str, an int or a bool, whose text (``"3"``, ``"True"``) is exact: not a float."""
    return isinstance(label, (str, int, np.integer, np.bool_))


def _text_index(names: Sequence[Any]) -> dict[str, int]:
    """Column of each str, int or bool class by its text; a text two classes share is left out."""
    counts = Counter(str(c) for c in names)
    return {str(c): j for j, c in enumerate(names) if _has_exact_text(c) and counts[str(c)] == 1}


def _python_scalar(v: Any) -> str | int | bool:
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, np.integer):
        return int(v)
    if isinstance(v, (str, int)):
        return v
    if isinstance(v, (float, np.floating)) and float(v).is_integer():
        return int(v)
    if isinstance(v, (float, np.floating)):
        raise InputError(
            f"Unknown label type: continuous (label {v!r}); labels must be strings or integers — "
            "a classifier cannot learn a continuous target"
        )
    raise InputError(f"label {v!r} is of type {type(v).__name__}; labels must be strings or integers")


class LabelEncoder:
    """Map labels in any supported format to a 0/1 matrix and back.

    Parameters
    ----------
    classes:
        Optional label names. For ``"matrix"`` input they name the columns
        (default ``0..L-1``); for the other formats they fix the label set and
        order (default: sorted labels seen in ``fit``).
    """

    def __init__(self, classes: Sequence[str | int] | None = None) -> None:
        self.classes = classes

    def fit(self, y: Any) -> LabelEncoder:
        y = as_label_input(y)
        self.format_ = detect_format(y)
        if self.format_ == "matrix":
            Y = self._as_matrix(y)
            if self.classes is not None:
                names = list(self.classes)
            elif hasattr(y, "columns"):  # a DataFrame names its label columns
                names = [_python_scalar(c) for c in y.columns]
            else:
                names = list(range(Y.shape[1]))
            if len(names) != Y.shape[1]:
                raise InputError(f"{len(names)} label names given for a label matrix with {Y.shape[1]} columns")
        elif self.classes is not None:
            names = [_python_scalar(c) for c in self.classes]
        else:
            labels = [_python_scalar(v) for v in self._iter_labels(y)]
            _check_label_types(labels)  # before the set, which merges True and 1
            names = sorted(set(labels))
        if not names:
            raise InputError(
                "the labels hold no label at all (every sample's label list is empty); "
                "give at least one labelled sample, or check the label column and separator"
            )
        _check_label_types(names)
        if len(set(names)) != len(names):
            raise InputError("label names are not unique; give each label one distinct name")
        self._set_classes(names)
        return self

    def _set_classes(self, names: Sequence[Any]) -> None:
        self.classes_ = np.array(names, dtype=object)
        self._index = {name: i for i, name in enumerate(names)}
        self._by_text = _text_index(names)

    def _iter_labels(self, y: Any) -> Iterable[Any]:
        return [label for row in _label_rows(y) for label in row]

    @staticmethod
    def _as_matrix(y: Any) -> np.ndarray:
        if hasattr(y, "isna"):  # a DataFrame's nullable columns (Int64, boolean, ...) hold pd.NA, which numpy cannot
            missing = np.asarray(y.isna())
            if missing.any():
                r, c = np.argwhere(missing)[0]
                raise InputError(f"the label matrix has a missing value at row {r}, column {c}; every entry must be 0 or 1")
        Y = np.asarray(y.to_numpy() if hasattr(y, "to_numpy") else y)
        if Y.ndim != 2:
            raise InputError(f"a label matrix must be 2-D (samples × labels); got shape {Y.shape}")
        if Y.dtype == object and all(isinstance(v, (numbers.Real, np.bool_)) for v in Y.flat):
            Y = Y.astype(np.float64)  # numbers in an object array (also what nullable pandas columns give)
        if Y.dtype == object or Y.dtype.kind not in "biuf":
            raise InputError("a label matrix must hold 0/1 numbers; got non-numeric values")
        if Y.dtype.kind == "f" and not np.isfinite(Y).all():
            raise InputError("the label matrix contains NaN or infinite values; it must hold only 0 and 1")
        bad = ~np.isin(Y, (0, 1))
        if bad.any():
            r, c = np.argwhere(bad)[0]
            raise InputError(
                f"the label matrix must hold only 0 and 1; found {Y[r, c]!r} at row {r}, column {c} "
                "(binarise it, e.g. Y > 0)"
            )
        return Y.astype(np.float32)

    @property
    def n_classes(self) -> int:
        return len(self.classes_)

    def transform(self, y: Any) -> np.ndarray:
        """Labels → float32 0/1 matrix (n, L); unknown labels are an error.

        An int or bool label whose text is a known str class (``3`` for ``"3"``, ``True``
        for ``"True"``), or a str label whose text is a known int or bool class, is that
        class: labels read from a CSV as text match a model fitted on the ints or bools of
        a Parquet file or an array, and back. Floats (``1.0``) are never matched by text,
        and the text must be the same (``"1.0"`` is not ``1``, ``"true"`` or ``"1"`` is not ``True``).
        """
        y = as_label_input(y)
        fmt = detect_format(y)
        if fmt == "matrix":
            if hasattr(y, "columns"):
                y = self._align_columns(y)
            Y = self._as_matrix(y)
            if Y.shape[1] != self.n_classes:
                raise InputError(f"label matrix has {Y.shape[1]} columns; the model knows {self.n_classes} labels")
            return Y
        rows = _label_rows(y)
        Y = np.zeros((len(rows), self.n_classes), dtype=np.float32)
        for i, row in enumerate(rows):
            for label in row:
                Y[i, self._column(label, i)] = 1.0
        return Y

    def _column(self, label: Any, sample: int) -> int:
        """The column of ``label`` (in ``sample``): its class, or the class of its text for a str, int or bool label."""
        key = _python_scalar(label)
        j = self._index.get(key)
        if j is None and _has_exact_text(label):
            j = self._by_text.get(str(key))
        if j is None:
            shown = ", ".join(repr(c) for c in self.classes_[:10])
            more = " …" if self.n_classes > 10 else ""
            raise InputError(
                f"unknown label {key!r} in sample {sample} (data row {sample + 1} of a file); "
                f"the model knows {self.n_classes} labels: {shown}{more}. "
                "Remove it or retrain with it"
            )
        return j

    def _align_columns(self, frame: Any) -> Any:
        """Reorder a named label frame to ``classes_``; different names are an error."""
        names = [_python_scalar(c) for c in frame.columns]
        if names == list(self.classes_):
            return frame
        missing = [c for c in self.classes_ if c not in names]
        extra = [c for c in names if c not in self._index]
        if missing or extra:
            raise InputError(
                f"label columns do not match the model's labels: missing {missing[:10]}, unknown {extra[:10]}; "
                "give the same label columns as at fit"
            )
        return frame[[frame.columns[names.index(c)] for c in self.classes_]]

    def fit_transform(self, y: Any) -> np.ndarray:
        return self.fit(y).transform(y)

    def inverse_transform(self, Y: np.ndarray, scores: np.ndarray | None = None) -> Any:
        """0/1 matrix → the fitted format.

        ``"single"``: the top label per sample (from ``scores`` if given, else
        the first positive column), as in one-vs-rest classification.
        """
        Y = np.asarray(Y)
        if self.format_ == "matrix":
            return Y.astype(np.int64)
        if self.format_ == "single":
            best = np.argmax(scores if scores is not None else Y, axis=1)
            return _typed_array(self.classes_[best])
        return self.label_lists(Y)

    def label_lists(self, Y: np.ndarray) -> list[list[str | int]]:
        """0/1 matrix → the list of label names of each sample, whatever the fitted format."""
        return [list(self.classes_[np.flatnonzero(row)]) for row in np.asarray(Y)]

    def get_config(self) -> dict[str, Any]:
        return {"format": self.format_, "classes": [_python_scalar(c) for c in self.classes_]}

    @classmethod
    def from_config(cls, config: dict[str, Any]) -> LabelEncoder:
        enc = cls(classes=config["classes"])
        enc.format_ = config["format"]
        enc._set_classes(config["classes"])
        return enc


def _typed_array(values: np.ndarray) -> np.ndarray:
    """An object array of labels as a bool, int or str array, whichever they are."""
    if len(values) and all(isinstance(v, (bool, np.bool_)) for v in values):
        return values.astype(bool)
    if len(values) and all(isinstance(v, int) for v in values):
        return values.astype(np.int64)
    return values.astype(str)
