"""The task interface and registry."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from ..data.readers import Table
from ..exceptions import InputError
from ..report import Report

TASKS: dict[str, "Task"] = {}


def register_task(task: "Task") -> "Task":
    """Make ``task`` available as ``weaklabel fit --task NAME``."""
    TASKS[task.name] = task
    return task


def get_task(name: str) -> "Task":
    if name not in TASKS:
        raise InputError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    return TASKS[name]


def task_of(estimator: Any) -> "Task":
    """The task whose estimator class ``estimator`` is (a model saved from Python carries no task name)."""
    for task in TASKS.values():
        if type(estimator) is task.estimator_class():
            return task
    raise InputError(f"no command-line task drives {type(estimator).__name__}; tasks: {sorted(TASKS)}")


def model_inputs(estimator: Any, table: Table) -> np.ndarray | pd.DataFrame:
    """``table``'s features as ``estimator`` expects them: named columns when it was fitted on named columns
    (a model fitted from Python on a DataFrame), so that scikit-learn's feature-name check applies, else the array."""
    if getattr(estimator, "feature_names_in_", None) is None:
        return table.features
    return pd.DataFrame(table.features, columns=table.feature_names, copy=False)


def label_lists(table: Table, missing: str) -> list[list[Any]]:
    """Each row's labels as a list (from a label column, or the names of a 0/1 matrix's ones).

    ``missing`` is the fix to name when no labels were read.
    """
    if table.labels is None:
        raise InputError(f"no labels were read; {missing}")
    if isinstance(table.labels, np.ndarray):
        names: list[Any] = table.label_names or list(range(table.labels.shape[1]))
        return [[names[j] for j in np.flatnonzero(row)] for row in table.labels]
    return table.labels


def labels_from_table(table: Table) -> Any:
    """The ``y`` an estimator's ``fit`` takes: a named 0/1 DataFrame or a list of label lists."""
    if table.labels is None:
        raise InputError("no labels were read; name the label column(s) with --label-column, --label-columns or --label-prefix")
    if isinstance(table.labels, np.ndarray):
        return pd.DataFrame(table.labels, columns=table.label_names)
    return table.labels


class Task:
    """Base task; subclasses set ``name``, ``estimator_class`` and override what differs."""

    name: str = ""
    needs_labels: bool = True
    description: str = ""

    def estimator_class(self) -> type:
        raise NotImplementedError

    def build(self, params: dict[str, Any]) -> Any:
        """The estimator with ``params``; unknown parameter names are an error that lists the valid ones."""
        cls = self.estimator_class()
        valid = set(cls().get_params())
        unknown = sorted(set(params) - valid)
        if unknown:
            raise InputError(f"unknown parameter(s) {unknown} for {cls.__name__}; valid: {sorted(valid)}")
        return cls(**params)

    def fit(self, estimator: Any, table: Table) -> None:
        if self.needs_labels:
            estimator.fit(table.features, labels_from_table(table))
        else:
            estimator.fit(table.features)

    def predictions(self, estimator: Any, table: Table, label_sep: str = "|") -> pd.DataFrame:
        raise NotImplementedError

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        """Add metrics and figures to ``report``; return the summary rows printed by the CLI."""
        raise NotImplementedError
