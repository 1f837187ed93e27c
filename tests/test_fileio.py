"""weaklabel.fileio, the one atomic writer: replace or leave alone, never half-written, errors named."""

import errno
import os

import pytest

from weaklabel.exceptions import InputError, ModelFileError
from weaklabel.fileio import replacing_directory, replacing_file, write_bytes, write_errors


def test_a_file_is_replaced_whole_and_no_staging_file_is_left(tmp_path):
    target = tmp_path / "sub" / "out.bin"
    write_bytes(target, b"old", "the file")
    write_bytes(target, b"new", "the file")
    assert target.read_bytes() == b"new" and os.listdir(target.parent) == ["out.bin"]


def test_a_failing_writer_leaves_the_old_file(tmp_path):
    target = tmp_path / "out.txt"
    target.write_text("old")
    with pytest.raises(RuntimeError):
        with replacing_file(target, "the file") as staging:
            staging.write_text("half")
            raise RuntimeError("the writer failed")
    assert target.read_text() == "old" and os.listdir(tmp_path) == ["out.txt"]


def test_a_directory_is_replaced_whole(tmp_path):
    target = tmp_path / "model"
    for content in ("one", "two"):
        with replacing_directory(target, "the model", ModelFileError) as staging:
            (staging / "a.json").write_text(content)
    assert (target / "a.json").read_text() == "two" and os.listdir(tmp_path) == ["model"]


def test_a_directory_that_cannot_be_swapped_in_is_put_back(tmp_path, monkeypatch):
    target = tmp_path / "model"
    target.mkdir()
    (target / "a.json").write_text("old")
    real_replace, calls = os.replace, []

    def second_replace_fails(src, dst):
        calls.append(dst)
        if len(calls) == 2:  # the old folder was moved aside; the new one cannot take its place
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        return real_replace(src, dst)

    monkeypatch.setattr(os, "replace", second_replace_fails)
    with pytest.raises(ModelFileError, match=r"cannot write the model: Invalid cross-device link; choose a folder you can write to"):
        with replacing_directory(target, "the model", ModelFileError) as staging:
            (staging / "a.json").write_text("new")
    assert (target / "a.json").read_text() == "old" and os.listdir(tmp_path) == ["model"]


def test_files_get_the_permissions_the_umask_gives(tmp_path, umask_022):
    write_bytes(tmp_path / "f", b"x", "the file")
    with replacing_directory(tmp_path / "d", "the folder") as staging:
        (staging / "g").write_bytes(b"y")
    assert (tmp_path / "f").stat().st_mode & 0o777 == 0o644
    assert (tmp_path / "d").stat().st_mode & 0o777 == 0o755


def test_an_os_error_becomes_the_projects_error_naming_what_and_why():
    with pytest.raises(InputError, match=r"^cannot write the table x.csv: No space left on device; choose a folder you can write to$"):
        with write_errors(InputError, "the table x.csv"):
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
