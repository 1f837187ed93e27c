"""Reading, validating, encoding and generating data."""

from .labels import LabelEncoder, detect_format
from .preprocessing import FeatureScaler
from .validation import check_features, check_n_features

__all__ = ["FeatureScaler", "LabelEncoder", "check_features", "check_n_features", "detect_format"]

from .datasets import Dataset, bayes_rule, load_movies, make_sparse_multilabel  # noqa: E402

__all__ += ["Dataset", "bayes_rule", "load_movies", "make_sparse_multilabel"]
