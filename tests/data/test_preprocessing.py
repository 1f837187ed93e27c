import numpy as np
import pytest
from scipy.special import ndtri

from weaklabel.data.preprocessing import FeatureScaler
from weaklabel.exceptions import InputError


def test_standard_matches_formula():
    X = np.random.default_rng(0).normal(3, 2, size=(500, 3))
    X[:, 2] = 7.0  # constant column: std replaced by 1
    out = FeatureScaler("standard").fit_transform(X)
    expected = (X - X.mean(0)) / np.where(X.std(0) > 0, X.std(0), 1)
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-5)


def test_robust_tames_heavy_tails():
    votes = np.random.default_rng(0).pareto(1.0, size=(2000, 1)) * 100
    out = FeatureScaler("robust").fit_transform(votes)
    expected = np.log1p(votes)
    expected = (expected - expected.mean()) / expected.std()
    np.testing.assert_allclose(out, expected, rtol=1e-4, atol=1e-4)
    assert np.abs(out).max() < 10  # the raw standardised column reaches far beyond


def test_quantile_is_normal_scores_of_ranks():
    x = np.random.default_rng(1).exponential(size=(1001, 1))
    scaler = FeatureScaler("quantile", n_quantiles=1001).fit(x)
    out = scaler.transform(x)[:, 0]
    ranks = np.argsort(np.argsort(x[:, 0]))
    expected = ndtri(np.clip(ranks / 1000, 1e-7, 1 - 1e-7))
    np.testing.assert_allclose(out, expected, atol=1e-3)
    # invariant to a monotone distortion of the column
    np.testing.assert_allclose(FeatureScaler("quantile", n_quantiles=1001).fit_transform(np.log(x))[:, 0], out, atol=1e-3)


def test_ple_encoding_by_hand():
    X = np.arange(0, 101, dtype=float).reshape(-1, 1)  # edges at 0, 25, 50, 75, 100 with n_bins=4
    scaler = FeatureScaler("ple", n_bins=4).fit(X)
    out = scaler.transform(np.array([[10.0], [60.0], [150.0], [-5.0]]))
    assert out.shape == (4, 4 + 1) and scaler.n_features_out == 5
    np.testing.assert_allclose(out[:, :4], [[0.4, 0, 0, 0], [1, 1, 0.4, 0], [1, 1, 1, 1], [0, 0, 0, 0]], atol=1e-6)


def test_ple_handles_constant_and_binary_columns():
    rng = np.random.default_rng(0)
    X = np.column_stack([np.ones(100), rng.integers(0, 2, 100), rng.normal(size=100)])
    scaler = FeatureScaler("ple", n_bins=8).fit(X)
    out = scaler.transform(X)
    assert out.shape == (100, scaler.n_features_out) and np.isfinite(out).all()


def test_state_round_trip_and_bad_method():
    X = np.random.default_rng(0).normal(size=(50, 4))
    a = FeatureScaler("ple").fit(X)
    b = FeatureScaler.from_state(a.get_config(), a.state)
    np.testing.assert_array_equal(a.transform(X), b.transform(X))
    with pytest.raises(InputError, match="unknown scaling"):
        FeatureScaler("minmax")


def test_spread_scaling_standardises_only_when_spreads_differ_a_lot():
    from weaklabel.data.preprocessing import spread_scaling

    rng = np.random.default_rng(0)
    one_unit = rng.normal(0, 1, (200, 5)) * [1, 2, 3, 4, 5]  # largest spread 5 × the median 3: below 6
    assert spread_scaling(one_unit) == "none"
    mixed = one_unit * [1, 1, 1, 1, 10]  # 50 / 3 > 6
    assert spread_scaling(mixed) == "standard"
    constant = np.hstack([one_unit, np.zeros((200, 10))])  # constant columns are ignored, not medians of 0
    assert spread_scaling(constant) == "none"
    assert spread_scaling(np.zeros((5, 3))) == "none"


def test_auto_passes_binary_columns_as_given_and_encodes_the_others_as_ple():
    rng = np.random.default_rng(0)
    continuous = rng.normal(size=(200, 2))
    X = np.column_stack([rng.integers(0, 2, 200), continuous[:, 0], np.zeros(200), continuous[:, 1]])  # 0/1, x, all-0, x
    auto = FeatureScaler("auto", n_bins=8).fit(X)
    out = auto.transform(X)
    ple = FeatureScaler("ple", n_bins=8).fit(continuous).transform(continuous)
    np.testing.assert_array_equal(out[:, :2], X[:, [0, 2]])  # the binary columns, raw and first
    np.testing.assert_allclose(out[:, 2:], ple, atol=1e-6)  # the others, exactly their PLE
    assert out.shape[1] == auto.n_features_out == 2 + ple.shape[1]
    again = FeatureScaler.from_state(auto.get_config(), {k: np.array(v) for k, v in auto.state.items()})
    np.testing.assert_array_equal(again.transform(X), out)


def test_auto_on_only_binary_columns_is_the_identity():
    X = (np.random.default_rng(1).random((50, 6)) < 0.2).astype(np.float32)
    np.testing.assert_array_equal(FeatureScaler("auto").fit(X).transform(X), X)


def test_an_estimator_fits_saves_and_loads_with_auto_scaling(tmp_path):
    import weaklabel
    from weaklabel import MultiLabelClassifier

    rng = np.random.default_rng(0)
    X = np.column_stack([rng.integers(0, 2, (120, 3)), rng.normal(size=(120, 2))]).astype(np.float32)
    Y = (X[:, :2] > 0.5).astype(int)
    model = MultiLabelClassifier(scaling="auto", hidden_sizes=(8,), max_epochs=2, random_state=0, verbose=0).fit(X, Y)
    assert model.scaler_.n_features_out == 3 + FeatureScaler("ple").fit(X[:, 3:]).n_features_out
    model.save(tmp_path / "m")
    np.testing.assert_array_equal(weaklabel.load(tmp_path / "m").predict_proba(X), model.predict_proba(X))
