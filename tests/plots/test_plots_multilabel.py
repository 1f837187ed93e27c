"""Tests of weaklabel.plots.multilabel: curve maths against scikit-learn, figures, PNG output."""

from __future__ import annotations

import ast
import os
from pathlib import Path

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from sklearn.metrics import average_precision_score, f1_score, precision_recall_curve, precision_score, recall_score

import weaklabel.plots as plots_package
from weaklabel.exceptions import InputError
from weaklabel.plots import (
    average_precision,
    per_label_precision_recall,
    precision_recall_curves,
    precision_recall_points,
    save_figure,
    threshold_effect,
)

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture()
def data() -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Random multilabel data with 6 labels; label 2 has no positive."""
    rng = np.random.default_rng(0)
    n, n_labels = 200, 6
    y = (rng.random((n, n_labels)) < np.linspace(0.05, 0.5, n_labels)).astype(int)
    y[:, 2] = 0
    scores = np.clip(0.4 * y + 0.6 * rng.random((n, n_labels)), 0.0, 1.0)
    return y, scores, [f"label_{j}" for j in range(n_labels)]


def _legend_texts(fig: Figure) -> list[str]:
    legend = fig.axes[0].get_legend()
    assert legend is not None
    return [t.get_text() for t in legend.get_texts()]


def _assert_png(path) -> None:
    assert path.is_file()
    content = path.read_bytes()
    assert len(content) > 1000
    assert content[:8] == PNG_SIGNATURE


# ---------------------------------------------------------------- curve maths


@pytest.mark.parametrize("seed", range(5))
@pytest.mark.parametrize("ties", [False, True])
def test_precision_recall_points_match_sklearn(seed: int, ties: bool) -> None:
    rng = np.random.default_rng(seed)
    y = rng.random(300) < 0.2
    y[0] = True
    scores = rng.random(300) + 0.3 * y
    if ties:
        scores = np.round(scores, 1)
    precision, recall, thresholds = precision_recall_points(y.astype(int), scores)
    ref_p, ref_r, ref_t = precision_recall_curve(y, scores)
    np.testing.assert_allclose(precision, ref_p)
    np.testing.assert_allclose(recall, ref_r)
    np.testing.assert_allclose(thresholds, ref_t)
    assert average_precision(y, scores) == pytest.approx(average_precision_score(y, scores))


def test_precision_recall_points_small_example() -> None:
    precision, recall, thresholds = precision_recall_points([0, 1, 1, 0], [0.1, 0.8, 0.4, 0.4])
    np.testing.assert_allclose(thresholds, [0.1, 0.4, 0.8])
    np.testing.assert_allclose(precision, [0.5, 2 / 3, 1.0, 1.0])
    np.testing.assert_allclose(recall, [1.0, 1.0, 0.5, 0.0])


def test_precision_recall_points_rejects_bad_input() -> None:
    with pytest.raises(InputError, match="no positive"):
        precision_recall_points([0, 0, 0], [0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="0 and 1"):
        precision_recall_points([0, 2, 1], [0.1, 0.2, 0.3])
    with pytest.raises(InputError, match="NaN"):
        precision_recall_points([0, 1, 1], [0.1, np.nan, 0.3])
    with pytest.raises(InputError, match="shape"):
        precision_recall_points([0, 1, 1], [0.1, 0.3])


# ---------------------------------------------------------------- figures


def test_per_label_precision_recall_sorted_by_support(data, tmp_path) -> None:
    y, scores, names = data
    pred = scores >= 0.5
    precision = precision_score(y, pred, average=None, zero_division=0).astype(float)
    precision[1] = np.nan  # drawn as n/a
    recall = recall_score(y, pred, average=None, zero_division=0)
    f1 = f1_score(y, pred, average=None, zero_division=0)
    support = y.sum(axis=0)
    fig = per_label_precision_recall(names, precision, recall, f1=f1, support=support)
    assert isinstance(fig, Figure)
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    expected = [f"{names[j]} (n={support[j]})" for j in np.argsort(-support, kind="stable")]
    assert ticks == expected
    assert _legend_texts(fig) == ["precision", "recall", "F1"]
    _assert_png(save_figure(fig, tmp_path / "bars.png"))


def test_per_label_precision_recall_thirty_labels_without_support(tmp_path) -> None:
    rng = np.random.default_rng(1)
    names = [f"a fairly long label name number {i}" for i in range(30)]
    fig = per_label_precision_recall(names, rng.random(30), rng.random(30))
    ticks = [t.get_text() for t in fig.axes[0].get_yticklabels()]
    assert len(ticks) == 30 and all(len(t) <= 32 for t in ticks)
    assert fig.get_figheight() > 8  # grows with the number of labels
    _assert_png(save_figure(fig, tmp_path / "thirty.png"))
    with pytest.raises(InputError, match="recall has 29 values"):
        per_label_precision_recall(names, rng.random(30), rng.random(29))


def test_precision_recall_curves_skip_labels_without_positives(data, tmp_path) -> None:
    y, scores, names = data
    fig = precision_recall_curves(y, scores, names)
    texts = _legend_texts(fig)
    assert not any(t.startswith("label_2 ") for t in texts)
    assert sum(t.startswith("label_") for t in texts) == 5
    micro = [t for t in texts if t.startswith("micro-average")]
    assert micro == [f"micro-average (AP={average_precision_score(y.ravel(), scores.ravel()):.3f})"]
    ap0 = average_precision_score(y[:, 0], scores[:, 0])
    assert f"label_0 (AP={ap0:.3f}, n={y[:, 0].sum()})" in texts
    assert "1 label without positives skipped" in fig.axes[0].get_title(loc="left")
    _assert_png(save_figure(fig, tmp_path / "pr.png"))


def test_precision_recall_curves_max_labels_keeps_most_frequent(data) -> None:
    y, scores, names = data
    fig = precision_recall_curves(y, scores, names, max_labels=2)
    shown = [t.split(" ")[0] for t in _legend_texts(fig) if t.startswith("label_")]
    assert shown == ["label_5", "label_4"]
    assert "2 of 5 labels shown" in fig.axes[0].get_title(loc="left")


def test_precision_recall_curves_without_any_positive(tmp_path) -> None:
    fig = precision_recall_curves(np.zeros((10, 2), int), np.random.default_rng(0).random((10, 2)), ["a", "b"])
    assert fig.axes[0].get_legend() is None
    _assert_png(save_figure(fig, tmp_path / "empty.png"))


def test_threshold_effect_values_match_sklearn(data, tmp_path) -> None:
    y, scores, _ = data
    tuned = np.array([0.3, 0.4, 0.5, 0.6, 0.55, 0.45])
    fig = threshold_effect(y, scores, thresholds=tuned)
    texts = _legend_texts(fig)
    keep = y.sum(axis=0) > 0
    pred = scores >= 0.5
    for name, fn in (("precision", precision_score), ("recall", recall_score), ("F1", f1_score)):
        value = fn(y[:, keep], pred[:, keep], average="macro", zero_division=0)
        assert f"macro {name} ({value:.3f} at 0.5)" in texts
    tuned_f1 = f1_score(y[:, keep], (scores >= tuned)[:, keep], average="macro", zero_division=0)
    assert f"per-label tuned thresholds: macro F1 {tuned_f1:.3f}" in texts
    assert any(t.startswith("best global threshold") for t in texts)
    _assert_png(save_figure(fig, tmp_path / "thr.png"))


def test_threshold_effect_without_tuned_and_bad_scores(data) -> None:
    y, scores, _ = data
    texts = _legend_texts(threshold_effect(y, scores))
    assert not any("tuned" in t for t in texts)
    with pytest.raises(InputError, match=r"\[0, 1\]"):
        threshold_effect(y, scores * 3 - 1)
    with pytest.raises(InputError, match="thresholds has 2 values"):
        threshold_effect(y, scores, thresholds=[0.5, 0.5])


# ---------------------------------------------------------------- output


def test_save_figure_creates_parents_and_leaves_no_temp_files(data, tmp_path) -> None:
    y, scores, names = data
    target = tmp_path / "a" / "b" / "curves.png"
    returned = save_figure(precision_recall_curves(y, scores, names), target, dpi=60)
    assert returned == target
    _assert_png(target)
    assert os.listdir(target.parent) == ["curves.png"]


def test_save_figure_failure_leaves_nothing(tmp_path) -> None:
    class Broken(Figure):
        def savefig(self, *args, **kwargs):  # noqa: ANN002, ANN003
            raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        save_figure(Broken(), tmp_path / "x.png")
    assert os.listdir(tmp_path) == []


def test_figures_are_standalone_agg_figures(data) -> None:
    """Figures live on their own Agg canvas with no pyplot manager (no global state)."""
    y, scores, names = data
    figures = [
        per_label_precision_recall(names, scores[:6, 0], scores[:6, 1]),
        precision_recall_curves(y, scores, names),
        threshold_effect(y, scores),
    ]
    for fig in figures:
        assert isinstance(fig.canvas, FigureCanvasAgg)
        assert fig.canvas.manager is None


def test_plots_package_never_imports_pyplot() -> None:
    package = Path(plots_package.__file__).parent
    for source in package.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [f"{node.module}.{alias.name}" for alias in node.names]
            else:
                continue
            assert not any("pyplot" in name for name in names), f"{source.name} imports pyplot"


def test_save_figure_writes_the_format_its_extension_names(tmp_path):
    fig = per_label_precision_recall(["a", "b"], np.array([0.5, 1.0]), np.array([0.2, np.nan]))
    assert save_figure(fig, tmp_path / "bars.pdf").read_bytes()[:5] == b"%PDF-"
    assert b"<svg" in save_figure(fig, tmp_path / "bars.svg").read_bytes()[:500]
    with pytest.raises(InputError, match=r"use the extension \.png, \.pdf or \.svg"):
        save_figure(fig, tmp_path / "bars.jpg")


def test_precision_and_recall_outside_0_1_are_refused():
    with pytest.raises(InputError, match=r"precision must lie in \[0, 1\].*'a' has 7"):
        per_label_precision_recall(["a", "b"], np.array([7.0, 0.5]), np.array([0.2, 0.3]))
