"""The shared hyper-parameter checks of every estimator: a bad value is an InputError that says what is valid."""

import re

import numpy as np
import pytest
import torch
from sklearn.exceptions import NotFittedError as SklearnNotFittedError
from sklearn.utils.validation import check_is_fitted

from weaklabel import EmbeddingClassifier, MultiLabelClassifier, SelfSupervisedClassifier, SinglePositiveClassifier
from weaklabel.exceptions import InputError, NotFittedError

X = np.random.default_rng(0).normal(size=(40, 3)).astype(np.float32)
FIT_ARGS = {
    MultiLabelClassifier: (X, (X[:, :2] > 0).astype(np.int64)),
    SinglePositiveClassifier: (X, [[int(x[0] > 0)] for x in X]),
    EmbeddingClassifier: (X, (X[:, 0] > 0).astype(np.int64)),
    SelfSupervisedClassifier: (X,),
}
BAD_SHARED = [
    ({"hidden_sizes": 16}, "hidden_sizes must be a sequence of positive integers such as (512, 512)"),
    ({"hidden_sizes": (16.5,)}, "hidden_sizes must be a sequence of positive integers"),
    ({"hidden_sizes": (16, 0)}, "hidden_sizes must be a sequence of positive integers"),
    ({"hidden_sizes": "16"}, "hidden_sizes must be a sequence of positive integers"),
    ({"device": "tpu"}, "device must be 'auto', 'cpu', 'cuda' or 'cuda:N', got 'tpu'"),
    ({"max_epochs": "abc"}, "max_epochs must be an integer ≥ 1, got 'abc'"),
    ({"batch_size": True}, "batch_size must be an integer ≥ 1, got True"),
    ({"learning_rate": "abc"}, "learning_rate must be a number > 0, got 'abc'"),
    ({"dropout": "abc"}, "dropout must be a number in [0, 1), got 'abc'"),
    ({"dropout": 1.0}, "dropout must be a number in [0, 1), got 1.0"),
    ({"validation_fraction": None}, "validation_fraction must be a number in [0, 1), got None"),
    ({"weight_decay": -1}, "weight_decay must be a number ≥ 0, got -1"),
    ({"patience": -1}, "patience must be None (no early stopping) or an integer ≥ 1, got -1"),
    ({"patience": 0}, "patience must be None (no early stopping) or an integer ≥ 1, got 0"),
    ({"random_state": "abc"}, "random_state must be None (a fresh seed), an integer in [0, 2**31) or a numpy RandomState, got 'abc'"),
    ({"random_state": -1}, "random_state must be None (a fresh seed), an integer in [0, 2**31) or a numpy RandomState, got -1"),
    ({"random_state": 5 + 2**31}, "an integer in [0, 2**31) or a numpy RandomState, got 2147483653"),  # was seed 5's model
    ({"verbose": "abc"}, "verbose must be an integer ≥ 0 or a bool (0 or False: silent), got 'abc'"),
    ({"verbose": -1}, "verbose must be an integer ≥ 0 or a bool (0 or False: silent), got -1"),
    ({"verbose": 1.5}, "verbose must be an integer ≥ 0 or a bool (0 or False: silent), got 1.5"),
]


@pytest.mark.parametrize("cls", list(FIT_ARGS), ids=lambda c: c.__name__)
@pytest.mark.parametrize("params, message", BAD_SHARED, ids=[str(p) for p, _ in BAD_SHARED])
def test_bad_shared_parameter_is_an_input_error(cls, params, message):
    with pytest.raises(InputError, match=re.escape(message)):
        cls(**params).fit(*FIT_ARGS[cls])


@pytest.mark.parametrize("cls", [MultiLabelClassifier, SinglePositiveClassifier, EmbeddingClassifier], ids=lambda c: c.__name__)
def test_loss_params_must_be_a_dict(cls):
    with pytest.raises(InputError, match=re.escape("loss_params must be None or a dict of the loss's keyword arguments, got 3")):
        cls(loss_params=3).fit(*FIT_ARGS[cls])


def test_cuda_on_a_machine_without_it_is_an_input_error(monkeypatch):
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    with pytest.raises(InputError, match="'cuda' needs CUDA"):
        MultiLabelClassifier(device="cuda").fit(*FIT_ARGS[MultiLabelClassifier])


@pytest.mark.parametrize("params", [{"verbose": False}, {"verbose": np.int64(0)}, {"patience": None}, {"hidden_sizes": ()}, {"hidden_sizes": [np.int64(8)]}, {"random_state": np.random.RandomState(0)}, {"weight_decay": 0}])
def test_valid_edge_values_are_accepted(params):
    MultiLabelClassifier(**{"max_epochs": 1, "verbose": 0, **params}).fit(*FIT_ARGS[MultiLabelClassifier])



@pytest.mark.parametrize("cls", list(FIT_ARGS), ids=lambda c: c.__name__)
def test_sklearn_check_is_fitted_agrees_with_predict(cls):
    """Unfitted, and after a fit that failed once X was checked (n_features_in_ set), check_is_fitted raises; fitted, it passes."""
    est = cls(max_epochs=1, verbose=0)
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(est)
    bad_fit = (X, *(y[:-1] for y in FIT_ARGS[cls][1:]))  # one label short
    with pytest.raises(InputError):
        est.set_params(**({"n_classes": 100} if cls is SelfSupervisedClassifier else {})).fit(*bad_fit)
    assert hasattr(est, "n_features_in_")
    with pytest.raises(SklearnNotFittedError):
        check_is_fitted(est)
    with pytest.raises(NotFittedError):
        est.predict(X)
    check_is_fitted(est.set_params(**({"n_classes": 2} if cls is SelfSupervisedClassifier else {})).fit(*FIT_ARGS[cls]))


@pytest.mark.parametrize("cls", list(FIT_ARGS), ids=lambda c: c.__name__)
def test_a_refit_that_fails_leaves_the_estimator_unfitted_not_the_old_network(cls):
    """The refit is refused after X was checked (one label short); the old network must not answer for the new fit."""
    est = cls(max_epochs=1, verbose=0, **({"n_classes": 2} if cls is SelfSupervisedClassifier else {})).fit(*FIT_ARGS[cls])
    check_is_fitted(est)
    bad_fit = (X, *(y[:-1] for y in FIT_ARGS[cls][1:]))
    with pytest.raises(InputError):
        est.set_params(**({"n_classes": 100} if cls is SelfSupervisedClassifier else {})).fit(*bad_fit)
    with pytest.raises(NotFittedError):
        est.predict(X)


EXTRA = {SelfSupervisedClassifier: {"n_classes": 2, "n_heads": 2, "n_neighbors": 3}, EmbeddingClassifier: {"loss": "center"}}


@pytest.mark.parametrize("cls", list(FIT_ARGS), ids=lambda c: c.__name__)
def test_a_seeded_fit_and_a_load_leave_the_global_generators_alone(cls, tmp_path):
    """The user's seeded streams (torch, NumPy, random) must not depend on whether a model was fitted with its own seed or
    loaded: load built the network (and the center loss) with random initial weights it then overwrote, and the
    self-supervised fit built its kept head that way."""
    import random

    import weaklabel

    torch.manual_seed(123)
    np.random.seed(123)
    random.seed(123)

    def states():
        mt, keys, position, *_ = np.random.get_state()
        return torch.get_rng_state().clone(), (mt, keys.tolist(), position), random.getstate()

    before = states()
    model = cls(hidden_sizes=(8,), max_epochs=2, random_state=0, verbose=0, **EXTRA.get(cls, {})).fit(*FIT_ARGS[cls])
    model.save(tmp_path / "m")
    weaklabel.load(tmp_path / "m")
    after = states()
    assert torch.equal(after[0], before[0]) and after[1:] == before[1:]
