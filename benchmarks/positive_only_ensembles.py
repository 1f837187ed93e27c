"""How much of the positive-only gap is averaging networks, not correcting the single-positive bias.

The refined rows of ``weaklabel bench positive-only`` average the last round's fold networks (5 or 10),
while the assume-negative and full-label rows are one network each. This script trains, under the suite's
protocol (same split, same kept positives, same 256-256 networks, one torch thread), 20 assume-negative and
20 full-label networks per seed and reports the mAP of the mean probability of the first 1, 5 and 20. The
first network of each has the suite's seed, so its row is the suite's. Gap recovered as in the suite:
(method − assume-negative) / (full − assume-negative), both single networks.

Run: ``python benchmarks/positive_only_ensembles.py`` (about 25 minutes on 2 cores).
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import torch

from weaklabel import MultiLabelClassifier, SinglePositiveClassifier
from weaklabel.bench._seeds import summarise_seeds
from weaklabel.bench.positive_only import DATASETS, SEEDS, network_params
from weaklabel.data.weak import hide_positives
from weaklabel.metrics import mean_average_precision
from weaklabel.report import format_table

#: networks averaged; the largest is how many are trained per seed and kind
SIZES = (1, 5, 20)


def _network_seeds(seed: int) -> list[int]:
    """The suite's seed first (so the one-network row is the suite's), then seeds no other run of this script uses."""
    return [seed] + [1000 * (seed + 1) + r for r in range(1, max(SIZES))]


def _averages(fit: Callable[[int], np.ndarray], Y_te: np.ndarray, seed: int) -> dict[int, float]:
    """Test mAP of the mean probability of the first n networks, for every n in SIZES."""
    probas = [fit(s) for s in _network_seeds(seed)]
    return {n: 100 * mean_average_precision(Y_te, np.mean(probas[:n], axis=0)) for n in SIZES}


def main() -> None:
    torch.set_num_threads(1)
    rows = []
    for name, load in ((name, DATASETS[name]) for name in ("multi-digits", "movies")):
        (X_tr, Y_tr, X_te, Y_te), extra = load(False)
        for seed in SEEDS:
            observed, kept = hide_positives(Y_tr, random_state=seed)
            shared = network_params(seed, quick=False, verbose=0, extra=extra)
            an = _averages(lambda s: SinglePositiveClassifier(loss="assume_negative", refine_rounds=0, **{**shared, "random_state": s}).fit(X_tr[kept], observed).predict_proba(X_te), Y_te, seed)
            full = _averages(lambda s: MultiLabelClassifier(threshold=0.5, **{**shared, "random_state": s}).fit(X_tr, Y_tr).predict_proba(X_te), Y_te, seed)
            for kind, results in (("assume_negative", an), ("full labels (bce)", full)):
                for n, value in results.items():
                    rows.append({"dataset": name, "method": f"{kind}, mean of {n}", "mAP": value, "gap_recovered": (value - an[1]) / (full[1] - an[1])})
            print(f"{name} seed {seed}: " + ", ".join(f"{r['method']} {r['mAP']:.2f}" for r in rows[-2 * len(SIZES):]), flush=True)
    print(format_table(summarise_seeds(rows, ("dataset", "method"), ("mAP", "gap_recovered"))))


if __name__ == "__main__":
    main()
