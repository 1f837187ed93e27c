"""Labels per item, predicted against true (issue 21, item 5): MultiLabelClassifier's per-label F1 thresholds
(``threshold="tune"``, the default) against one threshold tuned for the example-based F1
(``threshold="tune_example_f1"``) and against each row's top k (k = the training set's mean label count,
rounded), on tmc2007 (28,596 aviation reports, 500 binary words, 22 labels, 2.22 labels per item), a random
70/30 split (seed 0), default settings otherwise, one thread.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/label_count.py [--data /work/shared/data/multilabel/tmc2007.npz]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from weaklabel import MultiLabelClassifier
from weaklabel.metrics import example_f1, multilabel_report, top_k_matrix


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", default="/work/shared/data/multilabel/tmc2007.npz")
    args = parser.parse_args()
    data = np.load(args.data)
    X, Y = data["X"].astype(np.float32), data["Y"].astype(np.int64)
    order = np.random.default_rng(0).permutation(len(X))
    n_train = int(0.7 * len(X))
    train, test = order[:n_train], order[n_train:]
    k = max(1, round(Y[train].sum(axis=1).mean()))
    print(f"{args.data}: {len(X)} rows, {Y.shape[1]} labels, {Y[test].sum(axis=1).mean():.2f} true labels per test item; top-k uses k={k}")
    print("| rule | labels per item (predicted) | labels per item (true) | example F1 | micro F1 | macro F1 | mAP | fit s |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for threshold in ("tune", "tune_example_f1"):
        start = time.perf_counter()
        model = MultiLabelClassifier(threshold=threshold, random_state=0, verbose=0).fit(X[train], Y[train])
        seconds = time.perf_counter() - start
        scores = model.predict_proba(X[test])
        rules = {f"threshold={threshold}": model.labels_from_proba(scores)}
        if threshold == "tune":
            rules[f"top {k}, same model"] = top_k_matrix(scores, k)
        for name, predicted in rules.items():
            summary = multilabel_report(Y[test], scores, predicted)
            print(f"| {name} | {predicted.sum(axis=1).mean():.2f} | {Y[test].sum(axis=1).mean():.2f} | {example_f1(Y[test], predicted).mean():.3f} | "
                  f"{summary['micro_f1']:.3f} | {summary['macro_f1']:.3f} | {summary['map']:.3f} | {seconds:.0f} |", flush=True)


if __name__ == "__main__":
    main()
