"""Tests for weaklabel.metrics.embedding against brute-force NumPy computations."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.cluster import KMeans
from sklearn.metrics import normalized_mutual_info_score

from weaklabel.exceptions import InputError
from weaklabel.metrics import distance_overlap, embedding_report, kmeans_nmi, map_at_r, pair_distances, precision_at_1


def brute_distances(E: np.ndarray, distance: str) -> np.ndarray:
    E = E.astype(np.float64)
    if distance == "cosine":
        E = E / np.linalg.norm(E, axis=1, keepdims=True)
        D = 1.0 - E @ E.T
    else:
        D = np.sqrt(((E[:, None, :] - E[None, :, :]) ** 2).sum(-1))
    np.fill_diagonal(D, np.inf)
    return D


def brute_map_at_r(E: np.ndarray, y: np.ndarray, distance: str) -> tuple[float, float]:
    """(precision@1, MAP@R) by sorting every row of the full distance matrix."""
    D = brute_distances(E, distance)
    p1, aps = [], []
    for i in range(len(E)):
        R = int((y == y[i]).sum()) - 1
        if R == 0:
            continue
        order = np.argsort(D[i], kind="stable")
        rel = (y[order[:R]] == y[i]).astype(float)
        p1.append(rel[0])
        aps.append(sum(rel[k] * rel[: k + 1].sum() / (k + 1) for k in range(R)) / R)
    return float(np.mean(p1)), float(np.mean(aps))


@pytest.fixture()
def blobs() -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(0)
    y = np.repeat(np.arange(4), 25)
    centres = rng.normal(scale=3.0, size=(4, 5))
    E = centres[y] + rng.normal(size=(100, 5))
    y[-1] = 9  # a class with a single sample: left out of the retrieval scores
    return E.astype(np.float32), y


@pytest.mark.parametrize("distance", ["euclidean", "cosine"])
def test_retrieval_scores_match_brute_force(blobs, distance):
    E, y = blobs
    p1, mapr = brute_map_at_r(E, y, distance)
    assert 0.3 < mapr < 0.99  # a case where the order of the neighbours matters
    assert precision_at_1(E, y, distance) == pytest.approx(p1, abs=1e-12)
    assert map_at_r(E, y, distance) == pytest.approx(mapr, abs=1e-9)


def test_map_at_r_closed_forms():
    y = np.array([0, 0, 1, 1])
    perfect = np.array([[0.0], [0.1], [5.0], [5.1]])
    assert map_at_r(perfect, y) == 1.0 and precision_at_1(perfect, y) == 1.0
    swapped = np.array([[0.0], [5.0], [0.1], [5.1]])  # each point's neighbour is of the other class
    assert map_at_r(swapped, y) == 0.0
    # labels as strings give the same answer
    assert map_at_r(perfect, np.array(["a", "a", "b", "b"])) == 1.0


def test_kmeans_nmi_matches_sklearn(blobs):
    E, y = blobs
    clusters = KMeans(n_clusters=5, n_init=10, random_state=0).fit_predict(E.astype(np.float64))
    assert kmeans_nmi(E, y) == pytest.approx(normalized_mutual_info_score(y, clusters))


def test_pair_distances_and_overlap(blobs):
    E, y = blobs
    D = brute_distances(E, "euclidean")
    i, j = np.triu_indices(len(E), k=1)
    same, different = pair_distances(E, y)
    np.testing.assert_allclose(np.sort(same), np.sort(D[i, j][y[i] == y[j]]), rtol=1e-5)
    np.testing.assert_allclose(np.sort(different), np.sort(D[i, j][y[i] != y[j]]), rtol=1e-5)
    edges = np.histogram_bin_edges(np.concatenate([same, different]), bins=100)
    expected = np.minimum(np.histogram(same, edges)[0] / len(same), np.histogram(different, edges)[0] / len(different)).sum()
    assert distance_overlap(E, y) == pytest.approx(expected)
    assert distance_overlap(E * 7.0, y) == pytest.approx(expected, abs=1e-6)  # scale-free


def test_overlap_extremes():
    rng = np.random.default_rng(1)
    y = np.repeat(np.arange(3), 30)
    separated = np.eye(3)[y] * 100 + rng.normal(scale=0.01, size=(90, 3))
    assert distance_overlap(separated, y) == 0.0
    noise = rng.normal(size=(3000, 4))
    assert distance_overlap(noise, rng.integers(0, 3, 3000), max_pairs=100_000) > 0.9


def test_sampled_pairs_when_too_many(blobs):
    E, y = blobs
    same, different = pair_distances(E, y, max_pairs=1000, random_state=3)
    assert len(same) + len(different) == 1000 and (same >= 0).all()


def test_report_and_errors(blobs):
    E, y = blobs
    report = embedding_report(E, y)
    assert set(report) == {"precision_at_1", "map_at_r", "nmi", "overlap"}
    with pytest.raises(InputError, match="one label per embedding"):
        map_at_r(E, y[:-1])
    with pytest.raises(InputError, match="distance"):
        map_at_r(E, y, distance="manhattan")
    with pytest.raises(InputError, match="no class has 2"):
        map_at_r(E[:3], np.arange(3))
    with pytest.raises(InputError, match="NaN"):
        precision_at_1(np.full((3, 2), np.nan), np.zeros(3))
