"""weaklabel: train classifiers when labels are weak."""

from ._version import __version__
from .estimators import EmbeddingClassifier, MultiLabelClassifier, SelfSupervisedClassifier, SinglePositiveClassifier
from .persistence import load

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier", "__version__", "load"]
