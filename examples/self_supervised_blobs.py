"""No labels: ten Gaussian blobs sorted into ten classes.

Neighbours are pulled to the same class, far samples pushed apart, every class
kept in use; accuracy after matching clusters to the true classes.

    python examples/self_supervised_blobs.py
"""

from sklearn.datasets import make_blobs
from sklearn.preprocessing import StandardScaler

from weaklabel import SelfSupervisedClassifier
from weaklabel.metrics import clustering_report

X, y = make_blobs(1000, centers=10, n_features=2, random_state=2)
X = StandardScaler().fit_transform(X)
model = SelfSupervisedClassifier(n_classes=10, scaling="none", random_state=0, verbose=0)
labels = model.fit_predict(X)
print({k: round(v, 3) for k, v in clustering_report(y, labels).items()})
