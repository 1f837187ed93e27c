"""Sparse, imbalanced multi-label: 30 labels, about one positive per item.

A plain model predicts all zeros and looks accurate; weighted cross-entropy with
per-label tuned thresholds gets close to the Bayes rule's macro-F1 (2q / (1 + q)).

    python examples/sparse_multilabel.py
"""

from sklearn.model_selection import train_test_split

from weaklabel import MultiLabelClassifier
from weaklabel.data.datasets import bayes_rule, make_sparse_multilabel
from weaklabel.metrics import precision_recall_f1

data = make_sparse_multilabel(n_samples=10_000, n_labels=30, q=0.9, random_state=0)
X_tr, X_te, Y_tr, Y_te = train_test_split(data.X, data.Y.astype(int), test_size=0.2, random_state=0)

plain = MultiLabelClassifier(loss="bce", threshold=0.5, hidden_sizes=(64,), max_epochs=30, random_state=0, verbose=0).fit(X_tr, Y_tr)
tuned = MultiLabelClassifier(loss="weighted_bce", threshold="tune", hidden_sizes=(64,), max_epochs=30, random_state=0, verbose=0).fit(X_tr, Y_tr)

for name, predicted in [("Bayes rule", bayes_rule(X_te)), ("bce, threshold 0.5", plain.predict(X_te)), ("weighted_bce, tuned", tuned.predict(X_te))]:
    print(f"{name:22s} macro-F1 {precision_recall_f1(Y_te, predicted, average='macro')[2]:.3f}")
