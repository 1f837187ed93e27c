"""The self-supervised benchmark's blob sets on their raw ``make_blobs`` features instead of standardised ones.

Usage::

    python benchmarks/raw_blobs.py

``weaklabel bench self-supervised`` standardises the blob columns, as every
method's input. The blobs are generated isotropic (``cluster_std=1`` in both
coordinates), so standardising stretches them whenever the two coordinates'
spreads differ (3.3 against 4.9 on random_state 1). This script runs the
default SelfSupervisedClassifier (with and without the graph refinement), k-means,
the Gaussian mixture and spectral clustering, with the suite's settings and seeds, on the raw coordinates, beside
the same 5-fold SVC ceiling, and prints mean and worst accuracy over the seeds.

Three more rows show what the generating model itself reaches: a spherical
Gaussian mixture (the family ``make_blobs`` draws from) with 20 initialisations;
the same mixture's EM started at the true centres (an oracle start: the
labels are used); and the nearest-true-centre rule (an oracle: no fitting).
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.mixture import GaussianMixture
from sklearn.model_selection import cross_val_predict
from sklearn.svm import SVC

from weaklabel.bench._seeds import summarise_seeds
from weaklabel.bench.self_supervised import SEEDS, _methods
from weaklabel.metrics import clustering_accuracy
from weaklabel.report import format_table

METHODS = ("SelfSupervisedClassifier", "SelfSupervisedClassifier, no refinement", "k-means", "Gaussian mixture", "spectral (10-NN affinity)")
#: initialisations of the spherical mixture (the suite's full-covariance mixture uses 3)
SPHERICAL_INITS = 20


def _generating_model_rows(X: np.ndarray, centres: np.ndarray, seed: int) -> dict[str, np.ndarray]:
    def spherical(**start: object) -> np.ndarray:
        return GaussianMixture(len(centres), covariance_type="spherical", random_state=seed, **start).fit(X).predict(X)

    return {
        f"spherical Gaussian mixture, n_init={SPHERICAL_INITS}": spherical(n_init=SPHERICAL_INITS),
        "oracle: spherical EM from the true centres": spherical(means_init=centres),
        "oracle: nearest true centre": ((X[:, None, :] - centres[None]) ** 2).sum(-1).argmin(1),
    }


def main() -> None:
    rows = []
    for rs in (100, 1, 2):
        X, y, centres = make_blobs(1000, centers=10, n_features=2, random_state=rs, return_centers=True)
        X = X.astype(np.float32)
        ceiling = float(np.mean(cross_val_predict(SVC(), X, y, cv=5) == y))
        for seed in SEEDS:
            methods = _methods(10, {}, seed, verbose=0)
            labels = {name: methods[name](X) for name in METHODS} | _generating_model_rows(X, centres, seed)
            for name, predicted in labels.items():
                rows.append({"dataset": f"raw blobs (random_state={rs})", "method": name, "accuracy": clustering_accuracy(y, predicted), "ceiling": ceiling})
    print(format_table(summarise_seeds(rows, ("dataset", "method"), ("accuracy",), means=("ceiling",))))


if __name__ == "__main__":
    main()
