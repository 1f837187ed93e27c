"""scikit-learn compatible estimators."""

from .embedding import EmbeddingClassifier
from .multilabel import MultiLabelClassifier
from .partial_label import PartialLabelClassifier
from .self_supervised import SelfSupervisedClassifier
from .single_positive import SinglePositiveClassifier

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "PartialLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier"]
