"""Positives only: one observed label per item, the rest unknown.

Three blobs; the third is hidden by relabelling each of its points at random as
label 0 or 1. Assume-negative BCE gives the hidden class a coin flip. The
default SinglePositiveClassifier (softmax over labels of the observed positive,
5 members) scores P(label is the observed one): half each for the hidden class,
which still ranks it between the two pure classes on both labels. ROLE with
cross-fitted refinement (the mean of the last round's fold networks) scores it
high on both labels, one probability per label.

    python examples/positive_only_blobs.py
"""

import numpy as np
from sklearn.datasets import make_blobs

from weaklabel import SinglePositiveClassifier

X, original = make_blobs(1000, centers=3, n_features=2, random_state=100)
observed = np.where(original == 2, np.random.default_rng(0).integers(0, 2, len(original)), original)

for name, model in [
    ("assume_negative", SinglePositiveClassifier(loss="assume_negative", refine_rounds=0, hidden_sizes=(64, 64), random_state=0, verbose=0)),
    ("default", SinglePositiveClassifier(hidden_sizes=(64, 64), random_state=0, verbose=0)),
    ("role_refine3", SinglePositiveClassifier(loss="role", refine_rounds=3, hidden_sizes=(64, 64), random_state=0, verbose=0)),
]:
    model.fit(X, observed)
    for k in range(3):
        score = model.predict_proba(X[original == k]).mean(axis=0)
        print(f"{name:16s} original class {k}: label 0 {score[0]:.2f}, label 1 {score[1]:.2f}")
