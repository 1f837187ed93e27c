"""Bad inputs to the embedding, positive-only and threshold plots are InputErrors that name the problem."""

import numpy as np
import pytest

from weaklabel.exceptions import InputError
from weaklabel.plots import precision_recall_curves, threshold_effect
from weaklabel.plots.embedding import embedding_scatter, scatter_grid
from weaklabel.plots.positive_only import label_embedding_space

RNG = np.random.default_rng(0)


@pytest.mark.parametrize(
    ("embeddings", "labels", "message"),
    [
        (np.array([[0.0, np.nan, 1.0], [1.0, 2.0, 3.0]]), [0, 1], r"NaN or infinite values \(first in row 0\)"),
        (np.array([[0.0, np.inf], [1.0, 2.0]]), [0, 1], "NaN or infinite values"),
        (RNG.normal(size=(1, 5)), [0], "needs at least 2 samples"),
    ],
)
def test_embedding_scatter_refuses_what_it_cannot_draw(embeddings, labels, message):
    with pytest.raises(InputError, match=message):
        embedding_scatter(embeddings, labels)


def test_scatter_grid_needs_panels_and_one_label_per_row():
    with pytest.raises(InputError, match="at least one"):
        scatter_grid([], [0, 1])
    with pytest.raises(InputError, match=r"panel 'a' has 4 rows"):
        scatter_grid([("a", RNG.normal(size=(4, 2)))], [0, 1, 0])


def test_label_embedding_space_needs_a_name_per_group():
    with pytest.raises(InputError, match="group_names names 1 groups, but groups holds 2"):
        label_embedding_space(RNG.normal(size=(4, 2)), np.array([0, 0, 1, 1]), RNG.normal(size=(2, 2)), ["a", "b"], group_names=["g0"])


def test_threshold_plots_refuse_label_lists_and_non_numbers():
    y = np.array([[1, 0], [0, 1], [1, 1]])
    scores = RNG.uniform(size=(3, 2))
    with pytest.raises(InputError, match="not label lists; convert them"):
        precision_recall_curves([[1, 0], [1]], scores, ["a", "b"])
    with pytest.raises(InputError, match="thresholds must hold numbers"):
        threshold_effect(y, scores, thresholds="tune")
    with pytest.raises(InputError, match=r"n_points must be an integer >= 2, got 2\.5"):
        threshold_effect(y, scores, n_points=2.5)
