import json
import re

import numpy as np
import pandas as pd
import pytest
import scipy.sparse

from weaklabel.data.labels import LabelEncoder, detect_format
from weaklabel.exceptions import InputError


def test_formats_detected():
    assert detect_format(np.zeros((3, 2))) == "matrix"
    assert detect_format([["a"], ["b", "c"]]) == "sets"
    assert detect_format(["a", "b"]) == "single"
    assert detect_format(np.array([1, 2, 1])) == "single"


def test_sets_round_trip_keeps_names_and_order():
    y = [["cat", "dog"], ["dog"], ["bird"]]
    enc = LabelEncoder().fit(y)
    assert list(enc.classes_) == ["bird", "cat", "dog"]
    Y = enc.transform(y)
    np.testing.assert_array_equal(Y, [[0, 1, 1], [0, 0, 1], [1, 0, 0]])
    assert enc.inverse_transform(Y) == [["cat", "dog"], ["dog"], ["bird"]]


def test_single_labels_mixed_with_label_lists_are_label_lists():
    """A sample with one label may give it bare: ``"b"`` is ``["b"]`` among label lists."""
    y = ["b", ["a", "c"], ("c",), "a"]
    assert detect_format(y) == "sets"
    enc = LabelEncoder().fit(y)
    assert list(enc.classes_) == ["a", "b", "c"]
    np.testing.assert_array_equal(enc.transform(y), [[0, 1, 0], [1, 0, 1], [0, 0, 1], [1, 0, 0]])
    np.testing.assert_array_equal(LabelEncoder().fit_transform([[0, 1], 1]), [[1, 1], [0, 1]])  # not a 0/1 matrix
    assert enc.inverse_transform(enc.transform(y)) == [["b"], ["a", "c"], ["c"], ["a"]]


def test_single_inverse_is_top_label():
    enc = LabelEncoder().fit([3, 1, 2])
    out = enc.inverse_transform(np.zeros((2, 3)), scores=np.array([[0.1, 0.9, 0.2], [0.5, 0.1, 0.7]]))
    np.testing.assert_array_equal(out, [2, 3])
    assert out.dtype == np.int64


def test_named_matrix_columns_are_aligned_by_name():
    frame = pd.DataFrame({"a": [1, 0], "b": [0, 1]})
    enc = LabelEncoder().fit(frame)
    np.testing.assert_array_equal(enc.transform(frame[["b", "a"]]), [[1, 0], [0, 1]])
    with pytest.raises(InputError, match="do not match"):
        enc.transform(pd.DataFrame({"a": [1], "c": [0]}))


@pytest.mark.parametrize(
    "y, message",
    [
        (np.array([[0, 2], [1, 0]]), "only 0 and 1"),
        (np.array([[0, np.nan], [1, 0]]), "NaN"),
        (["a", {"b": 1}], "mix types"),
        ([["a"], 0.5], "continuous"),
        (["a", 1], "mix strings and integers"),
        ([], "empty"),
    ],
)
def test_bad_labels_are_refused(y, message):
    with pytest.raises(InputError, match=message):
        LabelEncoder().fit(y)


def test_unknown_label_at_transform_names_it():
    enc = LabelEncoder().fit([["a"], ["b"]])
    with pytest.raises(InputError, match=re.escape("unknown label 'z' in sample 1 (data row 2 of a file)")):
        enc.transform([["a"], ["z"]])


@pytest.mark.parametrize(
    "classes, given, expected",
    [
        (["1", "2", "3", "other"], [1, 3, np.int64(2)], [[1, 0, 0, 0], [0, 0, 1, 0], [0, 1, 0, 0]]),
        ([1, 2, 3], ["3", np.str_("1")], [[0, 0, 1], [1, 0, 0]]),
        (["1", "2"], [[1, 2], ["2"]], [[1, 1], [0, 1]]),
    ],
)
def test_an_int_label_matches_the_string_class_of_the_same_text(classes, given, expected):
    """A file whose labels all parse as ints is evaluated against a model whose labels were strings, and back."""
    np.testing.assert_array_equal(LabelEncoder().fit(classes).transform(given), expected)


@pytest.mark.parametrize(
    "classes, given, message",
    [
        (["1", "2"], [1.0], "unknown label 1 in sample 0"),  # a float is a number: never matched by text
        (["01", "2"], [1], "unknown label 1 in sample 0"),  # the text must be the same
        ([1, 2], ["1.0"], "unknown label '1.0' in sample 0"),
        (["1", "2"], [True], "unknown label True in sample 0"),  # a bool's text is "True", not "1"
        ([False, True], ["true"], "unknown label 'true' in sample 0"),
    ],
)
def test_labels_of_another_type_and_other_text_stay_unknown(classes, given, message):
    with pytest.raises(InputError, match=message):
        LabelEncoder().fit(classes).transform(given)


@pytest.mark.parametrize("y", [[0.5, 1.5], np.array([0.5, 1.5])])
def test_a_float_list_is_a_continuous_target_like_a_float_array(y):
    with pytest.raises(InputError, match=r"Unknown label type: continuous \(label .*\); labels must be strings or integers"):
        LabelEncoder().fit(y)


@pytest.mark.parametrize(
    "y",
    [
        pd.Series([1, pd.NA, 2], dtype="Int64"),
        pd.Series(["a", None, "b"], dtype="string"),
        [1.0, float("nan")],
        np.array([1.0, np.nan]),
        ["a", None],
        [["a"], ["b", np.nan]],
    ],
)
def test_a_missing_label_is_named_with_its_sample(y):
    with pytest.raises(InputError, match=r"the label of sample 1 \(data row 2 of a file\) is missing \((nan|None|<NA>)\); give every sample its label"):
        LabelEncoder().fit(y)


@pytest.mark.parametrize("y", [[1.0, 2.0], np.array([1.0, 2.0])])
def test_whole_floats_are_integer_labels_in_a_list_as_in_an_array(y):
    enc = LabelEncoder().fit(y)
    assert list(enc.classes_) == [1, 2]
    assert enc.inverse_transform(enc.transform(y)).dtype == np.int64


@pytest.mark.parametrize("y", [[True, False, True], np.array([True, False, True]), np.array([1.0, -1.0, 2.0]) > 0])
def test_bool_labels_stay_bools(y):
    enc = LabelEncoder().fit(y)
    assert list(enc.classes_) == [False, True] and all(type(c) is bool for c in enc.classes_)
    out = enc.inverse_transform(enc.transform(y))
    assert out.dtype == np.bool_
    np.testing.assert_array_equal(out, [True, False, True])
    again = LabelEncoder.from_config(json.loads(json.dumps(enc.get_config())))
    assert again.inverse_transform(enc.transform(y)).dtype == np.bool_


@pytest.mark.parametrize("classes, given", [([True, False], ["False", "True"]), (["True", "False"], [False, np.True_])])
def test_a_bool_label_matches_the_string_class_of_the_same_text(classes, given):
    """A model fitted on a Parquet bool column is evaluated on the CSV copy ("True"/"False" text), and back."""
    np.testing.assert_array_equal(LabelEncoder().fit(classes).transform(given), [[1, 0], [0, 1]])


def test_bools_mixed_with_integers_are_refused():
    with pytest.raises(InputError, match="labels mix integers and booleans; use one type"):
        LabelEncoder().fit([True, 1, 2])


def test_a_one_column_frame_of_class_names_is_one_label_per_sample():
    """``y = df[["label"]]`` reads like ``df["label"]`` (with scikit-learn's column-vector warning); a 0/1 column stays a label."""
    from sklearn.exceptions import DataConversionWarning

    with pytest.warns(DataConversionWarning, match="column-vector y"):
        encoder = LabelEncoder().fit(pd.DataFrame({"label": ["a", "b", "a", "c"]}))
    assert list(encoder.classes_) == ["a", "b", "c"] and encoder.format_ == "single"
    named = LabelEncoder().fit(pd.DataFrame({"spam": [0, 1, 1, 0]}))
    assert list(named.classes_) == ["spam"] and named.format_ == "matrix"


def test_a_one_column_frame_with_a_missing_label_is_an_input_error():
    with pytest.raises(InputError, match=r"the label of sample 1 \(data row 2 of a file\) is missing"):
        LabelEncoder().fit(pd.DataFrame({"y": pd.array(["a", pd.NA, "b"], dtype="string")}))


@pytest.mark.parametrize("dtype", ["Int64", "boolean", "UInt8", "Float64", object])
def test_a_0_1_matrix_in_nullable_or_object_dtype_is_a_matrix(dtype):
    Y = pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1]})
    given = Y.to_numpy().astype(object) if dtype is object else Y.astype(dtype)
    encoder = LabelEncoder().fit(given)
    assert encoder.format_ == "matrix"
    np.testing.assert_array_equal(encoder.transform(given), Y.to_numpy())


def test_a_missing_entry_of_a_nullable_label_matrix_is_named():
    Y = pd.DataFrame({"a": [1, 0, 1], "b": [0, 1, 1]}).astype("Int64")
    Y.iloc[1, 1] = pd.NA
    with pytest.raises(InputError, match="the label matrix has a missing value at row 1, column 1"):
        LabelEncoder().fit(Y)


def test_a_sparse_indicator_matrix_is_read_as_the_dense_one():
    Y = np.array([[1, 0, 1], [0, 1, 0]])
    encoder = LabelEncoder().fit(scipy.sparse.csr_matrix(Y))
    assert encoder.format_ == "matrix"
    np.testing.assert_array_equal(encoder.transform(scipy.sparse.csr_matrix(Y)), Y)
