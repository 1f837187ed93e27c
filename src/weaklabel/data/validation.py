"""Checks on feature arrays shared by every estimator and the command line.

Each failure raises :class:`~weaklabel.exceptions.InputError` with a message
that names the problem and the fix.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from ..exceptions import InputError, InputTypeError


def check_features(X: Any, *, allow_images: bool = False, what: str = "X") -> np.ndarray:
    """Return ``X`` as a C-contiguous float32 array of shape (n, d) or (n, c, h, w).

    Refuses: complex numbers, text that is not a number (``"abc"``; numeric text such as
    ``"2.5"`` is read as its number), sparse matrices, the wrong number of dimensions, zero
    samples or features, missing (NaN, ``pd.NA``, ``None``) and infinite values.
    """
    if hasattr(X, "toarray") or type(X).__module__.startswith("scipy.sparse"):
        raise InputError(f"{what} is a sparse matrix; pass a dense array (X.toarray()) — sparse input is not supported")
    if hasattr(X, "to_numpy"):
        X = X.to_numpy()
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what} could not be read as an array ({exc}); pass a rectangular numeric array") from None
    if np.iscomplexobj(arr):
        raise InputError(f"Complex data not supported: {what} holds complex numbers; pass real features")
    if arr.dtype == object or arr.dtype.kind in "USV":
        try:
            arr = _missing_as_nan(arr).astype(np.float64)
        except TypeError as exc:
            raise InputTypeError(f"{what} holds values that are not numbers ({exc}); encode them as numbers") from None
        except ValueError:
            raise InputError(
                f"{what} holds non-numeric values (e.g. strings); encode them as numbers before fitting"
            ) from None
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{what} has dtype {arr.dtype}; pass numeric features")
    allowed = (2, 3, 4) if allow_images else (2,)
    if arr.ndim not in allowed:
        hint = "reshape a single feature with X.reshape(-1, 1) or a single sample with X.reshape(1, -1)"
        if allow_images:
            hint += "; images must be (n, height, width) or (n, channels, height, width)"
        raise InputError(
            f"{what} must have {' or '.join(map(str, allowed))} dimensions, got shape {arr.shape}. Reshape your data: {hint}"
        )
    if arr.shape[0] == 0:
        raise InputError(f"{what} has 0 samples; at least 1 sample is required")
    if arr.size == 0:
        raise InputError(
            f"{what} has 0 feature(s) (shape={arr.shape}) while a minimum of 1 is required; pass at least one feature column"
        )
    with np.errstate(over="ignore"):  # an overflow is reported below, with its position
        out = np.ascontiguousarray(arr, dtype=np.float32)
    finite = np.isfinite(out)
    if not finite.all():
        _refuse_non_finite(arr, finite, what)
    return out


def _missing_as_nan(arr: np.ndarray) -> np.ndarray:
    """An object array with its missing values (``pd.NA`` of a nullable column, ``None``, ``NaT``) as NaN,
    so they are refused as missing values rather than as values that are not numbers."""
    if arr.dtype != object:
        return arr
    return np.where(pd.isna(arr), np.nan, arr)


def _refuse_non_finite(arr: np.ndarray, finite32: np.ndarray, what: str) -> None:
    """Raise for the values of ``arr`` that are not finite in float32 (``finite32`` False): too large, NaN or inf."""
    too_large = ~finite32 & np.isfinite(arr)
    if too_large.any():
        first = _first_position(too_large)
        raise InputError(
            f"{what} has {int(too_large.sum())} value(s) too large for float32 (magnitude above "
            f"{float(np.finfo(np.float32).max):.3g}), first at {_describe(first)} ({float(arr[first]):.6g}); "
            "rescale those features (e.g. divide by a constant or take a logarithm) before fitting"
        )
    n_nan = int(np.isnan(arr).sum())
    n_inf = int((~finite32).sum()) - n_nan
    raise InputError(
        f"{what} contains NaN or missing values ({n_nan}) or inf ({n_inf}), first at {_describe(_first_position(~finite32))}; "
        "impute or drop them before fitting"
    )


def _first_position(mask: np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) for i in np.argwhere(mask)[0])


def _describe(position: tuple[int, ...]) -> str:
    """``row 3, column 2`` (an image's column is its (channel, y, x) index)."""
    row, col = position[0], position[1:]
    return f"row {row}, column {col[0] if len(col) == 1 else col}"


def check_n_features(X: np.ndarray, expected_shape: tuple[int, ...], estimator: str) -> None:
    """Refuse data whose per-sample shape differs from the training data's."""
    got, expected = tuple(X.shape[1:]), tuple(expected_shape)
    if got == expected:
        return
    n_got, n_expected = int(np.prod(got)), int(np.prod(expected))
    if n_got == n_expected:  # same values, another layout: e.g. images with a channel axis added
        raise InputError(
            f"X's samples have shape {got}, but {estimator} was fitted on samples of shape {expected}; "
            f"reshape X to (n, {', '.join(map(str, expected))})"
        )
    raise InputError(
        f"X has {n_got} features, but {estimator} is expecting {n_expected} features as input "
        f"(per-sample shape {got} vs {expected} at fit); pass the same columns as at fit"
    )


def feature_names(X: Any) -> np.ndarray | None:
    """The column names of a DataFrame ``X`` (an object array) when all are strings, else None, as in scikit-learn."""
    columns = getattr(X, "columns", None)
    if columns is None:
        return None
    names = list(columns)
    strings = [isinstance(name, str) for name in names]
    if names and all(strings):
        return np.asarray(names, dtype=object)
    if any(strings):
        kinds = sorted({type(name).__name__ for name in names})
        raise InputTypeError(
            f"X's column names mix types {kinds}; feature names are kept only when all are strings: "
            "convert them with X.columns = X.columns.astype(str), or make none of them strings"
        )
    return None


def check_feature_names(names: np.ndarray | None, fitted: np.ndarray | None, estimator: str) -> None:
    """Refuse a DataFrame whose columns differ from the fit's in names or order; warn when only one side has names.

    ``names`` and ``fitted`` come from :func:`feature_names` of ``X`` now and at fit.
    """
    if fitted is None:
        if names is not None:
            warnings.warn(f"X has feature names, but {estimator} was fitted without feature names", UserWarning, stacklevel=3)
    elif names is None:
        warnings.warn(f"X does not have valid feature names, but {estimator} was fitted with feature names", UserWarning, stacklevel=3)
    elif list(names) != list(fitted):
        raise InputError(_feature_names_mismatch(list(names), list(fitted)))


def _feature_names_mismatch(names: list[str], fitted: list[str]) -> str:
    """scikit-learn's message for columns that differ from the fit's (so its checks recognise it), plus the fix."""
    unseen, missing = sorted(set(names) - set(fitted)), sorted(set(fitted) - set(names))
    lines = ["The feature names should match those that were passed during fit."]
    for title, items in (("Feature names unseen at fit time:", unseen), ("Feature names seen at fit time, yet now missing:", missing)):
        if items:
            lines += [title, *(f"- {name}" for name in items[:5]), *(["- ..."] if len(items) > 5 else [])]
    if not unseen and not missing:
        lines.append("Feature names must be in the same order as they were in fit.")
    lines.append("Pass the columns seen at fit, in the same order: X[model.feature_names_in_]")
    return "\n".join(lines)


def check_same_length(X: np.ndarray, n_labels: int) -> None:
    if len(X) != n_labels:
        raise InputError(
            f"X has {len(X)} samples but the labels have {n_labels}; give exactly one label entry per sample"
        )
