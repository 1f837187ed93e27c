"""Feature names, as in scikit-learn: a DataFrame's string column names are kept at fit (``feature_names_in_``),
checked at prediction (other names or another order are refused, not silently misread) and saved with the model."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
from sklearn.utils.estimator_checks import check_dataframe_column_names_consistency

import weaklabel
from weaklabel import EmbeddingClassifier, MultiLabelClassifier, SelfSupervisedClassifier, SinglePositiveClassifier
from weaklabel.exceptions import InputError

TINY = dict(hidden_sizes=(8,), max_epochs=2, verbose=0, random_state=0)
ESTIMATORS = [
    MultiLabelClassifier(threshold=0.5, **TINY),
    SinglePositiveClassifier(refine_rounds=0, **TINY),
    EmbeddingClassifier(embedding_dim=4, **TINY),
    SelfSupervisedClassifier(n_classes=2, n_heads=2, **TINY),
]


pytestmark = pytest.mark.usefixtures("one_torch_thread")


@pytest.fixture(scope="module")
def frame() -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(0)
    X = pd.DataFrame(rng.normal(size=(80, 4)), columns=["age", "height", "income", "weight"])
    Y = (X.to_numpy()[:, :3] + 0.3 * rng.normal(size=(80, 3)) > 0).astype(np.int64)
    return X, Y


@pytest.fixture(scope="module")
def model(frame) -> MultiLabelClassifier:
    X, Y = frame
    return MultiLabelClassifier(threshold=0.5, **TINY).fit(X, Y)


@pytest.mark.parametrize("estimator", ESTIMATORS, ids=lambda est: type(est).__name__)
def test_sklearn_column_names_check(estimator) -> None:
    """scikit-learn's own check: names kept at fit, every method refuses reordered, unseen and missing columns."""
    check_dataframe_column_names_consistency(type(estimator).__name__, estimator)


def test_reordered_columns_are_refused(model, frame) -> None:
    X, _ = frame
    with pytest.raises(InputError, match=r"must be in the same order(.|\n)*X\[model.feature_names_in_\]") as info:
        model.predict_proba(X[X.columns[::-1]])
    assert isinstance(info.value, ValueError)  # as scikit-learn raises
    np.testing.assert_array_equal(model.predict_proba(X[X.columns[::-1]][model.feature_names_in_]), model.predict_proba(X))


def test_renamed_and_missing_columns_are_named(model, frame) -> None:
    X, _ = frame
    renamed = X.rename(columns={"income": "salary"})
    with pytest.raises(InputError, match="unseen at fit time:\n- salary\n(.|\n)*yet now missing:\n- income\n"):
        model.predict(renamed)


def test_array_after_frame_fit_warns_and_predicts(model, frame) -> None:
    X, _ = frame
    with pytest.warns(UserWarning, match="X does not have valid feature names, but MultiLabelClassifier was fitted with"):
        proba = model.predict_proba(X.to_numpy())
    np.testing.assert_array_equal(proba, model.predict_proba(X))


def test_frame_after_array_fit_warns(frame) -> None:
    X, Y = frame
    model = MultiLabelClassifier(threshold=0.5, **TINY).fit(X.to_numpy(), Y)
    assert not hasattr(model, "feature_names_in_")
    with pytest.warns(UserWarning, match="X has feature names, but MultiLabelClassifier was fitted without"):
        model.predict_proba(X)


def test_refit_on_array_drops_feature_names(frame) -> None:
    X, Y = frame
    model = MultiLabelClassifier(threshold=0.5, **TINY).fit(X, Y)
    assert list(model.feature_names_in_) == list(X.columns)
    assert not hasattr(model.fit(X.to_numpy(), Y), "feature_names_in_")


def test_non_string_column_names_are_not_feature_names(frame) -> None:
    X, Y = frame
    model = MultiLabelClassifier(threshold=0.5, **TINY).fit(pd.DataFrame(X.to_numpy()), Y)
    assert not hasattr(model, "feature_names_in_")
    with pytest.raises(TypeError, match=r"mix types \['int', 'str'\](.|\n)*X.columns.astype\(str\)"):
        MultiLabelClassifier(**TINY).fit(X.set_axis(["age", 1, 2, 3], axis=1), Y)


def test_save_load_keeps_feature_names(model, frame, tmp_path) -> None:
    X, _ = frame
    model.save(tmp_path / "model")
    loaded = weaklabel.load(tmp_path / "model")
    assert loaded.feature_names_in_.dtype == object and list(loaded.feature_names_in_) == list(X.columns)
    with pytest.raises(InputError, match="same order"):
        loaded.predict_proba(X[X.columns[::-1]])


def test_model_saved_before_feature_names_loads(model, frame, tmp_path, monkeypatch) -> None:
    """A model directory from before feature names were saved has no ``feature_names_in`` entry."""
    X, _ = frame
    state = MultiLabelClassifier._get_model_state

    def old_format(self):
        config, tensors = state(self)
        del config["feature_names_in"]
        return config, tensors

    monkeypatch.setattr(MultiLabelClassifier, "_get_model_state", old_format)
    model.save(tmp_path / "old")
    monkeypatch.undo()
    loaded = weaklabel.load(tmp_path / "old")
    assert not hasattr(loaded, "feature_names_in_")
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(loaded.predict_proba(X.to_numpy()), model.predict_proba(X))
