"""Files to DataFrames and back: path checks, CSV/TSV and Parquet reading with their checks, atomic writes."""

from __future__ import annotations

import csv
import os
import sys
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import pandas as pd

from ..exceptions import InputError
from ..fileio import replacing_file
from ._messages import list_names

if TYPE_CHECKING:
    import pyarrow as pa


TABLE_FORMATS = (".csv", ".tsv", ".parquet", ".pq")


ARRAY_FORMATS = (".npy", ".npz")


SUPPORTED = ", ".join(TABLE_FORMATS + ARRAY_FORMATS)


#: The cells pandas reads as missing by default (``pandas.read_csv``'s documented ``na_values`` defaults).
_PANDAS_NA_CELLS = (
    "", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
    "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null",
)


def file_suffix(path: Path) -> str:
    """The path's extension in lower case (``.csv``, ``.npz``, ...)."""
    return path.suffix.lower()


def check_path(path: str | Path) -> Path:
    """Return ``path`` as a Path after checking it is a readable, non-empty file of a known format."""
    p = Path(path)
    if not p.exists():
        hint = f" (the folder {str(p.parent)!r} does not exist either)" if not p.parent.exists() else ""
        raise InputError(f"File not found: {str(p)!r}{hint}; check the path")
    if p.is_dir():
        raise InputError(f"{str(p)!r} is a directory; give the path of a file ({SUPPORTED})")
    if file_suffix(p) not in TABLE_FORMATS + ARRAY_FORMATS:
        raise InputError(
            f"{str(p)!r} has an unsupported extension {p.suffix or '(none)'!r}; supported formats are {SUPPORTED}"
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
        f"`iconv -f latin1 -t utf-8 {p.name} > {p.stem}.utf8{p.suffix}` (the command line reads UTF-8; from Python, "
        f"read_table(..., encoding='latin-1') reads another encoding). A binary file such as Parquet saved as {p.suffix} gives this error too"
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


def _check_no_short_rows(p: Path, sep: str, encoding: str, width: int) -> None:
    """Refuse a data row with fewer fields than the header's ``width``: pandas would fill the missing trailing
    fields with missing values, so a row cut short would lose its labels without a word."""
    limit = csv.field_size_limit(sys.maxsize)  # pandas reads fields of any length; csv stops at 131,072 characters
    try:
        with open(p, newline="", encoding=encoding) as fh:
            # pandas skips blank and whitespace-only lines; a row with delimiters has its fields, even empty ones
            records = (row for row in csv.reader(fh, delimiter=sep) if row and (len(row) > 1 or row[0].strip()))
            next((row for row in records if any(cell.strip() for cell in row)), None)  # the header, as _read_header finds it
            for number, row in enumerate(records, start=1):
                if len(row) < width:
                    raise InputError(
                        f"{str(p)!r}: data row {number} has {len(row)} fields, the header line names {width} columns; "
                        "complete the row (an empty field still needs its delimiter) or remove it"
                    )
    finally:
        csv.field_size_limit(limit)


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
            f"{str(p)!r} has duplicate column names: {list_names(sorted(set(dups)))}; rename them so every column is unique"
        )


def _missing_markers(header: Sequence[str], text_columns: Sequence[str]) -> dict[str, list[str]]:
    """The cells read as missing in each column: only the empty cell in a text column, pandas' defaults elsewhere.

    In a label or id column ``NA`` (North America), ``None`` or ``null`` is a value, not a missing one;
    in a numeric column ``NA`` or ``nan`` stays missing, so the feature checks report it.
    """
    return {c: [""] if c in text_columns else list(_PANDAS_NA_CELLS) for c in header}


def _read_text_table(p: Path, encoding: str, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV/TSV as a DataFrame; ``text_columns`` are read as text, where only an empty cell is missing."""
    sep = "\t" if file_suffix(p) == ".tsv" else ","
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
    if frame.iloc[:, -1].isna().any():  # a short row leaves its last field missing: only then read the file again
        _check_no_short_rows(p, sep, enc, len(header))
    return frame


def _corrupt_parquet(p: Path, exc: Exception) -> InputError:
    return InputError(
        f"{str(p)!r} could not be read as Parquet ({str(exc).splitlines()[0] if str(exc) else type(exc).__name__}); "
        "the file is corrupt, truncated or not Parquet"
    )


def parquet_schema(p: Path) -> pa.Schema:
    """A Parquet file's schema (its footer, no data), refusing a corrupt file and duplicate column names
    (reading the table would fail on those as if the file were corrupt)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        schema = pq.read_schema(p)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _corrupt_parquet(p, exc) from None
    dups = sorted({n for n in schema.names if schema.names.count(n) > 1})
    if dups:
        raise InputError(f"{str(p)!r} has duplicate column names: {list_names(dups)}; rename them")
    return schema


def _read_parquet(p: Path, stored_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A Parquet file as a DataFrame; decimal columns become floats except ``stored_columns`` (labels, ids),
    whose exact values are kept (a decimal(38, 0) id would lose digits as a float)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    names = parquet_schema(p).names
    try:
        table = pq.read_table(p)
    except (pa.ArrowException, OSError, ValueError) as exc:
        raise _corrupt_parquet(p, exc) from None
    try:
        frame = _decimals_as_floats(table, stored_columns).to_pandas()
    except (pa.ArrowException, ValueError, TypeError) as exc:
        raise InputError(f"{str(p)!r} could not be converted to a table: {exc}") from None
    named_index = [name for name in frame.index.names if name is not None and name not in frame.columns]
    if named_index:  # columns pandas saved as its index (df.set_index("id").to_parquet()) are columns here
        # (one also kept as a column, set_index("id", drop=False), is read once)
        frame = frame.reset_index(level=named_index)
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


def read_table_frame(p: Path, encoding: str, text_columns: Sequence[str] = ()) -> pd.DataFrame:
    """A CSV/TSV/Parquet file as a DataFrame, refusing duplicate names, no columns or no rows; ``text_columns`` (the label and id columns) keep their text (or, in Parquet, their stored values)."""
    if file_suffix(p) in (".csv", ".tsv"):
        frame = _read_text_table(p, encoding, text_columns)
    else:
        frame = _read_parquet(p, text_columns)
    if frame.columns.duplicated().any():
        dups = sorted({str(c) for c in frame.columns[frame.columns.duplicated()]})
        raise InputError(f"{str(p)!r} has duplicate column names: {list_names(dups)}; rename them")
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
    p = check_path(path)
    if file_suffix(p) in ARRAY_FORMATS:
        raise InputError(f"{str(p)!r} is an array file, not a table; use read_table for {', '.join(ARRAY_FORMATS)}")
    return read_table_frame(p, encoding)


def check_output_table(path: str | Path) -> Path:
    """``path`` as a :class:`~pathlib.Path` that :func:`write_table` can write (a table extension, not a directory).

    Called before long work whose result goes to ``path``, so a bad name fails first.
    """
    p = Path(path)
    if file_suffix(p) not in TABLE_FORMATS:
        raise InputError(
            f"cannot write {str(p)!r}: unsupported extension {p.suffix or '(none)'!r}; use one of {', '.join(TABLE_FORMATS)}"
        )
    if p.is_dir():
        raise InputError(f"cannot write {str(p)!r}: it is a directory; give a file name")
    folder = next(folder for folder in p.absolute().parents if folder.exists())
    if not folder.is_dir():
        raise InputError(f"cannot write {str(p)!r}: {str(folder)!r} is a file, not a folder; choose another path")
    return p


def write_table(frame: pd.DataFrame, path: str | Path) -> None:
    """Write ``frame`` as CSV, TSV or Parquet (by extension), atomically, without the index.

    The data goes to a staging file in the same folder, which then replaces ``path``
    (:func:`weaklabel.fileio.replacing_file`); a failed write leaves any existing file untouched.
    """
    p = check_output_table(path)
    suffix = file_suffix(p)
    with replacing_file(p, repr(str(p))) as staging:
        try:
            if suffix in (".csv", ".tsv"):
                frame.to_csv(staging, index=False, sep="\t" if suffix == ".tsv" else ",", encoding="utf-8")
            else:
                frame.to_parquet(staging, index=False)
        except OSError:
            raise  # replacing_file names the file and the OS's reason
        except Exception as exc:  # a value pandas or pyarrow cannot store
            raise InputError(f"cannot write {str(p)!r}: {exc}") from None
