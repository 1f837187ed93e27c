"""Gaussian mixtures (weaklabel.algorithms.mixture) against independent computations: scipy's densities,
scikit-learn's EM and BIC, and the change-of-variables formula for the scaling's Jacobian."""

import warnings

import numpy as np
import pytest
from scipy.stats import multivariate_normal
from sklearn.exceptions import ConvergenceWarning
from sklearn.mixture import GaussianMixture

from weaklabel.algorithms.mixture import Mixture, best_of_restarts, bic, covariance_types_for, em, em_from_partition, standard_log_jacobian, sweep


@pytest.fixture(scope="module")
def data():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(0, 1, (80, 3)), rng.normal(4, 0.5, (60, 3)) * [1, 2, 0.5]])
    labels = np.repeat([0, 1], [80, 60])
    return X, labels


def _random_mixture(covariance_type: str, M: int = 3, d: int = 3, seed: int = 1) -> Mixture:
    rng = np.random.default_rng(seed)
    weights = rng.dirichlet(np.ones(M))
    means = rng.normal(0, 2, (M, d))
    if covariance_type == "full":
        A = rng.normal(0, 1, (M, d, d))
        covariances = A @ A.transpose(0, 2, 1) + 0.5 * np.eye(d)
    elif covariance_type == "diag":
        covariances = rng.uniform(0.3, 2.0, (M, d))
    else:
        covariances = rng.uniform(0.3, 2.0, M)
    return Mixture(covariance_type, weights, means, covariances)


def _dense_covariances(mixture: Mixture) -> np.ndarray:
    d = mixture.means.shape[1]
    if mixture.covariance_type == "full":
        return mixture.covariances
    if mixture.covariance_type == "diag":
        return np.stack([np.diag(v) for v in mixture.covariances])
    return np.stack([v * np.eye(d) for v in mixture.covariances])


@pytest.mark.parametrize("covariance_type", ["spherical", "diag", "full"])
def test_densities_posteriors_and_likelihood_match_scipy(covariance_type, data):
    X, _ = data
    mixture = _random_mixture(covariance_type)
    reference = np.stack(
        [np.log(w) + multivariate_normal(m, c).logpdf(X) for w, m, c in zip(mixture.weights, mixture.means, _dense_covariances(mixture))], axis=1
    )
    np.testing.assert_allclose(mixture.log_weighted_densities(X), reference, rtol=1e-10, atol=1e-10)
    joint = np.exp(reference)
    np.testing.assert_allclose(mixture.posteriors(X), joint / joint.sum(axis=1, keepdims=True), rtol=1e-9, atol=1e-12)
    assert mixture.log_likelihood(X) == pytest.approx(np.log(joint.sum(axis=1)).sum(), rel=1e-10)
    np.testing.assert_array_equal(mixture.predict(X), reference.argmax(axis=1))


@pytest.mark.parametrize("covariance_type", ["spherical", "diag", "full"])
def test_em_iterations_equal_scikit_learns(covariance_type, data):
    """Five EM iterations from the same parameters, same covariance floor: the same weights, means, covariances."""
    X, _ = data
    start, reg = _random_mixture(covariance_type), 1e-3
    precisions = 1.0 / start.covariances if covariance_type != "full" else np.linalg.inv(start.covariances)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        reference = GaussianMixture(
            3, covariance_type=covariance_type, reg_covar=reg, max_iter=5, tol=0.0,
            weights_init=start.weights, means_init=start.means, precisions_init=precisions,
        ).fit(X)
    ours = em(X, start, reg, max_iter=5, tol=-1.0).mixture
    np.testing.assert_allclose(ours.weights, reference.weights_, rtol=1e-8)
    np.testing.assert_allclose(ours.means, reference.means_, rtol=1e-8, atol=1e-10)
    np.testing.assert_allclose(ours.covariances, reference.covariances_, rtol=1e-8, atol=1e-10)


@pytest.mark.parametrize("covariance_type", ["spherical", "diag", "full"])
def test_bic_matches_scikit_learns(covariance_type, data):
    X, labels = data
    fit = em_from_partition(X, labels, covariance_type, 1e-4)
    reference = GaussianMixture(2, covariance_type=covariance_type)
    reference.weights_, reference.means_, reference.covariances_ = fit.mixture.weights, fit.mixture.means, fit.mixture.covariances
    reference.precisions_cholesky_ = _precision_cholesky_sklearn(fit.mixture)
    assert bic(fit.mixture, X) == pytest.approx(reference.bic(X), rel=1e-10)


def _precision_cholesky_sklearn(mixture: Mixture) -> np.ndarray:
    if mixture.covariance_type == "full":
        return np.stack([np.linalg.inv(np.linalg.cholesky(c)).T for c in mixture.covariances])
    return 1.0 / np.sqrt(mixture.covariances)


def test_em_from_a_partition_starts_from_its_groups(data):
    """Zero iterations: the partition's proportions, means and (floored) covariances."""
    X, labels = data
    start = em_from_partition(X, labels, "diag", 1e-3, max_iter=0).mixture
    np.testing.assert_allclose(start.weights, [80 / 140, 60 / 140])
    np.testing.assert_allclose(start.means, [X[labels == 0].mean(0), X[labels == 1].mean(0)])
    np.testing.assert_allclose(start.covariances, [X[labels == 0].var(0) + 1e-3, X[labels == 1].var(0) + 1e-3])


def test_bic_on_the_raw_scale_of_a_standardised_fit(data):
    """A mixture fitted on standardised rows, scored with the Jacobian −Σ log σ_j, has the BIC of the same
    mixture mapped back to raw units (means · σ + m, covariances scaled by σσᵀ) on the raw rows."""
    X, labels = data
    X = X * [1.0, 30.0, 0.01] + [5.0, -2.0, 0.0]
    m, s = X.mean(axis=0), X.std(axis=0)
    fit = em_from_partition((X - m) / s, labels, "full", 1e-4).mixture
    raw = Mixture("full", fit.weights, fit.means * s + m, fit.covariances * np.outer(s, s))
    assert bic(fit, (X - m) / s, standard_log_jacobian(s)) == pytest.approx(bic(raw, X), rel=1e-10)
    assert standard_log_jacobian(np.array([2.0, 0.0, 0.5])) == pytest.approx(-np.log(2.0) - np.log(0.5))


def test_sweep_prefers_the_true_component_count_and_shape():
    """Two well-separated spherical Gaussians: BIC picks 2 components among 1–4 (shape spherical or a richer
    one that fits as well, never fewer components)."""
    rng = np.random.default_rng(3)
    X = np.concatenate([rng.normal(0, 1, (300, 2)), rng.normal(8, 1, (300, 2))])
    candidates = sweep(X, [1, 2, 3, 4], ("spherical", "diag", "full"), 1e-4, seed=0)
    assert candidates[0].n_components == 2 and candidates[0].covariance_type == "spherical"
    assert [c.bic for c in candidates] == sorted(c.bic for c in candidates) and len(candidates) == 12


def test_best_of_restarts_keeps_the_highest_likelihood(data):
    X, _ = data
    fits = [em_from_partition(X, labels, "diag", 1e-4) for labels in (np.arange(140) % 2, np.repeat([0, 1], [80, 60]))]
    best = best_of_restarts(X, "diag", 2, 1e-4, seeds=[0, 1, 2], extra=[f.mixture for f in fits])
    assert best.mean_log_likelihood >= max(f.mean_log_likelihood for f in fits) - 1e-9


def test_full_covariances_only_with_enough_rows_per_component():
    assert covariance_types_for(1000, 10, 10) == ("spherical", "diag", "full")  # 55 values ≤ 100 rows each
    assert covariance_types_for(1000, 64, 10) == ("spherical", "diag")  # 2,080 values > 100 rows each
