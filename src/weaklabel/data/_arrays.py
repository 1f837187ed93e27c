"""``.npy`` and ``.npz`` files to a :class:`~weaklabel.data.table.Table` (features ``x0, x1, ...``)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..exceptions import InputError
from ._columns import check_finite, first_bad, label_scalar, to_float32
from ._files import file_suffix
from ._messages import list_names
from .labels import is_missing
from .table import Table


def _unloadable(exc: Exception, what: str, objects_fix: str, corrupt: str) -> InputError:
    """The error for an array ``what`` numpy could not load: pickled Python objects (never loaded, fix
    ``objects_fix``) or, for any other failure, ``corrupt``."""
    if isinstance(exc, ValueError) and "pickle" in str(exc).lower():
        return InputError(f"{what} holds Python objects (pickled data), which weaklabel never loads for safety; {objects_fix}")
    return InputError(f"{what} could not be read ({exc}); {corrupt}")


_NPY_MAGIC = b"\x93NUMPY"
_ZIP_MAGIC = b"PK"  # an .npz is a zip archive of .npy files (PK\x03\x04, or PK\x05\x06 when empty)


def _array_file_kind(p: Path) -> str | None:
    """``"npy"`` or ``"npz"`` by the file's first bytes, None for neither (numpy would take it for a pickle)."""
    with open(p, "rb") as fh:
        head = fh.read(len(_NPY_MAGIC))
    return "npy" if head.startswith(_NPY_MAGIC) else "npz" if head.startswith(_ZIP_MAGIC) else None


def _load_npy(p: Path) -> np.ndarray:
    kind = _array_file_kind(p)
    if kind == "npz":
        raise InputError(f"{str(p)!r} is an .npz archive saved under a .npy name; rename it to .npz")
    if kind is None:
        raise InputError(f"{str(p)!r} is not a .npy file (it lacks NumPy's header); the file is corrupt or of another format")
    try:
        return np.load(p, allow_pickle=False)
    except (ValueError, OSError, EOFError) as exc:
        raise _unloadable(
            exc, repr(str(p)), "save a numeric array instead (np.save with a float or int array)", "the file is corrupt or not .npy"
        ) from None


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
            j = first_bad(~finite.all(axis=0))
            check_finite(X[:, j].astype(np.float64), f"x{j}", where)
    out = np.empty(X.shape, dtype=np.float32)
    for j in range(X.shape[1]):
        out[:, j] = to_float32(X[:, j].astype(np.float64), f"x{j}", where) if X.dtype.kind == "f" else X[:, j]
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
            f"{where}: feature column{'s' if len(missing) > 1 else ''} {list_names(missing)} not found; "
            f"an array file's columns are named x0 .. x{X.shape[1] - 1}"
        )
    idx = [int(n[1:]) for n in wanted]
    return np.ascontiguousarray(X[:, idx]), wanted


Getter = Callable[[str], np.ndarray]


def _matrix_labels(get: Getter, keys: list[str], n: int, where: str) -> tuple[np.ndarray, list[str]]:
    """An ``.npz``'s 0/1 matrix ``Y`` (n rows) and its ``label_names`` (default ``"0"``, ``"1"``, ...)."""
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
            raise InputError(f"{where}: 'label_names' repeats {list_names(dups)}; label names must be unique")
    else:
        label_names = [str(j) for j in range(Y.shape[1])]
    return labels, label_names


def _single_labels(get: Getter, keys: list[str], n: int, where: str) -> list[list[Any]]:
    """An ``.npz``'s one label per row ``y`` (n entries) as label lists; an empty or missing entry is no label."""
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
    labels: list[list[Any]] = []
    for i, v in enumerate(y.tolist()):
        if isinstance(v, bytes):
            v = v.decode("utf-8", errors="replace")
        if isinstance(v, str) and not v.strip():
            labels.append([])
        elif is_missing(v):
            labels.append([])
        else:
            labels.append([label_scalar(v, "y", i + 1, where)])
    return labels


def read_array(
    p: Path,
    features: Sequence[str] | None,
    feature_prefix: str | None,
    label_options: bool,
    id_column: str | None,
    require_labels: bool,
) -> Table:
    """A ``.npy`` (features only) or ``.npz`` (``X``, optional ``Y``/``y``, ``label_names`` and an ids array) as a Table."""
    where = str(p)
    if label_options:
        raise InputError(
            f"{where}: label columns apply to tables; an .npz file gives labels as the array 'Y' (0/1 matrix) "
            "or 'y' (one label per row)"
        )
    if file_suffix(p) == ".npy":
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

    kind = _array_file_kind(p)
    if kind == "npy":
        raise InputError(f"{where} holds a single array, not an .npz archive; rename it to .npy or save with np.savez")
    if kind is None:
        raise InputError(f"{where} is not an .npz archive (it is not a zip file); the file is corrupt or of another format")
    try:
        npz = np.load(p, allow_pickle=False)
    except Exception as exc:  # zipfile.BadZipFile, ValueError, OSError, EOFError
        raise InputError(f"{where} could not be read as an .npz archive ({exc}); the file is corrupt or not .npz") from None

    def get(key: str) -> np.ndarray:
        try:
            return npz[key]
        except Exception as exc:  # ValueError for pickled objects; zipfile, OSError or EOFError for a corrupt archive
            raise _unloadable(
                exc, f"{where}: array {key!r}", "save numbers or fixed-width strings (np.array(labels, dtype=str))", "the file is corrupt"
            ) from None

    with npz:
        keys = list(npz.files)
        if "X" not in keys:
            raise InputError(
                f"{where} has no array named 'X' (arrays: {list_names(keys)}); save with np.savez(path, X=X, Y=Y)"
            )
        X = _check_array_features(get("X"), where, "array 'X'")
        n = X.shape[0]
        labels: list[list[Any]] | np.ndarray | None = None
        label_names: list[str] | None = None
        if "Y" in keys and "y" in keys:
            raise InputError(f"{where} has both 'Y' and 'y'; keep one (Y: 0/1 matrix, y: one label per row)")
        if "Y" in keys:
            labels, label_names = _matrix_labels(get, keys, n, where)
        elif "y" in keys:
            labels = _single_labels(get, keys, n, where)
        elif require_labels:
            raise InputError(
                f"{where}: labels are required but the archive has no 'Y' (0/1 matrix) or 'y' (one label per row); "
                f"arrays found: {list_names(keys)}"
            )
        ids = None
        if id_column is not None:
            if id_column not in keys:
                raise InputError(f"{where}: no array named {id_column!r} for the ids (arrays: {list_names(keys)})")
            ids = get(id_column)
            if ids.ndim != 1 or len(ids) != n:
                raise InputError(f"{where}: ids array {id_column!r} has shape {ids.shape}; it must be 1-D with {n} entries")
            if ids.dtype.kind == "S":  # byte strings, as the labels are: text, not b'...' reprs in the output
                ids = np.char.decode(ids, "utf-8", errors="replace")
    X, names = _select_array_columns(X, features, feature_prefix, where)
    return Table(features=X, feature_names=names, labels=labels, label_names=label_names, ids=ids, id_name=id_column if ids is not None else None)
