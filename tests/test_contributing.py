"""docs/contributing.md's worked example runs as written: the loss registers, its reference test passes, and an
estimator of its family trains with it without any other edit."""

import re
from pathlib import Path

import numpy as np

from weaklabel import MultiLabelClassifier
from weaklabel.losses import _registry

GUIDE = Path(__file__).resolve().parents[1] / "docs" / "contributing.md"


def _example_blocks() -> list[str]:
    """The ```python blocks that follow a ``<!-- contributing-example -->`` marker, in order."""
    return re.findall(r"<!-- contributing-example -->\n```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_the_guides_loss_registers_passes_its_reference_test_and_trains(monkeypatch):
    blocks = _example_blocks()
    assert len(blocks) == 2
    monkeypatch.setattr(_registry, "_REGISTRY", dict(_registry._REGISTRY))  # the example's loss stays in this test
    namespace: dict = {}
    for block in blocks:
        exec(compile(block, str(GUIDE), "exec"), namespace)  # noqa: S102 (our own documentation)
    namespace["test_brier_matches_numpy"]()

    rng = np.random.default_rng(0)
    X = rng.normal(size=(80, 3)).astype(np.float32)
    Y = (X[:, :2] > 0).astype(np.int64)
    params = dict(hidden_sizes=(8,), batch_size=16, learning_rate=1e-2, max_epochs=30, patience=None, random_state=0, verbose=0)
    model = MultiLabelClassifier(loss="brier", **params).fit(X, Y)
    assert type(model._build_loss(Y.astype(np.float32))).__name__ == "BrierLoss"
    assert model.history_[-1]["train_loss"] < model.history_[0]["train_loss"]
    assert model.score(X, Y) > 0.9  # labels are the signs of two features: easy to rank
