"""What the command line offers, without importing it: tasks, their losses, demo scenarios, benchmark suites.

The command line's help texts and its first argument checks read this module, so that ``weaklabel --help`` and a
mistyped flag answer before PyTorch, NumPy or pandas load (about 3 s on a busy 2-core machine). The registries
stay where they are (tasks, losses, demo scenarios and benchmark suites register themselves when imported);
``tests/test_catalogue.py`` checks every fact below against them (names, descriptions, titles, estimators,
default losses), so a loss, task, scenario or suite added there without its line here fails the tests.
"""

from __future__ import annotations

from typing import NamedTuple

__all__ = ["DATASETS", "PARAMETER_FLAGS", "SCENARIOS", "SUITES", "TASKS", "TaskInfo", "flag_of", "losses_text"]


class TaskInfo(NamedTuple):
    """One ``--task``: what it learns, its estimator, its loss family, default loss and every loss on offer."""

    summary: str
    estimator: str
    loss_family: str
    default_loss: str
    losses: tuple[str, ...]


TASKS: dict[str, TaskInfo] = {
    "multilabel": TaskInfo(
        "several labels per item, all tagged (MultiLabelClassifier)",
        "MultiLabelClassifier", "multilabel", "bce", ("asymmetric", "bce", "focal", "weighted_bce"),
    ),
    "positive-only": TaskInfo(
        "one observed positive label per item, the rest unknown (SinglePositiveClassifier)",
        "SinglePositiveClassifier", "positive_only", "softmax",
        ("assume_negative", "em_apl", "epr", "label_embedding", "label_smoothing", "large_loss", "role", "selection_likelihood", "softmax",
         "weak_negative"),
    ),
    "embedding": TaskInfo(
        "one class per item, an embedding where classes are tight clusters (EmbeddingClassifier)",
        "EmbeddingClassifier", "metric", "cosine", ("arcface", "center", "cosface", "cosine", "softmax"),
    ),
    "self-supervised": TaskInfo(
        "classes learned from unlabelled data (SelfSupervisedClassifier)",
        "SelfSupervisedClassifier", "clustering", "minmax_scan", ("minmax_scan", "scan"),
    ),
    "partial-label": TaskInfo(
        "a set of candidate classes per item, exactly one of them true (PartialLabelClassifier)",
        "PartialLabelClassifier", "partial_label", "proden", ("cc", "naive", "proden", "rc"),
    ),
}

#: ``weaklabel demo --only NAME``: name → title, in the order the demo runs them
SCENARIOS: dict[str, str] = {
    "multilabel-sparse": "Sparse, imbalanced multi-label: 30 labels, one positive per item",
    "multilabel-tagged": "Multi-label, fully tagged",
    "self-supervised": "Self-supervised classification: 10 Gaussian blobs, no labels",
    "embedding-digits": "Classification as clustering: digits in a 2-D embedding",
    "positive-only-blobs": "Positives only: a hidden class between two labels",
}

#: ``weaklabel datasets info|export NAME``: the standard multi-label sets shipped as package data
DATASETS: tuple[str, ...] = ("bibtex", "emotions", "scene", "tmc2007", "yeast")

#: ``weaklabel bench NAME``: name → what it measures
SUITES: dict[str, str] = {
    "embedding": "every metric-learning loss on digits images and on one real table",
    "multilabel": "every multilabel loss beside scikit-learn peers on the same splits",
    "partial-label": "candidate sets at several ambiguity levels on three public tables",
    "positive-only": "single-positive training on the standard sets, multi-digits and movies",
    "self-supervised": "SelfSupervisedClassifier against the classical clusterings a user has",
    "standard-sets": "the five standard multi-label sets alone, with their own wall time",
    "speed": "training throughput, scaling, distributed training and neighbour search",
}


def losses_text(task: str) -> str:
    """``task``'s losses for a help text, the default marked: ``bce (default), asymmetric, …``."""
    info = TASKS[task]
    return ", ".join([f"{info.default_loss} (default)"] + [name for name in info.losses if name != info.default_loss])


#: estimator parameter → the command-line flag that sets it; every other parameter is set by ``--param NAME=VALUE``
PARAMETER_FLAGS: dict[str, str] = {
    "loss": "--loss",
    "method": "--method",
    "threshold": "--threshold",
    "max_epochs": "--epochs",
    "batch_size": "--batch-size",
    "learning_rate": "--learning-rate",
    "hidden_sizes": "--hidden-sizes",
    "random_state": "--seed",
    "device": "--device",
    "n_classes": "--n-classes",
}


def flag_of(parameter: str) -> str:
    """How the command line sets ``parameter``: its flag, or ``--param parameter=VALUE``."""
    return PARAMETER_FLAGS.get(parameter, f"--param {parameter}=VALUE")
