"""scikit-learn compatible estimators."""

from .multilabel import MultiLabelClassifier
from .single_positive import SinglePositiveClassifier
from .embedding import EmbeddingClassifier
from .self_supervised import SelfSupervisedClassifier

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier"]
