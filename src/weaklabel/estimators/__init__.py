"""scikit-learn compatible estimators."""

from .multilabel import MultiLabelClassifier
from .self_supervised import SelfSupervisedClassifier
from .single_positive import SinglePositiveClassifier
from .embedding import EmbeddingClassifier

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier"]
