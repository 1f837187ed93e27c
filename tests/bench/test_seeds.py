"""summarise_seeds: mean and worst seed per key; best_of_k: selection among runs by loss."""

import pytest

from weaklabel.bench._seeds import best_of_k, summarise_seeds


def test_mean_worst_and_order() -> None:
    rows = [
        {"set": "b", "m": "x", "acc": 0.9, "overlap": 0.1, "s": 1.0},
        {"set": "a", "m": "x", "acc": 0.5, "overlap": 0.3, "s": 3.0},
        {"set": "b", "m": "x", "acc": 0.7, "overlap": 0.2, "s": 2.0},
    ]
    out = summarise_seeds(rows, ("set", "m"), ("acc", "overlap"), lower_is_better=("overlap",), means=("s",))
    assert [r["set"] for r in out] == ["b", "a"]
    b = out[0]
    assert b["seeds"] == 2 and b["m"] == "x"
    assert b["acc"] == pytest.approx(0.8) and b["worst_acc"] == pytest.approx(0.7)
    assert b["overlap"] == pytest.approx(0.15) and b["worst_overlap"] == pytest.approx(0.2)
    assert b["s"] == pytest.approx(1.5)
    assert out[1]["seeds"] == 1 and out[1]["worst_acc"] == 0.5


def test_best_of_k_by_enumeration() -> None:
    losses = [3.0, 1.0, 2.0]
    scores = [0.9, 0.5, 0.7]  # the loss ranks the runs in reverse of their score: selection is harmful here
    # pairs {0,1} → run 1 (0.5), {0,2} → run 2 (0.7), {1,2} → run 1 (0.5)
    out = best_of_k(losses, scores, 2)
    assert out["score"] == pytest.approx((0.5 + 0.7 + 0.5) / 3)
    assert out["worst_score"] == pytest.approx(0.5)
    assert out["oracle"] == pytest.approx((0.9 + 0.9 + 0.7) / 3)
    assert best_of_k(losses, scores, 1)["score"] == pytest.approx(0.7)  # one run: the plain mean
    assert best_of_k(losses, scores, 3) == {"score": 0.5, "worst_score": 0.5, "oracle": 0.9}


def test_best_of_k_rejects_mismatched_input() -> None:
    with pytest.raises(ValueError, match="1 ≤ k ≤ runs"):
        best_of_k([1.0, 2.0], [0.5, 0.6], 3)
    with pytest.raises(ValueError, match="one loss and one score per run"):
        best_of_k([1.0, 2.0], [0.5], 1)
    with pytest.raises(ValueError, match="must not be NaN"):
        best_of_k([float("nan"), 2.0], [0.5, 0.6], 1)
    assert best_of_k([float("inf"), 2.0], [0.9, 0.6], 2)["score"] == pytest.approx(0.6)  # a diverged run is never kept
