"""scikit-learn compatible estimators."""

from .multilabel import MultiLabelClassifier
from .single_positive import SinglePositiveClassifier

__all__ = ["MultiLabelClassifier", "SinglePositiveClassifier"]
