"""Classification as clustering: digits in a 2-D embedding with center loss.

Writes embedding.png (test embeddings coloured by digit) and prints test
accuracy, precision@1 and MAP@R.

    python examples/embedding_digits.py
"""

from sklearn.datasets import load_digits
from sklearn.model_selection import train_test_split

from weaklabel import EmbeddingClassifier
from weaklabel.metrics import map_at_r, precision_at_1
from weaklabel.plots.embedding import embedding_scatter

digits = load_digits()
X = digits.images[:, None].astype("float32")  # (n, 1, 8, 8): the conv encoder is chosen from the shape
X_tr, X_te, y_tr, y_te = train_test_split(X, digits.target, test_size=0.25, random_state=0, stratify=digits.target)
model = EmbeddingClassifier(loss="center", embedding_dim=2, max_epochs=20, random_state=0, verbose=0).fit(X_tr, y_tr)
Z = model.transform(X_te)
print(f"test accuracy {model.score(X_te, y_te):.3f}, precision@1 {precision_at_1(Z, y_te):.3f}, MAP@R {map_at_r(Z, y_te):.3f}")
embedding_scatter(Z, y_te, title="center loss, 2-D").savefig("embedding.png", dpi=120)
