"""Batch sources: every row once per epoch, bounded buffers, same model as in memory for the same order."""

import decimal
import re

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import torch
from torch import nn

from weaklabel.data.sources import MemmapSource, ParquetSource, TensorSource, npz_arrays, open_table_source
from weaklabel.exceptions import InputError
from weaklabel.runtime.distributed import Shard
from weaklabel.training import Trainer, TrainingConfig

N = 1000


@pytest.fixture()
def files(tmp_path):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(N, 4)).astype(np.float32)
    X[:, 0] = np.arange(N)  # column 0 names the row
    y = (X[:, 1:2] > 0).astype(np.float32)
    np.save(tmp_path / "X.npy", X)
    np.save(tmp_path / "y.npy", y)
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=y[:, 0])
    frame.to_parquet(tmp_path / "t.parquet", row_group_size=128)
    np.savez(tmp_path / "t.npz", X=X, Y=y.astype(np.int64))
    return tmp_path, X, y


def _sources(path):
    return {
        "memmap": MemmapSource({"x": path / "X.npy", "y": path / "y.npy"}, chunk_rows=100, buffer_rows=300),
        "parquet": ParquetSource(path / "t.parquet", {"x": ["a", "b", "c", "d"], "y": ["label"]}, buffer_rows=300),
        "tensor": TensorSource({"x": torch.from_numpy(np.load(path / "X.npy")), "y": torch.from_numpy(np.load(path / "y.npy"))}),
    }


@pytest.mark.parametrize("kind", ["memmap", "parquet", "tensor"])
def test_every_row_once_per_epoch_and_rows_match_index(files, kind):
    source = _sources(files[0])[kind]
    gen = torch.Generator().manual_seed(0)
    orders = []
    for _ in range(2):
        batches = list(source.batches(64, gen))
        assert all(len(b["index"]) == 64 for b in batches[:-1])
        index = torch.cat([b["index"] for b in batches])
        assert sorted(index.tolist()) == list(range(N))
        for b in batches:
            assert torch.equal(b["x"][:, 0].long(), b["index"])
        orders.append(index)
    assert not torch.equal(orders[0], orders[1])  # a fresh order each epoch
    assert not torch.equal(orders[0], torch.arange(N))


@pytest.mark.parametrize("kind", ["memmap", "parquet", "tensor"])
def test_shards_cover_every_row_with_equal_steps(files, kind):
    source = _sources(files[0])[kind]
    seen, steps = [], set()
    for rank in range(3):
        batches = list(source.batches(32, torch.Generator().manual_seed(5), Shard(rank, 3)))
        steps.add(len(batches))
        seen += torch.cat([b["index"] for b in batches]).tolist()
    assert len(steps) == 1  # DDP needs the same number of steps on every rank
    assert set(seen) == set(range(N)) and len(seen) == 3 * -(-N // 3)


def test_buffer_bounds_the_rows_held(files):
    held = []

    def record(arrays):
        held.append(len(arrays["x"]))
        return arrays

    source = MemmapSource({"x": files[0] / "X.npy"}, transform=record, chunk_rows=50, buffer_rows=120)
    drained = []
    original = MemmapSource._drain

    def spy(pending, carry, batch_size, generator):
        drained.append(sum(len(p["index"]) for p in pending) + (0 if carry is None else len(carry["index"])))
        return (yield from original(pending, carry, batch_size, generator))

    source._drain = spy
    list(source.batches(32, torch.Generator().manual_seed(0)))
    assert max(held) <= 50  # one chunk read at a time
    assert max(drained) < 120 + 50 + 32  # buffer + last chunk + carried partial batch


def _train(data, seed=0):
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 1))
    loss_fn = lambda b: nn.functional.binary_cross_entropy_with_logits(model(b["x"] / 100.0), b["y"])  # noqa: E731
    Trainer(model, loss_fn, TrainingConfig(max_epochs=2, batch_size=64, patience=None, seed=seed)).fit(data)
    return torch.cat([p.detach().flatten() for p in model.parameters()])


def test_file_sources_train_the_same_model_as_memory_in_file_order(files):
    path, X, y = files
    memory = _train(TensorSource({"x": torch.from_numpy(X), "y": torch.from_numpy(y)}, shuffle=False))
    memmap = _train(MemmapSource({"x": path / "X.npy", "y": path / "y.npy"}, chunk_rows=100, shuffle=False))
    parquet = _train(ParquetSource(path / "t.parquet", {"x": ["a", "b", "c", "d"], "y": ["label"]}, shuffle=False))
    torch.testing.assert_close(memmap, memory)
    torch.testing.assert_close(parquet, memory)


def test_same_seed_same_model_from_a_shuffled_file(files):
    path = files[0]
    make = lambda: MemmapSource({"x": path / "X.npy", "y": path / "y.npy"}, chunk_rows=100, buffer_rows=300)  # noqa: E731
    assert torch.equal(_train(make(), seed=3), _train(make(), seed=3))


def test_npz_members_and_table_source(files):
    path, X, y = files
    arrays = npz_arrays(path / "t.npz")
    assert arrays["X"].shape == X.shape and np.array_equal(arrays["X"].read(10, 20), X[10:20])
    source, features, labels = open_table_source(path / "t.parquet", label_columns=["label"])
    assert features == ["a", "b", "c", "d"] and labels == ["label"] and source.n_rows == N
    with pytest.raises(InputError, match="label"):
        open_table_source(path / "t.parquet")
    np.savez_compressed(path / "c.npz", X=X, Y=y)
    with pytest.raises(InputError, match="compressed"):
        npz_arrays(path / "c.npz")


def test_fortran_ordered_arrays_read_the_same_rows_as_np_load(tmp_path):
    """An .npz saved from df.to_numpy() holds Fortran-ordered members: read column by column, returned C-ordered."""
    rng = np.random.default_rng(0)
    Y = np.asfortranarray(rng.integers(0, 2, size=(37, 6)))
    images = np.asfortranarray(rng.normal(size=(37, 2, 3, 4)).astype(">f4"))
    np.savez(tmp_path / "f.npz", X=images, Y=Y)
    np.save(tmp_path / "Y.npy", Y)
    arrays = npz_arrays(tmp_path / "f.npz")
    for f, expected in ((arrays["X"], images), (arrays["Y"], Y), (MemmapSource({"y": tmp_path / "Y.npy"}).files["y"], Y)):
        for start, stop in ((0, 37), (5, 9), (36, 37)):
            rows = f.read(start, stop)
            assert rows.flags.c_contiguous and rows.dtype == expected.dtype
            np.testing.assert_array_equal(rows, expected[start:stop])


@pytest.mark.parametrize("view", [lambda a: a[5:], lambda a: a[:, 1:], lambda a: a.T])
def test_a_view_of_a_memory_mapped_array_is_refused_not_read_from_the_file_start(files, view):
    array = np.load(files[0] / "X.npy", mmap_mode="r")
    with pytest.raises(InputError, match=r"X\.npy: the array of shape .* is a slice or view of a memory-mapped array"):
        MemmapSource({"x": view(array)})


def test_text_arrays_are_refused_before_streaming(tmp_path):
    """Text passes the NaN check (it is not float) and would fail deep in training; it is refused when opened."""
    np.savez(tmp_path / "t.npz", X=np.zeros((2, 2)), Y=np.array([["a"], ["1"]]), label_names=np.array(["spam"]))
    arrays = npz_arrays(tmp_path / "t.npz")  # listing is fine: only the streamed arrays must be numbers
    MemmapSource({"x": arrays["X"]})
    with pytest.raises(InputError, match=r"t\.npz: array 'Y' holds values of dtype <U1, not numbers; save it as numbers"):
        MemmapSource({"x": arrays["X"], "y": arrays["Y"]})
    np.save(tmp_path / "t.npy", np.array([["a"], ["b"]]))
    with pytest.raises(InputError, match=r"t\.npy: the array holds values of dtype <U1, not numbers"):
        MemmapSource({"y": tmp_path / "t.npy"})


def test_an_npz_member_of_python_objects_names_the_archive_and_array(tmp_path):
    np.savez(tmp_path / "o.npz", X=np.zeros((2, 2)), Y=np.array([[1, None], [0, 1]], dtype=object))
    with pytest.raises(InputError, match=r"o\.npz: array 'Y' holds Python objects.*np\.asarray\(Y"):
        MemmapSource(npz_arrays(tmp_path / "o.npz"))


def test_a_streamed_parquet_decimal_column_is_a_default_feature(tmp_path):
    d = pa.array([decimal.Decimal("1.5"), decimal.Decimal("-2.5")], pa.decimal128(10, 1))
    pq.write_table(pa.table({"x": [1.0, 2.0], "d": d, "label": [0, 1]}), tmp_path / "d.parquet")
    source, features, _ = open_table_source(tmp_path / "d.parquet", label_columns=["label"])
    assert features == ["x", "d"]
    np.testing.assert_array_equal(source.read(0, 0, 2)["x"], [[1.0, 1.5], [2.0, -2.5]])


def test_a_nan_read_during_an_epoch_names_its_file_row_and_column(files):
    path, X, y = files
    X = X.copy()
    X[733, 2] = np.nan
    np.save(path / "X.npy", X)
    source = MemmapSource({"x": path / "X.npy", "y": path / "y.npy"}, chunk_rows=100, buffer_rows=300)
    with pytest.raises(InputError, match=r"X\.npy: column 2 of 'x' has a missing \(NaN\) value at data row 734 .*impute or drop"):
        list(source.batches(64, torch.Generator().manual_seed(0)))


@pytest.mark.parametrize(("value", "problem"), [(np.inf, "an infinite value"), (1e39, "a value too large for float32")])
def test_inf_and_float32_overflow_in_a_chunk_are_refused(value, problem):
    X = np.zeros((50, 3))
    X[41, 1] = value
    source = MemmapSource({"x": X}, chunk_rows=20)
    with pytest.raises(InputError, match=rf"column 1 of 'x' has {problem} .*at data row 42 "):
        list(source.batches(10))


def test_a_streamed_parquet_float64_beyond_float32_is_too_large_not_infinite(tmp_path):
    frame = pd.DataFrame({"a": np.zeros(30), "b": np.zeros(30, dtype=np.float32)})
    frame.loc[17, "a"] = 1e39
    frame.to_parquet(tmp_path / "big.parquet", row_group_size=10)
    source = ParquetSource(tmp_path / "big.parquet", {"x": ["a", "b"]})
    with pytest.raises(InputError, match=r"column 'a' has a value too large for float32 \(1e\+39\) at data row 18 .*rescale"):
        list(source.batches(10))
    frame.loc[17, "a"] = 1e30
    frame.to_parquet(tmp_path / "fits.parquet", row_group_size=10)
    batches = list(ParquetSource(tmp_path / "fits.parquet", {"x": ["a", "b"]}).batches(10))  # float32, as networks take
    assert {b["x"].dtype for b in batches} == {torch.float32} and max(b["x"].max().item() for b in batches) == pytest.approx(1e30)


def test_the_sample_names_the_file_row_of_a_nan(files):
    path, X, y = files
    frame = pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=y[:, 0])
    frame.loc[900, "b"] = np.nan
    frame.to_parquet(path / "nan.parquet", row_group_size=128)
    source = ParquetSource(path / "nan.parquet", {"x": ["a", "b", "c", "d"], "y": ["label"]})
    with pytest.raises(InputError, match=r"nan\.parquet: column 'b' has a missing \(NaN\) value at data row 901 "):
        source.sample(20, seed=0)


def test_table_source_refuses_a_missing_file_and_an_unmatched_prefix(files):
    path = files[0]
    with pytest.raises(InputError, match="File not found: .*nothere.parquet.*check the path"):
        open_table_source(path / "nothere.parquet", label_prefix="y_")
    with pytest.raises(InputError, match=r"label prefix 'y_'; give the prefix of the 0/1 label columns \(columns: \['a'"):
        open_table_source(path / "t.parquet", label_prefix="y_")


@pytest.mark.parametrize(("suffix", "where"), [(".parquet", r"column 'label'"), (".npz", r"column 0 of 'y'")])
@pytest.mark.parametrize("value", [2.0, 0.5, -1.0])
def test_a_streamed_label_other_than_0_or_1_is_refused_in_any_chunk(files, suffix, where, value):
    """The label check runs on every chunk read, not only on the rows sampled for scaling."""
    path, X, y = files
    y = y.copy()
    y[950, 0] = value
    if suffix == ".parquet":
        pd.DataFrame(X, columns=["a", "b", "c", "d"]).assign(label=y[:, 0]).to_parquet(path / "bad.parquet", row_group_size=128)
        source, _, _ = open_table_source(path / "bad.parquet", label_columns=["label"])
    else:
        np.savez(path / "bad.npz", X=X, Y=y)
        source, _, _ = open_table_source(path / "bad.npz")
    with pytest.raises(InputError, match=rf"{where} has a label value of {value:g} \(labels are 0 or 1\) at data row 951 .*write 1 for the labels"):
        list(source.batches(64, torch.Generator().manual_seed(0)))


def test_features_need_not_be_0_or_1(files):
    source, _, _ = open_table_source(files[0] / "t.parquet", label_columns=["label"])
    assert sum(len(b["index"]) for b in source.batches(64)) == N


def test_declaring_a_binary_key_after_reading_rechecks_the_chunks_already_read():
    Y = np.zeros((400, 1), dtype=np.float32)
    Y[399, 0] = 2.0
    source = MemmapSource({"y": Y}, chunk_rows=100)
    source.sample(50)  # reads (and checks for NaN) every chunk
    source.binary += ("y",)
    with pytest.raises(InputError, match="a label value of 2 .* at data row 400"):
        list(source.batches(64))


@pytest.fixture
def roles_parquet(tmp_path):
    frame = pd.DataFrame({"id": ["r0", "r1", "r2"], "a": [0.1, 0.2, 0.3], "b": [1.0, 2.0, 3.0], "y_x": [1, 0, 1], "y_y": [0, 1, 1]})
    frame.to_parquet(tmp_path / "d.parquet", index=False)
    return tmp_path / "d.parquet"


@pytest.mark.parametrize("options, message", [
    ({"features": ["a", "y_x"]}, "column 'y_x' is the label column and cannot also be a feature"),
    ({"features": ["a", "b", "a"]}, "feature columns named more than once: 'a'"),
    ({"features": ["a", "id"]}, "feature column 'id' is not numeric"),
    ({"features": ["a", "nope"]}, "feature column 'nope' not found"),
    ({"id_column": "nope"}, "id column 'nope' not found"),
    ({"id_column": "y_x", "label_prefix": None, "label_columns": ["y_x", "y_y"]}, "column 'y_x' cannot be both the id column and a label column"),
])
def test_streamed_parquet_columns_are_checked_as_in_memory(roles_parquet, options, message):
    """The streaming path had none of read_table's checks: a label could be trained on as a feature."""
    with pytest.raises(InputError, match=re.escape(message)):
        open_table_source(roles_parquet, **{"label_prefix": "y_", **options})


def test_streamed_parquet_default_features_leave_out_ids_labels_and_text(roles_parquet):
    _, features, labels = open_table_source(roles_parquet, label_prefix="y_", id_column="id")
    assert (features, labels) == (["a", "b"], ["y_x", "y_y"])
    pq_path = roles_parquet.with_suffix(".pq")
    roles_parquet.rename(pq_path)
    assert open_table_source(pq_path, label_prefix="y_")[1] == ["a", "b"]


def test_streamed_npz_refuses_what_it_cannot_honour(tmp_path):
    np.savez(tmp_path / "d.npz", X=np.zeros((4, 2), np.float32), Y=np.zeros((4, 2), np.float32), label_names=np.array(["p"]))
    with pytest.raises(InputError, match="label_names holds 1 names but Y has 2 columns"):
        open_table_source(tmp_path / "d.npz")
    for option in ({"feature_prefix": "zz"}, {"features": ["x0"]}):
        with pytest.raises(InputError, match="streaming an .npz takes every column of X as a feature"):
            open_table_source(tmp_path / "d.npz", **option)
    np.savez(tmp_path / "i.npz", X=np.zeros((4, 2), np.float32), Y=np.zeros((4, 2), np.float32), ids=np.arange(4))
    assert open_table_source(tmp_path / "i.npz", id_column="ids")[1] == ["x0", "x1"]  # ids are an array beside X
    for missing in ("nope", "X"):
        with pytest.raises(InputError, match=f"no 1-D array '{missing}' with one id per row of X"):
            open_table_source(tmp_path / "i.npz", id_column=missing)
    for suffix in (".npz", ".parquet"):
        (tmp_path / f"bad{suffix}").write_bytes(b"PK\x03\x04 not really an archive")
        with pytest.raises(InputError, match="the file is corrupt, truncated or not"):
            open_table_source(tmp_path / f"bad{suffix}", label_prefix="y_")


def test_a_streamed_parquet_leaves_out_an_unnamed_pandas_index(tmp_path):
    pd.DataFrame({"a": [0.1, 0.2, 0.3], "y_x": [1, 0, 1]}, index=[5, 7, 9]).to_parquet(tmp_path / "ix.parquet")
    assert open_table_source(tmp_path / "ix.parquet", label_prefix="y_")[1] == ["a"]
