"""summarise_seeds: mean and worst seed per key."""

import pytest

from weaklabel.bench._seeds import summarise_seeds


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
