"""Round trips of the label formats through the readers: CSV delimited column, Parquet list column, 0/1 columns, npz."""

import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from weaklabel.data.labels import LabelEncoder
from weaklabel.data.readers import read_table

SETTINGS = settings(max_examples=20, deadline=None, derandomize=True)
TEXT_LABELS = st.sampled_from(["cat", "dog", "sea bird", "Zebra", "é-accent", "a1", "x_y"])
INT_LABELS = st.integers(-5, 1000)


def label_sets(labels):
    return st.lists(st.lists(labels, unique=True, max_size=4), min_size=1, max_size=15)


def features(n: int, seed: int) -> np.ndarray:
    return np.random.default_rng(seed).normal(size=(n, 3)) * 10.0 ** np.random.default_rng(seed).integers(-20, 20, size=3)


def _tmp(suffix: str) -> Path:
    return Path(tempfile.mkdtemp(prefix="wl-prop-")) / f"data{suffix}"


@SETTINGS
@given(label_sets(st.one_of(TEXT_LABELS)) | label_sets(INT_LABELS), st.integers(0, 1000))
def test_delimited_csv_column_round_trip(sets, seed):
    X = features(len(sets), seed)
    path = _tmp(".csv")
    pd.DataFrame({"f0": X[:, 0], "f1": X[:, 1], "f2": X[:, 2], "tags": ["|".join(map(str, s)) for s in sets]}).to_csv(path, index=False)
    table = read_table(path, label_column="tags")
    assert table.labels == [list(s) for s in sets]
    np.testing.assert_array_equal(table.features, X.astype(np.float32))


@SETTINGS
@given(label_sets(TEXT_LABELS) | label_sets(INT_LABELS), st.integers(0, 1000))
def test_parquet_list_column_round_trip(sets, seed):
    X = features(len(sets), seed)
    path = _tmp(".parquet")
    pd.DataFrame({"f0": X[:, 0], "f1": X[:, 1], "f2": X[:, 2], "tags": [list(s) for s in sets]}).to_parquet(path, index=False)
    table = read_table(path, label_column="tags")
    assert table.labels == [list(s) for s in sets]
    np.testing.assert_array_equal(table.features, X.astype(np.float32))


@st.composite
def label_matrices(draw):
    n, L = draw(st.integers(1, 12)), draw(st.integers(1, 5))
    return np.array(draw(st.lists(st.integers(0, 1), min_size=n * L, max_size=n * L)), dtype=np.int64).reshape(n, L)


@SETTINGS
@given(label_matrices(), st.sampled_from([".csv", ".parquet"]), st.integers(0, 1000))
def test_binary_columns_round_trip(Y, suffix, seed):
    X = features(len(Y), seed)
    names = [f"label_{j}" for j in range(Y.shape[1])]
    frame = pd.DataFrame({"f0": X[:, 0], "f1": X[:, 1], "f2": X[:, 2], **dict(zip(names, Y.T))})
    path = _tmp(suffix)
    frame.to_csv(path, index=False) if suffix == ".csv" else frame.to_parquet(path, index=False)
    table = read_table(path, label_prefix="label_")
    np.testing.assert_array_equal(table.labels, Y)
    assert table.label_names == names and table.feature_names == ["f0", "f1", "f2"]


@SETTINGS
@given(label_matrices(), st.integers(0, 1000))
def test_npz_round_trip(Y, seed):
    X = features(len(Y), seed).astype(np.float32)
    path = _tmp(".npz")
    np.savez(path, X=X, Y=Y, label_names=np.array([f"L{j}" for j in range(Y.shape[1])]))
    table = read_table(path, require_labels=True)
    np.testing.assert_array_equal(table.features, X)
    np.testing.assert_array_equal(table.labels, Y)
    assert table.label_names == [f"L{j}" for j in range(Y.shape[1])]


@SETTINGS
@given(label_sets(TEXT_LABELS).filter(lambda s: any(s)))
def test_label_encoder_round_trips_label_sets(sets):
    encoder = LabelEncoder().fit(sets)
    back = encoder.inverse_transform(encoder.transform(sets))
    assert [sorted(r) for r in back] == [sorted(s) for s in sets]
