"""No labels: ten Gaussian blobs sorted into ten classes.

A Gaussian mixture chosen by BIC, its components merged into classes on the
neighbour graph (the default method); accuracy after matching clusters to the
true classes. method="minmax_scan" trains the seed's network instead.

    python examples/self_supervised_blobs.py
"""

from sklearn.datasets import make_blobs

from weaklabel import SelfSupervisedClassifier
from weaklabel.metrics import clustering_report

X, y = make_blobs(1000, centers=10, n_features=2, random_state=2)
model = SelfSupervisedClassifier(n_classes=10, random_state=0, verbose=0)
labels = model.fit_predict(X)
print({k: round(v, 3) for k, v in clustering_report(y, labels).items()})
