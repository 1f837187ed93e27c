import numpy as np
import pandas as pd
import pytest

from weaklabel.data.validation import check_features, check_n_features
from weaklabel.exceptions import InputError


@pytest.mark.parametrize(
    "X, message",
    [
        (np.array([[1.0, np.nan]]), "NaN"),
        (np.array([[1.0, np.inf]]), "inf"),
        (np.zeros((0, 3)), "0 samples"),
        (np.zeros((3, 0)), r"0 feature\(s\)"),
        (np.zeros(3), "reshape"),
        (np.array([["a", "b"]]), "non-numeric"),
        (np.array([[1 + 2j]]), "Complex"),
    ],
)
def test_bad_features_are_refused(X, message):
    with pytest.raises(InputError, match=message):
        check_features(X)


def test_nan_position_is_named():
    X = np.zeros((5, 3))
    X[3, 2] = np.nan
    with pytest.raises(InputError, match="row 3, column 2"):
        check_features(X)


@pytest.mark.parametrize(
    "X",
    [
        pd.DataFrame({"a": [1.5, 2.0, 3.0], "b": pd.array([1, 2, pd.NA], dtype="Int64")}),
        pd.DataFrame({"a": [1.5, 2.0, 3.0], "b": pd.array([1.0, 2.0, None], dtype="Float64")}),
        np.array([[1.5, 1], [2.0, 2], [3.0, None]], dtype=object),
    ],
)
def test_missing_values_of_nullable_columns_are_missing_not_non_numbers(X):
    with pytest.raises(InputError, match=r"X contains NaN or missing values \(1\) or inf \(0\), first at row 2, column 1"):
        check_features(X)


def test_value_too_large_for_float32_is_named():
    """1e39 is finite in float64 but overflows float32: said so, not reported as inf."""
    X = np.zeros((4, 3))
    X[2, 1], X[3, 0] = 1e39, -2e39
    with pytest.raises(InputError, match=r"2 value\(s\) too large for float32 .* first at row 2, column 1 \(1e\+39\); rescale"):
        check_features(X)


def test_value_too_large_is_reported_before_nan():
    X = np.array([[np.nan, 1e39]])
    with pytest.raises(InputError, match="too large for float32"):
        check_features(X)


def test_images_allowed_only_when_asked():
    assert check_features(np.zeros((2, 1, 8, 8)), allow_images=True).shape == (2, 1, 8, 8)
    with pytest.raises(InputError, match="dimensions"):
        check_features(np.zeros((2, 1, 8, 8)))


def test_feature_count_mismatch_message():
    with pytest.raises(InputError, match="X has 3 features, but Est is expecting 4 features"):
        check_n_features(np.zeros((2, 3)), (4,), "Est")


def test_the_same_values_in_another_sample_shape_are_named_as_a_layout_mismatch():
    with pytest.raises(InputError, match=r"X's samples have shape \(1, 8, 8\), but Est was fitted on samples of shape \(8, 8\); reshape X to \(n, 8, 8\)"):
        check_n_features(np.zeros((2, 1, 8, 8)), (8, 8), "Est")
