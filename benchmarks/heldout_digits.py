"""Does SelfSupervisedClassifier's graph refinement help prediction on new samples, or only the fitted ones?

Fit on a stratified 80% of scikit-learn's digits (``train_test_split(test_size=0.2, random_state=0,
stratify=y)``), with and without the refinement, seeds 0–2; match clusters to classes by the Hungarian
assignment on the training part (what a user can do with a few labelled samples), then score
``labels_`` on the training part and ``predict`` on the held-out 20% under that matching.

Run: ``python benchmarks/heldout_digits.py`` (about a minute on 2 cores).
"""

import numpy as np
from scipy.optimize import linear_sum_assignment
from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from weaklabel import SelfSupervisedClassifier

SEEDS = (0, 1, 2)


def matched_accuracy(train_true: np.ndarray, train_labels: np.ndarray, true: np.ndarray, labels: np.ndarray) -> float:
    """Accuracy of ``labels`` against ``true`` under the cluster → class matching found on the training part."""
    counts = np.zeros((10, 10))
    np.add.at(counts, (train_labels, train_true), 1)
    clusters, classes = linear_sum_assignment(-counts)
    to_class = dict(zip(clusters, classes))
    return float(np.mean(np.array([to_class[c] for c in labels]) == true))


def main() -> None:
    X, y = load_digits(return_X_y=True)
    X_fit, X_new, y_fit, y_new = train_test_split(X.astype(np.float32), y, test_size=0.2, random_state=0, stratify=y)
    for steps in (150, 0):
        fitted, held_out = [], []
        for seed in SEEDS:
            est = SelfSupervisedClassifier(n_classes=10, method="minmax_scan", scaling="none", refinement_steps=steps, random_state=seed, verbose=0).fit(X_fit)
            fitted.append(matched_accuracy(y_fit, est.labels_, y_fit, est.labels_))
            held_out.append(matched_accuracy(y_fit, est.labels_, y_new, est.predict(X_new)))
        print(f"refinement_steps={steps}: labels_ {np.mean(fitted):.3f}, held-out predict {np.mean(held_out):.3f} "
              f"(seeds {SEEDS[0]}–{SEEDS[-1]}: {', '.join(f'{a:.3f}' for a in held_out)})", flush=True)


if __name__ == "__main__":
    main()
