"""The mixture–graph clustering (weaklabel.algorithms.mixture_graph), its graph path
(spectral_mixture) and the class-count estimate (class_count), on data whose answer is known."""

import numpy as np
import pytest
from sklearn.datasets import make_blobs, make_circles, make_moons

from weaklabel.algorithms.class_count import class_count_evidence, eigengap_count, link_shares
from weaklabel.algorithms.mixture_graph import MixtureGraphModel, component_grid, fit_mixture_graph
from weaklabel.metrics import clustering_accuracy


def test_component_grid():
    assert component_grid(3) == [3, 5, 6, 9, 12]
    assert component_grid(10) == [10, 15, 20, 30]
    assert component_grid(40) == [40]  # beyond the grid's cap: K alone


def test_separated_blobs_take_the_mixture_path():
    X, y = make_blobs(500, centers=4, n_features=3, cluster_std=0.5, random_state=0)
    fit = fit_mixture_graph(X, 4, seed=0, n_restarts=3)
    assert fit.model.path == "mixture" and fit.n_components == 4
    assert clustering_accuracy(y, fit.labels) == 1.0
    np.testing.assert_array_equal(fit.model.predict(X), fit.labels)
    assert fit.bic[0]["n_components"] == 4 and [r["bic"] for r in fit.bic] == sorted(r["bic"] for r in fit.bic)


def test_a_class_of_two_gaussians_is_merged_on_the_graph():
    """Class 0 is two touching Gaussians (centres 3 apart, unit spread: one neighbour graph component), class 1
    one Gaussian far away: BIC wants 3 components, the cut merges the touching two."""
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal([0, 0], 1, (300, 2)), rng.normal([3.5, 0], 1, (300, 2)), rng.normal([20, 0], 1, (300, 2))])
    y = np.repeat([0, 0, 1], 300)
    fit = fit_mixture_graph(X, 2, seed=0, n_restarts=3)
    assert fit.model.path == "merge" and fit.n_components > 2
    assert clustering_accuracy(y, fit.labels) == 1.0
    proba = fit.model.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(proba.argmax(axis=1), fit.labels)


@pytest.mark.parametrize("make", [lambda: make_moons(600, noise=0.06, random_state=0), lambda: make_circles(600, factor=0.5, noise=0.04, random_state=0)])
def test_shapes_without_few_gaussian_structure_take_the_graph_path(make):
    X, y = make()
    fit = fit_mixture_graph(X, 2, seed=0, n_graph_runs=3)
    assert fit.model.path == "graph"
    assert clustering_accuracy(y, fit.labels) >= 0.99  # k-means: about 0.75 on moons, 0.5 on circles
    np.testing.assert_array_equal(fit.model.predict(X), fit.labels)  # each fitted row's nearest row is itself


def test_imbalanced_classes_keep_their_sizes():
    """1000 : 100 : 100 rows; the mixture's learned weights, not a uniform prior, set the class sizes."""
    rng = np.random.default_rng(1)
    sizes = (1000, 100, 100)
    X = np.concatenate([rng.normal(6.0 * np.eye(3)[k], 1, (s, 3)) for k, s in enumerate(sizes)])
    fit = fit_mixture_graph(X, 3, seed=0, n_restarts=3)
    assert sorted(np.bincount(fit.labels, minlength=3)) == pytest.approx(sorted(sizes), rel=0.05)


@pytest.mark.parametrize("path", ["mixture", "graph"])
def test_the_saved_state_predicts_the_same(path):
    X, _ = make_moons(400, noise=0.06, random_state=1) if path == "graph" else make_blobs(400, centers=3, random_state=1)
    model = fit_mixture_graph(X, 2 if path == "graph" else 3, seed=0, n_restarts=2, n_graph_runs=2).model
    assert model.path == path
    loaded = MixtureGraphModel.from_state(model.config(), {k: np.array(v) for k, v in model.arrays().items()})
    queries = X + np.random.default_rng(0).normal(0, 0.1, X.shape)
    np.testing.assert_array_equal(loaded.predict_proba(queries), model.predict_proba(queries))


def test_eigengap_count():
    eigenvalues = np.array([0.0, 0.0, 0.01, 0.6, 0.7, 0.8])
    assert eigengap_count(eigenvalues) == 3  # the gap 0.01 → 0.6 follows the third eigenvalue
    assert eigengap_count(np.array([0.0, 0.1, 0.2, 0.9, 1.0])) == 3
    assert eigengap_count(np.array([0.0, 0.02, 0.5, 0.55, 0.6]), ratio=True) == 2  # ratio 25 after the second


def test_link_shares():
    W = np.array([[8.0, 2.0], [2.0, 2.0]])  # volumes 10 and 4
    np.testing.assert_allclose(link_shares(W), [[0.8, 0.5], [0.5, 0.5]])


def test_class_count_of_separated_blobs():
    X, _ = make_blobs(600, centers=5, n_features=2, cluster_std=0.6, center_box=(-20, 20), random_state=4)
    evidence = class_count_evidence(X, seed=0)
    assert evidence.n_classes() == 5
    assert len(evidence.eigenvalues) == 16 and np.all(np.diff(evidence.eigenvalues) >= -1e-9)
