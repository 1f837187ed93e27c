"""weaklabel: train classifiers when labels are weak."""

__version__ = "0.1.0"

from .estimators import MultiLabelClassifier  # noqa: E402
from .estimators import EmbeddingClassifier  # noqa: E402
from .estimators import SelfSupervisedClassifier  # noqa: E402
from .estimators import SinglePositiveClassifier  # noqa: E402
from .persistence import load  # noqa: E402

__all__ = ["EmbeddingClassifier", "MultiLabelClassifier", "SelfSupervisedClassifier", "SinglePositiveClassifier", "__version__", "load"]
