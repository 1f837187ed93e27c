"""scikit-learn compatible estimators."""

from .multilabel import MultiLabelClassifier
from .self_supervised import SelfSupervisedClassifier
from .single_positive import SinglePositiveClassifier
from .embedding import EmbeddingClassifier
from .partial_label import PartialLabelClassifier

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "PartialLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier"]
