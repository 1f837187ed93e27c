"""Command-line tasks: how ``weaklabel fit/predict/evaluate`` drive each estimator.

A task names its estimator, turns a read :class:`~weaklabel.data.readers.Table`
into ``fit`` arguments, writes predictions as a table, and adds its metrics
and figures to an evaluation report. Each estimator family registers one.
"""

from . import (
    embedding,  # noqa: F401  (registers "embedding")
    multilabel,  # noqa: F401  (registers "multilabel")
    partial_label,  # noqa: F401  (registers "partial-label")
    positive_only,  # noqa: F401  (registers "positive-only")
    self_supervised,  # noqa: F401  (registers "self-supervised")
)
from ._base import PREDICTED, SCORE_PREFIX, TASKS, Decision, Task, get_task, label_sets_as_text, register_task, task_of

__all__ = ["PREDICTED", "SCORE_PREFIX", "TASKS", "Decision", "Task", "get_task", "label_sets_as_text", "register_task", "task_of"]
