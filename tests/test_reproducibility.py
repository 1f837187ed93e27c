"""Same seed + same data → bit-identical predictions, for every estimator (also after save/load)."""

import numpy as np
import pytest

import weaklabel
from weaklabel import estimators

RNG = np.random.default_rng(0)
X = RNG.normal(size=(150, 6)).astype(np.float32)
Y = (X[:, :3] + 0.3 * RNG.normal(size=(150, 3)) > 0).astype(np.int64)
CLASSES = Y.argmax(axis=1)

TARGETS = {
    "MultiLabelClassifier": Y,
    "SinglePositiveClassifier": [[int(row.argmax())] for row in Y],
    "EmbeddingClassifier": CLASSES,
    "SelfSupervisedClassifier": None,
    "PartialLabelClassifier": [[int(row.argmax()), int(row.argmin())] for row in Y],  # candidate sets of two classes
}
EXTRA = {"EmbeddingClassifier": {"embedding_dim": 8}, "SelfSupervisedClassifier": {"n_classes": 3, "n_neighbors": 5}}


def _fit(name: str, seed: int):
    cls = getattr(estimators, name)
    params = {"hidden_sizes": (16,), "max_epochs": 3, "verbose": 0, "random_state": seed, "device": "cpu", **EXTRA.get(name, {})}
    est = cls(**{k: v for k, v in params.items() if k in cls().get_params()})
    return est.fit(X) if TARGETS[name] is None else est.fit(X, TARGETS[name])


@pytest.mark.parametrize("name", [n for n in estimators.__all__ if n in TARGETS])
def test_same_seed_gives_bit_identical_predictions(name, tmp_path):
    a, b, other = _fit(name, 7), _fit(name, 7), _fit(name, 8)
    np.testing.assert_array_equal(a.predict_proba(X), b.predict_proba(X))
    assert not np.array_equal(a.predict_proba(X), other.predict_proba(X))
    a.save(tmp_path / "model")
    np.testing.assert_array_equal(weaklabel.load(tmp_path / "model").predict_proba(X), a.predict_proba(X))


def test_every_estimator_is_covered():
    assert set(estimators.__all__) <= set(TARGETS)
