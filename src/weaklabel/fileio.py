"""Writing files safely: every file or folder weaklabel writes goes through here.

One rule for models, checkpoints, tables, figures and reports: the content is written to a staging
entry *in the target's own folder* (so the final rename never crosses a file system), flushed to disk
(``fsync``), renamed over the target, and the folder's entry flushed too. A reader therefore sees the
old file or the new one, never half of one, and a crash leaves at most a hidden staging entry
(``.<name>.<random>.tmp`` or ``.<name>.saving-<random>``) that the next write does not mistake for the target.

- :func:`replacing_file` and :func:`write_bytes`: one file.
- :func:`replacing_directory`: a folder written as a whole (a saved model); an existing folder is moved
  aside, replaced, then removed (and put back if the replacement fails).
- :func:`write_errors`: an ``OSError`` (no such folder, no permission, a full disk) becomes the project's
  error naming what could not be written and the OS's reason; both writers above apply it.

Staging entries are made by a plain ``os.open``/``os.mkdir``, so the process's umask sets their
permissions as for any file the user creates (``mkstemp``/``mkdtemp`` would make them private, and
reading the umask to correct that means setting it, for every thread of the process).
"""

from __future__ import annotations

import os
import secrets
import shutil
import tempfile
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TypeVar

from .exceptions import InputError

T = TypeVar("T")

__all__ = ["fsync_path", "replacing_directory", "replacing_file", "write_bytes", "write_errors"]


@contextmanager
def write_errors(error: type[Exception], what: str) -> Iterator[None]:
    """An ``OSError`` while writing ``what`` (no such folder, no permission, a full disk) raised as ``error``,
    naming it and the OS's reason, instead of a traceback after the work that produced it."""
    try:
        yield
    except OSError as exc:
        raise error(f"cannot write {what}: {exc.strerror or exc}; choose a folder you can write to") from None


def fsync_path(path: Path) -> None:
    """Flush a file's data, or a folder's entries (a rename inside it), to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _new_entry(parent: Path, prefix: str, suffix: str, create: Callable[[Path], T]) -> tuple[T, Path]:
    """``create(path)`` at a fresh random name ``parent/prefix<hex>suffix``, drawing again on a clash."""
    while True:
        path = parent / f"{prefix}{secrets.token_hex(4)}{suffix}"  # 8 characters, as mkdtemp's: names as long as before
        try:
            return create(path), path
        except FileExistsError:
            continue


def _staging_file(target: Path) -> Path:
    """A new empty file beside ``target``, created as a plain ``open`` creates files (0666 less the umask)."""
    fd, path = _new_entry(target.parent, f".{target.name}.", ".tmp", lambda p: os.open(p, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))
    os.close(fd)
    return path


def _remove(path: Path) -> None:
    """Remove a staging file or folder if it is still there."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        path.unlink(missing_ok=True)


@contextmanager
def replacing_file(target: str | os.PathLike[str], what: str, error: type[Exception] = InputError) -> Iterator[Path]:
    """Yield a staging path beside ``target`` for the caller to write; on leaving the block it replaces ``target``.

    The staging file exists (empty) when the block starts; write it by path (``open(path, "wb")``,
    ``frame.to_csv(path)``). Then it is fsynced, renamed over ``target`` and the folder fsynced. Missing
    parent folders are created. If the block raises, the staging file is removed and ``target`` is left as it
    was. An ``OSError`` anywhere, the block's own included, is raised as ``error`` naming ``what``
    (:func:`write_errors`).
    """
    target = Path(target)
    with write_errors(error, what):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = _staging_file(target)
        try:
            yield staging
            fsync_path(staging)
            os.replace(staging, target)
            fsync_path(target.parent)
        finally:
            _remove(staging)


def write_bytes(target: str | os.PathLike[str], data: bytes, what: str, error: type[Exception] = InputError) -> Path:
    """Write ``data`` to ``target`` through :func:`replacing_file`; returns the path."""
    with replacing_file(target, what, error) as staging:
        staging.write_bytes(data)
    return Path(target)


def _fsync_tree(folder: Path) -> None:
    """fsync every file under ``folder``, then every folder, deepest first."""
    folders = []
    for root, _, files in os.walk(folder):
        folders.append(Path(root))
        for name in files:
            fsync_path(Path(root) / name)
    for path in reversed(folders):
        fsync_path(path)


@contextmanager
def replacing_directory(target: str | os.PathLike[str], what: str, error: type[Exception] = InputError) -> Iterator[Path]:
    """Yield an empty staging folder beside ``target`` for the caller to fill; on leaving the block it replaces ``target``.

    Every file written into it is fsynced, the staging folder is renamed to ``target`` and the parent folder
    fsynced. An existing ``target`` is first moved into a hidden folder beside it, then removed once the new one
    is in place (moved back if the rename fails). Missing parent folders are created. If the block raises,
    the staging folder is removed and ``target`` is left as it was. An ``OSError`` is raised as ``error``
    naming ``what`` (:func:`write_errors`).
    """
    target = Path(target)
    with write_errors(error, what):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = _new_entry(target.parent, f".{target.name}.saving-", "", os.mkdir)[1]
        try:
            yield staging
            _fsync_tree(staging)
            _swap_in(staging, target)
            fsync_path(target.parent)
        finally:
            _remove(staging)


def _swap_in(staging: Path, target: Path) -> None:
    """Rename ``staging`` to ``target``; an existing ``target`` is retired first and removed after (restored on failure)."""
    if not (target.exists() or target.is_symlink()):
        os.replace(staging, target)
        return
    retired = Path(tempfile.mkdtemp(prefix=f".{target.name}.old-", dir=target.parent))
    try:
        os.replace(target, retired / target.name)
        try:
            os.replace(staging, target)
        except BaseException:
            os.replace(retired / target.name, target)
            raise
    finally:
        shutil.rmtree(retired, ignore_errors=True)
