"""scikit-learn compatible estimators."""

from .multilabel import MultiLabelClassifier

__all__ = ["MultiLabelClassifier"]
