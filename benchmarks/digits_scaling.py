"""What SelfSupervisedClassifier's default scaling costs on raw pixels: digits with ``scaling="standard"``
(the default, right for tabular columns in different units) against ``scaling="none"`` (pixels share one
unit; what ``weaklabel bench self-supervised`` uses for digits), seeds 0–2, every other setting default.

Standardising divides each pixel by its own spread, so near-empty border pixels, which are mostly noise,
weigh as much in the neighbour search as the strokes.

Run: ``python benchmarks/digits_scaling.py`` (about a minute on 2 cores).
"""

import numpy as np
from sklearn.datasets import load_digits

from weaklabel import SelfSupervisedClassifier
from weaklabel.metrics import clustering_report

SEEDS = (0, 1, 2)


def main() -> None:
    X, y = load_digits(return_X_y=True)
    for scaling in ("standard", "none"):
        accuracies = [
            clustering_report(y, SelfSupervisedClassifier(n_classes=10, method="minmax_scan", scaling=scaling, random_state=seed, verbose=0).fit(X.astype(np.float32)).labels_)["accuracy"]
            for seed in SEEDS
        ]
        print(f"scaling={scaling!r}: accuracy {np.mean(accuracies):.3f} (seeds {SEEDS[0]}–{SEEDS[-1]}: {', '.join(f'{a:.3f}' for a in accuracies)})", flush=True)


if __name__ == "__main__":
    main()
