"""The sparse multi-label generator and its Bayes rule."""

import numpy as np
import pytest

from weaklabel.data import bayes_rule, make_sparse_multilabel
from weaklabel.exceptions import InputError
from weaklabel.metrics import precision_recall_f1


def _macro_f1(Y, predicted):
    return precision_recall_f1(Y, predicted, average="macro")[2]


@pytest.mark.parametrize("q", [0.1, 0.9])
def test_for_p_up_to_q_the_bayes_rule_reaches_its_f1_and_beats_predicting_everything(q):
    data = make_sparse_multilabel(40_000, 5, q=q, p=0.05, random_state=0)
    rule = _macro_f1(data.Y, bayes_rule(data.X))
    assert rule == pytest.approx(2 * q / (1 + q), abs=0.02)
    assert rule > _macro_f1(data.Y, np.ones_like(data.Y))  # 2p / (1 + p) ≈ 0.095


def test_for_p_above_q_it_warns_that_the_rule_is_no_ceiling():
    with pytest.warns(UserWarning, match=r"p = 0.3 > q = 0.1: predicting every label beats bayes_rule on F1"):
        data = make_sparse_multilabel(20_000, 3, q=0.1, p=0.3, random_state=0)
    assert _macro_f1(data.Y, np.ones_like(data.Y)) > _macro_f1(data.Y, bayes_rule(data.X))


@pytest.mark.parametrize(("kwargs", "message"), [({"p": 1.5}, r"p must be in \(0, 1\), got 1.5"), ({"n_labels": 0}, "n_samples and n_labels must be ≥ 1")])
def test_bad_generator_parameters_are_named(kwargs, message):
    with pytest.raises(InputError, match=message):
        make_sparse_multilabel(100, **{"n_labels": 3, **kwargs})
