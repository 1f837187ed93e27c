"""Example-based metrics against scikit-learn, rows without a true or predicted label included."""

import numpy as np
import pytest
from sklearn.metrics import accuracy_score, f1_score
from sklearn.metrics import hamming_loss as sk_hamming_loss

from weaklabel.exceptions import InputError
from weaklabel.metrics import example_based_report, example_f1, hamming_loss, subset_accuracy


def _data(seed):
    rng = np.random.default_rng(seed)
    Y = (rng.random((200, 6)) < 0.3).astype(int)
    P = np.where(rng.random(Y.shape) < 0.8, Y, 1 - Y)
    Y[:5], P[:5] = 0, 0  # both empty: predicted exactly
    Y[5:10], P[5:10] = 0, 1  # nothing true, everything predicted
    P[10:15] = 0  # something true, nothing predicted
    return Y, P


@pytest.mark.parametrize("seed", [0, 1])
def test_they_equal_scikit_learn(seed):
    Y, P = _data(seed)
    assert hamming_loss(Y, P) == pytest.approx(sk_hamming_loss(Y, P), abs=1e-12)
    assert subset_accuracy(Y, P) == pytest.approx(accuracy_score(Y, P), abs=1e-12)
    assert example_f1(Y, P) == pytest.approx(f1_score(Y, P, average="samples", zero_division=1), abs=1e-12)


def test_a_hand_computed_pair_of_rows():
    Y = [[1, 1, 0], [0, 0, 0]]
    P = [[1, 0, 1], [0, 0, 0]]
    assert example_based_report(Y, P) == pytest.approx(
        {"hamming_loss": 2 / 6, "subset_accuracy": 1 / 2, "example_f1": (2 * 1 / (2 + 2) + 1.0) / 2}
    )


def test_bad_predictions_are_named():
    with pytest.raises(InputError, match="y_pred must hold only 0/1"):
        hamming_loss([[1, 0]], [[0.7, 0]])
