"""Declared hyper-parameter checks (weaklabel.estimators._params): every parameter is checked, messages as before."""

import pytest

from weaklabel import EmbeddingClassifier, MultiLabelClassifier, SelfSupervisedClassifier, SinglePositiveClassifier
from weaklabel.estimators._params import OneOf, Rule, check_parameters, integer
from weaklabel.exceptions import InputError
from weaklabel.persistence import estimator_classes

#: parameters checked where they are used: against the data (pos_weight per label, expected_positives in [1, L]),
#: or by what they build (norm and channels by the encoder, scaling by the FeatureScaler)
CHECKED_WHERE_USED = {"pos_weight", "expected_positives", "norm", "scaling", "channels"}


def test_the_four_estimators_are_registered():
    assert set(estimator_classes().values()) >= {MultiLabelClassifier, SinglePositiveClassifier, SelfSupervisedClassifier, EmbeddingClassifier}


@pytest.mark.parametrize("cls", sorted(estimator_classes().values(), key=lambda c: c.__name__))
def test_every_parameter_has_a_declared_check(cls):
    """Like scikit-learn's check_param_validation: a new parameter needs a check (or a reason it has none)."""
    params = set(cls().get_params())
    declared = set(cls._all_parameter_checks())
    assert declared <= params
    assert params - declared <= CHECKED_WHERE_USED, sorted(params - declared - CHECKED_WHERE_USED)


def test_the_shared_checks_come_first():
    names = list(SinglePositiveClassifier._all_parameter_checks())
    assert names[:3] == ["max_epochs", "batch_size", "learning_rate"] and names.index("loss") > names.index("verbose")


@pytest.mark.parametrize(
    "cls, params, message",
    [
        (MultiLabelClassifier, {"loss": "nope"}, r"^unknown loss 'nope'; choose one of \['asymmetric', 'bce', 'focal', 'weighted_bce'\]$"),
        (SelfSupervisedClassifier, {"metric": "l1"}, r"^unknown metric 'l1'; choose one of \('euclidean', 'cosine'\)$"),
        (EmbeddingClassifier, {"encoder": "rnn"}, r"^unknown encoder 'rnn'; choose one of \('auto', 'mlp', 'conv'\)$"),
        (SinglePositiveClassifier, {"n_jobs": 0}, r"^n_jobs must be None or a non-zero integer \(-1 = one process per CPU\), got 0$"),
        (MultiLabelClassifier, {"hidden_sizes": "8"}, r"\(--hidden-sizes 512,512\), got '8'$"),
        (MultiLabelClassifier, {"patience": 0}, r"^patience must be None \(no early stopping\) or an integer ≥ 1, got 0$"),
    ],
)
def test_messages_name_the_parameter_the_value_and_the_fix(cls, params, message):
    with pytest.raises(InputError, match=message):
        cls(**params).fit([[0.0], [1.0], [2.0], [3.0]], [0, 1, 0, 1])


def test_constraints_on_their_own():
    class Est:
        size, kind = True, "b"

    with pytest.raises(InputError, match=r"^size must be an integer ≥ 1, got True$"):
        check_parameters(Est(), {"size": integer(1)})
    with pytest.raises(InputError, match=r"^unknown kind 'b'; choose one of \['a'\]$"):
        check_parameters(Est(), {"kind": OneOf(lambda: ["a"])})
    check_parameters(Est(), {"kind": Rule(lambda v: v == "b", "b")})
