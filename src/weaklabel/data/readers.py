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
  (bools stay bools, as in an ``.npz`` ``y``), except that decimals are floats. ``True``/``False`` text in a CSV
  stays text; a model fitted on bools matches it by text, and back
  (:meth:`~weaklabel.data.labels.LabelEncoder.transform`).
* Files are read whole into memory. To train from files larger than memory
  (Parquet read by row group, ``.npy``/uncompressed ``.npz`` read by chunks)
  see :mod:`weaklabel.training.sources` and ``weaklabel fit --stream``.
"""

from __future__ import annotations

import ast
import csv
import decimal
import math
import os
import re
import secrets
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..exceptions import InputError

if TYPE_CHECKING:
    import pyarrow as pa

__all__ = ["Table", "check_output_table", "read_table", "read_frame", "write_table", "TABLE_FORMATS", "ARRAY_FORMATS"]

TABLE_FORMATS = (".csv", ".tsv", ".parquet", ".pq")
ARRAY_FORMATS = (".npy", ".npz")
_SUPPORTED = ", ".join(TABLE_FORMATS + ARRAY_FORMATS)
_INT_TEXT = re.compile(r"^[+-]?(0|[1-9][0-9]*)(\.0+)?$")
_LIST_TEXT = re.compile(r"^\s*\[.*\]\s*$", re.DOTALL)
_MAX_LISTED = 20
#: The cells pandas reads as missing by default (``pandas.read_csv``'s documented ``na_values`` defaults).
_PANDAS_NA_CELLS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)
_BINARY_TEXT = {"0": 0, "1": 1, "0.0": 0, "1.0": 1, "false": 0, "true": 1}


@dataclass
class Table:
    """Features and labels read from one file.

    ``labels`` is a list of label lists (from a list or delimited column, or a
    1-D ``y`` in an ``.npz``), a 0/1 int64 matrix (from label columns or an
    ``.npz`` ``Y``), or ``None`` when no labels were asked for or found.
    ``ignored_columns`` lists the non-numeric columns left out when features
    were chosen by default.
    """

    features: np.ndarray
    feature_names: list[str]
    labels: list[list[Any]] | np.ndarray | None = None
    label_names: list[str] | None = None
    ids: np.ndarray | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def n_samples(self) -> int:
        return int(self.features.shape[0])


# --------------------------------------------------------------------------- helpers


def _list_names(names: Sequence[Any]) -> str:
    shown = ", ".join(repr(str(n)) for n in list(names)[:_MAX_LISTED])
    if len(names) > _MAX_LISTED:
        shown += f", ... ({len(names)} in all)"
    return shown or "(none)"


def _short(value: Any) -> str:
    if isinstance(value, np.generic):
        value = value.item()
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."


def _suffix(path: Path) -> str:
    return path.suffix.lower()


def _check_path(path: str | Path) -> Path:
    """Return ``path`` as a Path after checking it is a readable, non-empty file of a known format."""
    p = Path(path)
    if not p.exists():
        hint = f" (the folder {str(p.parent)!r} does not exist either)" if not p.parent.exists() else ""
        raise InputError(f"File not found: {str(p)!r}{hint}; check the path")
    if p.is_dir():
        raise InputError(f"{str(p)!r} is a directory; give the path of a file ({_SUPPORTED})")
    if _suffix(p) not in TABLE_FORMATS + ARRAY_FORMATS:
        raise InputError(
            f"{str(p)!r} has an unsupported extension {p.suffix or '(none)'!r}; supported formats are {_SUPPORTED}"
        )
    try:
        size = p.stat().st_size
    except OSError as exc:
        raise InputError(f"cannot read {str(p)!r}: {exc.strerror or exc}") from None
    if size == 0:
        raise InputError(f"{str(p)!r} is empty (0 bytes); write the data to it first")
    if not os.access(p, os.R_OK):
        raise InputError(f"cannot read {str(p)!r}: permission denied; check the file's permissions")
    return p


def _encoding_error(p: Path, encoding: str) -> InputError:
    return InputError(
        f"{str(p)!r} is not valid {encoding} text. Re-encode it, e.g. "
        f"`iconv -f latin1 -t utf-8 {p.name} > {p.stem}.utf8{p.suffix}`, or pass the file's encoding "
        f"(a binary file such as Parquet saved as {p.suffix} gives this error too)"
    )


def _read_header(p: Path, sep: str, encoding: str) -> list[str]:
    """First non-blank line of a CSV/TSV, parsed like pandas does."""
    try:
        with open(p, newline="", encoding=encoding) as fh:
            for row in csv.reader(fh, delimiter=sep):
                if row and any(cell.strip() for cell in row):
                    return row
    except UnicodeDecodeError:
        raise _encoding_error(p, encoding) from None
    except csv.Error as exc:
        raise InputError(f"{str(p)!r} could not be parsed as {'TSV' if sep == chr(9) else 'CSV'}: {exc}") from None
    except OSError as exc:
        raise InputError(f"cannot read {str(p)!r}: {exc.strerror or exc}") from None
    raise InputError(f"{str(p)!r} has no header line (only blank lines); the first line must name the columns")


def _check_header(p: Path, header: list[str]) -> None:
    empty = [i + 1 for i, name in enumerate(header) if not name.strip()]
    if empty:
        raise InputError(
            f"{str(p)!r}: column {empty[0]} has no name in the header line. Give every column a name "
            "(a pandas index saved with to_csv? re-save with index=False)"
        )
    seen: set[str] = set()
    dups = [n for n in header if n in seen or seen.add(n)]  # type: ignore[func-returns-value]
    if dups:
        raise InputError(
            f"{str(p)!r} has duplicate column names: {_list_names(sorted(set(dups)))}; rename them so every column is unique"
        )


def _missing_markers(header: Sequence[str], text_columns: Sequence[str]) -> dict[str, list[str]]:
    """The cells read as missing in each column: only the empty cell in a text column, pandas' defaults elsewhere.

    In a label or id column ``NA`` (North America), ``None`` or ``null`` is a value, not a missing one;
    in a numeric column ``NA`` or ``nan`` stays missing, so the feature checks report it.
    """
    return {c: [""] if c in text_columns else list(_PANDAS_NA_CELLS) for c in header}


def _read_text_table(p: Path, encoding: str, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV/TSV as a DataFrame; ``text_columns`` are read as text, where only an empty cell is missing."""
    sep = "\t" if _suffix(p) == ".tsv" else ","
    enc = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    header = _read_header(p, sep, enc)
    _check_header(p, header)
    dtype = {c: "str" for c in text_columns if c in header}
    try:
        with warnings.catch_warnings():
            # index_col=False: never turn an extra first field into the index; pandas warns instead, made an error.
            warnings.simplefilter("error", pd.errors.ParserWarning)
            frame = pd.read_csv(
                p, sep=sep, encoding=enc, low_memory=False, dtype=dtype or None, index_col=False,
                keep_default_na=False, na_values=_missing_markers(header, text_columns),
            )
    except pd.errors.ParserWarning:
        raise InputError(
            f"{str(p)!r}: some data rows have more fields than the header line ({len(header)} names); "
            "add the missing column names or remove trailing delimiters"
        ) from None
    except UnicodeDecodeError:
        raise _encoding_error(p, encoding) from None
    except pd.errors.EmptyDataError:
        raise InputError(f"{str(p)!r} has no columns; the first line must name the columns") from None
    except pd.errors.ParserError as exc:
        msg = str(exc).strip().splitlines()[-1] if str(exc).strip() else type(exc).__name__
        raise InputError(
            f"{str(p)!r} could not be parsed: {msg}. Check that every line has as many fields as the header "
            "and that quotes are balanced"
        ) from None
    except (ValueError, OSError) as exc:
        raise InputError(f"{str(p)!r} could not be read: {exc}") from None
    return frame


def _read_parquet(p: Path, stored_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A Parquet file as a DataFrame; decimal columns become floats except ``stored_columns`` (labels, ids),
    whose exact values are kept (a decimal(38, 0) id would lose digits as a float)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(p)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise InputError(
            f"{str(p)!r} could not be read as Parquet ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
            "the file is corrupt, truncated or not Parquet"
        ) from None
    names = table.column_names
    if len(set(names)) != len(names):
        dups = sorted({n for n in names if names.count(n) > 1})
        raise InputError(f"{str(p)!r} has duplicate column names: {_list_names(dups)}; rename them")
    try:
        frame = _decimals_as_floats(table, stored_columns).to_pandas()
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise InputError(f"{str(p)!r} could not be converted to a table: {exc}") from None
    # List columns as plain Python lists, so nulls and ints survive (to_pandas turns list<int> with nulls into floats).
    for name, typ in zip(names, table.schema.types):
        if (pa.types.is_list(typ) or pa.types.is_large_list(typ) or pa.types.is_fixed_size_list(typ)) and name in frame:
            frame[name] = pd.Series(table.column(name).to_pylist(), index=frame.index, dtype=object)
    return frame


def _decimals_as_floats(table: pa.Table, keep: Sequence[str]) -> pa.Table:
    """A pyarrow table with its decimal columns but ``keep`` as float64, numbers like any other
    (``to_pandas`` gives Decimal objects)."""
    import pyarrow as pa

    for i, typ in enumerate(table.schema.types):
        if pa.types.is_decimal(typ) and table.field(i).name not in keep:
            table = table.set_column(i, table.field(i).name, table.column(i).cast(pa.float64()))
    return table


def _read_frame(p: Path, encoding: str, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    if _suffix(p) in (".csv", ".tsv"):
        frame = _read_text_table(p, encoding, text_columns)
    else:
        frame = _read_parquet(p, text_columns)
    if frame.columns.duplicated().any():
        dups = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputError(f"{str(p)!r} has duplicate column names: {_list_names(dups)}; rename them")
    if frame.shape[1] == 0:
        raise InputError(f"{str(p)!r} has no columns")
    if len(frame) == 0:
        raise InputError(f"{str(p)!r} has a header but no data rows; it needs at least one row")
    return frame


def read_frame(path: str | Path, *, encoding: str = "utf-8") -> pd.DataFrame:
    """Read a CSV, TSV or Parquet file into a DataFrame, with checks.

    Refuses missing paths, directories, empty files, header-only files,
    non-UTF-8 text (unless ``encoding`` says otherwise), duplicate or unnamed
    columns and corrupt Parquet. Parquet list columns hold Python lists.
    """
    p = _check_path(path)
    if _suffix(p) in ARRAY_FORMATS:
        raise InputError(f"{str(p)!r} is an array file, not a table; use read_table for {', '.join(ARRAY_FORMATS)}")
    return _read_frame(p, encoding)


# --------------------------------------------------------------------------- features


def _first_bad(mask: np.ndarray) -> int:
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
        if _is_missing(v) or v is pd.NaT:
            out[i] = np.nan
        elif isinstance(v, (bool, np.bool_, int, float, np.integer, np.floating)):
            out[i] = float(v)
        elif isinstance(v, str) and _is_number_text(v):
            first_text = i if first_text < 0 else first_text  # report a real non-number first, if there is one
        else:
            if isinstance(v, str):
                kind = f"text {_short(v)}"
            elif isinstance(v, (list, tuple, np.ndarray)):
                kind = f"a list {_short(list(v))}"
            else:
                kind = f"a {type(v).__name__} value {_short(v)}"
            raise InputError(
                f"{where}: feature column {name!r} is not numeric: data row {i + 1} holds {kind}. "
                "Fix or remove the value, or leave the column out of the features"
            )
    if first_text >= 0:
        raise InputError(
            f"{where}: feature column {name!r} stores numbers as text (data row {first_text + 1} holds "
            f"{_short(values[first_text])}); convert the column to a numeric type"
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
    pos = np.flatnonzero(s.notna().to_numpy())[_first_bad(bad)]
    return True, int(pos), s.iloc[pos]


def _check_finite(col: np.ndarray, name: str, where: str) -> None:
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
        f"{where}: feature column {name!r} has {' and '.join(parts)}, first at data row {_first_bad(bad) + 1}. "
        "Impute them (e.g. fill with the column median) or drop those rows before running weaklabel"
    )


def _to_float32(col: np.ndarray, name: str, where: str) -> np.ndarray:
    _check_finite(col, name, where)
    with np.errstate(over="ignore"):
        out = col.astype(np.float32)
    if not np.isfinite(out).all():
        row = _first_bad(~np.isfinite(out)) + 1
        raise InputError(
            f"{where}: feature column {name!r} has a value too large for float32 at data row {row} "
            f"({col[row - 1]!r}); rescale the column"
        )
    return out


def _select_features(
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
        if isinstance(features, str):
            features = [features]
        names = [str(f) for f in features]
        if not names:
            raise InputError("the list of feature columns is empty; name at least one column")
        dups = sorted({n for n in names if names.count(n) > 1})
        if dups:
            raise InputError(f"feature columns named more than once: {_list_names(dups)}")
        missing = [n for n in names if n not in frame.columns]
        if missing:
            raise InputError(
                f"{where}: feature column{'s' if len(missing) > 1 else ''} {_list_names(missing)} not found; "
                f"available columns: {_list_names(columns)}"
            )
        for n in names:
            if n in reserved:
                raise InputError(f"column {n!r} is the {reserved[n]} and cannot also be a feature; remove it from the features")
        return names, []
    if feature_prefix is not None:
        names = [c for c in columns if c.startswith(feature_prefix) and c not in reserved]
        if not names:
            raise InputError(
                f"{where}: no column name starts with the feature prefix {feature_prefix!r}; "
                f"available columns: {_list_names(columns)}"
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
        if dtype == object:
            present = [v for v in frame[c].to_numpy(dtype=object) if not _is_missing(v)]
            if present and all(isinstance(v, (bool, int, float, np.bool_, np.number)) for v in present):
                names.append(str(c))  # e.g. a Parquet bool column with nulls; the NaN check then names them
                continue
        if dtype == object or pd.api.types.is_string_dtype(dtype):
            numeric, pos, value = _looks_numeric(frame[c])
            if numeric and pos < 0:
                raise InputError(
                    f"{where}: column {str(c)!r} stores numbers as text; convert it to a numeric type, "
                    "or choose the feature columns explicitly to leave it out"
                )
            if numeric:
                raise InputError(
                    f"{where}: column {str(c)!r} looks numeric but data row {pos + 1} holds {_short(value)}; "
                    "fix the value, or choose the feature columns explicitly to leave this column out"
                )
        ignored.append(str(c))
    if not names:
        raise InputError(
            f"{where}: no numeric feature columns found (columns: {_list_names(columns)}); "
            "name the feature columns explicitly or convert them to numbers"
        )
    return names, ignored


def _features_matrix(frame: pd.DataFrame, names: Sequence[str], where: str) -> np.ndarray:
    X = np.empty((len(frame), len(names)), dtype=np.float32)
    for j, name in enumerate(names):
        X[:, j] = _to_float32(_column_to_float(frame, name, where), name, where)
    return X


# --------------------------------------------------------------------------- labels


def _label_scalar(v: Any, name: str, row: int, where: str) -> str | int | bool:
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
        f"{where}: label column {name!r}, data row {row}: label {_short(v)} is not a string or an integer"
    )


def _dedupe(labels: list[Any]) -> list[Any]:
    return list(dict.fromkeys(labels))


def _is_missing(v: Any) -> bool:
    if v is None or v is pd.NA or v is pd.NaT:
        return True
    return isinstance(v, (float, np.floating)) and math.isnan(v)


def _labels_from_column(frame: pd.DataFrame, name: str, sep: str, where: str, text_file: bool) -> list[list[Any]]:
    """Label lists from one column: a list column, a delimited text column or a single-label column."""
    s = frame[name]
    if isinstance(s.dtype, pd.CategoricalDtype):
        s = s.astype(object)
    values = s.to_numpy(dtype=object)
    if any(isinstance(v, (list, tuple, np.ndarray)) for v in values):
        out = []
        for i, v in enumerate(values):
            if not isinstance(v, (list, tuple, np.ndarray)):
                what = "is empty (null)" if _is_missing(v) else f"holds {_short(v)}, not a list"
                raise InputError(
                    f"{where}: label column {name!r} is a list column but data row {i + 1} {what}; "
                    "use an empty list [] for a row with no labels"
                )
            row = []
            for x in v:
                if _is_missing(x):
                    raise InputError(
                        f"{where}: label column {name!r}, data row {i + 1}: the list {_short(list(v))} holds a null; "
                        "remove nulls from the label lists"
                    )
                row.append(_label_scalar(x, name, i + 1, where))
            out.append(_dedupe(row))
        return out
    if pd.api.types.is_float_dtype(s.dtype):
        finite = s.dropna().to_numpy(dtype=np.float64)
        bad = ~(np.isfinite(finite) & (finite == np.round(finite)))
        if bad.any():
            pos = np.flatnonzero(s.notna().to_numpy())[_first_bad(bad)]
            raise InputError(
                f"{where}: label column {name!r}, data row {pos + 1} holds {_short(finite[bad][0])}, not a class; "
                "labels must be class names or integer ids (for several 0/1 columns, give them as label columns)"
            )
    if text_file:
        parsed = _labels_from_list_texts(values, name, sep, where)
        if parsed is not None:
            return parsed
    out = []
    texts = False
    for i, v in enumerate(values):
        if _is_missing(v):
            out.append([])
        elif isinstance(v, str):
            texts = True
            out.append(_dedupe([piece.strip() for piece in v.split(sep) if piece.strip()]))
        else:
            out.append([_label_scalar(v, name, i + 1, where)])
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
                f"{where}: label column {name!r}, data row {i + 1}: {_short(v)} looks like a list but is not a list "
                "literal; write it as ['a', 'b'] (quoted strings or integers)"
            )
        first = min(lists)
        raise InputError(
            f"{where}: label column {name!r} mixes list literals and plain labels: data row {i + 1} holds "
            f"{_short(v)} but data row {first + 1} holds {_short(values[first])}. Write every row as a list "
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
    if any(isinstance(x, bool) for x in value):  # _label_scalar refuses the other non-labels (None, lists, 0.5)
        raise InputError(
            f"{where}: label column {name!r}, data row {row}: the list {_short(text)} holds a bool; "
            "list labels must be strings or integers"
        )
    return _dedupe([_label_scalar(x, name, row, where) for x in value])


def _label_matrix(frame: pd.DataFrame, names: Sequence[str], where: str) -> np.ndarray:
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
                    f"{_first_bad(missing) + 1}; it must hold 0 or 1 in every row (0 = not this label)"
                )
            bad = (col != 0) & (col != 1)
            if bad.any():
                i = _first_bad(bad)
                raise InputError(
                    f"{where}: label column {name!r} must hold only 0 or 1, but data row {i + 1} holds "
                    f"{_short(s.iloc[i])}; for class names in one column give it as the label column instead"
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
                    what = "is empty" if _is_missing(v) else f"holds {_short(v)}"
                    raise InputError(
                        f"{where}: label column {name!r} must hold only 0 or 1, but data row {i + 1} {what}; "
                        "for class names in one column give it as the label column instead"
                    )
    return Y


def _no_labels_error(where: str) -> InputError:
    return InputError(
        f"{where}: labels are required but none were given. Give them in one of three ways: "
        "a label column holding one label, a delimited list ('a|b') or a Parquet list per row (--label-column); "
        "several 0/1 columns by name (--label-columns); or 0/1 columns sharing a name prefix (--label-prefix)"
    )


# --------------------------------------------------------------------------- arrays


def _load_npy(p: Path) -> np.ndarray:
    try:
        return np.load(p, allow_pickle=False)
    except ValueError as exc:
        if "pickle" in str(exc).lower():
            raise InputError(
                f"{str(p)!r} holds Python objects (pickled data), which weaklabel never loads for safety; "
                "save a numeric array instead (np.save with a float or int array)"
            ) from None
        raise InputError(f"{str(p)!r} could not be read as a .npy array ({exc}); the file is corrupt or not .npy") from None
    except (OSError, EOFError) as exc:
        raise InputError(f"{str(p)!r} could not be read as a .npy array ({exc}); the file is corrupt or not .npy") from None


def _check_array_features(X: np.ndarray, where: str, key: str) -> np.ndarray:
    if X.dtype == object:
        raise InputError(f"{where}: {key} holds Python objects; save a numeric array")
    if X.dtype.kind not in "biuf":
        raise InputError(f"{where}: {key} has dtype {X.dtype}; features must be numbers (int, float or bool)")
    if X.ndim == 1:
        raise InputError(
            f"{where}: {key} is 1-D with shape {X.shape}; features must be 2-D (n_samples, n_features). "
            "Save X.reshape(-1, 1) for a single feature or X.reshape(1, -1) for a single sample"
        )
    if X.ndim != 2:
        raise InputError(
            f"{where}: {key} has shape {X.shape}; features must be 2-D (n_samples, n_features), "
            "e.g. save X.reshape(len(X), -1)"
        )
    if X.shape[0] == 0:
        raise InputError(f"{where}: {key} has 0 rows; it needs at least one sample")
    if X.shape[1] == 0:
        raise InputError(f"{where}: {key} has 0 columns; it needs at least one feature")
    if X.dtype.kind == "f":
        finite = np.isfinite(X)
        if not finite.all():
            j = _first_bad(~finite.all(axis=0))
            _check_finite(X[:, j].astype(np.float64), f"x{j}", where)
    out = np.empty(X.shape, dtype=np.float32)
    for j in range(X.shape[1]):
        out[:, j] = _to_float32(X[:, j].astype(np.float64), f"x{j}", where) if X.dtype.kind == "f" else X[:, j]
    return out


def _select_array_columns(X: np.ndarray, features: Sequence[str] | None, feature_prefix: str | None, where: str):
    names = [f"x{j}" for j in range(X.shape[1])]
    if feature_prefix is not None:
        raise InputError(f"{where}: a feature prefix applies to tables, not array files; give the feature names (x0, x1, ...) instead")
    if features is None:
        return X, names
    wanted = [features] if isinstance(features, str) else [str(f) for f in features]
    missing = [n for n in wanted if n not in names]
    if missing:
        raise InputError(
            f"{where}: feature column{'s' if len(missing) > 1 else ''} {_list_names(missing)} not found; "
            f"an array file's columns are named x0 .. x{X.shape[1] - 1}"
        )
    idx = [int(n[1:]) for n in wanted]
    return np.ascontiguousarray(X[:, idx]), wanted


def _read_array(
    p: Path,
    features: Sequence[str] | None,
    feature_prefix: str | None,
    label_options: bool,
    id_column: str | None,
    require_labels: bool,
) -> Table:
    where = str(p)
    if label_options:
        raise InputError(
            f"{where}: label columns apply to tables; an .npz file gives labels as the array 'Y' (0/1 matrix) "
            "or 'y' (one label per row)"
        )
    if _suffix(p) == ".npy":
        if id_column is not None:
            raise InputError(f"{where}: a .npy file holds only features; ids need a table or an .npz with an ids array")
        if require_labels:
            raise InputError(
                f"{where}: labels are required but a .npy file holds only features; save an .npz with X and Y "
                "(np.savez(path, X=X, Y=Y)) or use a table with a label column"
            )
        X = _check_array_features(_load_npy(p), where, "the array")
        X, names = _select_array_columns(X, features, feature_prefix, where)
        return Table(features=X, feature_names=names)

    try:
        npz = np.load(p, allow_pickle=False)
    except Exception as exc:  # zipfile.BadZipFile, ValueError, OSError, EOFError
        raise InputError(f"{where} could not be read as an .npz archive ({exc}); the file is corrupt or not .npz") from None
    if not hasattr(npz, "files"):
        raise InputError(f"{where} holds a single array, not an .npz archive; rename it to .npy or save with np.savez")

    def get(key: str) -> np.ndarray:
        try:
            return npz[key]
        except ValueError as exc:
            if "pickle" in str(exc).lower():
                raise InputError(
                    f"{where}: array {key!r} holds Python objects (pickled data), which weaklabel never loads; "
                    "save numbers or fixed-width strings (np.array(labels, dtype=str))"
                ) from None
            raise InputError(f"{where}: array {key!r} could not be read ({exc})") from None
        except Exception as exc:
            raise InputError(f"{where}: array {key!r} could not be read ({exc}); the file is corrupt") from None

    with npz:
        keys = list(npz.files)
        if "X" not in keys:
            raise InputError(
                f"{where} has no array named 'X' (arrays: {_list_names(keys)}); save with np.savez(path, X=X, Y=Y)"
            )
        X = _check_array_features(get("X"), where, "array 'X'")
        n = X.shape[0]
        labels: list[list[Any]] | np.ndarray | None = None
        label_names: list[str] | None = None
        if "Y" in keys and "y" in keys:
            raise InputError(f"{where} has both 'Y' and 'y'; keep one (Y: 0/1 matrix, y: one label per row)")
        if "Y" in keys:
            Y = get("Y")
            if Y.ndim != 2:
                raise InputError(
                    f"{where}: 'Y' has shape {Y.shape} but must be a 2-D 0/1 matrix (n_samples, n_labels); "
                    "save one label per row as 'y' instead"
                )
            if Y.dtype.kind not in "biuf":
                raise InputError(f"{where}: 'Y' has dtype {Y.dtype}; it must hold 0 or 1")
            bad = (Y != 0) & (Y != 1)
            if bad.any():
                i, j = (int(k) for k in np.argwhere(bad)[0])
                raise InputError(
                    f"{where}: 'Y' must hold only 0 or 1, but row {i + 1}, column {j} holds {Y[i, j]!r}"
                )
            if Y.shape[0] != n:
                raise InputError(f"{where}: 'X' has {n} rows but 'Y' has {Y.shape[0]}; give one label row per sample")
            labels = Y.astype(np.int64)
            if "label_names" in keys:
                ln = get("label_names")
                if ln.ndim != 1 or len(ln) != Y.shape[1]:
                    raise InputError(
                        f"{where}: 'label_names' has shape {ln.shape} but 'Y' has {Y.shape[1]} columns; "
                        "give one name per column of Y"
                    )
                label_names = [str(v) for v in ln.tolist()]
                if len(set(label_names)) != len(label_names):
                    dups = sorted({v for v in label_names if label_names.count(v) > 1})
                    raise InputError(f"{where}: 'label_names' repeats {_list_names(dups)}; label names must be unique")
            else:
                label_names = [str(j) for j in range(Y.shape[1])]
        elif "y" in keys:
            y = get("y")
            if y.ndim != 1:
                raise InputError(
                    f"{where}: 'y' has shape {y.shape} but must be 1-D (one label per row); "
                    "save a 0/1 matrix as 'Y' instead"
                )
            if len(y) != n:
                raise InputError(f"{where}: 'X' has {n} rows but 'y' has {len(y)}; give one label per sample")
            if y.dtype.kind not in "biufUS":
                raise InputError(f"{where}: 'y' has dtype {y.dtype}; labels must be strings or integers")
            if "label_names" in keys:
                raise InputError(f"{where}: 'label_names' only applies to a 0/1 matrix 'Y'; remove it or save Y")
            labels = []
            for i, v in enumerate(y.tolist()):
                if isinstance(v, bytes):
                    v = v.decode("utf-8", errors="replace")
                if isinstance(v, str) and not v.strip():
                    labels.append([])
                elif _is_missing(v):
                    labels.append([])
                else:
                    labels.append([_label_scalar(v, "y", i + 1, where)])
        elif require_labels:
            raise InputError(
                f"{where}: labels are required but the archive has no 'Y' (0/1 matrix) or 'y' (one label per row); "
                f"arrays found: {_list_names(keys)}"
            )
        ids = None
        if id_column is not None:
            if id_column not in keys:
                raise InputError(f"{where}: no array named {id_column!r} for the ids (arrays: {_list_names(keys)})")
            ids = get(id_column)
            if ids.ndim != 1 or len(ids) != n:
                raise InputError(f"{where}: ids array {id_column!r} has shape {ids.shape}; it must be 1-D with {n} entries")
    X, names = _select_array_columns(X, features, feature_prefix, where)
    return Table(features=X, feature_names=names, labels=labels, label_names=label_names, ids=ids)


# --------------------------------------------------------------------------- public


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
    p = _check_path(path)
    where = str(p)
    given = [o for o, v in (("label_column", label_column), ("label_columns", label_columns),
                            ("label_prefix", label_prefix)) if v is not None]
    if len(given) > 1:
        raise InputError(f"give labels one way only; got {' and '.join(given)}")
    if label_sep == "":
        raise InputError("the label separator is empty; give a character such as '|' or ';'")
    if _suffix(p) in ARRAY_FORMATS:
        return _read_array(p, features, feature_prefix, bool(given), id_column, require_labels)
    if require_labels and not given:
        raise _no_labels_error(where)

    text_file = _suffix(p) in (".csv", ".tsv")
    text_columns = [c for c in (label_column, id_column) if c is not None]
    frame = _read_frame(p, encoding, text_columns)
    columns = [str(c) for c in frame.columns]

    def need(name: str, role: str) -> None:
        if name not in frame.columns:
            raise InputError(f"{where}: {role} {name!r} not found; available columns: {_list_names(columns)}")

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
        label_names = [label_columns] if isinstance(label_columns, str) else [str(c) for c in label_columns]
        if not label_names:
            raise InputError("the list of label columns is empty; name at least one 0/1 column")
        dups = sorted({n for n in label_names if label_names.count(n) > 1})
        if dups:
            raise InputError(f"label columns named more than once: {_list_names(dups)}")
        missing = [n for n in label_names if n not in frame.columns]
        if missing:
            raise InputError(
                f"{where}: label column{'s' if len(missing) > 1 else ''} {_list_names(missing)} not found; "
                f"available columns: {_list_names(columns)}"
            )
    if label_prefix is not None:
        if not label_prefix:
            raise InputError("the label prefix is empty; give the start shared by the label column names")
        label_names = [c for c in columns if c.startswith(label_prefix) and c not in reserved]
        if not label_names:
            raise InputError(
                f"{where}: no column name starts with the label prefix {label_prefix!r}; "
                f"available columns: {_list_names(columns)}"
            )
    for n in label_names or ():
        if n in reserved:
            raise InputError(f"column {n!r} cannot be both the {reserved[n]} and a label column")
        reserved[n] = "label column"

    names, ignored = _select_features(frame, where, features, feature_prefix, reserved)
    X = _features_matrix(frame, names, where)

    labels: list[list[Any]] | np.ndarray | None = None
    if label_column is not None:
        labels = _labels_from_column(frame, label_column, label_sep, where, text_file)
    elif label_names is not None:
        labels = _label_matrix(frame, label_names, where)
    ids = frame[id_column].to_numpy() if id_column is not None else None
    return Table(features=X, feature_names=names, labels=labels, label_names=label_names, ids=ids,
                 ignored_columns=ignored)


def check_output_table(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path` that :func:`write_table` can write (a table extension, not a directory).

    Called before long work whose result goes to ``path``, so a bad name fails first.
    """
    p = Path(path)
    if _suffix(p) not in TABLE_FORMATS:
        raise InputError(
            f"cannot write {str(p)!r}: unsupported extension {p.suffix or '(none)'!r}; use one of {', '.join(TABLE_FORMATS)}"
        )
    if p.is_dir():
        raise InputError(f"cannot write {str(p)!r}: it is a directory; give a file name")
    return p


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as CSV, TSV or Parquet (by extension), atomically, without the index.

    The data goes to a temporary file in the same folder, which then replaces
    ``path``; a failed write leaves any existing file untouched.
    """
    p = check_output_table(path)
    suffix = _suffix(p)
    try:
        p.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InputError(f"cannot create the folder {str(p.parent)!r}: {exc.strerror or exc}") from None
    tmp = p.parent / f".{p.name}.{secrets.token_hex(6)}.tmp"
    try:
        fd = os.open(tmp, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666)  # the umask applies, as for a normal file
        os.close(fd)
        if suffix in (".csv", ".tsv"):
            frame.to_csv(tmp, index=False, sep="\t" if suffix == ".tsv" else ",", encoding="utf-8")
        else:
            frame.to_parquet(tmp, index=False)
        with open(tmp, "rb+") as fh:
            os.fsync(fh.fileno())
        os.replace(tmp, p)
    except OSError as exc:
        _remove(tmp)
        raise InputError(f"cannot write {str(p)!r}: {exc.strerror or exc}") from None
    except Exception as exc:
        _remove(tmp)
        if isinstance(exc, InputError):
            raise
        raise InputError(f"cannot write {str(p)!r}: {exc}") from None


def _remove(path: Path) -> None:
    try:
        os.unlink(path)
    except OSError:
        pass
