"""DataFrame columns to float32 features and to labels, with the readers' checks and messages."""

from __future__ import annotations

import ast
import decimal
import math
import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InputError
from ._messages import list_names, short
from .labels import is_missing

_INT_TEXT = re.compile(r"^[+-]?(0|[1-9][0-9]*)(\.0+)?$")


_LIST_TEXT = re.compile(r"^\s*\[.*\]\s*$", re.DOTALL)


_BINARY_TEXT = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}


def first_bad(mask: np.ndarray) -> int:
    """Position of the first True in a 1-D mask."""
    return int(np.flatnonzero(mask)[0])


def _column_to_float(frame: pd.DataFrame, name: str, where: str) -> np.ndarray:
    """One selected column as float64, refusing text, lists, dates and complex numbers."""
    s = frame[name]
    dtype = s.dtype
    if isinstance(dtype, pd.CategoricalDtype):
        s = s.astype(object)
        dtype = s.dtype
    if pd.api.types.is_bool_dtype(dtype) or pd.api.types.is_numeric_dtype(dtype):
        if pd.api.types.is_complex_dtype(dtype):
            raise InputError(f"{where}: column {name!r} holds complex numbers; give real-valued features")
        return s.to_numpy(dtype=np.float64, na_value=np.nan)
    if pd.api.types.is_datetime64_any_dtype(dtype) or pd.api.types.is_timedelta64_dtype(dtype):
        raise InputError(
            f"{where}: column {name!r} holds dates or times; convert it to numbers (e.g. days since a start date) "
            "or leave it out of the features"
        )
    values = s.to_numpy(dtype=object)
    out = np.empty(len(values), dtype=np.float64)
    first_text = -1
    for i, v in enumerate(values):
        if is_missing(v):
            out[i] = np.nan
        elif isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
            out[i] = float(v)
        elif isinstance(v, str) and _is_number_text(v):
            first_text = i if first_text < 0 else first_text  # report a real non-number first, if there is one
        else:
            if isinstance(v, str):
                kind = f"text {short(v)}"
            elif isinstance(v, (list, tuple, np.ndarray)):
                kind = f"a list {short(list(v))}"
            else:
                kind = f"a {type(v).__name__} value {short(v)}"
            raise InputError(
                f"{where}: feature column {name!r} is not numeric: data row {i + 1} holds {kind}. "
                "Fix or remove the value, or leave the column out of the features"
            )
    if first_text >= 0:
        raise InputError(
            f"{where}: feature column {name!r} stores numbers as text (data row {first_text + 1} holds "
            f"{short(values[first_text])}); convert the column to a numeric type"
        )
    return out


def _is_number_text(v: str) -> bool:
    try:
        float(v)
    except ValueError:
        return False
    return True


def _looks_numeric(s: pd.Series) -> tuple[bool, int, Any]:
    """Whether a text column is mostly numbers; returns (verdict, first bad row index, its value).

    The index is -1 when every value is a number stored as text.
    """
    values = s.dropna()
    if len(values) == 0:
        return False, -1, None
    coerced = pd.to_numeric(values.astype(str).str.strip(), errors="coerce")
    n_ok = int(coerced.notna().sum())
    if n_ok == 0 or n_ok < 0.8 * len(values):
        return False, -1, None
    bad = coerced.isna().to_numpy()
    if not bad.any():
        return True, -1, None
    pos = np.flatnonzero(s.notna().to_numpy())[first_bad(bad)]
    return True, int(pos), s.iloc[pos]


def check_finite(col: np.ndarray, name: str, where: str) -> None:
    """Refuse NaN and infinite values in feature column ``name``, counting them and naming the first data row."""
    finite = np.isfinite(col)
    if finite.all():
        return
    bad = ~finite
    n_nan = int(np.isnan(col).sum())
    n_inf = int(bad.sum()) - n_nan
    parts = []
    if n_nan:
        parts.append(f"{n_nan} missing (empty/NaN) value{'s' if n_nan > 1 else ''}")
    if n_inf:
        parts.append(f"{n_inf} infinite value{'s' if n_inf > 1 else ''}")
    raise InputError(
        f"{where}: feature column {name!r} has {' and '.join(parts)}, first at data row {first_bad(bad) + 1}. "
        "Impute them (e.g. fill with the column median) or drop those rows before running weaklabel"
    )


def to_float32(col: np.ndarray, name: str, where: str) -> np.ndarray:
    """Float64 column ``name`` as float32, refusing NaN, infinite values and values beyond float32's range."""
    check_finite(col, name, where)
    with np.errstate(over="ignore"):
        out = col.astype(np.float32)
    if not np.isfinite(out).all():
        row = first_bad(~np.isfinite(out)) + 1
        raise InputError(
            f"{where}: feature column {name!r} has a value too large for float32 at data row {row} "
            f"({col[row - 1]!r}); rescale the column"
        )
    return out


def named_columns(frame: pd.DataFrame, names: str | Sequence[str], role: str, at_least_one: str, where: str) -> list[str]:
    """``names`` (one name or several) as a list of ``frame``'s columns: refused when empty (the fix
    ``at_least_one``), repeated or missing from the file; ``role`` names them in messages."""
    wanted = [names] if isinstance(names, str) else [str(n) for n in names]
    if not wanted:
        raise InputError(f"the list of {role} columns is empty; {at_least_one}")
    dups = sorted({n for n in wanted if wanted.count(n) > 1})
    if dups:
        raise InputError(f"{role} columns named more than once: {list_names(dups)}")
    missing = [n for n in wanted if n not in frame.columns]
    if missing:
        raise InputError(
            f"{where}: {role} column{'s' if len(missing) > 1 else ''} {list_names(missing)} not found; "
            f"available columns: {list_names([str(c) for c in frame.columns])}"
        )
    return wanted


def select_features(
    frame: pd.DataFrame,
    where: str,
    features: Sequence[str] | None,
    feature_prefix: str | None,
    reserved: dict[str, str],
) -> tuple[list[str], list[str]]:
    """Names of the feature columns and of the non-numeric columns left out."""
    columns = [str(c) for c in frame.columns]
    if features is not None and feature_prefix is not None:
        raise InputError("give either the feature names or a feature prefix, not both")
    if features is not None:
        names = named_columns(frame, features, "feature", "name at least one column", where)
        for n in names:
            if n in reserved:
                raise InputError(f"column {n!r} is the {reserved[n]} and cannot also be a feature; remove it from the features")
        return names, []
    if feature_prefix is not None:
        names = [c for c in columns if c.startswith(feature_prefix) and c not in reserved]
        if not names:
            raise InputError(
                f"{where}: no column name starts with the feature prefix {feature_prefix!r}; "
                f"available columns: {list_names(columns)}"
            )
        return names, []
    names, ignored = [], []
    for c in frame.columns:
        if str(c) in reserved:
            continue
        dtype = frame[c].dtype
        if (pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)) and not isinstance(
            dtype, pd.CategoricalDtype
        ):
            names.append(str(c))
            continue
        if pd.api.types.is_object_dtype(dtype):
            present = [v for v in frame[c].to_numpy(dtype=object) if not is_missing(v)]
            if present and all(isinstance(v, (bool, int, float, np.bool_, np.number)) for v in present):
                names.append(str(c))  # e.g. a Parquet bool column with nulls; the NaN check then names them
                continue
        if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
            numeric, pos, value = _looks_numeric(frame[c])
            if numeric and pos < 0:
                raise InputError(
                    f"{where}: column {str(c)!r} stores numbers as text; convert it to a numeric type, "
                    "or choose the feature columns explicitly to leave it out"
                )
            if numeric:
                raise InputError(
                    f"{where}: column {str(c)!r} looks numeric but data row {pos + 1} holds {short(value)}; "
                    "fix the value, or choose the feature columns explicitly to leave this column out"
                )
        ignored.append(str(c))
    if not names:
        raise InputError(
            f"{where}: no numeric feature columns found (columns: {list_names(columns)}); "
            "name the feature columns explicitly or convert them to numbers"
        )
    return names, ignored


def features_matrix(frame: pd.DataFrame, names: Sequence[str], where: str) -> np.ndarray:
    """The named columns of ``frame`` as one float32 matrix (n_rows, len(names)), each checked."""
    X = np.empty((len(frame), len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        X[:, j] = to_float32(_column_to_float(frame, name, where), name, where)
    return X


def label_scalar(v: Any, name: str, row: int, where: str) -> str | int | bool:
    """One stored label as a str, int (a whole float or decimal is the int it equals) or bool, as the Python API keeps them."""
    if isinstance(v, str):
        if not v.strip():
            raise InputError(f"{where}: label column {name!r}, data row {row}: a label is an empty string; remove it")
        return v
    if isinstance(v, (bool, np.bool_)):
        return bool(v)
    if isinstance(v, (int, np.integer)):
        return int(v)
    if isinstance(v, (float, np.floating, decimal.Decimal)) and math.isfinite(v) and v == int(v):
        return int(v)
    raise InputError(
        f"{where}: label column {name!r}, data row {row}: label {short(v)} is not a string or an integer"
    )


def _dedupe(labels: list[Any]) -> list[Any]:
    return list(dict.fromkeys(labels))


def labels_from_column(frame: pd.DataFrame, name: str, sep: str, where: str, text_file: bool) -> list[list[Any]]:
    """Label lists from one column: a list column, a delimited text column or a single-label column."""
    s = frame[name]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    values = s.to_numpy(dtype=object)
    if any(isinstance(v, (list, tuple, np.ndarray)) for v in values):
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, (list, tuple, np.ndarray)):
                what = "is empty (null)" if is_missing(v) else f"holds {short(v)}, not a list"
                raise InputError(
                    f"{where}: label column {name!r} is a list column but data row {i + 1} {what}; "
                    "use an empty list [] for a row with no labels"
                )
            row = []
            for x in v:
                if is_missing(x):
                    raise InputError(
                        f"{where}: label column {name!r}, data row {i + 1}: the list {short(list(v))} holds a null; "
                        "remove nulls from the label lists"
                    )
                row.append(label_scalar(x, name, i + 1, where))
            out.append(_dedupe(row))
        return out
    if pd.api.types.is_float_dtype(s.dtype):
        finite = s.dropna().to_numpy(dtype=np.float64)
        bad = ~(np.isfinite(finite) & (finite == np.round(finite)))
        if bad.any():
            pos = np.flatnonzero(s.notna().to_numpy())[first_bad(bad)]
            raise InputError(
                f"{where}: label column {name!r}, data row {pos + 1} holds {short(finite[bad][0])}, not a class; "
                "labels must be class names or integer ids (for several 0/1 columns, give them as label columns)"
            )
    if text_file:
        parsed = _labels_from_list_texts(values, name, sep, where)
        if parsed is not None:
            return parsed
    out = []
    texts = False
    for i, v in enumerate(values):
        if is_missing(v):
            out.append([])
        elif isinstance(v, str):
            texts = True
            out.append(_dedupe([piece.strip() for piece in v.split(sep) if piece.strip()]))
        else:
            out.append([label_scalar(v, name, i + 1, where)])
    if text_file and texts:
        pieces = [x for row in out for x in row]
        if pieces and all(isinstance(x, int) or _INT_TEXT.match(x) for x in pieces):
            out = [_dedupe([int(x.split(".")[0]) if isinstance(x, str) else x for x in row]) for row in out]
    return out


def _labels_from_list_texts(values: np.ndarray, name: str, sep: str, where: str) -> list[list[Any]] | None:
    """Label lists from a text column of list literals (``"['drama', 'comedy']"``, as ``DataFrame.to_csv`` writes
    a list column); ``None`` when no cell is one, so bracketed class names such as ``[MASK]`` stay labels.

    Once one cell is a list literal, every non-empty cell must be one (an empty cell is an empty list).
    """
    present = [(i, v) for i, v in enumerate(values) if isinstance(v, str) and v.strip()]
    lists = {i: value for i, v in present if (value := _list_literal(v)) is not None}
    if not lists:
        return None
    for i, v in present:
        if i in lists:
            continue
        if _LIST_TEXT.match(v):
            raise InputError(
                f"{where}: label column {name!r}, data row {i + 1}: {short(v)} looks like a list but is not a list "
                "literal; write it as ['a', 'b'] (quoted strings or integers)"
            )
        first = min(lists)
        raise InputError(
            f"{where}: label column {name!r} mixes list literals and plain labels: data row {i + 1} holds "
            f"{short(v)} but data row {first + 1} holds {short(values[first])}. Write every row as a list "
            f"(e.g. ['a', 'b'], or [] for no labels) or every row as labels delimited by {sep!r}"
        )
    return [_list_labels(lists[i], values[i], name, i + 1, where) if i in lists else [] for i in range(len(values))]


def _list_literal(text: str) -> list[Any] | None:
    """The list a cell's text spells as a Python literal (:func:`ast.literal_eval`, never evaluated as code), else None."""
    if not _LIST_TEXT.match(text):
        return None
    try:
        value = ast.literal_eval(text.strip())
    except (ValueError, TypeError, SyntaxError, MemoryError, RecursionError):
        return None
    return value if isinstance(value, list) else None


def _list_labels(value: list[Any], text: str, name: str, row: int, where: str) -> list[Any]:
    """The labels of one list literal cell (``text``, for messages): strings or integers, duplicates dropped."""
    if any(isinstance(x, bool) for x in value):  # label_scalar refuses the other non-labels (None, lists, 0.5)
        raise InputError(
            f"{where}: label column {name!r}, data row {row}: the list {short(text)} holds a bool; "
            "list labels must be strings or integers"
        )
    return _dedupe([label_scalar(x, name, row, where) for x in value])


def label_matrix(frame: pd.DataFrame, names: Sequence[str], where: str) -> np.ndarray:
    """The 0/1 label columns ``names`` as an int64 matrix; anything but 0/1 (or true/false text) names its row."""
    Y = np.empty((len(frame), len(names)), dtype=np.int64)
    for j, name in enumerate(names):
        s = frame[name]
        if pd.api.types.is_bool_dtype(s.dtype) or pd.api.types.is_numeric_dtype(s.dtype):
            if pd.api.types.is_complex_dtype(s.dtype):
                raise InputError(f"{where}: label column {name!r} holds complex numbers; it must hold 0 or 1")
            col = s.to_numpy(dtype=np.float64, na_value=np.nan)
            missing = np.isnan(col)
            if missing.any():
                raise InputError(
                    f"{where}: label column {name!r} has {int(missing.sum())} missing value(s), first at data row "
                    f"{first_bad(missing) + 1}; it must hold 0 or 1 in every row (0 = not this label)"
                )
            bad = (col != 0) & (col != 1)
            if bad.any():
                i = first_bad(bad)
                raise InputError(
                    f"{where}: label column {name!r} must hold only 0 or 1, but data row {i + 1} holds "
                    f"{short(s.iloc[i])}; for class names in one column give it as the label column instead"
                )
            Y[:, j] = col.astype(np.int64)
        else:
            values = s.to_numpy(dtype=object)
            for i, v in enumerate(values):
                if isinstance(v, (bool, np.bool_)) or (isinstance(v, (int, float, np.integer, np.floating)) and v in (0, 1)):
                    Y[i, j] = int(v)
                elif isinstance(v, str) and v.strip().lower() in _BINARY_TEXT:
                    Y[i, j] = _BINARY_TEXT[v.strip().lower()]
                else:
                    what = "is empty" if is_missing(v) else f"holds {short(v)}"
                    raise InputError(
                        f"{where}: label column {name!r} must hold only 0 or 1, but data row {i + 1} {what}; "
                        "for class names in one column give it as the label column instead"
                    )
    return Y


def no_labels_error(where: str) -> InputError:
    """The error for a file read without any label option although labels are required."""
    return InputError(
        f"{where}: labels are required but none were given. Give them in one of three ways: "
        "a label column holding one label, a delimited list ('a|b') or a Parquet list per row (--label-column); "
        "several 0/1 columns by name (--label-columns); or 0/1 columns sharing a name prefix (--label-prefix)"
    )
