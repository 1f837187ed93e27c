"""Where the Trainer's batches come from: in-memory tensors, ``.npy`` files, Parquet files.

A :class:`BatchSource` yields dict batches (``{"x": …, "y": …, "index": …}``,
``index`` = the rows' positions in the full data) for one epoch in an order
drawn from the Trainer's generator, restricted to one rank's :class:`Shard`.
:meth:`Trainer.fit <weaklabel.training.Trainer.fit>` accepts a source wherever
it accepts a dict of tensors (a dict is wrapped in :class:`TensorSource`).

- :class:`TensorSource`: the data in memory (today's behaviour). An epoch
  gathers the shuffled rows once into a contiguous copy and yields slices of
  it (views), so a step does no gathering at all; above
  :data:`COPY_MAX_BYTES` it gathers each batch with ``index_select`` instead.
- :class:`MemmapSource`: ``.npy`` files (or ``np.load(…, mmap_mode="r")``
  arrays) read chunk by chunk with positional reads, so the page cache does
  not count in the process's memory.
- :class:`ParquetSource`: a Parquet file read one row group at a time.

The two out-of-core sources shuffle at two levels, the usual scheme for data
larger than memory: the chunk order (row groups, or ``chunk_rows`` blocks) is a
fresh permutation each epoch, and rows are permuted inside a shuffle buffer of
about ``buffer_rows`` rows (several chunks). Every row is read exactly once
per epoch; memory is bounded by the buffer plus one chunk, independent of the
file size. Each chunk is checked as read: a NaN, infinite or too-large value
raises :class:`~weaklabel.exceptions.InputError` naming the file, the column
and the data row (counted from 1, as in :mod:`weaklabel.data.readers`), and
so does a value other than 0 and 1 in a key declared ``binary`` (the label
matrix of a streamed fit). Preprocessing is a ``transform`` applied to each chunk as read
(e.g. a :class:`~weaklabel.data.preprocessing.FeatureScaler` fitted on
:meth:`ChunkedSource.sample`).
"""

from __future__ import annotations

import mmap
import os
from collections.abc import Callable, Generator, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn, Protocol, runtime_checkable

import numpy as np
import torch

from ..exceptions import InputError
from ..runtime.distributed import Shard

#: the whole epoch, as read by a single process (a Shard is never modified)
ONE_PROCESS = Shard()

if TYPE_CHECKING:
    import pyarrow as pa

Batch = dict[str, torch.Tensor]
Arrays = dict[str, np.ndarray]
Transform = Callable[[Arrays], Arrays]

__all__ = ["BatchSource", "ChunkedSource", "MemmapSource", "ParquetSource", "TensorSource", "as_source", "npz_arrays", "open_table_source"]

#: In-memory data up to this size is copied once per epoch in shuffled order; above it, batches are gathered per step.
COPY_MAX_BYTES = 1 << 30
_FLOAT32_MAX = float(np.finfo(np.float32).max)


@runtime_checkable
class BatchSource(Protocol):
    """Anything the Trainer can draw an epoch of batches from."""

    @property
    def n_rows(self) -> int:
        """Number of rows in the data."""

    def batches(self, batch_size: int, generator: torch.Generator | None = None, shard: Shard = ONE_PROCESS) -> Iterator[Batch]:
        """One epoch of this shard's rows in batches of ``batch_size`` (the last may be smaller).

        ``generator`` draws the order (``None``: file order); the same
        generator state on every rank gives every rank the same order, of
        which each takes its own shard.
        """


class TensorSource:
    """Tensors of equal length in memory (on the training device)."""

    def __init__(self, data: Mapping[str, torch.Tensor], shuffle: bool = True) -> None:
        lengths = {len(v) for v in data.values()}
        if len(lengths) != 1:
            raise InputError(f"all training tensors need the same number of rows, got {sorted(lengths)}")
        self.data = dict(data)
        self.shuffle = shuffle

    @property
    def n_rows(self) -> int:
        return len(next(iter(self.data.values())))

    def to(self, device: torch.device) -> TensorSource:
        """The same source with every tensor on ``device``."""
        return TensorSource({k: v.to(device) for k, v in self.data.items()}, self.shuffle)

    def batches(self, batch_size: int, generator: torch.Generator | None = None, shard: Shard = ONE_PROCESS) -> Iterator[Batch]:
        n = self.n_rows
        device = next(iter(self.data.values())).device
        if (generator is None or not self.shuffle) and shard.count == 1:  # file order: plain views
            yield from self._slices(self.data, torch.arange(n, device=device), batch_size)
            return
        order = torch.randperm(n, generator=generator) if generator is not None and self.shuffle else torch.arange(n)
        order = shard.take(order).to(device)
        nbytes = sum(v.element_size() * v[0].numel() * len(order) for v in self.data.values())
        if nbytes <= COPY_MAX_BYTES:
            yield from self._slices({k: v.index_select(0, order) for k, v in self.data.items()}, order, batch_size)
            return
        for s in range(0, len(order), batch_size):
            idx = order[s : s + batch_size]
            yield {**{k: v.index_select(0, idx) for k, v in self.data.items()}, "index": idx}

    @staticmethod
    def _slices(data: Mapping[str, torch.Tensor], order: torch.Tensor, batch_size: int) -> Iterator[Batch]:
        for s in range(0, len(order), batch_size):
            yield {**{k: v[s : s + batch_size] for k, v in data.items()}, "index": order[s : s + batch_size]}


class ChunkedSource:
    """Base of the out-of-core sources: chunk-order shuffle + in-memory shuffle buffer (see the module docstring).

    Subclasses define ``n_rows``, ``_chunk_starts`` (sorted start row of each
    chunk, first 0), :meth:`_read_chunk` and :meth:`_column_name`. Every chunk
    is checked for NaN, infinite and too-large values the first time it is read,
    and the keys in ``binary`` for values other than 0 and 1.
    """

    _chunk_starts: np.ndarray

    def __init__(self, transform: Transform | None, buffer_rows: int, shuffle: bool, binary: Sequence[str] = ()) -> None:
        if int(buffer_rows) < 1:
            raise InputError(f"buffer_rows must be ≥ 1, got {buffer_rows}")
        self.transform = transform
        self.buffer_rows = int(buffer_rows)
        self.shuffle = shuffle
        self._checked: set[int] = set()  # chunks whose values passed the checks
        self.binary = binary

    @property
    def binary(self) -> tuple[str, ...]:
        """The keys whose values must be 0 or 1 (e.g. the label matrix)."""
        return self._binary

    @binary.setter
    def binary(self, keys: Sequence[str]) -> None:
        self._binary = tuple(keys)
        self._checked.clear()  # chunks checked before were not checked for the new keys

    @property
    def n_rows(self) -> int:
        raise NotImplementedError

    @property
    def n_chunks(self) -> int:
        return len(self._chunk_starts)

    def _chunk_bounds(self, i: int) -> tuple[int, int]:
        stop = self._chunk_starts[i + 1] if i + 1 < self.n_chunks else self.n_rows
        return int(self._chunk_starts[i]), int(stop)

    def _read_chunk(self, i: int) -> Arrays:
        """Raw arrays of chunk ``i`` (no transform)."""
        raise NotImplementedError

    def _column_name(self, key: str, j: int) -> str:
        """Where column ``j`` of batch key ``key`` comes from, for error messages (file and column)."""
        raise NotImplementedError

    def _checked_chunk(self, i: int) -> Arrays:
        """:meth:`_read_chunk`, refused when a value is NaN, infinite or beyond float32's range, or
        not 0/1 in a ``binary`` key (checked on the first read)."""
        arrays = self._read_chunk(i)
        if i in self._checked:
            return arrays
        for key, values in arrays.items():
            bad = _not_float32_finite(values)
            if bad is not None:
                self._refuse(i, key, values, bad, _bad_value_problem)
            if key in self.binary:
                not_binary = (values != 0) & (values != 1)
                if not_binary.any():
                    self._refuse(i, key, values, not_binary, _not_binary_problem)
        self._checked.add(i)
        return arrays

    def _refuse(self, i: int, key: str, values: np.ndarray, bad: np.ndarray, describe: Callable[[float], tuple[str, str]]) -> NoReturn:
        """Raise for the first bad value of chunk ``i`` (row-major), naming its data row in the file, its column,
        and the problem and fix ``describe`` gives for the value."""
        row, j = (int(v) for v in np.argwhere(bad.reshape(len(bad), -1))[0])
        problem, fix = describe(float(values.reshape(len(values), -1)[row, j]))
        raise InputError(
            f"{self._column_name(key, j)} has {problem} at data row {self._chunk_bounds(i)[0] + row + 1} "
            f"(data rows count from 1); {fix} before fitting"
        )

    def read(self, i: int, lo: int, hi: int) -> Arrays:
        """Rows ``lo:hi`` of chunk ``i``, transformed, with their global row numbers as ``"index"``."""
        arrays = {k: v[lo:hi] for k, v in self._checked_chunk(i).items()}
        if self.transform is not None:
            arrays = self.transform(arrays)
        start = self._chunk_bounds(i)[0]
        arrays["index"] = np.arange(start + lo, start + hi, dtype=np.int64)
        return arrays

    def sample(self, n: int, seed: int = 0) -> Arrays:
        """About ``n`` raw rows (no transform) drawn from up to 64 random chunks, e.g. to fit a scaler."""
        rng = np.random.default_rng(seed)
        chunks = np.sort(rng.choice(self.n_chunks, min(self.n_chunks, 64), replace=False))
        per = max(1, -(-int(n) // len(chunks)))
        parts: list[Arrays] = []
        for i in chunks:
            raw = self._checked_chunk(int(i))
            rows = np.sort(rng.choice(len(next(iter(raw.values()))), min(per, len(next(iter(raw.values())))), replace=False))
            parts.append({k: v[rows] for k, v in raw.items()})
        return {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}

    def _segments(self, generator: torch.Generator | None, shard: Shard) -> list[tuple[int, int, int]]:
        """This shard's ``(chunk, lo, hi)`` pieces of the epoch's row sequence (chunks in shuffled order, padded by wrapping)."""
        order = torch.randperm(self.n_chunks, generator=generator) if generator is not None else torch.arange(self.n_chunks)
        start, stop, padded = shard.rows(self.n_rows)
        segments: list[tuple[int, int, int]] = []
        pos = 0
        while pos < stop:  # walk the (wrapped) chunk sequence until the shard's end
            for i in order.tolist():
                lo_row, hi_row = self._chunk_bounds(i)
                size = hi_row - lo_row
                a, b = max(start - pos, 0), min(stop - pos, size)
                if a < b:
                    segments.append((i, a, b))
                pos += size
                if pos >= stop:
                    break
        return segments

    def batches(self, batch_size: int, generator: torch.Generator | None = None, shard: Shard = ONE_PROCESS) -> Iterator[Batch]:
        generator = generator if self.shuffle else None
        pending: list[Arrays] = []
        n_pending = 0
        carry: Arrays | None = None
        for i, lo, hi in self._segments(generator, shard):
            pending.append(self.read(i, lo, hi))
            n_pending += hi - lo
            if n_pending >= self.buffer_rows:
                carry = yield from self._drain(pending, carry, batch_size, generator)
                pending, n_pending = [], 0
        carry = yield from self._drain(pending, carry, batch_size, generator)
        if carry is not None and len(carry["index"]):
            yield _to_tensors(carry)

    @staticmethod
    def _drain(
        pending: list[Arrays], carry: Arrays | None, batch_size: int, generator: torch.Generator | None
    ) -> Generator[Batch, None, Arrays | None]:
        """Yield full batches from ``carry`` + the shuffled buffer ``pending``; return the remainder."""
        parts = ([carry] if carry is not None else []) + pending
        if not parts:
            return carry
        block = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
        if generator is not None:
            perm = torch.randperm(len(block["index"]), generator=generator).numpy()
            block = {k: v[perm] for k, v in block.items()}
        n_full = len(block["index"]) // batch_size * batch_size
        for s in range(0, n_full, batch_size):
            yield _to_tensors({k: v[s : s + batch_size] for k, v in block.items()})
        return {k: v[n_full:] for k, v in block.items()}


def _not_float32_finite(values: np.ndarray) -> np.ndarray | None:
    """Mask of the values that are NaN, infinite or beyond float32's range; None when there are none (or not floats)."""
    if values.dtype.kind != "f":
        return None
    ok = np.isfinite(values) if values.dtype.itemsize <= 4 else np.abs(values) <= _FLOAT32_MAX
    return None if ok.all() else ~ok


def _bad_value_problem(value: float) -> tuple[str, str]:
    """What is wrong with a value :func:`_not_float32_finite` flagged, and the fix."""
    if np.isnan(value) or np.isinf(value):
        kind = "a missing (NaN) value" if np.isnan(value) else f"an infinite value ({value})"
        return kind, "impute or drop the rows with missing or infinite values"
    return f"a value too large for float32 ({value:.6g})", "rescale the column (e.g. divide by a constant or take a logarithm)"


def _not_binary_problem(value: float) -> tuple[str, str]:
    """What is wrong with a label value other than 0 and 1, and the fix."""
    return f"a label value of {value:g} (labels are 0 or 1)", "write 1 for the labels an item has and 0 for the others"


def _to_tensors(arrays: Arrays) -> Batch:
    return {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in arrays.items()}


def _array_or_file(value: str | Path | np.ndarray | _NpyFile) -> np.ndarray | _NpyFile:
    """An array in memory as it is; a path or a memory-mapped array as the :class:`_NpyFile` that reads it."""
    if isinstance(value, _NpyFile) or (isinstance(value, np.ndarray) and not isinstance(value, np.memmap)):
        return value
    return _NpyFile.open(value)


def _pread_into(fd: int, out: np.ndarray, offset: int) -> None:
    view = out.data.cast("B")
    done = 0
    while done < len(view):
        n = os.preadv(fd, [view[done:]], offset + done)
        if n <= 0:
            raise InputError(f"unexpected end of file while reading {len(view)} bytes at offset {offset}")
        done += n


def _check_numeric(dtype: np.dtype, what: str, fix: str) -> None:
    """Streaming reads numbers (bool, int, float); ``what`` holding text or Python objects is refused with ``fix``."""
    if dtype.kind not in "biuf":
        held = "Python objects, which streaming never loads" if dtype.hasobject else f"values of dtype {dtype}, not numbers"
        raise InputError(f"{what} holds {held}; save it as numbers (e.g. {fix})")


class _NpyFile:
    """Row reads from one ``.npy`` array stored at ``offset`` in a file, without mapping it.

    A C-ordered array is read a block of rows at a time; a Fortran-ordered one (``fortran``,
    e.g. saved from ``df.to_numpy()``), whose first axis is contiguous, one column at a time.
    """

    def __init__(
        self, path: str, offset: int, dtype: np.dtype, shape: tuple[int, ...], fortran: bool = False, member: str | None = None
    ) -> None:
        if len(shape) < 1:
            raise InputError(f"{path}: a 0-d array cannot be read in rows; save one row per sample")
        self.path, self.offset, self.dtype, self.shape = path, int(offset), np.dtype(dtype), tuple(shape)
        self.fortran = bool(fortran)
        self.member = member  # the array's name inside an .npz, for messages
        self.row_bytes = int(self.dtype.itemsize * np.prod(self.shape[1:], dtype=np.int64))

    @classmethod
    def open(cls, array: str | Path | np.memmap) -> _NpyFile:
        """A ``.npy`` path or an ``np.load(path, mmap_mode="r")`` array."""
        try:
            mm = array if isinstance(array, np.memmap) else np.load(array, mmap_mode="r")
        except (OSError, ValueError) as exc:
            raise InputError(f"{array!r} could not be opened as a .npy file ({exc})") from None
        if not isinstance(mm, np.memmap) or mm.filename is None:
            raise InputError(f"{array!r} is not a .npy file or a memory-mapped array; save it with np.save")
        if not isinstance(mm.base, mmap.mmap):  # a view keeps the file offset of the array it was taken from
            raise InputError(
                f"{mm.filename}: the array of shape {mm.shape} is a slice or view of a memory-mapped array, whose rows "
                "cannot be located in the file; pass the array np.load(path, mmap_mode='r') returns, or the path"
            )
        return cls(mm.filename, mm.offset, mm.dtype, mm.shape, fortran=not mm.flags.c_contiguous)

    def check_numeric(self) -> None:
        """Streaming reads numbers (bool, int, float): refuse text or Python objects, naming the array and the fix."""
        if self.member is None:
            _check_numeric(self.dtype, f"{self.path}: the array", "np.save(path, np.asarray(a, dtype=np.float32))")
        else:
            fix = f"np.savez(path, {self.member}=np.asarray({self.member}, dtype=np.float32))"
            _check_numeric(self.dtype, f"{self.path}: array {self.member!r}", fix)

    def read(self, start: int, stop: int) -> np.ndarray:
        """Rows ``start:stop`` as a C-ordered array."""
        fd = os.open(self.path, os.O_RDONLY)
        try:
            return self._read_columns(fd, start, stop) if self.fortran else self._read_rows(fd, start, stop)
        finally:
            os.close(fd)

    def _read_rows(self, fd: int, start: int, stop: int) -> np.ndarray:
        out = np.empty((stop - start, *self.shape[1:]), dtype=self.dtype)
        _pread_into(fd, out, self.offset + start * self.row_bytes)
        return out

    def _read_columns(self, fd: int, start: int, stop: int) -> np.ndarray:
        """Rows of a Fortran-ordered array: one read per column (index of the axes after the first, in Fortran order)."""
        n_columns = int(np.prod(self.shape[1:], dtype=np.int64))
        columns = np.empty((n_columns, stop - start), dtype=self.dtype)
        for k in range(n_columns):
            _pread_into(fd, columns[k], self.offset + (k * self.shape[0] + start) * self.dtype.itemsize)
        return np.ascontiguousarray(columns.T.reshape((stop - start, *self.shape[1:]), order="F"))


def npz_arrays(path: str | Path) -> dict[str, _NpyFile]:
    """The arrays of an uncompressed ``.npz`` (``np.savez``), C- or Fortran-ordered, as row-readable files, without loading them."""
    import zipfile

    out: dict[str, _NpyFile] = {}
    with zipfile.ZipFile(path) as zf, open(path, "rb") as fh:
        for info in zf.infolist():
            if not info.filename.endswith(".npy"):
                continue
            if info.compress_type != zipfile.ZIP_STORED:
                raise InputError(f"{path}: {info.filename} is compressed; streaming needs np.savez, not np.savez_compressed")
            fh.seek(info.header_offset + 26)
            name_len, extra_len = np.frombuffer(fh.read(4), dtype="<u2")
            fh.seek(info.header_offset + 30 + int(name_len) + int(extra_len))
            version = np.lib.format.read_magic(fh)
            read_header = np.lib.format.read_array_header_1_0 if version == (1, 0) else np.lib.format.read_array_header_2_0
            shape, fortran, dtype = read_header(fh)
            name = info.filename[: -len(".npy")]
            out[name] = _NpyFile(str(path), fh.tell(), dtype, shape, fortran, member=name)
    return out


class MemmapSource(ChunkedSource):
    """Arrays in ``.npy`` files (paths or ``np.load(path, mmap_mode="r")`` arrays), read in blocks of ``chunk_rows`` rows.

    ``arrays`` maps batch keys to files, e.g. ``{"x": "X.npy", "y": "Y.npy"}``,
    or to members of an uncompressed ``.npz`` (:func:`npz_arrays`); small
    in-memory arrays (NumPy) are accepted too and sliced directly.
    Memory: about ``buffer_rows + chunk_rows`` transformed rows.
    """

    def __init__(
        self,
        arrays: Mapping[str, str | Path | np.ndarray | _NpyFile],
        transform: Transform | None = None,
        chunk_rows: int = 65_536,
        buffer_rows: int = 262_144,
        shuffle: bool = True,
        binary: Sequence[str] = (),
    ) -> None:
        super().__init__(transform, buffer_rows, shuffle, binary)
        self.files = {k: _array_or_file(v) for k, v in arrays.items()}
        for key, f in self.files.items():
            if isinstance(f, _NpyFile):
                f.check_numeric()
            else:
                _check_numeric(f.dtype, f"the in-memory array {key!r}", f"np.asarray({key}, dtype=np.float32)")
        lengths = {k: v.shape[0] for k, v in self.files.items()}
        if len(set(lengths.values())) != 1:
            raise InputError(f"arrays have different numbers of rows: {lengths}; give one row per sample in each")
        self._n = next(iter(lengths.values()))
        if int(chunk_rows) < 1 or self._n < 1:
            raise InputError(f"need chunk_rows ≥ 1 and at least one row, got chunk_rows={chunk_rows} and {self._n} rows")
        self._chunk_starts = np.arange(0, self._n, int(chunk_rows), dtype=np.int64)

    @property
    def n_rows(self) -> int:
        return self._n

    def _read_chunk(self, i: int) -> Arrays:
        start, stop = self._chunk_bounds(i)
        return {k: f[start:stop].copy() if isinstance(f, np.ndarray) else f.read(start, stop) for k, f in self.files.items()}

    def _column_name(self, key: str, j: int) -> str:
        f = self.files[key]
        return f"{f.path if isinstance(f, _NpyFile) else 'an in-memory array'}: column {j} of {key!r}"


class ParquetSource(ChunkedSource):
    """A Parquet file read one row group at a time (write it with ``row_group_size`` ≈ 10⁴–10⁵ rows).

    ``columns`` maps batch keys to the columns stacked, as float32, into that
    key's matrix (a wider column is range-checked before the cast), e.g. ``{"x": feature_columns, "y": label_columns}``.
    Memory: about ``buffer_rows`` rows plus one row group.
    """

    def __init__(
        self,
        path: str | Path,
        columns: Mapping[str, Sequence[str]],
        transform: Transform | None = None,
        buffer_rows: int = 262_144,
        shuffle: bool = True,
        binary: Sequence[str] = (),
    ) -> None:
        import pyarrow.parquet as pq

        super().__init__(transform, buffer_rows, shuffle, binary)
        self.path = str(path)
        self.file = pq.ParquetFile(self.path)
        names = set(self.file.schema_arrow.names)
        missing = sorted({c for cols in columns.values() for c in cols} - names)
        if missing:
            raise InputError(f"{self.path}: columns {missing} not found; available: {sorted(names)[:20]}")
        self.columns = {k: list(v) for k, v in columns.items()}
        sizes = [self.file.metadata.row_group(i).num_rows for i in range(self.file.num_row_groups)]
        self._n = int(sum(sizes))
        if self._n < 1:
            raise InputError(f"{self.path} has no rows")
        self._chunk_starts = np.concatenate([[0], np.cumsum(sizes)[:-1]]).astype(np.int64)

    @property
    def n_rows(self) -> int:
        return self._n

    def _read_chunk(self, i: int) -> Arrays:
        wanted = sorted({c for cols in self.columns.values() for c in cols})
        table = self.file.read_row_group(i, columns=wanted)
        return {key: np.stack([_column_values(table.column(c)) for c in cols], axis=1) for key, cols in self.columns.items()}

    def _checked_chunk(self, i: int) -> Arrays:
        """The values checked at their columns' own precision, then float32, as the batches hold them."""
        return {key: values.astype(np.float32, copy=False) for key, values in super()._checked_chunk(i).items()}

    def _column_name(self, key: str, j: int) -> str:
        return f"{self.path}: column {self.columns[key][j]!r}"


def _column_values(column: pa.ChunkedArray) -> np.ndarray:
    """A Parquet column as float32, or as float64 when its type can hold values beyond float32's range
    (float64, decimal), so that the chunk check refuses such a value as too large instead of seeing the
    infinity a cast would make of it."""
    import pyarrow as pa

    wide = pa.types.is_float64(column.type) or pa.types.is_decimal(column.type)
    return column.to_numpy(zero_copy_only=False).astype(np.float64 if wide else np.float32, copy=False)


def as_source(data: Mapping[str, torch.Tensor] | BatchSource, device: torch.device, shuffle: bool = True) -> BatchSource:
    """A dict of tensors → :class:`TensorSource` on ``device``; a source is returned unchanged."""
    if isinstance(data, TensorSource):
        return data.to(device)
    if isinstance(data, Mapping):
        return TensorSource(data, shuffle).to(device)
    if isinstance(data, BatchSource):
        return data
    raise InputError(f"training data must be a dict of tensors or a BatchSource, got {type(data).__name__}")


def open_table_source(
    path: str | Path,
    *,
    features: Sequence[str] | None = None,
    feature_prefix: str | None = None,
    label_columns: Sequence[str] | None = None,
    label_prefix: str | None = None,
    id_column: str | None = None,
) -> tuple[ChunkedSource, list[str], list[str]]:
    """A streaming source (``"x"``: features, ``"y"``: 0/1 labels) over a Parquet file or an uncompressed ``.npz``.

    Parquet: labels are the 0/1 columns ``label_columns`` (or those starting
    with ``label_prefix``); features the named columns, those starting with
    ``feature_prefix``, or every other numeric column. ``.npz``: arrays ``X``
    and ``Y`` (and optional ``label_names``). Returns ``(source, feature_names, label_names)``.
    """
    p = Path(path)
    if not p.is_file():
        raise InputError(f"File not found: {str(p)!r}; check the path")
    suffix = p.suffix.lower()
    if suffix == ".npz":
        return _npz_source(p, features, feature_prefix, id_column)
    if suffix not in (".parquet", ".pq"):
        raise InputError(f"{p}: streaming reads .parquet files or uncompressed .npz archives (X and Y), not {suffix or 'this file'}")
    return _parquet_source(p, features, feature_prefix, label_columns, label_prefix, id_column)


def _npz_source(p: Path, features: Sequence[str] | None, feature_prefix: str | None, id_column: str | None) -> tuple[ChunkedSource, list[str], list[str]]:
    import zipfile

    for option, value in (("feature names", features), ("a feature prefix", feature_prefix)):
        if value is not None:
            raise InputError(f"{p}: streaming an .npz takes every column of X as a feature, so {option} cannot be given; save only the features in X")
    try:
        arrays = npz_arrays(p)
        with np.load(p) as npz:
            names_given = [str(v) for v in npz["label_names"]] if "label_names" in npz.files else None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise InputError(f"{p} could not be read as an .npz archive ({exc}); the file is corrupt, truncated or not np.savez output") from None
    if "X" not in arrays or "Y" not in arrays or len(arrays["X"].shape) != 2 or len(arrays["Y"].shape) != 2:
        raise InputError(f"{p}: streaming needs 2-D arrays 'X' and 'Y' (np.savez(path, X=X, Y=Y)); found {sorted(arrays)}")
    if id_column is not None and (id_column in ("X", "Y") or id_column not in arrays or arrays[id_column].shape != arrays["X"].shape[:1]):
        raise InputError(f"{p}: no 1-D array {id_column!r} with one id per row of X for the ids (arrays: {sorted(arrays)})")
    n_labels = arrays["Y"].shape[1]
    if names_given is not None and len(names_given) != n_labels:
        raise InputError(f"{p}: label_names holds {len(names_given)} names but Y has {n_labels} columns; give one name per column of Y")
    label_names = names_given if names_given is not None else [str(j) for j in range(n_labels)]
    names = [f"x{j}" for j in range(arrays["X"].shape[1])]
    return MemmapSource({"x": arrays["X"], "y": arrays["Y"]}, binary=("y",)), names, label_names


def _parquet_source(
    p: Path, features: Sequence[str] | None, feature_prefix: str | None, label_columns: Sequence[str] | None,
    label_prefix: str | None, id_column: str | None,
) -> tuple[ChunkedSource, list[str], list[str]]:
    """The Parquet columns' roles, checked as :func:`~weaklabel.data.readers.read_table` checks them in memory."""
    import pandas as pd
    import pyarrow as pa

    from ._columns import named_columns, select_features
    from ._files import parquet_schema

    schema = parquet_schema(p)
    columns = pd.DataFrame(columns=schema.names)  # the names only: every check below is of names
    where = str(p)
    reserved: dict[str, str] = {}
    if id_column is not None:
        named_columns(columns, id_column, "id", "name the id column", where)
        reserved[id_column] = "id column"
    if label_columns is not None:
        labels = named_columns(columns, label_columns, "label", "name at least one 0/1 column", where)
    elif label_prefix:
        labels = [c for c in schema.names if c.startswith(label_prefix) and c not in reserved]
        if not labels:
            raise InputError(f"{p}: no column starts with the label prefix {label_prefix!r}; give the prefix of the 0/1 label columns (columns: {schema.names[:20]})")
    else:
        raise InputError(f"{p}: streaming reads 0/1 label columns; name them with --label-columns or --label-prefix")
    for name in labels:
        if name in reserved:
            raise InputError(f"column {name!r} cannot be both the {reserved[name]} and a label column")
        reserved[name] = "label column"
    numeric = {f.name for f in schema if pa.types.is_integer(f.type) or pa.types.is_floating(f.type) or pa.types.is_decimal(f.type) or pa.types.is_boolean(f.type)}
    if features is not None or feature_prefix is not None:
        names, _ = select_features(columns, where, features, feature_prefix, reserved)
    else:  # every numeric column but an unnamed pandas index, which the in-memory reader leaves out too
        unnamed_index = {n for n in (schema.pandas_metadata or {}).get("index_columns", []) if isinstance(n, str) and n.startswith("__index_level_")}
        names = [name for name in schema.names if name in numeric and name not in reserved and name not in unnamed_index]
    text = [name for name in names if name not in numeric]
    if text:
        raise InputError(
            f"{where}: feature column {text[0]!r} is not numeric ({schema.field(text[0]).type}); "
            "leave it out of the features, or convert it to numbers"
        )
    if not names:
        raise InputError(f"{p}: no feature columns; name them with --features or --feature-prefix")
    return ParquetSource(p, {"x": names, "y": labels}, binary=("y",)), names, labels
