"""The task interface and registry."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ..catalogue import flag_of
from ..data.readers import Table, check_label_separator
from ..exceptions import InputError
from ..metrics import top_k_matrix
from ..report import Report

TASKS: dict[str, Task] = {}


def register_task(task: Task) -> Task:
    """Make ``task`` available as ``weaklabel fit --task NAME``."""
    TASKS[task.name] = task
    return task


def get_task(name: str) -> Task:
    if name not in TASKS:
        raise InputError(f"unknown task {name!r}; choose one of {sorted(TASKS)}")
    return TASKS[name]


def task_of(estimator: Any) -> Task:
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


#: the column of every task's predictions that holds the predicted label set, class or cluster
PREDICTED = "predicted"
#: the prefix of the score columns, one per label, class or cluster (``score_<name>``)
SCORE_PREFIX = "score_"


@dataclass(frozen=True)
class Decision:
    """How ``predict`` turns a label-set model's scores into label sets: the model's own rule (both None), each
    row's ``top_k`` highest-scoring labels, or the labels scoring at least ``threshold``."""

    top_k: int | None = None
    threshold: float | None = None

    @property
    def is_default(self) -> bool:
        return self.top_k is None and self.threshold is None


def prediction_frame(names: Any, scores: np.ndarray, predicted: list[Any], table: Table) -> pd.DataFrame:
    """The predictions of every task: the id column under its own name (when the table has one), ``predicted``
    (a label set as a list, a class or a cluster) and ``score_<name>`` per label, class or cluster."""
    frame = pd.DataFrame(scores, columns=[f"{SCORE_PREFIX}{name}" for name in names])
    frame.insert(0, PREDICTED, predicted)
    if table.ids is not None:
        id_name = str(table.id_name or "id")
        if id_name in frame.columns:
            raise InputError(
                f"the id column {id_name!r} has the name of a predictions column ({PREDICTED!r} or {SCORE_PREFIX}<label>); "
                "rename it in the data file, or leave it out with --id-column ''"
            )
        frame.insert(0, id_name, table.ids)
    return frame


def label_set_predictions(estimator: Any, table: Table, decision: Decision) -> pd.DataFrame:
    """:func:`prediction_frame` of a label-set model (multilabel, positive-only): its label sets by ``decision``."""
    scores = estimator.predict_proba(model_inputs(estimator, table))
    if decision.top_k is not None:
        chosen = top_k_matrix(scores, int(decision.top_k))
    elif decision.threshold is not None:
        chosen = (scores >= float(decision.threshold)).astype(np.int64)
    else:
        chosen = estimator.labels_from_proba(scores)
    classes = np.asarray(estimator.classes_)
    return prediction_frame(classes, scores, [classes[np.flatnonzero(row)].tolist() for row in chosen], table)


def refuse_label_set_rules(task: str, decision: Decision) -> None:
    """A task that predicts one class per row has no label sets for ``--top-k`` or ``--threshold`` to choose."""
    if not decision.is_default:
        raise InputError(
            f"--top-k and --threshold choose label sets; a {task} model predicts one class per row "
            "(its scores are in the score_<class> columns): leave both out"
        )


def label_sets_as_text(frame: pd.DataFrame, label_sep: str) -> pd.DataFrame:
    """``frame`` with its ``predicted`` label sets (lists) joined by ``label_sep``, for a .csv/.tsv file; refuses a
    separator that is empty or inside a label name (the sets could not be split back)."""
    if not len(frame) or not isinstance(frame[PREDICTED].iloc[0], list):
        return frame
    check_label_separator(label_sep)
    clashing = sorted({str(label) for labels in frame[PREDICTED] for label in labels if label_sep in str(label)})
    clashing += [name[len(SCORE_PREFIX):] for name in frame.columns if name.startswith(SCORE_PREFIX) and label_sep in name[len(SCORE_PREFIX):]]
    if clashing:
        raise InputError(
            f"label {clashing[0]!r} contains {label_sep!r}, the separator of the predicted label sets, so they "
            f"could not be split back; pass --label-sep with a character no label contains (e.g. ';'), or write a .parquet"
        )
    text = frame.copy()
    text[PREDICTED] = [label_sep.join(str(label) for label in labels) for labels in frame[PREDICTED]]
    return text


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
        upgrade = getattr(cls, "_upgrade_params", None)  # a renamed parameter under its old name (a saved YAML config)
        params = upgrade(params) if upgrade is not None else params
        valid = set(cls().get_params())
        unknown = sorted(set(params) - valid)
        if unknown:
            raise InputError(f"unknown parameter(s) {unknown} for {cls.__name__}; valid: {sorted(valid)}")
        estimator = cls(**params)
        checks = estimator._all_parameter_checks()
        for name in params:  # each value given, against its own constraint, before any data is read
            if name in checks:
                try:
                    checks[name].check(name, params[name])
                except InputError as exc:
                    raise InputError(f"{exc} (on the command line: {flag_of(name)})") from None
        return estimator

    def fit(self, estimator: Any, table: Table) -> None:
        if self.needs_labels:
            estimator.fit(table.features, labels_from_table(table))
        else:
            estimator.fit(table.features)

    def predictions(self, estimator: Any, table: Table, decision: Decision = Decision()) -> pd.DataFrame:
        """:func:`prediction_frame` of ``estimator`` on ``table``, label sets chosen by ``decision``."""
        raise NotImplementedError

    def evaluate(self, estimator: Any, table: Table, report: Report) -> list[dict[str, Any]]:
        """Add metrics and figures to ``report``; return the summary rows printed by the CLI."""
        raise NotImplementedError
