"""``weaklabel bench embedding``: every metric-learning loss on digits images and on one real table.

Data:

* scikit-learn digits as 1×8×8 images (raw 0-16 pixels), 75/25 stratified
  split with seed 0; conv encoder (32-64-128 channels, ±1-pixel random shifts
  in training), every loss at ``embedding_dim`` 2 and 64;
* scikit-learn's wine table (178 wines, 13 chemical measurements, 3
  cultivars; shipped with scikit-learn, so no download) with the MLP
  encoder, 70/30 stratified split: a natural single-label class column on
  real tabular data, small enough that the embedding metrics are exact.

Scores on the test split: accuracy, precision@1 and MAP@R (exact
nearest-neighbour search; cosine distance for the cosine-family losses,
Euclidean for softmax and center), NMI of k-means, distance-distribution
overlap (histogram intersection, 0 = separated), fit seconds.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import torch
from sklearn.datasets import load_wine
from sklearn.model_selection import train_test_split

from ..estimators import EmbeddingClassifier
from ..losses import available_losses
from ..plots.embedding import distance_histograms, scatter_grid
from ..report import Report, format_table
from ..report.scenarios.embedding import SEED, digits_split, fit_and_score
from . import register_suite
from ._seeds import summarise_seeds

COLUMNS = ["loss", "dim", "train_accuracy", "test_accuracy", "precision_at_1", "map_at_r", "nmi", "overlap", "distance", "fit_s"]


#: seeds of the networks (the train/test split is fixed); figures show the first
SEEDS = (0, 1, 2)
SUMMARY_METRICS = ("test_accuracy", "precision_at_1", "map_at_r", "nmi", "overlap")


def summarise(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per (loss, dim): mean, and the worst seed, of each metric in :data:`SUMMARY_METRICS`; mean fit seconds."""
    return summarise_seeds(rows, ("loss", "dim"), SUMMARY_METRICS, lower_is_better=("overlap",), means=("fit_s",))


def _digits(quick: bool, verbose: int, report: Report) -> list[dict[str, Any]]:
    X_tr, X_te, y_tr, y_te = digits_split()
    if quick:
        X_tr, y_tr = X_tr[:300], y_tr[:300]
    epochs = 2 if quick else 30
    seeds = SEEDS[:1] if quick else SEEDS
    report.section("Digits (1×8×8 images, conv encoder)")  # before its figures, added as the runs go
    rows = []
    for dim in (64, 2):
        panels = []
        for loss in available_losses("metric"):
            for seed in seeds:
                model = EmbeddingClassifier(loss=loss, embedding_dim=dim, max_epochs=epochs, random_state=seed, verbose=verbose)
                row, embeddings = fit_and_score(model, X_tr, y_tr, X_te, y_te)
                rows.append({**row, "seed": seed})
                print(format_table([{k: rows[-1][k] for k in ["seed", *COLUMNS]}]), flush=True)
                if seed != seeds[0]:
                    continue
                panels.append((f"{loss}: MAP@R {row['map_at_r']:.3f}", embeddings))
                if dim == 2:
                    report.figure(
                        distance_histograms(embeddings, y_te, model.distance_, title=f"digits, 2-D, {loss}", overlap=row["overlap"]),
                        f"digits_2d_distances_{loss}",
                        f"Same- vs different-class distances of the test embeddings, {loss} loss, 2-D (seed {seed}).",
                    )
        how = "raw coordinates" if dim == 2 else "first two principal components"
        report.figure(scatter_grid(panels, y_te), f"digits_{dim}d_scatter", f"Digits test embeddings, {dim}-D ({how}), one panel per loss (seed {seeds[0]}).")
    summary_columns = ["loss", "dim", "seeds", *(c for m in SUMMARY_METRICS for c in (m, f"worst_{m}")), "fit_s"]
    report.table(summarise(rows), columns=summary_columns,
                 caption=f"Test split, {len(y_te)} images; {epochs} epochs; mean and worst over seeds {list(seeds)}.")
    report.table(rows, columns=["seed", *COLUMNS], caption="Every run.")
    return rows


def _wine(quick: bool, verbose: int, report: Report) -> list[dict[str, Any]]:
    data = load_wine()
    X_tr, X_te, y_tr, y_te = train_test_split(
        data.data.astype(np.float32), data.target_names[data.target], test_size=0.3, random_state=SEED, stratify=data.target
    )
    rows = []
    for loss in available_losses("metric"):
        model = EmbeddingClassifier(
            loss=loss, embedding_dim=16, hidden_sizes=(64,), batch_size=32, max_epochs=5 if quick else 60, random_state=SEED, verbose=verbose
        )
        row, _ = fit_and_score(model, X_tr, y_tr, X_te, y_te)
        rows.append(row)
    report.section("Wine (13 measurements, 3 cultivars, MLP encoder)")
    report.table(rows, columns=COLUMNS, caption=f"Test split, {len(y_te)} wines; 16-D embedding, MLP (64), standard scaling, seed {SEED}.")
    return rows


@register_suite("embedding")
def run(quick: bool = False, verbose: int = 1) -> Report:
    report = Report("Benchmark: embedding (classification as clustering)")
    report.text(
        f"{'Quick smoke run: 300 training images, 2 epochs — not results. ' if quick else ''}"
        f"CPU, {torch.get_num_threads()} torch thread(s). Overlap = histogram intersection of same-class and "
        "different-class pair distances on 100 shared bins (0 = perfectly separated). precision@1 and MAP@R "
        "(Musgrave et al. 2020) by exact faiss search among the test embeddings."
    )
    digits = _digits(quick, verbose, report)
    _wine(quick, verbose, report)
    summary = summarise(digits)
    best = {dim: max((r for r in summary if r["dim"] == dim), key=lambda r: r["map_at_r"]) for dim in (2, 64)}
    report.section("Summary")
    report.text(
        "; ".join(f"{dim}-D: best mean MAP@R {r['map_at_r']:.3f} with {r['loss']}" for dim, r in best.items())
        + "."
    )
    return report
