"""Input checks shared by the metric modules: every error a user can cause is an
:class:`~weaklabel.exceptions.InputError` naming the problem and the fix."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..exceptions import InputError


def _as_2d(a: Any, what: str) -> np.ndarray:
    if hasattr(a, "detach"):  # torch tensor
        a = a.detach().cpu().numpy()
    elif hasattr(a, "to_numpy"):  # pandas
        a = a.to_numpy()
    try:
        arr = np.asarray(a)
    except (ValueError, TypeError) as exc:
        raise InputError(f"{what} could not be read as an array ({exc}); pass a rectangular numeric array") from None
    if arr.dtype == object or arr.dtype.kind in "USVc":
        raise InputError(f"{what} has dtype {arr.dtype}; pass a real numeric array")
    if arr.ndim != 2:
        raise InputError(
            f"{what} must be 2-D (n_samples, n_labels), got shape {arr.shape}; "
            "reshape a single label with .reshape(-1, 1)"
        )
    if arr.shape[0] == 0 or arr.shape[1] == 0:
        raise InputError(f"{what} has shape {arr.shape}; at least 1 sample and 1 label are required")
    return arr


def _check_binary(a: Any, what: str) -> np.ndarray:
    """Return ``a`` as an (n, L) int64 array of 0/1 values."""
    arr = _as_2d(a, what)
    if arr.dtype.kind == "f" and np.isnan(arr).any():
        raise InputError(f"{what} contains NaN; mark each label as 0 or 1 (drop or impute unknown entries)")
    bad = (arr != 0) & (arr != 1)
    if bad.any():
        r, c = (int(v) for v in np.argwhere(bad)[0])
        raise InputError(
            f"{what} must hold only 0/1 values, found {arr[r, c].item()!r} at row {r}, column {c}; "
            "binarise it (e.g. (y > 0).astype(int)) or one-hot encode class indices"
        )
    return arr.astype(np.int64)


def _check_scores(a: Any, what: str = "y_score") -> np.ndarray:
    """Return ``a`` as an (n, L) float64 array without NaN."""
    arr = _as_2d(a, what)
    if arr.dtype.kind not in "biuf":
        raise InputError(f"{what} has dtype {arr.dtype}; pass real-valued scores")
    arr = arr.astype(np.float64)
    nan = np.isnan(arr)
    if nan.any():
        r, c = (int(v) for v in np.argwhere(nan)[0])
        raise InputError(
            f"{what} contains {int(nan.sum())} NaN values, first at row {r}, column {c}; "
            "the model diverged or the input had NaN — fix it before scoring"
        )
    return arr


def _check_same_shape(a: np.ndarray, b: np.ndarray, what_a: str, what_b: str) -> None:
    if a.shape != b.shape:
        raise InputError(
            f"{what_a} has shape {a.shape} but {what_b} has shape {b.shape}; "
            "pass one row per sample and one column per label in both"
        )


def _truth_and_scores(y_true: Any, y_score: Any) -> tuple[np.ndarray, np.ndarray]:
    t = _check_binary(y_true, "y_true")
    s = _check_scores(y_score)
    _check_same_shape(t, s, "y_true", "y_score")
    return t, s


def _safe_div(num: np.ndarray, den: np.ndarray) -> np.ndarray:
    """``num / den`` with 0 where ``den == 0``."""
    num = np.asarray(num, dtype=np.float64)
    den = np.asarray(den, dtype=np.float64)
    out = np.zeros(np.broadcast(num, den).shape)
    np.divide(num, den, out=out, where=den != 0)
    return out
