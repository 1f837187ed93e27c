"""Tests for weaklabel.data.readers: formats, feature and label rules, file checks."""

from __future__ import annotations

import decimal
import os
import stat
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from weaklabel.data.readers import Table, read_frame, read_table, write_table
from weaklabel.exceptions import InputError


def _csv(tmp_path: Path, text: str, name: str = "d.csv", encoding: str = "utf-8") -> Path:
    p = tmp_path / name
    p.write_bytes(text.encode(encoding))
    return p


def _parquet(tmp_path: Path, table: pa.Table, name: str = "d.parquet") -> Path:
    p = tmp_path / name
    pq.write_table(table, p)
    return p


# --------------------------------------------------------------------------- features


def test_default_features_are_numeric_columns_except_labels_and_ids(tmp_path):
    p = _csv(tmp_path, "id,a,b,flag,name,label\n7,1,2.5,True,x,c1\n8,3,4.5,False,y,c2\n")
    t = read_table(p, label_column="label", id_column="id")
    assert isinstance(t, Table)
    assert t.feature_names == ["a", "b", "flag"]
    assert t.features.dtype == np.float32 and t.features.flags.c_contiguous
    np.testing.assert_array_equal(t.features, [[1, 2.5, 1], [3, 4.5, 0]])
    assert t.labels == [["c1"], ["c2"]]
    assert t.ignored_columns == ["name"]
    assert t.ids.tolist() == ["7", "8"]  # ids from text files stay text, so "007" keeps its zeros


def test_explicit_features_keep_order(tmp_path):
    p = _csv(tmp_path, "a,b,c\n1,2,3\n4,5,6\n")
    t = read_table(p, features=["c", "a"])
    assert t.feature_names == ["c", "a"]
    np.testing.assert_array_equal(t.features, [[3, 1], [6, 4]])
    assert t.labels is None and t.label_names is None and t.ids is None


def test_missing_feature_lists_missing_and_available(tmp_path):
    p = _csv(tmp_path, "a,b\n1,2\n")
    with pytest.raises(InputError, match=r"'zz'.*not found.*available columns: 'a', 'b'"):
        read_table(p, features=["a", "zz"])


def test_feature_prefix(tmp_path):
    p = _csv(tmp_path, "f_1,f_2,g\n1,2,3\n")
    assert read_table(p, feature_prefix="f_").feature_names == ["f_1", "f_2"]
    with pytest.raises(InputError, match="feature prefix 'q_'"):
        read_table(p, feature_prefix="q_")


def test_no_numeric_columns(tmp_path):
    p = _csv(tmp_path, "a,b\nx,y\n")
    with pytest.raises(InputError, match="no numeric feature columns"):
        read_table(p)


def test_text_in_selected_feature_names_column_row_and_value(tmp_path):
    p = _csv(tmp_path, "a,b\n1,2\n3,abc\n5,6\n")
    with pytest.raises(InputError, match=r"column 'b'.*data row 2.*'abc'"):
        read_table(p, features=["a", "b"])


def test_mostly_numeric_text_column_is_not_dropped_silently(tmp_path):
    p = _csv(tmp_path, "a,b\n1,2\n3,4\n5,6\n7,8\n9,1O\n")
    with pytest.raises(InputError, match=r"column 'b' looks numeric but data row 5 holds '1O'"):
        read_table(p)


def test_nan_in_features_names_column_count_and_first_row(tmp_path):
    p = _csv(tmp_path, "a,b\n1,2\n3,\n5,\n")
    with pytest.raises(InputError, match=r"column 'b' has 2 missing.*first at data row 2.*[Ii]mpute"):
        read_table(p)


def test_inf_in_features(tmp_path):
    p = _csv(tmp_path, "a,b\n1,inf\n3,4\n")
    with pytest.raises(InputError, match=r"column 'b' has 1 infinite value, first at data row 1"):
        read_table(p)


def test_float32_overflow(tmp_path):
    p = _csv(tmp_path, "a\n1e300\n")
    with pytest.raises(InputError, match="too large for float32"):
        read_table(p)


def test_parquet_decimals_are_numbers_with_the_float_checks(tmp_path):
    d = pa.array([decimal.Decimal("1.25"), decimal.Decimal("-2.50")], pa.decimal128(10, 2))
    p = _parquet(tmp_path, pa.table({"x": [0.5, 1.0], "d": d, "lab": ["p", "q"]}))
    for features in (None, ["x", "d"]):
        t = read_table(p, features=features, label_column="lab")
        assert t.feature_names == ["x", "d"]
        np.testing.assert_array_equal(t.features, [[0.5, 1.25], [1.0, -2.5]])
    big = pa.array([decimal.Decimal("1"), decimal.Decimal("1e60")], pa.decimal256(70, 0))
    p = _parquet(tmp_path, pa.table({"big": big, "gap": pa.array([decimal.Decimal("1"), None], pa.decimal128(5, 0))}))
    with pytest.raises(InputError, match=r"column 'big' has a value too large for float32 at data row 2"):
        read_table(p, features=["big"])
    with pytest.raises(InputError, match=r"column 'gap' has 1 missing .* first at data row 2"):
        read_table(p, features=["gap"])


def test_feature_cannot_be_label(tmp_path):
    p = _csv(tmp_path, "a,y\n1,0\n")
    with pytest.raises(InputError, match="'y' is the label column"):
        read_table(p, features=["a", "y"], label_column="y")


# --------------------------------------------------------------------------- labels: one column


def test_delimited_labels_strip_drop_empty_dedupe(tmp_path):
    p = _csv(tmp_path, "a,tags\n1, x | y ||x\n2,\n3,z\n")
    t = read_table(p, label_column="tags")
    assert t.labels == [["x", "y"], [], ["z"]]


def test_delimited_labels_custom_separator(tmp_path):
    p = _csv(tmp_path, "a\ttags\n1\tx;y\n", name="d.tsv")
    assert read_table(p, label_column="tags", label_sep=";").labels == [["x", "y"]]


def test_integer_label_column_gives_ints(tmp_path):
    p = _csv(tmp_path, "a,y\n1,3\n2,1\n")
    assert read_table(p, label_column="y").labels == [[3], [1]]


def test_integer_text_labels_in_csv_become_ints(tmp_path):
    p = _csv(tmp_path, "a,y\n1,3|1\n2,2\n3,\n")
    assert read_table(p, label_column="y").labels == [[3, 1], [2], []]


def test_mixed_text_labels_stay_strings(tmp_path):
    p = _csv(tmp_path, "a,y\n1,007|1\n2,b\n")
    assert read_table(p, label_column="y").labels == [["007", "1"], ["b"]]

def test_na_words_are_labels_and_ids_in_text_files(tmp_path):
    """``NA`` is North America, not a missing label; only an empty cell is missing in label and id columns."""
    p = _csv(tmp_path, "id,a,region\nNA,1,NA\nNone,2,EU\nnull,3,NA|EU\nn/a,4,nan\n#N/A,5,\n,6,EU\n")
    t = read_table(p, label_column="region", id_column="id")
    assert t.labels == [["NA"], ["EU"], ["NA", "EU"], ["nan"], [], ["EU"]]
    assert t.ids[:5].tolist() == ["NA", "None", "null", "n/a", "#N/A"] and pd.isna(t.ids[5])


def test_list_column_saved_with_to_csv_gives_label_lists(tmp_path):
    p = tmp_path / "d.csv"
    tags = [["drama", "comedy"], [], None, ["drama", "drama"], [3, 2.0]]
    pd.DataFrame({"a": range(5), "tags": tags}).to_csv(p, index=False)
    assert p.read_text().splitlines()[1] == "0,\"['drama', 'comedy']\""
    assert read_table(p, label_column="tags").labels == [["drama", "comedy"], [], [], ["drama"], [3, 2]]


def test_bracketed_class_names_stay_labels_when_no_cell_is_a_list_literal(tmp_path):
    p = _csv(tmp_path, "a,tags\n1,[MASK]\n2,[other]|cat\n3,dog\n")
    assert read_table(p, label_column="tags").labels == [["[MASK]"], ["[other]", "cat"], ["dog"]]


def test_list_literals_mixed_with_plain_labels_name_the_odd_row(tmp_path):
    p = _csv(tmp_path, "a,tags\n1,['x']\n2,['y']\n3,z\n4,['x']\n")
    with pytest.raises(InputError, match=r"'tags' mixes list literals and plain labels: data row 3 holds 'z'"):
        read_table(p, label_column="tags")


@pytest.mark.parametrize(
    "cell, message",
    [
        ("[x]", r"data row 2: '\[x\]' looks like a list but is not a list literal"),
        ('"[1], [2]"', "not a list literal"),
        ("[True]", r"data row 2: the list '\[True\]' holds a bool"),
        ("[0.5]", r"data row 2: label 0.5 is not a string or an integer"),
        ("[None]", r"data row 2: label None is not a string"),
        ("[[1]]", r"data row 2: label \[1\] is not a string"),
    ],
)
def test_bad_list_literal_label_names_row(tmp_path, cell, message):
    p = _csv(tmp_path, f"a,tags\n1,['ok']\n2,{cell}\n")
    with pytest.raises(InputError, match=message):
        read_table(p, label_column="tags")


def test_na_words_in_feature_column_are_missing_values(tmp_path):
    p = _csv(tmp_path, "a,b,y\n1,2,x\n3,NA,x\n5,nan,NA\n")
    with pytest.raises(InputError, match=r"column 'b' has 2 missing.*first at data row 2"):
        read_table(p, label_column="y")


def test_parquet_list_column_round_trip(tmp_path):
    tbl = pa.table({"a": [1.0, 2.0, 3.0], "tags": [["x", "y", "x"], [], ["z"]], "ids": [[1, 2], [3], []]})
    p = _parquet(tmp_path, tbl)
    t = read_table(p, label_column="tags")
    assert t.labels == [["x", "y"], [], ["z"]]
    assert t.feature_names == ["a"]
    assert read_table(p, label_column="ids").labels == [[1, 2], [3], []]
    assert all(type(v) is int for row in read_table(p, label_column="ids").labels for v in row)


def test_parquet_null_list_names_row(tmp_path):
    p = _parquet(tmp_path, pa.table({"a": [1.0, 2.0], "tags": [["x"], None]}))
    with pytest.raises(InputError, match=r"'tags'.*data row 2"):
        read_table(p, label_column="tags")


def test_parquet_null_inside_list_names_row(tmp_path):
    p = _parquet(tmp_path, pa.table({"a": [1.0, 2.0], "tags": [[1, None], [2]]}))
    with pytest.raises(InputError, match=r"'tags', data row 1.*null"):
        read_table(p, label_column="tags")


def test_bool_labels_stay_bools_in_parquet_and_npz(tmp_path):
    """As in the Python API: True/False are bool classes, not the ints 1/0."""
    p = _parquet(tmp_path, pa.table({"a": [1.0, 2.0, 3.0], "lab": [True, False, None], "tags": [[True], [], [False]]}))
    for column, expected in (("lab", [[True], [False], []]), ("tags", [[True], [], [False]])):
        labels = read_table(p, features=["a"], label_column=column).labels
        assert labels == expected and all(type(x) is bool for row in labels for x in row)
    npz = tmp_path / "d.npz"
    np.savez(npz, X=np.zeros((2, 1)), y=np.array([True, False]))
    assert [type(x) for row in read_table(npz).labels for x in row] == [bool, bool]


def test_fractional_label_refused(tmp_path):
    p = _parquet(tmp_path, pa.table({"a": [1.0, 2.0], "y": [1.0, 0.5]}))
    with pytest.raises(InputError, match=r"'y', data row 2 holds 0.5"):
        read_table(p, label_column="y")


def test_missing_label_column(tmp_path):
    p = _csv(tmp_path, "a,b\n1,2\n")
    with pytest.raises(InputError, match=r"label column 'y' not found.*'a', 'b'"):
        read_table(p, label_column="y")


# --------------------------------------------------------------------------- labels: 0/1 columns


def test_label_columns_round_trip(tmp_path):
    p = _csv(tmp_path, "a,l_x,l_y\n1.5,1,0\n2.5,0,1\n3.5,True,False\n")
    t = read_table(p, label_columns=["l_x", "l_y"])
    assert t.feature_names == ["a"]
    assert t.label_names == ["l_x", "l_y"]
    assert t.labels.dtype == np.int64
    np.testing.assert_array_equal(t.labels, [[1, 0], [0, 1], [1, 0]])


def test_label_prefix(tmp_path):
    p = _csv(tmp_path, "a,l_x,l_y\n1,1,0\n2,0,1\n")
    t = read_table(p, label_prefix="l_")
    assert t.label_names == ["l_x", "l_y"] and t.feature_names == ["a"]
    with pytest.raises(InputError, match="label prefix 'q_'"):
        read_table(p, label_prefix="q_")


def test_label_columns_must_be_binary(tmp_path):
    p = _csv(tmp_path, "a,l_x\n1,1\n2,2\n")
    with pytest.raises(InputError, match=r"'l_x' must hold only 0 or 1.*data row 2 holds 2"):
        read_table(p, label_columns=["l_x"])
    p = _csv(tmp_path, "a,l_x\n1,1\n2,yes\n", name="e.csv")
    with pytest.raises(InputError, match=r"'l_x'.*data row 2 holds 'yes'"):
        read_table(p, label_columns=["l_x"])


def test_label_columns_missing_value(tmp_path):
    p = _csv(tmp_path, "a,l_x\n1,1\n2,\n")
    with pytest.raises(InputError, match=r"'l_x' has 1 missing.*data row 2"):
        read_table(p, label_prefix="l_")


def test_require_labels_without_option_explains_three_ways(tmp_path):
    p = _csv(tmp_path, "a\n1\n")
    with pytest.raises(InputError, match=r"label-column.*label-columns.*label-prefix"):
        read_table(p, require_labels=True)


def test_two_label_options_refused(tmp_path):
    p = _csv(tmp_path, "a,y\n1,1\n")
    with pytest.raises(InputError, match="one way only"):
        read_table(p, label_column="y", label_prefix="y")


# --------------------------------------------------------------------------- file checks


def test_missing_file(tmp_path):
    with pytest.raises(InputError, match="File not found"):
        read_table(tmp_path / "nope.csv")


def test_directory(tmp_path):
    d = tmp_path / "dir.csv"
    d.mkdir()
    with pytest.raises(InputError, match="is a directory"):
        read_table(d)


def test_empty_file(tmp_path):
    p = tmp_path / "e.csv"
    p.write_bytes(b"")
    with pytest.raises(InputError, match=r"empty \(0 bytes\)"):
        read_table(p)


def test_header_only(tmp_path):
    with pytest.raises(InputError, match="no data rows"):
        read_table(_csv(tmp_path, "a,b\n"))


def test_unsupported_extension_lists_supported(tmp_path):
    p = tmp_path / "d.xlsx"
    p.write_bytes(b"x")
    with pytest.raises(InputError, match=r"\.csv, \.tsv, \.parquet, \.pq, \.npy, \.npz"):
        read_table(p)


def test_not_utf8_suggests_iconv(tmp_path):
    p = _csv(tmp_path, "a,caf\xe9\n1,2\n", encoding="latin1")
    with pytest.raises(InputError, match="iconv -f latin1 -t utf-8"):
        read_table(p)
    assert read_table(p, encoding="latin1").feature_names == ["a", "caf\xe9"]


def test_utf8_bom_accepted(tmp_path):
    p = tmp_path / "bom.csv"
    p.write_bytes(b"\xef\xbb\xbfa,b\n1,2\n")
    assert read_table(p).feature_names == ["a", "b"]


def test_duplicate_csv_columns(tmp_path):
    with pytest.raises(InputError, match=r"duplicate column names: 'a'"):
        read_table(_csv(tmp_path, "a,b,a\n1,2,3\n"))


def test_unnamed_csv_column(tmp_path):
    with pytest.raises(InputError, match="column 1 has no name.*index=False"):
        read_table(_csv(tmp_path, ",a\n0,1\n1,2\n"))


def test_extra_fields_not_taken_as_index(tmp_path):
    with pytest.raises(InputError, match="more fields than the header"):
        read_table(_csv(tmp_path, "a,b\n1,2,3\n4,5,6\n"))


def test_row_with_fewer_fields_than_the_header_is_refused(tmp_path):
    """pandas fills a short row's missing trailing fields with NaN: here the third row's labels would vanish."""
    with pytest.raises(InputError, match=r"data row 3 has 2 fields, the header line names 3 columns"):
        read_table(_csv(tmp_path, "a,b,labels\n0.1,0.2,x\n0.3,0.4,y\n0.9,0.1\n0.5,0.6,x|y\n"), label_column="labels")


def test_blank_lines_and_quoted_line_breaks_are_not_short_rows(tmp_path):
    table = read_table(_csv(tmp_path, 'a,b,labels\r\n0.1,0.2,x\r\n\r\n   \r\n0.3,0.4,"y\nz"\r\n'), label_column="labels")
    assert table.features.shape == (2, 2)


def test_a_field_longer_than_the_csv_modules_limit_is_read(tmp_path):
    """csv.reader stops at 131,072 characters a field; pandas, which reads the data, has no such limit."""
    table = read_table(_csv(tmp_path, "a,b,labels\n0.1,0.2," + "x" * 200_000 + "\n0.3,0.4,y\n"), label_column="labels")
    assert len(table.labels[0][0]) == 200_000


def test_ragged_rows(tmp_path):
    with pytest.raises(InputError, match="could not be parsed.*line 3"):
        read_table(_csv(tmp_path, "a,b\n1,2\n3,4,5\n"))


def test_a_parquet_column_saved_as_the_pandas_index_is_a_column(tmp_path):
    frame = pd.DataFrame({"id": ["r0", "r1"], "a": [0.5, 1.5], "labels": ["x", "y"]})
    frame.set_index("id").to_parquet(tmp_path / "i.parquet")
    table = read_table(tmp_path / "i.parquet", label_column="labels", id_column="id")
    assert table.ids.tolist() == ["r0", "r1"] and table.feature_names == ["a"]
    frame.set_index("a").to_parquet(tmp_path / "n.parquet")  # a numeric index is a feature, as it is in a CSV
    assert read_table(tmp_path / "n.parquet", label_column="labels", id_column="id").feature_names == ["a"]
    frame.set_index("id", drop=False).to_parquet(tmp_path / "d.parquet")  # the index is also a column: read once
    assert read_table(tmp_path / "d.parquet", label_column="labels", id_column="id").ids.tolist() == ["r0", "r1"]
    frame.to_parquet(tmp_path / "r.parquet")  # an unnamed index (here a RangeIndex) holds no data
    assert read_table(tmp_path / "r.parquet", label_column="labels", id_column="id").feature_names == ["a"]


def test_duplicate_parquet_columns_are_named_not_called_corrupt(tmp_path):
    pq.write_table(pa.table([pa.array([1.0]), pa.array([2.0]), pa.array(["x"])], names=["a", "a", "l"]), tmp_path / "d.parquet")
    with pytest.raises(InputError, match="duplicate column names: 'a'"):
        read_table(tmp_path / "d.parquet", label_column="l")


def test_corrupt_parquet(tmp_path):
    p = tmp_path / "bad.parquet"
    p.write_bytes(b"PAR1 this is not parquet at all")
    with pytest.raises(InputError, match="could not be read as Parquet"):
        read_table(p)


def test_parquet_zero_rows(tmp_path):
    p = _parquet(tmp_path, pa.table({"a": pa.array([], pa.float64())}), name="z.pq")
    with pytest.raises(InputError, match="no data rows"):
        read_table(p)


# --------------------------------------------------------------------------- arrays


def test_npy_features(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.arange(6, dtype=np.int64).reshape(3, 2))
    t = read_table(p)
    assert t.feature_names == ["x0", "x1"] and t.features.dtype == np.float32
    assert read_table(p, features=["x1"]).features[:, 0].tolist() == [1, 3, 5]


def test_npy_1d_suggests_reshape(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.arange(3.0))
    with pytest.raises(InputError, match=r"reshape\(-1, 1\)"):
        read_table(p)


def test_npy_object_refused_never_unpickled(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.array([[1, "a"]], dtype=object), allow_pickle=True)
    with pytest.raises(InputError, match="never loads"):
        read_table(p)


def test_array_files_of_another_kind_are_named_not_taken_for_pickles(tmp_path):
    """numpy takes any file without its header for a pickle; an .npz under a .npy name crashed on .dtype."""
    archive = tmp_path / "archive.npy"
    with open(archive, "wb") as fh:  # through a file object np.savez keeps the name (given a path, it appends .npz)
        np.savez(fh, X=np.zeros((2, 2)))
    with pytest.raises(InputError, match="is an .npz archive saved under a .npy name; rename it to .npz"):
        read_table(archive)
    (tmp_path / "text.npy").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="is not a .npy file"):
        read_table(tmp_path / "text.npy")
    (tmp_path / "text.npz").write_text("a,b\n1,2\n")
    with pytest.raises(InputError, match="is not an .npz archive"):
        read_table(tmp_path / "text.npz")


def test_an_npz_without_arrays_is_not_called_corrupt(tmp_path):
    np.savez(tmp_path / "e.npz")  # an empty zip archive starts PK\x05\x06
    with pytest.raises(InputError, match="has no array named 'X'"):
        read_table(tmp_path / "e.npz")


def test_byte_string_ids_are_read_as_text(tmp_path):
    np.savez(tmp_path / "b.npz", X=np.zeros((2, 1)), ids=np.array([b"row0", b"row1"]))
    assert read_table(tmp_path / "b.npz", id_column="ids").ids.tolist() == ["row0", "row1"]


def test_npy_nan_names_column(tmp_path):
    p = tmp_path / "x.npy"
    np.save(p, np.array([[1.0, 2.0], [3.0, np.nan]]))
    with pytest.raises(InputError, match=r"'x1' has 1 missing.*data row 2"):
        read_table(p)


def test_npz_matrix_round_trip(tmp_path):
    p = tmp_path / "d.npz"
    X = np.random.default_rng(0).normal(size=(4, 3))
    Y = np.array([[1, 0], [0, 1], [1, 1], [0, 0]])
    np.savez(p, X=X, Y=Y, label_names=np.array(["cat", "dog"]))
    t = read_table(p, require_labels=True)
    np.testing.assert_allclose(t.features, X.astype(np.float32))
    np.testing.assert_array_equal(t.labels, Y)
    assert t.label_names == ["cat", "dog"]


def test_npz_single_labels(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, X=np.ones((3, 2)), y=np.array([2, 0, 2]))
    assert read_table(p).labels == [[2], [0], [2]]
    np.savez(p, X=np.ones((2, 2)), y=np.array(["a", "b"]))
    assert read_table(p).labels == [["a"], ["b"]]


def test_npz_missing_x_and_bad_y(tmp_path):
    p = tmp_path / "d.npz"
    np.savez(p, features=np.ones((2, 2)))
    with pytest.raises(InputError, match="no array named 'X'.*'features'"):
        read_table(p)
    np.savez(p, X=np.ones((2, 2)), Y=np.array([[0, 2], [1, 0]]))
    with pytest.raises(InputError, match=r"only 0 or 1.*row 1, column 1"):
        read_table(p)
    np.savez(p, X=np.ones((2, 2)))
    with pytest.raises(InputError, match="labels are required"):
        read_table(p, require_labels=True)


# --------------------------------------------------------------------------- read_frame / write_table


def test_write_table_round_trip_csv_and_parquet(tmp_path):
    frame = pd.DataFrame({"id": ["a", "b"], "p": [0.25, 0.75]})
    for name in ("out/pred.csv", "out/pred.parquet"):
        p = tmp_path / name
        write_table(frame, p)
        back = read_frame(p)
        assert back["id"].tolist() == ["a", "b"] and back["p"].tolist() == [0.25, 0.75]
    assert sorted(os.listdir(tmp_path / "out")) == ["pred.csv", "pred.parquet"]  # no temp files left


def test_write_table_failure_keeps_old_file(tmp_path):
    p = tmp_path / "pred.parquet"
    write_table(pd.DataFrame({"a": [1]}), p)
    before = p.read_bytes()
    bad = pd.DataFrame({"a": [object()]})  # not storable in Parquet
    with pytest.raises(InputError, match="cannot write"):
        write_table(bad, p)
    assert p.read_bytes() == before and os.listdir(tmp_path) == ["pred.parquet"]


def test_write_table_unsupported_extension(tmp_path):
    with pytest.raises(InputError, match="unsupported extension"):
        write_table(pd.DataFrame({"a": [1]}), tmp_path / "x.json")


def test_write_table_normal_permissions(tmp_path):
    p = tmp_path / "x.csv"
    write_table(pd.DataFrame({"a": [1]}), p)
    assert stat.S_IMODE(p.stat().st_mode) & 0o044  # readable by others as under a usual umask, not 0600


def test_the_missing_cells_of_feature_columns_are_pandas_defaults():
    """readers lists pandas' default NA cells itself (no private import); this catches a pandas that changes them."""
    parsers = pytest.importorskip("pandas._libs.parsers")
    from weaklabel.data._files import _PANDAS_NA_CELLS

    assert set(_PANDAS_NA_CELLS) == set(parsers.STR_NA_VALUES)


def test_decimal_ids_and_labels_keep_their_exact_values(tmp_path):
    """Only decimal features become floats: a decimal(38, 0) id would lose digits as float64 and merge rows."""
    D = decimal.Decimal
    ids = [D("1234567890123456789"), D("1234567890123456790")]
    table = pa.table({
        "id": pa.array(ids, pa.decimal128(38, 0)),
        "f": pa.array([D("0.25"), D("1.50")], pa.decimal128(10, 2)),
        "lab": pa.array([D("3"), D("1234567890123456789")], pa.decimal128(38, 0)),
    })
    read = read_table(_parquet(tmp_path, table), label_column="lab", id_column="id")
    assert list(read.ids) == ids and read.labels == [[3], [1234567890123456789]]
    assert read.features.tolist() == [[0.25], [1.5]]
