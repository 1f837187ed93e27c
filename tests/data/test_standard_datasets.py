"""The standard multi-label sets shipped as package data: shapes, splits, checksums, errors, one public place."""

import tomllib
from pathlib import Path

import numpy as np
import pytest

import weaklabel.datasets as datasets
from weaklabel.datasets import list_datasets, load_multilabel, load_scene, load_yeast
from weaklabel.exceptions import InputError

# n, d, L, labels per item (the README's table), rows of the train part
SHAPES = {
    "yeast": (2417, 103, 14, 4.24, 1500),
    "scene": (2407, 294, 6, 1.07, 1211),
    "emotions": (593, 72, 6, 1.87, 474),
    "bibtex": (7395, 1836, 159, 2.40, 5916),
    "tmc2007": (28596, 500, 22, 2.22, 22877),
}


@pytest.mark.parametrize("name", list(SHAPES))
def test_each_set_has_its_published_shape_and_a_train_test_split(name):
    n, d, n_labels, cardinality, n_train = SHAPES[name]
    data = load_multilabel(name)
    assert data.X.shape == (n, d) and data.Y.shape == (n, n_labels) and data.X.dtype == np.float32
    assert set(np.unique(data.Y)) <= {0.0, 1.0} and np.isfinite(data.X).all()
    assert round(float(data.Y.sum(axis=1).mean()), 2) == cardinality
    assert len(data.label_names) == n_labels and len(data.feature_names) == d and data.feature_names[0] == "x0"
    X_train, X_test, Y_train, Y_test = data.train_test()
    assert len(X_train) == n_train and len(X_test) == n - n_train and len(Y_train) == n_train
    assert data.citation and name in data.description


def test_yeast_and_scene_keep_the_source_split_the_others_a_seeded_one():
    assert load_yeast().split_origin == "source" and load_scene().split_origin == "source"
    emotions = load_multilabel("emotions")
    assert emotions.split_origin.startswith("seeded 80/20")
    again = load_multilabel("emotions")
    np.testing.assert_array_equal(emotions.split, again.split)  # fixed, not drawn per call
    assert (emotions.split == "test").sum() == round(0.2 * 593)


def test_subsets_are_the_rows_of_each_part():
    data = load_yeast()
    train, test = load_yeast("train"), load_multilabel("yeast", subset="test")
    np.testing.assert_array_equal(train.X, data.X[data.split == "train"])
    np.testing.assert_array_equal(test.Y, data.Y[data.split == "test"])
    assert (train.split == "train").all() and train.label_names == data.label_names


def test_an_unknown_name_or_subset_is_one_line_naming_the_choices():
    with pytest.raises(InputError, match=r"^unknown data set 'yeasts'; available: yeast, scene, emotions, bibtex, tmc2007$"):
        load_multilabel("yeasts")
    with pytest.raises(InputError, match="unknown subset 'validation'; choose one of all, train, test"):
        load_yeast("validation")


def test_a_damaged_file_is_refused_naming_the_set_and_the_fix(tmp_path, monkeypatch):
    damaged = tmp_path / "scene.npz"
    content = bytearray(datasets.dataset_path("scene").read_bytes())
    content[len(content) // 2] ^= 0xFF
    damaged.write_bytes(bytes(content))
    monkeypatch.setattr(datasets._standard, "dataset_path", lambda name: damaged)
    with pytest.raises(InputError) as error:
        load_scene()
    message = str(error.value)
    assert "data set 'scene' is damaged" in message and "reinstall weaklabel" in message and "\n" not in message
    monkeypatch.setattr(datasets._standard, "dataset_path", lambda name: tmp_path / "missing.npz")
    with pytest.raises(InputError, match="data set 'scene' cannot be read .* reinstall weaklabel"):
        load_scene()


def test_every_shipped_file_is_package_data_with_its_provenance():
    root = Path(datasets.__file__).parent
    files = sorted(p.name for p in (root / "files").iterdir())
    assert files == sorted([f"{name}.npz" for name in list_datasets()] + ["README.md"])
    pyproject = tomllib.loads((root.parents[2] / "pyproject.toml").read_text())
    assert pyproject["tool"]["setuptools"]["package-data"]["weaklabel"] == ["py.typed", "datasets/files/*.npz", "datasets/files/README.md"]
    readme = (root / "files" / "README.md").read_text()
    assert all(citation in readme for citation in ("Elisseeff", "Boutell", "Trohidis", "Katakis", "Srivastava"))


def test_all_built_in_data_is_in_one_public_place_and_the_old_paths_still_work():
    from weaklabel.data import load_movies, make_sparse_multilabel
    from weaklabel.data.multidigits import make_multidigits

    assert datasets.load_movies is load_movies and datasets.make_sparse_multilabel is make_sparse_multilabel
    assert datasets.make_multidigits is make_multidigits
    assert isinstance(load_yeast(), datasets.Dataset)
