"""The self-supervised benchmark's blob sets on their raw ``make_blobs`` features instead of standardised ones.

Usage::

    python benchmarks/raw_blobs.py

``weaklabel bench self-supervised`` standardises the blob columns, as every
method's input. The blobs are generated isotropic (``cluster_std=1`` in both
coordinates), so standardising stretches them whenever the two coordinates'
spreads differ (3.3 against 4.9 on random_state 1). This script runs the
default SelfSupervisedClassifier, k-means, the Gaussian mixture and spectral
clustering, with the suite's settings and seeds, on the raw coordinates, beside
the same 5-fold SVC ceiling, and prints mean and worst accuracy over the seeds.
"""

from __future__ import annotations

import numpy as np
from sklearn.datasets import make_blobs
from sklearn.model_selection import cross_val_predict
from sklearn.svm import SVC

from weaklabel.bench._seeds import summarise_seeds
from weaklabel.bench.self_supervised import SEEDS, _methods
from weaklabel.metrics import clustering_accuracy
from weaklabel.report import format_table

METHODS = ("SelfSupervisedClassifier", "k-means", "Gaussian mixture", "spectral (10-NN affinity)")


def main() -> None:
    rows = []
    for rs in (100, 1, 2):
        X, y = make_blobs(1000, centers=10, n_features=2, random_state=rs)
        X = X.astype(np.float32)
        ceiling = float(np.mean(cross_val_predict(SVC(), X, y, cv=5) == y))
        for seed in SEEDS:
            methods = _methods(10, {}, seed, verbose=0)
            for name in METHODS:
                rows.append({"dataset": f"raw blobs (random_state={rs})", "method": name, "accuracy": clustering_accuracy(y, methods[name](X)), "ceiling": ceiling})
    print(format_table(summarise_seeds(rows, ("dataset", "method"), ("accuracy",), means=("ceiling",))))


if __name__ == "__main__":
    main()
