"""ML-kNN against a brute-force reading of Zhang & Zhou (2007), and binary relevance."""

import numpy as np
import pytest
from sklearn.linear_model import LogisticRegression

from weaklabel.exceptions import InputError, NotFittedError
from weaklabel.peers import BinaryRelevance, MLkNN


def _data(seed=0, n=120, d=5, n_labels=4):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)).astype(np.float32)
    Y = (X[:, :n_labels] + 0.8 * rng.normal(size=(n, n_labels)) > 0.3).astype(int)
    return X, Y


def _brute_force(X, Y, X_new, k, s):
    """The paper's training and prediction, one label, one item and one count at a time (exact distances)."""
    m, n_labels = Y.shape

    def neighbours(x, exclude=None):
        dist = ((X - x) ** 2).sum(axis=1)
        if exclude is not None:
            dist[exclude] = np.inf
        return np.argsort(dist, kind="stable")[:k]

    counts = np.array([Y[neighbours(X[i], exclude=i)].sum(axis=0) for i in range(m)])
    out = np.zeros((len(X_new), n_labels))
    for i, x in enumerate(X_new):
        c = Y[neighbours(x)].sum(axis=0)
        for label in range(n_labels):
            prior1 = (s + Y[:, label].sum()) / (2 * s + m)
            like = []
            for b in (1, 0):
                tally = [np.sum((Y[:, label] == b) & (counts[:, label] == j)) for j in range(k + 1)]
                like.append((s + tally[c[label]]) / (s * (k + 1) + sum(tally)))
            out[i, label] = prior1 * like[0] / (prior1 * like[0] + (1 - prior1) * like[1])
    return out


@pytest.mark.parametrize(("k", "s"), [(10, 1.0), (3, 0.5)])
def test_posteriors_equal_a_brute_force_reading_of_the_paper(k, s):
    X, Y = _data()
    X_new = _data(seed=1, n=30)[0]
    model = MLkNN(k=k, s=s).fit(X, Y)
    np.testing.assert_allclose(model.predict_proba(X_new), _brute_force(X, Y, X_new, k, s), rtol=1e-10)
    np.testing.assert_array_equal(model.predict(X_new), (_brute_force(X, Y, X_new, k, s) > 0.5).astype(int))


def test_bad_parameters_and_labels_are_named():
    X, Y = _data()
    with pytest.raises(InputError, match=r"k must be in \[1, 119\]"):
        MLkNN(k=120).fit(X, Y)
    with pytest.raises(InputError, match="s \\(the smoothing\\) must be > 0"):
        MLkNN(s=0).fit(X, Y)
    with pytest.raises(InputError, match="only 0/1"):
        MLkNN().fit(X, Y * 2)
    with pytest.raises(NotFittedError):
        MLkNN().predict(X)
    with pytest.raises(InputError, match="fitted with 5"):
        MLkNN().fit(X, Y).predict(X[:, :3])


def test_binary_relevance_fits_one_model_per_label_and_a_constant_for_a_constant_label():
    X, Y = _data()
    Y[:, 2] = 1
    model = BinaryRelevance(LogisticRegression()).fit(X, Y)
    proba = model.predict_proba(X)
    np.testing.assert_allclose(proba[:, 0], LogisticRegression().fit(X, Y[:, 0]).predict_proba(X)[:, 1])
    assert (proba[:, 2] == 1.0).all() and proba.shape == Y.shape
