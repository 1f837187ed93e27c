"""Clustering figures build without pyplot and show the matched counts."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from weaklabel.exceptions import InputError
from weaklabel.plots.clustering import class_scatter, confusion_heatmap


def test_confusion_heatmap_reports_matched_accuracy():
    y = np.array([0, 0, 1, 1, 2, 2])
    pred = np.array([5, 5, 7, 9, 9, 9])  # cluster ids are arbitrary
    fig = confusion_heatmap(y, pred)
    assert isinstance(fig, Figure)
    assert "accuracy 0.833" in fig.axes[0].get_title(loc="left")


def test_class_scatter_circles_mistakes_and_checks_shape():
    X2 = np.random.default_rng(0).standard_normal((30, 2))
    labels = np.repeat([0, 1, 2], 10)
    truth = labels.copy()
    truth[0] = 1
    fig = class_scatter(X2, labels, truth)
    assert fig.axes[0].get_legend() is not None
    assert len(fig.axes[0].collections) == 4  # 3 classes + the circled mistake
    with pytest.raises(InputError, match="PCA"):
        class_scatter(np.zeros((30, 3)), labels)
