import json

import numpy as np
import pytest
import torch

import weaklabel
from weaklabel import MultiLabelClassifier
from weaklabel.exceptions import InputError, ModelFileError


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 5)).astype(np.float32)
    y = [["a", "b"] if x[0] > 0 else ["c"] for x in X]
    return MultiLabelClassifier(hidden_sizes=(16,), max_epochs=3, verbose=0, random_state=0).fit(X, y), X


def test_round_trip_predicts_exactly_the_same(fitted, tmp_path):
    model, X = fitted
    model.save(tmp_path / "m")
    loaded = weaklabel.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    assert loaded.predict(X[:5]) == model.predict(X[:5])
    assert list(loaded.classes_) == ["a", "b", "c"] and loaded.get_params() == model.get_params()
    assert sorted(p.name for p in (tmp_path / "m").iterdir()) == ["config.json", "manifest.json", "weights.safetensors"]


def _rewrite_config(path, config):
    """Replace ``config.json`` and its checksum in the manifest (an edit that passes the integrity check)."""
    import hashlib

    (path / "config.json").write_text(json.dumps(config))
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["files"]["config.json"] = hashlib.sha256((path / "config.json").read_bytes()).hexdigest()
    (path / "manifest.json").write_text(json.dumps(manifest))


def test_a_randomstate_random_state_is_saved_as_its_state(fitted, tmp_path):
    """The docstrings accept a RandomState: it is saved as its Mersenne Twister state, so a refit of the loaded
    model draws the same seed as a refit of the original would."""
    _, X = fitted
    y = (X[:, 0] > 0).astype(int)
    model = MultiLabelClassifier(hidden_sizes=(8,), max_epochs=2, verbose=0, random_state=np.random.RandomState(7)).fit(X, y)
    model.save(tmp_path / "m")
    loaded = weaklabel.load(tmp_path / "m")
    np.testing.assert_array_equal(loaded.predict_proba(X), model.predict_proba(X))
    saved, original = loaded.get_params()["random_state"].get_state(), model.random_state.get_state()
    assert saved[0] == original[0] and np.array_equal(saved[1], original[1]) and saved[2:] == original[2:]
    np.testing.assert_array_equal(loaded.fit(X, y).predict_proba(X), model.fit(X, y).predict_proba(X))


def test_a_corrupt_saved_randomstate_is_a_model_file_error(fitted, tmp_path):
    _, X = fitted
    MultiLabelClassifier(hidden_sizes=(8,), max_epochs=1, verbose=0, random_state=np.random.RandomState(7)).fit(X, X[:, 0] > 0).save(tmp_path / "m")
    config = json.loads((tmp_path / "m" / "config.json").read_text())
    config["params"]["random_state"]["numpy.random.RandomState"]["keys"] = [1, 2, 3]
    _rewrite_config(tmp_path / "m", config)
    with pytest.raises(ModelFileError, match=r"^config.json's random_state is not a valid RandomState state .*: the model directory is damaged$"):
        weaklabel.load(tmp_path / "m")


def test_a_randomstate_of_another_bit_generator_is_refused_at_save_with_the_fix(fitted, tmp_path):
    _, X = fitted
    model = MultiLabelClassifier(hidden_sizes=(8,), max_epochs=1, verbose=0, random_state=np.random.RandomState(np.random.PCG64(0)))
    with pytest.raises(InputError, match=r"random_state RandomState\(PCG64\) cannot be saved; pass an integer seed or RandomState\(seed\)"):
        model.fit(X, X[:, 0] > 0).save(tmp_path / "m")


def test_a_saved_model_folder_gets_the_permissions_the_umask_gives(fitted, tmp_path, umask_022):
    model, _ = fitted
    model.save(tmp_path / "m")
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o755  # not mkdtemp's 0700
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "m").iterdir()} == {0o644}


def test_writing_a_model_report_figure_or_table_never_sets_the_process_umask(fitted, tmp_path, monkeypatch):
    """The umask is the whole process's: set, even for an instant to read it, files that another thread creates
    meanwhile get the wrong permissions (0644 under a user's 077)."""
    import os

    import pandas as pd
    from matplotlib.figure import Figure

    from weaklabel.data.readers import write_table
    from weaklabel.report import Report

    calls = []
    monkeypatch.setattr(os, "umask", lambda mask: calls.append(mask))
    fitted[0].save(tmp_path / "m")
    fig = Figure()
    fig.add_subplot().plot([0, 1])
    report = Report("r")
    report.figure(fig, "line", "a line")
    report.write(tmp_path / "report")
    write_table(pd.DataFrame({"a": [1]}), tmp_path / "t.csv")
    assert calls == []


def test_under_a_private_umask_a_saved_model_stays_private(fitted, tmp_path):
    import os

    old = os.umask(0o077)
    try:
        fitted[0].save(tmp_path / "m")
    finally:
        os.umask(old)
    assert (tmp_path / "m").stat().st_mode & 0o777 == 0o700
    assert {p.stat().st_mode & 0o777 for p in (tmp_path / "m").iterdir()} == {0o600}


def test_a_model_name_near_the_file_name_limit_saves(fitted, tmp_path):
    """The staging name adds '.', '.saving-' and 8 random characters, as mkdtemp's did (12 had refused names of
    236 characters: 'File name too long' after the training)."""
    name = "m" * 236
    fitted[0].save(tmp_path / name)
    assert weaklabel.load(tmp_path / name) is not None


def test_a_model_report_or_figure_that_cannot_be_written_is_a_clear_error(fitted, tmp_path, monkeypatch):
    """A full disk (or a folder without write permission) was a raw OSError traceback, after the training."""
    import errno
    import os

    from matplotlib.figure import Figure

    from weaklabel.plots import save_figure
    from weaklabel.report import Report

    def full_disk(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "mkdir", full_disk)
    with pytest.raises(ModelFileError, match=r"cannot write the model to .*m: No space left on device; choose a folder you can write to"):
        fitted[0].save(tmp_path / "m")
    with pytest.raises(InputError, match=r"cannot write the report to .*r: No space left on device"):
        Report("r").write(tmp_path / "r")
    monkeypatch.setattr(os, "open", full_disk)
    with pytest.raises(InputError, match=r"cannot write the figure .*f.png: No space left on device"):
        save_figure(Figure(), tmp_path / "f.png")
    assert list(tmp_path.iterdir()) == []


def test_save_overwrites_a_previous_model(fitted, tmp_path):
    model, _ = fitted
    model.save(tmp_path / "m")
    model.save(tmp_path / "m")
    assert weaklabel.load(tmp_path / "m") is not None
    assert [p.name for p in tmp_path.iterdir()] == ["m"]  # no staging left behind


def test_refuses_to_overwrite_unrelated_directory(fitted, tmp_path):
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "precious.csv").write_text("x")
    with pytest.raises(ModelFileError, match="not a weaklabel model"):
        fitted[0].save(tmp_path / "data")


def _saved(fitted, tmp_path):
    fitted[0].save(tmp_path / "m")
    return tmp_path / "m"


def test_missing_directory(tmp_path):
    with pytest.raises(ModelFileError, match="does not exist"):
        weaklabel.load(tmp_path / "nope")


def test_incomplete_directory(fitted, tmp_path):
    path = _saved(fitted, tmp_path)
    (path / "manifest.json").unlink()
    with pytest.raises(ModelFileError, match="manifest.json is missing"):
        weaklabel.load(path)


def test_tampered_weights(fitted, tmp_path):
    path = _saved(fitted, tmp_path)
    data = bytearray((path / "weights.safetensors").read_bytes())
    data[-1] ^= 0xFF
    (path / "weights.safetensors").write_bytes(bytes(data))
    with pytest.raises(ModelFileError, match="checksum"):
        weaklabel.load(path)


def test_truncated_config(fitted, tmp_path):
    path = _saved(fitted, tmp_path)
    (path / "config.json").write_bytes((path / "config.json").read_bytes()[:20])
    with pytest.raises(ModelFileError, match="checksum"):
        weaklabel.load(path)


def test_unlisted_file_such_as_a_pickle(fitted, tmp_path):
    path = _saved(fitted, tmp_path)
    (path / "extra.pkl").write_bytes(b"\x80\x04")
    with pytest.raises(ModelFileError, match="does not list"):
        weaklabel.load(path)


def test_newer_format_version(fitted, tmp_path):
    path = _saved(fitted, tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["format_version"] = 99
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="upgrade weaklabel"):
        weaklabel.load(path)


def test_unknown_estimator_class_is_not_imported(fitted, tmp_path):
    path = _saved(fitted, tmp_path)
    manifest = json.loads((path / "manifest.json").read_text())
    manifest["estimator"] = "os.system"
    (path / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="unknown estimator"):
        weaklabel.load(path)


@pytest.mark.skipif(torch.cuda.is_available(), reason="needs a machine without CUDA")
def test_a_model_fitted_for_cuda_predicts_on_the_cpu_when_loaded_with_device_cpu(fitted, tmp_path):
    model, X = fitted
    model.save(tmp_path / "m")
    cuda_model = weaklabel.load(tmp_path / "m").set_params(device="cuda")
    cuda_model.save(tmp_path / "cuda")
    with pytest.raises(InputError, match=r"needs CUDA.*weaklabel\.load\(path, device='cpu'\), or --device cpu"):
        weaklabel.load(tmp_path / "cuda").predict_proba(X)
    on_cpu = weaklabel.load(tmp_path / "cuda", device="cpu")
    assert on_cpu.get_params()["device"] == "cpu"
    np.testing.assert_array_equal(on_cpu.predict_proba(X), model.predict_proba(X))
    with pytest.raises(InputError, match="device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got 'tpu'"):
        weaklabel.load(tmp_path / "m", device="tpu")
